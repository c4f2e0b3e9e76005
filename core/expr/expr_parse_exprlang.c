/* SPDX-License-Identifier: Apache-2.0 */
/* Parser of the expr-lang dialect: precedence climbing with expr-lang's operator table
 * (or 10, and 15, comparisons and in/matches/contains/startsWith/endsWith 20, .. 25, + - 30,
 * * / % 60, unary - + 90, ** ^ 100 right-assoc, ?? 500), the ternary and ?: at the lowest
 * level, postfix member/index/slice/call chains with ?. , and the builtin and predicate calls
 * (all, any, ... take a closure over #). The first error wins, with expr-lang's message. */
#include "core/expr/expr_int.h"
#include "core/expr/expr_lex_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct el_parser {
    struct ce_expr *e;
    struct ce_el_tokens *t;
    size_t i;
    int closure_depth;
    char *err;
    size_t errlen;
};

struct el_binop {
    const char *sym;
    int prec;
    bool right;
    enum ce_expr_op op;
};

static const struct el_binop el_binops[] = {
    {"or", 10, false, CE_OP_OR},
    {"||", 10, false, CE_OP_OR},
    {"and", 15, false, CE_OP_AND},
    {"&&", 15, false, CE_OP_AND},
    {"==", 20, false, CE_OP_EQ},
    {"!=", 20, false, CE_OP_NE},
    {"<", 20, false, CE_OP_LT},
    {">", 20, false, CE_OP_GT},
    {">=", 20, false, CE_OP_GE},
    {"<=", 20, false, CE_OP_LE},
    {"in", 20, false, CE_OP_IN},
    {"matches", 20, false, CE_OP_MATCHES},
    {"contains", 20, false, CE_OP_CONTAINS},
    {"startsWith", 20, false, CE_OP_STARTS},
    {"endsWith", 20, false, CE_OP_ENDS},
    {"..", 25, false, CE_OP_RANGE},
    {"+", 30, false, CE_OP_ADD},
    {"-", 30, false, CE_OP_SUB},
    {"*", 60, false, CE_OP_MUL},
    {"/", 60, false, CE_OP_DIV},
    {"%", 60, false, CE_OP_MOD},
    {"**", 100, true, CE_OP_POW},
    {"^", 100, true, CE_OP_POW},
    {"??", 500, false, CE_OP_COALESCE},
};

static int el_expression(struct el_parser *p, int prec, int depth, int32_t *out);
static int el_postfix(struct el_parser *p, int32_t node, int depth, int32_t *out);

static const struct ce_el_token *cur(const struct el_parser *p)
{
    return &p->t->v[p->i];
}

static bool is(const struct el_parser *p, enum ce_el_kind k, const char *text)
{
    const struct ce_el_token *t = cur(p);
    return t->kind == k && (text == NULL || strcmp(t->text, text) == 0);
}

static int fail_tok(struct el_parser *p, const struct ce_el_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_tok(struct el_parser *p, const struct ce_el_token *t, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ce_expr_fail_at(p->e->src, p->e->srclen, t->pos, CE_EPARSE, p->err, p->errlen, "%s",
                           msg);
}

static int unexpected(struct el_parser *p)
{
    char d[200];
    ce_el_token_describe(cur(p), d, sizeof d);
    return fail_tok(p, cur(p), "unexpected token %s", d);
}

static int next(struct el_parser *p)
{
    if (p->i + 1 >= p->t->n) {
        return fail_tok(p, cur(p), "%s", "unexpected end of expression");
    }
    p->i++;
    return CE_OK;
}

static int expect(struct el_parser *p, enum ce_el_kind k, const char *text)
{
    return is(p, k, text) ? next(p) : unexpected(p);
}

static int deeper(struct el_parser *p, int depth)
{
    if (depth > CE_EXPR_DEPTH_MAX) {
        return ce_rc_fail(CE_ETOOBIG, p->err, p->errlen, "expression nested deeper than %d levels",
                          CE_EXPR_DEPTH_MAX);
    }
    return CE_OK;
}

static int node(struct el_parser *p, enum ce_expr_kind k, uint32_t pos, int32_t *out)
{
    return ce_expr_node_add(p->e, k, pos, out, p->err, p->errlen);
}

static int binary(struct el_parser *p, enum ce_expr_op op, uint32_t pos, int32_t a, int32_t b,
                  int32_t *out)
{
    int rc = node(p, CE_NK_BINARY, pos, out);
    if (rc == CE_OK) {
        struct ce_expr_node *n = ce_expr_node(p->e, *out);
        n->op = (uint8_t)op;
        n->a = a;
        n->b = b;
    }
    return rc;
}

static int unary(struct el_parser *p, enum ce_expr_op op, uint32_t pos, int32_t a, int32_t *out)
{
    int rc = node(p, CE_NK_UNARY, pos, out);
    if (rc == CE_OK) {
        ce_expr_node(p->e, *out)->op = (uint8_t)op;
        ce_expr_node(p->e, *out)->a = a;
    }
    return rc;
}

static const struct el_binop *binop_of(const struct ce_el_token *t)
{
    if (t->kind != CE_EL_OPERATOR) {
        return NULL;
    }
    for (size_t k = 0; k < sizeof el_binops / sizeof el_binops[0]; k++) {
        if (strcmp(el_binops[k].sym, t->text) == 0) {
            return &el_binops[k];
        }
    }
    return NULL;
}

/* A ( ... ) argument list into kids of node n. */
static int el_arguments(struct el_parser *p, int depth, int32_t n)
{
    int32_t args[CE_EXPR_ARGS_MAX];
    size_t nargs = 0;
    int rc = expect(p, CE_EL_BRACKET, "(");
    while (rc == CE_OK && !is(p, CE_EL_BRACKET, ")")) {
        if (nargs > 0 && (rc = expect(p, CE_EL_OPERATOR, ",")) != CE_OK) {
            break;
        }
        if (nargs == CE_EXPR_ARGS_MAX) {
            return ce_rc_fail(CE_ETOOBIG, p->err, p->errlen, "more than %d arguments",
                              CE_EXPR_ARGS_MAX);
        }
        rc = el_expression(p, 0, depth + 1, &args[nargs++]);
    }
    if (rc == CE_OK) {
        rc = expect(p, CE_EL_BRACKET, ")");
    }
    if (rc == CE_OK) {
        ce_expr_kids_set(p->e, n, args, nargs);
    }
    return rc;
}

static int el_closure(struct el_parser *p, int depth, int32_t *out)
{
    bool brace = is(p, CE_EL_BRACKET, "{");
    int rc = brace ? next(p) : CE_OK;
    p->closure_depth++;
    if (rc == CE_OK) {
        rc = el_expression(p, 0, depth + 1, out);
    }
    p->closure_depth--;
    if (rc == CE_OK && brace) {
        rc = expect(p, CE_EL_BRACKET, "}");
    }
    return rc;
}

/* The dotted path of a callee made of an identifier and .name members, else NULL. */
static char *callee_path(const struct ce_expr *e, int32_t idx)
{
    const struct ce_expr_node *n = &e->nodes[idx];
    if (n->kind == CE_NK_IDENT) {
        return ce_xstrdup(n->name);
    }
    if (n->kind == CE_NK_MEMBER && !(n->flags & CE_NF_INDEX) && n->b >= 0) {
        char *base = callee_path(e, n->a);
        if (base == NULL) {
            return NULL;
        }
        const struct ce_value *prop = e->nodes[n->b].lit;
        char *path = ce_xasprintf("%s.%s", base, prop->u.s.p);
        ce_free(base);
        return path;
    }
    return NULL;
}

static int el_call(struct el_parser *p, const struct ce_el_token *tok, int depth, int32_t *out)
{
    int rc;
    if (!is(p, CE_EL_BRACKET, "(")) {
        rc = node(p, CE_NK_IDENT, tok->pos, out);
        if (rc == CE_OK) {
            ce_expr_node(p->e, *out)->name = ce_xstrdup(tok->text);
            ce_expr_node(p->e, *out)->slot = ce_expr_slot(p->e, tok->text);
        }
        return rc;
    }
    bool pred = false;
    enum ce_expr_builtin bi = ce_expr_builtin_lookup(tok->text, tok->tlen, &pred);
    if (pred && bi == CE_BI_UNSUPPORTED) {
        return fail_tok(p, tok, "builtin %s is not supported", tok->text);
    }
    if (pred) {
        int32_t arr, body;
        rc = node(p, CE_NK_PRED, tok->pos, out);
        rc = rc == CE_OK ? expect(p, CE_EL_BRACKET, "(") : rc;
        rc = rc == CE_OK ? el_expression(p, 0, depth + 1, &arr) : rc;
        rc = rc == CE_OK ? expect(p, CE_EL_OPERATOR, ",") : rc;
        rc = rc == CE_OK ? el_closure(p, depth + 1, &body) : rc;
        rc = rc == CE_OK ? expect(p, CE_EL_BRACKET, ")") : rc;
        if (rc == CE_OK) {
            struct ce_expr_node *n = ce_expr_node(p->e, *out);
            n->aux = (uint8_t)bi;
            n->a = arr;
            n->b = body;
            n->name = ce_xstrdup(tok->text);
        }
        return rc;
    }
    if (bi == CE_BI_UNSUPPORTED) {
        return fail_tok(p, tok, "builtin %s is not supported", tok->text);
    }
    rc = node(p, bi != CE_BI_NONE ? CE_NK_BUILTIN : CE_NK_CALL, tok->pos, out);
    if (rc == CE_OK) {
        ce_expr_node(p->e, *out)->aux = (uint8_t)bi;
        ce_expr_node(p->e, *out)->name = ce_xstrdup(tok->text);
        rc = el_arguments(p, depth, *out);
    }
    char msg[200];
    if (rc == CE_OK && bi != CE_BI_NONE &&
        ce_expr_builtin_arity(bi, ce_expr_node(p->e, *out)->nkids, msg, sizeof msg) != CE_OK) {
        return fail_tok(p, tok, "%s", msg);
    }
    return rc;
}

static int el_number(struct el_parser *p, const struct ce_el_token *tok, int32_t *out)
{
    char buf[128];
    size_t w = 0;
    for (size_t k = 0; k < tok->tlen && w + 1 < sizeof buf; k++) {
        if (tok->text[k] != '_') {
            buf[w++] = tok->text[k];
        }
    }
    buf[w] = '\0';
    char *end = NULL;
    errno = 0;
    struct ce_value *v;
    if (strchr(buf, 'x') != NULL || strchr(buf, 'X') != NULL) {
        long long n = strtoll(buf, &end, 16);
        if (errno != 0 || *end != '\0' || w <= 2) {
            return fail_tok(p, tok,
                            "invalid hex literal: strconv.ParseInt: parsing \"%s\": "
                            "invalid syntax",
                            buf);
        }
        v = ce_value_int(n);
    }
    else if (strpbrk(buf, ".eE") != NULL) {
        double f = strtod(buf, &end);
        if (*end != '\0') {
            return fail_tok(p, tok,
                            "invalid float literal: strconv.ParseFloat: parsing \"%s\": "
                            "invalid syntax",
                            buf);
        }
        v = ce_value_float(f);
    }
    else {
        long long n = strtoll(buf, &end, 10);
        if (*end != '\0' || end == buf) {
            return fail_tok(p, tok,
                            "invalid integer literal: strconv.ParseInt: parsing \"%s\": "
                            "invalid syntax",
                            buf);
        }
        if (errno == ERANGE) {
            return fail_tok(p, tok,
                            "invalid integer literal: strconv.ParseInt: parsing \"%s\": "
                            "value out of range",
                            buf);
        }
        v = ce_value_int(n);
    }
    return ce_expr_lit_add(p->e, v, tok->pos, out, p->err, p->errlen);
}

static int el_list(struct el_parser *p, int depth, bool is_map, int32_t *out)
{
    int32_t kids[2 * CE_EXPR_ARGS_MAX];
    size_t n = 0;
    int rc = node(p, is_map ? CE_NK_MAP : CE_NK_ARRAY, cur(p)->pos, out);
    rc = rc == CE_OK ? next(p) : rc;
    const char *close = is_map ? "}" : "]";
    while (rc == CE_OK && !is(p, CE_EL_BRACKET, close)) {
        if (n > 0) {
            if ((rc = expect(p, CE_EL_OPERATOR, ",")) != CE_OK || is(p, CE_EL_BRACKET, close)) {
                break;
            }
        }
        if (n + 2 > sizeof kids / sizeof kids[0]) {
            return ce_rc_fail(CE_ETOOBIG, p->err, p->errlen, "more than %d literal items",
                              CE_EXPR_ARGS_MAX);
        }
        if (is_map) {
            const struct ce_el_token *k = cur(p);
            if (k->kind == CE_EL_NUMBER || k->kind == CE_EL_STRING || k->kind == CE_EL_IDENT) {
                rc = ce_expr_lit_add(p->e, ce_value_string(k->text, k->tlen), k->pos, &kids[n++],
                                     p->err, p->errlen);
                rc = rc == CE_OK ? next(p) : rc;
            }
            else if (is(p, CE_EL_BRACKET, "(")) {
                rc = el_expression(p, 0, depth + 1, &kids[n++]);
            }
            else {
                char d[200];
                ce_el_token_describe(k, d, sizeof d);
                return fail_tok(p, k,
                                "a map key must be a quoted string, a number, a "
                                "identifier, or an expression enclosed in parentheses "
                                "(unexpected token %s)",
                                d);
            }
            rc = rc == CE_OK ? expect(p, CE_EL_OPERATOR, ":") : rc;
        }
        if (rc == CE_OK) {
            rc = el_expression(p, 0, depth + 1, &kids[n++]);
        }
    }
    rc = rc == CE_OK ? expect(p, CE_EL_BRACKET, close) : rc;
    if (rc == CE_OK) {
        ce_expr_kids_set(p->e, *out, kids, n);
    }
    return rc;
}

static int el_secondary(struct el_parser *p, int depth, int32_t *out)
{
    const struct ce_el_token *tok = cur(p);
    int rc;
    switch (tok->kind) {
    case CE_EL_IDENT:
        if ((rc = next(p)) != CE_OK) {
            return rc;
        }
        if (strcmp(tok->text, "true") == 0 || strcmp(tok->text, "false") == 0) {
            return ce_expr_lit_add(p->e, ce_value_bool(tok->text[0] == 't'), tok->pos, out, p->err,
                                   p->errlen);
        }
        if (strcmp(tok->text, "nil") == 0) {
            return ce_expr_lit_add(p->e, ce_value_null(), tok->pos, out, p->err, p->errlen);
        }
        rc = el_call(p, tok, depth, out);
        break;
    case CE_EL_NUMBER:
        return (rc = next(p)) != CE_OK ? rc : el_number(p, tok, out);
    case CE_EL_STRING:
        if ((rc = next(p)) != CE_OK) {
            return rc;
        }
        return ce_expr_lit_add(p->e, ce_value_string(tok->text, tok->tlen), tok->pos, out, p->err,
                               p->errlen);
    default:
        if (is(p, CE_EL_BRACKET, "[") || is(p, CE_EL_BRACKET, "{")) {
            rc = el_list(p, depth, is(p, CE_EL_BRACKET, "{"), out);
            break;
        }
        return unexpected(p);
    }
    return rc == CE_OK ? el_postfix(p, *out, depth, out) : rc;
}

static int el_primary(struct el_parser *p, int depth, int32_t *out)
{
    const struct ce_el_token *tok = cur(p);
    int rc = deeper(p, depth);
    if (rc != CE_OK) {
        return rc;
    }
    if (tok->kind == CE_EL_OPERATOR &&
        (strcmp(tok->text, "not") == 0 || strcmp(tok->text, "!") == 0 ||
         strcmp(tok->text, "-") == 0 || strcmp(tok->text, "+") == 0)) {
        int prec = tok->text[0] == '-' || tok->text[0] == '+' ? 90 : 50;
        enum ce_expr_op op = tok->text[0] == '-'   ? CE_OP_NEG
                             : tok->text[0] == '+' ? CE_OP_PLUS
                                                   : CE_OP_NOT;
        int32_t operand;
        rc = next(p);
        rc = rc == CE_OK ? el_expression(p, prec, depth + 1, &operand) : rc;
        rc = rc == CE_OK ? unary(p, op, tok->pos, operand, out) : rc;
        return rc == CE_OK ? el_postfix(p, *out, depth, out) : rc;
    }
    if (is(p, CE_EL_BRACKET, "(")) {
        rc = next(p);
        rc = rc == CE_OK ? el_expression(p, 0, depth + 1, out) : rc;
        rc = rc == CE_OK ? expect(p, CE_EL_BRACKET, ")") : rc;
        return rc == CE_OK ? el_postfix(p, *out, depth, out) : rc;
    }
    if (is(p, CE_EL_OPERATOR, "#") || is(p, CE_EL_OPERATOR, ".")) {
        if (p->closure_depth == 0) {
            return fail_tok(p, tok, "%s", "cannot use pointer accessor outside closure");
        }
        rc = node(p, CE_NK_POINTER, tok->pos, out);
        if (rc == CE_OK && is(p, CE_EL_OPERATOR, "#")) {
            rc = next(p);
            if (rc == CE_OK && cur(p)->kind == CE_EL_IDENT) {
                ce_expr_node(p->e, *out)->name = ce_xstrdup(cur(p)->text);
                rc = next(p);
            }
        }
        return rc == CE_OK ? el_postfix(p, *out, depth, out) : rc;
    }
    return el_secondary(p, depth, out);
}

static int el_member(struct el_parser *p, int32_t obj, int depth, int32_t *out)
{
    bool optional = is(p, CE_EL_OPERATOR, "?.");
    int rc = next(p);
    if (rc != CE_OK) {
        return rc;
    }
    const struct ce_el_token *prop = cur(p);
    if ((rc = next(p)) != CE_OK) {
        return rc;
    }
    bool name_ok = prop->kind == CE_EL_IDENT;
    if (prop->kind == CE_EL_OPERATOR && prop->tlen > 0) {
        name_ok = !(prop->text[0] >= '0' && prop->text[0] <= '9');
        for (size_t k = 0; k < prop->tlen; k++) {
            char c = prop->text[k];
            name_ok = name_ok && (c == '_' || c == '$' || (c >= 'a' && c <= 'z') ||
                                  (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        }
    }
    if (!name_ok) {
        return fail_tok(p, cur(p), "%s", "expected name");
    }
    const struct ce_expr_node *on = ce_expr_node(p->e, obj);
    bool was_chain = on->kind == CE_NK_CHAIN;
    int32_t base = was_chain ? on->a : obj, lit, m;
    rc = ce_expr_lit_add(p->e, ce_value_string(prop->text, prop->tlen), prop->pos, &lit, p->err,
                         p->errlen);
    rc = rc == CE_OK ? node(p, CE_NK_MEMBER, prop->pos, &m) : rc;
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_expr_node *mn = ce_expr_node(p->e, m);
    mn->a = base;
    mn->b = lit;
    mn->flags = optional ? CE_NF_OPTIONAL : 0;
    if (is(p, CE_EL_BRACKET, "(")) {
        int32_t call;
        rc = node(p, CE_NK_CALL, prop->pos, &call);
        if (rc == CE_OK) {
            ce_expr_node(p->e, call)->a = m;
            ce_expr_node(p->e, call)->name = callee_path(p->e, m);
            rc = el_arguments(p, depth, call);
        }
        m = call;
    }
    if (rc == CE_OK && (was_chain || optional)) {
        int32_t ch;
        rc = node(p, CE_NK_CHAIN, prop->pos, &ch);
        if (rc == CE_OK) {
            ce_expr_node(p->e, ch)->a = m;
            m = ch;
        }
    }
    *out = m;
    return rc;
}

static int el_index(struct el_parser *p, int32_t obj, int depth, int32_t *out)
{
    uint32_t pos = cur(p)->pos;
    int32_t from = -1, to = -1, n;
    bool slice = false;
    int rc = next(p);
    if (rc == CE_OK && is(p, CE_EL_OPERATOR, ":")) {
        slice = true;
        rc = next(p);
    }
    else if (rc == CE_OK) {
        rc = el_expression(p, 0, depth + 1, &from);
        if (rc == CE_OK && is(p, CE_EL_OPERATOR, ":")) {
            slice = true;
            rc = next(p);
        }
    }
    if (rc == CE_OK && slice && !is(p, CE_EL_BRACKET, "]")) {
        rc = el_expression(p, 0, depth + 1, &to);
    }
    rc = rc == CE_OK ? node(p, slice ? CE_NK_SLICE : CE_NK_MEMBER, pos, &n) : rc;
    rc = rc == CE_OK ? expect(p, CE_EL_BRACKET, "]") : rc;
    if (rc == CE_OK) {
        struct ce_expr_node *nn = ce_expr_node(p->e, n);
        nn->a = obj;
        nn->b = from;
        nn->c = to;
        nn->flags = CE_NF_INDEX;
        *out = n;
    }
    return rc;
}

static int el_postfix(struct el_parser *p, int32_t n, int depth, int32_t *out)
{
    int rc = CE_OK;
    *out = n;
    while (rc == CE_OK) {
        if (is(p, CE_EL_OPERATOR, ".") || is(p, CE_EL_OPERATOR, "?.")) {
            rc = el_member(p, *out, depth + 1, out);
        }
        else if (is(p, CE_EL_BRACKET, "[")) {
            rc = el_index(p, *out, depth + 1, out);
        }
        else {
            break;
        }
        if (rc == CE_OK) {
            rc = deeper(p, ++depth);
        }
    }
    return rc;
}

static int el_conditional(struct el_parser *p, int depth, int32_t *io)
{
    int rc = CE_OK;
    while (rc == CE_OK && is(p, CE_EL_OPERATOR, "?")) {
        uint32_t pos = cur(p)->pos;
        int32_t a, b, n;
        rc = next(p);
        if (rc == CE_OK && !is(p, CE_EL_OPERATOR, ":")) {
            rc = el_expression(p, 0, depth + 1, &a);
            rc = rc == CE_OK ? expect(p, CE_EL_OPERATOR, ":") : rc;
        }
        else if (rc == CE_OK) {
            a = *io; /* a ?: b */
            rc = next(p);
        }
        rc = rc == CE_OK ? el_expression(p, 0, depth + 1, &b) : rc;
        rc = rc == CE_OK ? node(p, CE_NK_COND, pos, &n) : rc;
        if (rc == CE_OK) {
            struct ce_expr_node *nn = ce_expr_node(p->e, n);
            nn->a = *io;
            nn->b = a;
            nn->c = b;
            *io = n;
        }
    }
    return rc;
}

/* A constant pattern is compiled once, and a bad one fails the compile as expr-lang's checker
 * does. */
static int const_regex(struct el_parser *p, const struct ce_el_token *optok, int32_t right)
{
    struct ce_expr_node *r = ce_expr_node(p->e, right);
    if (r->kind != CE_NK_LIT || r->lit->kind != CE_VALUE_STRING) {
        return CE_OK;
    }
    char msg[300];
    if (ce_regex_compile(r->lit->u.s.p, r->lit->u.s.len, &r->re, msg, sizeof msg) != CE_OK) {
        return fail_tok(p, optok, "%s", msg);
    }
    return CE_OK;
}

static int el_expression(struct el_parser *p, int prec, int depth, int32_t *out)
{
    int32_t left;
    int rc = deeper(p, depth);
    rc = rc == CE_OK ? el_primary(p, depth + 1, &left) : rc;
    const char *prev = "";
    while (rc == CE_OK && cur(p)->kind == CE_EL_OPERATOR) {
        const struct ce_el_token *optok = cur(p);
        const struct ce_el_token *nottok = NULL;
        if (strcmp(optok->text, "not") == 0) {
            nottok = optok;
            if ((rc = next(p)) != CE_OK) {
                break;
            }
            optok = cur(p);
        }
        const struct el_binop *op = binop_of(optok);
        if (op == NULL || op->prec < prec) {
            break;
        }
        if ((rc = next(p)) != CE_OK) {
            break;
        }
        if (strcmp(prev, "??") == 0 && op->op != CE_OP_COALESCE) {
            rc = fail_tok(p, optok,
                          "Operator (%s) and coalesce expressions (?\?) cannot be mixed. Wrap "
                          "either by parentheses.",
                          optok->text);
            break;
        }
        int32_t right;
        rc = el_expression(p, op->right ? op->prec : op->prec + 1, depth + 1, &right);
        rc = rc == CE_OK ? binary(p, op->op, optok->pos, left, right, &left) : rc;
        if (rc == CE_OK && op->op == CE_OP_MATCHES) {
            rc = const_regex(p, optok, right);
        }
        if (rc == CE_OK && nottok != NULL) {
            rc = unary(p, CE_OP_NOT, nottok->pos, left, &left);
        }
        prev = op->sym;
    }
    if (rc == CE_OK && prec == 0) {
        rc = el_conditional(p, depth, &left);
    }
    *out = left;
    return rc;
}

int ce_expr_parse_exprlang(struct ce_expr *e, char *err, size_t errlen)
{
    struct ce_el_tokens toks;
    int rc = ce_el_lex(e->src, e->srclen, &toks, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct el_parser p = {e, &toks, 0, 0, err, errlen};
    rc = el_expression(&p, 0, 0, &e->root);
    if (rc == CE_OK && cur(&p)->kind != CE_EL_EOF) {
        rc = unexpected(&p);
    }
    ce_el_tokens_free(&toks);
    return rc;
}
