/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to controller/: what the EventSource and Sensor builders share (build_workload*.c,
 * lint.c). One struct describes the object being built; each file adds one kind of object. */
#ifndef CE_CONTROLLER_BUILD_INT_H
#define CE_CONTROLLER_BUILD_INT_H

#include "controller/build.h"

#include <jansson.h>
#include <stdbool.h>

struct ce_manifest_set;

/* A ConfigMap holds at most 1 MiB: a bigger manifest is refused before the API server does. */
#define CE_CTL_CONFIGMAP_MAX (1024 * 1024)
/* The pod-template annotation holding the hash of the manifest ConfigMap's data: a changed
 * manifest changes the pod template, so the Deployment rolls its pods. */
#define CE_CTL_MANIFEST_HASH_ANNOTATION "cevents/manifest-hash"
/* Where the processes read the secrets and config maps a spec references (their
 * --secrets-dir / --config-dir defaults). */
#define CE_CTL_SECRETS_DIR "/argo-events/secrets"
#define CE_CTL_CONFIG_DIR "/argo-events/config"
/* The port the processes serve /metrics, /healthz and /readyz on (--metrics-port default). */
#define CE_CTL_METRICS_PORT 7777

/* One EventSource or Sensor being built. */
struct ce_ctl_wl {
    const struct ce_ctl_env *env;
    const json_t *obj;        /* as the API server returns it */
    const json_t *spec;       /* obj.spec (an object after lint) */
    const json_t *bus_config; /* {"jetstream": {url, accessSecret, streamConfig}} */
    const char *kind;         /* "EventSource" / "Sensor" */
    const char *word;         /* "eventsource" / "sensor": subcommand and name suffixes */
    const char *name;
    const char *ns;
    json_t *owner_labels; /* controller, <word>-name, owner-name */
    json_t *labels;       /* the object's own labels, then the owner labels over them */
    /* the secrets and config maps the decoders resolved (ce_manifest_set_refs) */
    const struct ce_manifest_set *set;
};

/* Lints obj ({apiVersion, kind, metadata: {name, namespace}, spec} of it) as `cevents lint`
 * does, not strict. Valid: CE_OK, *set holds the decoded object (the caller destroys it) and the
 * True conditions are appended to conditions. Invalid: CE_EINVAL, *set NULL, False conditions
 * carrying the file-less lint messages. CE_EIO when memory runs out. */
int ce_ctl_lint(const struct ce_ctl_env *env, const json_t *obj, const char *kind,
                struct ce_manifest_set **set, json_t *conditions) CE_MUST_CHECK;

/* metadata of a built object: namespace, name (or generateName when generate), labels and the
 * owner reference (new reference). */
json_t *ce_ctl_wl_meta(const struct ce_ctl_wl *w, const char *name, bool generate, json_t *labels);
/* A Kubernetes volume name (a DNS label) for prefix + name: lowercase, other characters as
 * '-', and a long one shortened with a hash of the whole so two names stay apart. */
void ce_ctl_volume_name(const char *prefix, const char *name, char out[64]);

/* The ConfigMap holding the manifest the pod runs (the object and its EventBus); its data hash
 * goes to data_hash. NULL with the reason in why (whylen bytes) when it would exceed
 * CE_CTL_CONFIGMAP_MAX; NULL with why untouched when memory runs out. */
json_t *ce_ctl_wl_configmap(const struct ce_ctl_wl *w, char data_hash[17], char *why,
                            size_t whylen);
/* The ConfigMap's name and the key the manifest is under (and the -f path). */
void ce_ctl_wl_configmap_name(const struct ce_ctl_wl *w, char *out, size_t n);
void ce_ctl_wl_manifest_key(const struct ce_ctl_wl *w, char *out, size_t n);
/* The Deployment running the pod. NULL when memory runs out. */
json_t *ce_ctl_wl_deployment(const struct ce_ctl_wl *w, const char *data_hash);
/* The pod's volumes and the container's mounts for the manifest, /tmp, and every secret and
 * config map referenced (the spec's and the bus's access secret), sorted by name. */
int ce_ctl_wl_volumes(const struct ce_ctl_wl *w, json_t *volumes, json_t *mounts) CE_MUST_CHECK;
/* The EventSource's Service from spec.service (with ports), or NULL when there is none (*none
 * set) or memory runs out. */
json_t *ce_ctl_wl_service(const struct ce_ctl_wl *w, bool *none);

#endif
