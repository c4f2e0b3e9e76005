/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's dig, merge/mergeOverwrite (mergo's rules for map[string]interface {}: nested dicts
 * merge in place, a key whose value is empty takes the source's, overwrite replaces the rest and
 * sets nulls) and deepCopy (copystructure: dicts and lists copied all the way down). */
#include "core/template/sprig_int.h"

static bool is_dict(const struct ce_tv *v)
{
    return v->kind == CE_TV_MAP && v->gotype == CE_TV_GO_DEFAULT;
}

/* What Go's failed type assertion to map[string]interface {} or string says. */
static int not_a(struct ce_tv_ctx *c, const struct ce_tv *v, const char *want)
{
    const char *have =
        v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID ? "nil" : ce_tv_type_name(v);
    return SPRIG_FAIL(c, "interface conversion: interface {} is %s, not %s", have, want);
}

static SPRIG_FN(fn_dig)
{
    if (n < 3) {
        return SPRIG_FAIL(c, "dig needs at least three arguments");
    }
    if (!is_dict(&a[n - 1])) {
        return not_a(c, &a[n - 1], "map[string]interface {}");
    }
    for (size_t i = 0; i < n - 2; i++) {
        if (a[i].kind != CE_TV_STRING) {
            return not_a(c, &a[i], "string");
        }
    }
    const struct ce_tv *dict = &a[n - 1];
    for (size_t i = 0; i < n - 2; i++) {
        const struct ce_tv *step = ce_tv_map_get(dict, S(a[i]), N(a[i]));
        if (!step) {
            *out = a[n - 2];
            return CE_OK;
        }
        if (i == n - 3) {
            *out = *step;
            return CE_OK;
        }
        if (!is_dict(step)) {
            return not_a(c, step, "map[string]interface {}");
        }
        dict = step;
    }
    return CE_OK; /* not reached: n >= 3 */
}

static void merge_into(struct ce_tv_ctx *c, struct ce_tv *dst, const struct ce_tv *src,
                       bool overwrite, int depth)
{
    if (depth > CE_TV_MAX_DEPTH) {
        ce_tv_abort(c, CE_ETOOBIG, "merge: values nested too deeply");
    }
    for (size_t i = 0; i < src->u.map->len; i++) {
        const struct ce_tv_entry *e = &src->u.map->e[i];
        const struct ce_tv s = e->val;
        struct ce_tv *d = ce_tv_map_get(dst, e->key, e->keylen);
        if (s.kind == CE_TV_NIL || s.kind == CE_TV_INVALID) {
            if (overwrite) {
                ce_tv_map_set(c, dst, e->key, e->keylen, ce_tv_nil());
            }
            continue;
        }
        bool both_maps = d && d->kind == CE_TV_MAP && s.kind == CE_TV_MAP;
        if (both_maps && is_dict(d)) {
            merge_into(c, d, &s, overwrite, depth + 1); /* in place: Go maps are shared */
        }
        if (d && !ce_tv_empty(d) && (s.kind == CE_TV_LIST ? !overwrite : both_maps)) {
            continue;
        }
        if (overwrite || !d || ce_tv_empty(d)) {
            ce_tv_map_set(c, dst, e->key, e->keylen, s);
        }
    }
}

static int merge_all(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, bool overwrite,
                     struct ce_tv *out)
{
    for (size_t i = 1; i < n; i++) {
        merge_into(c, &a[0], &a[i], overwrite, 0);
    }
    *out = a[0];
    return CE_OK;
}

static SPRIG_FN(fn_merge)
{
    return merge_all(c, a, n, false, out);
}

static SPRIG_FN(fn_merge_overwrite)
{
    return merge_all(c, a, n, true, out);
}

static struct ce_tv deep_copy(struct ce_tv_ctx *c, const struct ce_tv *v, int depth)
{
    if (depth > CE_TV_MAX_DEPTH) {
        ce_tv_abort(c, CE_ETOOBIG, "deepCopy: values nested too deeply");
    }
    if (v->kind == CE_TV_LIST) {
        struct ce_tv r = ce_tv_list_new(c, v->u.list->len, v->gotype);
        for (size_t i = 0; i < v->u.list->len; i++) {
            ce_tv_list_push(c, &r, deep_copy(c, &v->u.list->items[i], depth + 1));
        }
        return r;
    }
    if (v->kind == CE_TV_MAP) {
        struct ce_tv r = ce_tv_map_new(c, v->gotype);
        for (size_t i = 0; i < v->u.map->len; i++) {
            const struct ce_tv_entry *e = &v->u.map->e[i];
            ce_tv_map_set(c, &r, e->key, e->keylen, deep_copy(c, &e->val, depth + 1));
        }
        return r;
    }
    if (v->kind == CE_TV_TIME) {
        const struct ce_tv_time *t = v->u.t;
        return ce_tv_time_new(c, t->sec, t->nsec, t->offset, t->zone);
    }
    return *v; /* strings are immutable: sharing is a copy */
}

static SPRIG_FN(fn_deep_copy)
{
    (void)n;
    *out = deep_copy(c, &a[0], 0);
    return CE_OK;
}

#define ANY CE_FT_ANY
#define MAP CE_FT_MAP

const struct ce_fn ce_sprig_dict_fns[] = {
    {"dig", fn_dig, 0, 1, {ANY}},
    {"merge", fn_merge, 1, 1, {MAP, MAP}},
    {"mustMerge", fn_merge, 1, 1, {MAP, MAP}},
    {"mergeOverwrite", fn_merge_overwrite, 1, 1, {MAP, MAP}},
    {"mustMergeOverwrite", fn_merge_overwrite, 1, 1, {MAP, MAP}},
    {"deepCopy", fn_deep_copy, 1, 0, {ANY}},
    {"mustDeepCopy", fn_deep_copy, 1, 0, {ANY}},
};
const size_t ce_sprig_dict_nfns = sizeof ce_sprig_dict_fns / sizeof ce_sprig_dict_fns[0];
