/* SPDX-License-Identifier: Apache-2.0 */
/* Where a Kubernetes API server is and how to authenticate to it, found as Kubernetes tools
 * find it. Order (the one controller-runtime uses, so an explicit choice always wins):
 *   1. an explicit kubeconfig path (the caller's --kubeconfig);
 *   2. the KUBECONFIG environment variable (a ':'-separated list, merged: the first file that
 *      sets a value wins);
 *   3. in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT set and the service
 *      account's token file present (token, ca.crt and namespace under
 *      <pod_root>/var/run/secrets/kubernetes.io/serviceaccount/); the token is re-read by the
 *      client when the file changes (kubelet rotates it);
 *   4. ~/.kube/config.
 * From a kubeconfig: the context (current-context unless one is named), its cluster's server,
 * certificate-authority(-data), insecure-skip-tls-verify, proxy-url, its user's
 * client-certificate(-data), client-key(-data), token or tokenFile, and the context's
 * namespace. A user with `exec` or
 * `auth-provider` is refused with a message naming the entry (running credential plugins is
 * not supported). Relative file paths are taken from the kubeconfig file's directory. */
#ifndef CE_KUBE_CONFIG_H
#define CE_KUBE_CONFIG_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>

#define CE_KUBE_CONFIG_MAX_BYTES (4 * 1024 * 1024) /* a kubeconfig or a PEM/token file */
#define CE_KUBE_POD_SA_DIR "var/run/secrets/kubernetes.io/serviceaccount"

struct ce_kube_pem {
    char *data; /* NULL when not configured */
    size_t len;
};

/* Owned by whoever loaded it; read-only afterwards (the client copies what it keeps). */
struct ce_kube_config {
    char *server;     /* "https://host:port" (no trailing '/') */
    char *ns;         /* default namespace: the context's, the pod's, else "default" */
    char *token;      /* bearer token, NULL for none */
    char *token_file; /* re-read when it changes (a pod's token, a kubeconfig tokenFile) */
    struct ce_kube_pem ca, cert, key;
    bool insecure; /* insecure-skip-tls-verify */
    char *source;  /* where it came from, for messages: a kubeconfig path or "in-cluster" */
    char *context; /* the context used, NULL in a pod */
    char *proxy;   /* the cluster's proxy-url; NULL: HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply */
};

struct ce_kube_config_opts {
    const char *kubeconfig; /* explicit path, NULL for none */
    const char *context;    /* NULL: current-context */
    const char *pod_root;   /* NULL: "/" (tests point it at a directory of their own) */
    const char *home;       /* NULL: $HOME */
};

/* Loads the configuration (opts may be NULL). CE_ENOENT when none is found anywhere,
 * CE_EINVAL/CE_EPARSE/CE_EIO for a bad or unreadable one, CE_EAUTH for an exec or
 * auth-provider user; err says which file and entry. */
int ce_kube_config_load(const struct ce_kube_config_opts *opts, struct ce_kube_config **out,
                        char *err, size_t errlen) CE_MUST_CHECK;
/* The configuration from kubeconfig files (merged as KUBECONFIG lists are: the first file that
 * sets a value wins); context NULL takes current-context. */
int ce_kube_config_from_kubeconfig(const char *const *paths, int n_paths, const char *context,
                                   struct ce_kube_config **out, char *err,
                                   size_t errlen) CE_MUST_CHECK;
/* The in-pod configuration from pod_root (NULL "/") and the environment. CE_ENOENT when not in
 * a pod. */
int ce_kube_config_in_cluster(const char *pod_root, struct ce_kube_config **out, char *err,
                              size_t errlen) CE_MUST_CHECK;
/* Accepts NULL. */
void ce_kube_config_free(struct ce_kube_config *c);

#endif
