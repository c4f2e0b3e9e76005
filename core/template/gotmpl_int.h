/* SPDX-License-Identifier: Apache-2.0 */
/* Internal parts of the template engine shared by its lexer, parser, executor and builtins:
 * tokens, the syntax tree (node kinds follow Go's text/template/parse), and error helpers. */
#ifndef CE_CORE_GOTMPL_INT_H
#define CE_CORE_GOTMPL_INT_H

#include "core/template/gotmpl.h"
#include "core/template/sprig.h"
#include "core/template/tvalue.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tmpl_tok {
    TK_EOF,
    TK_TEXT,
    TK_LDELIM,
    TK_RDELIM,
    TK_SPACE,
    TK_BOOL,
    TK_CHAR, /* other printable ASCII, e.g. ',' */
    TK_CHARCONST,
    TK_NUMBER,
    TK_STRING,
    TK_RAWSTRING,
    TK_IDENT,
    TK_FIELD,
    TK_VAR,
    TK_DOT,
    TK_NIL,
    TK_LPAREN,
    TK_RPAREN,
    TK_PIPE,
    TK_DECLARE,
    TK_ASSIGN,
    /* keywords */
    TK_BLOCK,
    TK_BREAK,
    TK_CONTINUE,
    TK_DEFINE,
    TK_ELSE,
    TK_END,
    TK_IF,
    TK_RANGE,
    TK_TEMPLATE,
    TK_WITH,
};

struct tmpl_token {
    enum tmpl_tok type;
    uint32_t pos; /* byte offset in the source */
    uint32_t len;
};

struct tmpl_lexed {
    struct tmpl_token *toks;
    size_t n;
};

enum tmpl_node_type {
    ND_LIST,
    ND_TEXT,
    ND_ACTION,
    ND_IF,
    ND_RANGE,
    ND_WITH,
    ND_TEMPLATE,
    ND_BREAK,
    ND_CONTINUE,
    ND_PIPE,
    ND_CMD,
    ND_FIELD,
    ND_VAR,
    ND_CHAIN,
    ND_IDENT,
    ND_DOT,
    ND_NIL,
    ND_BOOL,
    ND_NUMBER,
    ND_STRING,
    ND_ELSE_MARK, /* parser-internal: {{else}} */
    ND_END_MARK,  /* parser-internal: {{end}} */
};

struct tmpl_node {
    uint8_t type;
    bool is_assign;                                  /* ND_PIPE: '=' rather than ':=' */
    bool b;                                          /* ND_BOOL */
    bool is_int, is_uint, is_float, is_char, is_hex; /* ND_NUMBER */
    uint32_t pos;                                    /* start in the source, for messages */
    uint32_t end;                                    /* end of the node's text */
    int64_t i;
    double f;
    const char *s; /* ND_TEXT/ND_STRING bytes, ND_TEMPLATE name */
    size_t n;
    struct tmpl_node **kids; /* ND_LIST items, ND_PIPE commands, ND_CMD args */
    size_t nkids;
    const char **ident; /* ND_FIELD/ND_VAR/ND_CHAIN names ("$x" first for variables) */
    size_t nident;
    const char **decl; /* ND_PIPE declared variables */
    size_t ndecl;
    struct tmpl_node *pipe; /* control structures, ND_ACTION, ND_TEMPLATE; ND_CHAIN's term */
    struct tmpl_node *list;
    struct tmpl_node *elselist;
    const struct ce_fn *fn; /* ND_IDENT */
    int builtin;            /* ND_IDENT: enum tmpl_builtin */
};

struct tmpl_def {
    const char *name;
    struct tmpl_node *root;
};

struct ce_tmpl {
    struct ce_tv_ctx arena; /* nodes and strings */
    char *name;
    char *src;
    size_t srclen;
    struct tmpl_def *defs; /* defs[0] is the main template */
    size_t ndefs;
};

/* Builtins with special evaluation rules. */
enum tmpl_builtin {
    TB_NONE,
    TB_AND,
    TB_OR,
    TB_OTHER,
};

/* Lexes src into tokens allocated in a. Aborts (longjmp) on an error with Go's message. */
void tmpl_lex(struct ce_tv_ctx *a, const char *name, const char *src, size_t len,
              struct tmpl_lexed *out);
/* strconv.Unquote of a "...", `...` or '...' literal into arena memory; CE_OK or CE_EPARSE. */
int tmpl_unquote(struct ce_tv_ctx *a, const char *s, size_t n, const char **out, size_t *outlen);
/* Reads a number or character constant into n (is_int/is_uint/is_float and values); CE_OK, or
 * CE_EPARSE with Go's message in msg. */
int tmpl_number(struct ce_tv_ctx *a, const char *text, size_t len, bool charconst,
                struct tmpl_node *n, char *msg, size_t msglen);
/* Line number (1-based) of pos. */
int tmpl_line(const char *src, size_t pos);

/* The builtin called name, or NULL; *special tells and/or apart. */
const struct ce_fn *tmpl_builtin_lookup(const char *name, size_t len, int *special);

#endif
