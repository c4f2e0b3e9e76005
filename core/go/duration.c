/* SPDX-License-Identifier: Apache-2.0 */
/* Go-compatible duration parsing and formatting. Written from Go's documented behaviour: the same
 * accepted forms, the same overflow limits (|d| <= 2^63 ns, -2^63 only when negative) and the
 * same error texts, because cevents users see these messages next to Argo's. */
#include "core/go/duration.h"

#include "core/base/rc.h"

#include <stdio.h>
#include <string.h>

#define DUR_LIMIT (UINT64_C(1) << 63)

struct dur_unit {
    const char *name;
    uint64_t ns;
};

static const struct dur_unit duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000}, /* U+03BC Greek small letter mu */
    {"ms", 1000000},
    {"s", UINT64_C(1000000000)},
    {"m", UINT64_C(60000000000)},
    {"h", UINT64_C(3600000000000)},
};

/* Go's time.quote: printable ASCII as is (with " and \ escaped), every other byte as \xNN. */
static void duration_quote(const char *s, size_t len, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t w = 0;
    if (n == 0) {
        return;
    }
    out[w++] = '"';
    for (size_t i = 0; i < len && w + 5 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < 0x20) {
            out[w++] = '\\';
            out[w++] = 'x';
            out[w++] = hex[c >> 4];
            out[w++] = hex[c & 0xf];
        }
        else {
            if (c == '"' || c == '\\') {
                out[w++] = '\\';
            }
            out[w++] = (char)c;
        }
    }
    if (w + 1 < n) {
        out[w++] = '"';
    }
    out[w] = '\0';
}

static int duration_fail(char *err, size_t errlen, const char *what, const char *orig)
{
    char q[256];
    duration_quote(orig, strlen(orig), q, sizeof q);
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "time: %s %s", what, q);
    }
    return CE_EPARSE;
}

static int duration_fail_unit(char *err, size_t errlen, const char *u, size_t ulen,
                              const char *orig)
{
    char qu[128];
    char q[256];
    duration_quote(u, ulen, qu, sizeof qu);
    duration_quote(orig, strlen(orig), q, sizeof q);
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "time: unknown unit %s in duration %s", qu, q);
    }
    return CE_EPARSE;
}

/* [0-9]* with Go's overflow rule (error past 2^63). */
static bool duration_leading_int(const char **sp, uint64_t *out)
{
    const char *s = *sp;
    uint64_t x = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (x > DUR_LIMIT / 10) {
            return false;
        }
        x = x * 10 + (uint64_t)(*s - '0');
        if (x > DUR_LIMIT) {
            return false;
        }
    }
    *out = x;
    *sp = s;
    return true;
}

/* Fraction digits: past 2^63 precision simply stops, as in Go. */
static void duration_leading_frac(const char **sp, uint64_t *out, double *scale)
{
    const char *s = *sp;
    uint64_t x = 0;
    double sc = 1;
    bool overflow = false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (overflow) {
            continue;
        }
        if (x > (DUR_LIMIT - 1) / 10) {
            overflow = true;
            continue;
        }
        uint64_t y = x * 10 + (uint64_t)(*s - '0');
        if (y > DUR_LIMIT) {
            overflow = true;
            continue;
        }
        x = y;
        sc *= 10;
    }
    *out = x;
    *scale = sc;
    *sp = s;
}

static const struct dur_unit *duration_find_unit(const char *u, size_t len)
{
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strlen(duration_units[i].name) == len && memcmp(duration_units[i].name, u, len) == 0) {
            return &duration_units[i];
        }
    }
    return NULL;
}

/* One "<number><unit>" element; adds its value to *d. */
static int duration_element(const char **sp, uint64_t *d, const char *orig, char *err,
                            size_t errlen)
{
    const char *s = *sp;
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(*s == '.' || (*s >= '0' && *s <= '9'))) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    const char *before = s;
    if (!duration_leading_int(&s, &v)) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    bool pre = s != before;
    bool post = false;
    if (*s == '.') {
        s++;
        before = s;
        duration_leading_frac(&s, &f, &scale);
        post = s != before;
    }
    if (!pre && !post) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    size_t i = 0;
    while (s[i] != '\0' && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) {
        i++;
    }
    if (i == 0) {
        return duration_fail(err, errlen, "missing unit in duration", orig);
    }
    const struct dur_unit *unit = duration_find_unit(s, i);
    if (unit == NULL) {
        return duration_fail_unit(err, errlen, s, i, orig);
    }
    s += i;
    if (v > DUR_LIMIT / unit->ns) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    v *= unit->ns;
    if (f > 0) {
        /* Double precision as in Go, so fractions of hours round the same way. */
        v += (uint64_t)((double)f * ((double)unit->ns / scale));
        if (v > DUR_LIMIT) {
            return duration_fail(err, errlen, "invalid duration", orig);
        }
    }
    *d += v;
    if (*d > DUR_LIMIT) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    *sp = s;
    return CE_OK;
}

int ce_duration_parse(const char *s, int64_t *ns, char *err, size_t errlen)
{
    const char *orig = s != NULL ? s : "";
    uint64_t d = 0;
    bool neg = false;
    s = orig;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return CE_OK;
    }
    if (*s == '\0') {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    while (*s != '\0') {
        int rc = duration_element(&s, &d, orig, err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    if (neg) {
        *ns = d == DUR_LIMIT ? INT64_MIN : -(int64_t)d;
        return CE_OK;
    }
    if (d > DUR_LIMIT - 1) {
        return duration_fail(err, errlen, "invalid duration", orig);
    }
    *ns = (int64_t)d;
    return CE_OK;
}

/* A JSON/YAML integer: optional sign, decimal digits, within int64 (Go's strconv.ParseInt).
 * Returns 0 on success, 1 for a malformed literal, 2 when out of range. */
static int duration_scan_int(const char *s, int64_t *out)
{
    bool neg = false;
    uint64_t v = 0;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (*s == '\0') {
        return 1;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return 1;
        }
        if (v > DUR_LIMIT / 10) {
            return 2;
        }
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > DUR_LIMIT || (!neg && v == DUR_LIMIT)) {
            return 2;
        }
    }
    *out = neg ? (v == DUR_LIMIT ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    return 0;
}

static int duration_parse_int(const char *text, int64_t *ns, char *err, size_t errlen)
{
    int r = duration_scan_int(text, ns);
    if (r == 0) {
        return CE_OK;
    }
    if (err != NULL && errlen > 0) {
        if (r == 2) {
            snprintf(err, errlen, "duration %s is out of the int64 nanosecond range", text);
        }
        else {
            snprintf(err, errlen,
                     "duration %s is neither an integer number of nanoseconds nor a quoted Go "
                     "duration",
                     text);
        }
    }
    return CE_EPARSE;
}

int ce_duration_parse_int64_or_string(const char *text, bool is_string, int64_t *ns, char *err,
                                      size_t errlen)
{
    if (text == NULL) {
        text = "";
    }
    if (is_string) {
        return ce_duration_parse(text, ns, err, errlen);
    }
    return duration_parse_int(text, ns, err, errlen);
}

/* Writes v/10^prec's fraction digits (trailing zeros dropped) right-aligned before buf[w]. */
static size_t duration_fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);
        print = print || digit != 0;
        if (print) {
            buf[--w] = (char)('0' + digit);
        }
        *v /= 10;
    }
    if (print) {
        buf[--w] = '.';
    }
    return w;
}

static size_t duration_fmt_int(char *buf, size_t w, uint64_t v)
{
    if (v == 0) {
        buf[--w] = '0';
        return w;
    }
    while (v > 0) {
        buf[--w] = (char)('0' + v % 10);
        v /= 10;
    }
    return w;
}

/* Builds the text right-aligned in buf[0..32) and returns where it starts. */
static size_t duration_render(int64_t d, char buf[32])
{
    size_t w = 32;
    bool neg = d < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    buf[--w] = 's';
    if (u < UINT64_C(1000000000)) {
        int prec;
        if (u == 0) {
            buf[--w] = '0';
            return w;
        }
        if (u < 1000) {
            prec = 0;
            buf[--w] = 'n';
        }
        else if (u < 1000000) {
            prec = 3;
            buf[--w] = '\xb5';
            buf[--w] = '\xc2';
        }
        else {
            prec = 6;
            buf[--w] = 'm';
        }
        w = duration_fmt_frac(buf, w, &u, prec);
        w = duration_fmt_int(buf, w, u);
    }
    else {
        w = duration_fmt_frac(buf, w, &u, 9);
        w = duration_fmt_int(buf, w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            w = duration_fmt_int(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                w = duration_fmt_int(buf, w, u);
            }
        }
    }
    if (neg) {
        buf[--w] = '-';
    }
    return w;
}

int ce_duration_format(int64_t ns, char *out, size_t n)
{
    char buf[32];
    size_t w = duration_render(ns, buf);
    size_t len = 32 - w;
    if (n == 0) {
        return -1;
    }
    if (len + 1 > n) {
        memcpy(out, buf + w, n - 1);
        out[n - 1] = '\0';
        return -1;
    }
    memcpy(out, buf + w, len);
    out[len] = '\0';
    return (int)len;
}
