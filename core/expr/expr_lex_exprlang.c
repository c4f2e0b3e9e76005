/* SPDX-License-Identifier: Apache-2.0 */
/* Tokenizer of the expr-lang dialect (EventSource filter.expression): identifiers, numbers
 * (with _ separators, 0x/0o/0b prefixes, fractions, exponents), '…' and "…" strings with Go-like
 * escapes, comments, and operators as expr-lang groups them ("not in" is one operator). Errors
 * carry expr-lang's texts and a source location. */
#include "core/expr/expr_lex_int.h"
#include "core/base/hex.h"

#include "core/expr/expr_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <stdio.h>
#include <string.h>

struct el_lexer {
    const char *s;
    size_t len, pos, start;
    struct ce_el_tokens *out;
    char *err;
    size_t errlen;
};

static bool el_alpha(unsigned char c)
{
    return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static bool el_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool el_alnum(unsigned char c)
{
    return el_alpha(c) || el_digit(c);
}

static bool el_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int el_fail(struct el_lexer *l, size_t pos, const char *msg)
{
    return ce_expr_fail_at(l->s, l->len, (uint32_t)pos, CE_EPARSE, l->err, l->errlen, "%s", msg);
}

static void el_emit_text(struct el_lexer *l, enum ce_el_kind kind, char *text, size_t tlen)
{
    struct ce_el_tokens *t = l->out;
    if (t->n == t->cap) {
        t->cap = t->cap == 0 ? 16 : 2 * t->cap;
        t->v = ce_xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (struct ce_el_token){kind, (uint32_t)l->start, text, tlen};
    l->start = l->pos;
}

static void el_emit(struct el_lexer *l, enum ce_el_kind kind)
{
    el_emit_text(l, kind, ce_xstrndup(l->s + l->start, l->pos - l->start), l->pos - l->start);
}

static bool el_accept(struct el_lexer *l, const char *set)
{
    if (l->pos < l->len && l->s[l->pos] != '\0' && strchr(set, l->s[l->pos]) != NULL) {
        l->pos++;
        return true;
    }
    return false;
}

static void el_accept_run(struct el_lexer *l, const char *set)
{
    while (el_accept(l, set)) {
    }
}

static int el_number(struct el_lexer *l)
{
    const char *digits = "0123456789_";
    if (el_accept(l, "0")) {
        if (el_accept(l, "xX")) {
            digits = "0123456789abcdefABCDEF_";
        }
        else if (el_accept(l, "oO")) {
            digits = "01234567_";
        }
        else if (el_accept(l, "bB")) {
            digits = "01_";
        }
    }
    el_accept_run(l, digits);
    size_t save = l->pos;
    if (el_accept(l, ".")) {
        if (l->pos < l->len && l->s[l->pos] == '.') {
            l->pos = save; /* 1..2 is a range */
            el_emit(l, CE_EL_NUMBER);
            return CE_OK;
        }
        el_accept_run(l, digits);
    }
    if (el_accept(l, "eE")) {
        el_accept(l, "+-");
        el_accept_run(l, digits);
    }
    if (l->pos < l->len && el_alnum((unsigned char)l->s[l->pos])) {
        l->pos++;
        char msg[128];
        snprintf(msg, sizeof msg, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start),
                 l->s + l->start);
        return el_fail(l, l->pos, msg);
    }
    el_emit(l, CE_EL_NUMBER);
    return CE_OK;
}

static void el_put_rune(struct ce_buf *b, uint32_t r)
{
    char u[4];
    if (ce_buf_append(b, u, ce_utf8_encode(r, u)) != CE_OK) {
        return; /* unreachable: the cap exceeds 4x the capped source */
    }
}

/* One escape after a backslash at s[*i]; -1 when malformed. */
static int el_escape(const char *s, size_t n, size_t *i, char quote, struct ce_buf *b)
{
    static const char simple_in[] = "abfnrtv\\'\"`?";
    static const char simple_out[] = "\a\b\f\n\r\t\v\\'\"`?";
    if (*i >= n) {
        return -1;
    }
    char c = s[(*i)++];
    const char *p = strchr(simple_in, c);
    if (c != '\0' && p != NULL) {
        (void)quote;
        el_put_rune(b, (unsigned char)simple_out[p - simple_in]);
        return 0;
    }
    int width = c == 'x' || c == 'X' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    uint32_t v = 0;
    if (width > 0) {
        for (int k = 0; k < width; k++) {
            int h = *i < n ? ce_hex_digit(s[*i]) : -1;
            if (h < 0) {
                return -1;
            }
            v = v << 4 | (uint32_t)h;
            (*i)++;
        }
        el_put_rune(b, v > 0x10ffff ? 0xfffd : v);
        return 0;
    }
    if (c >= '0' && c <= '3') {
        v = (uint32_t)(c - '0');
        for (int k = 0; k < 2; k++) {
            if (*i >= n || s[*i] < '0' || s[*i] > '7') {
                return -1;
            }
            v = v * 8 + (uint32_t)(s[(*i)++] - '0');
        }
        el_put_rune(b, v);
        return 0;
    }
    return -1;
}

static int el_string(struct el_lexer *l, char quote)
{
    struct ce_buf b;
    ce_buf_init(&b, 4 * CE_EXPR_SRC_MAX + 16);
    size_t i = l->pos;
    for (;;) {
        if (i >= l->len || l->s[i] == '\n') {
            ce_buf_fini(&b);
            return el_fail(l, i, "literal not terminated");
        }
        char c = l->s[i];
        if (c == quote) {
            i++;
            break;
        }
        if (c == '\\') {
            i++;
            if (el_escape(l->s, l->len, &i, quote, &b) != 0) {
                ce_buf_fini(&b);
                return el_fail(l, i, "invalid char escape");
            }
            continue;
        }
        if (c == '\r') { /* \r\n and \r read as \n */
            i += i + 1 < l->len && l->s[i + 1] == '\n' ? 2 : 1;
            el_put_rune(&b, '\n');
            continue;
        }
        if (ce_buf_append(&b, &c, 1) != CE_OK) {
            break; /* unreachable: capped */
        }
        i++;
    }
    l->pos = i;
    size_t tlen = b.len;
    char *text = b.data != NULL ? ce_buf_steal(&b, NULL) : ce_xstrdup("");
    ce_buf_fini(&b);
    el_emit_text(l, CE_EL_STRING, text, tlen);
    return CE_OK;
}

static void el_word_end(struct el_lexer *l)
{
    while (l->pos < l->len && el_alnum((unsigned char)l->s[l->pos])) {
        l->pos++;
    }
}

static bool el_word_is(const struct el_lexer *l, size_t from, const char *const *set)
{
    for (; *set != NULL; set++) {
        size_t n = strlen(*set);
        if (l->pos - from == n && memcmp(l->s + from, *set, n) == 0) {
            return true;
        }
    }
    return false;
}

static void el_identifier(struct el_lexer *l)
{
    static const char *const ops[] = {"in",         "or",       "and", "matches", "contains",
                                      "startsWith", "endsWith", "let", NULL};
    static const char *const after_not[] = {"in",         "matches",  "contains",
                                            "startsWith", "endsWith", NULL};
    el_word_end(l);
    if (l->pos - l->start == 3 && memcmp(l->s + l->start, "not", 3) == 0) {
        el_emit(l, CE_EL_OPERATOR);
        size_t save = l->pos;
        while (l->pos < l->len && l->s[l->pos] == ' ') {
            l->pos++;
        }
        size_t from = l->pos;
        el_word_end(l);
        if (el_word_is(l, from, after_not)) {
            l->start = from;
            el_emit(l, CE_EL_OPERATOR);
        }
        else {
            l->pos = save;
            l->start = save;
        }
        return;
    }
    el_emit(l, el_word_is(l, l->start, ops) ? CE_EL_OPERATOR : CE_EL_IDENT);
}

static int el_comment(struct el_lexer *l)
{
    if (el_accept(l, "/")) {
        while (l->pos < l->len && l->s[l->pos] != '\n') {
            l->pos++;
        }
        l->start = l->pos;
        return CE_OK;
    }
    l->pos++; /* the '*' */
    for (;;) {
        if (l->pos >= l->len) {
            return el_fail(l, l->pos, "unclosed comment");
        }
        if (l->s[l->pos++] == '*' && el_accept(l, "/")) {
            break;
        }
    }
    l->start = l->pos;
    return CE_OK;
}

static int el_unrecognized(struct el_lexer *l)
{
    uint32_t cp = 0;
    size_t n = ce_utf8_decode(l->s + l->pos - 1, l->len - l->pos + 1, &cp);
    char msg[64];
    if (n == 0) {
        cp = 0xfffd;
    }
    if (cp < 0x80 && cp >= 0x20) {
        snprintf(msg, sizeof msg, "unrecognized character: U+%04X '%c'", (unsigned)cp, (int)cp);
    }
    else {
        snprintf(msg, sizeof msg, "unrecognized character: U+%04X", (unsigned)cp);
    }
    return el_fail(l, l->pos, msg);
}

static int el_token(struct el_lexer *l, bool *eof)
{
    l->start = l->pos;
    if (l->pos >= l->len) {
        *eof = true;
        return CE_OK;
    }
    unsigned char c = (unsigned char)l->s[l->pos++];
    if (el_space(c)) {
        return CE_OK;
    }
    if (c == '\'' || c == '"') {
        return el_string(l, (char)c);
    }
    if (el_digit(c)) {
        l->pos--;
        return el_number(l);
    }
    switch (c) {
    case '?':
        el_accept(l, ".?");
        break;
    case '/':
        if (l->pos < l->len && (l->s[l->pos] == '/' || l->s[l->pos] == '*')) {
            return el_comment(l);
        }
        break;
    case '#':
        el_accept(l, "#");
        el_emit(l, CE_EL_OPERATOR);
        el_word_end(l);
        if (l->pos > l->start) {
            el_emit(l, CE_EL_IDENT);
        }
        return CE_OK;
    case '|':
        el_accept(l, "|");
        break;
    case '(':
    case '[':
    case '{':
    case ')':
    case ']':
    case '}':
        el_emit(l, CE_EL_BRACKET);
        return CE_OK;
    case '.':
        if (l->pos < l->len && el_digit((unsigned char)l->s[l->pos])) {
            l->pos--;
            return el_number(l);
        }
        el_accept(l, ".");
        break;
    default:
        if (strchr(",:;%+-^", c) != NULL) {
            break;
        }
        if (strchr("&!=*<>", c) != NULL) {
            el_accept(l, "&=*");
            break;
        }
        if (el_alnum(c)) {
            el_identifier(l);
            return CE_OK;
        }
        return el_unrecognized(l);
    }
    el_emit(l, CE_EL_OPERATOR);
    return CE_OK;
}

void ce_el_tokens_free(struct ce_el_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        ce_free(t->v[i].text);
    }
    ce_free(t->v);
    memset(t, 0, sizeof *t);
}

int ce_el_lex(const char *src, size_t len, struct ce_el_tokens *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct el_lexer l = {src, len, 0, 0, out, err, errlen};
    for (;;) {
        bool eof = false;
        int rc = el_token(&l, &eof);
        if (rc != CE_OK) {
            ce_el_tokens_free(out);
            return rc;
        }
        if (eof) {
            break;
        }
    }
    /* EOF points at the last character, as expr-lang reports "unexpected end" there */
    size_t last = len;
    while (last > 0 && ((unsigned char)src[last - 1] & 0xc0) == 0x80) {
        last--;
    }
    l.start = last > 0 ? last - 1 : 0;
    while (l.start > 0 && ((unsigned char)src[l.start] & 0xc0) == 0x80) {
        l.start--;
    }
    el_emit_text(&l, CE_EL_EOF, ce_xstrdup(""), 0);
    return CE_OK;
}

void ce_el_token_describe(const struct ce_el_token *t, char *out, size_t n)
{
    static const char *const kinds[] = {"EOF",    "Identifier", "Number",
                                        "String", "Operator",   "Bracket"};
    if (t->tlen == 0) {
        snprintf(out, n, "%s", kinds[t->kind]);
        return;
    }
    /* Go's %#v of a string: a double-quoted literal (long values shortened) */
    char q[160];
    size_t w = 0;
    q[w++] = '"';
    for (size_t i = 0; i < t->tlen && w + 6 < sizeof q; i++) {
        unsigned char c = (unsigned char)t->text[i];
        if (c == '"' || c == '\\') {
            q[w++] = '\\';
            q[w++] = (char)c;
        }
        else if (c < 0x20) {
            w += (size_t)snprintf(q + w, sizeof q - w, "\\x%02x", c);
        }
        else {
            q[w++] = (char)c;
        }
    }
    q[w++] = '"';
    q[w] = '\0';
    snprintf(out, n, "%s(%s)", kinds[t->kind], q);
}
