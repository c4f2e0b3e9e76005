/* SPDX-License-Identifier: Apache-2.0 */
/* The exprs filter group: see filter_data.h. */
#include "core/base/buf.h"
#include "core/expr/expr.h"
#include "core/json/gjson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "sensor/filter_data.h"
#include "sensor/filter_group.h"

#include <stdio.h>
#include <string.h>

#define EX_MAX_ITEMS 1024
#define EX_MAX_FIELDS 256

struct ex_item {
    char *src;
    struct ce_expr *expr;
    int n_fields;
    char **names;
    char **paths;
};

struct ce_sn_exprs_group {
    bool op_or;
    int n;
    struct ex_item *items;
};

static int ex_compile_item(struct ex_item *it, const json_t *f, int i, char *err, size_t errlen)
{
    const char *src = json_string_value(json_object_get(f, "expr"));
    const json_t *fields = json_object_get(f, "fields");
    if (src == NULL || src[0] == '\0') {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.exprs[%d].expr: required", i);
    }
    it->src = ce_xstrdup(src);
    size_t n = json_array_size(fields);
    if (n == 0 || n > EX_MAX_FIELDS) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.exprs[%d].fields: %s", i,
                          n == 0 ? "at least one field is required" : "more than 256 fields");
    }
    it->names = ce_xcalloc(n, sizeof(*it->names));
    it->paths = ce_xcalloc(n, sizeof(*it->paths));
    for (size_t k = 0; k < n; k++) {
        const json_t *fl = json_array_get(fields, k);
        const char *name = json_string_value(json_object_get(fl, "name"));
        const char *path = json_string_value(json_object_get(fl, "path"));
        if (name == NULL || name[0] == '\0' || path == NULL || path[0] == '\0') {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "filters.exprs[%d].fields[%zu]: name and path are required", i, k);
        }
        it->names[k] = ce_xstrdup(name);
        it->paths[k] = ce_xstrdup(path);
        it->n_fields++;
    }
    char why[512];
    if (ce_expr_compile(CE_EXPR_GOVALUATE, src, &it->expr, why, sizeof why) != CE_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.exprs[%d].expr: %s", i, why);
    }
    return CE_OK;
}

static void ex_item_fini(struct ex_item *it)
{
    for (int k = 0; k < it->n_fields; k++) {
        ce_free(it->names[k]);
        ce_free(it->paths[k]);
    }
    ce_free(it->names);
    ce_free(it->paths);
    ce_free(it->src);
    ce_expr_destroy(it->expr);
}

int ce_sn_exprs_compile(const json_t *list, const char *op, struct ce_sn_exprs_group **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    size_t n = json_array_size(list);
    if (n > EX_MAX_ITEMS) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.exprs: more than %d filters",
                          EX_MAX_ITEMS);
    }
    struct ce_sn_exprs_group *g = ce_xcalloc(1, sizeof(*g));
    g->op_or = op != NULL && strcmp(op, "or") == 0;
    g->items = ce_xcalloc(n + 1, sizeof(*g->items));
    int rc = CE_OK;
    err[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        g->n++;
        char one[1024];
        if (ex_compile_item(&g->items[i], json_array_get(list, i), (int)i, one, sizeof one) !=
            CE_OK) {
            rc = ce_sn_compile_note(err, errlen, one);
        }
    }
    if (rc != CE_OK) {
        ce_sn_exprs_destroy(g);
        return rc;
    }
    *out = g;
    return CE_OK;
}

void ce_sn_exprs_destroy(struct ce_sn_exprs_group *g)
{
    if (g == NULL) {
        return;
    }
    for (int i = 0; i < g->n; i++) {
        ex_item_fini(&g->items[i]);
    }
    ce_free(g->items);
    ce_free(g);
}

/* The value gjson's Value() gives for the result: the JSON it points at, numbers as floats. */
static json_t *ex_field_value(const struct ce_gj_result *r)
{
    json_t *v = json_loadb(r->raw, r->raw_len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
    return v != NULL ? v : json_stringn_nocheck(r->str, r->str_len);
}

/* Binds the item's fields into a fresh object; CE_ENOENT with the message for a missing path. */
static int ex_bind(const struct ex_item *it, const char *data, size_t len, json_t **params,
                   char *err, size_t errlen)
{
    *params = json_object();
    for (int k = 0; k < it->n_fields; k++) {
        struct ce_gj_result r;
        (void)ce_gj_get(data, len, it->paths[k], &r, NULL, 0);
        if (!ce_gj_exists(&r)) {
            ce_gj_result_fini(&r);
            json_decref(*params);
            *params = NULL;
            return ce_rc_fail(CE_ENOENT, err, errlen, "path '%s' does not exist", it->paths[k]);
        }
        json_object_set_new(*params, it->names[k], ex_field_value(&r));
        ce_gj_result_fini(&r);
    }
    return CE_OK;
}

static int ex_eval_item(const struct ex_item *it, const char *data, size_t len, bool *pass,
                        char *err, size_t errlen)
{
    json_t *params = NULL;
    *pass = false;
    int rc = ex_bind(it, data, len, &params, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_value *v = NULL;
    rc = ce_expr_eval(it->expr, params, NULL, &v, err, errlen);
    json_decref(params);
    if (rc == CE_OK) {
        *pass = v->kind == CE_VALUE_BOOL && v->u.b; /* exactly true, as Argo's `result == true` */
        ce_value_unref(v);
    }
    return rc;
}

/* ce_sn_item_fn for one expression filter, with its explanation. */
static int ex_item(const void *group, int i, const char *data, size_t len, bool *pass, char *err,
                   size_t errlen, struct ce_buf *why, const char *indent)
{
    const struct ce_sn_exprs_group *g = group;
    int rc = ex_eval_item(&g->items[i], data, len, pass, err, errlen);
    if (why != NULL) {
        int w = ce_buf_printf(why, "%sexprs[%d] `%s`: %s%s\n", indent, i, g->items[i].src,
                              rc != CE_OK ? "error: " : (*pass ? "true, pass" : "not true, fail"),
                              rc != CE_OK ? err : "");
        (void)w; /* an explanation cut short by the cap is still printed */
    }
    return rc;
}

int ce_sn_exprs_eval(const struct ce_sn_exprs_group *g, const char *data, size_t len, bool *pass,
                     char *err, size_t errlen, struct ce_buf *why, const char *indent)
{
    return ce_sn_group_run("expr", g && g->op_or, g ? g->n : 0, ex_item, g, data, len, pass, err,
                           errlen, why, indent);
}
