/* SPDX-License-Identifier: Apache-2.0 */
/* Internal declarations of core/jsonpath: the compiled path (tokens), the filter/script
 * language (an operator tree built by splitting the text at the first unquoted operator, lowest
 * precedence first, as the reference engine does) and the evaluation context. */
#ifndef CE_CORE_JSONPATH_INT_H
#define CE_CORE_JSONPATH_INT_H

#include "core/base/buf.h"
#include "core/json/jsonpath.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JP_NODES_MAX 2048 /* tokens and operators compiled for one query */
#define JP_MSG_MAX 512

enum jp_tok_kind {
    JT_ROOT,
    JT_CURRENT,
    JT_KEY,
    JT_INDEX,
    JT_WILDCARD,
    JT_RECURSIVE,
    JT_LENGTH,
    JT_RANGE,  /* args[0..2]: from, to, step */
    JT_UNION,  /* args[0..nargs) */
    JT_FILTER, /* script */
    JT_SCRIPT, /* script: its value picks a key or an index */
};

enum jp_arg_kind { JA_NIL, JA_INT, JA_STR, JA_EXPR };

struct jp_script;

struct jp_arg {
    enum jp_arg_kind k;
    int64_t i;
    char *s;
    struct jp_script *x;
};

struct jp_tok {
    enum jp_tok_kind k;
    char *key;
    int64_t index;
    struct jp_arg *args;
    size_t nargs;
    size_t nalloc; /* entries of args allocated */
    struct jp_script *script;
};

struct jp_path {
    struct jp_tok *t;
    size_t n;
};

enum jp_opk {
    OP_SELECTOR,
    OP_OR,
    OP_AND,
    OP_EQ,
    OP_NE,
    OP_LE,
    OP_GE,
    OP_LT,
    OP_GT,
    OP_REGEX,
    OP_NOT,
    OP_PLUS,
    OP_MINUS,
    OP_POW,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_NOTIN,
    OP_IN,
};

/* An operand as written: nothing (Go nil), a sub-operator, literal text, or a literal JSON
 * array/object. */
enum jp_sak { SA_NIL, SA_OP, SA_STR, SA_JSON };

struct jp_op;

struct jp_sarg {
    enum jp_sak k;
    struct jp_op *op;
    char *s;
    json_t *j;
};

struct jp_op {
    enum jp_opk k;
    struct jp_sarg a, b;
    struct jp_path sel; /* OP_SELECTOR */
};

struct jp_script {
    char *src;
    struct jp_op *root; /* NULL: no operator, the text is a value */
};

/* Compilation state: node budget, nesting depth and the error message. */
struct jp_cc {
    size_t nodes;
    size_t work; /* bytes scanned for operators */
    int depth;
    int rc;
    char msg[JP_MSG_MAX];
};

/* Errors that wrap the reference engine's "invalid token" / "invalid expression" sentinels;
 * the wrapping rules depend on them. */
#define JE_TOKEN 1u
#define JE_EXPR 2u

struct jp_ec {
    size_t steps;
    int depth;
    bool fatal; /* a cap or a runtime panic: never swallowed */
    int fatal_rc;
    unsigned flags;
    char msg[JP_MSG_MAX];
};

/* A script value: Go's interface{} as the engine sees it. */
enum jp_svk { SV_NIL, SV_BOOL, SV_F64, SV_I64, SV_STR, SV_JSON };

struct jp_sv {
    enum jp_svk k;
    bool b;
    double f;
    int64_t i;
    char *s; /* owned, NUL-terminated */
    size_t n;
    json_t *j; /* owned reference: an array or an object */
};

/* jsonpath_parse.c */
int jp_compile(struct jp_cc *cc, const char *sel, size_t len, struct jp_path *out);
void jp_path_free(struct jp_path *p);
void jp_trim(const char **p, size_t *n);
size_t jp_rune_len(const char *p, size_t n);
bool jp_parse_int10(const char *p, size_t n, int64_t *out); /* strconv.ParseInt(s, 10, 64) */

/* jsonpath_script.c */
int jp_script_compile(struct jp_cc *cc, const char *src, size_t len, struct jp_script **out);
void jp_script_free(struct jp_script *s);

/* jsonpath_eval.c */
int jp_script_eval(struct jp_ec *c, const struct jp_script *s, json_t *root, json_t *cur,
                   struct jp_sv *out);
void jp_sv_clear(struct jp_sv *v);
bool jp_sv_integer(const struct jp_sv *v, int64_t *out);
const char *jp_sv_kind(const struct jp_sv *v);
int jp_go_sprint(const json_t *j, int depth, struct ce_buf *b);

/* jsonpath.c */
int jp_apply(struct jp_ec *c, const struct jp_tok *t, size_t n, json_t *root, json_t *cur,
             json_t **out);
int jp_fail(struct jp_ec *c, int rc, unsigned flags, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int jp_step(struct jp_ec *c);
const char *jp_json_kind(const json_t *j);
int jp_cmp_keys(const void *a, const void *b); /* qsort of const char * */

#endif
