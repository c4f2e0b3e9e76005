/* SPDX-License-Identifier: Apache-2.0 */
/* Tokenizer of the govaluate dialect (Sensor exprs filters). It keeps govaluate's quirks users
 * may rely on: operators are read as maximal runs of symbol characters ("a==-1" is an invalid
 * token "==-"), '-' is a prefix only where an operand may start, backslash escapes any character
 * in names and strings ("dep\-1" is the name "dep-1"), [bracketed names], strings end at either
 * quote, and strings that read as dates become numbers (unix seconds). After tokenizing, the
 * sequence is checked with govaluate's token transition table. */
#include "core/expr/expr_lex_int.h"

#include "core/expr/expr.h"
#include "core/go/gofloat.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* defined in expr_gvtime.c */
bool ce_gv_parse_time(const char *s, size_t n, double *unix_seconds);

/* Token text never outgrows the source, which is capped before lexing, so appends cannot fail. */
static void gv_add(struct ce_buf *b, const void *p, size_t n)
{
    if (ce_buf_append(b, p, n) != CE_OK) {
        return; /* unreachable: the buffer cap is the source cap */
    }
}

struct gv_stream {
    const char *s;
    size_t len, pos;
};

static bool gv_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Non-ASCII bytes count as letters so UTF-8 names work. */
static bool gv_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool gv_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool gv_numeric(unsigned char c)
{
    return gv_digit(c) || c == '.';
}

static bool gv_hex(unsigned char c)
{
    return gv_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool gv_not_quote(unsigned char c)
{
    return c != '\'' && c != '"';
}

static bool gv_symbol(unsigned char c)
{
    return !(gv_digit(c) || gv_letter(c) || c == '(' || c == ')' || c == '[' || c == ']' ||
             !gv_not_quote(c));
}

static bool gv_name_char(unsigned char c)
{
    return gv_letter(c) || gv_digit(c) || c == '_' || c == '.';
}

static bool gv_not_close_bracket(unsigned char c)
{
    return c != ']';
}

/* govaluate's readUntilFalse: collects characters while cond holds; backslash takes the next
 * character literally; whitespace ends a non-empty token when break_ws, is skipped when
 * !incl_ws. Returns whether a terminator was seen (false = ran off the end). */
static bool gv_read_until(struct gv_stream *st, bool incl_ws, bool break_ws,
                          bool (*cond)(unsigned char), struct ce_buf *b)
{
    while (st->pos < st->len) {
        unsigned char c = (unsigned char)st->s[st->pos++];
        if (c == '\\') {
            if (st->pos >= st->len) {
                return false;
            }
            gv_add(b, &st->s[st->pos++], 1);
            continue;
        }
        if (gv_space(c)) {
            if (break_ws && b->len > 0) {
                return true;
            }
            if (!incl_ws) {
                continue;
            }
        }
        if (cond(c)) {
            gv_add(b, &c, 1);
        }
        else {
            st->pos--;
            return true;
        }
    }
    return false;
}

/* readTokenUntilFalse: re-reads from the character just consumed. */
static void gv_read_token(struct gv_stream *st, bool (*cond)(unsigned char), struct ce_buf *b)
{
    st->pos--;
    (void)gv_read_until(st, false, true, cond, b);
}

/* Which kinds may follow each kind (govaluate's lexer states). */
#define K(x) (1u << CE_GV_##x)
static const struct {
    bool eof_ok;
    unsigned next;
} gv_states[] = {
    [CE_GV_UNKNOWN] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(VARIABLE) | K(PATTERN) |
                                  K(FUNCTION) | K(ACCESSOR) | K(STRING) | K(TIME) | K(CLAUSE)},
    [CE_GV_CLAUSE] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(VARIABLE) | K(PATTERN) |
                                 K(FUNCTION) | K(ACCESSOR) | K(STRING) | K(TIME) | K(CLAUSE) |
                                 K(CLAUSE_CLOSE)},
    [CE_GV_CLAUSE_CLOSE] = {true, K(COMPARATOR) | K(MODIFIER) | K(NUMERIC) | K(BOOLEAN) |
                                      K(VARIABLE) | K(STRING) | K(PATTERN) | K(TIME) | K(CLAUSE) |
                                      K(CLAUSE_CLOSE) | K(LOGICALOP) | K(TERNARY) | K(SEPARATOR)},
    [CE_GV_NUMERIC] = {true, K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) |
                                 K(TERNARY) | K(SEPARATOR)},
    [CE_GV_BOOLEAN] = {true, K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) |
                                 K(TERNARY) | K(SEPARATOR)},
    [CE_GV_STRING] = {true, K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) |
                                K(TERNARY) | K(SEPARATOR)},
    [CE_GV_TIME] = {true,
                    K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) | K(SEPARATOR)},
    [CE_GV_PATTERN] = {true,
                       K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) | K(SEPARATOR)},
    [CE_GV_VARIABLE] = {true, K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) | K(CLAUSE_CLOSE) |
                                  K(TERNARY) | K(SEPARATOR)},
    [CE_GV_MODIFIER] = {false, K(PREFIX) | K(NUMERIC) | K(VARIABLE) | K(FUNCTION) | K(ACCESSOR) |
                                   K(STRING) | K(BOOLEAN) | K(CLAUSE) | K(CLAUSE_CLOSE)},
    [CE_GV_COMPARATOR] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(VARIABLE) | K(FUNCTION) |
                                     K(ACCESSOR) | K(STRING) | K(TIME) | K(CLAUSE) |
                                     K(CLAUSE_CLOSE) | K(PATTERN)},
    [CE_GV_LOGICALOP] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(VARIABLE) | K(FUNCTION) |
                                    K(ACCESSOR) | K(STRING) | K(TIME) | K(CLAUSE) |
                                    K(CLAUSE_CLOSE)},
    [CE_GV_PREFIX] = {false, K(NUMERIC) | K(BOOLEAN) | K(VARIABLE) | K(FUNCTION) | K(ACCESSOR) |
                                 K(CLAUSE) | K(CLAUSE_CLOSE)},
    [CE_GV_TERNARY] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(STRING) | K(TIME) |
                                  K(VARIABLE) | K(FUNCTION) | K(ACCESSOR) | K(CLAUSE) |
                                  K(SEPARATOR)},
    [CE_GV_FUNCTION] = {false, K(CLAUSE)},
    [CE_GV_ACCESSOR] = {true, K(CLAUSE) | K(MODIFIER) | K(COMPARATOR) | K(LOGICALOP) |
                                  K(CLAUSE_CLOSE) | K(TERNARY) | K(SEPARATOR)},
    [CE_GV_SEPARATOR] = {false, K(PREFIX) | K(NUMERIC) | K(BOOLEAN) | K(STRING) | K(TIME) |
                                    K(VARIABLE) | K(FUNCTION) | K(ACCESSOR) | K(CLAUSE)},
};
#undef K

const char *ce_gv_kind_name(enum ce_gv_kind k)
{
    static const char *const names[] = {
        "UNKNOWN",   "PREFIX",   "NUMERIC",  "BOOLEAN",      "STRING",   "PATTERN",
        "TIME",      "VARIABLE", "FUNCTION", "SEPARATOR",    "ACCESSOR", "COMPARATOR",
        "LOGICALOP", "MODIFIER", "CLAUSE",   "CLAUSE_CLOSE", "TERNARY",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "UNKNOWN";
}

static bool gv_in(const char *s, const char *const *set)
{
    for (; *set != NULL; set++) {
        if (strcmp(s, *set) == 0) {
            return true;
        }
    }
    return false;
}

static const char *const gv_prefix_syms[] = {"-", "!", "~", NULL};
static const char *const gv_modifier_syms[] = {"+", "-", "*", "/",  "%",  "**",
                                               "&", "|", "^", ">>", "<<", NULL};
static const char *const gv_logical_syms[] = {"&&", "||", NULL};
static const char *const gv_comparator_syms[] = {"==", "!=", ">",  ">=", "<",
                                                 "<=", "=~", "!~", NULL};
static const char *const gv_ternary_syms[] = {"?", ":", "??", NULL};

static void gv_push(struct ce_gv_tokens *t, const struct ce_gv_token *tok)
{
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 16 : 2 * t->cap;
        t->v = ce_xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = *tok;
}

void ce_gv_tokens_free(struct ce_gv_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        ce_free(t->v[i].text);
    }
    ce_free(t->v);
    memset(t, 0, sizeof *t);
}

static int gv_number(struct gv_stream *st, unsigned char c, struct ce_gv_token *tok,
                     struct ce_buf *b, char *err, size_t errlen)
{
    tok->kind = CE_GV_NUMERIC;
    if (st->pos < st->len && c == '0') {
        c = (unsigned char)st->s[st->pos++];
        if (st->pos < st->len && c == 'x') {
            (void)gv_read_until(st, false, true, gv_hex, b);
            errno = 0;
            char *end = NULL;
            unsigned long long u = strtoull(b->data != NULL ? b->data : "", &end, 16);
            if (b->len == 0 || errno != 0 || *end != '\0') {
                return ce_rc_fail(CE_EPARSE, err, errlen,
                                  "Unable to parse hex value '%s' to uint64",
                                  b->data != NULL ? b->data : "");
            }
            tok->num = (double)u;
            return CE_OK;
        }
        st->pos--;
    }
    gv_read_token(st, gv_numeric, b);
    const char *txt = b->data != NULL ? b->data : "";
    char *end = NULL;
    tok->num = strtod(txt, &end);
    /* digits and dots only: strtod accepts exactly Go's forms here ("1.", ".5") */
    if (b->len == 0 || *end != '\0' || strcmp(txt, ".") == 0) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "Unable to parse numeric value '%s' to float64",
                          txt);
    }
    return CE_OK;
}

static int gv_word(struct gv_stream *st, struct ce_gv_token *tok, struct ce_buf *b, char *err,
                   size_t errlen)
{
    gv_read_token(st, gv_name_char, b);
    const char *w = b->data != NULL ? b->data : "";
    tok->kind = CE_GV_VARIABLE;
    if (strcmp(w, "true") == 0 || strcmp(w, "false") == 0) {
        tok->kind = CE_GV_BOOLEAN;
        tok->boolean = w[0] == 't';
    }
    if (strcmp(w, "in") == 0 || strcmp(w, "IN") == 0) {
        tok->kind = CE_GV_COMPARATOR;
        ce_buf_reset(b);
        gv_add(b, "in", 2);
        return CE_OK;
    }
    const char *dot = strchr(w, '.');
    if (dot != NULL && dot > w) {
        if (w[b->len - 1] == '.') {
            return ce_rc_fail(CE_EPARSE, err, errlen, "Hanging accessor on token '%s'", w);
        }
        for (const char *p = dot; p != NULL; p = strchr(p + 1, '.')) {
            if (p[1] >= 'a' && p[1] <= 'z') {
                const char *e = strchr(p + 1, '.');
                return ce_rc_fail(CE_EPARSE, err, errlen,
                                  "Unable to access unexported field '%.*s' in token '%s'",
                                  (int)(e != NULL ? (size_t)(e - p - 1) : strlen(p + 1)), p + 1, w);
            }
        }
        tok->kind = CE_GV_ACCESSOR;
    }
    return CE_OK;
}

static int gv_symbol_token(struct gv_stream *st, enum ce_gv_kind prev, struct ce_gv_token *tok,
                           struct ce_buf *b, char *err, size_t errlen)
{
    gv_read_token(st, gv_symbol, b);
    const char *w = b->data != NULL ? b->data : "";
    if ((gv_states[prev].next & (1u << CE_GV_PREFIX)) && gv_in(w, gv_prefix_syms)) {
        tok->kind = CE_GV_PREFIX;
    }
    else if (gv_in(w, gv_modifier_syms)) {
        tok->kind = CE_GV_MODIFIER;
    }
    else if (gv_in(w, gv_logical_syms)) {
        tok->kind = CE_GV_LOGICALOP;
    }
    else if (gv_in(w, gv_comparator_syms)) {
        tok->kind = CE_GV_COMPARATOR;
    }
    else if (gv_in(w, gv_ternary_syms)) {
        tok->kind = CE_GV_TERNARY;
    }
    else {
        return ce_rc_fail(CE_EPARSE, err, errlen, "Invalid token: '%s'", w);
    }
    return CE_OK;
}

/* Reads one token; *found = false at the end of input. */
static int gv_next(struct gv_stream *st, enum ce_gv_kind prev, struct ce_gv_token *tok, bool *found,
                   char *err, size_t errlen)
{
    struct ce_buf b;
    ce_buf_init(&b, CE_EXPR_SRC_MAX);
    int rc = CE_OK;
    *found = false;
    memset(tok, 0, sizeof *tok);
    while (st->pos < st->len && gv_space((unsigned char)st->s[st->pos])) {
        st->pos++;
    }
    if (st->pos >= st->len) {
        ce_buf_fini(&b);
        return CE_OK;
    }
    tok->pos = (uint32_t)st->pos;
    unsigned char c = (unsigned char)st->s[st->pos++];
    if (gv_numeric(c)) {
        rc = gv_number(st, c, tok, &b, err, errlen);
    }
    else if (c == ',') {
        tok->kind = CE_GV_SEPARATOR;
        gv_add(&b, ",", 1);
    }
    else if (c == '[') {
        tok->kind = CE_GV_VARIABLE;
        if (!gv_read_until(st, true, false, gv_not_close_bracket, &b)) {
            rc = ce_rc_fail(CE_EPARSE, err, errlen, "Unclosed parameter bracket");
        }
        st->pos++;
    }
    else if (gv_letter(c)) {
        rc = gv_word(st, tok, &b, err, errlen);
    }
    else if (!gv_not_quote(c)) {
        if (!gv_read_until(st, true, false, gv_not_quote, &b)) {
            rc = ce_rc_fail(CE_EPARSE, err, errlen, "Unclosed string literal");
        }
        st->pos++;
        tok->kind = ce_gv_parse_time(b.data != NULL ? b.data : "", b.len, &tok->num) ? CE_GV_TIME
                                                                                     : CE_GV_STRING;
    }
    else if (c == '(' || c == ')') {
        tok->kind = c == '(' ? CE_GV_CLAUSE : CE_GV_CLAUSE_CLOSE;
        gv_add(&b, &c, 1);
    }
    else {
        rc = gv_symbol_token(st, prev, tok, &b, err, errlen);
    }
    if (rc == CE_OK) {
        tok->tlen = b.len;
        tok->text = b.data != NULL ? ce_buf_steal(&b, NULL) : ce_xstrdup("");
        *found = true;
    }
    ce_buf_fini(&b);
    return rc;
}

/* A token's value as govaluate prints it with %v in transition errors. */
static void gv_describe(const struct ce_gv_token *t, char *out, size_t n)
{
    if (t == NULL) {
        snprintf(out, n, "<nil>");
    }
    else if (t->kind == CE_GV_CLAUSE || t->kind == CE_GV_CLAUSE_CLOSE) {
        snprintf(out, n, "%d", t->kind == CE_GV_CLAUSE ? '(' : ')'); /* a rune prints as int */
    }
    else if (t->kind == CE_GV_BOOLEAN) {
        snprintf(out, n, "%s", t->boolean ? "true" : "false");
    }
    else if (t->kind == CE_GV_NUMERIC) {
        (void)ce_gofloat_v(t->num, out, n);
    }
    else {
        snprintf(out, n, "%s", t->text);
    }
}

static int gv_check(const struct ce_gv_tokens *t, char *err, size_t errlen)
{
    long parens = 0;
    for (size_t i = 0; i < t->n; i++) {
        parens += t->v[i].kind == CE_GV_CLAUSE ? 1 : t->v[i].kind == CE_GV_CLAUSE_CLOSE ? -1 : 0;
    }
    if (parens != 0) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "Unbalanced parenthesis");
    }
    enum ce_gv_kind state = CE_GV_UNKNOWN;
    const struct ce_gv_token *last = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const struct ce_gv_token *tok = &t->v[i];
        if (!(gv_states[state].next & (1u << tok->kind))) {
            if (last != NULL && last->kind == CE_GV_VARIABLE && tok->kind == CE_GV_CLAUSE) {
                return ce_rc_fail(CE_EPARSE, err, errlen, "Undefined function %s", last->text);
            }
            char a[64], b[64];
            gv_describe(last, a, sizeof a);
            gv_describe(tok, b, sizeof b);
            return ce_rc_fail(CE_EPARSE, err, errlen,
                              "Cannot transition token types from %s [%s] to %s [%s]",
                              ce_gv_kind_name(state), a, ce_gv_kind_name(tok->kind), b);
        }
        state = tok->kind;
        last = tok;
    }
    if (!gv_states[state].eof_ok) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "Unexpected end of expression");
    }
    return CE_OK;
}

int ce_gv_lex(const char *src, size_t len, struct ce_gv_tokens *out, char *err, size_t errlen)
{
    struct gv_stream st = {src, len, 0};
    enum ce_gv_kind state = CE_GV_UNKNOWN;
    memset(out, 0, sizeof *out);
    for (;;) {
        struct ce_gv_token tok;
        bool found = false;
        int rc = gv_next(&st, state, &tok, &found, err, errlen);
        if (rc != CE_OK) {
            ce_gv_tokens_free(out);
            return rc;
        }
        if (!found) {
            break;
        }
        gv_push(out, &tok);
        state = tok.kind;
    }
    int rc = gv_check(out, err, errlen);
    if (rc != CE_OK) {
        ce_gv_tokens_free(out);
    }
    return rc;
}
