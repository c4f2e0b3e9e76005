/* SPDX-License-Identifier: Apache-2.0 */
/* The argoWorkflow trigger: the object from `source`, the action's parameters applied to it,
 * then the operation through the Kubernetes API (no argo binary), then the `policy.k8s` label
 * wait. The decoded block (trigger->action) is borrowed: the sensor destroys a state before the
 * trigger it was made from. */
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "manifest/model.h"
#include "triggers/argoWorkflow/config.h"
#include "triggers/argoWorkflow/formulate.h"
#include "triggers/argoWorkflow/ops.h"
#include "triggers/kaction_trigger.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct aw_trigger {
    const struct aw_config *cfg;
    struct ce_kaction_trigger k; /* names, directories, parameters, policy */
};

static void aw_destroy(void *state)
{
    struct aw_trigger *t = state;
    if (t == NULL) {
        return;
    }
    ce_kaction_trigger_fini(&t->k);
    ce_free(t);
}

static int aw_create_state(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                           const struct ce_trigger_env *env, void **state)
{
    if (trigger->action == NULL) {
        return CE_EINVAL;
    }
    struct aw_trigger *t = ce_xcalloc(1, sizeof(*t));
    t->cfg = trigger->action;
    int rc = ce_kaction_trigger_init(&t->k, "argoWorkflow", sensor, trigger, env);
    if (rc != CE_OK) {
        aw_destroy(t);
        return rc;
    }
    *state = t;
    return CE_OK;
}

/* The object of this firing, with the parameters applied. */
static int aw_object(const struct aw_trigger *t, const struct ce_trigger_event *ev, int n,
                     json_t **obj, char *err, size_t errlen)
{
    return ce_kaction_trigger_object(&t->k, &t->cfg->source, ev, n, obj, err, errlen);
}

/* Argo's rule: the object's namespace, else the Sensor's (an -n argument wins, as on the argo
 * command line); the client's default when the Sensor names none. */
static const char *aw_namespace(const struct aw_trigger *t, const json_t *obj,
                                struct ce_kube_client *c)
{
    if (t->cfg->opts.ns != NULL) {
        return t->cfg->opts.ns;
    }
    const char *ns = ce_kobj_meta(obj, "namespace");
    return ns ? ns : t->k.sensor_ns ? t->k.sensor_ns : ce_kube_client_namespace(c);
}

static int aw_run(const struct aw_trigger *t, const struct aw_call *a, json_t *obj, json_t **out,
                  struct ce_trigger_result *res)
{
    const char *name = ce_kobj_meta(obj, "name");
    if (t->cfg->op == AW_SUBMIT) {
        if (name == NULL && ce_kobj_meta(obj, "generateName") == NULL &&
            t->cfg->opts.name == NULL && t->cfg->opts.generate_name == NULL) {
            snprintf(res->err, sizeof res->err,
                     "failed to trigger the workflow, neither name nor generateName is given");
            return CE_EINVAL;
        }
        return aw_submit(a, obj, out, res);
    }
    if (name == NULL) {
        snprintf(res->err, sizeof res->err,
                 "failed to execute the workflow %s operation, no name is given",
                 aw_op_name(t->cfg->op));
        return CE_EINVAL;
    }
    if (t->cfg->op == AW_SUBMIT_FROM) {
        return aw_submit_from(a, obj, out, res);
    }
    return aw_on_workflow(a, t->cfg->op, name, out, res);
}

static int aw_execute(void *state, const struct ce_trigger_event *events, int n,
                      struct ce_trigger_result *res)
{
    struct aw_trigger *t = state;
    struct ce_kube_client *client = NULL;
    int rc = ce_kaction_client(t->k.env, &client, res);
    json_t *obj = NULL;
    if (rc == CE_OK) {
        rc = aw_object(t, events, n, &obj, res->err, sizeof res->err);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "the argoWorkflow trigger cannot run", "triggerName", t->k.name,
                  "error", res->err, NULL);
        return rc;
    }
    struct aw_call a = {
        .client = client,
        .ns = aw_namespace(t, obj, client),
        .opts = &t->cfg->opts,
        .who = {t->k.sensor, t->k.name, events, n},
        .now_ms = ce_clock_wall_ms(),
    };
    json_t *out = NULL;
    rc = aw_run(t, &a, obj, &out, res);
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "the argoWorkflow trigger ran", "triggerName", t->k.name,
                  "operation", aw_op_name(t->cfg->op), "namespace", a.ns, "name",
                  ce_kobj_meta(out, "name") ? ce_kobj_meta(out, "name") : "", NULL);
        struct ce_kube_error e = {0};
        rc = ce_kaction_policy_wait(client, &t->k.policy, out, &e);
        if (rc != CE_OK) {
            rc = ce_kaction_fail(client, t->k.name, "get", out, a.ns, rc, &e, res);
        }
    }
    json_decref(out);
    json_decref(obj);
    return rc;
}

static void aw_describe(void *state, const struct ce_trigger_event *events, int n,
                        const char *indent, struct ce_buf *out)
{
    struct aw_trigger *t = state;
    char where[300];
    ce_kobj_source_describe(&t->cfg->source, where, sizeof where);
    int w = ce_buf_printf(out, "%soperation %s, object from %s\n", indent, aw_op_name(t->cfg->op),
                          where);
    json_t *obj = NULL;
    char err[256];
    if (aw_object(t, events, n, &obj, err, sizeof err) != CE_OK) {
        w |= ce_buf_printf(out, "%swould fail: %s\n", indent, err);
        (void)w;
        return;
    }
    (void)w;
    const char *ns = t->cfg->opts.ns ? t->cfg->opts.ns : ce_kobj_meta(obj, "namespace");
    struct aw_call a = {
        .ns = ns               ? ns
              : t->k.sensor_ns ? t->k.sensor_ns
                               : "default",
        .opts = &t->cfg->opts,
        .who = {t->k.sensor, t->k.name, events, n},
        .now_ms = ce_clock_wall_ms(),
    };
    aw_describe_call(&a, t->cfg->op, obj, indent, out);
    json_decref(obj);
}

extern const struct ce_trigger_plugin ce_trigger_argoWorkflow;
const struct ce_trigger_plugin ce_trigger_argoWorkflow = {
    .api_version = CE_TRIGGER_API_VERSION,
    .block = &ce_aw_block,
    .ack_after_fire = false,
    .create = aw_create_state,
    .execute = aw_execute,
    .describe = aw_describe,
    .destroy = aw_destroy,
    .keep_create = ce_kaction_keep_create,
    .keep_destroy = ce_kaction_keep_destroy,
};
