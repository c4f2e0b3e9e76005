/* SPDX-License-Identifier: Apache-2.0 */
/* Go's strconv number and boolean readers: see goparse.h. */
#include "core/go/goparse.h"

#include "core/base/mem.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A slice of the text being read. */
struct go_sl {
    const char *p;
    size_t n;
};

static struct go_sl go_sl_from(struct go_sl s, size_t off)
{
    struct go_sl r = {s.p + off, s.n - off};
    return r;
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

/* Length of the case-insensitive common prefix of s and the lower-case word w. */
static size_t prefix_ci(struct go_sl s, const char *w)
{
    size_t i = 0;
    while (i < s.n && w[i] && lower(s.p[i]) == w[i]) {
        i++;
    }
    return i;
}

static bool special_float(struct go_sl s, double *out)
{
    double sign = 1;
    size_t off = 0;
    if (s.p[0] == '+' || s.p[0] == '-') {
        sign = s.p[0] == '-' ? -1 : 1;
        off = 1;
    }
    struct go_sl r = go_sl_from(s, off);
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
static bool underscores_ok(struct go_sl s)
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
static bool float_syntax(struct go_sl s, bool *under)
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

int ce_go_parse_float(const char *text, size_t len, double *out)
{
    struct go_sl s = {text, len};
    bool under = false;
    *out = 0;
    if (s.n == 0) {
        return CE_GO_SYNTAX;
    }
    if (special_float(s, out)) {
        return CE_GO_OK;
    }
    if (!float_syntax(s, &under) || (under && !underscores_ok(s))) {
        return CE_GO_SYNTAX;
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
    errno = 0;
    *out = strtod(tmp, NULL);
    bool overflow = errno == ERANGE && isinf(*out);
    if (tmp != stackbuf) {
        ce_free(tmp);
    }
    return overflow ? CE_GO_RANGE : CE_GO_OK;
}

bool ce_go_parse_bool(const char *s, size_t n, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strlen(yes[i]) == n && memcmp(yes[i], s, n) == 0) {
            *out = true;
            return true;
        }
        if (strlen(no[i]) == n && memcmp(no[i], s, n) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}
