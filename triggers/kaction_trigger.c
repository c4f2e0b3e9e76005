/* SPDX-License-Identifier: Apache-2.0 */
/* See kaction_trigger.h. */
#include "triggers/kaction_trigger.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "manifest/tojson.h"
#include "triggers/params.h"

#include <stdio.h>
#include <string.h>

static char *kt_dup_or_null(const char *s)
{
    return s != NULL ? ce_xstrdup(s) : NULL;
}

int ce_kaction_trigger_init(struct ce_kaction_trigger *t, const char *block_key,
                            const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                            const struct ce_trigger_env *env)
{
    t->env = env;
    t->name = ce_xstrdup(trigger->name);
    t->sensor = ce_xstrdup(sensor && sensor->name ? sensor->name : "");
    t->sensor_ns = kt_dup_or_null(sensor ? sensor->namespace_ : NULL);
    t->config_dir = kt_dup_or_null(env ? env->config_dir : NULL);
    t->secrets_dir = kt_dup_or_null(env ? env->secrets_dir : NULL);
    json_t *trig = ce_node_to_json(trigger->node);
    json_t *block = json_object_get(json_object_get(trig, "template"), block_key);
    char path[64];
    snprintf(path, sizeof path, "template.%s.parameters", block_key);
    char err[256];
    int rc =
        ce_params_compile(json_object_get(block, "parameters"), path, &t->params, err, sizeof err);
    if (rc == CE_OK) {
        rc = ce_kobj_policy_from_json(trig, &t->policy, err, sizeof err);
    }
    json_decref(trig);
    if (rc != CE_OK) {
        char what[64];
        snprintf(what, sizeof what, "cannot prepare the %s trigger", block_key);
        ce_log_kv(CE_LOG_ERROR, what, "triggerName", trigger->name, "error", err, NULL);
    }
    return rc;
}

void ce_kaction_trigger_fini(struct ce_kaction_trigger *t)
{
    ce_params_destroy(t->params);
    ce_kobj_policy_fini(&t->policy);
    ce_free(t->name);
    ce_free(t->sensor);
    ce_free(t->sensor_ns);
    ce_free(t->config_dir);
    ce_free(t->secrets_dir);
}

int ce_kaction_trigger_object(const struct ce_kaction_trigger *t,
                              const struct ce_kobj_source *source,
                              const struct ce_trigger_event *ev, int n, json_t **obj, char *err,
                              size_t errlen)
{
    int rc = ce_kobj_source_load(source, t->config_dir, t->secrets_dir, obj, err, errlen);
    if (rc == CE_OK) {
        rc = ce_kobj_apply_params(t->params, ev, n, obj, err, errlen);
    }
    return rc;
}
