/* SPDX-License-Identifier: Apache-2.0 */
/* Sensor decoding and validation, dependencies part: the dependency list with the controller's
 * filter checks, then the triggers (manifest/trigger.c). Problems are reported where they are
 * written, with the path, e.g. spec.dependencies[1].filters.data[0].path. */
#include "manifest/decode_int.h"

#include <stdio.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/mem.h"

static const char *const sn_spec_known[] = {
    "dependencies",       "triggers",      "template",
    "eventBusName",       "replicas",      "revisionHistoryLimit",
    "errorOnFailedRound", "loggingFields", NULL};
static const char *const sn_dep_known[] = {
    "name", "eventSourceName", "eventName", "filters", "transform", "filtersLogicalOperator", NULL};
static const char *const sn_filters_known[] = {
    "time",   "context", "data", "exprs", "dataLogicalOperator", "exprLogicalOperator",
    "script", NULL};

void ce_manifest_sensor_free(struct ce_sensor *sn)
{
    if (sn == NULL) {
        return;
    }
    ce_free(sn->name);
    ce_free(sn->namespace_);
    ce_free(sn->event_bus_name);
    for (int i = 0; i < sn->n_deps; i++) {
        ce_free(sn->deps[i].name);
        ce_free(sn->deps[i].event_source_name);
        ce_free(sn->deps[i].event_name);
        ce_free(sn->deps[i].filters_logical_operator);
    }
    ce_free(sn->deps);
    for (int i = 0; i < sn->n_triggers; i++) {
        ce_manifest_trigger_fini(&sn->triggers[i]);
    }
    ce_free(sn->triggers);
    ce_free(sn);
}

/* A logical operator field: "", "and" or "or" (lower case, as Argo compares). */
static char *sn_logical_op(struct ce_mdec *c, const struct ce_node *map, const char *key)
{
    char *op = ce_mdec_str(c, map, key, false);
    if (op != NULL && strcmp(op, "and") != 0 && strcmp(op, "or") != 0) {
        ce_mdec_err_key(c, ce_node_get(map, key), key,
                        "logical operator must be \"and\" or \"or\", not \"%s\"", op);
    }
    return op;
}

static void sn_data_filter(struct ce_mdec *c, const struct ce_node *f)
{
    static const char *const known[] = {"path", "type", "value", "comparator", "template", NULL};
    static const char *const comps[] = {"=", "!=", "<", "<=", ">", ">=", NULL};
    if (!ce_mdec_map(c, f)) {
        ce_mdec_err(c, f, "a data filter needs path, type and value");
        return;
    }
    ce_free(ce_mdec_str(c, f, "path", true));
    char *type = ce_mdec_str(c, f, "type", true);
    if (type != NULL && strcmp(type, "string") != 0 && strcmp(type, "number") != 0 &&
        strcmp(type, "bool") != 0) {
        ce_mdec_err_key(c, ce_node_get(f, "type"), "type",
                        "type must be string, number or bool, not \"%s\"", type);
    }
    ce_free(type);
    const struct ce_node *v = ce_node_get(f, "value");
    if (v == NULL || v->type != CE_NODE_SEQ || v->n_items == 0) {
        ce_mdec_err_key(c, v ? v : f, "value", "a non-empty list of values is required");
    }
    else {
        for (int i = 0; i < v->n_items; i++) {
            if (!ce_node_is_string(v->items[i]) || v->items[i]->len == 0) {
                size_t old = ce_mdec_push(c, "value");
                ce_mdec_push_index(c, i);
                ce_mdec_err(c, v->items[i], "values must be non-empty strings");
                ce_mdec_pop(c, old);
            }
        }
    }
    char *comp = ce_mdec_str(c, f, "comparator", false);
    if (comp != NULL) {
        bool ok = false;
        for (int i = 0; comps[i] != NULL; i++) {
            ok = ok || strcmp(comp, comps[i]) == 0;
        }
        if (!ok) {
            ce_mdec_err_key(c, ce_node_get(f, "comparator"), "comparator",
                            "unknown comparator \"%s\"", comp);
        }
    }
    ce_free(comp);
    ce_free(ce_mdec_str(c, f, "template", false));
    ce_mdec_known(c, f, known);
}

static void sn_expr_filter(struct ce_mdec *c, const struct ce_node *f)
{
    static const char *const known[] = {"expr", "fields", NULL};
    static const char *const fknown[] = {"name", "path", NULL};
    if (!ce_mdec_map(c, f)) {
        ce_mdec_err(c, f, "an expression filter needs expr and fields");
        return;
    }
    ce_free(ce_mdec_str(c, f, "expr", true));
    const struct ce_node *fields = ce_node_get(f, "fields");
    if (fields == NULL || fields->type != CE_NODE_SEQ || fields->n_items == 0) {
        ce_mdec_err_key(c, fields ? fields : f, "fields", "a non-empty list of fields is required");
    }
    else {
        for (int i = 0; i < fields->n_items; i++) {
            size_t old = ce_mdec_push(c, "fields");
            ce_mdec_push_index(c, i);
            if (ce_mdec_map(c, fields->items[i])) {
                ce_free(ce_mdec_str(c, fields->items[i], "name", true));
                ce_free(ce_mdec_str(c, fields->items[i], "path", true));
                ce_mdec_known(c, fields->items[i], fknown);
            }
            else {
                ce_mdec_err(c, fields->items[i], "a field needs name and path");
            }
            ce_mdec_pop(c, old);
        }
    }
    ce_mdec_known(c, f, known);
}

static void sn_time_filter(struct ce_mdec *c, const struct ce_node *t)
{
    static const char *const known[] = {"start", "stop", "timezone", NULL};
    char *start = ce_mdec_str(c, t, "start", true);
    char *stop = ce_mdec_str(c, t, "stop", true);
    int a = -1;
    int b = -2;
    if (start != NULL && !ce_clock_parse_hms(start, &a)) {
        ce_mdec_err_key(c, ce_node_get(t, "start"), "start", "time must be HH:MM:SS");
    }
    if (stop != NULL && !ce_clock_parse_hms(stop, &b)) {
        ce_mdec_err_key(c, ce_node_get(t, "stop"), "stop", "time must be HH:MM:SS");
    }
    if (a == b) {
        ce_mdec_err_key(c, ce_node_get(t, "stop"), "stop", "start and stop must differ");
    }
    ce_free(start);
    ce_free(stop);
    ce_free(ce_mdec_str(c, t, "timezone", false));
    ce_mdec_known(c, t, known);
}

static void sn_list(struct ce_mdec *c, const struct ce_node *filters, const char *key,
                    void (*each)(struct ce_mdec *, const struct ce_node *))
{
    const struct ce_node *l = ce_node_get(filters, key);
    size_t old = ce_mdec_push(c, key);
    if (l != NULL && !ce_node_is_null(l)) {
        if (l->type != CE_NODE_SEQ) {
            ce_mdec_err(c, l, "expected a list, got %s", ce_node_type_name(l));
        }
        else {
            for (int i = 0; i < l->n_items; i++) {
                size_t o2 = ce_mdec_push_index(c, i);
                each(c, l->items[i]);
                ce_mdec_pop(c, o2);
            }
        }
    }
    ce_mdec_pop(c, old);
}

static void sn_filters(struct ce_mdec *c, const struct ce_node *f)
{
    static const char *const ctx_known[] = {"id",      "source",          "specversion", "type",
                                            "subject", "datacontenttype", "time",        NULL};
    sn_list(c, f, "data", sn_data_filter);
    sn_list(c, f, "exprs", sn_expr_filter);
    ce_free(sn_logical_op(c, f, "dataLogicalOperator"));
    ce_free(sn_logical_op(c, f, "exprLogicalOperator"));
    const struct ce_node *ctx = ce_node_get(f, "context");
    size_t old = ce_mdec_push(c, "context");
    if (ce_mdec_map(c, ctx)) {
        if (!ce_mdec_nonempty(ctx, "type") && !ce_mdec_nonempty(ctx, "subject") &&
            !ce_mdec_nonempty(ctx, "source") && !ce_mdec_nonempty(ctx, "datacontenttype")) {
            ce_mdec_err(c, ctx,
                        "a context filter needs one of type, subject, source, datacontenttype");
        }
        ce_mdec_known(c, ctx, ctx_known);
    }
    ce_mdec_pop(c, old);
    const struct ce_node *t = ce_node_get(f, "time");
    old = ce_mdec_push(c, "time");
    if (ce_mdec_map(c, t)) {
        sn_time_filter(c, t);
    }
    ce_mdec_pop(c, old);
    ce_free(ce_mdec_str(c, f, "script", false));
    ce_mdec_known(c, f, sn_filters_known);
}

static void sn_dependency(struct ce_mdec *c, const struct ce_node *d, struct ce_dependency *dep)
{
    static const char *const tknown[] = {"jq", "script", NULL};
    dep->pos = ce_mdec_pos(c, d);
    dep->node = d;
    if (!ce_mdec_map(c, d)) {
        ce_mdec_err(c, d, "a dependency needs name, eventSourceName and eventName");
        return;
    }
    dep->name = ce_mdec_str(c, d, "name", true);
    dep->event_source_name = ce_mdec_str(c, d, "eventSourceName", true);
    dep->event_name = ce_mdec_str(c, d, "eventName", true);
    dep->filters_logical_operator = sn_logical_op(c, d, "filtersLogicalOperator");
    if (dep->filters_logical_operator == NULL) {
        dep->filters_logical_operator = ce_xstrdup("and");
    }
    const struct ce_node *f = ce_node_get(d, "filters");
    size_t old = ce_mdec_push(c, "filters");
    if (ce_mdec_map(c, f)) {
        dep->has_filters = f->n_pairs > 0;
        sn_filters(c, f);
    }
    ce_mdec_pop(c, old);
    const struct ce_node *t = ce_node_get(d, "transform");
    old = ce_mdec_push(c, "transform");
    if (ce_mdec_map(c, t)) {
        dep->has_transform = ce_mdec_nonempty(t, "jq") || ce_mdec_nonempty(t, "script");
        ce_free(ce_mdec_str(c, t, "jq", false));
        ce_free(ce_mdec_str(c, t, "script", false));
        ce_mdec_known(c, t, tknown);
    }
    ce_mdec_pop(c, old);
    ce_mdec_known(c, d, sn_dep_known);
}

static void sn_dependencies(struct ce_mdec *c, const struct ce_node *spec, struct ce_sensor *sn)
{
    const struct ce_node *l = ce_node_get(spec, "dependencies");
    size_t old = ce_mdec_push(c, "dependencies");
    if (l != NULL && l->type != CE_NODE_SEQ && !ce_node_is_null(l)) {
        ce_mdec_err(c, l, "expected a list, got %s", ce_node_type_name(l));
    }
    else if (l == NULL || ce_node_is_null(l) || l->n_items == 0) {
        const struct ce_node *near = l == NULL ? ce_mdec_near_key(spec, "dependencies") : NULL;
        if (near != NULL) {
            ce_mdec_err(c, near,
                        "at least one dependency is required; is \"%s\" a misspelling of "
                        "\"dependencies\"?",
                        near->str);
        }
        else {
            ce_mdec_err(c, l ? l : spec, "at least one dependency is required");
        }
    }
    else {
        sn->deps = ce_xcalloc((size_t)l->n_items, sizeof(*sn->deps));
        for (int i = 0; i < l->n_items; i++) {
            size_t o2 = ce_mdec_push_index(c, i);
            struct ce_dependency *dep = &sn->deps[sn->n_deps++];
            sn_dependency(c, l->items[i], dep);
            for (int j = 0; dep->name != NULL && j < sn->n_deps - 1; j++) {
                if (sn->deps[j].name != NULL && strcmp(sn->deps[j].name, dep->name) == 0) {
                    ce_mdec_err_key(c, ce_node_get(l->items[i], "name"), "name",
                                    "duplicate dependency name \"%s\" (first at line %d)",
                                    dep->name, sn->deps[j].pos.line);
                    break;
                }
            }
            ce_mdec_pop(c, o2);
        }
    }
    ce_mdec_pop(c, old);
}

void ce_manifest_decode_sensor(struct ce_mdec *c, const struct ce_node *spec, struct ce_sensor *sn)
{
    sn->replicas = 1;
    sn->spec = spec;
    size_t old = ce_mdec_push(c, "spec");
    if (!ce_mdec_map(c, spec)) {
        ce_mdec_err(c, spec, "a Sensor needs a spec with dependencies and triggers");
        ce_mdec_pop(c, old);
        return;
    }
    sn->event_bus_name = ce_mdec_str(c, spec, "eventBusName", false);
    if (sn->event_bus_name == NULL) {
        sn->event_bus_name = ce_xstrdup("default");
    }
    int64_t replicas = 1;
    if (ce_mdec_int(c, spec, "replicas", &replicas) && replicas > 1) {
        sn->replicas = replicas > 1000000 ? 1000000 : (int)replicas;
    }
    int64_t rhl = 0;
    (void)ce_mdec_int(c, spec, "revisionHistoryLimit", &rhl);
    (void)ce_mdec_bool(c, spec, "errorOnFailedRound");
    sn_dependencies(c, spec, sn);
    ce_manifest_decode_triggers(c, spec, sn);
    ce_mdec_known(c, spec, sn_spec_known);
    ce_mdec_pop(c, old);
}
