/* SPDX-License-Identifier: Apache-2.0 */
/* An object's spec checked by the decoder `cevents lint` uses, so `kubectl get -o yaml` shows
 * the same messages, file-less: `spec.webhook.example.port: <message>`. */
#include "controller/build_int.h"
#include "controller/status.h"

#include "core/base/buf.h"
#include "core/base/mem.h"
#include "manifest/diag.h"
#include "manifest/model.h"

#include <stdlib.h>
#include <string.h>

/* The most a condition message holds; the rest is counted, not listed. */
#define LINT_MESSAGE_MAX 4096

/* The part of obj the processes read: what lint decodes. */
static char *lint_text(const json_t *obj, const char *kind)
{
    const json_t *md = json_object_get(obj, "metadata");
    json_t *doc =
        json_pack("{s:s, s:s, s:{s:O?, s:O?}, s:O?}", "apiVersion", "argoproj.io/v1alpha1", "kind",
                  kind, "metadata", "name", json_object_get(md, "name"), "namespace",
                  json_object_get(md, "namespace"), "spec", json_object_get(obj, "spec"));
    if (doc == NULL) {
        return NULL;
    }
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(doc);
    return text;
}

/* Joins the errors whose path is (want 1) or is not (want 0) under spec.triggers, or all
 * (want -1); NULL when there is none. */
static char *lint_message(const struct ce_diag *diag, int want)
{
    struct ce_buf b;
    ce_buf_init(&b, LINT_MESSAGE_MAX);
    int listed = 0, left = 0;
    for (int i = 0; i < diag->n; i++) {
        const struct ce_diag_item *it = &diag->items[i];
        bool trig = strncmp(it->path, "spec.triggers", 13) == 0;
        if (it->severity != CE_DIAG_ERROR || (want >= 0 && trig != (want == 1))) {
            continue;
        }
        if (ce_buf_printf(&b, "%s%s%s%s", listed > 0 ? "; " : "", it->path, it->path[0] ? ": " : "",
                          it->msg) == CE_OK) {
            listed++;
        }
        else {
            left++;
        }
    }
    if (listed + left == 0) {
        ce_buf_fini(&b);
        return NULL;
    }
    char *msg = ce_buf_steal(&b, NULL);
    if (left > 0) {
        char *more =
            ce_xasprintf("%s%s(and %d more)", msg ? msg : "", listed > 0 ? "; " : "", left);
        ce_free(msg);
        msg = more;
    }
    return msg;
}

static int lint_add(json_t *conditions, const char *type, const char *reason, char *message)
{
    ce_ctl_condition(conditions, type, message == NULL ? "True" : "False", message ? reason : "",
                     message);
    ce_free(message);
    return CE_OK;
}

static int lint_conditions(const struct ce_diag *diag, const char *kind, json_t *conditions)
{
    if (strcmp(kind, "Sensor") != 0) {
        return lint_add(conditions, "SourcesProvided", "InvalidEventSource",
                        lint_message(diag, -1));
    }
    int rc =
        lint_add(conditions, "DependenciesProvided", "InvalidDependencies", lint_message(diag, 0));
    if (rc == CE_OK) {
        rc = lint_add(conditions, "TriggersProvided", "InvalidTriggers", lint_message(diag, 1));
    }
    return rc;
}

int ce_ctl_lint(const struct ce_ctl_env *env, const json_t *obj, const char *kind,
                struct ce_manifest_set **set, json_t *conditions)
{
    *set = NULL;
    char *text = lint_text(obj, kind);
    if (text == NULL) {
        return CE_EIO;
    }
    struct ce_manifest_set *s = NULL;
    struct ce_diag diag;
    ce_diag_init(&diag);
    int rc = ce_manifest_set_create(env->plugins, &s);
    if (rc == CE_OK) {
        /* every problem, a parse error too, is in diag */
        int loaded = ce_manifest_load_buf(s, text, strlen(text), kind, false, &diag);
        (void)loaded;
        rc = lint_conditions(&diag, kind, conditions);
    }
    free(text);
    if (rc == CE_OK && ce_diag_errors(&diag) > 0) {
        rc = CE_EINVAL;
    }
    ce_diag_fini(&diag);
    if (rc == CE_OK) {
        *set = s;
    }
    else {
        ce_manifest_set_destroy(s);
    }
    return rc;
}
