/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's action for each firing: see action.h. */
#include "sensor/action.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/plugin.h"
#include "manifest/tojson.h"
#include "triggers/params.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct ce_sn_action {
    const struct ce_sensor *sensor;
    const struct ce_trigger *spec;
    const struct ce_trigger_plugin *plugin;
    struct ce_trigger_env env; /* the sensor's, with what the plugin keeps for this trigger */
    void *state;               /* prepared at start; NULL when the trigger is rebuilt per firing */
    struct ce_params *edits;   /* the trigger's template-level parameters */
    char *template_json;       /* the template they edit */
    size_t template_len;
    json_t *rest; /* the trigger without its template and those parameters */
    char *origin; /* how findings in a rebuilt trigger name it */
};

/* An edited trigger is decoded by its kind's plugin, as at load. */
static const struct ce_manifest_plugins action_plugins = {.trigger = ce_trigger_decoder};

static int action_prepare_edits(struct ce_sn_action *a, char *err, size_t errlen)
{
    json_t *j = ce_node_to_json(a->spec->node);
    int rc =
        ce_params_compile(json_object_get(j, "parameters"), "parameters", &a->edits, err, errlen);
    if (rc == CE_OK) {
        char *text = json_dumps(json_object_get(j, "template"), JSON_COMPACT);
        a->template_json = ce_xstrdup(text ? text : "{}");
        a->template_len = strlen(a->template_json);
        free(text);
        json_object_del(j, "template");
        json_object_del(j, "parameters");
        a->rest = json_incref(j);
    }
    json_decref(j);
    return rc;
}

int ce_sn_action_create(const struct ce_sensor *s, const struct ce_trigger *t,
                        const struct ce_trigger_plugin *plugin, const struct ce_trigger_env *env,
                        struct ce_sn_action **out)
{
    struct ce_sn_action *a = ce_xcalloc(1, sizeof(*a));
    a->sensor = s;
    a->spec = t;
    a->plugin = plugin;
    a->env = *env;
    a->env.kept = plugin->keep_create != NULL ? plugin->keep_create() : NULL;
    int rc = CE_OK;
    char err[256] = "";
    if (t->has_template_parameters) {
        a->origin = ce_xasprintf("trigger \"%s\" after its parameters", t->name);
        rc = action_prepare_edits(a, err, sizeof err);
    }
    else {
        rc = plugin->create(s, t, &a->env, &a->state);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to create the trigger", "triggerName", t->name, "error",
                  err[0] ? err : ce_rc_str(rc), NULL);
        ce_sn_action_destroy(a);
        return rc;
    }
    *out = a;
    return CE_OK;
}

void ce_sn_action_destroy(struct ce_sn_action *a)
{
    if (a == NULL) {
        return;
    }
    if (a->state != NULL) {
        a->plugin->destroy(a->state);
    }
    if (a->env.kept != NULL) {
        a->plugin->keep_destroy(a->env.kept);
    }
    ce_params_destroy(a->edits);
    ce_free(a->template_json);
    json_decref(a->rest);
    ce_free(a->origin);
    ce_free(a);
}

/* The trigger's text with its template edited by the firing's events. */
static int action_edited_text(const struct ce_sn_action *a, const struct ce_trigger_event *ev,
                              int n, char **out, char *err, size_t errlen)
{
    char *doc = ce_xstrndup(a->template_json, a->template_len);
    size_t len = a->template_len;
    int rc = ce_params_apply(a->edits, ev, n, &doc, &len, err, errlen);
    json_t *tpl = rc == CE_OK ? json_loadb(doc, len, 0, NULL) : NULL;
    ce_free(doc);
    if (rc == CE_OK && !json_is_object(tpl)) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "the parameters left no template");
    }
    if (rc == CE_OK) {
        json_t *trigger = json_deep_copy(a->rest);
        json_object_set(trigger, "template", tpl);
        char *text = json_dumps(trigger, JSON_COMPACT);
        if (text == NULL) {
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "the edited trigger cannot be written out");
        }
        else {
            *out = ce_xstrdup(text);
            free(text);
        }
        json_decref(trigger);
    }
    json_decref(tpl);
    return rc;
}

/* Decodes the edited trigger; its first finding is the reason when it is invalid. */
static int action_decode(const struct ce_sn_action *a, const char *text, struct ce_trigger **out,
                         char *err, size_t errlen)
{
    struct ce_diag diag;
    ce_diag_init(&diag);
    int rc =
        ce_manifest_trigger_from_text(&action_plugins, text, strlen(text), a->origin, &diag, out);
    if (rc != CE_OK) {
        const struct ce_diag_item *it = diag.n > 0 ? &diag.items[0] : NULL;
        ce_rc_fail(CE_EINVAL, err, errlen, "the parameters made the trigger invalid: %s%s%s",
                   it && it->path[0] ? it->path : "", it && it->path[0] ? ": " : "",
                   it ? it->msg : "?");
    }
    ce_diag_fini(&diag);
    return rc == CE_OK ? CE_OK : CE_EINVAL;
}

int ce_sn_action_begin(struct ce_sn_action *a, const struct ce_trigger_event *events, int n,
                       struct ce_sn_act *act, char *err, size_t errlen)
{
    act->state = a->state;
    act->edited = NULL;
    if (a->edits == NULL) {
        return CE_OK;
    }
    char *text = NULL;
    int rc = action_edited_text(a, events, n, &text, err, errlen);
    if (rc == CE_OK) {
        rc = action_decode(a, text, &act->edited, err, errlen);
    }
    ce_free(text);
    if (rc == CE_OK && a->plugin->create(a->sensor, act->edited, &a->env, &act->state) != CE_OK) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "the edited trigger cannot be prepared");
    }
    if (rc != CE_OK) {
        ce_manifest_trigger_free(act->edited);
        act->edited = NULL;
        act->state = NULL;
    }
    return rc;
}

void ce_sn_action_end(struct ce_sn_action *a, struct ce_sn_act *act)
{
    if (act->edited != NULL) {
        if (act->state != NULL) {
            a->plugin->destroy(act->state);
        }
        ce_manifest_trigger_free(act->edited);
    }
    act->state = NULL;
    act->edited = NULL;
}

const struct ce_trigger_plugin *ce_sn_action_plugin(const struct ce_sn_action *a)
{
    return a->plugin;
}
