/* SPDX-License-Identifier: Apache-2.0 */
/* Template lexer with Go's text/template rules: "{{" and "}}" delimiters, "{{- " and " -}}"
 * trimming the whitespace next to them, comments that must sit alone in their action, and
 * the tokens inside actions (numbers, quoted, raw and character strings, fields, variables,
 * keywords). The whole source is lexed up front into a token array. */
#include "core/template/gotmpl_int.h"

#include "core/base/rc.h"

#include <string.h>

struct lexer {
    struct ce_tv_ctx *a;
    const char *name;
    const char *s;
    size_t n;
    size_t pos;
    size_t start;
    int paren;
    struct tmpl_lexed *out;
    size_t cap;
};

int tmpl_line(const char *src, size_t pos)
{
    int line = 1;
    for (size_t i = 0; i < pos; i++) {
        line += src[i] == '\n';
    }
    return line;
}

static _Noreturn void lex_fail(struct lexer *l, const char *msg, const char *detail)
{
    ce_tv_abort(l->a, CE_EPARSE, "template: %s:%d: %s%s", l->name, tmpl_line(l->s, l->start), msg,
                detail ? detail : "");
}

static void emit_at(struct lexer *l, enum tmpl_tok t, size_t pos, size_t len)
{
    if (l->out->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct tmpl_token *toks = ce_tv_alloc(l->a, cap * sizeof *toks);
        if (l->out->n) {
            memcpy(toks, l->out->toks, l->out->n * sizeof *toks);
        }
        l->out->toks = toks;
        l->cap = cap;
    }
    struct tmpl_token *k = &l->out->toks[l->out->n++];
    k->type = t;
    k->pos = (uint32_t)pos;
    k->len = (uint32_t)len;
}

static void emit(struct lexer *l, enum tmpl_tok t)
{
    emit_at(l, t, l->start, l->pos - l->start);
    l->start = l->pos;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(unsigned char c)
{
    /* bytes >= 0x80 are treated as letters: Go accepts Unicode letters in names */
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

static int peek(const struct lexer *l)
{
    return l->pos < l->n ? (unsigned char)l->s[l->pos] : -1;
}

static bool at(const struct lexer *l, size_t pos, const char *w)
{
    size_t k = strlen(w);
    return pos <= l->n && l->n - pos >= k && memcmp(l->s + pos, w, k) == 0;
}

/* "- " after "{{" */
static bool left_trim_at(const struct lexer *l, size_t pos)
{
    return pos + 1 < l->n && l->s[pos] == '-' && is_space((unsigned char)l->s[pos + 1]);
}

/* " -}}" or "}}" at pos; *trim tells which. */
static bool right_delim_at(const struct lexer *l, size_t pos, bool *trim)
{
    if (pos + 1 < l->n && is_space((unsigned char)l->s[pos]) && l->s[pos + 1] == '-' &&
        at(l, pos + 2, "}}")) {
        *trim = true;
        return true;
    }
    *trim = false;
    return at(l, pos, "}}");
}

static bool at_terminator(const struct lexer *l)
{
    int c = peek(l);
    if (c == -1 || is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' ||
        c == '(') {
        return true;
    }
    return at(l, l->pos, "}}");
}

static const struct {
    const char *w;
    enum tmpl_tok t;
} keywords[] = {
    {"block", TK_BLOCK},
    {"break", TK_BREAK},
    {"continue", TK_CONTINUE},
    {"define", TK_DEFINE},
    {"else", TK_ELSE},
    {"end", TK_END},
    {"if", TK_IF},
    {"range", TK_RANGE},
    {"nil", TK_NIL},
    {"template", TK_TEMPLATE},
    {"with", TK_WITH},
    {"true", TK_BOOL},
    {"false", TK_BOOL},
};

static void lex_ident(struct lexer *l)
{
    while (l->pos < l->n && is_alnum((unsigned char)l->s[l->pos])) {
        l->pos++;
    }
    if (!at_terminator(l)) {
        lex_fail(l, "bad character in identifier", NULL);
    }
    size_t len = l->pos - l->start;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        if (strlen(keywords[k].w) == len && memcmp(keywords[k].w, l->s + l->start, len) == 0) {
            emit(l, keywords[k].t);
            return;
        }
    }
    emit(l, TK_IDENT);
}

static void lex_field_or_var(struct lexer *l, enum tmpl_tok t)
{
    if (at_terminator(l)) {
        emit(l, t == TK_VAR ? TK_VAR : TK_DOT);
        return;
    }
    while (l->pos < l->n && is_alnum((unsigned char)l->s[l->pos])) {
        l->pos++;
    }
    if (!at_terminator(l)) {
        lex_fail(l, "bad character in name", NULL);
    }
    emit(l, t);
}

static void lex_quote(struct lexer *l, char q, enum tmpl_tok t)
{
    for (;;) {
        int c = peek(l);
        if (c == -1 || (c == '\n' && q != '`')) {
            lex_fail(l,
                     q == '"'   ? "unterminated quoted string"
                     : q == '`' ? "unterminated raw quoted string"
                                : "unterminated character constant",
                     NULL);
        }
        l->pos++;
        if (c == '\\' && q != '`') {
            if (l->pos < l->n && l->s[l->pos] != '\n') {
                l->pos++;
            }
            continue;
        }
        if (c == q) {
            break;
        }
    }
    emit(l, t);
}

static bool accept(struct lexer *l, const char *set)
{
    int c = peek(l);
    if (c > 0 && strchr(set, c)) {
        l->pos++;
        return true;
    }
    return false;
}

static void accept_run(struct lexer *l, const char *set)
{
    while (accept(l, set)) {
    }
}

static void lex_number(struct lexer *l)
{
    const char *digits = "0123456789_";
    accept(l, "+-");
    if (accept(l, "0")) {
        if (accept(l, "xX")) {
            digits = "0123456789abcdefABCDEF_";
        }
        else if (accept(l, "oO")) {
            digits = "01234567_";
        }
        else if (accept(l, "bB")) {
            digits = "01_";
        }
    }
    accept_run(l, digits);
    if (accept(l, ".")) {
        accept_run(l, digits);
    }
    if (strlen(digits) == 11 && accept(l, "eE")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    if (strlen(digits) == 23 && accept(l, "pP")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    if (accept(l, "i") || (peek(l) > 0 && is_alnum((unsigned char)peek(l)))) {
        lex_fail(l, "bad number syntax", NULL);
    }
    if (peek(l) == '+' || peek(l) == '-') {
        lex_fail(l, "complex numbers are not supported", NULL);
    }
    emit(l, TK_NUMBER);
}

static void lex_space(struct lexer *l)
{
    size_t nspace = 0;
    while (l->pos < l->n && is_space((unsigned char)l->s[l->pos])) {
        l->pos++;
        nspace++;
    }
    bool trim;
    if (right_delim_at(l, l->pos - 1, &trim) && trim) {
        l->pos--; /* the space belongs to " -}}" */
        if (nspace == 1) {
            return;
        }
    }
    emit(l, TK_SPACE);
}

/* Lexes one action; l->pos is just after "{{" and any "- ". Returns at the text after "}}". */
static void lex_action(struct lexer *l)
{
    l->paren = 0;
    for (;;) {
        bool trim;
        if (right_delim_at(l, l->pos, &trim)) {
            if (l->paren != 0) {
                lex_fail(l, "unclosed left paren", NULL);
            }
            l->start = l->pos;
            l->pos += trim ? 4 : 2;
            emit(l, TK_RDELIM);
            if (trim) {
                while (l->pos < l->n && is_space((unsigned char)l->s[l->pos])) {
                    l->pos++;
                }
                l->start = l->pos;
            }
            return;
        }
        l->start = l->pos;
        int c = peek(l);
        if (c == -1) {
            lex_fail(l, "unclosed action", NULL);
        }
        l->pos++;
        if (is_space(c)) {
            l->pos--;
            lex_space(l);
        }
        else if (c == '=') {
            emit(l, TK_ASSIGN);
        }
        else if (c == ':') {
            if (peek(l) != '=') {
                lex_fail(l, "expected :=", NULL);
            }
            l->pos++;
            emit(l, TK_DECLARE);
        }
        else if (c == '|') {
            emit(l, TK_PIPE);
        }
        else if (c == '"') {
            lex_quote(l, '"', TK_STRING);
        }
        else if (c == '`') {
            lex_quote(l, '`', TK_RAWSTRING);
        }
        else if (c == '\'') {
            lex_quote(l, '\'', TK_CHARCONST);
        }
        else if (c == '$') {
            lex_field_or_var(l, TK_VAR);
        }
        else if (c == '.' && !(peek(l) >= '0' && peek(l) <= '9')) {
            lex_field_or_var(l, TK_FIELD);
        }
        else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            l->pos--;
            lex_number(l);
        }
        else if (is_alnum((unsigned char)c)) {
            lex_ident(l);
        }
        else if (c == '(') {
            emit(l, TK_LPAREN);
            if (++l->paren > CE_TMPL_MAX_NEST) {
                lex_fail(l, "parentheses nested too deeply", NULL);
            }
        }
        else if (c == ')') {
            emit(l, TK_RPAREN);
            if (--l->paren < 0) {
                lex_fail(l, "unexpected right paren", NULL);
            }
        }
        else if (c < 0x7f && c > 0x20) {
            emit(l, TK_CHAR);
        }
        else {
            lex_fail(l, "unrecognized character in action", NULL);
        }
    }
}

/* A comment action: l->pos is at the comment opening. */
static void lex_comment(struct lexer *l)
{
    const char *endp = NULL;
    for (size_t i = l->pos + 2; i + 1 < l->n; i++) {
        if (l->s[i] == '*' && l->s[i + 1] == '/') {
            endp = l->s + i;
            break;
        }
    }
    if (!endp) {
        lex_fail(l, "unclosed comment", NULL);
    }
    l->pos = (size_t)(endp - l->s) + 2;
    bool trim;
    if (!right_delim_at(l, l->pos, &trim)) {
        lex_fail(l, "comment ends before closing delimiter", NULL);
    }
    l->pos += trim ? 4 : 2;
    if (trim) {
        while (l->pos < l->n && is_space((unsigned char)l->s[l->pos])) {
            l->pos++;
        }
    }
    l->start = l->pos;
}

void tmpl_lex(struct ce_tv_ctx *a, const char *name, const char *src, size_t len,
              struct tmpl_lexed *out)
{
    struct lexer l = {.a = a, .name = name, .s = src, .n = len, .out = out};
    out->toks = NULL;
    out->n = 0;
    while (l.pos < l.n) {
        const char *open = NULL;
        for (size_t i = l.pos; i + 1 < l.n; i++) {
            if (src[i] == '{' && src[i + 1] == '{') {
                open = src + i;
                break;
            }
        }
        size_t tend = open ? (size_t)(open - src) : l.n;
        size_t after = tend + 2;
        bool trim = open && left_trim_at(&l, after);
        size_t text_end = tend;
        if (trim) {
            while (text_end > l.pos && is_space((unsigned char)src[text_end - 1])) {
                text_end--;
            }
        }
        if (text_end > l.pos) {
            emit_at(&l, TK_TEXT, l.pos, text_end - l.pos);
        }
        if (!open) {
            l.pos = l.n;
            break;
        }
        l.start = tend;
        l.pos = after + (trim ? 2 : 0);
        if (at(&l, l.pos, "/*")) {
            lex_comment(&l);
            continue;
        }
        emit_at(&l, TK_LDELIM, tend, l.pos - tend);
        l.start = l.pos;
        lex_action(&l);
    }
    l.start = l.n;
    emit_at(&l, TK_EOF, l.n, 0);
}
