/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX TZ rule strings from TZif footers: parse once at load, then answer "which offset holds
 * at this instant" for years past the transition table. The accepted syntax and the period
 * bounds reported mirror Go's tzset, so time.Date-style conversions agree with Argo. */
#include "core/time/tz_posix_int.h"

#include <string.h>

#define POSIX_DAY 86400
#define POSIX_HOUR 3600

struct posix_cur {
    const char *s;
    const char *end;
};

static bool posix_at_end(const struct posix_cur *c)
{
    return c->s >= c->end;
}

/* Digits within [min, max]; fails on no digit or when the value passes max. */
static bool posix_num(struct posix_cur *c, int min, int max, int *out)
{
    int num = 0;
    const char *start = c->s;
    while (!posix_at_end(c) && *c->s >= '0' && *c->s <= '9') {
        num = num * 10 + (*c->s - '0');
        if (num > max) {
            return false;
        }
        c->s++;
    }
    if (c->s == start || num < min) {
        return false;
    }
    *out = num;
    return true;
}

static void posix_copy_abbr(char dst[16], const char *s, size_t len)
{
    if (len > 15) {
        len = 15;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* A zone abbreviation: "<...>" quoted, or at least three bytes up to a digit, ',', '-' or '+'. */
static bool posix_name(struct posix_cur *c, char dst[16])
{
    if (posix_at_end(c)) {
        return false;
    }
    if (*c->s == '<') {
        const char *q = memchr(c->s, '>', (size_t)(c->end - c->s));
        if (q == NULL) {
            return false;
        }
        posix_copy_abbr(dst, c->s + 1, (size_t)(q - c->s - 1));
        c->s = q + 1;
        return true;
    }
    const char *p = c->s;
    while (p < c->end && !(*p >= '0' && *p <= '9') && *p != ',' && *p != '-' && *p != '+') {
        p++;
    }
    if (p - c->s < 3) {
        return false;
    }
    posix_copy_abbr(dst, c->s, (size_t)(p - c->s));
    c->s = p;
    return true;
}

/* [+-]hh[:mm[:ss]] with hours up to 24*7, as tzcode and Go allow. */
static bool posix_offset(struct posix_cur *c, int32_t *out)
{
    bool neg = false;
    int h = 0, m = 0, sec = 0;
    if (posix_at_end(c)) {
        return false;
    }
    if (*c->s == '+' || *c->s == '-') {
        neg = *c->s == '-';
        c->s++;
    }
    if (!posix_num(c, 0, 24 * 7, &h)) {
        return false;
    }
    if (!posix_at_end(c) && *c->s == ':') {
        c->s++;
        if (!posix_num(c, 0, 59, &m)) {
            return false;
        }
        if (!posix_at_end(c) && *c->s == ':') {
            c->s++;
            if (!posix_num(c, 0, 59, &sec)) {
                return false;
            }
        }
    }
    int32_t off = (int32_t)(h * POSIX_HOUR + m * 60 + sec);
    *out = neg ? -off : off;
    return true;
}

static bool posix_rule(struct posix_cur *c, struct ce_tz_posix_rule *r)
{
    memset(r, 0, sizeof *r);
    if (posix_at_end(c)) {
        return false;
    }
    if (*c->s == 'J') {
        c->s++;
        r->kind = 'J';
        if (!posix_num(c, 1, 365, &r->day)) {
            return false;
        }
    }
    else if (*c->s == 'M') {
        c->s++;
        r->kind = 'M';
        if (!posix_num(c, 1, 12, &r->mon) || posix_at_end(c) || *c->s++ != '.' ||
            !posix_num(c, 1, 5, &r->week) || posix_at_end(c) || *c->s++ != '.' ||
            !posix_num(c, 0, 6, &r->day)) {
            return false;
        }
    }
    else {
        r->kind = 'D';
        if (!posix_num(c, 0, 365, &r->day)) {
            return false;
        }
    }
    r->time = 2 * POSIX_HOUR;
    if (!posix_at_end(c) && *c->s == '/') {
        c->s++;
        return posix_offset(c, &r->time);
    }
    return true;
}

static bool posix_rules(struct posix_cur *c, struct ce_tz_posix *out)
{
    static const char dflt[] = ",M3.2.0,M11.1.0"; /* tzcode's default US rules */
    struct posix_cur d = {dflt, dflt + sizeof dflt - 1};
    if (posix_at_end(c)) {
        c = &d;
    }
    if (*c->s != ',' && *c->s != ';') {
        return false;
    }
    c->s++;
    if (!posix_rule(c, &out->start) || posix_at_end(c) || *c->s != ',') {
        return false;
    }
    c->s++;
    return posix_rule(c, &out->end) && posix_at_end(c);
}

bool ce_tz_posix_parse(const char *s, size_t len, struct ce_tz_posix *out)
{
    struct posix_cur c = {s, s + len};
    memset(out, 0, sizeof *out);
    if (!posix_name(&c, out->std_abbr) || !posix_offset(&c, &out->std_off)) {
        return false;
    }
    out->std_off = -out->std_off; /* POSIX counts west of UTC */
    if (posix_at_end(&c) || *c.s == ',') {
        return true; /* no daylight saving time */
    }
    if (!posix_name(&c, out->dst_abbr)) {
        return false;
    }
    if (posix_at_end(&c) || *c.s == ',') {
        out->dst_off = out->std_off + POSIX_HOUR;
    }
    else {
        if (!posix_offset(&c, &out->dst_off)) {
            return false;
        }
        out->dst_off = -out->dst_off;
    }
    out->has_dst = true;
    return posix_rules(&c, out);
}

/* Seconds from the start of the UTC year to the transition the rule names, given the offset in
 * force before it. */
static int64_t posix_rule_time(int64_t year, const struct ce_tz_posix_rule *r, int32_t off)
{
    int64_t day = 0;
    if (r->kind == 'J') {
        day = r->day - 1;
        if (ce_tz_is_leap(year) && r->day >= 60) {
            day++;
        }
    }
    else if (r->kind == 'D') {
        day = r->day;
    }
    else {
        int64_t first = ce_tz_days_from_civil(year, r->mon, 1);
        int wday_first = (int)(((first + 4) % 7 + 7) % 7);
        int d = ((r->day - wday_first) % 7 + 7) % 7;
        int dim = ce_tz_days_in_month(year, r->mon);
        /* Week 5 means the last such weekday of the month. */
        for (int i = 1; i < r->week && d + 7 < dim; i++) {
            d += 7;
        }
        day = first - ce_tz_days_from_civil(year, 1, 1) + d;
    }
    return day * POSIX_DAY + r->time - off;
}

static void posix_fill(struct ce_tz_period *out, const char *abbr, int32_t off, bool dst,
                       int64_t start, int64_t end)
{
    memset(out, 0, sizeof *out);
    posix_copy_abbr(out->abbr, abbr, strlen(abbr));
    out->offset = off;
    out->is_dst = dst;
    out->start = start;
    out->end = end;
}

void ce_tz_posix_lookup(const struct ce_tz_posix *p, int64_t last_tx, int64_t t,
                        struct ce_tz_period *out)
{
    if (!p->has_dst) {
        posix_fill(out, p->std_abbr, p->std_off, false, last_tx, INT64_MAX);
        return;
    }
    int64_t days = t >= 0 ? t / POSIX_DAY : -((-t + POSIX_DAY - 1) / POSIX_DAY);
    int64_t year;
    int mon, mday;
    ce_tz_civil_from_days(days, &year, &mon, &mday);
    int64_t abs = ce_tz_days_from_civil(year, 1, 1) * POSIX_DAY;
    int64_t ysec = t - abs;
    int64_t start = posix_rule_time(year, &p->start, p->std_off);
    int64_t end = posix_rule_time(year, &p->end, p->dst_off);
    const char *std = p->std_abbr, *dst = p->dst_abbr;
    int32_t std_off = p->std_off, dst_off = p->dst_off;
    bool std_is_dst = false, dst_is_dst = true;
    if (end < start) {
        /* Southern hemisphere: the "DST" interval of the year is the standard one. */
        int64_t ti = start;
        start = end;
        end = ti;
        const char *tn = std;
        std = dst;
        dst = tn;
        int32_t to = std_off;
        std_off = dst_off;
        dst_off = to;
        std_is_dst = true;
        dst_is_dst = false;
    }
    /* Bounds are exact near transitions and the UTC year's ends otherwise, as in Go (which uses
     * 365 days even in leap years; that cannot change a conversion, so the true length is used). */
    int64_t year_len = (ce_tz_is_leap(year) ? 366 : 365) * (int64_t)POSIX_DAY;
    if (ysec < start) {
        posix_fill(out, std, std_off, std_is_dst, abs, abs + start);
    }
    else if (ysec >= end) {
        posix_fill(out, std, std_off, std_is_dst, abs + end, abs + year_len);
    }
    else {
        posix_fill(out, dst, dst_off, dst_is_dst, abs + start, abs + end);
    }
}
