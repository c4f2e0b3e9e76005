/* SPDX-License-Identifier: Apache-2.0 */
/* The data filter group: see filter_data.h. */
#include "sensor/filter_data.h"
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/go/goparse.h"
#include "core/template/gotmpl.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "core/json/sjson.h"
#include "sensor/filter_group.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DF_MAX_ITEMS 1024
#define DF_MAX_VALUES 1024

enum df_type { DF_STRING, DF_NUMBER, DF_BOOL };
enum df_cmp { DF_EQ, DF_NE, DF_LT, DF_LE, DF_GT, DF_GE };

struct df_item {
    char *path;
    enum df_type type;
    enum df_cmp cmp;
    int n;
    char **values;        /* as written, for explanations */
    struct ce_regex **re; /* string */
    double *num;          /* number */
    bool *truth;          /* bool */
    char *tmpl_src;
    struct ce_tmpl *tmpl;
};

struct ce_sn_data_group {
    bool op_or;
    int n;
    struct df_item *items;
};

/* What an item compares: gjson's String(), Float() and Bool() of the value. */
struct df_subject {
    const char *str;
    double num;
    bool truth;
};

static int df_compile_type(struct df_item *it, const json_t *f, int i, char *err, size_t errlen)
{
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *cmp = json_string_value(json_object_get(f, "comparator"));
    static const char *const cmps[] = {"=", "!=", "<", "<=", ">", ">="};
    it->cmp = DF_EQ;
    for (int k = 0; cmp != NULL && cmp[0] != '\0' && k < 6; k++) {
        it->cmp = strcmp(cmp, cmps[k]) == 0 ? (enum df_cmp)k : it->cmp;
    }
    if (cmp != NULL && cmp[0] != '\0' && strcmp(cmps[it->cmp], cmp) != 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.data[%d].comparator: unknown \"%s\"", i,
                          cmp);
    }
    if (type != NULL && strcmp(type, "string") == 0) {
        it->type = DF_STRING;
    }
    else if (type != NULL && strcmp(type, "number") == 0) {
        it->type = DF_NUMBER;
    }
    else if (type != NULL && strcmp(type, "bool") == 0) {
        it->type = DF_BOOL;
    }
    else {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "filters.data[%d].type: unsupported JSON type '%s' (string, number or "
                          "bool)",
                          i, type ? type : "");
    }
    return CE_OK;
}

static int df_compile_value(struct df_item *it, int i, int k, char *err, size_t errlen)
{
    const char *v = it->values[k];
    char why[200];
    switch (it->type) {
    case DF_STRING:
        if (ce_regex_compile(v, strlen(v), &it->re[k], why, sizeof why) != CE_OK) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "filters.data[%d].value[%d]: %s", i, k, why);
        }
        return CE_OK;
    case DF_NUMBER:
        if (ce_go_parse_float(v, strlen(v), &it->num[k]) != CE_GO_OK) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "filters.data[%d].value[%d]: \"%s\" is not a number", i, k, v);
        }
        return CE_OK;
    case DF_BOOL:
        if (!ce_go_parse_bool(v, strlen(v), &it->truth[k])) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "filters.data[%d].value[%d]: \"%s\" is not a bool (true, false, "
                              "1, 0, t, f)",
                              i, k, v);
        }
        return CE_OK;
    }
    return CE_EINVAL;
}

/* Compiles every value of item i, noting each bad one in err. */
static int df_compile_values(struct df_item *it, const json_t *vals, int i, char *err,
                             size_t errlen)
{
    int rc = CE_OK;
    for (int k = 0; k < it->n; k++) {
        char one[512];
        const char *v = json_string_value(json_array_get(vals, (size_t)k));
        it->values[k] = ce_xstrdup(v != NULL ? v : "");
        if (v == NULL || v[0] == '\0') {
            snprintf(one, sizeof one, "filters.data[%d].value[%d]: must be a non-empty string", i,
                     k);
            rc = ce_sn_compile_note(err, errlen, one);
        }
        else if (df_compile_value(it, i, k, one, sizeof one) != CE_OK) {
            rc = ce_sn_compile_note(err, errlen, one);
        }
    }
    return rc;
}

static int df_compile_item(struct df_item *it, const json_t *f, int i, char *err, size_t errlen)
{
    const char *path = json_string_value(json_object_get(f, "path"));
    const json_t *vals = json_object_get(f, "value");
    const char *tmpl = json_string_value(json_object_get(f, "template"));
    if (path == NULL || path[0] == '\0') {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.data[%d].path: required", i);
    }
    it->path = ce_xstrdup(path);
    int rc = df_compile_type(it, f, i, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    size_t n = json_array_size(vals);
    if (n == 0 || n > DF_MAX_VALUES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.data[%d].value: %s", i,
                          n == 0 ? "no values specified" : "more than 1024 values");
    }
    it->n = (int)n;
    it->values = ce_xcalloc(n, sizeof(*it->values));
    it->re = ce_xcalloc(n, sizeof(*it->re));
    it->num = ce_xcalloc(n, sizeof(*it->num));
    it->truth = ce_xcalloc(n, sizeof(*it->truth));
    err[0] = '\0';
    rc = df_compile_values(it, vals, i, err, errlen);
    if (tmpl != NULL && tmpl[0] != '\0') {
        char why[256], one[512];
        it->tmpl_src = ce_xstrdup(tmpl);
        if (ce_tmpl_parse(tmpl, &it->tmpl, why, sizeof why) != CE_OK) {
            snprintf(one, sizeof one, "filters.data[%d].template: %s", i, why);
            rc = ce_sn_compile_note(err, errlen, one);
        }
    }
    return rc;
}

static void df_item_fini(struct df_item *it)
{
    for (int k = 0; k < it->n; k++) {
        ce_free(it->values[k]);
        ce_regex_destroy(it->re[k]);
    }
    ce_free(it->values);
    ce_free(it->re);
    ce_free(it->num);
    ce_free(it->truth);
    ce_free(it->path);
    ce_free(it->tmpl_src);
    ce_tmpl_destroy(it->tmpl);
}

int ce_sn_data_compile(const json_t *list, const char *op, struct ce_sn_data_group **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    size_t n = json_array_size(list);
    if (n > DF_MAX_ITEMS) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "filters.data: more than %d filters",
                          DF_MAX_ITEMS);
    }
    struct ce_sn_data_group *g = ce_xcalloc(1, sizeof(*g));
    g->op_or = op != NULL && strcmp(op, "or") == 0;
    g->items = ce_xcalloc(n + 1, sizeof(*g->items));
    int rc = CE_OK;
    err[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        g->n++;
        char one[1024];
        if (df_compile_item(&g->items[i], json_array_get(list, i), (int)i, one, sizeof one) !=
            CE_OK) {
            rc = ce_sn_compile_note(err, errlen, one);
        }
    }
    if (rc != CE_OK) {
        ce_sn_data_destroy(g);
        return rc;
    }
    *out = g;
    return CE_OK;
}

void ce_sn_data_destroy(struct ce_sn_data_group *g)
{
    if (g == NULL) {
        return;
    }
    for (int i = 0; i < g->n; i++) {
        df_item_fini(&g->items[i]);
    }
    ce_free(g->items);
    ce_free(g);
}

static bool df_compare_number(enum df_cmp c, double ev, double want)
{
    switch (c) {
    case DF_EQ:
        return ev == want;
    case DF_NE:
        return ev != want;
    case DF_LT:
        return ev < want;
    case DF_LE:
        return ev <= want;
    case DF_GT:
        return ev > want;
    case DF_GE:
        return ev >= want;
    }
    return false;
}

/* Whether value k of it matches the subject. */
static bool df_value_matches(const struct df_item *it, int k, const struct df_subject *s)
{
    switch (it->type) {
    case DF_BOOL:
        return it->truth[k] == s->truth;
    case DF_NUMBER:
        return df_compare_number(it->cmp, s->num, it->num[k]);
    case DF_STRING: {
        bool m = false;
        (void)ce_regex_search(it->re[k], s->str, strlen(s->str), &m); /* over budget: no match */
        return it->cmp == DF_EQ ? m : (it->cmp == DF_NE ? !m : false);
    }
    }
    return false;
}

/* Runs the item's template on the value's string; an empty or `<no value>` result is an error,
 * as in Argo. *out is the rendered text (ce_free). */
static int df_render(const struct df_item *it, const char *input, bool op_or, char **out, char *err,
                     size_t errlen)
{
    json_t *in = json_string(input);
    if (in == NULL) {
        in = json_stringn_nocheck(input, strlen(input));
    }
    char why[256];
    int rc = ce_tmpl_exec_input(it->tmpl, in, NULL, out, why, sizeof why);
    json_decref(in);
    if (rc != CE_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s", why);
    }
    if ((*out)[0] == '\0' || strcmp(*out, "<no value>") == 0) {
        CE_FREE(*out);
        if (op_or) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "template evaluated to empty string or no value: '%s'", it->tmpl_src);
        }
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "template '%s' evaluated to empty string or no value", it->tmpl_src);
    }
    return CE_OK;
}

/* Float() and Bool() of the result gjson gives for a JSON string holding text: Argo compares a
 * template's output as gjson.Parse(strconv.Quote(out)). */
static void df_string_subject(const char *text, struct df_subject *s)
{
    struct ce_buf q;
    struct ce_gj_result r;
    ce_buf_init(&q, 0);
    (void)ce_sj_quote(&q, text, strlen(text)); /* uncapped: fails only by aborting */
    (void)ce_gj_get(q.data, q.len, "@this", &r, NULL, 0);
    *s = (struct df_subject){text, r.num, ce_gj_bool(&r)};
    ce_gj_result_fini(&r);
    ce_buf_fini(&q);
}

static const char *df_type_name(enum df_type t)
{
    return t == DF_STRING ? "string" : (t == DF_NUMBER ? "number" : "bool");
}

/* How the subject compared: "matches" for a string's regular expressions, the comparator for
 * the rest (`pass: "v" != "b"`, `pass: 5 > 3`). hit is the value that passed, or -1. */
static int df_explain_verdict(const struct df_item *it, const struct df_subject *s, int hit,
                              struct ce_buf *why)
{
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
    bool text = it->type == DF_STRING;
    if (it->cmp == DF_EQ && it->type != DF_NUMBER) {
        return hit >= 0 ? ce_buf_printf(why, ", matches \"%s\"\n", it->values[hit])
                        : ce_buf_puts(why, ", matches none of its values\n");
    }
    if (hit >= 0) {
        return ce_buf_printf(why, ": %s%s%s %s %s%s%s\n", text ? "\"" : "", s->str,
                             text ? "\"" : "", ops[it->cmp], text ? "\"" : "", it->values[hit],
                             text ? "\"" : "");
    }
    return ce_buf_printf(why, ": no value makes %s%s%s %s value\n", text ? "\"" : "", s->str,
                         text ? "\"" : "", ops[it->cmp]);
}

/* One item: CE_OK with *pass, or an error message (not yet wrapped) in err. */
static int df_eval_item(const struct df_item *it, bool op_or, const char *data, size_t len,
                        bool *pass, char *err, size_t errlen, struct ce_buf *why,
                        const char *indent, int idx)
{
    struct ce_gj_result r;
    *pass = false;
    (void)ce_gj_get(data, len, it->path, &r, NULL, 0);
    if (!ce_gj_exists(&r)) {
        ce_gj_result_fini(&r);
        return ce_rc_fail(CE_EINVAL, err, errlen, "path '%s' does not exist", it->path);
    }
    char *rendered = NULL;
    struct df_subject s = {r.str, r.num, ce_gj_bool(&r)};
    if (it->tmpl != NULL) {
        int rc = df_render(it, r.str, op_or, &rendered, err, errlen);
        if (rc != CE_OK) {
            ce_gj_result_fini(&r);
            return rc;
        }
        df_string_subject(rendered, &s);
    }
    int hit = -1;
    for (int k = 0; k < it->n && hit < 0; k++) {
        hit = df_value_matches(it, k, &s) ? k : -1;
    }
    *pass = hit >= 0;
    if (why != NULL) {
        int w = ce_buf_printf(why, "%sdata[%d] %s (%s%s) = \"%s\": %s", indent, idx, it->path,
                              df_type_name(it->type), it->tmpl ? ", after its template" : "", s.str,
                              *pass ? "pass" : "fail");
        w |= df_explain_verdict(it, &s, hit, why);
        (void)w; /* an explanation cut short by the cap is still printed */
    }
    ce_free(rendered);
    ce_gj_result_fini(&r);
    return CE_OK;
}

/* ce_sn_item_fn for one data filter, with its explanation (an error line too). */
static int df_item(const void *group, int i, const char *data, size_t len, bool *pass, char *err,
                   size_t errlen, struct ce_buf *why, const char *indent)
{
    const struct ce_sn_data_group *g = group;
    int rc = df_eval_item(&g->items[i], g->op_or, data, len, pass, err, errlen, why, indent, i);
    if (rc != CE_OK && why != NULL) {
        int w = ce_buf_printf(why, "%sdata[%d] %s: error: %s\n", indent, i, g->items[i].path, err);
        (void)w; /* an explanation cut short by the cap is still printed */
    }
    return rc;
}

int ce_sn_data_eval(const struct ce_sn_data_group *g, const char *data, size_t len, bool *pass,
                    char *err, size_t errlen, struct ce_buf *why, const char *indent)
{
    return ce_sn_group_run("data", g && g->op_or, g ? g->n : 0, df_item, g, data, len, pass, err,
                           errlen, why, indent);
}
