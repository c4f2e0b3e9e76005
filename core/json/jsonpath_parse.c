/* SPDX-License-Identifier: Apache-2.0 */
/* JSONPath compilation: splitting a selector into token strings and parsing each into a token,
 * with the reference engine's rules (its quirks included, since filter users depend on what it
 * accepts and rejects) and its error texts. */
#include "core/json/jsonpath_int.h"

#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct strv {
    char **s;
    size_t *n;
    size_t len, cap;
};

static void strv_push(struct strv *v, const char *p, size_t n)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->s = ce_xrealloc(v->s, v->cap * sizeof *v->s);
        v->n = ce_xrealloc(v->n, v->cap * sizeof *v->n);
    }
    v->s[v->len] = ce_xstrndup(p, n);
    v->n[v->len++] = n;
}

static void strv_free(struct strv *v)
{
    for (size_t i = 0; i < v->len; i++) {
        ce_free(v->s[i]);
    }
    ce_free(v->s);
    ce_free(v->n);
}

static int cc_fail(struct jp_cc *cc, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cc_fail(struct jp_cc *cc, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cc->msg, sizeof cc->msg, fmt, ap);
    va_end(ap);
    cc->rc = rc;
    return rc;
}

size_t jp_rune_len(const char *p, size_t n)
{
    uint32_t cp;
    size_t k = ce_utf8_decode(p, n, &cp);
    return k ? k : 1;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

void jp_trim(const char **p, size_t *n)
{
    while (*n > 0 && is_space(**p)) {
        (*p)++, (*n)--;
    }
    while (*n > 0 && is_space((*p)[*n - 1])) {
        (*n)--;
    }
}

static size_t count_ch(const char *p, size_t n, char ch)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        k += p[i] == ch;
    }
    return k;
}

/* A byte shown as Go's string(byte) does: the code point U+00XX in UTF-8. */
static void byte_text(unsigned char b, char out[3])
{
    if (b < 0x80) {
        out[0] = (char)b, out[1] = '\0';
    }
    else {
        out[0] = (char)(0xc0 | (b >> 6)), out[1] = (char)(0x80 | (b & 0x3f)), out[2] = '\0';
    }
}

static int push_tok(struct jp_cc *cc, struct strv *v, const char *p, size_t n)
{
    if (v->len >= CE_JSONPATH_TOKENS_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "selector has more than %d tokens", CE_JSONPATH_TOKENS_MAX);
    }
    strv_push(v, p, n);
    return CE_OK;
}

/* Splits sel into token strings ("$", "key", "..", "[...]"). */
static int tokenize(struct jp_cc *cc, const char *sel, size_t len, struct strv *v)
{
    if (len == 0) {
        return cc_fail(cc, CE_EPARSE, "unexpected token '' at index 0");
    }
    char ts[CE_JSONPATH_PATH_MAX + 8];
    size_t tn = 0;
    size_t quotes = 0, open_s = 0, close_s = 0, open_b = 0, close_b = 0;
    int rc = CE_OK;
    for (size_t idx = 0; idx < len && rc == CE_OK;) {
        size_t rl = jp_rune_len(sel + idx, len - idx);
        char ch = sel[idx];
        if (tn == 0) {
            quotes = open_s = close_s = 0;
        }
        quotes += ch == '\'';
        open_s += ch == '(';
        close_s += ch == ')';
        open_b += ch == '[';
        close_b += ch == ']';
        memcpy(ts + tn, sel + idx, rl);
        tn += rl;
        size_t at = idx;
        idx += rl;
        if (at == 0) {
            if (!(tn == 1 && (ts[0] == '$' || ts[0] == '@'))) {
                return cc_fail(cc, CE_EPARSE, "unexpected token '%.*s' at index 0", (int)tn, ts);
            }
            if (len > 1 && sel[1] != '.' && sel[1] != '[') {
                char b[3];
                byte_text((unsigned char)sel[1], b);
                return cc_fail(cc, CE_EPARSE, "unexpected token '%s' at index 1", b);
            }
            rc = push_tok(cc, v, ts, tn);
            tn = 0;
            continue;
        }
        if (tn == 1 && ts[0] == '.') {
            continue;
        }
        if (tn == 2 && ts[0] == '.' && ts[1] == '.') {
            rc = push_tok(cc, v, ts, tn);
            tn = 0;
            continue;
        }
        if (ch == '[') {
            if ((tn == 1) || (tn == 2 && ts[0] == '.')) {
                continue;
            }
            if (count_ch(ts, tn, '[') > 1) {
                continue;
            }
            if (ts[0] == '.') {
                rc = push_tok(cc, v, ts + 1, tn - 2);
            }
            else {
                rc = push_tok(cc, v, ts, tn - 1);
            }
            ts[0] = '[';
            tn = 1;
            continue;
        }
        if (memchr(ts, '[', tn) != NULL) {
            if (quotes % 2 == 1 || open_s != close_s) {
                continue;
            }
            if (ch == ']' && open_b == close_b) {
                rc = ts[0] == '.' ? push_tok(cc, v, ts + 1, tn - 1) : push_tok(cc, v, ts, tn);
                tn = 0;
            }
        }
        else if (ch == '.') {
            if (quotes % 2 == 1 || open_s != close_s) {
                continue;
            }
            rc = ts[0] == '.' ? push_tok(cc, v, ts + 1, tn - 2) : push_tok(cc, v, ts, tn - 1);
            ts[0] = '.';
            tn = 1;
        }
    }
    if (rc == CE_OK && tn > 0) {
        rc = ts[0] == '.' ? push_tok(cc, v, ts + 1, tn - 1) : push_tok(cc, v, ts, tn);
    }
    return rc;
}

static bool is_script(const char *p, size_t n)
{
    return n > 2 && p[0] == '(' && p[n - 1] == ')';
}

static bool is_key(const char *p, size_t n)
{
    return n > 1 && ((p[0] == '\'' && p[n - 1] == '\'') || (p[0] == '"' && p[n - 1] == '"'));
}

/* strconv.ParseInt(s, 10, 64). */
bool jp_parse_int10(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '+' || p[0] == '-')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (i == n) {
        return false;
    }
    uint64_t u = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        unsigned d = (unsigned)(p[i] - '0');
        if (u > (UINT64_C(1) << 63) / 10 || u * 10 + d > (UINT64_C(1) << 63)) {
            return false;
        }
        u = u * 10 + d;
    }
    if (!neg && u > (uint64_t)INT64_MAX) {
        return false;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

/* One raw argument of a subscript: an int, ':' or ',' markers, a nil, or text. */
enum raw_kind { RAW_INT, RAW_STR, RAW_NIL, RAW_COLON, RAW_COMMA };

struct raw {
    enum raw_kind k;
    int64_t i;
    char *s;
    size_t n;
};

struct rawv {
    struct raw *a;
    size_t len, cap;
};

static int raw_push(struct jp_cc *cc, struct rawv *v, enum raw_kind k, const char *p, size_t n)
{
    if (v->len >= CE_JSONPATH_TOKENS_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "subscript has more than %d arguments",
                       CE_JSONPATH_TOKENS_MAX);
    }
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->a = ce_xrealloc(v->a, v->cap * sizeof *v->a);
    }
    struct raw *r = &v->a[v->len++];
    memset(r, 0, sizeof *r);
    r->k = k;
    if (k == RAW_STR) {
        if (jp_parse_int10(p, n, &r->i)) {
            r->k = RAW_INT;
        }
        else {
            r->s = ce_xstrndup(p, n);
            r->n = n;
        }
    }
    return CE_OK;
}

static void rawv_free(struct rawv *v)
{
    for (size_t i = 0; i < v->len; i++) {
        ce_free(v->a[i].s);
    }
    ce_free(v->a);
}

static int bad_format(struct jp_cc *cc, const char *tok, size_t n)
{
    return cc_fail(cc, CE_EPARSE, "invalid token. '%.*s' does not match any token format", (int)n,
                   tok);
}

struct sub_state {
    char buf[CE_JSONPATH_PATH_MAX + 8];
    size_t bn;
    size_t open_r, close_r;
    bool sq, dq;
};

/* Handles a quote character just appended to the buffer; returns 1 when the argument closed. */
static int sub_quote(struct jp_cc *cc, struct sub_state *s, struct rawv *args, char q,
                     const char *tok, size_t tokn)
{
    bool other = q == '\'' ? s->dq : s->sq;
    if (other || s->open_r != s->close_r) {
        return CE_OK;
    }
    if (s->bn > 1 && s->buf[s->bn - 2] == '\\') {
        s->buf[s->bn - 2] = q;
        s->bn--;
        return CE_OK;
    }
    bool *mine = q == '\'' ? &s->sq : &s->dq;
    *mine = !*mine;
    if (*mine) {
        if (s->bn != 1) {
            return bad_format(cc, tok, tokn);
        }
        return CE_OK;
    }
    if (!is_key(s->buf, s->bn)) {
        return bad_format(cc, tok, tokn);
    }
    int rc = raw_push(cc, args, RAW_STR, s->buf, s->bn); /* quoted: never an int */
    s->bn = 0;
    return rc;
}

/* Splits the inside of [...] into raw arguments and ':' / ',' markers. */
static int split_subscript(struct jp_cc *cc, const char *sub, size_t sn, const char *tok,
                           size_t tokn, struct rawv *args)
{
    struct sub_state *s = ce_xcalloc(1, sizeof *s);
    int rc = CE_OK;
    for (size_t idx = 0; idx < sn && rc == CE_OK;) {
        size_t rl = jp_rune_len(sub + idx, sn - idx);
        char ch = sub[idx];
        memcpy(s->buf + s->bn, sub + idx, rl);
        s->bn += rl;
        size_t at = idx;
        idx += rl;
        bool inq = s->sq || s->dq, balanced = s->open_r == s->close_r;
        switch (ch) {
        case ' ':
            if (!inq && balanced) {
                const char *p = s->buf;
                size_t n = s->bn;
                jp_trim(&p, &n);
                memmove(s->buf, p, n);
                s->bn = n;
            }
            break;
        case '(':
            if (!inq) {
                s->open_r++;
            }
            break;
        case ')':
            s->close_r++;
            if (s->open_r == s->close_r) {
                if (!is_script(s->buf, s->bn)) {
                    rc = cc_fail(cc, CE_EPARSE, "invalid expression. invalid format '%.*s'",
                                 (int)s->bn, s->buf);
                    break;
                }
                rc = raw_push(cc, args, RAW_STR, s->buf, s->bn);
                s->bn = 0;
            }
            break;
        case '\'':
        case '"':
            rc = sub_quote(cc, s, args, ch, tok, tokn);
            break;
        case ':':
        case ',':
            if (inq || !balanced) {
                break;
            }
            if (s->bn > 1) {
                if (ch == ':' && !jp_parse_int10(s->buf, s->bn - 1, &(int64_t){0})) {
                    rc = bad_format(cc, tok, tokn);
                    break;
                }
                rc = raw_push(cc, args, RAW_STR, s->buf, s->bn - 1);
            }
            else if (ch == ':' && at == 0) {
                rc = raw_push(cc, args, RAW_NIL, NULL, 0);
            }
            if (rc == CE_OK) {
                rc = raw_push(cc, args, ch == ':' ? RAW_COLON : RAW_COMMA, NULL, 0);
            }
            s->bn = 0;
            break;
        default:
            break;
        }
    }
    if (rc == CE_OK && s->bn > 0) {
        rc = raw_push(cc, args, RAW_STR, s->buf, s->bn);
    }
    ce_free(s);
    return rc;
}

static int make_expr(struct jp_cc *cc, const struct raw *r, struct jp_arg *a)
{
    int rc = jp_script_compile(cc, r->s + 1, r->n - 2, &a->x);
    if (rc != CE_OK) {
        if (strncmp(cc->msg, "invalid expression", 18) != 0 && rc != CE_ETOOBIG) {
            char m[JP_MSG_MAX];
            snprintf(m, sizeof m, "%s", cc->msg);
            cc_fail(cc, rc, "invalid expression. %s", m);
        }
        return rc;
    }
    a->k = JA_EXPR;
    return CE_OK;
}

/* A range or union token from its raw arguments. */
static int parse_multi(struct jp_cc *cc, struct rawv *args, const char *tok, size_t tokn,
                       struct jp_tok *t)
{
    size_t colons = 0, commas = 0, n = 0;
    bool last_colon = false;
    struct jp_arg *a = ce_xcalloc(args->len + 3, sizeof *a);
    t->args = a;
    t->nalloc = args->len + 3;
    for (size_t i = 0; i < args->len; i++) {
        const struct raw *r = &args->a[i];
        if (r->k == RAW_COLON) {
            colons++;
            if (last_colon) {
                a[n++].k = JA_NIL;
            }
            last_colon = true;
            continue;
        }
        commas += r->k == RAW_COMMA;
        if (r->k != RAW_COMMA) {
            a[n].k = r->k == RAW_INT ? JA_INT : r->k == RAW_NIL ? JA_NIL : JA_STR;
            a[n].i = r->i;
            a[n].s = r->s ? ce_xstrdup(r->s) : NULL;
            n++;
        }
        last_colon = false;
    }
    t->nargs = n;
    if ((colons > 0 && commas > 0) || (colons == 0 && commas == 0)) {
        return bad_format(cc, tok, tokn);
    }
    if (commas > 0) {
        t->k = JT_UNION;
        if (commas >= n) {
            return bad_format(cc, tok, tokn);
        }
        for (size_t i = 0; i < n; i++) {
            if (a[i].k == JA_INT) {
                continue;
            }
            if (a[i].k == JA_STR && is_script(a[i].s, strlen(a[i].s))) {
                struct raw r = {RAW_STR, 0, a[i].s, strlen(a[i].s)};
                int rc = make_expr(cc, &r, &a[i]);
                ce_free(r.s);
                a[i].s = NULL;
                if (rc != CE_OK) {
                    return rc;
                }
                continue;
            }
            if (a[i].k == JA_STR && is_key(a[i].s, strlen(a[i].s))) {
                size_t l = strlen(a[i].s);
                memmove(a[i].s, a[i].s + 1, l - 2);
                a[i].s[l - 2] = '\0';
                continue;
            }
            return bad_format(cc, tok, tokn);
        }
        return CE_OK;
    }
    t->k = JT_RANGE;
    if (colons > 2) {
        return bad_format(cc, tok, tokn);
    }
    if (colons == 1 && n == 1) {
        a[n++].k = JA_NIL;
    }
    t->nargs = n > 3 ? 3 : n;
    for (size_t i = n; i < 3; i++) {
        a[i].k = JA_NIL;
    }
    for (size_t i = 0; i < t->nargs; i++) {
        if (a[i].k != JA_STR) {
            continue;
        }
        size_t l = strlen(a[i].s);
        if (!is_script(a[i].s, l)) {
            return cc_fail(cc, CE_EPARSE, "invalid expression. invalid format '%s'", a[i].s);
        }
        struct raw r = {RAW_STR, 0, a[i].s, l};
        int rc = make_expr(cc, &r, &a[i]);
        ce_free(r.s);
        a[i].s = NULL;
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

static int parse_subscript(struct jp_cc *cc, const char *tok, size_t tokn, struct jp_tok *t)
{
    const char *sub = tok + 1;
    size_t sn = tokn - 2;
    jp_trim(&sub, &sn);
    if (sn == 0) {
        return bad_format(cc, tok, tokn);
    }
    if (sn == 1 && sub[0] == '*') {
        t->k = JT_WILDCARD;
        return CE_OK;
    }
    if (sub[0] == '?') {
        if (sn < 3 || sub[1] != '(' || sub[sn - 1] != ')') {
            return bad_format(cc, tok, tokn);
        }
        const char *e = sub + 2;
        size_t en = sn - 3;
        jp_trim(&e, &en);
        t->k = JT_FILTER;
        return jp_script_compile(cc, e, en, &t->script);
    }
    struct rawv args = {0};
    int rc = split_subscript(cc, sub, sn, tok, tokn, &args);
    if (rc == CE_OK && args.len == 1) {
        const struct raw *r = &args.a[0];
        if (r->k == RAW_STR && is_key(r->s, r->n)) {
            t->k = JT_KEY;
            t->key = ce_xstrndup(r->s + 1, r->n - 2);
        }
        else if (r->k == RAW_STR && is_script(r->s, r->n)) {
            t->k = JT_SCRIPT;
            rc = jp_script_compile(cc, r->s + 1, r->n - 2, &t->script);
        }
        else if (r->k == RAW_INT) {
            t->k = JT_INDEX;
            t->index = r->i;
        }
        else {
            rc = bad_format(cc, tok, tokn);
        }
    }
    else if (rc == CE_OK) {
        rc = parse_multi(cc, &args, tok, tokn, t);
    }
    rawv_free(&args);
    return rc;
}

static int parse_token(struct jp_cc *cc, const char *tok, size_t tokn, struct jp_tok *t)
{
    jp_trim(&tok, &tokn);
    if (++cc->nodes > JP_NODES_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "selector too complex");
    }
    if (tokn == 0) {
        return cc_fail(cc, CE_EPARSE, "invalid token. token string is empty");
    }
    if (tokn == 1 && (tok[0] == '$' || tok[0] == '@' || tok[0] == '*')) {
        t->k = tok[0] == '$' ? JT_ROOT : tok[0] == '@' ? JT_CURRENT : JT_WILDCARD;
        return CE_OK;
    }
    if (tokn == 2 && tok[0] == '.' && tok[1] == '.') {
        t->k = JT_RECURSIVE;
        return CE_OK;
    }
    if (tok[0] != '[') {
        if (tokn == 6 && memcmp(tok, "length", 6) == 0) {
            t->k = JT_LENGTH;
            return CE_OK;
        }
        t->k = JT_KEY;
        t->key = ce_xstrndup(tok, tokn);
        return CE_OK;
    }
    if (tok[tokn - 1] != ']' || tokn < 2) {
        return bad_format(cc, tok, tokn);
    }
    return parse_subscript(cc, tok, tokn, t);
}

int jp_compile(struct jp_cc *cc, const char *sel, size_t len, struct jp_path *out)
{
    memset(out, 0, sizeof *out);
    if (len > CE_JSONPATH_PATH_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "selector longer than %d bytes", CE_JSONPATH_PATH_MAX);
    }
    if (cc->depth >= CE_JSONPATH_DEPTH_MAX) {
        return cc_fail(cc, CE_ETOOBIG, "selector nested too deeply");
    }
    cc->depth++;
    struct strv v = {0};
    int rc = tokenize(cc, sel, len, &v);
    if (rc == CE_OK) {
        out->t = ce_xcalloc(v.len, sizeof *out->t);
        for (size_t i = 0; i < v.len && rc == CE_OK; i++) {
            out->n = i + 1;
            rc = parse_token(cc, v.s[i], v.n[i], &out->t[i]);
        }
    }
    strv_free(&v);
    cc->depth--;
    if (rc != CE_OK) {
        jp_path_free(out);
    }
    return rc;
}

void jp_path_free(struct jp_path *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct jp_tok *t = &p->t[i];
        ce_free(t->key);
        for (size_t k = 0; t->args != NULL && k < t->nalloc; k++) {
            ce_free(t->args[k].s);
            jp_script_free(t->args[k].x);
        }
        ce_free(t->args);
        jp_script_free(t->script);
    }
    ce_free(p->t);
    p->t = NULL;
    p->n = 0;
}
