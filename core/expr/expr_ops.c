/* SPDX-License-Identifier: Apache-2.0 */
/* Operator semantics. The govaluate dialect works on float64 and strings and type-checks each
 * operator with govaluate's messages ("Value 'x' cannot be used with the comparator '>', it is
 * not a number"). The expr-lang dialect follows expr-lang's runtime: int and float mix, int op
 * int stays int (/ and ** give floats), % needs ints, and mismatches fail with Go's texts
 * ("invalid operation: string + int", "interface conversion: interface {} is nil, not bool"). */
#include "core/expr/expr_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <math.h>
#include <string.h>

static const char *op_symbol(enum ce_expr_op op)
{
    static const char *const syms[] = {
        [CE_OP_NEG] = "-",       [CE_OP_NOT] = "!",     [CE_OP_BITNOT] = "~", [CE_OP_OR] = "||",
        [CE_OP_AND] = "&&",      [CE_OP_EQ] = "=",      [CE_OP_NE] = "!=",    [CE_OP_LT] = "<",
        [CE_OP_LE] = "<=",       [CE_OP_GT] = ">",      [CE_OP_GE] = ">=",    [CE_OP_IN] = "in",
        [CE_OP_MATCHES] = "=~",  [CE_OP_NMATCH] = "!~", [CE_OP_ADD] = "+",    [CE_OP_SUB] = "-",
        [CE_OP_MUL] = "*",       [CE_OP_DIV] = "/",     [CE_OP_MOD] = "%",    [CE_OP_POW] = "**",
        [CE_OP_COALESCE] = "??", [CE_OP_BAND] = "&",    [CE_OP_BOR] = "|",    [CE_OP_BXOR] = "^",
        [CE_OP_SHL] = "<<",      [CE_OP_SHR] = ">>",    [CE_OP_TIF] = "?",    [CE_OP_TELSE] = ":",
    };
    return (size_t)op < sizeof syms / sizeof syms[0] && syms[op] != NULL ? syms[op] : "";
}

/* Go's float64 -> int64 conversion as amd64 performs it (out of range gives MinInt64). */
static int64_t go_f2i(double f)
{
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) {
        return INT64_MIN;
    }
    return (int64_t)f;
}

static uint64_t go_f2u(double f)
{
    if (f >= 0 && f < 18446744073709551616.0) {
        return (uint64_t)f;
    }
    return (uint64_t)go_f2i(f);
}

/* %v of v into a short message fragment. */
static void vtext(const struct ce_value *v, char *out, size_t n)
{
    struct ce_buf b;
    ce_buf_init(&b, 200);
    if (ce_value_format(v, &b) != CE_OK) {
        ce_buf_reset(&b);
        if (ce_buf_puts(&b, "...") != CE_OK) {
            b.len = 0;
        }
    }
    snprintf(out, n, "%s", b.data != NULL ? b.data : "");
    ce_buf_fini(&b);
}

static int gv_type_error(struct ce_expr_ctx *c, int32_t idx, const char *fmt,
                         const struct ce_value *v, enum ce_expr_op op)
{
    char t[220];
    vtext(v, t, sizeof t);
    if (strcmp(fmt, "prefix") == 0) {
        return ce_expr_fail(c, idx, CE_EINVAL, "Value '%s' cannot be used with the prefix '%s'", t,
                            op_symbol(op));
    }
    const char *what =
        strcmp(fmt, "logical") == 0 || strcmp(fmt, "ternary") == 0 ? "a bool" : "a number";
    const char *kind = strcmp(fmt, "logical") == 0 ? "logical operator" : fmt;
    if (strcmp(fmt, "ternary") == 0) {
        kind = "ternary operator";
    }
    return ce_expr_fail(c, idx, CE_EINVAL,
                        "Value '%s' cannot be used with the %s '%s', it is not %s", t, kind,
                        op_symbol(op), what);
}

int ce_expr_string_result(struct ce_expr_ctx *c, int32_t idx, struct ce_buf *b,
                          struct ce_value **out)
{
    (void)c;
    (void)idx;
    size_t len = b->len;
    char *p = b->data != NULL ? ce_buf_steal(b, NULL) : ce_xstrdup("");
    *out = ce_value_string_take(p, len);
    return CE_OK;
}

static int too_long(struct ce_expr_ctx *c, int32_t idx)
{
    return ce_expr_fail(c, idx, CE_ETOOBIG, "string result longer than %d bytes", CE_EXPR_STR_MAX);
}

static int gv_regex(struct ce_expr_ctx *c, int32_t idx, struct ce_value *l, struct ce_value *r,
                    bool negate, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    const struct ce_regex *re = c->e->nodes[n->b].re;
    struct ce_regex *own = NULL;
    if (l->kind != CE_VALUE_STRING) {
        return gv_type_error(c, idx, "comparator", l, n->op);
    }
    if (re == NULL && r->kind != CE_VALUE_STRING) {
        return gv_type_error(c, idx, "comparator", r, n->op);
    }
    if (re == NULL) {
        char msg[300];
        if (ce_regex_compile(r->u.s.p, r->u.s.len, &own, msg, sizeof msg) != CE_OK) {
            char t[220];
            vtext(r, t, sizeof t);
            return ce_expr_fail(c, idx, CE_EINVAL, "Unable to compile regexp pattern '%s': %s", t,
                                msg);
        }
        re = own;
    }
    int m = ce_expr_regex_match(re, l->u.s.p, l->u.s.len, c->err, c->errlen);
    ce_regex_destroy(own);
    if (m < 0) {
        return CE_ETOOBIG;
    }
    *out = ce_value_bool((m == 1) != negate);
    return CE_OK;
}

/* Go's == on two interface values holding decoded JSON. */
static int gv_iface_equal(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *a,
                          const struct ce_value *b, bool *eq)
{
    *eq = false;
    if (a->kind != b->kind) {
        return CE_OK;
    }
    if (a->kind == CE_VALUE_ARRAY || a->kind == CE_VALUE_OBJECT) {
        return ce_expr_fail(c, idx, CE_EINVAL, "runtime error: comparing uncomparable type %s",
                            ce_value_go_type(a));
    }
    *eq = ce_value_deep_equal(a, b);
    return CE_OK;
}

static int gv_in(struct ce_expr_ctx *c, int32_t idx, struct ce_value *l, struct ce_value *r,
                 struct ce_value **out)
{
    if (r->kind != CE_VALUE_ARRAY) {
        return gv_type_error(c, idx, "comparator", r, CE_OP_IN);
    }
    for (size_t i = 0; i < r->u.a.n; i++) {
        bool eq;
        int rc = gv_iface_equal(c, idx, l, r->u.a.v[i], &eq);
        if (rc != CE_OK || eq) {
            *out = rc == CE_OK ? ce_value_bool(true) : NULL;
            return rc;
        }
    }
    *out = ce_value_bool(false);
    return CE_OK;
}

static int gv_concat(struct ce_expr_ctx *c, int32_t idx, struct ce_value *l, struct ce_value *r,
                     struct ce_value **out)
{
    struct ce_buf b;
    ce_buf_init(&b, CE_EXPR_STR_MAX);
    if (ce_value_format(l, &b) != CE_OK || ce_value_format(r, &b) != CE_OK) {
        ce_buf_fini(&b);
        return too_long(c, idx);
    }
    int rc = ce_expr_string_result(c, idx, &b, out);
    ce_buf_fini(&b);
    return rc;
}

static int gv_arith(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op, double x, double y,
                    struct ce_value **out)
{
    (void)c;
    (void)idx;
    double v = 0;
    switch (op) {
    case CE_OP_SUB:
        v = x - y;
        break;
    case CE_OP_MUL:
        v = x * y;
        break;
    case CE_OP_DIV:
        v = x / y;
        break;
    case CE_OP_MOD:
        v = fmod(x, y);
        break;
    case CE_OP_POW:
        v = pow(x, y);
        break;
    case CE_OP_BAND:
        v = (double)(go_f2i(x) & go_f2i(y));
        break;
    case CE_OP_BOR:
        v = (double)(go_f2i(x) | go_f2i(y));
        break;
    case CE_OP_BXOR:
        v = (double)(go_f2i(x) ^ go_f2i(y));
        break;
    case CE_OP_SHL:
        v = go_f2u(y) >= 64 ? 0 : (double)(go_f2u(x) << go_f2u(y));
        break;
    case CE_OP_SHR:
        v = go_f2u(y) >= 64 ? 0 : (double)(go_f2u(x) >> go_f2u(y));
        break;
    default:
        break;
    }
    *out = ce_value_float(v);
    return CE_OK;
}

static int gv_binary(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op, struct ce_value *l,
                     struct ce_value *r, struct ce_value **out)
{
    switch (op) {
    case CE_OP_EQ:
    case CE_OP_NE:
        *out = ce_value_bool(ce_value_deep_equal(l, r) == (op == CE_OP_EQ));
        return CE_OK;
    case CE_OP_LT:
    case CE_OP_LE:
    case CE_OP_GT:
    case CE_OP_GE: {
        int cmp;
        if (l->kind == CE_VALUE_FLOAT && r->kind == CE_VALUE_FLOAT) {
            bool res = op == CE_OP_LT   ? l->u.f < r->u.f
                       : op == CE_OP_LE ? l->u.f <= r->u.f
                       : op == CE_OP_GT ? l->u.f > r->u.f
                                        : l->u.f >= r->u.f;
            *out = ce_value_bool(res);
            return CE_OK;
        }
        if (l->kind != CE_VALUE_STRING || r->kind != CE_VALUE_STRING) {
            return gv_type_error(c, idx, "comparator", l, op);
        }
        size_t n = l->u.s.len < r->u.s.len ? l->u.s.len : r->u.s.len;
        cmp = memcmp(l->u.s.p, r->u.s.p, n);
        if (cmp == 0) {
            cmp = l->u.s.len < r->u.s.len ? -1 : l->u.s.len > r->u.s.len;
        }
        *out = ce_value_bool(op == CE_OP_LT   ? cmp < 0
                             : op == CE_OP_LE ? cmp <= 0
                             : op == CE_OP_GT ? cmp > 0
                                              : cmp >= 0);
        return CE_OK;
    }
    case CE_OP_MATCHES:
    case CE_OP_NMATCH:
        return gv_regex(c, idx, l, r, op == CE_OP_NMATCH, out);
    case CE_OP_IN:
        return gv_in(c, idx, l, r, out);
    case CE_OP_ADD:
        if (l->kind == CE_VALUE_FLOAT && r->kind == CE_VALUE_FLOAT) {
            *out = ce_value_float(l->u.f + r->u.f);
            return CE_OK;
        }
        if (l->kind != CE_VALUE_STRING && r->kind != CE_VALUE_STRING) {
            return gv_type_error(c, idx, "modifier", l, op);
        }
        return gv_concat(c, idx, l, r, out);
    case CE_OP_SEP: {
        size_t n = l->kind == CE_VALUE_ARRAY ? l->u.a.n : 1;
        if (n + 1 > CE_EXPR_ARRAY_MAX) {
            return ce_expr_fail(c, idx, CE_ETOOBIG, "array longer than %d items",
                                CE_EXPR_ARRAY_MAX);
        }
        struct ce_value *a = ce_value_array_new(n + 1);
        for (size_t i = 0; i < n; i++) {
            a->u.a.v[i] = ce_value_ref(l->kind == CE_VALUE_ARRAY ? l->u.a.v[i] : l);
        }
        a->u.a.v[n] = ce_value_ref(r);
        *out = a;
        return CE_OK;
    }
    default:
        if (l->kind != CE_VALUE_FLOAT) {
            return gv_type_error(c, idx, "modifier", l, op);
        }
        if (r->kind != CE_VALUE_FLOAT) {
            return gv_type_error(c, idx, "modifier", r, op);
        }
        return gv_arith(c, idx, op, l->u.f, r->u.f, out);
    }
}

/* ---- expr-lang ---- */

static const char *iface_type(const struct ce_value *v)
{
    return v->kind == CE_VALUE_NULL ? "nil" : ce_value_go_type(v);
}

static int el_not_a(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v, const char *want)
{
    return ce_expr_fail(c, idx, CE_EINVAL, "interface conversion: interface {} is %s, not %s",
                        iface_type(v), want);
}

static int el_invalid(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *l, const char *sym,
                      const struct ce_value *r)
{
    return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: %s %s %s", ce_value_go_type(l), sym,
                        ce_value_go_type(r));
}

bool ce_expr_equal(const struct ce_value *a, const struct ce_value *b)
{
    if (ce_value_is_number(a) && ce_value_is_number(b)) {
        if (a->kind == CE_VALUE_INT && b->kind == CE_VALUE_INT) {
            return a->u.i == b->u.i;
        }
        return ce_value_as_double(a) == ce_value_as_double(b);
    }
    return ce_value_deep_equal(a, b);
}

static int el_compare(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op,
                      const struct ce_value *l, const struct ce_value *r, struct ce_value **out)
{
    int cmp;
    if (l->kind == CE_VALUE_INT && r->kind == CE_VALUE_INT) {
        cmp = l->u.i < r->u.i ? -1 : l->u.i > r->u.i;
    }
    else if (ce_value_is_number(l) && ce_value_is_number(r)) {
        double x = ce_value_as_double(l), y = ce_value_as_double(r);
        bool res = op == CE_OP_LT   ? x < y
                   : op == CE_OP_LE ? x <= y
                   : op == CE_OP_GT ? x > y
                                    : x >= y;
        *out = ce_value_bool(res);
        return CE_OK;
    }
    else if (l->kind == CE_VALUE_STRING && r->kind == CE_VALUE_STRING) {
        size_t n = l->u.s.len < r->u.s.len ? l->u.s.len : r->u.s.len;
        cmp = memcmp(l->u.s.p, r->u.s.p, n);
        if (cmp == 0) {
            cmp = l->u.s.len < r->u.s.len ? -1 : l->u.s.len > r->u.s.len;
        }
    }
    else {
        return el_invalid(c, idx, l, op_symbol(op), r);
    }
    *out = ce_value_bool(op == CE_OP_LT   ? cmp < 0
                         : op == CE_OP_LE ? cmp <= 0
                         : op == CE_OP_GT ? cmp > 0
                                          : cmp >= 0);
    return CE_OK;
}

static int el_arith(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op,
                    const struct ce_value *l, const struct ce_value *r, struct ce_value **out)
{
    if (op == CE_OP_POW) {
        if (!ce_value_is_number(l) || !ce_value_is_number(r)) {
            return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: float64(%s)",
                                ce_value_go_type(ce_value_is_number(l) ? r : l));
        }
        *out = ce_value_float(pow(ce_value_as_double(l), ce_value_as_double(r)));
        return CE_OK;
    }
    if (!ce_value_is_number(l) || !ce_value_is_number(r)) {
        return el_invalid(c, idx, l, op_symbol(op), r);
    }
    if (op == CE_OP_MOD) {
        if (l->kind != CE_VALUE_INT || r->kind != CE_VALUE_INT) {
            return el_invalid(c, idx, l, "%", r);
        }
        if (r->u.i == 0) {
            return ce_expr_fail(c, idx, CE_EINVAL, "runtime error: integer divide by zero");
        }
        *out = ce_value_int(r->u.i == -1 ? 0 : l->u.i % r->u.i);
        return CE_OK;
    }
    if (op != CE_OP_DIV && l->kind == CE_VALUE_INT && r->kind == CE_VALUE_INT) {
        uint64_t x = (uint64_t)l->u.i, y = (uint64_t)r->u.i; /* Go ints wrap */
        uint64_t v = op == CE_OP_ADD ? x + y : op == CE_OP_SUB ? x - y : x * y;
        *out = ce_value_int((int64_t)v);
        return CE_OK;
    }
    double x = ce_value_as_double(l), y = ce_value_as_double(r);
    *out = ce_value_float(op == CE_OP_ADD   ? x + y
                          : op == CE_OP_SUB ? x - y
                          : op == CE_OP_MUL ? x * y
                                            : x / y);
    return CE_OK;
}

static int el_in(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *l,
                 const struct ce_value *r, struct ce_value **out)
{
    switch (r->kind) {
    case CE_VALUE_NULL:
        *out = ce_value_bool(false);
        return CE_OK;
    case CE_VALUE_ARRAY:
        for (size_t i = 0; i < r->u.a.n; i++) {
            if (ce_expr_equal(r->u.a.v[i], l)) {
                *out = ce_value_bool(true);
                return CE_OK;
            }
        }
        *out = ce_value_bool(false);
        return CE_OK;
    case CE_VALUE_OBJECT:
        if (l->kind != CE_VALUE_STRING) {
            return ce_expr_fail(c, idx, CE_EINVAL,
                                "reflect.Value.MapIndex: value of type %s is not assignable to "
                                "type string",
                                iface_type(l));
        }
        *out = ce_value_bool(ce_value_object_get(r, l->u.s.p) != NULL);
        return CE_OK;
    default:
        return ce_expr_fail(c, idx, CE_EINVAL, "operator \"in\" not defined on %s",
                            ce_value_go_type(r));
    }
}

static int el_strop(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op,
                    const struct ce_value *l, const struct ce_value *r, struct ce_value **out)
{
    if (op == CE_OP_MATCHES) {
        const struct ce_regex *re = c->e->nodes[c->e->nodes[idx].b].re;
        struct ce_regex *own = NULL;
        if (re == NULL && r->kind != CE_VALUE_STRING) {
            return el_not_a(c, idx, r, "string");
        }
        if (l->kind != CE_VALUE_STRING) {
            return el_not_a(c, idx, l, "string");
        }
        if (re == NULL) {
            char msg[300];
            if (ce_regex_compile(r->u.s.p, r->u.s.len, &own, msg, sizeof msg) != CE_OK) {
                return ce_expr_fail(c, idx, CE_EINVAL, "%s", msg);
            }
            re = own;
        }
        int m = ce_expr_regex_match(re, l->u.s.p, l->u.s.len, c->err, c->errlen);
        ce_regex_destroy(own);
        if (m < 0) {
            return CE_ETOOBIG;
        }
        *out = ce_value_bool(m == 1);
        return CE_OK;
    }
    if (l->kind != CE_VALUE_STRING) {
        return el_not_a(c, idx, l, "string");
    }
    if (r->kind != CE_VALUE_STRING) {
        return el_not_a(c, idx, r, "string");
    }
    const char *s = l->u.s.p, *t = r->u.s.p;
    size_t n = l->u.s.len, m = r->u.s.len;
    bool res = false;
    if (op == CE_OP_STARTS) {
        res = m <= n && memcmp(s, t, m) == 0;
    }
    else if (op == CE_OP_ENDS) {
        res = m <= n && memcmp(s + n - m, t, m) == 0;
    }
    else {
        res = m == 0;
        for (size_t i = 0; !res && m <= n && i <= n - m; i++) {
            res = memcmp(s + i, t, m) == 0;
        }
    }
    *out = ce_value_bool(res);
    return CE_OK;
}

static int el_range(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *l,
                    const struct ce_value *r, struct ce_value **out)
{
    if (!ce_value_is_number(l) || !ce_value_is_number(r)) {
        return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: int(%s)",
                            ce_value_go_type(ce_value_is_number(l) ? r : l));
    }
    int64_t lo = l->kind == CE_VALUE_INT ? l->u.i : go_f2i(l->u.f);
    int64_t hi = r->kind == CE_VALUE_INT ? r->u.i : go_f2i(r->u.f);
    if (hi >= lo && ((uint64_t)hi - (uint64_t)lo) >= CE_EXPR_ARRAY_MAX) {
        return ce_expr_fail(c, idx, CE_ETOOBIG, "array longer than %d items", CE_EXPR_ARRAY_MAX);
    }
    size_t n = hi >= lo ? (size_t)(hi - lo) + 1 : 0;
    struct ce_value *a = ce_value_array_new(n);
    for (size_t i = 0; i < n; i++) {
        a->u.a.v[i] = ce_value_int(lo + (int64_t)i);
    }
    *out = a;
    return CE_OK;
}

static int el_binary(struct ce_expr_ctx *c, int32_t idx, enum ce_expr_op op, struct ce_value *l,
                     struct ce_value *r, struct ce_value **out)
{
    switch (op) {
    case CE_OP_EQ:
    case CE_OP_NE:
        *out = ce_value_bool(ce_expr_equal(l, r) == (op == CE_OP_EQ));
        return CE_OK;
    case CE_OP_LT:
    case CE_OP_LE:
    case CE_OP_GT:
    case CE_OP_GE:
        return el_compare(c, idx, op, l, r, out);
    case CE_OP_ADD:
        if (l->kind == CE_VALUE_STRING && r->kind == CE_VALUE_STRING) {
            if (l->u.s.len + r->u.s.len > CE_EXPR_STR_MAX) {
                return too_long(c, idx);
            }
            char *p = ce_xmalloc(l->u.s.len + r->u.s.len + 1);
            memcpy(p, l->u.s.p, l->u.s.len);
            memcpy(p + l->u.s.len, r->u.s.p, r->u.s.len);
            p[l->u.s.len + r->u.s.len] = '\0';
            *out = ce_value_string_take(p, l->u.s.len + r->u.s.len);
            return CE_OK;
        }
        return el_arith(c, idx, op, l, r, out);
    case CE_OP_SUB:
    case CE_OP_MUL:
    case CE_OP_DIV:
    case CE_OP_MOD:
    case CE_OP_POW:
        return el_arith(c, idx, op, l, r, out);
    case CE_OP_IN:
        return el_in(c, idx, l, r, out);
    case CE_OP_MATCHES:
    case CE_OP_CONTAINS:
    case CE_OP_STARTS:
    case CE_OP_ENDS:
        return el_strop(c, idx, op, l, r, out);
    case CE_OP_RANGE:
        return el_range(c, idx, l, r, out);
    default:
        return ce_expr_fail(c, idx, CE_EINVAL, "unknown operator (%s)", op_symbol(op));
    }
}

int ce_expr_op_binary(struct ce_expr_ctx *c, int32_t idx, struct ce_value *l, struct ce_value *r,
                      struct ce_value **out)
{
    enum ce_expr_op op = (enum ce_expr_op)c->e->nodes[idx].op;
    if (c->e->dialect == CE_EXPR_GOVALUATE) {
        return gv_binary(c, idx, op, l, r, out);
    }
    return el_binary(c, idx, op, l, r, out);
}

int ce_expr_op_unary(struct ce_expr_ctx *c, int32_t idx, struct ce_value *v, struct ce_value **out)
{
    enum ce_expr_op op = (enum ce_expr_op)c->e->nodes[idx].op;
    if (c->e->dialect == CE_EXPR_GOVALUATE) {
        if (op == CE_OP_NOT ? v->kind != CE_VALUE_BOOL : v->kind != CE_VALUE_FLOAT) {
            return gv_type_error(c, idx, "prefix", v, op);
        }
        *out = op == CE_OP_NOT   ? ce_value_bool(!v->u.b)
               : op == CE_OP_NEG ? ce_value_float(-v->u.f)
                                 : ce_value_float((double)~go_f2i(v->u.f));
        return CE_OK;
    }
    switch (op) {
    case CE_OP_NOT:
        if (v->kind != CE_VALUE_BOOL) {
            return el_not_a(c, idx, v, "bool");
        }
        *out = ce_value_bool(!v->u.b);
        return CE_OK;
    case CE_OP_NEG:
        if (v->kind == CE_VALUE_INT) {
            *out = ce_value_int((int64_t)(0 - (uint64_t)v->u.i));
            return CE_OK;
        }
        if (v->kind == CE_VALUE_FLOAT) {
            *out = ce_value_float(-v->u.f);
            return CE_OK;
        }
        return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: - %s", ce_value_go_type(v));
    default:
        *out = ce_value_ref(v);
        return CE_OK;
    }
}

int ce_expr_need_bool(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v,
                      const char *kind)
{
    if (v->kind == CE_VALUE_BOOL) {
        return CE_OK;
    }
    if (c->e->dialect == CE_EXPR_GOVALUATE) {
        return gv_type_error(c, idx, kind, v, (enum ce_expr_op)c->e->nodes[idx].op);
    }
    return el_not_a(c, idx, v, "bool");
}
