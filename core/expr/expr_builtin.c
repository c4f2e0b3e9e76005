/* SPDX-License-Identifier: Apache-2.0 */
/* expr-lang builtins cevents implements (len, abs, int, float, string, upper, lower, trim*,
 * split, join, hasPrefix, hasSuffix, indexOf, type, toJSON, keys, values, first, last), the
 * predicates all/any/none/one/filter/map/count over a closure on #, and named calls: the
 * caller's function table first, then the extras Argo Events puts in the env (toJson, asInt,
 * asFloat). String case mapping and trimming are ASCII-only. */
#include "core/expr/expr_int.h"
#include "core/go/goparse.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct bi_def {
    const char *name;
    enum ce_expr_builtin id;
    bool pred;
    unsigned min, max;
};

static const struct bi_def bi_defs[] = {
    {"all", CE_BI_ALL, true, 2, 2},
    {"none", CE_BI_NONE_OF, true, 2, 2},
    {"any", CE_BI_ANY, true, 2, 2},
    {"one", CE_BI_ONE, true, 2, 2},
    {"filter", CE_BI_FILTER, true, 2, 2},
    {"map", CE_BI_MAP, true, 2, 2},
    {"count", CE_BI_COUNT, true, 2, 2},
    {"find", CE_BI_UNSUPPORTED, true, 2, 2},
    {"findIndex", CE_BI_UNSUPPORTED, true, 2, 2},
    {"findLast", CE_BI_UNSUPPORTED, true, 2, 2},
    {"findLastIndex", CE_BI_UNSUPPORTED, true, 2, 2},
    {"groupBy", CE_BI_UNSUPPORTED, true, 2, 2},
    {"reduce", CE_BI_UNSUPPORTED, true, 2, 3},
    {"len", CE_BI_LEN, false, 1, 1},
    {"type", CE_BI_TYPE, false, 1, 1},
    {"abs", CE_BI_ABS, false, 1, 1},
    {"int", CE_BI_INT, false, 1, 1},
    {"float", CE_BI_FLOAT, false, 1, 1},
    {"string", CE_BI_STRING, false, 1, 1},
    {"trim", CE_BI_TRIM, false, 1, 2},
    {"trimPrefix", CE_BI_TRIM_PREFIX, false, 1, 2},
    {"trimSuffix", CE_BI_TRIM_SUFFIX, false, 1, 2},
    {"upper", CE_BI_UPPER, false, 1, 1},
    {"lower", CE_BI_LOWER, false, 1, 1},
    {"split", CE_BI_SPLIT, false, 2, 3},
    {"join", CE_BI_JOIN, false, 1, 2},
    {"indexOf", CE_BI_INDEX_OF, false, 2, 2},
    {"hasPrefix", CE_BI_HAS_PREFIX, false, 2, 2},
    {"hasSuffix", CE_BI_HAS_SUFFIX, false, 2, 2},
    {"toJSON", CE_BI_TO_JSON_INDENT, false, 1, 1},
    {"keys", CE_BI_KEYS, false, 1, 1},
    {"values", CE_BI_VALUES, false, 1, 1},
    {"first", CE_BI_FIRST, false, 1, 1},
    {"last", CE_BI_LAST, false, 1, 1},
    {"ceil", CE_BI_UNSUPPORTED, false, 1, 1},
    {"floor", CE_BI_UNSUPPORTED, false, 1, 1},
    {"round", CE_BI_UNSUPPORTED, false, 1, 1},
    {"splitAfter", CE_BI_UNSUPPORTED, false, 2, 3},
    {"replace", CE_BI_UNSUPPORTED, false, 2, 3},
    {"repeat", CE_BI_UNSUPPORTED, false, 2, 2},
    {"lastIndexOf", CE_BI_UNSUPPORTED, false, 2, 2},
    {"max", CE_BI_UNSUPPORTED, false, 1, 32},
    {"min", CE_BI_UNSUPPORTED, false, 1, 32},
    {"sum", CE_BI_UNSUPPORTED, false, 1, 1},
    {"mean", CE_BI_UNSUPPORTED, false, 1, 1},
    {"median", CE_BI_UNSUPPORTED, false, 1, 1},
    {"fromJSON", CE_BI_UNSUPPORTED, false, 1, 1},
    {"toBase64", CE_BI_UNSUPPORTED, false, 1, 1},
    {"fromBase64", CE_BI_UNSUPPORTED, false, 1, 1},
    {"now", CE_BI_UNSUPPORTED, false, 0, 0},
    {"duration", CE_BI_UNSUPPORTED, false, 1, 1},
    {"date", CE_BI_UNSUPPORTED, false, 1, 3},
    {"get", CE_BI_UNSUPPORTED, false, 2, 2},
    {"take", CE_BI_UNSUPPORTED, false, 2, 2},
    {"toPairs", CE_BI_UNSUPPORTED, false, 1, 1},
    {"fromPairs", CE_BI_UNSUPPORTED, false, 1, 1},
    {"sort", CE_BI_UNSUPPORTED, false, 1, 2},
    {"sortBy", CE_BI_UNSUPPORTED, false, 2, 3},
};

static const struct bi_def *bi_find(enum ce_expr_builtin id, const char *name)
{
    for (size_t i = 0; i < sizeof bi_defs / sizeof bi_defs[0]; i++) {
        if (name != NULL ? strcmp(bi_defs[i].name, name) == 0 : bi_defs[i].id == id) {
            return &bi_defs[i];
        }
    }
    return NULL;
}

enum ce_expr_builtin ce_expr_builtin_lookup(const char *name, size_t len, bool *predicate)
{
    *predicate = false;
    for (size_t i = 0; i < sizeof bi_defs / sizeof bi_defs[0]; i++) {
        if (strlen(bi_defs[i].name) == len && memcmp(bi_defs[i].name, name, len) == 0) {
            *predicate = bi_defs[i].pred;
            return bi_defs[i].id;
        }
    }
    return CE_BI_NONE;
}

int ce_expr_builtin_arity(enum ce_expr_builtin b, size_t nargs, char *msg, size_t msglen)
{
    const struct bi_def *d = bi_find(b, NULL);
    if (d == NULL || (nargs >= d->min && nargs <= d->max)) {
        return CE_OK;
    }
    if (d->min == d->max) {
        return ce_rc_fail(CE_EPARSE, msg, msglen,
                          "invalid number of arguments (expected %u, got %zu)", d->min, nargs);
    }
    return ce_rc_fail(CE_EPARSE, msg, msglen,
                      "invalid number of arguments for %s (expected %u or %u, got %zu)", d->name,
                      d->min, d->max, nargs);
}

static int not_string(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v)
{
    return ce_expr_fail(c, idx, CE_EINVAL, "interface conversion: interface {} is %s, not string",
                        v->kind == CE_VALUE_NULL ? "nil" : ce_value_go_type(v));
}

static int need_strings(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (args[i]->kind != CE_VALUE_STRING) {
            return not_string(c, idx, args[i]);
        }
    }
    return CE_OK;
}

static int64_t f2i(double f)
{
    return f >= -9223372036854775808.0 && f < 9223372036854775808.0 ? (int64_t)f : INT64_MIN;
}

static int bi_int(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v,
                  struct ce_value **out)
{
    if (v->kind == CE_VALUE_INT) {
        *out = ce_value_int(v->u.i);
        return CE_OK;
    }
    if (v->kind == CE_VALUE_FLOAT) {
        *out = ce_value_int(f2i(v->u.f));
        return CE_OK;
    }
    if (v->kind == CE_VALUE_STRING) {
        /* strconv.Atoi: optional sign, decimal digits, within int64 */
        const char *s = v->u.s.p;
        char *end = NULL;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        bool digits = s[0] != '\0' && (s[0] == '+' || s[0] == '-' ? s[1] >= '0' && s[1] <= '9'
                                                                  : s[0] >= '0' && s[0] <= '9');
        if (!digits || errno != 0 || *end != '\0' || strlen(s) != v->u.s.len) {
            return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: int(%s)", s);
        }
        *out = ce_value_int(n);
        return CE_OK;
    }
    return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: int(%s)", ce_value_go_type(v));
}

static int bi_float(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v,
                    struct ce_value **out)
{
    if (ce_value_is_number(v)) {
        *out = ce_value_float(ce_value_as_double(v));
        return CE_OK;
    }
    if (v->kind == CE_VALUE_STRING) {
        const char *s = v->u.s.p;
        double f = 0;
        if (ce_go_parse_float(s, v->u.s.len, &f) != CE_GO_OK) {
            return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: float(%s)", s);
        }
        *out = ce_value_float(f);
        return CE_OK;
    }
    return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: float(%s)", ce_value_go_type(v));
}

static int buf_result(struct ce_expr_ctx *c, int32_t idx, struct ce_buf *b, int rc,
                      struct ce_value **out)
{
    if (rc == CE_OK) {
        rc = ce_expr_string_result(c, idx, b, out);
    }
    else if (rc == CE_ETOOBIG) {
        rc = ce_expr_fail(c, idx, rc, "string result longer than %d bytes", CE_EXPR_STR_MAX);
    }
    else {
        rc = ce_expr_fail(c, idx, rc, "json: unsupported value: NaN or Inf");
    }
    ce_buf_fini(b);
    return rc;
}

static int bi_case(const struct ce_value *s, bool upper, struct ce_value **out)
{
    char *p = ce_xmalloc(s->u.s.len + 1);
    for (size_t i = 0; i < s->u.s.len; i++) {
        char ch = s->u.s.p[i];
        p[i] = upper && ch >= 'a' && ch <= 'z'    ? (char)(ch - 32)
               : !upper && ch >= 'A' && ch <= 'Z' ? (char)(ch + 32)
                                                  : ch;
    }
    p[s->u.s.len] = '\0';
    *out = ce_value_string_take(p, s->u.s.len);
    return CE_OK;
}

static bool in_set(char ch, const char *set, size_t n)
{
    return memchr(set, ch, n) != NULL;
}

static int bi_trim(enum ce_expr_builtin b, struct ce_value **args, size_t nargs,
                   struct ce_value **out)
{
    const char *s = args[0]->u.s.p;
    size_t lo = 0, hi = args[0]->u.s.len;
    if (b == CE_BI_TRIM) {
        const char *set = nargs == 2 ? args[1]->u.s.p : " \t\n\v\f\r";
        size_t sn = nargs == 2 ? args[1]->u.s.len : 6;
        while (lo < hi && in_set(s[lo], set, sn)) {
            lo++;
        }
        while (hi > lo && in_set(s[hi - 1], set, sn)) {
            hi--;
        }
    }
    else {
        const char *fix = nargs == 2 ? args[1]->u.s.p : " ";
        size_t fn = nargs == 2 ? args[1]->u.s.len : 1;
        if (fn <= hi && b == CE_BI_TRIM_PREFIX && memcmp(s, fix, fn) == 0) {
            lo = fn;
        }
        if (fn <= hi && b == CE_BI_TRIM_SUFFIX && memcmp(s + hi - fn, fix, fn) == 0) {
            hi -= fn;
        }
    }
    *out = ce_value_string(s + lo, hi - lo);
    return CE_OK;
}

static size_t find_sub(const char *s, size_t n, const char *t, size_t m, size_t from)
{
    for (size_t i = from; m <= n && i <= n - m; i++) {
        if (memcmp(s + i, t, m) == 0) {
            return i;
        }
    }
    return (size_t)-1;
}

/* strings.SplitN (n < 0: all); an empty separator splits after each UTF-8 sequence. */
static int bi_split(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                    struct ce_value **out)
{
    const char *s = args[0]->u.s.p, *sep = args[1]->u.s.p;
    size_t n = args[0]->u.s.len, m = args[1]->u.s.len;
    int64_t limit = -1;
    if (nargs == 3) {
        if (!ce_value_is_number(args[2])) {
            return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: int(%s)",
                                ce_value_go_type(args[2]));
        }
        limit = args[2]->kind == CE_VALUE_INT ? args[2]->u.i : f2i(args[2]->u.f);
    }
    struct ce_value *a = ce_value_array_new(0);
    size_t pos = 0, cap = 0;
    while (limit != 0) {
        size_t at;
        if ((int64_t)a->u.a.n == limit - 1 || pos > n) {
            at = (size_t)-1;
        }
        else if (m == 0) {
            at = pos;
            size_t step = 1;
            while (pos + step < n && ((unsigned char)s[pos + step] & 0xc0) == 0x80) {
                step++;
            }
            at = pos + step >= n ? (size_t)-1 : pos + step;
        }
        else {
            at = find_sub(s, n, sep, m, pos);
        }
        if (a->u.a.n >= CE_EXPR_ARRAY_MAX) {
            ce_value_unref(a);
            return ce_expr_fail(c, idx, CE_ETOOBIG, "array longer than %d items",
                                CE_EXPR_ARRAY_MAX);
        }
        if (a->u.a.n == cap) {
            cap = cap == 0 ? 8 : 2 * cap;
            a->u.a.v = ce_xrealloc(a->u.a.v, cap * sizeof *a->u.a.v);
        }
        if (at == (size_t)-1) {
            if (!(m == 0 && pos >= n)) {
                a->u.a.v[a->u.a.n++] = ce_value_string(s + pos, n - pos);
            }
            break;
        }
        a->u.a.v[a->u.a.n++] = ce_value_string(s + pos, at - pos);
        pos = at + m;
    }
    *out = a;
    return CE_OK;
}

static int bi_join(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                   struct ce_value **out)
{
    if (args[0]->kind != CE_VALUE_ARRAY) {
        return ce_expr_fail(c, idx, CE_EINVAL, "invalid argument for join (type %s)",
                            ce_value_go_type(args[0]));
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_EXPR_STR_MAX);
    int rc = CE_OK;
    for (size_t i = 0; rc == CE_OK && i < args[0]->u.a.n; i++) {
        const struct ce_value *v = args[0]->u.a.v[i];
        if (v->kind != CE_VALUE_STRING) {
            ce_buf_fini(&b);
            return not_string(c, idx, v);
        }
        if (i > 0 && nargs == 2) {
            rc = ce_buf_append(&b, args[1]->u.s.p, args[1]->u.s.len);
        }
        rc = rc == CE_OK ? ce_buf_append(&b, v->u.s.p, v->u.s.len) : rc;
    }
    return buf_result(c, idx, &b, rc, out);
}

static int bi_collection(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_builtin b,
                         struct ce_value *v, struct ce_value **out)
{
    if (b == CE_BI_FIRST || b == CE_BI_LAST) {
        if (v->kind != CE_VALUE_ARRAY) {
            return ce_expr_fail(c, idx, CE_EINVAL, "cannot get %s element from %s",
                                b == CE_BI_FIRST ? "first" : "last", ce_value_go_type(v));
        }
        size_t n = v->u.a.n;
        *out = n == 0 ? ce_value_null() : ce_value_ref(v->u.a.v[b == CE_BI_FIRST ? 0 : n - 1]);
        return CE_OK;
    }
    if (v->kind != CE_VALUE_OBJECT) {
        return ce_expr_fail(c, idx, CE_EINVAL, "cannot get %s from %s",
                            b == CE_BI_KEYS ? "keys" : "values", ce_value_go_type(v));
    }
    struct ce_value *a = ce_value_array_new(v->u.o.n);
    for (size_t i = 0; i < v->u.o.n; i++) {
        a->u.a.v[i] = b == CE_BI_KEYS ? ce_value_string(v->u.o.m[i].key, strlen(v->u.o.m[i].key))
                                      : ce_value_ref(v->u.o.m[i].val);
    }
    *out = a;
    return CE_OK;
}

static int bi_misc(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_builtin b,
                   struct ce_value **args, size_t nargs, struct ce_value **out)
{
    struct ce_value *v = args[0];
    static const char *const type_names[] = {"nil",    "bool",  "int", "float",
                                             "string", "array", "map"};
    struct ce_buf buf;
    switch (b) {
    case CE_BI_LEN:
        if (v->kind == CE_VALUE_STRING || v->kind == CE_VALUE_ARRAY || v->kind == CE_VALUE_OBJECT) {
            *out = ce_value_int((int64_t)(v->kind == CE_VALUE_STRING  ? v->u.s.len
                                          : v->kind == CE_VALUE_ARRAY ? v->u.a.n
                                                                      : v->u.o.n));
            return CE_OK;
        }
        return ce_expr_fail(c, idx, CE_EINVAL, "invalid argument for len (type %s)",
                            ce_value_go_type(v));
    case CE_BI_ABS:
        if (v->kind == CE_VALUE_INT) {
            *out = ce_value_int(v->u.i < 0 ? (int64_t)(0 - (uint64_t)v->u.i) : v->u.i);
            return CE_OK;
        }
        if (v->kind == CE_VALUE_FLOAT) {
            *out = ce_value_float(v->u.f < 0 ? -v->u.f : v->u.f);
            return CE_OK;
        }
        return ce_expr_fail(c, idx, CE_EINVAL, "invalid argument for abs (type %s)",
                            ce_value_go_type(v));
    case CE_BI_INT:
        return bi_int(c, idx, v, out);
    case CE_BI_FLOAT:
        return bi_float(c, idx, v, out);
    case CE_BI_TYPE:
        *out = ce_value_string(type_names[v->kind], strlen(type_names[v->kind]));
        return CE_OK;
    case CE_BI_STRING:
        ce_buf_init(&buf, CE_EXPR_STR_MAX);
        return buf_result(c, idx, &buf, ce_value_format(v, &buf), out);
    case CE_BI_TO_JSON_INDENT:
        ce_buf_init(&buf, CE_EXPR_STR_MAX);
        return buf_result(c, idx, &buf, ce_value_to_json_text(v, "  ", &buf), out);
    case CE_BI_JOIN:
        return bi_join(c, idx, args, nargs, out);
    default:
        return bi_collection(c, idx, b, v, out);
    }
}

int ce_expr_builtin_call(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                         struct ce_value **out)
{
    enum ce_expr_builtin b = (enum ce_expr_builtin)c->e->nodes[idx].aux;
    int rc;
    switch (b) {
    case CE_BI_UPPER:
    case CE_BI_LOWER:
        rc = need_strings(c, idx, args, 1);
        return rc != CE_OK ? rc : bi_case(args[0], b == CE_BI_UPPER, out);
    case CE_BI_TRIM:
    case CE_BI_TRIM_PREFIX:
    case CE_BI_TRIM_SUFFIX:
        rc = need_strings(c, idx, args, nargs);
        return rc != CE_OK ? rc : bi_trim(b, args, nargs, out);
    case CE_BI_SPLIT:
        rc = need_strings(c, idx, args, 2);
        return rc != CE_OK ? rc : bi_split(c, idx, args, nargs, out);
    case CE_BI_HAS_PREFIX:
    case CE_BI_HAS_SUFFIX:
    case CE_BI_INDEX_OF: {
        if ((rc = need_strings(c, idx, args, 2)) != CE_OK) {
            return rc;
        }
        size_t n = args[0]->u.s.len, m = args[1]->u.s.len;
        const char *s = args[0]->u.s.p, *t = args[1]->u.s.p;
        if (b == CE_BI_INDEX_OF) {
            size_t at = find_sub(s, n, t, m, 0);
            *out = ce_value_int(at == (size_t)-1 ? -1 : (int64_t)at);
            return CE_OK;
        }
        bool res = m <= n && memcmp(b == CE_BI_HAS_PREFIX ? s : s + n - m, t, m) == 0;
        *out = ce_value_bool(res);
        return CE_OK;
    }
    default:
        return bi_misc(c, idx, b, args, nargs, out);
    }
}

static int pred_bool(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v, bool *res)
{
    if (v->kind != CE_VALUE_BOOL) {
        return ce_expr_fail(c, idx, CE_EINVAL, "interface conversion: interface {} is %s, not bool",
                            v->kind == CE_VALUE_NULL ? "nil" : ce_value_go_type(v));
    }
    *res = v->u.b;
    return CE_OK;
}

int ce_expr_predicate(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    enum ce_expr_builtin b = (enum ce_expr_builtin)n->aux;
    struct ce_value *arr = NULL;
    int rc = ce_expr_eval_node(c, n->a, depth + 1, &arr);
    if (rc != CE_OK) {
        return rc;
    }
    if (arr->kind != CE_VALUE_ARRAY) {
        rc = ce_expr_fail(c, idx, CE_EINVAL, "reflect: call of reflect.Value.Len on %s Value",
                          arr->kind == CE_VALUE_NULL ? "zero" : ce_value_go_type(arr));
        ce_value_unref(arr);
        return rc;
    }
    if (c->nscopes >= CE_EXPR_DEPTH_MAX) {
        ce_value_unref(arr);
        return ce_expr_fail(c, idx, CE_ETOOBIG, "closures nested too deeply");
    }
    size_t count = 0, na = arr->u.a.n;
    struct ce_value *res = (b == CE_BI_FILTER || b == CE_BI_MAP) ? ce_value_array_new(na) : NULL;
    if (res != NULL) {
        res->u.a.n = 0;
    }
    bool stop = false;
    for (size_t i = 0; i < na && rc == CE_OK && !stop; i++) {
        struct ce_value *r = NULL;
        bool t = false;
        c->items[c->nscopes++] = arr->u.a.v[i];
        rc = ce_expr_eval_node(c, n->b, depth + 1, &r);
        c->nscopes--;
        if (rc == CE_OK && b == CE_BI_MAP) {
            res->u.a.v[res->u.a.n++] = ce_value_ref(r);
        }
        else if (rc == CE_OK && (rc = pred_bool(c, idx, r, &t)) == CE_OK && t) {
            count++;
            if (b == CE_BI_FILTER) {
                res->u.a.v[res->u.a.n++] = ce_value_ref(arr->u.a.v[i]);
            }
            stop = b == CE_BI_ANY || b == CE_BI_NONE_OF;
        }
        else if (rc == CE_OK && b == CE_BI_ALL) {
            stop = true;
            count = (size_t)-1;
        }
        ce_value_unref(r);
    }
    if (rc == CE_OK) {
        switch (b) {
        case CE_BI_ALL:
            *out = ce_value_bool(count != (size_t)-1);
            break;
        case CE_BI_ANY:
            *out = ce_value_bool(count > 0);
            break;
        case CE_BI_NONE_OF:
            *out = ce_value_bool(count == 0);
            break;
        case CE_BI_ONE:
            *out = ce_value_bool(count == 1);
            break;
        case CE_BI_COUNT:
            *out = ce_value_int((int64_t)count);
            break;
        default:
            *out = ce_value_ref(res);
            break;
        }
    }
    ce_value_unref(res);
    ce_value_unref(arr);
    return rc;
}

/* Argo Events' env functions: toJson (json.Marshal, "" on error), asInt, asFloat. */
static int argo_extra(struct ce_expr_ctx *c, int32_t idx, const char *name, struct ce_value **args,
                      size_t nargs, struct ce_value **out)
{
    int which = strcmp(name, "toJson") == 0    ? 0
                : strcmp(name, "asInt") == 0   ? 1
                : strcmp(name, "asFloat") == 0 ? 2
                                               : -1;
    if (which < 0) {
        return CE_ENOENT;
    }
    if (nargs != 1) {
        return ce_expr_fail(c, idx, CE_EINVAL, "reflect: Call with too %s input arguments",
                            nargs < 1 ? "few" : "many");
    }
    if (which == 1) {
        return bi_int(c, idx, args[0], out);
    }
    if (which == 2) {
        return bi_float(c, idx, args[0], out);
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_EXPR_STR_MAX);
    if (ce_value_to_json_text(args[0], NULL, &b) != CE_OK) {
        ce_buf_reset(&b);
    }
    int rc = ce_expr_string_result(c, idx, &b, out);
    ce_buf_fini(&b);
    return rc;
}

int ce_expr_call_named(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                       struct ce_value **out)
{
    const char *name = c->e->nodes[idx].name;
    if (name == NULL) {
        return CE_ENOENT;
    }
    if (c->funcs != NULL) {
        for (size_t i = 0; i < c->funcs->n; i++) {
            if (strcmp(c->funcs->items[i].name, name) != 0) {
                continue;
            }
            char msg[400] = "";
            *out = NULL;
            int rc = c->funcs->items[i].fn(c->funcs->ctx, args, nargs, out, msg, sizeof msg);
            if (rc != CE_OK || *out == NULL) {
                ce_value_unref(*out);
                *out = NULL;
                return ce_expr_fail(c, idx, rc != CE_OK ? rc : CE_EINVAL, "%s",
                                    msg[0] != '\0' ? msg : "function failed");
            }
            return CE_OK;
        }
    }
    return argo_extra(c, idx, name, args, nargs, out);
}
