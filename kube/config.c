/* SPDX-License-Identifier: Apache-2.0 */
/* Finding the API server: kubeconfig files and the in-pod service account (config.h). */
#include "kube/config.h"

#include "core/base/base64.h"
#include "core/base/file.h"
#include "core/base/mem.h"
#include "kube/kube_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KUBE_MAX_FILES 16 /* KUBECONFIG entries */

/* One parsed kubeconfig and the directory its relative paths are taken from. */
struct kc_doc {
    json_t *root;
    char *dir;
    const char *path;
};

void ce_kube_config_free(struct ce_kube_config *c)
{
    if (c == NULL) {
        return;
    }
    ce_free(c->server);
    ce_free(c->ns);
    ce_free(c->token);
    ce_free(c->token_file);
    ce_free(c->ca.data);
    ce_free(c->cert.data);
    ce_free(c->key.data);
    ce_free(c->source);
    ce_free(c->context);
    ce_free(c->proxy);
    ce_free(c);
}

static char *kc_join(const char *dir, const char *path)
{
    if (path[0] == '/' || dir == NULL || dir[0] == '\0') {
        return ce_xstrdup(path);
    }
    return ce_xasprintf("%s/%s", dir, path);
}

static int kc_read(const char *path, char **out, size_t *len, const char *what, char *err,
                   size_t errlen)
{
    int e = 0;
    int rc = ce_file_read(path, CE_KUBE_CONFIG_MAX_BYTES, out, len, &e);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "%s: cannot read %s: %s", what, path,
                          e ? strerror(e) : ce_rc_str(rc));
    }
    return CE_OK;
}

static const char *kc_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && s[0] ? s : NULL;
}

/* A PEM from key_data (base64) or key_file (a path); nothing when neither is set. */
static int kc_pem(const json_t *o, const char *key_file, const char *key_data, const char *dir,
                  const char *what, struct ce_kube_pem *pem, char *err, size_t errlen)
{
    const char *data = kc_str(o, key_data);
    const char *file = kc_str(o, key_file);
    if (data != NULL) {
        size_t n = strlen(data);
        pem->data = ce_xmalloc(ce_base64_decoded_max(n) + 1);
        if (ce_base64_decode(data, n, (unsigned char *)pem->data, &pem->len) != -1) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "%s: %s is not valid base64", what, key_data);
        }
        pem->data[pem->len] = '\0';
        return CE_OK;
    }
    if (file != NULL) {
        char *p = kc_join(dir, file);
        int rc = kc_read(p, &pem->data, &pem->len, what, err, errlen);
        ce_free(p);
        return rc;
    }
    return CE_OK;
}

/* The inner object of the first entry called name in list (clusters, users, contexts), across
 * the files in order; *from is the file that defined it. */
static const json_t *kc_find(const struct kc_doc *docs, int n, const char *list, const char *inner,
                             const char *name, const struct kc_doc **from)
{
    for (int i = 0; i < n; i++) {
        size_t k;
        json_t *entry;
        json_array_foreach(json_object_get(docs[i].root, list), k, entry)
        {
            const char *nm = kc_str(entry, "name");
            if (nm != NULL && strcmp(nm, name) == 0) {
                *from = &docs[i];
                const json_t *in = json_object_get(entry, inner);
                return json_is_object(in) ? in : NULL;
            }
        }
    }
    return NULL;
}

static int kc_user(const struct kc_doc *docs, int n, const char *name, struct ce_kube_config *c,
                   char *err, size_t errlen)
{
    const struct kc_doc *d = NULL;
    const json_t *u = kc_find(docs, n, "users", "user", name, &d);
    if (u == NULL) {
        return d ? CE_OK : ce_rc_fail(CE_EINVAL, err, errlen, "kubeconfig: no user \"%s\"", name);
    }
    if (json_object_get(u, "exec") != NULL || json_object_get(u, "auth-provider") != NULL) {
        const char *what = json_object_get(u, "exec") ? "exec" : "auth-provider";
        return ce_rc_fail(CE_EAUTH, err, errlen,
                          "%s: user \"%s\" authenticates with an %s entry: credential plugins "
                          "are not supported (use a token, a token file or a client "
                          "certificate)",
                          d->path, name, what);
    }
    if (kc_str(u, "username") != NULL || kc_str(u, "password") != NULL) {
        return ce_rc_fail(CE_EAUTH, err, errlen,
                          "%s: user \"%s\": username/password (basic auth) is not supported",
                          d->path, name);
    }
    if (kc_str(u, "token") != NULL) {
        c->token = ce_xstrdup(kc_str(u, "token"));
    }
    else if (kc_str(u, "tokenFile") != NULL) {
        c->token_file = kc_join(d->dir, kc_str(u, "tokenFile"));
    }
    int rc = kc_pem(u, "client-certificate", "client-certificate-data", d->dir, d->path, &c->cert,
                    err, errlen);
    if (rc == CE_OK) {
        rc = kc_pem(u, "client-key", "client-key-data", d->dir, d->path, &c->key, err, errlen);
    }
    if (rc == CE_OK && (c->cert.data == NULL) != (c->key.data == NULL)) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen,
                        "%s: user \"%s\" has a client certificate without its key or a key "
                        "without its certificate",
                        d->path, name);
    }
    return rc;
}

static int kc_cluster(const struct kc_doc *docs, int n, const char *name, struct ce_kube_config *c,
                      char *err, size_t errlen)
{
    const struct kc_doc *d = NULL;
    const json_t *cl = kc_find(docs, n, "clusters", "cluster", name, &d);
    if (cl == NULL || kc_str(cl, "server") == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "kubeconfig: cluster \"%s\" %s", name,
                          cl ? "has no server" : "is not defined");
    }
    const char *server = kc_str(cl, "server");
    size_t len = strlen(server);
    while (len > 0 && server[len - 1] == '/') {
        len--;
    }
    c->server = ce_xstrndup(server, len);
    c->insecure = json_is_true(json_object_get(cl, "insecure-skip-tls-verify"));
    if (kc_str(cl, "proxy-url") != NULL) {
        c->proxy = ce_xstrdup(kc_str(cl, "proxy-url"));
    }
    return kc_pem(cl, "certificate-authority", "certificate-authority-data", d->dir, d->path,
                  &c->ca, err, errlen);
}

static int kc_resolve(const struct kc_doc *docs, int n, const char *context,
                      struct ce_kube_config *c, char *err, size_t errlen)
{
    const char *ctx_name = context;
    for (int i = 0; i < n && ctx_name == NULL; i++) {
        ctx_name = kc_str(docs[i].root, "current-context");
    }
    if (ctx_name == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: no current-context is set",
                          n ? docs[0].path : "kubeconfig");
    }
    const struct kc_doc *d = NULL;
    const json_t *ctx = kc_find(docs, n, "contexts", "context", ctx_name, &d);
    if (ctx == NULL || kc_str(ctx, "cluster") == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "kubeconfig: context \"%s\" %s", ctx_name,
                          ctx ? "names no cluster" : "is not defined");
    }
    c->context = ce_xstrdup(ctx_name);
    c->ns = ce_xstrdup(kc_str(ctx, "namespace") ? kc_str(ctx, "namespace") : "default");
    int rc = kc_cluster(docs, n, kc_str(ctx, "cluster"), c, err, errlen);
    if (rc == CE_OK && kc_str(ctx, "user") != NULL) {
        rc = kc_user(docs, n, kc_str(ctx, "user"), c, err, errlen);
    }
    return rc;
}

static int kc_load_doc(const char *path, struct kc_doc *d, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int rc = kc_read(path, &text, &len, "kubeconfig", err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    char why[256];
    d->root = ce_kube_yaml_load(text, len, why, sizeof(why));
    ce_free(text);
    if (d->root == NULL || !json_is_object(d->root)) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "%s: not a kubeconfig: %s", path,
                          d->root ? "not a mapping" : why);
    }
    const char *slash = strrchr(path, '/');
    d->dir = slash ? ce_xstrndup(path, (size_t)(slash - path)) : ce_xstrdup(".");
    d->path = path;
    return CE_OK;
}

int ce_kube_config_from_kubeconfig(const char *const *paths, int n_paths, const char *context,
                                   struct ce_kube_config **out, char *err, size_t errlen)
{
    *out = NULL;
    if (n_paths < 1 || n_paths > KUBE_MAX_FILES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "kubeconfig: 1 to %d files, not %d",
                          KUBE_MAX_FILES, n_paths);
    }
    struct kc_doc docs[KUBE_MAX_FILES];
    memset(docs, 0, sizeof(docs));
    int rc = CE_OK;
    for (int i = 0; i < n_paths && rc == CE_OK; i++) {
        rc = kc_load_doc(paths[i], &docs[i], err, errlen);
    }
    struct ce_kube_config *c = ce_xcalloc(1, sizeof(*c));
    if (rc == CE_OK) {
        rc = kc_resolve(docs, n_paths, context, c, err, errlen);
    }
    for (int i = 0; i < n_paths; i++) {
        json_decref(docs[i].root);
        ce_free(docs[i].dir);
    }
    if (rc != CE_OK) {
        ce_kube_config_free(c);
        return rc;
    }
    c->source = ce_xstrdup(paths[0]);
    *out = c;
    return CE_OK;
}

/* ---- in a pod ---- */

static char *pod_file(const char *root, const char *name)
{
    const char *r = root && root[0] ? root : "/";
    size_t n = strlen(r);
    return ce_xasprintf("%s%s%s/%s", r, r[n - 1] == '/' ? "" : "/", CE_KUBE_POD_SA_DIR, name);
}

/* host:port as a URL: an IPv6 address is put in brackets. */
static char *pod_server(const char *host, const char *port)
{
    bool v6 = strchr(host, ':') != NULL;
    return ce_xasprintf("https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

int ce_kube_config_in_cluster(const char *pod_root, struct ce_kube_config **out, char *err,
                              size_t errlen)
{
    *out = NULL;
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    char *token_path = pod_file(pod_root, "token");
    if (host == NULL || port == NULL || !host[0] || !port[0] || access(token_path, F_OK) != 0) {
        ce_free(token_path);
        return ce_rc_fail(CE_ENOENT, err, errlen, "not in a pod");
    }
    struct ce_kube_config *c = ce_xcalloc(1, sizeof(*c));
    c->server = pod_server(host, port);
    c->token_file = token_path;
    c->source = ce_xstrdup("in-cluster");
    char *ca = pod_file(pod_root, "ca.crt");
    int rc = kc_read(ca, &c->ca.data, &c->ca.len, "service account", err, errlen);
    ce_free(ca);
    char *nsf = pod_file(pod_root, "namespace");
    char *ns = NULL;
    size_t len = 0;
    if (ce_file_read(nsf, 4096, &ns, &len, NULL) == CE_OK) {
        while (len > 0 && (ns[len - 1] == '\n' || ns[len - 1] == ' ')) {
            ns[--len] = '\0';
        }
    }
    ce_free(nsf);
    c->ns = ns && ns[0] ? ns : ce_xstrdup("default");
    if (ns && !ns[0]) {
        ce_free(ns);
    }
    if (rc != CE_OK) {
        ce_kube_config_free(c);
        return rc;
    }
    *out = c;
    return CE_OK;
}

/* ---- the order ---- */

static int load_env_list(const char *list, const char *context, struct ce_kube_config **out,
                         char *err, size_t errlen)
{
    char *copy = ce_xstrdup(list);
    const char *paths[KUBE_MAX_FILES];
    int n = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p && n < KUBE_MAX_FILES;
         p = strtok_r(NULL, ":", &save)) {
        if (access(p, F_OK) == 0) { /* missing entries are skipped, as kubectl does */
            paths[n++] = p;
        }
    }
    int rc = n ? ce_kube_config_from_kubeconfig(paths, n, context, out, err, errlen)
               : ce_rc_fail(CE_ENOENT, err, errlen, "KUBECONFIG names no file that exists");
    ce_free(copy);
    return rc;
}

int ce_kube_config_load(const struct ce_kube_config_opts *opts, struct ce_kube_config **out,
                        char *err, size_t errlen)
{
    struct ce_kube_config_opts none = {0};
    const struct ce_kube_config_opts *o = opts ? opts : &none;
    *out = NULL;
    if (o->kubeconfig != NULL && o->kubeconfig[0]) {
        const char *p = o->kubeconfig;
        return ce_kube_config_from_kubeconfig(&p, 1, o->context, out, err, errlen);
    }
    const char *env = getenv("KUBECONFIG");
    if (env != NULL && env[0]) {
        return load_env_list(env, o->context, out, err, errlen);
    }
    int rc = ce_kube_config_in_cluster(o->pod_root, out, err, errlen);
    if (rc != CE_ENOENT) {
        return rc;
    }
    const char *home = o->home ? o->home : getenv("HOME");
    char *p = ce_xasprintf("%s/.kube/config", home ? home : "");
    if (home == NULL || access(p, F_OK) != 0) {
        ce_free(p);
        return ce_rc_fail(CE_ENOENT, err, errlen,
                          "no Kubernetes configuration: not in a pod, no --kubeconfig, no "
                          "KUBECONFIG and no ~/.kube/config");
    }
    const char *cp = p;
    rc = ce_kube_config_from_kubeconfig(&cp, 1, o->context, out, err, errlen);
    ce_free(p);
    return rc;
}
