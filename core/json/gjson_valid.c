/* SPDX-License-Identifier: Apache-2.0 */
/* Strict JSON validity (the @valid modifier, multipath names, ce_gj_valid) and the per-lookup
 * arena that owns unescaped strings and built results. */
#include "core/json/gjson.h"
#include "core/json/gjson_int.h"

#include "core/base/buf.h"
#include "core/base/mem.h"

#include <string.h>

/* Budget for all text one lookup may build, as a multiple of the largest document. */
#define GJ_ARENA_MAX ((size_t)CE_GJ_JSON_MAX * 2)

void gj_ctx_init(struct gj_ctx *c)
{
    memset(c, 0, sizeof *c);
}

void gj_ctx_fini(struct gj_ctx *c)
{
    for (size_t i = 0; i < c->nowned; i++) {
        ce_free(c->owned[i]);
    }
    ce_free(c->owned);
    memset(c, 0, sizeof *c);
}

static void ctx_keep(struct gj_ctx *c, void *p)
{
    if (c->nowned == c->capowned) {
        c->capowned = c->capowned ? c->capowned * 2 : 16;
        c->owned = ce_xrealloc(c->owned, c->capowned * sizeof *c->owned);
    }
    c->owned[c->nowned++] = p;
}

char *gj_alloc(struct gj_ctx *c, size_t n)
{
    if (c->over || n > GJ_ARENA_MAX - c->bytes) {
        c->over = true;
        return NULL;
    }
    c->bytes += n + 1;
    char *p = ce_xmalloc(n + 1);
    ctx_keep(c, p);
    return p;
}

struct gj_sl gj_adopt(struct gj_ctx *c, struct ce_buf *b)
{
    size_t n = 0;
    if (c->over || b->len > GJ_ARENA_MAX - c->bytes) {
        c->over = true;
        ce_buf_fini(b);
        return gj_sl_make("", 0);
    }
    char *p = ce_buf_steal(b, &n);
    c->bytes += n + 1;
    ctx_keep(c, p);
    return gj_sl_make(p, n);
}

bool gj_enter(struct gj_ctx *c)
{
    if (c->depth >= CE_GJ_DEPTH_MAX) {
        c->over = true;
        return false;
    }
    c->depth++;
    return true;
}

void gj_leave(struct gj_ctx *c)
{
    c->depth--;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static size_t skip_ws(const char *d, size_t n, size_t i)
{
    while (i < n && is_ws(d[i])) {
        i++;
    }
    return i;
}

static bool valid_any(const char *d, size_t n, size_t *i, int depth);

static bool valid_string(const char *d, size_t n, size_t *pi)
{
    for (size_t i = *pi; i < n; i++) {
        unsigned char ch = (unsigned char)d[i];
        if (ch < ' ') {
            return false;
        }
        if (ch == '"') {
            *pi = i + 1;
            return true;
        }
        if (ch != '\\') {
            continue;
        }
        if (++i == n) {
            return false;
        }
        if (d[i] == 'u') {
            for (int k = 0; k < 4; k++) {
                if (++i >= n || !strchr("0123456789abcdefABCDEF", d[i]) || d[i] == '\0') {
                    return false;
                }
            }
        }
        else if (!strchr("\"\\/bfnrt", d[i]) || d[i] == '\0') {
            return false;
        }
    }
    return false;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool valid_number(const char *d, size_t n, size_t *pi)
{
    size_t i = *pi;
    if (d[i] == '-') {
        i++;
    }
    if (i == n || !is_digit(d[i])) {
        return false;
    }
    if (d[i] == '0') {
        i++;
    }
    else {
        while (i < n && is_digit(d[i])) {
            i++;
        }
    }
    if (i < n && d[i] == '.') {
        if (++i == n || !is_digit(d[i])) {
            return false;
        }
        while (i < n && is_digit(d[i])) {
            i++;
        }
    }
    if (i < n && (d[i] == 'e' || d[i] == 'E')) {
        i++;
        if (i < n && (d[i] == '+' || d[i] == '-')) {
            i++;
        }
        if (i == n || !is_digit(d[i])) {
            return false;
        }
        while (i < n && is_digit(d[i])) {
            i++;
        }
    }
    *pi = i;
    return true;
}

static bool valid_word(const char *d, size_t n, size_t *pi, const char *w)
{
    size_t l = strlen(w);
    if (n - *pi < l || memcmp(d + *pi, w, l) != 0) {
        return false;
    }
    *pi += l;
    return true;
}

/* After a member or element: a comma (left at *pi) or the closing byte. */
static bool valid_sep(const char *d, size_t n, size_t *pi, char end)
{
    *pi = skip_ws(d, n, *pi);
    return *pi < n && (d[*pi] == ',' || d[*pi] == end);
}

static bool valid_object(const char *d, size_t n, size_t *pi, int depth)
{
    size_t i = skip_ws(d, n, *pi);
    if (i < n && d[i] == '}') {
        *pi = i + 1;
        return true;
    }
    for (;;) {
        i = skip_ws(d, n, i);
        if (i >= n || d[i] != '"') {
            return false;
        }
        i++;
        if (!valid_string(d, n, &i)) {
            return false;
        }
        i = skip_ws(d, n, i);
        if (i >= n || d[i] != ':') {
            return false;
        }
        i++;
        if (!valid_any(d, n, &i, depth) || !valid_sep(d, n, &i, '}')) {
            return false;
        }
        if (d[i] == '}') {
            *pi = i + 1;
            return true;
        }
        i++;
    }
}

static bool valid_array(const char *d, size_t n, size_t *pi, int depth)
{
    size_t i = skip_ws(d, n, *pi);
    if (i < n && d[i] == ']') {
        *pi = i + 1;
        return true;
    }
    for (;;) {
        if (!valid_any(d, n, &i, depth) || !valid_sep(d, n, &i, ']')) {
            return false;
        }
        if (d[i] == ']') {
            *pi = i + 1;
            return true;
        }
        i++;
    }
}

static bool valid_any(const char *d, size_t n, size_t *pi, int depth)
{
    size_t i = skip_ws(d, n, *pi);
    if (i >= n) {
        return false;
    }
    *pi = i + 1;
    switch (d[i]) {
    case '{':
        return depth > 0 && valid_object(d, n, pi, depth - 1);
    case '[':
        return depth > 0 && valid_array(d, n, pi, depth - 1);
    case '"':
        return valid_string(d, n, pi);
    case 't':
        return valid_word(d, n, pi, "rue");
    case 'f':
        return valid_word(d, n, pi, "alse");
    case 'n':
        return valid_word(d, n, pi, "ull");
    default:
        *pi = i;
        return (d[i] == '-' || is_digit(d[i])) && valid_number(d, n, pi);
    }
}

bool gj_valid(struct gj_sl js, int depth_max)
{
    size_t i = 0;
    if (!valid_any(js.p, js.n, &i, depth_max)) {
        return false;
    }
    return skip_ws(js.p, js.n, i) == js.n;
}

bool ce_gj_valid(const char *json, size_t len)
{
    return json != NULL && gj_valid(gj_sl_make(json, len), CE_GJ_DEPTH_MAX);
}
