/* SPDX-License-Identifier: Apache-2.0 */
/* get, list, create, update, patch and delete: a path from discovery, one request, the
 * answer as an object or a clear error (client.h). */
#include "core/base/mem.h"
#include "kube/kube_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    enum ce_kube_patch_type type;
    const char *short_name;
    const char *ctype;
} PATCH_TYPES[] = {
    {CE_KUBE_PATCH_MERGE, "merge", "application/merge-patch+json"},
    {CE_KUBE_PATCH_JSON, "json", "application/json-patch+json"},
    {CE_KUBE_PATCH_STRATEGIC, "strategic", "application/strategic-merge-patch+json"},
    {CE_KUBE_PATCH_APPLY, "apply", "application/apply-patch+yaml"},
};
#define N_PATCH_TYPES (sizeof(PATCH_TYPES) / sizeof(PATCH_TYPES[0]))

int ce_kube_patch_type_parse(const char *s, enum ce_kube_patch_type *out)
{
    for (size_t i = 0; s != NULL && i < N_PATCH_TYPES; i++) {
        if (strcmp(s, PATCH_TYPES[i].short_name) == 0 || strcmp(s, PATCH_TYPES[i].ctype) == 0) {
            *out = PATCH_TYPES[i].type;
            return CE_OK;
        }
    }
    return CE_EINVAL;
}

const char *ce_kube_patch_content_type(enum ce_kube_patch_type t)
{
    for (size_t i = 0; i < N_PATCH_TYPES; i++) {
        if (PATCH_TYPES[i].type == t) {
            return PATCH_TYPES[i].ctype;
        }
    }
    return PATCH_TYPES[0].ctype;
}

/* One request with an optional JSON body; *out (may be NULL) is the decoded answer. */
static int kube_call(struct ce_kube_client *c, const char *method, const char *path,
                     const char *ctype, const json_t *body, json_t **out, struct ce_kube_error *e)
{
    if (out != NULL) {
        *out = NULL;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct kube_req q = {.method = method,
                         .path = path,
                         .ctype = ctype,
                         .body = text,
                         .len = text ? strlen(text) : 0};
    struct kube_resp resp;
    char what[256];
    snprintf(what, sizeof(what), "%s %s", method, path);
    int rc = kube_send(c, &q, &resp, e);
    free(text); /* jansson's allocation */
    if (rc == CE_OK) {
        rc = kube_resp_outcome(&resp, what, e);
    }
    if (rc == CE_OK && out != NULL) {
        *out = json_loadb(resp.body.data ? resp.body.data : "", resp.body.len, 0, NULL);
        if (*out == NULL) {
            rc = kube_fail(e, CE_EREMOTE, (int)resp.status, NULL, "%s: the answer is not JSON",
                           what);
        }
    }
    ce_buf_fini(&resp.body);
    return rc;
}

int ce_kube_get(struct ce_kube_client *c, const struct ce_kube_ref *ref, json_t **out,
                struct ce_kube_error *e)
{
    char *path = NULL;
    int rc = kube_path(c, ref, true, NULL, &path, NULL, e);
    if (rc == CE_OK) {
        rc = kube_call(c, "GET", path, NULL, NULL, out, e);
    }
    ce_free(path);
    return rc;
}

/* path + "?k=v&..." for the non-NULL values (escaped). Heap. */
static char *with_query(const char *path, const char *const *kv, int n)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_buf_puts(&b, path);
    char sep = '?';
    for (int i = 0; i + 1 < n; i += 2) {
        if (kv[i + 1] == NULL || kv[i + 1][0] == '\0') {
            continue;
        }
        char *v = curl_easy_escape(NULL, kv[i + 1], 0);
        rc |= ce_buf_printf(&b, "%c%s=%s", sep, kv[i], v ? v : "");
        curl_free(v);
        sep = '&';
    }
    (void)rc; /* the buffer has no cap */
    return ce_buf_steal(&b, NULL);
}

int ce_kube_list(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                 const char *label_selector, const char *field_selector, json_t **out,
                 struct ce_kube_error *e)
{
    char *path = NULL;
    int rc = kube_path(c, ref, false, NULL, &path, NULL, e);
    if (rc == CE_OK) {
        const char *kv[] = {"labelSelector", label_selector, "fieldSelector", field_selector};
        char *full = with_query(path, kv, 4);
        rc = kube_call(c, "GET", full, NULL, NULL, out, e);
        ce_free(full);
    }
    ce_free(path);
    return rc;
}

/* The ref of obj: its apiVersion, kind, namespace (else ns) and name. */
static int obj_ref(const json_t *obj, const char *ns, struct ce_kube_ref *ref,
                   struct ce_kube_error *e)
{
    const json_t *md = json_object_get(obj, "metadata");
    ref->api_version = json_string_value(json_object_get(obj, "apiVersion"));
    ref->kind = json_string_value(json_object_get(obj, "kind"));
    ref->name = json_string_value(json_object_get(md, "name"));
    const char *ons = json_string_value(json_object_get(md, "namespace"));
    ref->ns = ons && ons[0] ? ons : ns;
    if (!json_is_object(obj) || ref->api_version == NULL || ref->kind == NULL) {
        return kube_fail(e, CE_EINVAL, 0, NULL, "the object has no apiVersion or kind");
    }
    return CE_OK;
}

int ce_kube_create(struct ce_kube_client *c, const json_t *obj, const char *ns, json_t **out,
                   struct ce_kube_error *e)
{
    struct ce_kube_ref ref;
    int rc = obj_ref(obj, ns, &ref, e);
    const json_t *md = json_object_get(obj, "metadata");
    if (rc == CE_OK && (ref.name == NULL || ref.name[0] == '\0') &&
        json_string_length(json_object_get(md, "generateName")) == 0) {
        rc = kube_fail(e, CE_EINVAL, 0, NULL,
                       "a %s to create needs metadata.name or "
                       "metadata.generateName",
                       ref.kind);
    }
    char *path = NULL;
    if (rc == CE_OK) {
        rc = kube_path(c, &ref, false, NULL, &path, NULL, e);
    }
    if (rc == CE_OK) {
        rc = kube_call(c, "POST", path, NULL, obj, out, e);
    }
    ce_free(path);
    return rc;
}

int ce_kube_update(struct ce_kube_client *c, const json_t *obj, const char *ns, json_t **out,
                   struct ce_kube_error *e)
{
    struct ce_kube_ref ref;
    int rc = obj_ref(obj, ns, &ref, e);
    char *path = NULL;
    if (rc == CE_OK) {
        rc = kube_path(c, &ref, true, NULL, &path, NULL, e);
    }
    if (rc == CE_OK) {
        rc = kube_call(c, "PUT", path, NULL, obj, out, e);
    }
    ce_free(path);
    return rc;
}

int ce_kube_patch(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                  enum ce_kube_patch_type type, const json_t *patch, const char *field_manager,
                  json_t **out, struct ce_kube_error *e)
{
    return ce_kube_patch_subresource(c, ref, NULL, type, patch, field_manager, out, e);
}

int ce_kube_patch_subresource(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                              const char *subresource, enum ce_kube_patch_type type,
                              const json_t *patch, const char *field_manager, json_t **out,
                              struct ce_kube_error *e)
{
    if (patch == NULL ||
        (type == CE_KUBE_PATCH_JSON ? !json_is_array(patch) : !json_is_object(patch))) {
        return kube_fail(e, CE_EINVAL, 0, NULL, "a %s patch must be a JSON %s",
                         ce_kube_patch_content_type(type),
                         type == CE_KUBE_PATCH_JSON ? "array" : "object");
    }
    char *path = NULL;
    int rc = kube_path(c, ref, true, subresource, &path, NULL, e);
    if (rc == CE_OK) {
        const char *kv[] = {"fieldManager", field_manager ? field_manager : "cevents", "force",
                            type == CE_KUBE_PATCH_APPLY ? "true" : NULL};
        char *full = with_query(path, kv, 4);
        rc = kube_call(c, "PATCH", full, ce_kube_patch_content_type(type), patch, out, e);
        ce_free(full);
    }
    ce_free(path);
    return rc;
}

int ce_kube_delete(struct ce_kube_client *c, const struct ce_kube_ref *ref, const char *propagation,
                   struct ce_kube_error *e)
{
    char *path = NULL;
    int rc = kube_path(c, ref, true, NULL, &path, NULL, e);
    if (rc == CE_OK) {
        json_t *opts =
            json_pack("{s:s}", "propagationPolicy", propagation ? propagation : "Background");
        rc = kube_call(c, "DELETE", path, NULL, opts, NULL, e);
        json_decref(opts);
    }
    ce_free(path);
    return rc;
}
