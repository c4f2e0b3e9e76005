/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's defaults (default, empty, coalesce, ternary ...), lists, dicts, integer math and
 * conversions, and type inspection, with sprig's quirks: math goes through int64 (cast.ToInt64
 * truncates floats and parses strings with base prefixes), list functions refuse non-lists with
 * "Cannot find X on type T", and dict functions take map[string]interface {} only. */
#include "core/template/sprig_int.h"

#include <math.h>
#include <stdio.h>

static bool is_nil(const struct ce_tv *v)
{
    return v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID;
}

static SPRIG_FN(fn_default)
{
    (void)c;
    if (n < 2 || ce_tv_empty(&a[1])) {
        *out = a[0];
    }
    else {
        *out = a[1];
    }
    return CE_OK;
}

static SPRIG_FN(fn_empty)
{
    (void)c, (void)n;
    *out = ce_tv_bool(ce_tv_empty(&a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_coalesce)
{
    (void)c;
    *out = ce_tv_nil();
    for (size_t i = 0; i < n; i++) {
        if (!ce_tv_empty(&a[i])) {
            *out = a[i];
            break;
        }
    }
    return CE_OK;
}

static SPRIG_FN(fn_all)
{
    (void)c;
    bool r = true;
    for (size_t i = 0; i < n && r; i++) {
        r = !ce_tv_empty(&a[i]);
    }
    *out = ce_tv_bool(r);
    return CE_OK;
}

static SPRIG_FN(fn_any)
{
    (void)c;
    bool r = false;
    for (size_t i = 0; i < n && !r; i++) {
        r = !ce_tv_empty(&a[i]);
    }
    *out = ce_tv_bool(r);
    return CE_OK;
}

static SPRIG_FN(fn_ternary)
{
    (void)c, (void)n;
    *out = a[2].u.b ? a[0] : a[1];
    return CE_OK;
}

static SPRIG_FN(fn_list)
{
    struct ce_tv l = ce_tv_list_new(c, n, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < n; i++) {
        ce_tv_list_push(c, &l, a[i]);
    }
    *out = l;
    return CE_OK;
}

/* reflect.TypeOf(x).Kind() checks of sprig's list functions. */
static int need_list(struct ce_tv_ctx *c, const struct ce_tv *v, const char *what)
{
    if (v->kind == CE_TV_LIST) {
        return CE_OK;
    }
    if (is_nil(v)) {
        return SPRIG_FAIL(c, "runtime error: invalid memory address or nil pointer dereference");
    }
    static const char *const kinds[] = {"invalid", "interface", "bool", "int",   "float64",
                                        "string",  "slice",     "map",  "struct"};
    const char *k = kinds[v->kind];
    if (v->kind == CE_TV_INT && v->gotype == CE_TV_GO_INT64) {
        k = "int64";
    }
    return SPRIG_FAIL(c, "Cannot %s on type %s", what, k);
}

static struct ce_tv copy_list(struct ce_tv_ctx *c, const struct ce_tv *l, size_t from, size_t to,
                              size_t extra)
{
    struct ce_tv r = ce_tv_list_new(c, to - from + extra, CE_TV_GO_DEFAULT);
    for (size_t i = from; i < to; i++) {
        struct ce_tv e = l->u.list->items[i];
        ce_tv_list_push(c, &r, e);
    }
    return r;
}

/* Items of a []int or []string list keep their type, elements of []interface{} as they are. */
static SPRIG_FN(fn_first)
{
    (void)n;
    int rc = need_list(c, &a[0], "find first");
    if (rc != CE_OK) {
        return rc;
    }
    *out = a[0].u.list->len ? a[0].u.list->items[0] : ce_tv_nil();
    return CE_OK;
}

static SPRIG_FN(fn_last)
{
    (void)n;
    int rc = need_list(c, &a[0], "find last");
    if (rc != CE_OK) {
        return rc;
    }
    size_t len = a[0].u.list->len;
    *out = len ? a[0].u.list->items[len - 1] : ce_tv_nil();
    return CE_OK;
}

static SPRIG_FN(fn_rest)
{
    (void)n;
    int rc = need_list(c, &a[0], "find rest");
    if (rc != CE_OK) {
        return rc;
    }
    size_t len = a[0].u.list->len;
    *out = len ? copy_list(c, &a[0], 1, len, 0) : ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    return CE_OK;
}

static SPRIG_FN(fn_initial)
{
    (void)n;
    int rc = need_list(c, &a[0], "find initial");
    if (rc != CE_OK) {
        return rc;
    }
    size_t len = a[0].u.list->len;
    *out = len ? copy_list(c, &a[0], 0, len - 1, 0) : ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    return CE_OK;
}

static SPRIG_FN(fn_append)
{
    (void)n;
    int rc = need_list(c, &a[0], "push");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv r = copy_list(c, &a[0], 0, a[0].u.list->len, 1);
    ce_tv_list_push(c, &r, a[1]);
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_prepend)
{
    (void)n;
    int rc = need_list(c, &a[0], "prepend");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv r = ce_tv_list_new(c, a[0].u.list->len + 1, CE_TV_GO_DEFAULT);
    ce_tv_list_push(c, &r, a[1]);
    for (size_t i = 0; i < a[0].u.list->len; i++) {
        ce_tv_list_push(c, &r, a[0].u.list->items[i]);
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_reverse)
{
    (void)n;
    int rc = need_list(c, &a[0], "find reverse");
    if (rc != CE_OK) {
        return rc;
    }
    size_t len = a[0].u.list->len;
    struct ce_tv r = ce_tv_list_new(c, len, CE_TV_GO_DEFAULT);
    for (size_t i = len; i-- > 0;) {
        ce_tv_list_push(c, &r, a[0].u.list->items[i]);
    }
    *out = r;
    return CE_OK;
}

static bool in_list(const struct ce_tv *items, size_t n, const struct ce_tv *x)
{
    for (size_t i = 0; i < n; i++) {
        if (ce_tv_deep_equal(&items[i], x, 0)) {
            return true;
        }
    }
    return false;
}

static SPRIG_FN(fn_uniq)
{
    (void)n;
    int rc = need_list(c, &a[0], "find uniq");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < a[0].u.list->len; i++) {
        const struct ce_tv *x = &a[0].u.list->items[i];
        if (!in_list(r.u.list->items, r.u.list->len, x)) {
            ce_tv_list_push(c, &r, *x);
        }
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_without)
{
    int rc = need_list(c, &a[0], "find without");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < a[0].u.list->len; i++) {
        const struct ce_tv *x = &a[0].u.list->items[i];
        if (!in_list(a + 1, n - 1, x)) {
            ce_tv_list_push(c, &r, *x);
        }
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_compact)
{
    (void)n;
    int rc = need_list(c, &a[0], "compact");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < a[0].u.list->len; i++) {
        if (!ce_tv_empty(&a[0].u.list->items[i])) {
            ce_tv_list_push(c, &r, a[0].u.list->items[i]);
        }
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_has)
{
    (void)n;
    int rc = need_list(c, &a[1], "find has");
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv needle = a[0];
    *out = ce_tv_bool(in_list(a[1].u.list->items, a[1].u.list->len, &needle));
    return CE_OK;
}

static SPRIG_FN(fn_slice)
{
    if (a[0].kind != CE_TV_LIST) {
        if (is_nil(&a[0])) {
            return SPRIG_FAIL(c,
                              "runtime error: invalid memory address or nil pointer dereference");
        }
        return SPRIG_FAIL(c, "list should be type of slice or array but %s",
                          a[0].kind == CE_TV_STRING ? "string" : ce_tv_type_name(&a[0]));
    }
    int64_t len = (int64_t)a[0].u.list->len;
    if (len == 0) {
        *out = ce_tv_nil();
        return CE_OK;
    }
    int64_t start = n > 1 ? ce_sprig_to_int64(&a[1]) : 0;
    int64_t end = n > 2 ? ce_sprig_to_int64(&a[2]) : len;
    if (start < 0 || end < start || end > len) {
        return SPRIG_FAIL(c, "reflect: slice index out of range");
    }
    struct ce_tv r = copy_list(c, &a[0], (size_t)start, (size_t)end, 0);
    r.gotype = a[0].gotype;
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_concat)
{
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    for (size_t k = 0; k < n; k++) {
        if (a[k].kind != CE_TV_LIST) {
            return SPRIG_FAIL(c, "Cannot concat type %s as list", ce_tv_type_name(&a[k]));
        }
        for (size_t i = 0; i < a[k].u.list->len; i++) {
            ce_tv_list_push(c, &r, a[k].u.list->items[i]);
        }
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_dict)
{
    struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
    for (size_t i = 0; i < n; i += 2) {
        struct ce_tv k = ce_tv_sprint(c, &a[i]);
        ce_tv_map_set(c, &m, S(k), N(k), i + 1 < n ? a[i + 1] : ce_tv_str("", 0));
    }
    *out = m;
    return CE_OK;
}

static SPRIG_FN(fn_get)
{
    (void)c, (void)n;
    struct ce_tv *v = ce_tv_map_get(&a[0], S(a[1]), N(a[1]));
    *out = v ? *v : ce_tv_str("", 0);
    return CE_OK;
}

static SPRIG_FN(fn_set)
{
    (void)n;
    ce_tv_map_set(c, &a[0], S(a[1]), N(a[1]), a[2]);
    *out = a[0];
    return CE_OK;
}

static SPRIG_FN(fn_unset)
{
    (void)c, (void)n;
    ce_tv_map_del(&a[0], S(a[1]), N(a[1]));
    *out = a[0];
    return CE_OK;
}

static SPRIG_FN(fn_has_key)
{
    (void)c, (void)n;
    *out = ce_tv_bool(ce_tv_map_get(&a[0], S(a[1]), N(a[1])) != NULL);
    return CE_OK;
}

static SPRIG_FN(fn_pluck)
{
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_DEFAULT);
    for (size_t i = 1; i < n; i++) {
        struct ce_tv *v = ce_tv_map_get(&a[i], S(a[0]), N(a[0]));
        if (v) {
            ce_tv_list_push(c, &r, *v);
        }
    }
    *out = r;
    return CE_OK;
}

/* Go leaves the order of keys/values to map iteration (random); key order is used here. */
static SPRIG_FN(fn_keys)
{
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_STRINGS);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < a[i].u.map->len; k++) {
            const struct ce_tv_entry *e = &a[i].u.map->e[k];
            ce_tv_list_push(c, &r, ce_tv_str(e->key, e->keylen));
        }
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_values)
{
    (void)n;
    struct ce_tv r = ce_tv_list_new(c, a[0].u.map->len, CE_TV_GO_DEFAULT);
    for (size_t k = 0; k < a[0].u.map->len; k++) {
        ce_tv_list_push(c, &r, a[0].u.map->e[k].val);
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_pick)
{
    struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
    for (size_t i = 1; i < n; i++) {
        struct ce_tv *v = ce_tv_map_get(&a[0], S(a[i]), N(a[i]));
        if (v) {
            ce_tv_map_set(c, &m, S(a[i]), N(a[i]), *v);
        }
    }
    *out = m;
    return CE_OK;
}

static SPRIG_FN(fn_omit)
{
    struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
    for (size_t k = 0; k < a[0].u.map->len; k++) {
        const struct ce_tv_entry *e = &a[0].u.map->e[k];
        bool drop = false;
        for (size_t i = 1; i < n && !drop; i++) {
            drop = N(a[i]) == e->keylen && memcmp(S(a[i]), e->key, e->keylen) == 0;
        }
        if (!drop) {
            ce_tv_map_set(c, &m, e->key, e->keylen, e->val);
        }
    }
    *out = m;
    return CE_OK;
}

#define STR CE_FT_STRING
#define INT CE_FT_INT
#define ANY CE_FT_ANY
#define MAP CE_FT_MAP

const struct ce_fn ce_sprig_list_fns[] = {
    {"default", fn_default, 1, 1, {ANY, ANY}},
    {"empty", fn_empty, 1, 0, {ANY}},
    {"coalesce", fn_coalesce, 0, 1, {ANY}},
    {"all", fn_all, 0, 1, {ANY}},
    {"any", fn_any, 0, 1, {ANY}},
    {"ternary", fn_ternary, 3, 0, {ANY, ANY, CE_FT_BOOL}},
    {"list", fn_list, 0, 1, {ANY}},
    {"tuple", fn_list, 0, 1, {ANY}},
    {"first", fn_first, 1, 0, {ANY}},
    {"last", fn_last, 1, 0, {ANY}},
    {"rest", fn_rest, 1, 0, {ANY}},
    {"initial", fn_initial, 1, 0, {ANY}},
    {"append", fn_append, 2, 0, {ANY, ANY}},
    {"push", fn_append, 2, 0, {ANY, ANY}},
    {"prepend", fn_prepend, 2, 0, {ANY, ANY}},
    {"reverse", fn_reverse, 1, 0, {ANY}},
    {"uniq", fn_uniq, 1, 0, {ANY}},
    {"without", fn_without, 1, 1, {ANY, ANY}},
    {"compact", fn_compact, 1, 0, {ANY}},
    {"has", fn_has, 2, 0, {ANY, ANY}},
    {"slice", fn_slice, 1, 1, {ANY, ANY}},
    {"concat", fn_concat, 0, 1, {ANY}},
    {"dict", fn_dict, 0, 1, {ANY}},
    {"get", fn_get, 2, 0, {MAP, STR}},
    {"set", fn_set, 3, 0, {MAP, STR, ANY}},
    {"unset", fn_unset, 2, 0, {MAP, STR}},
    {"hasKey", fn_has_key, 2, 0, {MAP, STR}},
    {"pluck", fn_pluck, 1, 1, {STR, MAP}},
    {"keys", fn_keys, 0, 1, {MAP}},
    {"values", fn_values, 1, 0, {MAP}},
    {"pick", fn_pick, 1, 1, {MAP, STR}},
    {"omit", fn_omit, 1, 1, {MAP, STR}},
};
const size_t ce_sprig_list_nfns = sizeof ce_sprig_list_fns / sizeof ce_sprig_list_fns[0];
