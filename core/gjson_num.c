/* SPDX-License-Identifier: Apache-2.0 */
/* Number, boolean and wildcard rules of the path language: float parsing as Go's ParseFloat
 * accepts it (signs, `_` separators, hex floats, inf/nan), shortest fixed-point formatting of a
 * float64, boolean words, and `*`/`?` key patterns with a work limit. */
#include "core/gjson_int.h"

#include "core/mem.h"
#include "core/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pattern matching gives up after this many steps per byte of the key (a key that needs more
 * does not match), so hostile paths cannot make a lookup slow. */
#define GJ_MATCH_STEPS_PER_BYTE 10000

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

/* Length of the case-insensitive common prefix of s and the lower-case word w. */
static size_t prefix_ci(struct gj_sl s, const char *w)
{
    size_t i = 0;
    while (i < s.n && w[i] && lower(s.p[i]) == w[i]) {
        i++;
    }
    return i;
}

static bool special_float(struct gj_sl s, double *out)
{
    double sign = 1;
    size_t off = 0;
    if (s.p[0] == '+' || s.p[0] == '-') {
        sign = s.p[0] == '-' ? -1 : 1;
        off = 1;
    }
    struct gj_sl r = gj_sl_from(s, off);
    size_t n = prefix_ci(r, "infinity");
    if ((n == 3 || n == 8) && r.n == n) {
        *out = sign * INFINITY;
        return true;
    }
    if (off == 0 && prefix_ci(r, "nan") == 3 && r.n == 3) {
        *out = NAN;
        return true;
    }
    return false;
}

static bool is_digit_base(char ch, bool hex)
{
    return (ch >= '0' && ch <= '9') ||
           (hex && ((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')));
}

/* Underscores only between digits, or between the base prefix and a digit. */
static bool underscores_ok(struct gj_sl s)
{
    char saw = '^';
    size_t i = 0;
    bool hex = false;
    if (s.n && (s.p[0] == '+' || s.p[0] == '-')) {
        i++;
    }
    if (s.n - i >= 2 && s.p[i] == '0' && lower(s.p[i + 1]) == 'x') {
        i += 2;
        saw = '0';
        hex = true;
    }
    for (; i < s.n; i++) {
        char ch = s.p[i];
        if (is_digit_base(ch, hex)) {
            saw = '0';
            continue;
        }
        if (ch == '_') {
            if (saw != '0') {
                return false;
            }
            saw = '_';
            continue;
        }
        if (saw == '_') {
            return false;
        }
        saw = '!';
    }
    return saw != '_';
}

/* Checks the Go float literal syntax; *under tells whether `_` occurs. */
static bool float_syntax(struct gj_sl s, bool *under)
{
    size_t i = 0;
    bool hex = false, digits = false;
    *under = false;
    if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) {
        i++;
    }
    if (s.n - i >= 2 && s.p[i] == '0' && lower(s.p[i + 1]) == 'x') {
        hex = true;
        i += 2;
    }
    bool dot = false;
    for (; i < s.n; i++) {
        char ch = s.p[i];
        if (ch == '_') {
            *under = true;
        }
        else if (ch == '.' && !dot) {
            dot = true;
        }
        else if (is_digit_base(ch, hex)) {
            digits = true;
        }
        else {
            break;
        }
    }
    if (!digits) {
        return false;
    }
    if (i < s.n && lower(s.p[i]) == (hex ? 'p' : 'e')) {
        i++;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) {
            i++;
        }
        bool edig = false;
        for (; i < s.n && ((s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '_'); i++) {
            if (s.p[i] == '_') {
                *under = true;
            }
            else {
                edig = true;
            }
        }
        if (!edig) {
            return false;
        }
    }
    else if (hex) {
        return false;
    }
    return i == s.n;
}

bool gj_parse_float(struct gj_sl s, double *out)
{
    bool under = false;
    *out = 0;
    if (s.n == 0) {
        return false;
    }
    if (special_float(s, out)) {
        return true;
    }
    if (!float_syntax(s, &under) || (under && !underscores_ok(s))) {
        *out = 0;
        return false;
    }
    char stackbuf[128];
    char *tmp = s.n < sizeof stackbuf ? stackbuf : ce_xmalloc(s.n + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] != '_') {
            tmp[n++] = s.p[i];
        }
    }
    tmp[n] = '\0';
    *out = strtod(tmp, NULL);
    if (tmp != stackbuf) {
        ce_free(tmp);
    }
    return true;
}

bool gj_parse_bool_lower(struct gj_sl s, bool *val)
{
    static const char *const yes[] = {"1", "t", "true"};
    static const char *const no[] = {"0", "f", "false"};
    char low[8];
    if (s.n >= sizeof low) {
        return false;
    }
    for (size_t i = 0; i < s.n; i++) {
        low[i] = lower(s.p[i]);
    }
    struct gj_sl l = gj_sl_make(low, s.n);
    for (size_t i = 0; i < 3; i++) {
        if (gj_sl_eqs(l, yes[i])) {
            *val = true;
            return true;
        }
        if (gj_sl_eqs(l, no[i])) {
            *val = false;
            return true;
        }
    }
    return false;
}

/* One code point at s (invalid bytes read as U+FFFD of length 1). */
static size_t rune_at(struct gj_sl s, size_t i, uint32_t *r)
{
    return i >= s.n ? (*r = 0, 0) : ce_utf8_next(s.p + i, s.n - i, r);
}

/* The last code point of s[0..end), as Go decodes backwards. */
static size_t rune_before(struct gj_sl s, size_t end, uint32_t *r)
{
    size_t start = end;
    for (size_t k = 0; k < 4 && start > 0; k++) {
        start--;
        if (((unsigned char)s.p[start] & 0xC0) != 0x80) {
            break;
        }
    }
    uint32_t cp = 0;
    size_t n = ce_utf8_decode(s.p + start, end - start, &cp);
    if (n != end - start || n == 0) {
        *r = 0xFFFD;
        return 1;
    }
    *r = cp;
    return n;
}

struct matcher {
    size_t steps;
    size_t limit;
    bool stop;
};

/* Strips the literal tail of the pattern against the tail of the key before the recursive
 * part, so common suffix patterns stay linear. */
static bool trim_suffix(struct gj_sl *str, struct gj_sl *pat)
{
    while (str->n > 0 && pat->n > 1) {
        uint32_t pc = 0, sc = 0;
        size_t ps = rune_before(*pat, pat->n, &pc);
        size_t bs = 0;
        while (bs + ps < pat->n && pat->p[pat->n - ps - bs - 1] == '\\') {
            bs++;
        }
        bool esc = bs % 2 == 1;
        if (esc) {
            ps++;
        }
        if (pc == '*' && !esc) {
            return true;
        }
        size_t ss = rune_before(*str, str->n, &sc);
        if (!((pc == '?' && !esc) || pc == sc)) {
            return false;
        }
        str->n -= ss;
        pat->n -= ps;
    }
    return true;
}

/* 0 no match, 1 match, 2 gave up */
static int match_rec(struct matcher *m, struct gj_sl str, struct gj_sl pat)
{
    if (m->steps > m->limit) {
        return 2;
    }
    m->steps++;
    while (pat.n > 0) {
        bool wild = false;
        uint32_t pc = 0, sc = 0;
        size_t ps = rune_at(pat, 0, &pc);
        size_t ss = rune_at(str, 0, &sc);
        if (pc == '?') {
            if (ss == 0) {
                return 0;
            }
        }
        else if (pc == '*') {
            while (pat.n > 1 && pat.p[1] == '*') {
                pat = gj_sl_from(pat, 1);
            }
            if (pat.n == 1) {
                return 1;
            }
            if (!trim_suffix(&str, &pat)) {
                return 0;
            }
            if (pat.n == 1) {
                return 1;
            }
            int r = match_rec(m, str, gj_sl_from(pat, 1));
            if (r != 0) {
                return r;
            }
            if (str.n == 0) {
                return 0;
            }
            wild = true;
        }
        else {
            if (ss == 0) {
                return 0;
            }
            if (pc == '\\') {
                pat = gj_sl_from(pat, ps);
                ps = rune_at(pat, 0, &pc);
                if (ps == 0) {
                    return 0;
                }
            }
            if (sc != pc) {
                return 0;
            }
        }
        str = gj_sl_from(str, ss);
        if (!wild) {
            pat = gj_sl_from(pat, ps);
        }
    }
    return str.n == 0 ? 1 : 0;
}

bool gj_match(struct gj_sl str, struct gj_sl pat)
{
    if (gj_sl_eqs(pat, "*")) {
        return true;
    }
    struct matcher m = {0, str.n * GJ_MATCH_STEPS_PER_BYTE, false};
    return match_rec(&m, str, pat) == 1;
}
