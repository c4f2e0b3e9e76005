/* SPDX-License-Identifier: Apache-2.0 */
/* apiVersion + kind → resource name and scope, from the server's APIResourceList of the
 * group-version (/api/v1, /apis/<group>/<version>): cached per client and fetched again on a
 * miss, so a CRD installed after the first look-up is found. Plurals are never guessed:
 * "EventBus" is "eventbus", and a CRD may name its plural anything. */
#include "core/base/mem.h"
#include "kube/kube_int.h"

#include <stdio.h>
#include <string.h>

/* Splits "group/version" (or "v1") into its parts; CE_EINVAL when either is too long or
 * empty. */
static int disc_split(const char *api_version, char *group, size_t glen, char *version, size_t vlen)
{
    const char *slash = strchr(api_version, '/');
    const char *v = slash ? slash + 1 : api_version;
    size_t gl = slash ? (size_t)(slash - api_version) : 0;
    if (gl >= glen || strlen(v) >= vlen || v[0] == '\0' || strchr(v, '/') != NULL ||
        (slash && gl == 0)) {
        return CE_EINVAL;
    }
    memcpy(group, api_version, gl);
    group[gl] = '\0';
    snprintf(version, vlen, "%s", v);
    return CE_OK;
}

static bool disc_match(const struct ce_kube_resource *r, const char *group, const char *version,
                       const char *kind)
{
    return strcmp(r->group, group) == 0 && strcmp(r->version, version) == 0 &&
           strcmp(r->kind, kind) == 0;
}

static bool disc_lookup(struct ce_kube_client *c, const char *group, const char *version,
                        const char *kind, struct ce_kube_resource *out)
{
    bool found = false;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->n_disc && !found; i++) {
        if (disc_match(&c->disc[i].r, group, version, kind)) {
            *out = c->disc[i].r;
            found = true;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

/* Replaces the cached resources of group/version with those of list. */
static void disc_store(struct ce_kube_client *c, const char *group, const char *version,
                       const json_t *list)
{
    pthread_mutex_lock(&c->lock);
    int kept = 0;
    for (int i = 0; i < c->n_disc; i++) {
        const struct ce_kube_resource *r = &c->disc[i].r;
        if (strcmp(r->group, group) != 0 || strcmp(r->version, version) != 0) {
            c->disc[kept++] = c->disc[i];
        }
    }
    c->n_disc = kept;
    size_t i;
    json_t *res;
    json_array_foreach(json_object_get(list, "resources"), i, res)
    {
        const char *name = json_string_value(json_object_get(res, "name"));
        const char *kind = json_string_value(json_object_get(res, "kind"));
        if (name == NULL || kind == NULL || strchr(name, '/') != NULL ||
            c->n_disc >= KUBE_DISC_MAX) {
            continue; /* a subresource, or the cache is full */
        }
        if (c->disc == NULL) {
            c->disc = ce_xcalloc(KUBE_DISC_MAX, sizeof(*c->disc));
        }
        struct ce_kube_resource *r = &c->disc[c->n_disc++].r;
        snprintf(r->group, sizeof(r->group), "%s", group);
        snprintf(r->version, sizeof(r->version), "%s", version);
        snprintf(r->kind, sizeof(r->kind), "%s", kind);
        snprintf(r->plural, sizeof(r->plural), "%s", name);
        r->namespaced = json_is_true(json_object_get(res, "namespaced"));
    }
    pthread_mutex_unlock(&c->lock);
}

static int disc_fetch(struct ce_kube_client *c, const char *group, const char *version,
                      struct ce_kube_error *e)
{
    char *path =
        group[0] ? ce_xasprintf("/apis/%s/%s", group, version) : ce_xasprintf("/api/%s", version);
    struct kube_req q = {.method = "GET", .path = path};
    struct kube_resp resp;
    int rc = kube_send(c, &q, &resp, e);
    if (rc == CE_OK) {
        rc = kube_resp_outcome(&resp, path, e);
    }
    if (rc == CE_OK) {
        json_t *list = json_loadb(resp.body.data, resp.body.len, 0, NULL);
        if (list == NULL) {
            rc = kube_fail(e, CE_EREMOTE, (int)resp.status, NULL,
                           "GET %s: the discovery document is not JSON", path);
        }
        else {
            disc_store(c, group, version, list);
        }
        json_decref(list);
    }
    else if (rc == CE_ENOENT) {
        kube_fail(e, rc, 404, "NotFound", "the server does not serve %s%s%s", group,
                  group[0] ? "/" : "", version);
    }
    ce_buf_fini(&resp.body);
    ce_free(path);
    return rc;
}

int ce_kube_discover(struct ce_kube_client *c, const char *api_version, const char *kind,
                     struct ce_kube_resource *out, struct ce_kube_error *e)
{
    char group[sizeof(out->group)];
    char version[sizeof(out->version)];
    if (api_version == NULL || kind == NULL || kind[0] == '\0' ||
        disc_split(api_version, group, sizeof(group), version, sizeof(version)) != CE_OK) {
        return kube_fail(e, CE_EINVAL, 0, NULL, "bad apiVersion \"%s\" or kind \"%s\"",
                         api_version ? api_version : "", kind ? kind : "");
    }
    if (disc_lookup(c, group, version, kind, out)) {
        return CE_OK;
    }
    int rc = disc_fetch(c, group, version, e);
    if (rc != CE_OK) {
        return rc;
    }
    if (disc_lookup(c, group, version, kind, out)) {
        return CE_OK;
    }
    return kube_fail(e, CE_ENOENT, 404, "NotFound",
                     "the server doesn't have a resource type for kind \"%s\" in %s", kind,
                     api_version);
}

/* ---- paths ---- */

static char *esc(const char *s)
{
    char *x = curl_easy_escape(NULL, s, 0);
    char *out = ce_xstrdup(x ? x : "");
    curl_free(x);
    return out;
}

int kube_path(struct ce_kube_client *c, const struct ce_kube_ref *ref, bool with_name,
              const char *sub, char **out, struct ce_kube_resource *res, struct ce_kube_error *e)
{
    *out = NULL;
    struct ce_kube_resource local;
    struct ce_kube_resource *r = res ? res : &local;
    int rc = ce_kube_discover(c, ref->api_version, ref->kind, r, e);
    if (rc != CE_OK) {
        return rc;
    }
    if (with_name && (ref->name == NULL || ref->name[0] == '\0')) {
        return kube_fail(e, CE_EINVAL, 0, NULL, "a %s needs a name", ref->kind);
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int brc = r->group[0] ? ce_buf_printf(&b, "/apis/%s/%s", r->group, r->version)
                          : ce_buf_printf(&b, "/api/%s", r->version);
    bool all = ref->ns != NULL && strcmp(ref->ns, CE_KUBE_ALL_NAMESPACES) == 0;
    if (all && with_name) {
        ce_buf_fini(&b);
        return kube_fail(e, CE_EINVAL, 0, NULL, "a %s is in one namespace, not \"%s\"", ref->kind,
                         CE_KUBE_ALL_NAMESPACES);
    }
    if (r->namespaced && !all) {
        char *ns = esc(ref->ns && ref->ns[0] ? ref->ns : c->ns);
        brc |= ce_buf_printf(&b, "/namespaces/%s", ns);
        ce_free(ns);
    }
    brc |= ce_buf_printf(&b, "/%s", r->plural);
    if (with_name) {
        char *n = esc(ref->name);
        brc |= ce_buf_printf(&b, "/%s", n);
        ce_free(n);
        if (sub != NULL) {
            char *sx = esc(sub);
            brc |= ce_buf_printf(&b, "/%s", sx);
            ce_free(sx);
        }
    }
    (void)brc; /* the buffer has no cap */
    *out = ce_buf_steal(&b, NULL);
    return CE_OK;
}
