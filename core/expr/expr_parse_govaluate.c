/* SPDX-License-Identifier: Apache-2.0 */
/* Parser of the govaluate dialect. govaluate plans each precedence level right-recursively and
 * then mirrors runs of equal precedence, which amounts to left-associative levels, loosest
 * first: ',' ; '?' ':' '??' (one level, so "a ? b : c" is (a ? b) : c and "x ?? y ? p : q" is
 * ((x ?? y) ? p) : q) ; '||' ; '&&' ; comparators ; '^ & |' ; '<< >>' ; '+ -' ; '* / %' ; '**' ;
 * prefixes, which bind to a single operand. Tokens left over after a complete expression are
 * ignored, as govaluate does. */
#include "core/expr/expr_int.h"
#include "core/expr/expr_lex_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <string.h>

struct gv_parser {
    struct ce_expr *e;
    struct ce_gv_tokens *t;
    size_t i;
    char *err;
    size_t errlen;
};

struct gv_sym {
    const char *sym;
    enum ce_expr_op op;
};

struct gv_level {
    enum ce_gv_kind kind;
    const struct gv_sym *syms; /* NULL-terminated by sym */
};

static const struct gv_sym gv_sep[] = {{",", CE_OP_SEP}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_tern[] = {
    {"?", CE_OP_TIF}, {":", CE_OP_TELSE}, {"??", CE_OP_COALESCE}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_or[] = {{"||", CE_OP_OR}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_and[] = {{"&&", CE_OP_AND}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_cmp[] = {
    {"==", CE_OP_EQ}, {"!=", CE_OP_NE},  {">", CE_OP_GT},       {">=", CE_OP_GE},
    {"<", CE_OP_LT},  {"<=", CE_OP_LE},  {"=~", CE_OP_MATCHES}, {"!~", CE_OP_NMATCH},
    {"in", CE_OP_IN}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_bit[] = {
    {"^", CE_OP_BXOR}, {"&", CE_OP_BAND}, {"|", CE_OP_BOR}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_shift[] = {{">>", CE_OP_SHR}, {"<<", CE_OP_SHL}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_add[] = {{"+", CE_OP_ADD}, {"-", CE_OP_SUB}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_mul[] = {
    {"*", CE_OP_MUL}, {"/", CE_OP_DIV}, {"%", CE_OP_MOD}, {NULL, CE_OP_NONE}};
static const struct gv_sym gv_pow[] = {{"**", CE_OP_POW}, {NULL, CE_OP_NONE}};

static const struct gv_level gv_levels[] = {
    {CE_GV_SEPARATOR, gv_sep},  {CE_GV_TERNARY, gv_tern},   {CE_GV_LOGICALOP, gv_or},
    {CE_GV_LOGICALOP, gv_and},  {CE_GV_COMPARATOR, gv_cmp}, {CE_GV_MODIFIER, gv_bit},
    {CE_GV_MODIFIER, gv_shift}, {CE_GV_MODIFIER, gv_add},   {CE_GV_MODIFIER, gv_mul},
    {CE_GV_MODIFIER, gv_pow},
};
#define GV_NLEVELS (sizeof gv_levels / sizeof gv_levels[0])

static int gv_parse_level(struct gv_parser *p, size_t level, int depth, int32_t *out);

static int gv_nil(struct gv_parser *p, uint32_t pos, int32_t *out)
{
    return ce_expr_lit_add(p->e, ce_value_null(), pos, out, p->err, p->errlen);
}

static const struct ce_gv_token *gv_peek(const struct gv_parser *p)
{
    return p->i < p->t->n ? &p->t->v[p->i] : NULL;
}

static int gv_literal(struct gv_parser *p, const struct ce_gv_token *tok, int32_t *out)
{
    struct ce_value *v;
    switch (tok->kind) {
    case CE_GV_NUMERIC:
    case CE_GV_TIME:
        v = ce_value_float(tok->num);
        break;
    case CE_GV_BOOLEAN:
        v = ce_value_bool(tok->boolean);
        break;
    default:
        v = ce_value_string(tok->text, tok->tlen);
        break;
    }
    return ce_expr_lit_add(p->e, v, tok->pos, out, p->err, p->errlen);
}

/* A name, or a name.Field accessor (kept whole; JSON parameters have no fields). */
static int gv_variable(struct gv_parser *p, const struct ce_gv_token *tok, int depth, int32_t *out)
{
    int rc = ce_expr_node_add(p->e, CE_NK_IDENT, tok->pos, out, p->err, p->errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_expr_node *n = ce_expr_node(p->e, *out);
    n->name = ce_xstrdup(tok->text);
    if (tok->kind == CE_GV_ACCESSOR) {
        char *dot = strchr(n->name, '.');
        *dot = '\0';
        n->slot = ce_expr_slot(p->e, n->name);
        *dot = '.';
        n->flags |= CE_NF_INDEX; /* marks an accessor */
        const struct ce_gv_token *next = gv_peek(p);
        if (next != NULL && next->kind == CE_GV_CLAUSE) {
            int32_t args;
            rc = gv_parse_level(p, 0, depth + 1, &args); /* method arguments: parsed, unused */
            ce_expr_node(p->e, *out)->a = args;
        }
        return rc;
    }
    n->slot = ce_expr_slot(p->e, n->name);
    return CE_OK;
}

static int gv_parse_value(struct gv_parser *p, int depth, int32_t *out)
{
    const struct ce_gv_token *tok = gv_peek(p);
    if (depth > CE_EXPR_DEPTH_MAX) {
        return ce_rc_fail(CE_ETOOBIG, p->err, p->errlen, "expression nested deeper than %d levels",
                          CE_EXPR_DEPTH_MAX);
    }
    if (tok == NULL || tok->kind == CE_GV_CLAUSE_CLOSE) {
        return gv_nil(p, tok != NULL ? tok->pos : (uint32_t)p->e->srclen, out);
    }
    p->i++;
    switch (tok->kind) {
    case CE_GV_CLAUSE: {
        int rc = gv_parse_level(p, 0, depth + 1, out);
        if (rc == CE_OK && p->i < p->t->n) {
            p->i++; /* the closing parenthesis (balance was checked) */
        }
        return rc;
    }
    case CE_GV_VARIABLE:
    case CE_GV_ACCESSOR:
        return gv_variable(p, tok, depth, out);
    case CE_GV_NUMERIC:
    case CE_GV_STRING:
    case CE_GV_BOOLEAN:
    case CE_GV_TIME:
        return gv_literal(p, tok, out);
    case CE_GV_PREFIX: {
        int32_t operand;
        int rc = gv_parse_value(p, depth + 1, &operand);
        if (rc == CE_OK) {
            rc = ce_expr_node_add(p->e, CE_NK_UNARY, tok->pos, out, p->err, p->errlen);
        }
        if (rc == CE_OK) {
            struct ce_expr_node *n = ce_expr_node(p->e, *out);
            n->op = tok->text[0] == '-'   ? CE_OP_NEG
                    : tok->text[0] == '!' ? CE_OP_NOT
                                          : CE_OP_BITNOT;
            n->a = operand;
        }
        return rc;
    }
    default:
        return ce_rc_fail(CE_EPARSE, p->err, p->errlen,
                          "Unable to plan token kind: '%s', value: '%s'",
                          ce_gv_kind_name(tok->kind), tok->text);
    }
}

static enum ce_expr_op gv_match(const struct gv_level *lv, const struct ce_gv_token *tok)
{
    if (tok == NULL || tok->kind != lv->kind) {
        return CE_OP_NONE;
    }
    for (const struct gv_sym *s = lv->syms; s->sym != NULL; s++) {
        if (strcmp(s->sym, tok->text) == 0) {
            return s->op;
        }
    }
    return CE_OP_NONE;
}

/* govaluate compiles a constant pattern right after =~ / !~ when the expression is built. */
static int gv_const_regex(struct gv_parser *p, enum ce_expr_op op)
{
    const struct ce_gv_token *next = gv_peek(p);
    if ((op != CE_OP_MATCHES && op != CE_OP_NMATCH) || next == NULL || next->kind != CE_GV_STRING) {
        return CE_OK;
    }
    int32_t lit;
    struct ce_regex *re = NULL;
    int rc = ce_regex_compile(next->text, next->tlen, &re, p->err, p->errlen);
    if (rc != CE_OK) {
        return rc;
    }
    rc = gv_literal(p, next, &lit);
    if (rc != CE_OK) {
        ce_regex_destroy(re);
        return rc;
    }
    p->i++;
    ce_expr_node(p->e, lit)->re = re;
    return CE_OK;
}

static int gv_parse_level(struct gv_parser *p, size_t level, int depth, int32_t *out)
{
    if (depth > CE_EXPR_DEPTH_MAX) {
        return ce_rc_fail(CE_ETOOBIG, p->err, p->errlen, "expression nested deeper than %d levels",
                          CE_EXPR_DEPTH_MAX);
    }
    if (level == GV_NLEVELS) {
        return gv_parse_value(p, depth + 1, out);
    }
    int32_t left;
    int rc = gv_parse_level(p, level + 1, depth + 1, &left);
    enum ce_expr_op op;
    while (rc == CE_OK && (op = gv_match(&gv_levels[level], gv_peek(p))) != CE_OP_NONE) {
        uint32_t pos = gv_peek(p)->pos;
        p->i++;
        int32_t right = -1, node;
        size_t before = p->e->nnodes;
        rc = gv_const_regex(p, op);
        if (rc == CE_OK && p->e->nnodes > before) {
            right = (int32_t)before; /* the constant pattern is the whole right operand */
        }
        if (rc == CE_OK && right < 0) {
            rc = gv_parse_level(p, level + 1, depth + 1, &right);
        }
        if (rc == CE_OK) {
            rc = ce_expr_node_add(p->e, CE_NK_BINARY, pos, &node, p->err, p->errlen);
        }
        if (rc == CE_OK) {
            struct ce_expr_node *n = ce_expr_node(p->e, node);
            n->op = (uint8_t)op;
            n->a = left;
            n->b = right;
            left = node;
        }
    }
    *out = left;
    return rc;
}

int ce_expr_parse_govaluate(struct ce_expr *e, char *err, size_t errlen)
{
    struct ce_gv_tokens toks;
    int rc = ce_gv_lex(e->src, e->srclen, &toks, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct gv_parser p = {e, &toks, 0, err, errlen};
    rc = gv_parse_level(&p, 0, 0, &e->root);
    ce_gv_tokens_free(&toks);
    return rc;
}
