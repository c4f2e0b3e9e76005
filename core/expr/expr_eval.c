/* SPDX-License-Identifier: Apache-2.0 */
/* The tree-walking evaluator shared by both dialects: names, members, chains with ?., slices,
 * literals, short-circuit operators and calls. Operator and builtin semantics live in
 * expr_ops.c and expr_builtin.c. Every node visit counts against CE_EXPR_STEPS_MAX. */
#include "core/expr/expr_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Internal rc: a ?. met nil; the enclosing chain turns it into nil. */
#define EXPR_CHAIN_NIL 1000

int ce_expr_fail(struct ce_expr_ctx *c, int32_t idx, int rc, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->e->dialect == CE_EXPR_EXPRLANG && idx >= 0) {
        return ce_expr_fail_at(c->e->src, c->e->srclen, c->e->nodes[idx].pos, rc, c->err, c->errlen,
                               "%s", msg);
    }
    return ce_rc_fail(rc, c->err, c->errlen, "%s", msg);
}

static int eval_ident(struct ce_expr_ctx *c, int32_t idx, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    bool gv = c->e->dialect == CE_EXPR_GOVALUATE;
    if (n->slot >= 0 && c->slots[n->slot] == NULL) {
        const char *name = c->e->slots[n->slot];
        const json_t *j = NULL;
        if (!gv && strcmp(name, "$env") == 0) {
            j = c->env;
        }
        else if (c->env != NULL) {
            j = json_object_get(c->env, name);
        }
        if (j == NULL && gv) {
            return ce_expr_fail(c, idx, CE_ENOENT, "No parameter '%s' found.", name);
        }
        int rc =
            ce_value_from_json(j, CE_EXPR_JSON_DEPTH_MAX, &c->slots[n->slot], c->err, c->errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    if (gv && (n->flags & CE_NF_INDEX)) {
        /* name.Field: JSON parameters are never structs */
        const char *dot = strchr(n->name, '.');
        const char *end = strchr(dot + 1, '.');
        return ce_expr_fail(c, idx, CE_EINVAL, "Unable to access '%.*s', '%.*s' is not a struct",
                            (int)(end != NULL ? (size_t)(end - dot - 1) : strlen(dot + 1)), dot + 1,
                            (int)(dot - n->name), n->name);
    }
    *out = ce_value_ref(c->slots[n->slot]);
    return CE_OK;
}

/* %v of a small value for messages. */
static void short_text(const struct ce_value *v, char *out, size_t n)
{
    struct ce_buf b;
    ce_buf_init(&b, 200);
    if (ce_value_format(v, &b) != CE_OK) {
        ce_buf_reset(&b);
    }
    snprintf(out, n, "%s", b.data != NULL ? b.data : "...");
    ce_buf_fini(&b);
}

static int to_index(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *k, int64_t *i)
{
    if (k->kind == CE_VALUE_INT) {
        *i = k->u.i;
        return CE_OK;
    }
    if (k->kind == CE_VALUE_FLOAT) {
        double f = k->u.f;
        *i = f >= -9.2e18 && f <= 9.2e18 ? (int64_t)f : INT64_MIN;
        return CE_OK;
    }
    return ce_expr_fail(c, idx, CE_EINVAL, "invalid operation: int(%s)", ce_value_go_type(k));
}

/* expr-lang's runtime.Fetch over decoded JSON. */
static int fetch(struct ce_expr_ctx *c, int32_t idx, struct ce_value *obj, struct ce_value *key,
                 struct ce_value **out)
{
    char kt[220];
    int64_t i;
    int rc;
    switch (obj->kind) {
    case CE_VALUE_OBJECT: {
        if (key->kind != CE_VALUE_STRING) {
            return ce_expr_fail(c, idx, CE_EINVAL,
                                "reflect.Value.MapIndex: value of type %s is not assignable to "
                                "type string",
                                ce_value_go_type(key));
        }
        struct ce_value *v = ce_value_object_get(obj, key->u.s.p);
        *out = v != NULL ? ce_value_ref(v) : ce_value_null();
        return CE_OK;
    }
    case CE_VALUE_ARRAY:
    case CE_VALUE_STRING: {
        size_t len = obj->kind == CE_VALUE_ARRAY ? obj->u.a.n : obj->u.s.len;
        if ((rc = to_index(c, idx, key, &i)) != CE_OK) {
            return rc;
        }
        if (i < 0) {
            i += (int64_t)len;
        }
        if (i < 0 || (uint64_t)i >= len) {
            return ce_expr_fail(c, idx, CE_EINVAL, "reflect: %s index out of range",
                                obj->kind == CE_VALUE_ARRAY ? "slice" : "string");
        }
        *out = obj->kind == CE_VALUE_ARRAY ? ce_value_ref(obj->u.a.v[i])
                                           : ce_value_int((unsigned char)obj->u.s.p[i]);
        return CE_OK;
    }
    default:
        short_text(key, kt, sizeof kt);
        return ce_expr_fail(c, idx, CE_EINVAL, "cannot fetch %s from %s", kt,
                            ce_value_go_type(obj));
    }
}

static int eval_member(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *obj = NULL, *key = NULL;
    int rc = ce_expr_eval_node(c, n->a, depth + 1, &obj);
    if (rc != CE_OK) {
        return rc;
    }
    if ((n->flags & CE_NF_OPTIONAL) && obj->kind == CE_VALUE_NULL) {
        ce_value_unref(obj);
        return EXPR_CHAIN_NIL;
    }
    rc = ce_expr_eval_node(c, n->b, depth + 1, &key);
    if (rc == CE_OK) {
        rc = fetch(c, idx, obj, key, out);
    }
    ce_value_unref(obj);
    ce_value_unref(key);
    return rc;
}

static int eval_slice(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *v[3] = {NULL, NULL, NULL};
    int32_t kids[3] = {n->a, n->b, n->c};
    int rc = CE_OK;
    for (int k = 0; k < 3 && rc == CE_OK; k++) {
        rc = kids[k] >= 0 ? ce_expr_eval_node(c, kids[k], depth + 1, &v[k]) : CE_OK;
    }
    if (rc == CE_OK && v[0]->kind != CE_VALUE_ARRAY && v[0]->kind != CE_VALUE_STRING) {
        char t[220];
        short_text(v[1] != NULL ? v[1] : ce_value_null(), t, sizeof t);
        rc = ce_expr_fail(c, idx, CE_EINVAL, "cannot slice %s", t);
    }
    int64_t len = 0, a = 0, b = 0;
    if (rc == CE_OK) {
        len = (int64_t)(v[0]->kind == CE_VALUE_ARRAY ? v[0]->u.a.n : v[0]->u.s.len);
        b = len;
        rc = v[1] != NULL ? to_index(c, idx, v[1], &a) : CE_OK;
        rc = rc == CE_OK && v[2] != NULL ? to_index(c, idx, v[2], &b) : rc;
    }
    if (rc == CE_OK) {
        a = a < 0 ? (a + len < 0 ? 0 : a + len) : a;
        b = b < 0 ? (b + len < 0 ? 0 : b + len) : b;
        b = b > len ? len : b;
        a = a > b ? b : a;
        if (v[0]->kind == CE_VALUE_STRING) {
            *out = ce_value_string(v[0]->u.s.p + a, (size_t)(b - a));
        }
        else {
            struct ce_value *r = ce_value_array_new((size_t)(b - a));
            for (int64_t k = a; k < b; k++) {
                r->u.a.v[k - a] = ce_value_ref(v[0]->u.a.v[k]);
            }
            *out = r;
        }
    }
    for (int k = 0; k < 3; k++) {
        ce_value_unref(v[k]);
    }
    return rc;
}

static int eval_kids(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **vals)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    for (uint32_t k = 0; k < n->nkids; k++) {
        int rc = ce_expr_eval_node(c, c->e->kids[n->kid0 + k], depth + 1, &vals[k]);
        if (rc != CE_OK) {
            for (uint32_t j = 0; j < k; j++) {
                ce_value_unref(vals[j]);
            }
            return rc;
        }
    }
    return CE_OK;
}

static int eval_list(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *vals[2 * CE_EXPR_ARGS_MAX];
    int rc = eval_kids(c, idx, depth, vals);
    if (rc != CE_OK) {
        return rc;
    }
    if (n->kind == CE_NK_ARRAY) {
        struct ce_value *a = ce_value_array_new(n->nkids);
        if (n->nkids > 0) { /* an empty literal has no element storage to copy into */
            memcpy(a->u.a.v, vals, n->nkids * sizeof *vals);
        }
        *out = a;
        return CE_OK;
    }
    struct ce_value *o = ce_value_object_new();
    for (uint32_t k = 0; k + 1 < n->nkids && rc == CE_OK; k += 2) {
        if (vals[k]->kind != CE_VALUE_STRING) {
            rc = ce_expr_fail(c, idx, CE_EINVAL,
                              "interface conversion: interface {} is %s, not string",
                              vals[k]->kind == CE_VALUE_NULL ? "nil" : ce_value_go_type(vals[k]));
        }
        else {
            ce_value_object_set(o, vals[k]->u.s.p, vals[k + 1]);
        }
    }
    for (uint32_t k = 0; k < n->nkids; k++) {
        ce_value_unref(vals[k]);
    }
    if (rc != CE_OK) {
        ce_value_unref(o);
        return rc;
    }
    *out = o;
    return CE_OK;
}

/* What calling a non-function value reports (reflect's panic text). */
static int not_callable(struct ce_expr_ctx *c, int32_t idx, int depth)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *callee = NULL;
    const char *kind = "zero";
    if (n->a >= 0) {
        int rc = ce_expr_eval_node(c, n->a, depth + 1, &callee);
        if (rc != CE_OK && rc != EXPR_CHAIN_NIL) {
            return rc;
        }
    }
    else if (c->env != NULL && n->name != NULL) {
        const json_t *j = json_object_get(c->env, n->name);
        if (j != NULL && ce_value_from_json(j, 1, &callee, NULL, 0) != CE_OK) {
            callee = NULL;
        }
        if (j != NULL && (json_is_object(j) || json_is_array(j))) {
            kind = json_is_object(j) ? "map" : "slice";
        }
    }
    if (callee != NULL && callee->kind != CE_VALUE_NULL) {
        static const char *const kinds[] = {"zero",   "bool",  "int", "float64",
                                            "string", "slice", "map"};
        kind = kinds[callee->kind];
    }
    ce_value_unref(callee);
    return ce_expr_fail(c, idx, CE_EINVAL, "reflect: call of reflect.Value.Call on %s Value", kind);
}

static int eval_call(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *args[CE_EXPR_ARGS_MAX];
    int rc = eval_kids(c, idx, depth, args);
    if (rc != CE_OK) {
        return rc;
    }
    if (n->kind == CE_NK_BUILTIN) {
        rc = ce_expr_builtin_call(c, idx, args, n->nkids, out);
    }
    else {
        rc = ce_expr_call_named(c, idx, args, n->nkids, out);
        if (rc == CE_ENOENT) {
            rc = not_callable(c, idx, depth);
        }
    }
    for (uint32_t k = 0; k < n->nkids; k++) {
        ce_value_unref(args[k]);
    }
    return rc;
}

/* and, or, ??, govaluate's ? and : — the right side is evaluated only when needed. */
static int eval_short(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value *l,
                      struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    bool gv = c->e->dialect == CE_EXPR_GOVALUATE;
    enum ce_expr_op op = (enum ce_expr_op)n->op;
    struct ce_value *r = NULL;
    int rc;
    if (op == CE_OP_COALESCE || op == CE_OP_TELSE) {
        if (l->kind != CE_VALUE_NULL) {
            *out = ce_value_ref(l);
            return CE_OK;
        }
        return ce_expr_eval_node(c, n->b, depth + 1, out);
    }
    bool is_and = op == CE_OP_AND;
    if (op == CE_OP_TIF) {
        if (l->kind == CE_VALUE_BOOL && !l->u.b) {
            *out = ce_value_null();
            return CE_OK;
        }
    }
    else if (!gv && (rc = ce_expr_need_bool(c, idx, l, "logical")) != CE_OK) {
        return rc;
    }
    else if (l->kind == CE_VALUE_BOOL && l->u.b != is_and) {
        *out = ce_value_bool(!is_and);
        return CE_OK;
    }
    if ((rc = ce_expr_eval_node(c, n->b, depth + 1, &r)) != CE_OK) {
        return rc;
    }
    if (!gv) { /* expr-lang: the right operand is the result, whatever its type */
        *out = r;
        return CE_OK;
    }
    const char *kind = op == CE_OP_TIF ? "ternary" : "logical";
    if ((rc = ce_expr_need_bool(c, idx, l, kind)) != CE_OK ||
        (op != CE_OP_TIF && (rc = ce_expr_need_bool(c, idx, r, kind)) != CE_OK)) {
        ce_value_unref(r);
        return rc;
    }
    *out = r; /* TIF with a true condition, or and/or decided by the right side */
    return CE_OK;
}

static int eval_binary(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *l = NULL, *r = NULL;
    int rc = ce_expr_eval_node(c, n->a, depth + 1, &l);
    if (rc != CE_OK) {
        return rc;
    }
    switch (n->op) {
    case CE_OP_AND:
    case CE_OP_OR:
    case CE_OP_COALESCE:
    case CE_OP_TIF:
    case CE_OP_TELSE:
        rc = eval_short(c, idx, depth, l, out);
        ce_value_unref(l);
        return rc;
    default:
        break;
    }
    rc = ce_expr_eval_node(c, n->b, depth + 1, &r);
    if (rc == CE_OK) {
        rc = ce_expr_op_binary(c, idx, l, r, out);
    }
    ce_value_unref(l);
    ce_value_unref(r);
    return rc;
}

static int eval_cond(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    const struct ce_expr_node *n = &c->e->nodes[idx];
    struct ce_value *cond = NULL;
    int rc = ce_expr_eval_node(c, n->a, depth + 1, &cond);
    if (rc != CE_OK) {
        return rc;
    }
    rc = ce_expr_need_bool(c, idx, cond, "ternary");
    bool t = rc == CE_OK && cond->u.b;
    ce_value_unref(cond);
    return rc != CE_OK ? rc : ce_expr_eval_node(c, t ? n->b : n->c, depth + 1, out);
}

static int eval_unary(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    struct ce_value *v = NULL;
    int rc = ce_expr_eval_node(c, c->e->nodes[idx].a, depth + 1, &v);
    if (rc == CE_OK) {
        rc = ce_expr_op_unary(c, idx, v, out);
        ce_value_unref(v);
    }
    return rc;
}

int ce_expr_eval_node(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out)
{
    *out = NULL;
    if (depth > 4 * CE_EXPR_DEPTH_MAX) {
        return ce_expr_fail(c, idx, CE_ETOOBIG, "expression nested too deeply");
    }
    if (++c->steps > CE_EXPR_STEPS_MAX) {
        return ce_expr_fail(c, idx, CE_ETOOBIG, "evaluation took more than %d steps",
                            CE_EXPR_STEPS_MAX);
    }
    const struct ce_expr_node *n = &c->e->nodes[idx];
    int rc;
    switch ((enum ce_expr_kind)n->kind) {
    case CE_NK_LIT:
        *out = n->lit; /* immortal: shared without counting */
        return CE_OK;
    case CE_NK_IDENT:
        return eval_ident(c, idx, out);
    case CE_NK_MEMBER:
        return eval_member(c, idx, depth, out);
    case CE_NK_CHAIN:
        rc = ce_expr_eval_node(c, n->a, depth + 1, out);
        if (rc == EXPR_CHAIN_NIL) {
            *out = ce_value_null();
            rc = CE_OK;
        }
        return rc;
    case CE_NK_SLICE:
        return eval_slice(c, idx, depth, out);
    case CE_NK_CALL:
    case CE_NK_BUILTIN:
        return eval_call(c, idx, depth, out);
    case CE_NK_PRED:
        return ce_expr_predicate(c, idx, depth, out);
    case CE_NK_POINTER:
        if (c->nscopes == 0 || n->name != NULL) {
            return ce_expr_fail(c, idx, CE_EINVAL, "unknown pointer #%s",
                                n->name != NULL ? n->name : "");
        }
        *out = ce_value_ref(c->items[c->nscopes - 1]);
        return CE_OK;
    case CE_NK_ARRAY:
    case CE_NK_MAP:
        return eval_list(c, idx, depth, out);
    case CE_NK_UNARY:
        return eval_unary(c, idx, depth, out);
    case CE_NK_BINARY:
        return eval_binary(c, idx, depth, out);
    case CE_NK_COND:
        return eval_cond(c, idx, depth, out);
    }
    return ce_expr_fail(c, idx, CE_EINVAL, "bad expression node");
}
