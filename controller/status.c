/* SPDX-License-Identifier: Apache-2.0 */
/* Writing status (controller/status.h). */
#include "controller/status.h"

#include "core/base/log.h"
#include "core/base/mem.h"
#include "kube/client.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ce_ctl_condition(json_t *conds, const char *type, const char *status, const char *reason,
                      const char *message)
{
    /* Empty reason and message are left out, as Argo's status leaves them. */
    json_t *c = json_pack("{s:s, s:s}", "type", type, "status", status);
    if (reason != NULL && reason[0]) {
        json_object_set_new(c, "reason", json_string(reason));
    }
    if (message != NULL && message[0]) {
        json_object_set_new(c, "message", json_string(message));
    }
    json_array_append_new(conds, c);
}

static const char *cond_str(const json_t *c, const char *key)
{
    const char *s = json_string_value(json_object_get(c, key));
    return s != NULL ? s : "";
}

static const json_t *cond_find(const json_t *conds, const char *type)
{
    size_t i;
    const json_t *c;
    json_array_foreach(conds, i, c)
    {
        if (strcmp(cond_str(c, "type"), type) == 0) {
            return c;
        }
    }
    return NULL;
}

/* Argo's status leaves an empty reason or message out. */
static void cond_drop_empty(json_t *c, const char *key)
{
    const char *v = json_string_value(json_object_get(c, key));
    if (v != NULL && v[0] == '\0') {
        json_object_del(c, key);
    }
}

static int cond_cmp(const void *a, const void *b)
{
    return strcmp(cond_str(*(json_t *const *)a, "type"), cond_str(*(json_t *const *)b, "type"));
}

/* The new conditions, sorted by type, each keeping its lastTransitionTime when its status did
 * not change. *changed tells whether anything but the times differs from old. */
static json_t *cond_merge(const json_t *old, const json_t *conds, bool *changed)
{
    size_t n = json_array_size(conds);
    json_t **v = ce_xcalloc(n ? n : 1, sizeof(*v));
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    *changed = n != json_array_size(old);
    for (size_t i = 0; i < n; i++) {
        const json_t *c = json_array_get(conds, i);
        const json_t *was = cond_find(old, cond_str(c, "type"));
        bool same_status =
            was != NULL && strcmp(cond_str(was, "status"), cond_str(c, "status")) == 0;
        *changed = *changed || !same_status ||
                   strcmp(cond_str(was, "reason"), cond_str(c, "reason")) != 0 ||
                   strcmp(cond_str(was, "message"), cond_str(c, "message")) != 0;
        v[i] = json_deep_copy(c);
        cond_drop_empty(v[i], "reason");
        cond_drop_empty(v[i], "message");
        const char *since = same_status ? cond_str(was, "lastTransitionTime") : "";
        json_object_set_new(v[i], "lastTransitionTime", json_string(since[0] ? since : now));
    }
    qsort(v, n, sizeof(*v), cond_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out, v[i]);
    }
    ce_free(v);
    return out;
}

int ce_ctl_status_write(struct ce_kube_client *c, const json_t *obj, const json_t *conds,
                        const json_t *config)
{
    const json_t *status = json_object_get(obj, "status");
    bool changed = false;
    json_t *merged = cond_merge(json_object_get(status, "conditions"), conds, &changed);
    json_t *body = json_pack("{s:o}", "conditions", merged);
    if (config != NULL) {
        const json_t *was = json_object_get(status, "config");
        changed = changed || !json_equal(was != NULL ? was : json_null(), config);
        json_object_set(body, "config", (json_t *)config);
    }
    int rc = CE_OK;
    if (changed) {
        const json_t *md = json_object_get(obj, "metadata");
        struct ce_kube_ref ref = {json_string_value(json_object_get(obj, "apiVersion")),
                                  json_string_value(json_object_get(obj, "kind")),
                                  json_string_value(json_object_get(md, "namespace")),
                                  json_string_value(json_object_get(md, "name"))};
        json_t *patch = json_pack("{s:O}", "status", body);
        struct ce_kube_error e = {0};
        rc = ce_kube_patch_subresource(c, &ref, "status", CE_KUBE_PATCH_MERGE, patch, NULL, NULL,
                                       &e);
        if (rc != CE_OK && rc != CE_ENOENT) {
            ce_log_kv(CE_LOG_WARN, "Cannot write the status", "kind", ref.kind, "name", ref.name,
                      "error", e.message, NULL);
        }
        rc = rc == CE_ENOENT ? CE_OK : rc;
        json_decref(patch);
    }
    json_decref(body);
    return rc;
}
