/* SPDX-License-Identifier: Apache-2.0 */
/* Tokens of the two expression dialects. Internal to the expression module. */
#ifndef CE_CORE_EXPR_LEX_H
#define CE_CORE_EXPR_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* govaluate token kinds, in its order (the names appear in its error messages). */
enum ce_gv_kind {
    CE_GV_UNKNOWN,
    CE_GV_PREFIX,
    CE_GV_NUMERIC,
    CE_GV_BOOLEAN,
    CE_GV_STRING,
    CE_GV_PATTERN,
    CE_GV_TIME,
    CE_GV_VARIABLE,
    CE_GV_FUNCTION,
    CE_GV_SEPARATOR,
    CE_GV_ACCESSOR,
    CE_GV_COMPARATOR,
    CE_GV_LOGICALOP,
    CE_GV_MODIFIER,
    CE_GV_CLAUSE,
    CE_GV_CLAUSE_CLOSE,
    CE_GV_TERNARY,
};

struct ce_gv_token {
    enum ce_gv_kind kind;
    uint32_t pos;
    char *text; /* symbol, variable name, string value (heap, NUL-terminated) */
    size_t tlen;
    double num; /* NUMERIC, TIME (unix seconds) */
    bool boolean;
};

struct ce_gv_tokens {
    struct ce_gv_token *v;
    size_t n, cap;
};

/* Tokenizes and syntax-checks as govaluate does (its messages). */
int ce_gv_lex(const char *src, size_t len, struct ce_gv_tokens *out, char *err, size_t errlen);
void ce_gv_tokens_free(struct ce_gv_tokens *t);
const char *ce_gv_kind_name(enum ce_gv_kind k);

/* expr-lang token kinds. */
enum ce_el_kind {
    CE_EL_EOF,
    CE_EL_IDENT,
    CE_EL_NUMBER,
    CE_EL_STRING,
    CE_EL_OPERATOR,
    CE_EL_BRACKET,
};

struct ce_el_token {
    enum ce_el_kind kind;
    uint32_t pos;
    char *text; /* value: decoded string, operator, identifier, raw number */
    size_t tlen;
};

struct ce_el_tokens {
    struct ce_el_token *v;
    size_t n, cap;
};

int ce_el_lex(const char *src, size_t len, struct ce_el_tokens *out, char *err, size_t errlen);
void ce_el_tokens_free(struct ce_el_tokens *t);
/* Token as expr-lang prints it in "unexpected token" errors: Operator("&&"), EOF. */
void ce_el_token_describe(const struct ce_el_token *t, char *out, size_t n);

#endif
