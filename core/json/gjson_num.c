/* SPDX-License-Identifier: Apache-2.0 */
/* Number, boolean and wildcard rules of the path language: float parsing as Go's ParseFloat
 * accepts it (signs, `_` separators, hex floats, inf/nan), shortest fixed-point formatting of a
 * float64, boolean words, and `*`/`?` key patterns with a work limit. */
#include "core/json/gjson_int.h"

#include "core/go/goparse.h"
#include "core/base/mem.h"
#include "core/base/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pattern matching gives up after this many steps per byte of the key (a key that needs more
 * does not match), so hostile paths cannot make a lookup slow. */
#define GJ_MATCH_STEPS_PER_BYTE 10000

bool gj_parse_float(struct gj_sl s, double *out)
{
    /* gjson keeps the value of an out-of-range number, as Go's Float() does */
    return ce_go_parse_float(s.p, s.n, out) != CE_GO_SYNTAX;
}

bool gj_parse_bool_lower(struct gj_sl s, bool *val)
{
    char low[8];
    if (s.n >= sizeof low) {
        return false;
    }
    for (size_t i = 0; i < s.n; i++) {
        low[i] = s.p[i] >= 'A' && s.p[i] <= 'Z' ? (char)(s.p[i] + 32) : s.p[i];
    }
    return ce_go_parse_bool(low, s.n, val);
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
