/* SPDX-License-Identifier: Apache-2.0 */
/* Lenient scanners for the path-lookup module: they find where a string, number, literal or
 * nested block ends without validating it, the way Argo Events' lookups behave on malformed
 * text, and never read outside the slice they are given. Also the strict validity check. */
#include "core/json/gjson_int.h"
#include "core/base/hex.h"

#include "core/base/buf.h"
#include "core/base/utf8.h"
#include "core/base/mem.h"

#include <stdint.h>
#include <string.h>

bool gj_sl_eq(struct gj_sl a, struct gj_sl b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool gj_sl_eqs(struct gj_sl a, const char *s)
{
    return gj_sl_eq(a, gj_sl_make(s, strlen(s)));
}

int gj_sl_cmp(struct gj_sl a, struct gj_sl b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int r = n ? memcmp(a.p, b.p, n) : 0;
    if (r != 0) {
        return r;
    }
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

/* Whether the quote at js[i] is escaped: an odd run of backslashes before it, counting back
 * no further than index lo (exclusive of lo-1). */
static bool quote_escaped(struct gj_sl js, size_t i, size_t lo)
{
    if (i == 0 || js.p[i - 1] != '\\') {
        return false;
    }
    size_t n = 0;
    for (size_t j = i - 1; j > lo;) {
        j--;
        if (js.p[j] != '\\') {
            break;
        }
        n++;
    }
    return n % 2 == 0;
}

/* i is just past the opening quote. val gets the quoted text (quotes included). */
size_t gj_parse_string(struct gj_sl js, size_t i, struct gj_sl *val, bool *esc, bool *ok)
{
    size_t s = i;
    *esc = false;
    for (; i < js.n; i++) {
        char ch = js.p[i];
        if ((unsigned char)ch > '\\') {
            continue;
        }
        if (ch == '"') {
            *val = gj_sl_sub(js, s - 1, i + 1);
            *ok = true;
            return i + 1;
        }
        if (ch == '\\') {
            i++;
            for (; i < js.n; i++) {
                if ((unsigned char)js.p[i] > '\\' || js.p[i] != '"') {
                    continue;
                }
                if (quote_escaped(js, i, 1)) {
                    continue;
                }
                *val = gj_sl_sub(js, s - 1, i + 1);
                *esc = true;
                *ok = true;
                return i + 1;
            }
            break;
        }
    }
    *val = gj_sl_from(js, s - 1);
    *ok = false;
    return i;
}

size_t gj_parse_number(struct gj_sl js, size_t i, struct gj_sl *val)
{
    size_t s = i;
    for (i++; i < js.n; i++) {
        char ch = js.p[i];
        if ((unsigned char)ch <= ' ' || ch == ',' || ch == ']' || ch == '}') {
            *val = gj_sl_sub(js, s, i);
            return i;
        }
    }
    *val = gj_sl_from(js, s);
    return i;
}

size_t gj_parse_literal(struct gj_sl js, size_t i, struct gj_sl *val)
{
    size_t s = i;
    for (i++; i < js.n; i++) {
        if (js.p[i] < 'a' || js.p[i] > 'z') {
            *val = gj_sl_sub(js, s, i);
            return i;
        }
    }
    *val = gj_sl_from(js, s);
    return i;
}

/* Skips a string whose opening quote is at i; returns the index of the closing quote, or
 * js.n when it does not close. */
static size_t skip_string_body(struct gj_sl js, size_t i)
{
    size_t s2 = i + 1;
    for (i = s2; i < js.n; i++) {
        if (js.p[i] != '"') {
            continue;
        }
        if (quote_escaped(js, i, s2)) {
            continue;
        }
        return i;
    }
    return js.n;
}

/* js[i] is '{', '[' or '('. Returns the index past the matching close (which may be js.n + 1
 * when a string does not close, as the lookups expect) and the block text. */
size_t gj_parse_squash(struct gj_sl js, size_t i, struct gj_sl *val)
{
    size_t s = i;
    int depth = 1;
    for (i++; i < js.n; i++) {
        switch (js.p[i]) {
        case '"':
            i = skip_string_body(js, i);
            break;
        case '{':
        case '[':
        case '(':
            depth++;
            break;
        case '}':
        case ']':
        case ')':
            if (--depth == 0) {
                *val = gj_sl_sub(js, s, i + 1);
                return i + 1;
            }
            break;
        default:
            break;
        }
    }
    *val = gj_sl_from(js, s);
    return i;
}

/* Like gj_parse_squash from the start of js, also for a leading string; the whole of js when
 * nothing closes. */
struct gj_sl gj_squash(struct gj_sl js)
{
    size_t i = 0;
    int depth = 0;
    if (js.n == 0) {
        return js;
    }
    if (js.p[0] != '"') {
        i = 1;
        depth = 1;
    }
    for (; i < js.n; i++) {
        char ch = js.p[i];
        if (ch == '"') {
            i = skip_string_body(js, i);
            if (depth == 0) {
                return i >= js.n ? js : gj_sl_sub(js, 0, i + 1);
            }
        }
        else if (ch == '{' || ch == '[' || ch == '(') {
            depth++;
        }
        else if (ch == '}' || ch == ']' || ch == ')') {
            if (--depth == 0) {
                return gj_sl_sub(js, 0, i + 1);
            }
        }
    }
    return js;
}

struct gj_sl gj_tonum(struct gj_sl js)
{
    for (size_t i = 1; i < js.n; i++) {
        char ch = js.p[i];
        if ((unsigned char)ch <= '-') {
            if ((unsigned char)ch <= ' ' || ch == ',') {
                return gj_sl_sub(js, 0, i);
            }
        }
        else if (ch == ']' || ch == '}') {
            return gj_sl_sub(js, 0, i);
        }
    }
    return js;
}

struct gj_sl gj_tolit(struct gj_sl js)
{
    for (size_t i = 1; i < js.n; i++) {
        if (js.p[i] < 'a' || js.p[i] > 'z') {
            return gj_sl_sub(js, 0, i);
        }
    }
    return js;
}

/* js starts with '"'. Returns the raw string and sets *str to its unescaped content. */
struct gj_sl gj_tostr(struct gj_ctx *c, struct gj_sl js, struct gj_sl *str)
{
    for (size_t i = 1; i < js.n; i++) {
        if ((unsigned char)js.p[i] > '\\') {
            continue;
        }
        if (js.p[i] == '"') {
            *str = gj_sl_sub(js, 1, i);
            return gj_sl_sub(js, 0, i + 1);
        }
        if (js.p[i] == '\\') {
            for (i++; i < js.n; i++) {
                if (js.p[i] != '"' || quote_escaped(js, i, 1)) {
                    continue;
                }
                *str = gj_unescape(c, gj_sl_sub(js, 1, i));
                return gj_sl_sub(js, 0, i + 1);
            }
            *str = gj_unescape(c, gj_sl_sub(js, 1, i));
            return js;
        }
    }
    *str = js.n ? gj_sl_from(js, 1) : js;
    return js;
}

/* Four hex digits as a code unit; a bad digit makes the whole unit 0, as a failed parse
 * does upstream. */
static uint32_t hex4(const char *p)
{
    uint32_t r = 0;
    for (int k = 0; k < 4; k++) {
        int h = ce_hex_digit(p[k]);
        if (h < 0) {
            return 0;
        }
        r = r << 4 | (uint32_t)h;
    }
    return r;
}

static char simple_escape(char ch)
{
    switch (ch) {
    case '\\':
    case '/':
    case '"':
        return ch;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* Decodes JSON escapes; stops quietly at a control byte or a bad escape. \u escapes never
 * grow the text (6 bytes in, at most 4 out). */
struct gj_sl gj_unescape(struct gj_ctx *c, struct gj_sl s)
{
    char *o = gj_alloc(c, s.n);
    size_t n = 0;
    if (!o) {
        return gj_sl_make("", 0);
    }
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        if ((unsigned char)ch < ' ') {
            break;
        }
        if (ch != '\\') {
            o[n++] = ch;
            continue;
        }
        if (++i >= s.n) {
            break;
        }
        if (s.p[i] != 'u') {
            char e = simple_escape(s.p[i]);
            if (e == 0) {
                break;
            }
            o[n++] = e;
            continue;
        }
        if (i + 5 > s.n) {
            break;
        }
        uint32_t r = hex4(s.p + i + 1);
        i += 5;
        if (r >= 0xD800 && r < 0xE000 && s.n - i >= 6 && s.p[i] == '\\' && s.p[i + 1] == 'u') {
            uint32_t r2 = hex4(s.p + i + 2);
            if (r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000) {
                r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00);
            }
            else {
                r = 0xFFFD;
            }
            i += 6;
        }
        n += ce_utf8_encode(r, o + n);
        i--;
    }
    o[n] = '\0';
    return gj_sl_make(o, n);
}

struct gj_sl gj_trim(struct gj_sl s)
{
    while (s.n > 0 && (unsigned char)s.p[0] <= ' ') {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && (unsigned char)s.p[s.n - 1] <= ' ') {
        s.n--;
    }
    return s;
}

bool gj_parse_uint(struct gj_sl s, size_t *n)
{
    size_t v = 0;
    if (s.n == 0) {
        return false;
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        v = v * 10 + (size_t)(s.p[i] - '0');
    }
    *n = v;
    return true;
}
