/* SPDX-License-Identifier: Apache-2.0 */
/* See ops.h. Argo's rules, call for call: update GETs, merges the new object over the stored
 * one as mergo.Merge(WithOverride) does (maps merged key by key, a non-empty new value wins,
 * lists replaced) and PUTs; patch GETs and PATCHes with the whole object; both create when the
 * object is absent; delete GETs first and does nothing when it is absent. */
#include "triggers/k8s/ops.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"

#include <stdio.h>
#include <string.h>

static const char *k8s_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static struct ce_kube_ref k8s_ref(const struct k8s_call *a, const json_t *obj)
{
    struct ce_kube_ref r = {k8s_str(obj, "apiVersion"), k8s_str(obj, "kind"), a->ns,
                            ce_kobj_meta(obj, "name")};
    return r;
}

static int k8s_failed(const struct k8s_call *a, const char *verb, const json_t *obj, int rc,
                      const struct ce_kube_error *e, struct ce_trigger_result *res)
{
    return ce_kaction_fail(a->client, a->who.trigger, verb, obj, a->ns, rc, e, res);
}

int k8s_prepare(struct k8s_call *a, json_t **obj, struct ce_trigger_result *res)
{
    struct ce_kube_resource r;
    struct ce_kube_error e = {0};
    int rc =
        ce_kube_discover(a->client, k8s_str(*obj, "apiVersion"), k8s_str(*obj, "kind"), &r, &e);
    if (rc != CE_OK) {
        return k8s_failed(a, "discover", *obj, rc, &e, res);
    }
    const char *ns = ce_kobj_meta(*obj, "namespace");
    snprintf(a->ns, sizeof a->ns, "%s",
             !r.namespaced  ? ""
             : ns           ? ns
             : a->sensor_ns ? a->sensor_ns
                            : ce_kube_client_namespace(a->client));
    if (!a->cfg->live_object || a->cfg->op != K8S_UPDATE) {
        return CE_OK;
    }
    if (ce_kobj_meta(*obj, "name") == NULL) {
        snprintf(res->err, sizeof res->err,
                 "resource name must be specified for fetching live object");
        return CE_EINVAL;
    }
    struct ce_kube_ref ref = k8s_ref(a, *obj);
    json_t *live = NULL;
    rc = ce_kube_get(a->client, &ref, &live, &e);
    if (rc != CE_OK) {
        return k8s_failed(a, "get", *obj, rc, &e, res);
    }
    json_decref(*obj);
    *obj = live;
    return CE_OK;
}

static bool k8s_empty(const json_t *v)
{
    return v == NULL || json_is_null(v) || json_is_false(v) ||
           (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_integer(v) && json_integer_value(v) == 0) ||
           (json_is_real(v) && json_real_value(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

/* mergo.Merge(dst, src, WithOverride) on unstructured objects. */
static void k8s_merge(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v)) {
            k8s_merge(d, v);
        }
        else if (!k8s_empty(v)) {
            json_object_set(dst, k, v);
        }
    }
}

static int k8s_create(const struct k8s_call *a, json_t *obj, json_t **out,
                      struct ce_trigger_result *res)
{
    struct ce_kube_error e = {0};
    int rc = ce_kaction_create_once(a->client, obj, a->ns, &a->who, out, &e);
    return rc == CE_OK ? CE_OK : k8s_failed(a, "create", obj, rc, &e, res);
}

/* GET before update, patch and delete: *stored is NULL when the object is absent. */
static int k8s_stored(const struct k8s_call *a, const json_t *obj, json_t **stored,
                      struct ce_trigger_result *res)
{
    struct ce_kube_ref ref = k8s_ref(a, obj);
    struct ce_kube_error e = {0};
    *stored = NULL;
    int rc = ce_kube_get(a->client, &ref, stored, &e);
    if (rc == CE_ENOENT) {
        return CE_OK;
    }
    return rc == CE_OK ? CE_OK : k8s_failed(a, "get", obj, rc, &e, res);
}

static int k8s_change(const struct k8s_call *a, json_t *obj, json_t *stored, json_t **out,
                      struct ce_trigger_result *res)
{
    struct ce_kube_error e = {0};
    int rc;
    if (a->cfg->op == K8S_UPDATE) {
        k8s_merge(stored, obj);
        rc = ce_kube_update(a->client, stored, a->ns, out, &e);
        return rc == CE_OK ? CE_OK : k8s_failed(a, "update", stored, rc, &e, res);
    }
    if (a->cfg->op == K8S_PATCH) {
        enum ce_kube_patch_type type = CE_KUBE_PATCH_MERGE;
        if (a->cfg->patch_strategy != NULL &&
            ce_kube_patch_type_parse(a->cfg->patch_strategy, &type) != CE_OK) {
            snprintf(res->err, sizeof res->err, "unknown patch strategy %s",
                     a->cfg->patch_strategy);
            return CE_EINVAL;
        }
        struct ce_kube_ref ref = k8s_ref(a, obj);
        rc = ce_kube_patch(a->client, &ref, type, obj, NULL, out, &e);
        return rc == CE_OK ? CE_OK : k8s_failed(a, "patch", obj, rc, &e, res);
    }
    struct ce_kube_ref ref = k8s_ref(a, obj);
    rc = ce_kube_delete(a->client, &ref, NULL, &e);
    return rc == CE_OK || rc == CE_ENOENT ? CE_OK : k8s_failed(a, "delete", obj, rc, &e, res);
}

int k8s_run(const struct k8s_call *a, json_t *obj, json_t **out, struct ce_trigger_result *res)
{
    *out = NULL;
    if (a->ns[0] != '\0') {
        ce_kobj_set_meta(obj, "namespace", a->ns);
    }
    if (a->cfg->op == K8S_CREATE) {
        ce_kobj_add_labels(obj, a->who.sensor, a->who.trigger, a->now_ms);
        return k8s_create(a, obj, out, res);
    }
    json_t *stored = NULL;
    int rc = k8s_stored(a, obj, &stored, res);
    if (rc == CE_OK && stored == NULL && a->cfg->op != K8S_DELETE) {
        ce_log_kv(CE_LOG_INFO, "object not found, creating the object", "triggerName",
                  a->who.trigger, NULL);
        rc = k8s_create(a, obj, out, res);
    }
    else if (rc == CE_OK && stored == NULL) {
        ce_log_kv(CE_LOG_INFO, "object not found, nothing to delete", "triggerName", a->who.trigger,
                  NULL);
    }
    else if (rc == CE_OK) {
        rc = k8s_change(a, obj, stored, out, res);
    }
    json_decref(stored);
    return rc;
}

void k8s_describe_call(const struct k8s_call *a, json_t *obj, const char *indent,
                       struct ce_buf *out)
{
    const char *name = ce_kobj_meta(obj, "name");
    const char *ns = ce_kobj_meta(obj, "namespace");
    ns = ns ? ns : a->sensor_ns ? a->sensor_ns : "default";
    static const char *const what[] = {
        "create it (POST to its collection; a generateName is completed from the events)",
        "read it (GET), merge this over it and write it back (PUT); create it when absent",
        "read it (GET) and PATCH it with this object; create it when absent",
        "read it (GET) and DELETE it; nothing when absent"};
    if (a->cfg->op == K8S_CREATE) {
        ce_kobj_add_labels(obj, a->who.sensor, a->who.trigger, a->now_ms);
    }
    int w = ce_buf_printf(out, "%swould %s: %s %s %s in namespace %s (unless cluster-scoped)\n",
                          indent, what[a->cfg->op], k8s_str(obj, "apiVersion"),
                          k8s_str(obj, "kind"), name ? name : "", ns);
    (void)w;
    ce_kobj_describe_object(obj, indent, out);
}
