/* SPDX-License-Identifier: Apache-2.0 */
/* govaluate turns string literals that parse as dates into numbers (unix seconds), so
 * '2014-01-02' > '2013-12-31' compares instants. This recognises its numeric layouts: RFC 3339
 * (with optional fraction), "2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05",
 * "2006-01-02 15:04:05-07:00" and the ISO 8601 "T15Z0700" / "T15:04Z0700" / "T15:04:05Z0700"
 * forms. A zoneless time is read as UTC (cevents runs with UTC as local time). The textual Go
 * layouts (ANSIC, UnixDate, RubyDate, Kitchen) are not recognised. */
#include "core/expr/expr_lex_int.h"

#include <stdint.h>
#include <string.h>

bool ce_gv_parse_time(const char *s, size_t n, double *unix_seconds);

static bool num(const char *s, size_t n, size_t *i, int width, int *out)
{
    int v = 0;
    for (int k = 0; k < width; k++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9') {
            return false;
        }
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

static bool lit(const char *s, size_t n, size_t *i, char c)
{
    if (*i < n && s[*i] == c) {
        (*i)++;
        return true;
    }
    return false;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : md[m - 1];
}

/* Zone: "Z", "+hh:mm" (colon) or "+hhmm" (no colon), per the layout family. */
static bool zone(const char *s, size_t n, size_t *i, bool colon, int *off)
{
    if (lit(s, n, i, 'Z')) {
        *off = 0;
        return true;
    }
    if (*i >= n || (s[*i] != '+' && s[*i] != '-')) {
        return false;
    }
    int sign = s[(*i)++] == '-' ? -1 : 1, hh, mm;
    if (!num(s, n, i, 2, &hh) || (colon && !lit(s, n, i, ':')) || !num(s, n, i, 2, &mm)) {
        return false;
    }
    *off = sign * (hh * 3600 + mm * 60);
    return true;
}

static bool parse_clock(const char *s, size_t n, size_t *i, bool t_form, int *hh, int *mi, int *ss,
                        int *off)
{
    *mi = *ss = *off = 0;
    if (!num(s, n, i, 2, hh)) {
        return false;
    }
    if (t_form && *i < n && (s[*i] == 'Z' || s[*i] == '+' || s[*i] == '-')) {
        return zone(s, n, i, false, off) && *i == n; /* T15Z0700 */
    }
    if (!lit(s, n, i, ':') || !num(s, n, i, 2, mi)) {
        return false;
    }
    if (*i == n) {
        return !t_form; /* "2006-01-02 15:04"; the T form needs a zone */
    }
    if (t_form && (s[*i] == 'Z' || s[*i] == '+' || s[*i] == '-')) {
        return zone(s, n, i, false, off) && *i == n; /* T15:04Z0700 */
    }
    if (!lit(s, n, i, ':') || !num(s, n, i, 2, ss)) {
        return false;
    }
    if (lit(s, n, i, '.')) {
        size_t start = *i;
        while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
            (*i)++;
        }
        if (*i == start || !t_form) {
            return false;
        }
    }
    if (*i == n) {
        return !t_form;
    }
    size_t save = *i;
    if (zone(s, n, i, true, off) && *i == n) {
        return true;
    }
    *i = save;
    return t_form && zone(s, n, i, false, off) && *i == n;
}

bool ce_gv_parse_time(const char *s, size_t n, double *unix_seconds)
{
    size_t i = 0;
    int y, mo, d, hh = 0, mi = 0, ss = 0, off = 0;
    if (!num(s, n, &i, 4, &y) || !lit(s, n, &i, '-') || !num(s, n, &i, 2, &mo) ||
        !lit(s, n, &i, '-') || !num(s, n, &i, 2, &d)) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) {
        return false;
    }
    if (i < n) {
        bool t_form = s[i] == 'T';
        if (s[i] != 'T' && s[i] != ' ') {
            return false;
        }
        i++;
        if (!parse_clock(s, n, &i, t_form, &hh, &mi, &ss, &off)) {
            return false;
        }
        if (hh > 23 || mi > 59 || ss > 59) {
            return false;
        }
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    *unix_seconds = (double)t;
    return true;
}
