/* SPDX-License-Identifier: Apache-2.0 */
/* Deep lint checks: see lint_deep.h. */
#include "cmd/lint_deep.h"
#include "cmd/streamconfig.h"
#include "core/mem.h"
#include "core/rc.h"
#include "eventsource/filter.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/tojson.h"
#include "sensor/filter.h"
#include "sensor/params.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void lint_eventsource(const struct ce_eventsource *es, struct ce_diag *diag)
{
    for (int i = 0; i < es->n_webhooks; i++) {
        const struct ce_webhook_event *ev = &es->webhooks[i];
        struct ce_es_filter *f = NULL;
        char err[512];
        if (ev->filter_expression != NULL &&
            ce_es_filter_compile(ev->filter_expression, &f, err, sizeof err) != CE_OK) {
            char path[160];
            snprintf(path, sizeof path, "spec.webhook.%s.filter.expression", ev->event_name);
            ce_diag_add(diag, CE_DIAG_ERROR, &ev->pos, path, "%s", err);
        }
        ce_es_filter_destroy(f);
    }
}

/* One parameter list of a trigger: its templates must parse, its operations be known. */
static void lint_params(const json_t *list, const char *where, const struct ce_trigger *t,
                        struct ce_diag *diag)
{
    if (list == NULL || json_array_size(list) == 0) {
        return;
    }
    struct ce_sn_params *ps = NULL;
    char err[512];
    if (ce_sn_params_compile(list, where, &ps, err, sizeof err) != CE_OK) {
        ce_diag_add(diag, CE_DIAG_ERROR, &t->pos, "", "%s", err);
    }
    ce_sn_params_destroy(ps);
}

static void lint_trigger(const struct ce_trigger *t, int i, struct ce_diag *diag)
{
    json_t *j = ce_node_to_json(t->node);
    char where[160];
    snprintf(where, sizeof where, "spec.triggers[%d].parameters", i);
    lint_params(json_object_get(j, "parameters"), where, t, diag);
    const json_t *action =
        t->kind ? json_object_get(json_object_get(j, "template"), t->kind) : NULL;
    static const char *const lists[] = {"parameters", "payload", "dynamicHeaders"};
    for (size_t k = 0; json_is_object(action) && k < sizeof lists / sizeof lists[0]; k++) {
        snprintf(where, sizeof where, "spec.triggers[%d].template.%s.%s", i, t->kind, lists[k]);
        lint_params(json_object_get(action, lists[k]), where, t, diag);
    }
    json_decref(j);
}

static void lint_sensor(const struct ce_sensor *s, struct ce_diag *diag)
{
    for (int i = 0; i < s->n_deps; i++) {
        struct ce_sn_filter *f = NULL;
        char err[512];
        if (ce_sn_filter_compile(&s->deps[i], &f, err, sizeof err) != CE_OK) {
            char path[64];
            snprintf(path, sizeof path, "spec.dependencies[%d]", i);
            ce_diag_add(diag, CE_DIAG_ERROR, &s->deps[i].pos, path, "%s", err);
        }
        ce_sn_filter_destroy(f);
    }
    for (int i = 0; i < s->n_triggers; i++) {
        lint_trigger(&s->triggers[i], i, diag);
    }
}

void ce_lint_deep(const struct ce_manifest_set *set, struct ce_diag *diag)
{
    for (int i = 0; i < set->n_eventbuses; i++) {
        struct ce_bus_stream_config cfg;
        memset(&cfg, 0, sizeof cfg);
        (void)ce_stream_config_apply(set->eventbuses[i], &cfg, diag);
    }
    for (int i = 0; i < set->n_eventsources; i++) {
        lint_eventsource(set->eventsources[i], diag);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        lint_sensor(set->sensors[i], diag);
    }
}
