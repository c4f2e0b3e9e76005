/* SPDX-License-Identifier: Apache-2.0 */
/* Compiling what a Sensor embeds: see check.h. */
#include "sensor/check.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/tojson.h"
#include "sensor/filter.h"
#include "triggers/params.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Reports each line of findings (one per line) at the node it names under dependency i. */
static void check_dep_findings(const struct ce_dependency *d, int i, char *findings,
                               struct ce_diag *diag)
{
    char path[64];
    snprintf(path, sizeof path, "spec.dependencies[%d]", i);
    for (char *line = findings, *next; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        ce_diag_add_found(diag, CE_DIAG_ERROR, &d->pos, d->node, path, line);
    }
}

static int check_deps(const struct ce_sensor *s, struct ce_diag *diag)
{
    int rc = CE_OK;
    for (int i = 0; i < s->n_deps; i++) {
        struct ce_sn_filter *f = NULL;
        char err[4096];
        if (ce_sn_filter_compile(&s->deps[i], &f, err, sizeof err) != CE_OK) {
            check_dep_findings(&s->deps[i], i, err, diag);
            rc = CE_EINVAL;
        }
        ce_sn_filter_destroy(f);
    }
    return rc;
}

/* Whether s has a dependency called name. */
static bool check_has_dep(const struct ce_sensor *s, const char *name)
{
    for (int i = 0; i < s->n_deps; i++) {
        if (s->deps[i].name != NULL && strcmp(s->deps[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* One parameter list: its templates must parse, its operations be known, and each parameter
 * read a dependency of the Sensor (else it would silently render nothing). The message names
 * the list (where). */
static int check_params(const json_t *list, const char *where, const char *top,
                        const struct ce_sensor *s, const struct ce_trigger *t, struct ce_diag *diag)
{
    if (json_array_size(list) == 0) {
        return CE_OK;
    }
    struct ce_params *ps = NULL;
    char err[512];
    int rc = ce_params_compile(list, where, &ps, err, sizeof err);
    if (rc != CE_OK) {
        ce_diag_add_found(diag, CE_DIAG_ERROR, &t->pos, t->node, top, err);
    }
    for (int i = 0; rc == CE_OK && i < ce_params_count(ps); i++) {
        if (ce_params_warning(ps, i) != NULL) {
            ce_diag_add_found(diag, CE_DIAG_WARNING, &t->pos, t->node, top,
                              ce_params_warning(ps, i));
        }
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *dep = json_string_value(
            json_object_get(json_object_get(json_array_get(list, i), "src"), "dependencyName"));
        if (dep != NULL && !check_has_dep(s, dep)) {
            char *text = ce_xasprintf("%s[%zu].src.dependencyName: no dependency is named \"%s\"",
                                      where, i, dep);
            ce_diag_add_found(diag, CE_DIAG_ERROR, &t->pos, t->node, top, text);
            ce_free(text);
            rc = CE_EINVAL;
        }
    }
    ce_params_destroy(ps);
    return rc;
}

static int check_trigger(const struct ce_sensor *s, const struct ce_trigger *t, int i,
                         struct ce_diag *diag)
{
    json_t *j = ce_node_to_json(t->node);
    char where[160], top[64];
    snprintf(top, sizeof top, "spec.triggers[%d]", i);
    snprintf(where, sizeof where, "spec.triggers[%d].parameters", i);
    int rc = check_params(json_object_get(j, "parameters"), where, top, s, t, diag);
    const json_t *action =
        t->kind ? json_object_get(json_object_get(j, "template"), t->kind) : NULL;
    static const char *const lists[] = {"parameters", "payload", "dynamicHeaders"};
    for (size_t k = 0; json_is_object(action) && k < sizeof lists / sizeof lists[0]; k++) {
        snprintf(where, sizeof where, "spec.triggers[%d].template.%s.%s", i, t->kind, lists[k]);
        if (check_params(json_object_get(action, lists[k]), where, top, s, t, diag) != CE_OK) {
            rc = CE_EINVAL;
        }
    }
    json_decref(j);
    return rc;
}

int ce_sensor_check_embedded(const struct ce_sensor *s, struct ce_diag *diag)
{
    int rc = check_deps(s, diag);
    for (int i = 0; i < s->n_triggers; i++) {
        if (check_trigger(s, &s->triggers[i], i, diag) != CE_OK) {
            rc = CE_EINVAL;
        }
    }
    return rc;
}
