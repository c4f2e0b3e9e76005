/* SPDX-License-Identifier: Apache-2.0 */
/* JSONPath queries: applying compiled tokens to a document. Each token applies itself to the
 * current value and hands the result to the rest of the path; list-building tokens (wildcard,
 * recursive descent, range, union, filter) run the rest per item and drop items that fail or
 * come out nil, as the reference engine does. Values are jansson references; NULL is Go's nil. */
#include "core/json/jsonpath_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int jp_fail(struct jp_ec *c, int rc, unsigned flags, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->flags = flags;
    if (rc == CE_ETOOBIG) {
        c->fatal = true;
        c->fatal_rc = rc;
    }
    return rc;
}

int jp_step(struct jp_ec *c)
{
    if (c->fatal) {
        return CE_ETOOBIG;
    }
    if (++c->steps > CE_JSONPATH_STEPS_MAX) {
        return jp_fail(c, CE_ETOOBIG, 0, "query needs more than %d steps", CE_JSONPATH_STEPS_MAX);
    }
    return CE_OK;
}

/* errors.Is-style wrapping: "<type>: invalid token <reason>" unless already a token error. */
static int wrap_token(struct jp_ec *c, int rc, const char *type)
{
    if (c->fatal || (c->flags & JE_TOKEN)) {
        return rc;
    }
    char m[JP_MSG_MAX];
    snprintf(m, sizeof m, "%s", c->msg);
    return jp_fail(c, rc, JE_TOKEN, "%s: invalid token %s", type, m);
}

static int wrap_expr(struct jp_ec *c, int rc)
{
    if (c->fatal || (c->flags & JE_EXPR)) {
        return rc;
    }
    char m[JP_MSG_MAX];
    snprintf(m, sizeof m, "%s", c->msg);
    return jp_fail(c, rc, JE_EXPR, "invalid expression. %s", m);
}

static bool is_nil(const json_t *j)
{
    return j == NULL || json_is_null(j);
}

const char *jp_json_kind(const json_t *j)
{
    if (is_nil(j)) {
        return "nil";
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "map";
    case JSON_ARRAY:
        return "slice";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "int64";
    case JSON_REAL:
        return "float64";
    default:
        return "bool";
    }
}

static int target_error(struct jp_ec *c, const char *type, const char *want, const json_t *got)
{
    return jp_fail(c, CE_EINVAL, JE_TOKEN, "%s: invalid token target. expected %s got [%s]", type,
                   want, jp_json_kind(got));
}

int jp_cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of obj in byte order (the order Go's reflect-based walk uses here). */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
    size_t k = 0;
    const char **keys = ce_xcalloc(json_object_size(obj) + 1, sizeof *keys);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val)
    {
        keys[k++] = key;
    }
    qsort(keys, k, sizeof *keys, jp_cmp_keys);
    *n = k;
    return keys;
}

static json_t *ref(json_t *j)
{
    return is_nil(j) ? NULL : json_incref(j);
}

/* Appends v (a reference that is taken; NULL = nil) to list. */
static int list_add(struct jp_ec *c, json_t *list, json_t *v)
{
    if (json_array_size(list) >= CE_JSONPATH_RESULTS_MAX) {
        if (v != NULL) {
            json_decref(v);
        }
        return jp_fail(c, CE_ETOOBIG, 0, "query result has more than %d items",
                       CE_JSONPATH_RESULTS_MAX);
    }
    json_array_append_new(list, v != NULL ? v : json_null());
    return CE_OK;
}

/* Passes val (borrowed) to the rest of the path, or returns it when the path ends. */
static int then(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *val,
                json_t **out)
{
    if (n > 1) {
        return jp_apply(c, t + 1, n - 1, root, val, out);
    }
    *out = ref(val);
    return CE_OK;
}

/* The rest of the path on one item of a list-building token; failures and nil drop the item. */
static int each_item(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *item,
                     json_t *list)
{
    if (n <= 1) {
        return list_add(c, list, ref(item));
    }
    json_t *r = NULL;
    (void)jp_apply(c, t + 1, n - 1, root, item, &r);
    if (c->fatal) {
        if (r != NULL) {
            json_decref(r);
        }
        return CE_ETOOBIG;
    }
    return r != NULL ? list_add(c, list, r) : CE_OK;
}

static int apply_key(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
                     json_t **out)
{
    if (is_nil(cur) || !json_is_object(cur)) {
        return target_error(c, "key", "[map]", cur);
    }
    json_t *v = json_object_get(cur, t->key);
    if (v == NULL) {
        return jp_fail(c, CE_EINVAL, JE_TOKEN, "key: invalid token key '%s' not found", t->key);
    }
    return then(c, t, n, root, v, out);
}

static int apply_index(struct jp_ec *c, const struct jp_tok *t, size_t n, int64_t idx, json_t *root,
                       json_t *cur, json_t **out)
{
    if (is_nil(cur) || !json_is_array(cur)) {
        return target_error(c, "index", "[array slice]", cur);
    }
    int64_t len = (int64_t)json_array_size(cur);
    if (idx < 0) {
        idx += len;
    }
    if (idx < 0 || idx >= len) {
        return jp_fail(c, CE_EINVAL, JE_TOKEN, "index: invalid token out of range");
    }
    return then(c, t, n, root, json_array_get(cur, (size_t)idx), out);
}

static int apply_wildcard(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root,
                          json_t *cur, json_t **out)
{
    if (is_nil(cur) || !(json_is_object(cur) || json_is_array(cur))) {
        return target_error(c, "wildcard", "[array map slice]", cur);
    }
    json_t *list = json_array();
    int rc = CE_OK;
    if (json_is_array(cur)) {
        for (size_t i = 0; i < json_array_size(cur) && rc == CE_OK; i++) {
            rc = each_item(c, t, n, root, json_array_get(cur, i), list);
        }
    }
    else {
        size_t nk;
        const char **keys = sorted_keys(cur, &nk);
        for (size_t i = 0; i < nk && rc == CE_OK; i++) {
            rc = each_item(c, t, n, root, json_object_get(cur, keys[i]), list);
        }
        ce_free(keys);
    }
    if (rc != CE_OK) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return CE_OK;
}

static int descend(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
                   json_t *list, int depth)
{
    if (is_nil(cur)) {
        return CE_OK;
    }
    if (depth > CE_JSONPATH_DOC_DEPTH_MAX) {
        return jp_fail(c, CE_ETOOBIG, 0, "document nested deeper than %d levels",
                       CE_JSONPATH_DOC_DEPTH_MAX);
    }
    int rc = jp_step(c);
    if (rc != CE_OK) {
        return rc;
    }
    if (n > 1) {
        json_t *r = NULL;
        (void)jp_apply(c, t + 1, n - 1, root, cur, &r);
        if (c->fatal) {
            rc = CE_ETOOBIG;
        }
        else if (r != NULL && json_is_array(r)) {
            for (size_t i = 0; i < json_array_size(r) && rc == CE_OK; i++) {
                rc = list_add(c, list, ref(json_array_get(r, i)));
            }
        }
        else if (r != NULL) {
            rc = list_add(c, list, json_incref(r));
        }
        if (r != NULL) {
            json_decref(r);
        }
    }
    else {
        rc = list_add(c, list, ref(cur));
    }
    if (rc == CE_OK && json_is_array(cur)) {
        for (size_t i = 0; i < json_array_size(cur) && rc == CE_OK; i++) {
            rc = descend(c, t, n, root, json_array_get(cur, i), list, depth + 1);
        }
    }
    else if (rc == CE_OK && json_is_object(cur)) {
        size_t nk;
        const char **keys = sorted_keys(cur, &nk);
        for (size_t i = 0; i < nk && rc == CE_OK; i++) {
            rc = descend(c, t, n, root, json_object_get(cur, keys[i]), list, depth + 1);
        }
        ce_free(keys);
    }
    return rc;
}

static int apply_length(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root,
                        json_t *cur, json_t **out)
{
    json_t *v;
    if (!is_nil(cur) && json_is_object(cur)) {
        json_t *own = json_object_get(cur, "length");
        v = own != NULL ? json_incref(own) : json_integer((json_int_t)json_object_size(cur));
    }
    else if (!is_nil(cur) && json_is_array(cur)) {
        v = json_integer((json_int_t)json_array_size(cur));
    }
    else if (!is_nil(cur) && json_is_string(cur)) {
        v = json_integer((json_int_t)json_string_length(cur));
    }
    else {
        return target_error(c, "length", "[array map slice string]", cur);
    }
    int rc = then(c, t, n, root, v, out);
    json_decref(v);
    return rc;
}

/* A range bound: a literal int or an expression's integral value. */
static int range_arg(struct jp_ec *c, const struct jp_arg *a, json_t *root, json_t *cur, int64_t *v)
{
    if (a->k == JA_INT) {
        *v = a->i;
        return CE_OK;
    }
    struct jp_sv r;
    int rc = jp_script_eval(c, a->x, root, cur, &r);
    if (rc != CE_OK) {
        return wrap_token(c, wrap_expr(c, rc), "range");
    }
    if (r.k == SV_NIL || !jp_sv_integer(&r, v)) {
        rc = jp_fail(c, CE_EINVAL, JE_TOKEN,
                     "range: invalid token unexpected expression result. expected [int] got [%s]",
                     jp_sv_kind(&r));
    }
    jp_sv_clear(&r);
    return rc;
}

static int64_t clamp_bound(int64_t v, int64_t len)
{
    if (v < 0) {
        v += len;
    }
    return v < 0 ? 0 : v > len ? len : v;
}

/* The rest of the path after a range/union/filter list: an index applies to the whole list,
 * anything else was already applied per item. */
static int finish_list(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root,
                       json_t *list, bool for_each, json_t **out)
{
    if (!for_each && n > 1) {
        int rc = jp_apply(c, t + 1, n - 1, root, list, out);
        json_decref(list);
        return rc;
    }
    *out = list;
    return CE_OK;
}

static int apply_range(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
                       json_t **out)
{
    if (is_nil(cur) || !json_is_array(cur)) {
        return target_error(c, "range", "[array slice]", cur);
    }
    int64_t len = (int64_t)json_array_size(cur), from = 0, to = len, step = 1;
    int rc = CE_OK;
    if (t->args[0].k != JA_NIL && (rc = range_arg(c, &t->args[0], root, cur, &from)) == CE_OK) {
        from = clamp_bound(from, len);
    }
    if (rc == CE_OK && t->args[1].k != JA_NIL &&
        (rc = range_arg(c, &t->args[1], root, cur, &to)) == CE_OK) {
        to = clamp_bound(to, len);
    }
    if (rc == CE_OK && t->args[2].k != JA_NIL &&
        (rc = range_arg(c, &t->args[2], root, cur, &step)) == CE_OK && step == 0) {
        rc = jp_fail(c, CE_EINVAL, JE_TOKEN, "range: invalid token out of range");
    }
    if (rc != CE_OK) {
        return rc;
    }
    bool for_each = n > 1 && t[1].k != JT_INDEX;
    json_t *list = json_array();
    if (step > 0) {
        for (int64_t i = from; i < to && rc == CE_OK; i = (step > to - i) ? to : i + step) {
            rc = for_each ? each_item(c, t, n, root, json_array_get(cur, (size_t)i), list)
                          : list_add(c, list, ref(json_array_get(cur, (size_t)i)));
        }
    }
    else {
        for (int64_t i = to - 1; i >= from && rc == CE_OK; i = (i + step < from) ? -1 : i + step) {
            rc = for_each ? each_item(c, t, n, root, json_array_get(cur, (size_t)i), list)
                          : list_add(c, list, ref(json_array_get(cur, (size_t)i)));
        }
    }
    if (rc != CE_OK) {
        json_decref(list);
        return rc;
    }
    return finish_list(c, t, n, root, list, for_each, out);
}

/* A union member: a key (string) or an index. */
static int union_arg(struct jp_ec *c, const struct jp_arg *a, json_t *root, json_t *cur, char **key,
                     int64_t *idx)
{
    *key = NULL;
    if (a->k == JA_INT) {
        *idx = a->i;
        return CE_OK;
    }
    if (a->k == JA_STR) {
        *key = ce_xstrdup(a->s);
        return CE_OK;
    }
    struct jp_sv r;
    int rc = jp_script_eval(c, a->x, root, cur, &r);
    if (rc != CE_OK) {
        return wrap_token(c, wrap_expr(c, rc), "union");
    }
    if (r.k == SV_STR) {
        *key = r.s;
        r.s = NULL;
    }
    else if (r.k == SV_NIL || !jp_sv_integer(&r, idx)) {
        rc = jp_fail(c, CE_EINVAL, JE_TOKEN,
                     "union: invalid token argument. expected [int string] got [%s]",
                     jp_sv_kind(&r));
    }
    jp_sv_clear(&r);
    return rc;
}

static int apply_union(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
                       json_t **out)
{
    char **keys = ce_xcalloc(t->nargs + 1, sizeof *keys);
    int64_t *idx = ce_xcalloc(t->nargs + 1, sizeof *idx);
    size_t nk = 0, ni = 0;
    int rc = CE_OK;
    for (size_t i = 0; i < t->nargs && rc == CE_OK; i++) {
        char *k;
        int64_t x = 0;
        rc = union_arg(c, &t->args[i], root, cur, &k, &x);
        if (rc == CE_OK && k != NULL) {
            keys[nk++] = k;
            if (ni > 0) {
                rc = jp_fail(c, CE_EINVAL, JE_TOKEN,
                             "union: invalid token argument. expected [int] got [string]");
            }
        }
        else if (rc == CE_OK) {
            idx[ni++] = x;
            if (nk > 0) {
                rc = jp_fail(c, CE_EINVAL, JE_TOKEN,
                             "union: invalid token argument. expected [string] got [int]");
            }
        }
    }
    bool by_key = nk > 0;
    if (rc == CE_OK && by_key && (is_nil(cur) || !json_is_object(cur))) {
        rc = target_error(c, "union", "[map]", cur);
    }
    if (rc == CE_OK && !by_key && (is_nil(cur) || !json_is_array(cur))) {
        rc = target_error(c, "union", "[array slice]", cur);
    }
    json_t *list = rc == CE_OK ? json_array() : NULL;
    bool for_each = n > 1 && t[1].k != JT_INDEX;
    for (size_t i = 0; rc == CE_OK && i < (by_key ? nk : ni); i++) {
        json_t *v;
        if (by_key) {
            v = json_object_get(cur, keys[i]);
        }
        else {
            int64_t len = (int64_t)json_array_size(cur), x = idx[i] < 0 ? idx[i] + len : idx[i];
            v = x >= 0 && x < len ? json_array_get(cur, (size_t)x) : NULL;
        }
        if (v != NULL) {
            rc = for_each ? each_item(c, t, n, root, v, list) : list_add(c, list, ref(v));
        }
    }
    for (size_t i = 0; i < nk; i++) {
        ce_free(keys[i]);
    }
    ce_free(keys);
    ce_free(idx);
    if (rc != CE_OK) {
        if (list != NULL) {
            json_decref(list);
        }
        return rc;
    }
    return finish_list(c, t, n, root, list, for_each, out);
}

/* Whether a filter value selects its item: true, non-empty collections and strings (quotes
 * stripped once), non-zero numbers. */
static bool include(const struct jp_sv *v)
{
    switch (v->k) {
    case SV_NIL:
        return false;
    case SV_BOOL:
        return v->b;
    case SV_JSON:
        return json_is_array(v->j) ? json_array_size(v->j) > 0 : json_object_size(v->j) > 0;
    case SV_STR:
        if (v->n > 1 && ((v->s[0] == '\'' && v->s[v->n - 1] == '\'') ||
                         (v->s[0] == '"' && v->s[v->n - 1] == '"'))) {
            return v->n > 2;
        }
        return v->n > 0;
    case SV_F64: {
        uint64_t bits;
        memcpy(&bits, &v->f, sizeof bits);
        return bits != 0;
    }
    default:
        return v->i != 0;
    }
}

static int filter_item(struct jp_ec *c, const struct jp_tok *t, json_t *root, json_t *item,
                       json_t *list)
{
    struct jp_sv r;
    int rc = jp_script_eval(c, t->script, root, item, &r);
    if (c->fatal) {
        jp_sv_clear(&r);
        return rc != CE_OK ? rc : CE_ETOOBIG;
    }
    bool keep = rc == CE_OK && include(&r);
    jp_sv_clear(&r);
    return keep ? list_add(c, list, ref(item)) : CE_OK;
}

static int apply_filter(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root,
                        json_t *cur, json_t **out)
{
    if (t->script->src[0] == '\0') {
        return jp_fail(c, CE_EINVAL, JE_EXPR, "invalid expression. is empty");
    }
    if (is_nil(cur) || !(json_is_object(cur) || json_is_array(cur))) {
        return target_error(c, "filter", "[array map slice]", cur);
    }
    json_t *list = json_array();
    int rc = CE_OK;
    if (json_is_array(cur)) {
        for (size_t i = 0; i < json_array_size(cur) && rc == CE_OK; i++) {
            rc = filter_item(c, t, root, json_array_get(cur, i), list);
        }
    }
    else {
        size_t nk;
        const char **keys = sorted_keys(cur, &nk);
        for (size_t i = 0; i < nk && rc == CE_OK; i++) {
            rc = filter_item(c, t, root, json_object_get(cur, keys[i]), list);
        }
        ce_free(keys);
    }
    if (rc != CE_OK || n <= 1) {
        if (rc != CE_OK) {
            json_decref(list);
            return rc;
        }
        *out = list;
        return CE_OK;
    }
    if (t[1].k == JT_INDEX) {
        /* the reference engine passes the filtered node as the root here */
        rc = jp_apply(c, t + 1, n - 1, cur, list, out);
        json_decref(list);
        return rc;
    }
    json_t *res = json_array();
    for (size_t i = 0; i < json_array_size(list) && rc == CE_OK; i++) {
        rc = each_item(c, t, n, root, json_array_get(list, i), res);
    }
    json_decref(list);
    if (rc != CE_OK) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return CE_OK;
}

static int apply_script(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root,
                        json_t *cur, json_t **out)
{
    if (t->script->src[0] == '\0') {
        return jp_fail(c, CE_EINVAL, JE_EXPR, "invalid expression. is empty");
    }
    struct jp_sv r;
    int rc = jp_script_eval(c, t->script, root, cur, &r);
    if (rc != CE_OK) {
        return wrap_expr(c, rc);
    }
    int64_t idx;
    if (r.k == SV_STR) {
        struct jp_tok k = *t;
        k.k = JT_KEY;
        k.key = r.s;
        /* the key token stands in for this one: same rest of the path */
        struct jp_tok *tmp = ce_xcalloc(n, sizeof *tmp);
        memcpy(tmp, t, n * sizeof *tmp);
        tmp[0] = k;
        rc = apply_key(c, tmp, n, root, cur, out);
        ce_free(tmp);
    }
    else if (r.k != SV_NIL && jp_sv_integer(&r, &idx)) {
        rc = apply_index(c, t, n, idx, root, cur, out);
    }
    else {
        rc =
            jp_fail(c, CE_EINVAL, 0, "unexpected expression result. expected [int string] got [%s]",
                    jp_sv_kind(&r));
    }
    jp_sv_clear(&r);
    return rc;
}

int jp_apply(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
             json_t **out)
{
    *out = NULL;
    int rc = jp_step(c);
    if (rc != CE_OK) {
        return rc;
    }
    if (c->depth >= CE_JSONPATH_DEPTH_MAX * 8) {
        return jp_fail(c, CE_ETOOBIG, 0, "query nested too deeply");
    }
    c->depth++;
    switch (t->k) {
    case JT_ROOT:
        rc = then(c, t, n, root, root, out);
        break;
    case JT_CURRENT:
        rc = then(c, t, n, root, cur, out);
        break;
    case JT_KEY:
        rc = apply_key(c, t, n, root, cur, out);
        break;
    case JT_INDEX:
        rc = apply_index(c, t, n, t->index, root, cur, out);
        break;
    case JT_WILDCARD:
        rc = apply_wildcard(c, t, n, root, cur, out);
        break;
    case JT_RECURSIVE:
        *out = json_array();
        rc = descend(c, t, n, root, cur, *out, 0);
        break;
    case JT_LENGTH:
        rc = apply_length(c, t, n, root, cur, out);
        break;
    case JT_RANGE:
        rc = apply_range(c, t, n, root, cur, out);
        break;
    case JT_UNION:
        rc = apply_union(c, t, n, root, cur, out);
        break;
    case JT_FILTER:
        rc = apply_filter(c, t, n, root, cur, out);
        break;
    default:
        rc = apply_script(c, t, n, root, cur, out);
        break;
    }
    c->depth--;
    if (rc != CE_OK && *out != NULL) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int ce_jsonpath_query(const char *path, const json_t *doc, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    size_t len = strnlen(path, CE_JSONPATH_PATH_MAX + 1);
    if (len > CE_JSONPATH_PATH_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "JSONPath selector longer than %d bytes",
                          CE_JSONPATH_PATH_MAX);
    }
    struct jp_cc *cc = ce_xcalloc(1, sizeof *cc);
    struct jp_path p;
    int rc = jp_compile(cc, path, len, &p);
    if (rc != CE_OK) {
        if (rc == CE_ETOOBIG) {
            ce_rc_fail(rc, err, errlen, "%s", cc->msg);
        }
        else {
            ce_rc_fail(CE_EPARSE, err, errlen, "invalid JSONPath selector '%s' %s", path, cc->msg);
            rc = CE_EPARSE;
        }
        ce_free(cc);
        return rc;
    }
    ce_free(cc);
    struct jp_ec *c = ce_xcalloc(1, sizeof *c);
    json_t *root = (json_t *)doc;
    json_t *res = NULL;
    rc = jp_apply(c, p.t, p.n, root, root, &res);
    if (rc != CE_OK) {
        rc = c->fatal ? c->fatal_rc : CE_EINVAL;
        ce_rc_fail(rc, err, errlen, "%s", c->msg);
    }
    else {
        *out = res != NULL ? res : json_null();
    }
    ce_free(c);
    jp_path_free(&p);
    return rc;
}
