/* SPDX-License-Identifier: Apache-2.0 */
/* The k8s trigger (Argo's StandardK8STrigger) through kube/: the object from `source` (or, for
 * update with liveObject, the stored one), the action's parameters applied, then create (with
 * the three labels), update (GET, deep-merge over the stored object, PUT; create when absent),
 * patch (the whole object as the patch; create when absent) or delete (nothing when absent),
 * then the `policy.k8s` label wait. Unlike Argo, the resource and its scope come from the API
 * server's discovery, not from a guessed plural. trigger->action is borrowed (see
 * argoWorkflow.c). */
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "manifest/model.h"
#include "triggers/k8s/config.h"
#include "triggers/k8s/ops.h"
#include "triggers/kaction_trigger.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>

struct k8s_trigger {
    const struct k8s_config *cfg;
    struct ce_kaction_trigger k; /* names, directories, parameters, policy */
};

static void k8s_destroy(void *state)
{
    struct k8s_trigger *t = state;
    if (t == NULL) {
        return;
    }
    ce_kaction_trigger_fini(&t->k);
    ce_free(t);
}

static int k8s_create_state(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                            const struct ce_trigger_env *env, void **state)
{
    if (trigger->action == NULL) {
        return CE_EINVAL;
    }
    struct k8s_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->cfg = trigger->action;
    int rc = ce_kaction_trigger_init(&t->k, "k8s", sensor, trigger, env);
    if (rc != CE_OK) {
        k8s_destroy(t);
        return rc;
    }
    *state = t;
    return CE_OK;
}

static struct k8s_call k8s_call_of(const struct k8s_trigger *t, struct ce_kube_client *c,
                                   const struct ce_trigger_event *ev, int n)
{
    struct k8s_call a = {
        .client = c,
        .cfg = t->cfg,
        .sensor_ns = t->k.sensor_ns,
        .who = {t->k.sensor, t->k.name, ev, n},
        .now_ms = ce_clock_wall_ms(),
    };
    return a;
}

static int k8s_execute(void *state, const struct ce_trigger_event *events, int n,
                       struct ce_trigger_result *res)
{
    struct k8s_trigger *t = state;
    struct ce_kube_client *client = NULL;
    int rc = ce_kaction_client(t->k.env, &client, res);
    struct k8s_call a = k8s_call_of(t, client, events, n);
    json_t *obj = NULL;
    if (rc == CE_OK) {
        rc = ce_kobj_source_load(&t->cfg->source, t->k.config_dir, t->k.secrets_dir, &obj, res->err,
                                 sizeof res->err);
    }
    if (rc == CE_OK) {
        rc = k8s_prepare(&a, &obj, res);
    }
    if (rc == CE_OK) {
        rc = ce_kobj_apply_params(t->k.params, events, n, &obj, res->err, sizeof res->err);
    }
    json_t *out = NULL;
    if (rc == CE_OK) {
        rc = k8s_run(&a, obj, &out, res);
    }
    if (rc == CE_OK && out != NULL) {
        struct ce_kube_error e = {0};
        rc = ce_kaction_policy_wait(client, &t->k.policy, out, &e);
        if (rc != CE_OK) {
            rc = ce_kaction_fail(client, t->k.name, "get", out, a.ns, rc, &e, res);
        }
    }
    else if (rc != CE_OK && res->err[0] != '\0') {
        ce_log_kv(CE_LOG_ERROR, "the k8s trigger failed", "triggerName", t->k.name, "error",
                  res->err, NULL);
    }
    json_decref(out);
    json_decref(obj);
    return rc;
}

static void k8s_describe(void *state, const struct ce_trigger_event *events, int n,
                         const char *indent, struct ce_buf *out)
{
    struct k8s_trigger *t = state;
    json_t *obj = NULL;
    char err[256];
    int rc = ce_kaction_trigger_object(&t->k, &t->cfg->source, events, n, &obj, err, sizeof err);
    if (rc != CE_OK) {
        int w = ce_buf_printf(out, "%swould fail: %s\n", indent, err);
        (void)w;
        return;
    }
    struct k8s_call a = k8s_call_of(t, NULL, events, n);
    k8s_describe_call(&a, obj, indent, out);
    json_decref(obj);
}

extern const struct ce_trigger_plugin ce_trigger_k8s;
const struct ce_trigger_plugin ce_trigger_k8s = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &ce_k8s_block,
    .ack_after_fire = false,
    .create = k8s_create_state,
    .execute = k8s_execute,
    .describe = k8s_describe,
    .destroy = k8s_destroy,
    .keep_create = ce_kaction_keep_create,
    .keep_destroy = ce_kaction_keep_destroy,
};
