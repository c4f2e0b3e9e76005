/* SPDX-License-Identifier: Apache-2.0 */
/* Tick arithmetic for the calendar source: next tick with exclusion dates, the resume point,
 * Go's time text, and the per-event ticker (see sched.h). */
#include "eventsource/calendar/sched.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/time/cron.h"
#include "core/time/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_DAY INT64_C(86400)

void ce_cal_sched_fini(struct ce_cal_sched *s)
{
    ce_cron_destroy(s->cron);
    ce_tz_destroy(s->zone);
    ce_free(s->excluded);
    memset(s, 0, sizeof *s);
}

static int64_t cal_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The next tick of the bare schedule, exclusions aside. */
static int64_t cal_raw_next(const struct ce_cal_sched *s, int64_t after_ns)
{
    if (s->cron == NULL) {
        return (cal_floor_div(after_ns, s->interval_ns) + 1) * s->interval_ns;
    }
    int64_t t = ce_cron_next_once(s->cron, cal_floor_div(after_ns, CE_CAL_NS));
    return t < 0 ? -1 : t * CE_CAL_NS;
}

/* The local date of t in the schedule's display zone, as days since the epoch. */
static int64_t cal_local_day(const struct ce_cal_sched *s, int64_t t_s)
{
    return cal_floor_div(t_s + ce_tz_offset_at(s->zone, t_s), CAL_DAY);
}

static int cal_day_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool cal_excluded(const struct ce_cal_sched *s, int64_t day)
{
    if (s->n_excluded == 0) {
        return false;
    }
    const int64_t *hit =
        bsearch(&day, s->excluded, (size_t)s->n_excluded, sizeof(int64_t), cal_day_cmp);
    return hit != NULL;
}

int64_t ce_cal_sched_next(const struct ce_cal_sched *s, int64_t after_ns)
{
    /* Each excluded date is jumped over whole, so the loop runs at most once per date. */
    for (int i = 0; i <= s->n_excluded; i++) {
        int64_t t = cal_raw_next(s, after_ns);
        if (t < 0) {
            return -1;
        }
        int64_t day = cal_local_day(s, cal_floor_div(t, CE_CAL_NS));
        if (!cal_excluded(s, day)) {
            return t;
        }
        int64_t next_day = ce_tz_local_first(s->zone, (day + 1) * CAL_DAY) * CE_CAL_NS;
        after_ns = next_day - 1 > t ? next_day - 1 : t;
    }
    return -1;
}

/* "20060102T150405Z" as Go's time.Parse reads it: the date's day number. */
static bool cal_parse_exdate_time(const char *s, size_t n, int64_t *day)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z') {
        return false;
    }
    int v[6];
    static const int at[6] = {0, 4, 6, 9, 11, 13}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int f = 0; f < 6; f++) {
        v[f] = 0;
        for (int i = 0; i < len[f]; i++) {
            char c = s[at[f] + i];
            if (c < '0' || c > '9') {
                return false;
            }
            v[f] = v[f] * 10 + (c - '0');
        }
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > ce_tz_days_in_month(v[0], v[1]) || v[3] > 23 ||
        v[4] > 59 || v[5] > 59) {
        return false;
    }
    *day = ce_tz_days_from_civil(v[0], v[1], v[2]);
    return true;
}

int ce_cal_parse_exdate(const char *item, int64_t **days, int *n, char *err, size_t errlen)
{
    static const char prefix[] = "EXDATE:";
    if (strncmp(item, prefix, sizeof prefix - 1) != 0) {
        return CE_OK;
    }
    const char *p = item + sizeof prefix - 1;
    for (;;) {
        size_t len = strcspn(p, ",");
        int64_t day;
        if (!cal_parse_exdate_time(p, len, &day)) {
            snprintf(err, errlen, "cannot parse \"%.*s\" as a date-time like 20060102T150405Z",
                     (int)(len > 64 ? 64 : len), p);
            return CE_EPARSE;
        }
        if (!cal_excluded(&(struct ce_cal_sched){.excluded = *days, .n_excluded = *n}, day)) {
            *days = ce_xrealloc(*days, sizeof(**days) * (size_t)(*n + 1));
            (*days)[(*n)++] = day;
            qsort(*days, (size_t)*n, sizeof(**days), cal_day_cmp);
        }
        if (p[len] == '\0') {
            return CE_OK;
        }
        p += len + 1;
    }
}

int64_t ce_cal_start_point(int64_t now_ns, int64_t record_ns, bool catchup, int64_t max_ns)
{
    int64_t start = now_ns;
    if (catchup && record_ns >= 0) {
        start = record_ns;
        if (max_ns > 0 && now_ns - max_ns > start) {
            start = now_ns - max_ns;
        }
    }
    return record_ns > start ? record_ns : start;
}

static int cal_fraction(int64_t frac, char *out, size_t n)
{
    if (frac == 0) {
        out[0] = '\0';
        return 0;
    }
    char digits[16];
    snprintf(digits, sizeof digits, "%09lld", (long long)frac);
    size_t len = 9;
    while (len > 0 && digits[len - 1] == '0') {
        len--;
    }
    return snprintf(out, n, ".%.*s", (int)len, digits);
}

int ce_cal_format_go_time(const struct ce_tz *zone, int64_t ns, char out[CE_CAL_TIME_MAX])
{
    int64_t secs = cal_floor_div(ns, CE_CAL_NS);
    struct ce_tz_tm tm;
    struct ce_tz_period p;
    ce_tz_to_tm(zone, secs, &tm);
    ce_tz_lookup(zone, secs, &p);
    char frac[16];
    cal_fraction(ns - secs * CE_CAL_NS, frac, sizeof frac);
    int off_min = (tm.offset < 0 ? -tm.offset : tm.offset) / 60;
    char sign = tm.offset < 0 ? '-' : '+';
    char abbr[24];
    if (p.abbr[0] != '\0') {
        snprintf(abbr, sizeof abbr, "%s", p.abbr);
    }
    else {
        snprintf(abbr, sizeof abbr, "%c%02d%02d", sign, off_min / 60, off_min % 60);
    }
    return snprintf(out, CE_CAL_TIME_MAX, "%04lld-%02d-%02d %02d:%02d:%02d%s %c%02d%02d %s",
                    (long long)tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, frac, sign,
                    off_min / 60, off_min % 60, abbr);
}

int ce_cal_format_rfc3339(int64_t ns, char out[CE_CAL_TIME_MAX])
{
    int64_t secs = cal_floor_div(ns, CE_CAL_NS);
    int64_t days = cal_floor_div(secs, CAL_DAY);
    int64_t rem = secs - days * CAL_DAY;
    int64_t year;
    int mon, mday;
    ce_tz_civil_from_days(days, &year, &mon, &mday);
    char frac[16];
    cal_fraction(ns - secs * CE_CAL_NS, frac, sizeof frac);
    return snprintf(out, CE_CAL_TIME_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d%sZ", (long long)year,
                    mon, mday, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac);
}

void ce_cal_ticker_init(struct ce_cal_ticker *t, const struct ce_cal_sched *s, int64_t start_ns)
{
    memset(t, 0, sizeof *t);
    t->last = start_ns;
    t->due = ce_cal_sched_next(s, start_ns);
}

int64_t ce_cal_ticker_wake(const struct ce_cal_ticker *t)
{
    if (t->busy || t->due < 0) {
        return INT64_MAX;
    }
    return t->retry_at > t->due ? t->retry_at : t->due;
}

bool ce_cal_ticker_take(struct ce_cal_ticker *t, int64_t now_ns, int64_t *tick)
{
    int64_t wake = ce_cal_ticker_wake(t);
    /* a retry far beyond its backoff means the clock was set back: try now */
    bool retry_stale = t->retry_at > now_ns + CE_CAL_RETRY_MAX_NS && now_ns >= t->due;
    if (wake == INT64_MAX || (now_ns < wake && !retry_stale)) {
        return false;
    }
    t->busy = true;
    *tick = t->due;
    return true;
}

void ce_cal_ticker_done(struct ce_cal_ticker *t, const struct ce_cal_sched *s, bool handled,
                        int64_t now_ns)
{
    t->busy = false;
    if (handled) {
        t->last = t->due;
        t->due = ce_cal_sched_next(s, t->last);
        t->attempts = 0;
        t->retry_at = 0;
        return;
    }
    t->retry_at = now_ns + ce_cal_backoff(t->attempts);
    t->attempts++;
}

int64_t ce_cal_backoff(int attempts)
{
    int64_t wait = CE_CAL_RETRY_FIRST_NS;
    for (int i = 0; i < attempts && wait < CE_CAL_RETRY_MAX_NS; i++) {
        wait *= 2;
    }
    return wait < CE_CAL_RETRY_MAX_NS ? wait : CE_CAL_RETRY_MAX_NS;
}
