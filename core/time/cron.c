/* SPDX-License-Identifier: Apache-2.0 */
/* Next and previous fire times of a cron schedule. The walk is robfig/cron v3's
 * SpecSchedule.Next (and Argo's PrevCronTime for the previous time): step month, day, hour,
 * minute, second in the schedule's zone, restarting from the month when a field wraps. Local
 * times are resolved the way Go's time.Date does, so DST gaps and overlaps behave as in Argo. */
#include "core/time/cron.h"

#include "core/time/cron_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdio.h>
#include <string.h>

/* Years 1..9999, the range where Go's calendar maths and ours agree without overflow. */
#define CRON_MIN_T INT64_C(-62135596800)
#define CRON_MAX_T INT64_C(253402300799)
#define CRON_YEARS 5
/* Fire times an overlap can repeat: a day of seconds, more than any zone has ever repeated. */
#define CRON_ONCE_MAX_STEPS 86400

struct cron_walk {
    const struct ce_cron *c;
    const struct ce_tz *tz; /* the schedule's zone, or UTC for a walk over wall-clock seconds */
    int64_t t;
    struct ce_tz_tm tm;
};

int ce_cron_parse(const char *spec, const char *tz_name, struct ce_cron **out, char *err,
                  size_t errlen)
{
    return ce_cron_parse_opts(spec, tz_name, CE_CRON_ARGO, out, err, errlen);
}

int ce_cron_parse_opts(const char *spec, const char *tz_name, unsigned flags, struct ce_cron **out,
                       char *err, size_t errlen)
{
    *out = NULL;
    if (spec == NULL) {
        spec = "";
    }
    if (strlen(spec) > CE_CRON_MAX_SPEC) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "cron spec longer than %d bytes", CE_CRON_MAX_SPEC);
        }
        return CE_ETOOBIG;
    }
    struct ce_cron *c = ce_xcalloc(1, sizeof *c);
    int rc = ce_cron_parse_spec(spec, flags, c, err, errlen);
    if (rc == CE_OK) {
        rc = ce_tz_load("UTC", &c->utc, err, errlen);
    }
    if (rc == CE_OK && c->tz == NULL) {
        if (tz_name == NULL || tz_name[0] == '\0') {
            c->tz = ce_tz_load_local();
        }
        else {
            rc = ce_tz_load(tz_name, &c->tz, err, errlen);
        }
    }
    if (rc != CE_OK) {
        ce_cron_destroy(c);
        return rc;
    }
    *out = c;
    return CE_OK;
}

void ce_cron_destroy(struct ce_cron *c)
{
    if (c == NULL) {
        return;
    }
    ce_tz_destroy(c->tz);
    ce_tz_destroy(c->utc);
    ce_free(c);
}

const struct ce_tz *ce_cron_tz(const struct ce_cron *c)
{
    return c->tz;
}

static void walk_set(struct cron_walk *w, int64_t t)
{
    w->t = t;
    ce_tz_to_tm(w->tz, t, &w->tm);
}

/* Go's time.Date in the schedule's zone. */
static int64_t walk_date(const struct cron_walk *w, int64_t mon, int64_t mday, int64_t hour,
                         int64_t min, int64_t sec)
{
    return ce_tz_from_fields(w->tz, w->tm.year, mon, mday, hour, min, sec);
}

static bool walk_has(uint64_t bits, int v)
{
    return (bits >> v) & 1;
}

/* Day-of-month OR day-of-week, unless either field was written with '*' or '?'. */
static bool walk_day_matches(const struct cron_walk *w)
{
    const struct ce_cron *c = w->c;
    bool dom = walk_has(c->dom, w->tm.mday);
    bool dow = walk_has(c->dow, w->tm.wday);
    if ((c->dom & CE_CRON_STAR) || (c->dow & CE_CRON_STAR)) {
        return dom && dow;
    }
    return dom || dow;
}

/* Go's Time.AddDate(0, months, days), forward. A date a zone skipped whole (Samoa dropped
 * 2011-12-30) can map back onto the day it left, and the walk would never move again: then it
 * moves a day of elapsed time instead, onto the next date that exists. */
static void walk_add_date(struct cron_walk *w, int months, int days)
{
    int64_t from = w->t;
    walk_set(w,
             walk_date(w, w->tm.mon + months, w->tm.mday + days, w->tm.hour, w->tm.min, w->tm.sec));
    if (w->t <= from) {
        walk_set(w, from + 86400);
    }
}

/* robfig: after stepping a day, a midnight moved by DST is pulled back to hour 0. */
static void walk_fix_midnight(struct cron_walk *w)
{
    if (w->tm.hour > 12) {
        walk_set(w, w->t + (int64_t)(24 - w->tm.hour) * 3600);
    }
    else if (w->tm.hour != 0) {
        walk_set(w, w->t - (int64_t)w->tm.hour * 3600);
    }
}

/* The month/day/hour steps of Next; each returns true when its field wrapped. */
static bool next_month_day(struct cron_walk *w, bool *added)
{
    const struct ce_cron *c = w->c;
    while (!walk_has(c->mon, w->tm.mon)) {
        if (!*added) {
            *added = true;
            walk_set(w, walk_date(w, w->tm.mon, 1, 0, 0, 0));
        }
        walk_add_date(w, 1, 0);
        if (w->tm.mon == 1) {
            return true;
        }
    }
    while (!walk_day_matches(w)) {
        if (!*added) {
            *added = true;
            walk_set(w, walk_date(w, w->tm.mon, w->tm.mday, 0, 0, 0));
        }
        walk_add_date(w, 0, 1);
        walk_fix_midnight(w);
        if (w->tm.mday == 1) {
            return true;
        }
    }
    return false;
}

static int64_t cron_floor(int64_t t, int64_t unit)
{
    int64_t q = t / unit;
    if (t % unit != 0 && t < 0) {
        q--;
    }
    return q * unit;
}

static bool next_time_of_day(struct cron_walk *w, bool *added)
{
    const struct ce_cron *c = w->c;
    while (!walk_has(c->hour, w->tm.hour)) {
        if (!*added) {
            *added = true;
            walk_set(w, walk_date(w, w->tm.mon, w->tm.mday, w->tm.hour, 0, 0));
        }
        walk_set(w, w->t + 3600);
        if (w->tm.hour == 0) {
            return true;
        }
    }
    while (!walk_has(c->min, w->tm.min)) {
        if (!*added) {
            *added = true;
            walk_set(w, cron_floor(w->t, 60)); /* Go's Truncate works on absolute time */
        }
        walk_set(w, w->t + 60);
        if (w->tm.min == 0) {
            return true;
        }
    }
    while (!walk_has(c->sec, w->tm.sec)) {
        *added = true;
        walk_set(w, w->t + 1);
        if (w->tm.sec == 0) {
            return true;
        }
    }
    return false;
}

/* robfig's Next in zone tz (the schedule's, or UTC to walk wall-clock seconds). */
static int64_t cron_next_in(const struct ce_cron *c, const struct ce_tz *tz, int64_t after)
{
    if (after < CRON_MIN_T || after > CRON_MAX_T - (CRON_YEARS + 1) * INT64_C(366) * 86400) {
        return -1;
    }
    if (c->kind == CE_CRON_EVERY) {
        return after + c->every_s;
    }
    if (c->never) {
        return -1; /* robfig's answer too, after a five-year walk */
    }
    struct cron_walk w = {.c = c, .tz = tz};
    bool added = false;
    walk_set(&w, after + 1);
    int64_t limit = w.tm.year + CRON_YEARS;
    for (;;) {
        if (w.tm.year > limit) {
            return -1;
        }
        if (next_month_day(&w, &added) || next_time_of_day(&w, &added)) {
            continue;
        }
        return w.t;
    }
}

int64_t ce_cron_next(const struct ce_cron *c, int64_t after)
{
    return cron_next_in(c, c->tz, after);
}

int64_t ce_cron_next_once(const struct ce_cron *c, int64_t after)
{
    if (c->kind == CE_CRON_EVERY) {
        return cron_next_in(c, c->tz, after);
    }
    /* Walk the wall clock, then place each reading at its first instant; readings an overlap
     * repeats map before `after` and are passed over (one per second of the overlap at most). */
    int64_t wall = after + ce_tz_offset_at(c->tz, after);
    for (int i = 0; i < CRON_ONCE_MAX_STEPS; i++) {
        wall = cron_next_in(c, c->utc, wall);
        if (wall < 0) {
            return -1;
        }
        int64_t t = ce_tz_local_first(c->tz, wall);
        if (t > after) {
            return t;
        }
    }
    return -1;
}

/* Argo's PrevCronTime jumps to "the start of this unit" with time.Date and steps one second
 * back. In an overlap time.Date may pick the later reading, which is not before t: Argo then
 * loops for ever. cevents falls back to subtracting the elapsed local fields instead. */
static void prev_jump(struct cron_walk *w, int64_t start, int64_t elapsed)
{
    if (start > w->t) {
        start = w->t - elapsed;
    }
    walk_set(w, start - 1);
}

static bool prev_month_day(struct cron_walk *w)
{
    const struct ce_cron *c = w->c;
    while (!walk_has(c->mon, w->tm.mon)) {
        int64_t el =
            (int64_t)(w->tm.mday - 1) * 86400 + w->tm.hour * 3600 + w->tm.min * 60 + w->tm.sec;
        prev_jump(w, walk_date(w, w->tm.mon, 1, 0, 0, 0), el);
        if (w->tm.mon == 12) {
            return true;
        }
    }
    while (!walk_day_matches(w)) {
        int save_mon = w->tm.mon;
        int64_t start = walk_date(w, w->tm.mon, w->tm.mday, 0, 0, 0);
        int64_t el = (int64_t)w->tm.hour * 3600 + w->tm.min * 60 + w->tm.sec;
        if (start > w->t) {
            start = w->t - el;
        }
        walk_set(w, start);
        walk_fix_midnight(w);
        walk_set(w, w->t - 1);
        if (w->tm.mon != save_mon) {
            return true;
        }
    }
    return false;
}

static bool prev_time_of_day(struct cron_walk *w)
{
    const struct ce_cron *c = w->c;
    while (!walk_has(c->hour, w->tm.hour)) {
        int64_t el = (int64_t)w->tm.min * 60 + w->tm.sec;
        prev_jump(w, walk_date(w, w->tm.mon, w->tm.mday, w->tm.hour, 0, 0), el);
        if (w->tm.hour == 23) {
            return true;
        }
    }
    while (!walk_has(c->min, w->tm.min)) {
        prev_jump(w, walk_date(w, w->tm.mon, w->tm.mday, w->tm.hour, w->tm.min, 0), w->tm.sec);
        if (w->tm.min == 59) {
            return true;
        }
    }
    while (!walk_has(c->sec, w->tm.sec)) {
        walk_set(w, w->t - 1);
        if (w->tm.sec == 59) {
            return true;
        }
    }
    return false;
}

int64_t ce_cron_prev(const struct ce_cron *c, int64_t before)
{
    if (c->kind != CE_CRON_SPEC || c->never || before > CRON_MAX_T ||
        before < CRON_MIN_T + (CRON_YEARS + 1) * INT64_C(366) * 86400) {
        return -1;
    }
    struct cron_walk w = {.c = c, .tz = c->tz};
    walk_set(&w, before - 1);
    int64_t limit = w.tm.year - CRON_YEARS;
    for (;;) {
        if (w.tm.year < limit) {
            return -1;
        }
        if (prev_month_day(&w) || prev_time_of_day(&w)) {
            continue;
        }
        return w.t;
    }
}
