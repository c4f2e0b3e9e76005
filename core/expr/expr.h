/* SPDX-License-Identifier: Apache-2.0 */
/* Expression filters, in the two languages Argo manifests use: the govaluate dialect of Sensor
 * `filters.exprs[].expr` (parameters bound by name, result must be exactly `true`) and the
 * expr-lang dialect of EventSource `filter.expression` (env = the event data object). Both share
 * the value model (core/expr_value.h), the AST and the evaluator; only lexing and parsing differ.
 * A compiled expression is immutable and may be evaluated from many threads at once. */
#ifndef CE_CORE_EXPR_H
#define CE_CORE_EXPR_H

#include "core/expr/expr_value.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum ce_expr_dialect {
    CE_EXPR_GOVALUATE, /* Sensor exprs filters and trigger conditions */
    CE_EXPR_EXPRLANG,  /* EventSource filter.expression */
};

/* Caps. Every one is checked before the work it bounds is done. */
#define CE_EXPR_SRC_MAX 8192             /* bytes of source text */
#define CE_EXPR_NODES_MAX 4096           /* AST nodes per expression */
#define CE_EXPR_DEPTH_MAX 64             /* parser and evaluator nesting */
#define CE_EXPR_ARGS_MAX 32              /* arguments of one call, items of one literal list */
#define CE_EXPR_STR_MAX (1024 * 1024)    /* bytes of any string an expression builds */
#define CE_EXPR_ARRAY_MAX 100000         /* items of any array an expression builds */
#define CE_EXPR_STEPS_MAX 1000000        /* evaluation steps (closure bodies count per item) */
#define CE_EXPR_JSON_DEPTH_MAX 64        /* nesting of env JSON turned into values */
#define CE_EXPR_REGEX_MATCH_LIMIT 100000 /* backtracking budget of one regex match */

struct ce_expr; /* compiled, immutable, shareable across threads */

/* A caller-supplied function, called as name(args...). Names may be dotted ("sprig.upper"): in
 * the expr-lang dialect a call whose callee is a member chain of identifiers is looked up by its
 * dotted path. args are borrowed. On success store a new reference in *out and return CE_OK;
 * otherwise return an rc with a message in err. */
typedef int (*ce_expr_fn)(void *ctx, struct ce_value *const *args, size_t nargs,
                          struct ce_value **out, char *err, size_t errlen);

struct ce_expr_func {
    const char *name;
    ce_expr_fn fn;
};

/* The extension point: a table searched before the env for called names (after the dialect's
 * own builtins). ctx is passed to every callback. */
struct ce_expr_funcs {
    const struct ce_expr_func *items;
    size_t n;
    void *ctx;
};

/* Parses src. Returns CE_OK and stores the expression, or CE_EPARSE / CE_ETOOBIG with the
 * dialect's message in err (expr-lang messages carry "(line:col)" and a source snippet, as
 * Argo Events shows them). */
int ce_expr_compile(enum ce_expr_dialect d, const char *src, struct ce_expr **out, char *err,
                    size_t errlen);

/* Evaluates e. env is a JSON object (may be NULL = empty): for govaluate the parameters by name
 * ("No parameter 'x' found." when absent), for expr-lang the environment built by
 * ce_expr_env_from_event (absent names are nil). JSON numbers become floats, as Go's
 * encoding/json decodes them. On success *out holds a new reference (ce_value_unref it). */
int ce_expr_eval(const struct ce_expr *e, const json_t *env, const struct ce_expr_funcs *funcs,
                 struct ce_value **out, char *err, size_t errlen);

/* As ce_expr_eval, then requires a bool result: CE_EINVAL with a message when it is not. */
int ce_expr_eval_bool(const struct ce_expr *e, const json_t *env, const struct ce_expr_funcs *funcs,
                      bool *out, char *err, size_t errlen);

void ce_expr_destroy(struct ce_expr *e);

/* The source text the expression was compiled from. */
const char *ce_expr_source(const struct ce_expr *e);

/* The expr-lang environment of an EventSource filter, as Argo Events builds it from the event
 * data: data must be a JSON object; every top-level key has '-' replaced by '_'; a key that is
 * the dotted prefix of another key is dropped ({"a":1,"a.b":2} keeps only "a.b"); keys
 * containing '.' are expanded into nested objects ("a.b.c" -> {"a":{"b":{"c":..}}}). Values are
 * shared with data, not copied. Returns a new object, or NULL with a message in err. */
json_t *ce_expr_env_from_event(const json_t *data, char *err, size_t errlen);

#endif
