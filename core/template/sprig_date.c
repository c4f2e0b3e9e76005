/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's date functions (now, date, dateInZone, htmlDate, unixEpoch, toDate, dateModify) with
 * Go layouts and the zone database of core/tz, plus the time.Time methods templates call
 * (.Unix, .Format, .Year ...). The clock comes from the evaluation context, so tests can fix
 * it. As in sprig, date functions given a number that is not a Go int (a JSON float64) use the
 * current time. */
#include "core/go/duration.h"
#include "core/template/sprig_int.h"
#include "core/time/tz.h"

#include <stdio.h>
#include <time.h>

#define ZERO_TIME_SEC INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */

/* Loads zone (Go's LoadLocation; "Local" is the process zone); unknown names give UTC. */
static struct ce_tz *load_zone(const char *name, size_t len)
{
    char buf[256];
    struct ce_tz *tz = NULL;
    if (len < sizeof buf) {
        memcpy(buf, name, len);
        buf[len] = '\0';
        if (memchr(name, '\0', len) == NULL && ce_tz_load(buf, &tz, NULL, 0) == CE_OK) {
            return tz;
        }
    }
    (void)ce_tz_load("UTC", &tz, NULL, 0);
    return tz;
}

void sprig_clock_now(struct ce_tv_ctx *c, int64_t *sec, int32_t *nsec)
{
    if (c->now_ns) {
        *sec = c->now_ns / 1000000000;
        *nsec = (int32_t)(c->now_ns % 1000000000);
        if (*nsec < 0) {
            *nsec += 1000000000;
            (*sec)--;
        }
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *sec = ts.tv_sec;
    *nsec = (int32_t)ts.tv_nsec;
}

static SPRIG_FN(fn_now)
{
    (void)a, (void)n;
    int64_t sec;
    int32_t nsec;
    sprig_clock_now(c, &sec, &nsec);
    struct ce_tz *tz = ce_tz_load_local();
    struct ce_tz_period p;
    ce_tz_lookup(tz, sec, &p);
    ce_tz_destroy(tz);
    *out = ce_tv_time_new(c, sec, nsec, p.offset, ce_tv_strdup(c, p.abbr, strlen(p.abbr)));
    return CE_OK;
}

struct fmt_job {
    const struct ce_tv_time *t;
    const struct ce_tv *layout;
};

static void format_job(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct fmt_job *j = arg;
    ce_tv_time_format(c, b, j->t, S(*j->layout), N(*j->layout));
}

static struct ce_tv format_in_zone(struct ce_tv_ctx *c, const struct ce_tv *layout,
                                   const struct ce_tv *date, const char *zone, size_t zlen)
{
    int64_t sec;
    int32_t nsec = 0;
    if (date->kind == CE_TV_TIME) {
        sec = date->u.t->sec;
        nsec = date->u.t->nsec;
    }
    else if (date->kind == CE_TV_INT && date->gotype != CE_TV_GO_UINT8) {
        sec = date->u.i;
    }
    else {
        sprig_clock_now(c, &sec, &nsec);
    }
    struct ce_tz *tz = load_zone(zone, zlen);
    struct ce_tz_period p;
    ce_tz_lookup(tz, sec, &p);
    ce_tz_destroy(tz);
    struct ce_tv_time t = {sec, nsec, p.offset, ce_tv_strdup(c, p.abbr, strlen(p.abbr))};
    struct fmt_job job = {&t, layout};
    return ce_tv_build_string(c, format_job, &job);
}

static SPRIG_FN(fn_date)
{
    (void)n;
    *out = format_in_zone(c, &a[0], &a[1], "Local", 5);
    return CE_OK;
}

static SPRIG_FN(fn_date_in_zone)
{
    (void)n;
    *out = format_in_zone(c, &a[0], &a[1], S(a[2]), N(a[2]));
    return CE_OK;
}

static SPRIG_FN(fn_html_date)
{
    (void)n;
    struct ce_tv layout = ce_tv_cstr("2006-01-02");
    *out = format_in_zone(c, &layout, &a[0], "Local", 5);
    return CE_OK;
}

static SPRIG_FN(fn_html_date_in_zone)
{
    (void)n;
    struct ce_tv layout = ce_tv_cstr("2006-01-02");
    *out = format_in_zone(c, &layout, &a[0], S(a[1]), N(a[1]));
    return CE_OK;
}

static SPRIG_FN(fn_unix_epoch)
{
    (void)n;
    char num[32];
    int k = snprintf(num, sizeof num, "%lld", (long long)a[0].u.t->sec);
    *out = ce_tv_str_copy(c, num, (size_t)k);
    return CE_OK;
}

static SPRIG_FN(fn_date_modify)
{
    (void)n;
    char buf[64];
    int64_t ns;
    *out = a[1];
    if (N(a[0]) >= sizeof buf) {
        return CE_OK;
    }
    memcpy(buf, S(a[0]), N(a[0]));
    buf[N(a[0])] = '\0';
    if (ce_duration_parse(buf, &ns, NULL, 0) != CE_OK) {
        return CE_OK;
    }
    const struct ce_tv_time *t = a[1].u.t;
    int64_t total = t->nsec + ns % 1000000000;
    int64_t sec = t->sec + ns / 1000000000 + total / 1000000000;
    total %= 1000000000;
    if (total < 0) {
        total += 1000000000;
        sec--;
    }
    *out = ce_tv_time_new(c, sec, (int32_t)total, t->offset, t->zone);
    return CE_OK;
}

static SPRIG_FN(fn_to_date)
{
    (void)n;
    if (sprig_parse_time(c, &a[0], &a[1], out) != CE_OK) {
        *out = ce_tv_time_new(c, ZERO_TIME_SEC, 0, 0, "UTC");
    }
    return CE_OK;
}

static SPRIG_FN(fn_must_to_date)
{
    (void)n;
    if (sprig_parse_time(c, &a[0], &a[1], out) != CE_OK) {
        return SPRIG_FAIL(c, "parsing time \"%.*s\" as \"%.*s\": cannot parse",
                          (int)(N(a[1]) > 100 ? 100 : N(a[1])), S(a[1]),
                          (int)(N(a[0]) > 100 ? 100 : N(a[0])), S(a[0]));
    }
    return CE_OK;
}

#define STR CE_FT_STRING
#define ANY CE_FT_ANY
#define TIME CE_FT_TIME

const struct ce_fn ce_sprig_date_fns[] = {
    {"now", fn_now, 0, 0, {0}},
    {"date", fn_date, 2, 0, {STR, ANY}},
    {"dateInZone", fn_date_in_zone, 3, 0, {STR, ANY, STR}},
    {"date_in_zone", fn_date_in_zone, 3, 0, {STR, ANY, STR}},
    {"htmlDate", fn_html_date, 1, 0, {ANY}},
    {"htmlDateInZone", fn_html_date_in_zone, 2, 0, {ANY, STR}},
    {"unixEpoch", fn_unix_epoch, 1, 0, {TIME}},
    {"dateModify", fn_date_modify, 2, 0, {STR, TIME}},
    {"date_modify", fn_date_modify, 2, 0, {STR, TIME}},
    {"toDate", fn_to_date, 2, 0, {STR, STR}},
    {"mustToDate", fn_must_to_date, 2, 0, {STR, STR}},
};
const size_t ce_sprig_date_nfns = sizeof ce_sprig_date_fns / sizeof ce_sprig_date_fns[0];

/* time.Time methods: args[0] is the receiver. */
static void civil(const struct ce_tv_time *t, int64_t *year, int *mon, int *mday, int64_t *secs,
                  int64_t *days)
{
    int64_t local = t->sec + t->offset;
    *days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    *secs = local - *days * 86400;
    ce_tz_civil_from_days(*days, year, mon, mday);
}

static SPRIG_FN(m_unix)
{
    (void)c, (void)n;
    *out = ce_tv_int64(a[0].u.t->sec);
    return CE_OK;
}

static SPRIG_FN(m_unix_nano)
{
    (void)c, (void)n;
    *out = ce_tv_int64(a[0].u.t->sec * 1000000000 + a[0].u.t->nsec);
    return CE_OK;
}

static SPRIG_FN(m_unix_milli)
{
    (void)c, (void)n;
    *out = ce_tv_int64(a[0].u.t->sec * 1000 + a[0].u.t->nsec / 1000000);
    return CE_OK;
}

#define TIME_FIELD(fname, expr)                                                                    \
    static SPRIG_FN(fname)                                                                         \
    {                                                                                              \
        (void)c, (void)n;                                                                          \
        int64_t year, secs, days;                                                                  \
        int mon, mday;                                                                             \
        civil(a[0].u.t, &year, &mon, &mday, &secs, &days);                                         \
        (void)year, (void)mon, (void)mday, (void)secs, (void)days;                                 \
        *out = ce_tv_int(expr);                                                                    \
        return CE_OK;                                                                              \
    }

TIME_FIELD(m_year, year)
TIME_FIELD(m_day, mday)
TIME_FIELD(m_hour, secs / 3600)
TIME_FIELD(m_minute, secs / 60 % 60)
TIME_FIELD(m_second, secs % 60)
TIME_FIELD(m_yday, days - ce_tz_days_from_civil(year, 1, 1) + 1)

static SPRIG_FN(m_nanosecond)
{
    (void)c, (void)n;
    *out = ce_tv_int(a[0].u.t->nsec);
    return CE_OK;
}

static SPRIG_FN(m_format)
{
    (void)n;
    struct fmt_job job = {a[0].u.t, &a[1]};
    *out = ce_tv_build_string(c, format_job, &job);
    return CE_OK;
}

static SPRIG_FN(m_utc)
{
    (void)n;
    *out = ce_tv_time_new(c, a[0].u.t->sec, a[0].u.t->nsec, 0, "UTC");
    return CE_OK;
}

static SPRIG_FN(m_string)
{
    (void)n;
    *out = ce_tv_sprint(c, &a[0]);
    return CE_OK;
}

static SPRIG_FN(m_is_zero)
{
    (void)c, (void)n;
    *out = ce_tv_bool(a[0].u.t->sec == ZERO_TIME_SEC && a[0].u.t->nsec == 0);
    return CE_OK;
}

static const struct ce_fn time_methods[] = {
    {"Unix", m_unix, 0, 0, {0}},
    {"UnixNano", m_unix_nano, 0, 0, {0}},
    {"UnixMilli", m_unix_milli, 0, 0, {0}},
    {"Year", m_year, 0, 0, {0}},
    {"Day", m_day, 0, 0, {0}},
    {"Hour", m_hour, 0, 0, {0}},
    {"Minute", m_minute, 0, 0, {0}},
    {"Second", m_second, 0, 0, {0}},
    {"Nanosecond", m_nanosecond, 0, 0, {0}},
    {"YearDay", m_yday, 0, 0, {0}},
    {"Format", m_format, 1, 0, {STR}},
    {"UTC", m_utc, 0, 0, {0}},
    {"String", m_string, 0, 0, {0}},
    {"IsZero", m_is_zero, 0, 0, {0}},
};

const struct ce_fn *ce_sprig_time_method(const char *name)
{
    for (size_t i = 0; i < sizeof time_methods / sizeof time_methods[0]; i++) {
        if (strcmp(time_methods[i].name, name) == 0) {
            return &time_methods[i];
        }
    }
    return NULL;
}
