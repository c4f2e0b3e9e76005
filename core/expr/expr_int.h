/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the expression lexers, parsers and evaluator: the AST (an array of nodes
 * addressed by index), tokens and the evaluation context. Not a public interface. */
#ifndef CE_CORE_EXPR_INT_H
#define CE_CORE_EXPR_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include "core/expr/expr.h"

#include "core/base/regex.h"
#include <stdint.h>

enum ce_expr_kind {
    CE_NK_LIT,     /* lit */
    CE_NK_IDENT,   /* name, slot */
    CE_NK_MEMBER,  /* a[b]; flags & CE_NF_OPTIONAL for ?. */
    CE_NK_CHAIN,   /* a: a member chain that ?. may cut short with nil */
    CE_NK_SLICE,   /* a[b:c], b and c may be -1 */
    CE_NK_CALL,    /* name(kids...): name is the dotted callee path, NULL if not nameable */
    CE_NK_BUILTIN, /* aux = enum ce_expr_builtin, kids = arguments */
    CE_NK_PRED,    /* aux = builtin (all, any, ...), a = array, b = closure body */
    CE_NK_POINTER, /* # inside a closure: the current item */
    CE_NK_ARRAY,   /* [kids...] */
    CE_NK_MAP,     /* {kids: key, value, key, value...} */
    CE_NK_UNARY,   /* op a */
    CE_NK_BINARY,  /* a op b */
    CE_NK_COND,    /* a ? b : c (expr-lang) */
};

enum ce_expr_op {
    CE_OP_NONE,
    CE_OP_NEG,
    CE_OP_NOT,
    CE_OP_PLUS,
    CE_OP_BITNOT,
    CE_OP_OR,
    CE_OP_AND,
    CE_OP_EQ,
    CE_OP_NE,
    CE_OP_LT,
    CE_OP_LE,
    CE_OP_GT,
    CE_OP_GE,
    CE_OP_IN,
    CE_OP_MATCHES, /* expr-lang matches; govaluate =~ */
    CE_OP_NMATCH,  /* govaluate !~ */
    CE_OP_CONTAINS,
    CE_OP_STARTS,
    CE_OP_ENDS,
    CE_OP_RANGE,
    CE_OP_ADD,
    CE_OP_SUB,
    CE_OP_MUL,
    CE_OP_DIV,
    CE_OP_MOD,
    CE_OP_POW,
    CE_OP_COALESCE,
    CE_OP_BAND,
    CE_OP_BOR,
    CE_OP_BXOR,
    CE_OP_SHL,
    CE_OP_SHR,
    CE_OP_SEP,   /* govaluate ',' building an argument list */
    CE_OP_TIF,   /* govaluate '?' : left ? right : nil */
    CE_OP_TELSE, /* govaluate ':' : left != nil ? left : right */
};

enum ce_expr_builtin {
    CE_BI_NONE,
    CE_BI_ALL,
    CE_BI_NONE_OF,
    CE_BI_ANY,
    CE_BI_ONE,
    CE_BI_FILTER,
    CE_BI_MAP,
    CE_BI_COUNT,
    CE_BI_LEN,
    CE_BI_ABS,
    CE_BI_INT,
    CE_BI_FLOAT,
    CE_BI_STRING,
    CE_BI_UPPER,
    CE_BI_LOWER,
    CE_BI_TRIM,
    CE_BI_TRIM_PREFIX,
    CE_BI_TRIM_SUFFIX,
    CE_BI_SPLIT,
    CE_BI_JOIN,
    CE_BI_HAS_PREFIX,
    CE_BI_HAS_SUFFIX,
    CE_BI_INDEX_OF,
    CE_BI_TYPE,
    CE_BI_TO_JSON_INDENT, /* expr-lang toJSON */
    CE_BI_KEYS,
    CE_BI_VALUES,
    CE_BI_FIRST,
    CE_BI_LAST,
    CE_BI_UNSUPPORTED, /* an expr-lang builtin cevents does not implement */
};

#define CE_NF_OPTIONAL 1u /* ?. member */
#define CE_NF_INDEX 2u    /* a[x] rather than a.x (error texts differ) */

struct ce_expr_node {
    uint8_t kind;
    uint8_t op;
    uint8_t flags;
    uint8_t aux;
    uint32_t pos; /* byte offset of the token that names this node, for error locations */
    int32_t a, b, c;
    uint32_t kid0, nkids; /* into ce_expr.kids */
    int32_t slot;         /* identifier slot */
    struct ce_value *lit; /* immortal literal */
    char *name;           /* identifier, member name, callee path */
    struct ce_regex *re;  /* regex compiled from a constant pattern */
};

struct ce_expr {
    enum ce_expr_dialect dialect;
    char *src;
    size_t srclen;
    struct ce_expr_node *nodes;
    size_t nnodes, capnodes;
    int32_t *kids;
    size_t nkids, capkids;
    char **slots; /* distinct top-level names */
    size_t nslots;
    int32_t root; /* -1: empty expression */
};

/* AST building (expr_ast.c). All return CE_OK or CE_ETOOBIG with a message. */
int ce_expr_node_add(struct ce_expr *e, enum ce_expr_kind kind, uint32_t pos, int32_t *idx,
                     char *err, size_t errlen);
static inline struct ce_expr_node *ce_expr_node(const struct ce_expr *e, int32_t idx)
{
    return &e->nodes[idx];
}
/* Appends n child indices and points node idx at them. */
void ce_expr_kids_set(struct ce_expr *e, int32_t idx, const int32_t *kids, size_t n);
int32_t ce_expr_slot(struct ce_expr *e, const char *name);
/* A node holding the literal v (takes the reference; made immortal). */
int ce_expr_lit_add(struct ce_expr *e, struct ce_value *v, uint32_t pos, int32_t *idx, char *err,
                    size_t errlen);
/* Compiles a Go-syntax regex with PCRE2 (unanchored, UTF-8 tolerant). On failure writes Go's
 * message shape ("error parsing regexp: ...: `pat`") and returns CE_EPARSE. */
/* 1 match, 0 no match, negative = match error (limit hit), message in err. */
int ce_expr_regex_match(const struct ce_regex *re, const char *s, size_t len, char *err,
                        size_t errlen);
/* Writes "msg (line:col)\n | source line\n | ....^" as expr-lang reports errors. */
int ce_expr_fail_at(const char *src, size_t srclen, uint32_t pos, int rc, char *err, size_t errlen,
                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Parsers: fill e (nodes, root) from e->src. */
int ce_expr_parse_govaluate(struct ce_expr *e, char *err, size_t errlen);
int ce_expr_parse_exprlang(struct ce_expr *e, char *err, size_t errlen);

/* Evaluation context, one per ce_expr_eval call. */
struct ce_expr_ctx {
    const struct ce_expr *e;
    const json_t *env;
    const struct ce_expr_funcs *funcs;
    struct ce_value **slots; /* converted env values per slot, NULL = not yet looked up */
    struct ce_value *items[CE_EXPR_DEPTH_MAX]; /* closure scopes: current item (#) */
    size_t nscopes;
    unsigned long steps;
    char *err;
    size_t errlen;
};

int ce_expr_eval_node(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out);
/* Reports an error at node idx (with location for expr-lang) and returns rc. */
int ce_expr_fail(struct ce_expr_ctx *c, int32_t idx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Operators (expr_ops.c): v1/v2 borrowed, *out a new reference. */
int ce_expr_op_unary(struct ce_expr_ctx *c, int32_t idx, struct ce_value *v, struct ce_value **out);
int ce_expr_op_binary(struct ce_expr_ctx *c, int32_t idx, struct ce_value *l, struct ce_value *r,
                      struct ce_value **out);
/* Requires a bool operand: kind is "logical" or "ternary" for govaluate's message. */
int ce_expr_need_bool(struct ce_expr_ctx *c, int32_t idx, const struct ce_value *v,
                      const char *kind);
/* expr-lang's runtime.Equal: numbers compare by value across int/float, else deep equality. */
bool ce_expr_equal(const struct ce_value *a, const struct ce_value *b);

/* Builtins (expr_builtin.c). */
enum ce_expr_builtin ce_expr_builtin_lookup(const char *name, size_t len, bool *predicate);
/* Checks a builtin's argument count at compile time; CE_OK or CE_EPARSE with the message. */
int ce_expr_builtin_arity(enum ce_expr_builtin b, size_t nargs, char *msg, size_t msglen);
int ce_expr_builtin_call(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                         struct ce_value **out);
int ce_expr_predicate(struct ce_expr_ctx *c, int32_t idx, int depth, struct ce_value **out);
/* Calls name(args) from the caller's table or the dialect's extras (toJson, asInt, asFloat).
 * Returns CE_ENOENT (no message) when no such function exists. */
int ce_expr_call_named(struct ce_expr_ctx *c, int32_t idx, struct ce_value **args, size_t nargs,
                       struct ce_value **out);

/* Result string builder with the CE_EXPR_STR_MAX cap. */
int ce_expr_string_result(struct ce_expr_ctx *c, int32_t idx, struct ce_buf *b,
                          struct ce_value **out);

#endif
