/* SPDX-License-Identifier: Apache-2.0 */
/* Applying a build (controller/apply.h). */
#include "controller/apply.h"

#include "controller/build.h"
#include "core/base/log.h"
#include "kube/client.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The kinds a build may hold: the ones whose left-overs are looked for. */
static const struct ce_kube_ref owned_kinds[] = {
    {"v1", "ConfigMap", NULL, NULL},        {"v1", "Secret", NULL, NULL},
    {"v1", "Service", NULL, NULL},          {"apps/v1", "Deployment", NULL, NULL},
    {"apps/v1", "StatefulSet", NULL, NULL},
};
#define OWNED_N (sizeof(owned_kinds) / sizeof(owned_kinds[0]))

static const char *str_at(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(obj, a);
    return json_string_value(b != NULL ? json_object_get(v, b) : v);
}

static int apply_fail(struct ce_ctl_apply_error *e, const char *verb, const char *kind, int rc,
                      const struct ce_kube_error *ke)
{
    snprintf(e->reason, sizeof(e->reason), "%s%sFailed", verb, kind);
    snprintf(e->message, sizeof(e->message), "%s", ke->message);
    ce_log_kv(CE_LOG_ERROR, "Cannot apply an object", "reason", e->reason, "error", ke->message,
              NULL);
    return rc;
}

static const char *hash_of(const json_t *obj)
{
    const json_t *md = json_object_get(obj, "metadata");
    return json_string_value(
        json_object_get(json_object_get(md, "annotations"), CE_CTL_HASH_ANNOTATION));
}

/* The existing object a desired one stands for: by name, or (generateName) the one of its kind
 * the owner's labels select. *out NULL when there is none. */
static int apply_find(struct ce_kube_client *c, const char *ns, const json_t *want,
                      const char *selector, json_t **out, struct ce_kube_error *ke)
{
    const char *kind = str_at(want, "kind", NULL);
    struct ce_kube_ref ref = {str_at(want, "apiVersion", NULL), kind, ns,
                              str_at(want, "metadata", "name")};
    *out = NULL;
    if (ref.name != NULL) {
        int rc = ce_kube_get(c, &ref, out, ke);
        return rc == CE_ENOENT ? CE_OK : rc;
    }
    json_t *list = NULL;
    int rc = ce_kube_list(c, &ref, selector, NULL, &list, ke);
    if (rc == CE_OK) {
        json_t *first = json_array_get(json_object_get(list, "items"), 0);
        *out = json_incref(first);
    }
    json_decref(list);
    return rc;
}

/* Writes want over have (same name, have's resourceVersion: a conditional write). */
static int apply_update(struct ce_kube_client *c, const char *ns, const json_t *want,
                        const json_t *have, struct ce_kube_error *ke)
{
    json_t *obj = json_deep_copy(want);
    json_t *md = json_object_get(obj, "metadata");
    json_object_del(md, "generateName");
    json_object_set_new(md, "name", json_string(str_at(have, "metadata", "name")));
    json_object_set_new(md, "resourceVersion",
                        json_string(str_at(have, "metadata", "resourceVersion")));
    int rc = ce_kube_update(c, obj, ns, NULL, ke);
    json_decref(obj);
    return rc;
}

static int apply_delete_one(struct ce_kube_client *c, const char *ns, const json_t *obj,
                            struct ce_kube_error *ke)
{
    struct ce_kube_ref ref = {str_at(obj, "apiVersion", NULL), str_at(obj, "kind", NULL), ns,
                              str_at(obj, "metadata", "name")};
    int rc = ce_kube_delete(c, &ref, NULL, ke);
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Deleted an object", "kind", ref.kind, "name", ref.name, NULL);
    }
    return rc == CE_ENOENT ? CE_OK : rc;
}

static int apply_create(struct ce_kube_client *c, const char *ns, const json_t *want, json_t **made,
                        struct ce_kube_error *ke)
{
    int rc = ce_kube_create(c, want, ns, made, ke);
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Created an object", "kind", str_at(want, "kind", NULL), "name",
                  str_at(*made, "metadata", "name"), NULL);
    }
    return rc;
}

/* Applies one {object, mode}; *kept is the name the object has in the cluster afterwards. */
static int apply_one(struct ce_kube_client *c, const char *ns, const json_t *entry,
                     const char *selector, json_t *kept, struct ce_ctl_apply_error *e)
{
    const json_t *want = json_object_get(entry, "object");
    int mode = (int)json_integer_value(json_object_get(entry, "mode"));
    const char *kind = str_at(want, "kind", NULL);
    json_t *have = NULL, *made = NULL;
    struct ce_kube_error ke = {0};
    int rc = apply_find(c, ns, want, selector, &have, &ke);
    if (rc != CE_OK) {
        return apply_fail(e, "Get", kind, rc, &ke);
    }
    const char *verb = "Create";
    if (have != NULL && mode != CE_CTL_APPLY_CREATE_ONLY) {
        const char *hh = hash_of(have), *wh = hash_of(want);
        if (hh == NULL || wh == NULL || strcmp(hh, wh) != 0) {
            verb = mode == CE_CTL_APPLY_RECREATE ? "Recreate" : "Update";
            rc = mode == CE_CTL_APPLY_RECREATE ? apply_delete_one(c, ns, have, &ke)
                                               : apply_update(c, ns, want, have, &ke);
            if (rc == CE_OK && mode == CE_CTL_APPLY_RECREATE) {
                json_decref(have);
                have = NULL;
            }
            else if (rc == CE_OK) {
                ce_log_kv(CE_LOG_INFO, "Updated an object", "kind", kind, "name",
                          str_at(have, "metadata", "name"), NULL);
            }
        }
    }
    if (rc == CE_OK && have == NULL) {
        rc = apply_create(c, ns, want, &made, &ke);
    }
    const json_t *now = have != NULL ? have : made;
    if (rc == CE_OK) {
        json_array_append_new(
            kept, json_pack("{s:s, s:s}", "kind", kind, "name", str_at(now, "metadata", "name")));
    }
    json_decref(have);
    json_decref(made);
    return rc == CE_OK ? CE_OK : apply_fail(e, verb, kind, rc, &ke);
}

static bool apply_is_kept(const json_t *kept, const char *kind, const char *name)
{
    size_t i;
    const json_t *k;
    json_array_foreach(kept, i, k)
    {
        if (strcmp(str_at(k, "kind", NULL), kind) == 0 &&
            strcmp(str_at(k, "name", NULL), name) == 0) {
            return true;
        }
    }
    return false;
}

/* Deletes what the owner's labels select in one kind that kept does not name (kept NULL:
 * everything). */
static int apply_prune_kind(struct ce_kube_client *c, const char *ns, const struct ce_kube_ref *k,
                            const char *selector, const json_t *kept, struct ce_ctl_apply_error *e)
{
    struct ce_kube_ref ref = {k->api_version, k->kind, ns, NULL};
    json_t *list = NULL;
    struct ce_kube_error ke = {0};
    int rc = ce_kube_list(c, &ref, selector, NULL, &list, &ke);
    if (rc == CE_ENOENT) {
        return CE_OK; /* the server does not serve the kind: nothing of it was made */
    }
    if (rc != CE_OK) {
        return apply_fail(e, "List", k->kind, rc, &ke);
    }
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item)
    {
        const char *name = str_at(item, "metadata", "name");
        if (rc == CE_OK && name != NULL && (kept == NULL || !apply_is_kept(kept, k->kind, name))) {
            json_object_set_new(item, "apiVersion", json_string(k->api_version));
            json_object_set_new(item, "kind", json_string(k->kind));
            rc = apply_delete_one(c, ns, item, &ke);
        }
    }
    json_decref(list);
    return rc == CE_OK ? CE_OK : apply_fail(e, "Delete", k->kind, rc, &ke);
}

int ce_ctl_apply(struct ce_kube_client *c, const char *ns, const json_t *objects,
                 const char *owner_selector, struct ce_ctl_apply_error *e)
{
    json_t *kept = json_array();
    int rc = CE_OK;
    for (size_t i = 0; rc == CE_OK && i < json_array_size(objects); i++) {
        rc = apply_one(c, ns, json_array_get(objects, i), owner_selector, kept, e);
    }
    for (size_t i = 0; rc == CE_OK && i < OWNED_N; i++) {
        rc = apply_prune_kind(c, ns, &owned_kinds[i], owner_selector, kept, e);
    }
    json_decref(kept);
    return rc;
}

int ce_ctl_apply_delete_all(struct ce_kube_client *c, const char *ns, const char *owner_selector,
                            struct ce_ctl_apply_error *e)
{
    static const struct ce_kube_ref pvc = {"v1", "PersistentVolumeClaim", NULL, NULL};
    int rc = CE_OK;
    for (size_t i = 0; rc == CE_OK && i < OWNED_N; i++) {
        rc = apply_prune_kind(c, ns, &owned_kinds[i], owner_selector, NULL, e);
    }
    return rc == CE_OK ? apply_prune_kind(c, ns, &pvc, owner_selector, NULL, e) : rc;
}
