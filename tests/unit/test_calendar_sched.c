/* SPDX-License-Identifier: Apache-2.0 */
/* The calendar source's schedule logic, driven by hand-set clocks (nothing sleeps): a daily
 * job runs exactly once every day across DST changes in New York and Berlin, exclusion dates,
 * intervals on the epoch grid (2.5 s included), where a restart resumes (catch-up and its
 * bound), the ticker that never repeats a tick when the clock steps back and retries with a
 * backoff, Go's eventTime text, the event data bytes and the record in the key-value store. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/time/cron.h"
#include "core/time/tz.h"
#include "eventsource/calendar/config.h"
#include "eventsource/calendar/sched.h"
#include "eventsource/calendar/tick.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define NS CE_CAL_NS

/* "2024-03-10T03:00:00-04:00" or "...Z" to Unix seconds. */
static int64_t ts(const char *s)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    char sign = 'Z';
    int n = sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &se, &sign, &oh, &om);
    assert_true(n == 7 || n == 9);
    int64_t off = sign == 'Z' ? 0 : (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return ce_tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
}

static struct ce_cron *cron(const char *spec, const char *zone)
{
    struct ce_cron *c = NULL;
    char err[256] = "";
    if (ce_cron_parse(spec, zone, &c, err, sizeof err) != CE_OK) {
        fail_msg("%s: %s", spec, err);
    }
    return c;
}

/* Successive ticks of ce_cron_next_once from after equal want (NULL-terminated). */
static void expect_once(const char *spec, const char *zone, const char *after,
                        const char *const want[])
{
    struct ce_cron *c = cron(spec, zone);
    int64_t t = ts(after);
    for (int i = 0; want[i] != NULL; i++) {
        t = ce_cron_next_once(c, t);
        if (t != ts(want[i])) {
            fail_msg("%s in %s: tick %d is %lld, want %s (%lld)", spec, zone, i, (long long)t,
                     want[i], (long long)ts(want[i]));
        }
    }
    ce_cron_destroy(c);
}

static void test_dst_new_york(void **state)
{
    (void)state;
    /* spring forward 2024-03-10 02:00 EST -> 03:00 EDT: 02:30 fires at 03:00, the gap's end */
    expect_once("30 2 * * *", "America/New_York", "2024-03-09T00:00:00-05:00",
                (const char *const[]){"2024-03-09T02:30:00-05:00", "2024-03-10T03:00:00-04:00",
                                      "2024-03-11T02:30:00-04:00", NULL});
    /* fall back 2024-11-03 02:00 EDT -> 01:00 EST: 01:30 fires once, at its first occurrence */
    expect_once("30 1 * * *", "America/New_York", "2024-11-02T00:00:00-04:00",
                (const char *const[]){"2024-11-02T01:30:00-04:00", "2024-11-03T01:30:00-04:00",
                                      "2024-11-04T01:30:00-05:00", NULL});
    expect_once(
        "30 2 * * *", "America/New_York", "2024-11-02T12:00:00-04:00",
        (const char *const[]){"2024-11-03T02:30:00-05:00", "2024-11-04T02:30:00-05:00", NULL});
    /* from inside the second 01:xx hour the repeated readings are passed over */
    expect_once("30 1 * * *", "America/New_York", "2024-11-03T01:10:00-05:00",
                (const char *const[]){"2024-11-04T01:30:00-05:00", NULL});
    /* several times inside the gap fire once, together, at its end */
    expect_once(
        "*/20 2,3 * * *", "America/New_York", "2024-03-10T01:50:00-05:00",
        (const char *const[]){"2024-03-10T03:00:00-04:00", "2024-03-10T03:20:00-04:00", NULL});
    /* each wall-clock hour once: the repeated 01:00 does not fire again */
    expect_once(
        "0 * * * *", "America/New_York", "2024-11-03T00:30:00-04:00",
        (const char *const[]){"2024-11-03T01:00:00-04:00", "2024-11-03T02:00:00-05:00", NULL});
}

static void test_dst_berlin(void **state)
{
    (void)state;
    /* 2024-03-31 02:00 CET -> 03:00 CEST */
    expect_once("30 2 * * *", "Europe/Berlin", "2024-03-30T00:00:00+01:00",
                (const char *const[]){"2024-03-30T02:30:00+01:00", "2024-03-31T03:00:00+02:00",
                                      "2024-04-01T02:30:00+02:00", NULL});
    /* 2024-10-27 03:00 CEST -> 02:00 CET: 02:30 happens twice, fires once */
    expect_once("30 2 * * *", "Europe/Berlin", "2024-10-26T00:00:00+02:00",
                (const char *const[]){"2024-10-26T02:30:00+02:00", "2024-10-27T02:30:00+02:00",
                                      "2024-10-28T02:30:00+01:00", NULL});
    /* with the zone as a CRON_TZ= prefix */
    expect_once("CRON_TZ=Europe/Berlin 30 2 * * *", "UTC", "2024-03-30T12:00:00Z",
                (const char *const[]){"2024-03-31T03:00:00+02:00", NULL});
}

/* Every day of a year has exactly one 02:30 tick, in both zones. */
static void test_daily_once_all_year(void **state)
{
    (void)state;
    const char *zones[] = {"America/New_York", "Europe/Berlin"};
    for (int z = 0; z < 2; z++) {
        struct ce_cron *c = cron("30 2 * * *", zones[z]);
        const struct ce_tz *tz = ce_cron_tz(c);
        int64_t t = ts("2024-01-01T00:00:00Z");
        for (int day = 0; day < 366; day++) {
            int64_t next = ce_cron_next_once(c, t);
            struct ce_tz_tm a, b;
            ce_tz_to_tm(tz, t, &a);
            ce_tz_to_tm(tz, next, &b);
            if (day > 0) {
                int64_t da = ce_tz_days_from_civil(a.year, a.mon, a.mday);
                int64_t db = ce_tz_days_from_civil(b.year, b.mon, b.mday);
                assert_int_equal(db - da, 1);
            }
            t = next;
        }
        ce_cron_destroy(c);
    }
}

/* Zones with unusual changes (a half-hour DST, a skipped day, midnight in the gap) never stall
 * or step back; half-hourly ticks are never more than 30 minutes plus a repeated hour apart
 * (the readings an overlap repeats do not fire again). */
static void test_unusual_zones_progress(void **state)
{
    (void)state;
    const char *zones[] = {"Australia/Lord_Howe", "Pacific/Apia", "America/Havana", "Asia/Kolkata"};
    for (int z = 0; z < 4; z++) {
        struct ce_cron *c = cron("*/30 * * * *", zones[z]);
        int64_t t = ts("2011-06-01T00:00:00Z"), end = ts("2013-01-01T00:00:00Z");
        while (t < end) {
            int64_t next = ce_cron_next_once(c, t);
            if (next <= t || next - t > 1800 + 3600) {
                fail_msg("%s: %lld then %lld", zones[z], (long long)t, (long long)next);
            }
            t = next;
        }
        ce_cron_destroy(c);
    }
}

static struct ce_cal_sched sched_interval(int64_t ns)
{
    struct ce_cal_sched s = {.interval_ns = ns};
    assert_int_equal(ce_tz_load("UTC", &s.zone, NULL, 0), CE_OK);
    return s;
}

static void test_interval_grid(void **state)
{
    (void)state;
    struct ce_cal_sched s = sched_interval(2500 * INT64_C(1000000));
    int64_t t = 1000 * NS + 300000000;
    int64_t want[] = {1002500000000, 1005000000000, 1007500000000};
    for (int i = 0; i < 3; i++) {
        t = ce_cal_sched_next(&s, t);
        assert_int_equal(t, want[i]);
    }
    ce_cal_sched_fini(&s);
    /* a 10 s interval falls on multiples of 10 s whatever the start */
    s = sched_interval(10 * NS);
    assert_int_equal(ce_cal_sched_next(&s, 1003 * NS + 1), 1010 * NS);
    assert_int_equal(ce_cal_sched_next(&s, 1010 * NS), 1020 * NS);
    ce_cal_sched_fini(&s);
}

static void test_exclusion_dates(void **state)
{
    (void)state;
    char err[128] = "";
    struct ce_cal_sched s = sched_interval(NS);
    assert_int_equal(ce_cal_parse_exdate("EXDATE:20190102T150405Z,20190104T000000Z", &s.excluded,
                                         &s.n_excluded, err, sizeof err),
                     CE_OK);
    assert_int_equal(
        ce_cal_parse_exdate("20190105T000000Z", &s.excluded, &s.n_excluded, err, sizeof err),
        CE_OK); /* no EXDATE: prefix: ignored, as in Argo */
    assert_int_equal(s.n_excluded, 2);
    assert_int_equal(
        ce_cal_parse_exdate("EXDATE:2019-01-02", &s.excluded, &s.n_excluded, err, sizeof err),
        CE_EPARSE);
    assert_non_null(strstr(err, "2019-01-02"));
    /* a 1 s interval jumps the excluded day whole */
    assert_int_equal(ce_cal_sched_next(&s, ts("2019-01-01T23:59:59Z") * NS),
                     ts("2019-01-03T00:00:00Z") * NS);
    assert_int_equal(ce_cal_sched_next(&s, ts("2019-01-03T23:59:59Z") * NS),
                     ts("2019-01-05T00:00:00Z") * NS);
    /* the date is the tick's in the event's zone: 03:00Z on the 2nd is the 1st in New York */
    ce_tz_destroy(s.zone);
    assert_int_equal(ce_tz_load("America/New_York", &s.zone, NULL, 0), CE_OK);
    assert_int_equal(ce_cal_sched_next(&s, ts("2019-01-02T02:59:59Z") * NS),
                     ts("2019-01-02T03:00:00Z") * NS);
    assert_int_equal(ce_cal_sched_next(&s, ts("2019-01-02T04:59:59Z") * NS),
                     ts("2019-01-03T00:00:00-05:00") * NS);
    ce_cal_sched_fini(&s);
}

static void test_impossible_schedule(void **state)
{
    (void)state;
    struct ce_cal_sched s = sched_interval(0);
    s.cron = cron("0 0 31 2 *", "UTC");
    assert_int_equal(ce_cal_sched_next(&s, ts("2024-01-01T00:00:00Z") * NS), -1);
    struct ce_cal_ticker t;
    ce_cal_ticker_init(&t, &s, ts("2024-01-01T00:00:00Z") * NS);
    int64_t tick;
    assert_int_equal(ce_cal_ticker_wake(&t), INT64_MAX);
    assert_false(ce_cal_ticker_take(&t, ts("2030-01-01T00:00:00Z") * NS, &tick));
    ce_cal_sched_fini(&s);
}

static void test_start_point(void **state)
{
    (void)state;
    int64_t now = 1000 * NS, min5 = 300 * NS;
    assert_int_equal(ce_cal_start_point(now, -1, false, 0), now);
    assert_int_equal(ce_cal_start_point(now, 900 * NS, false, 0), now);
    assert_int_equal(ce_cal_start_point(now, -1, true, min5), now);
    assert_int_equal(ce_cal_start_point(now, 900 * NS, true, 0), 900 * NS);
    assert_int_equal(ce_cal_start_point(now, 900 * NS, true, min5), 900 * NS);
    assert_int_equal(ce_cal_start_point(now, 100 * NS, true, min5), 700 * NS);
    assert_int_equal(ce_cal_start_point(now, 100 * NS, true, 0), 100 * NS);
    /* the clock was set back below the record: nothing at or before the record again */
    assert_int_equal(ce_cal_start_point(now, 1500 * NS, true, min5), 1500 * NS);
    assert_int_equal(ce_cal_start_point(now, 1500 * NS, false, 0), 1500 * NS);
}

/* Catch-up from a record 10 s back with a 1 s interval: the ten missed ticks come at once,
 * oldest first, each once; then the ticker waits for the next one. */
static void test_catchup_oldest_first(void **state)
{
    (void)state;
    struct ce_cal_sched s = sched_interval(NS);
    int64_t now = 2000 * NS + 400000000;
    struct ce_cal_ticker t;
    ce_cal_ticker_init(&t, &s, ce_cal_start_point(now, 1990 * NS, true, 0));
    int64_t tick;
    for (int64_t want = 1991; want <= 2000; want++) {
        assert_true(ce_cal_ticker_take(&t, now, &tick));
        assert_int_equal(tick, want * NS);
        assert_false(ce_cal_ticker_take(&t, now, &tick)); /* one at a time */
        ce_cal_ticker_done(&t, &s, true, now);
    }
    assert_false(ce_cal_ticker_take(&t, now, &tick));
    assert_int_equal(ce_cal_ticker_wake(&t), 2001 * NS);
    /* bounded by maxDuration: only the last 3 s */
    ce_cal_ticker_init(&t, &s, ce_cal_start_point(now, 1990 * NS, true, 3 * NS));
    assert_true(ce_cal_ticker_take(&t, now, &tick));
    assert_int_equal(tick, 1998 * NS);
    ce_cal_sched_fini(&s);
}

static void test_clock_step_back(void **state)
{
    (void)state;
    struct ce_cal_sched s = sched_interval(NS);
    struct ce_cal_ticker t;
    int64_t now = 5000 * NS + 1;
    ce_cal_ticker_init(&t, &s, now);
    int64_t tick;
    assert_false(ce_cal_ticker_take(&t, now, &tick));
    now = 5001 * NS;
    assert_true(ce_cal_ticker_take(&t, now, &tick));
    assert_int_equal(tick, 5001 * NS);
    ce_cal_ticker_done(&t, &s, true, now);
    /* an hour back: 5001 is never due again; the next tick waits for its time */
    now -= 3600 * NS;
    for (int i = 0; i < 3600; i += 60) {
        assert_false(ce_cal_ticker_take(&t, now + (int64_t)i * NS, &tick));
    }
    assert_true(ce_cal_ticker_take(&t, 5002 * NS, &tick));
    assert_int_equal(tick, 5002 * NS);
    ce_cal_sched_fini(&s);
}

/* The bus refuses: the same tick again after 100 ms, 200 ms ... capped at 10 s; published late
 * rather than dropped, then the ticks owed since follow. */
static void test_retry_backoff(void **state)
{
    (void)state;
    struct ce_cal_sched s = sched_interval(NS);
    struct ce_cal_ticker t;
    int64_t now = 100 * NS;
    ce_cal_ticker_init(&t, &s, now);
    now = 101 * NS;
    int64_t tick;
    int64_t waits[] = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000};
    for (int i = 0; i < 9; i++) {
        assert_true(ce_cal_ticker_take(&t, now, &tick));
        assert_int_equal(tick, 101 * NS);
        ce_cal_ticker_done(&t, &s, false, now);
        int64_t wait = waits[i] * INT64_C(1000000);
        assert_int_equal(ce_cal_ticker_wake(&t), now + wait);
        assert_false(ce_cal_ticker_take(&t, now + wait - 1, &tick));
        now += wait;
    }
    assert_true(ce_cal_ticker_take(&t, now, &tick));
    assert_int_equal(tick, 101 * NS);
    ce_cal_ticker_done(&t, &s, true, now);
    assert_true(ce_cal_ticker_take(&t, now, &tick));
    assert_int_equal(tick, 102 * NS);
    ce_cal_sched_fini(&s);
}

static void expect_go_time(const char *zone, int64_t ns, const char *want)
{
    struct ce_tz *tz = NULL;
    assert_int_equal(ce_tz_load(zone, &tz, NULL, 0), CE_OK);
    char out[CE_CAL_TIME_MAX];
    int n = ce_cal_format_go_time(tz, ns, out);
    assert_string_equal(out, want);
    assert_int_equal(n, (int)strlen(want));
    ce_tz_destroy(tz);
}

static void test_go_time_text(void **state)
{
    (void)state;
    expect_go_time("America/New_York", ts("2024-03-10T07:00:00Z") * NS,
                   "2024-03-10 03:00:00 -0400 EDT");
    expect_go_time("UTC", ts("2026-07-18T12:00:02Z") * NS + 500000000,
                   "2026-07-18 12:00:02.5 +0000 UTC");
    expect_go_time("UTC", ts("2026-07-18T12:00:02Z") * NS + 123456789,
                   "2026-07-18 12:00:02.123456789 +0000 UTC");
    expect_go_time("Asia/Kolkata", ts("2024-01-01T00:00:00Z") * NS,
                   "2024-01-01 05:30:00 +0530 IST");
    expect_go_time("America/Sao_Paulo", ts("2024-01-01T00:00:00Z") * NS,
                   "2023-12-31 21:00:00 -0300 -03");
    char out[CE_CAL_TIME_MAX];
    ce_cal_format_rfc3339(ts("2026-07-18T12:00:02Z") * NS + 500000000, out);
    assert_string_equal(out, "2026-07-18T12:00:02.5Z");
}

static void test_event_data(void **state)
{
    (void)state;
    struct ce_kv meta[] = {{"a", "<1>"}, {"b", "x\"y"}};
    struct ce_calendar_config cfg = {.metadata = meta, .n_metadata = 2};
    assert_int_equal(ce_tz_load("Europe/Berlin", &cfg.sched.zone, NULL, 0), CE_OK);
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cal_tick_data(&cfg, ts("2024-03-31T01:00:00Z") * NS, &b), CE_OK);
    assert_string_equal(b.data, "{\"eventTime\":\"2024-03-31 03:00:00 +0200 CEST\","
                                "\"metadata\":{\"a\":\"\\u003c1\\u003e\",\"b\":\"x\\\"y\"}}");
    ce_buf_fini(&b);
    cfg.n_metadata = 0; /* Go's omitempty */
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cal_tick_data(&cfg, ts("2024-03-31T01:00:00Z") * NS, &b), CE_OK);
    assert_string_equal(b.data, "{\"eventTime\":\"2024-03-31 03:00:00 +0200 CEST\"}");
    ce_buf_fini(&b);
    ce_tz_destroy(cfg.sched.zone);
}

static void test_record(void **state)
{
    (void)state;
    char *key = ce_cal_record_key("my.source", "every 5s_ok/x=y");
    assert_string_equal(key, "my=2Esource.every=205s_ok/x=3Dy");
    ce_free(key);
    char v[80];
    int64_t tick = ts("2026-07-18T12:00:10Z") * NS + 250000000;
    ce_cal_record_format(tick, v);
    assert_string_equal(v, "2026-07-18T12:00:10.25Z");
    assert_int_equal(ce_cal_record_parse(v), tick);
    assert_int_equal(ce_cal_record_parse("yesterday"), -1);
    char k1[24], k2[24];
    ce_cal_tick_key(tick, k1);
    ce_cal_tick_key(tick + NS, k2);
    assert_string_not_equal(k1, k2);
}

int main(int argc, char **argv)
{
    ce_test_require_tzdata();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dst_new_york),         cmocka_unit_test(test_dst_berlin),
        cmocka_unit_test(test_daily_once_all_year),  cmocka_unit_test(test_unusual_zones_progress),
        cmocka_unit_test(test_interval_grid),        cmocka_unit_test(test_exclusion_dates),
        cmocka_unit_test(test_impossible_schedule),  cmocka_unit_test(test_start_point),
        cmocka_unit_test(test_catchup_oldest_first), cmocka_unit_test(test_clock_step_back),
        cmocka_unit_test(test_retry_backoff),        cmocka_unit_test(test_go_time_text),
        cmocka_unit_test(test_event_data),           cmocka_unit_test(test_record),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
