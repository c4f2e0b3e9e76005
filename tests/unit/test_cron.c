/* SPDX-License-Identifier: Apache-2.0 */
/* core/cron and core/tz: robfig/cron v3 syntax with Argo's parser options, next fire times
 * across month ends, leap years and DST transitions (New York, Berlin, Havana's midnight
 * change, Lord Howe's half-hour shift, Kolkata's half-hour offset), Argo's PrevCronTime,
 * robfig's error texts, and the TZif/POSIX-rule zone reader behind them. Expected times are
 * written with their UTC offset, as Go's time.Time would print them. */
#include "core/time/cron.h"
#include "core/base/rc.h"
#include "core/time/tz.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define D CE_CRON_DESCRIPTORS
#define S CE_CRON_SECONDS
#define SO CE_CRON_SECONDS_OPTIONAL

/* "2024-03-10T03:00:00-04:00" or "...Z" to Unix seconds; "none" is -1. */
static int64_t ts(const char *s)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    char sign = 'Z';
    if (strcmp(s, "none") == 0) {
        return -1;
    }
    int n = sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &se, &sign, &oh, &om);
    assert_true(n == 7 || n == 9);
    int64_t off = sign == 'Z' ? 0 : (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return ce_tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
}

struct next_case {
    const char *spec;
    const char *tz;
    unsigned flags;
    const char *after;
    const char *want[4]; /* successive fire times; unused slots NULL */
};

static const struct next_case next_cases[] = {
    /* plain fields, UTC */
    {"* * * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"}},
    {"* * * * *", "UTC", 0, "2024-01-01T00:00:30Z", {"2024-01-01T00:01:00Z"}},
    {"0 * * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"}},
    {"*/15 * * * *",
     "UTC",
     0,
     "2024-01-01T00:07:00Z",
     {"2024-01-01T00:15:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:45:00Z",
      "2024-01-01T01:00:00Z"}},
    {"5/15 * * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:05:00Z", "2024-01-01T00:20:00Z", "2024-01-01T00:35:00Z",
      "2024-01-01T00:50:00Z"}},
    {"10-20/5 3 * * *",
     "UTC",
     0,
     "2024-01-01T03:12:00Z",
     {"2024-01-01T03:15:00Z", "2024-01-01T03:20:00Z", "2024-01-02T03:10:00Z"}},
    {"0 9-17/4 * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T09:00:00Z", "2024-01-01T13:00:00Z", "2024-01-01T17:00:00Z",
      "2024-01-02T09:00:00Z"}},
    {"0,30 * * * *",
     "UTC",
     0,
     "2024-01-01T10:10:00Z",
     {"2024-01-01T10:30:00Z", "2024-01-01T11:00:00Z"}},
    {"0 0 1,15 * *",
     "UTC",
     0,
     "2024-01-02T00:00:00Z",
     {"2024-01-15T00:00:00Z", "2024-02-01T00:00:00Z"}},
    {"0 0 * * 1-5",
     "UTC",
     0,
     "2024-01-05T12:00:00Z",
     {"2024-01-08T00:00:00Z", "2024-01-09T00:00:00Z"}},
    {"0 0 * * MON-FRI", "UTC", 0, "2024-01-05T12:00:00Z", {"2024-01-08T00:00:00Z"}},
    {"0 0 * * sun",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
    {"0 0 1 JAN *", "UTC", 0, "2024-01-01T00:00:00Z", {"2025-01-01T00:00:00Z"}},
    {"0 0 1 jan,Jul *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-07-01T00:00:00Z", "2025-01-01T00:00:00Z"}},
    {"0 12 ? * ?", "UTC", 0, "2024-01-01T12:00:00Z", {"2024-01-02T12:00:00Z"}},
    {"00 05 * * *", "UTC", 0, "2024-01-01T00:00:00Z", {"2024-01-01T05:00:00Z"}},
    {"0\t0  *\n* *", "UTC", 0, "2024-01-01T00:00:00Z", {"2024-01-02T00:00:00Z"}},
    {"0 0 * DEC SAT",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-12-07T00:00:00Z", "2024-12-14T00:00:00Z"}},
    /* month ends and leap years */
    {"0 0 31 * *",
     "UTC",
     0,
     "2024-01-31T00:00:00Z",
     {"2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z",
      "2024-08-31T00:00:00Z"}},
    {"0 0 29 2 *",
     "UTC",
     0,
     "2023-01-01T00:00:00Z",
     {"2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"}},
    /* 2100 is not a leap year: 2104 is past robfig's five-year search */
    {"0 0 29 2 *", "UTC", 0, "2096-03-01T00:00:00Z", {"none"}},
    {"0 0 29 2 *", "UTC", 0, "2099-03-01T00:00:00Z", {"2104-02-29T00:00:00Z"}},
    {"0 0 30 2 *", "UTC", 0, "2024-01-01T00:00:00Z", {"none"}},
    {"0 0 1 * *",
     "UTC",
     0,
     "2024-12-31T23:59:59Z",
     {"2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"}},
    {"59 23 31 12 *",
     "UTC",
     0,
     "2024-06-01T00:00:00Z",
     {"2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"}},
    /* day-of-month OR day-of-week when neither is '*' */
    {"0 0 13 * 5",
     "UTC",
     0,
     "2024-10-05T00:00:00Z",
     {"2024-10-11T00:00:00Z", "2024-10-13T00:00:00Z", "2024-10-18T00:00:00Z"}},
    {"0 0 13 * *",
     "UTC",
     0,
     "2024-10-05T00:00:00Z",
     {"2024-10-13T00:00:00Z", "2024-11-13T00:00:00Z"}},
    {"0 0 13 * */1", "UTC", 0, "2024-10-05T00:00:00Z", {"2024-10-13T00:00:00Z"}},
    /* robfig quirk: a step > 1 drops the '*' mark, so this is "odd days OR Mondays" */
    {"0 0 */2 * 1",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-03T00:00:00Z", "2024-01-05T00:00:00Z", "2024-01-07T00:00:00Z",
      "2024-01-08T00:00:00Z"}},
    /* robfig quirks: "*-5" is "*", empty list items are skipped, "+1" is 1 */
    {"*-5 * * * *", "UTC", 0, "2024-01-01T00:10:00Z", {"2024-01-01T00:11:00Z"}},
    {"1,,2 * * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z", "2024-01-01T01:01:00Z"}},
    {"0 0 * * +1", "UTC", 0, "2024-01-02T00:00:00Z", {"2024-01-08T00:00:00Z"}},
    {", * * * *", "UTC", 0, "2024-01-01T00:00:00Z", {"none"}},
    /* CRON_TZ / TZ prefixes win over the zone argument */
    {"CRON_TZ=Asia/Kolkata 30 9 * * *",
     "UTC",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T09:30:00+05:30"}},
    {"TZ=America/New_York 0 0 * * *",
     "Europe/Berlin",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:00:00-05:00"}},
    {"CRON_TZ=UTC    0 12 * * *  ",
     "Asia/Kolkata",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T12:00:00Z"}},
    {"TZ= 0 12 * * *", "Asia/Kolkata", 0, "2024-01-01T00:00:00Z", {"2024-01-01T12:00:00Z"}},
    /* descriptors and seconds (robfig's other parsers) */
    {"@yearly", "UTC", D, "2024-03-01T00:00:00Z", {"2025-01-01T00:00:00Z"}},
    {"@annually", "UTC", D, "2024-03-01T00:00:00Z", {"2025-01-01T00:00:00Z"}},
    {"@monthly",
     "UTC",
     D,
     "2024-01-31T10:00:00Z",
     {"2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"}},
    {"@weekly", "UTC", D, "2024-01-01T00:00:00Z", {"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"}},
    {"@daily", "UTC", D, "2024-02-28T05:00:00Z", {"2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"}},
    {"@midnight", "Asia/Kolkata", D, "2024-01-01T00:00:00Z", {"2024-01-02T00:00:00+05:30"}},
    {"@hourly", "UTC", D, "2024-01-01T00:59:59Z", {"2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"}},
    {"CRON_TZ=Asia/Kolkata @daily",
     "UTC",
     D,
     "2024-01-01T00:00:00Z",
     {"2024-01-02T00:00:00+05:30"}},
    {"@every 1h30m",
     "UTC",
     D,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T01:30:00Z", "2024-01-01T03:00:00Z"}},
    {"@every 500ms",
     "UTC",
     D,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z"}},
    {"@every 2.9s", "UTC", D, "2024-01-01T00:00:00Z", {"2024-01-01T00:00:02Z"}},
    {"30 * * * * *",
     "UTC",
     S,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:00:30Z", "2024-01-01T00:01:30Z"}},
    {"*/20 * * * * *",
     "UTC",
     S,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:00:20Z", "2024-01-01T00:00:40Z", "2024-01-01T00:01:00Z"}},
    {"15 0 0 * * *",
     "UTC",
     SO,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T00:00:15Z", "2024-01-02T00:00:15Z"}},
    {"0 0 * * *", "UTC", SO, "2024-01-01T00:00:00Z", {"2024-01-02T00:00:00Z"}},
    /* half-hour offset */
    {"0 9 * * *",
     "Asia/Kolkata",
     0,
     "2024-01-01T00:00:00Z",
     {"2024-01-01T09:00:00+05:30", "2024-01-02T09:00:00+05:30"}},
    {"30 * * * *",
     "Asia/Kolkata",
     0,
     "2024-01-01T00:10:00Z",
     {"2024-01-01T01:00:00Z", "2024-01-01T02:00:00Z"}},
    {"0 0 1 * *", "Asia/Kolkata", 0, "2024-01-31T18:29:59Z", {"2024-02-01T00:00:00+05:30"}},
    /* New York: 02:30 does not exist on 2024-03-10 and is skipped; 01:30 on 2024-11-03 happens
     * twice and fires twice */
    {"30 2 * * *",
     "America/New_York",
     0,
     "2024-03-09T12:00:00Z",
     {"2024-03-11T02:30:00-04:00", "2024-03-12T02:30:00-04:00"}},
    {"30 1 * * *",
     "America/New_York",
     0,
     "2024-11-02T12:00:00Z",
     {"2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-11-04T01:30:00-05:00"}},
    {"0 * * * *",
     "America/New_York",
     0,
     "2024-03-10T05:30:00Z",
     {"2024-03-10T01:00:00-05:00", "2024-03-10T03:00:00-04:00", "2024-03-10T04:00:00-04:00"}},
    {"0 * * * *",
     "America/New_York",
     0,
     "2024-11-03T04:30:00Z",
     {"2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00", "2024-11-03T02:00:00-05:00"}},
    {"0 12 * * *",
     "America/New_York",
     0,
     "2024-03-09T18:00:00Z",
     {"2024-03-10T12:00:00-04:00", "2024-03-11T12:00:00-04:00"}},
    /* past the transition table: the footer rule EST5EDT,M3.2.0,M11.1.0 */
    {"0 12 4 7 *", "America/New_York", 0, "2040-01-01T00:00:00Z", {"2040-07-04T12:00:00-04:00"}},
    {"0 12 25 12 *", "America/New_York", 0, "2040-01-01T00:00:00Z", {"2040-12-25T12:00:00-05:00"}},
    {"30 2 * * *", "America/New_York", 0, "2041-03-09T12:00:00Z", {"2041-03-11T02:30:00-04:00"}},
    /* Berlin */
    {"30 2 * * *",
     "Europe/Berlin",
     0,
     "2024-03-30T12:00:00Z",
     {"2024-04-01T02:30:00+02:00", "2024-04-02T02:30:00+02:00"}},
    {"30 2 * * *",
     "Europe/Berlin",
     0,
     "2024-10-26T12:00:00Z",
     {"2024-10-27T02:30:00+02:00", "2024-10-27T02:30:00+01:00", "2024-10-28T02:30:00+01:00"}},
    {"0 3 * * *", "Europe/Berlin", 0, "2024-03-30T12:00:00Z", {"2024-03-31T03:00:00+02:00"}},
    {"0 0 * * *",
     "Europe/Berlin",
     0,
     "2024-10-26T12:00:00Z",
     {"2024-10-27T00:00:00+02:00", "2024-10-28T00:00:00+01:00"}},
    /* Havana moves midnight: the day step lands on 23:00 and robfig pulls it forward */
    {"0 1 10 3 *", "America/Havana", 0, "2024-03-01T12:00:00Z", {"2024-03-10T01:00:00-04:00"}},
    {"0 0 * * *", "America/Havana", 0, "2024-03-09T17:00:00Z", {"2024-03-11T00:00:00-04:00"}},
    /* Lord Howe jumps 02:00 -> 02:30: 02:00 is skipped, 02:45 still fires */
    {"0 2 * * *",
     "Australia/Lord_Howe",
     0,
     "2024-10-04T12:00:00Z",
     {"2024-10-05T02:00:00+10:30", "2024-10-07T02:00:00+11:00"}},
    {"45 2 * * *",
     "Australia/Lord_Howe",
     0,
     "2024-10-04T12:00:00Z",
     {"2024-10-05T02:45:00+10:30", "2024-10-06T02:45:00+11:00"}},
};

static void check_next(size_t i, const struct next_case *tc)
{
    struct ce_cron *c = NULL;
    char err[256] = "";
    int rc = ce_cron_parse_opts(tc->spec, tc->tz, tc->flags, &c, err, sizeof err);
    if (rc != CE_OK) {
        print_error("case %zu \"%s\": %s\n", i, tc->spec, err);
    }
    assert_int_equal(rc, CE_OK);
    int64_t t = ts(tc->after);
    for (int k = 0; k < 4 && tc->want[k] != NULL; k++) {
        int64_t got = ce_cron_next(c, t);
        int64_t want = ts(tc->want[k]);
        if (got != want) {
            print_error("case %zu \"%s\" %s step %d: got %lld want %s (%lld)\n", i, tc->spec,
                        tc->tz, k, (long long)got, tc->want[k], (long long)want);
        }
        assert_true(got == want);
        t = got;
    }
    ce_cron_destroy(c);
}

static void test_next_table(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    for (size_t i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
        if (next_cases[i].want[0] != NULL) {
            check_next(i, &next_cases[i]);
        }
    }
}

struct err_case {
    const char *spec;
    const char *tz;
    unsigned flags;
    int rc;
    const char *msg;
};

static const struct err_case err_cases[] = {
    {"", "UTC", 0, CE_EPARSE, "empty spec string"},
    {"* * * *", "UTC", 0, CE_EPARSE, "expected exactly 5 fields, found 4: [* * * *]"},
    {"0 * * * * *", "UTC", 0, CE_EPARSE, "expected exactly 5 fields, found 6: [0 * * * * *]"},
    {"* * * *", "UTC", SO, CE_EPARSE, "expected 5 to 6 fields, found 4: [* * * *]"},
    {"* * * * *", "UTC", S, CE_EPARSE, "expected exactly 6 fields, found 5: [* * * * *]"},
    {"@daily", "UTC", 0, CE_EPARSE, "parser does not accept descriptors: @daily"},
    {"CRON_TZ=UTC @daily", "UTC", 0, CE_EPARSE, "parser does not accept descriptors: @daily"},
    {"@fortnightly", "UTC", D, CE_EPARSE, "unrecognized descriptor: @fortnightly"},
    {"@daily ", "UTC", D, CE_EPARSE, "unrecognized descriptor: @daily "},
    {"@every x", "UTC", D, CE_EPARSE,
     "failed to parse duration @every x: time: invalid duration \"x\""},
    {"60 * * * *", "UTC", 0, CE_EPARSE, "end of range (60) above maximum (59): 60"},
    {"* 24 * * *", "UTC", 0, CE_EPARSE, "end of range (24) above maximum (23): 24"},
    {"* * 0 * *", "UTC", 0, CE_EPARSE, "beginning of range (0) below minimum (1): 0"},
    {"* * 32 * *", "UTC", 0, CE_EPARSE, "end of range (32) above maximum (31): 32"},
    {"* * * 13 *", "UTC", 0, CE_EPARSE, "end of range (13) above maximum (12): 13"},
    {"* * * 0 *", "UTC", 0, CE_EPARSE, "beginning of range (0) below minimum (1): 0"},
    {"* * * * 7", "UTC", 0, CE_EPARSE, "end of range (7) above maximum (6): 7"},
    {"5-1 * * * *", "UTC", 0, CE_EPARSE, "beginning of range (5) beyond end of range (1): 5-1"},
    {"*/0 * * * *", "UTC", 0, CE_EPARSE, "step of range should be a positive number: */0"},
    {"1-2-3 * * * *", "UTC", 0, CE_EPARSE, "too many hyphens: 1-2-3"},
    {"*/2/3 * * * *", "UTC", 0, CE_EPARSE, "too many slashes: */2/3"},
    {"a * * * *", "UTC", 0, CE_EPARSE,
     "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax"},
    {"* * * * MONDAY", "UTC", 0, CE_EPARSE,
     "failed to parse int from MONDAY: strconv.Atoi: parsing \"MONDAY\": invalid syntax"},
    {"mon * * * *", "UTC", 0, CE_EPARSE,
     "failed to parse int from mon: strconv.Atoi: parsing \"mon\": invalid syntax"},
    {"* * * * 5L", "UTC", 0, CE_EPARSE,
     "failed to parse int from 5L: strconv.Atoi: parsing \"5L\": invalid syntax"},
    {"0 0 L * *", "UTC", 0, CE_EPARSE,
     "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax"},
    {"*/-1 * * * *", "UTC", 0, CE_EPARSE, "negative number (-1) not allowed: -1"},
    {"-5 * * * *", "UTC", 0, CE_EPARSE,
     "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"},
    {"99999999999999999999 * * * *", "UTC", 0, CE_EPARSE,
     "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
     "\"99999999999999999999\": value out of range"},
    {"CRON_TZ=Mars/Olympus 0 0 * * *", "UTC", 0, CE_ENOENT,
     "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"},
    {"CRON_TZ=UTC", "UTC", 0, CE_EPARSE, "missing schedule after time zone prefix: CRON_TZ=UTC"},
    {"0 0 * * *", "Nowhere/City", 0, CE_ENOENT, "unknown time zone Nowhere/City"},
    {"0 0 * * *", "../etc/passwd", 0, CE_EINVAL, "time: invalid location name ../etc/passwd"},
    {"0 0 * * *", "/etc/localtime", 0, CE_EINVAL, "time: invalid location name /etc/localtime"},
    {"0 0 * * *", "America", 0, CE_EIO, "time zone America: Is a directory"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        struct ce_cron *c = (struct ce_cron *)&c; /* must be reset to NULL */
        char err[256] = "";
        int rc = ce_cron_parse_opts(err_cases[i].spec, err_cases[i].tz, err_cases[i].flags, &c, err,
                                    sizeof err);
        if (rc != err_cases[i].rc || strcmp(err, err_cases[i].msg) != 0) {
            print_error("case %zu \"%s\": rc %d err \"%s\"\n", i, err_cases[i].spec, rc, err);
        }
        assert_int_equal(rc, err_cases[i].rc);
        assert_null(c);
        assert_string_equal(err, err_cases[i].msg);
    }
    /* An outsider's spec is capped before any work. */
    char *big = malloc(5000);
    assert_non_null(big);
    memset(big, '*', 4999);
    big[4999] = '\0';
    struct ce_cron *c = NULL;
    assert_int_equal(ce_cron_parse(big, "UTC", &c, NULL, 0), CE_ETOOBIG);
    assert_null(c);
    free(big);
    assert_int_equal(ce_cron_parse(NULL, "UTC", &c, NULL, 0), CE_EPARSE);
    ce_cron_destroy(NULL);
}

struct prev_case {
    const char *spec;
    const char *tz;
    const char *before;
    const char *want;
};

static void test_prev(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    static const struct prev_case cases[] = {
        {"0 0 * * *", "UTC", "2024-01-01T12:00:00Z", "2024-01-01T00:00:00Z"},
        {"0 0 * * *", "UTC", "2024-01-01T00:00:00Z", "2023-12-31T00:00:00Z"},
        {"0 0 * * *", "UTC", "2024-01-01T00:00:01Z", "2024-01-01T00:00:00Z"},
        {"0 0 1 1 *", "UTC", "2024-06-01T00:00:00Z", "2024-01-01T00:00:00Z"},
        {"0 0 29 2 *", "UTC", "2027-01-01T00:00:00Z", "2024-02-29T00:00:00Z"},
        {"*/15 * * * *", "UTC", "2024-01-01T10:14:00Z", "2024-01-01T10:00:00Z"},
        {"0 0 30 2 *", "UTC", "2024-01-01T00:00:00Z", "none"},
        {"30 2 * * *", "America/New_York", "2024-03-11T00:00:00Z", "2024-03-09T02:30:00-05:00"},
        {"0 9 * * 1", "Asia/Kolkata", "2024-01-10T00:00:00Z", "2024-01-08T09:00:00+05:30"},
        /* Argo's PrevCronTime never returns here (time.Date picks the later 02:00); cevents
         * steps back to the earlier reading instead. */
        {"0 1 * * *", "Europe/Berlin", "2024-10-27T09:00:00Z", "2024-10-27T01:00:00+02:00"},
        {"30 2 * * *", "Europe/Berlin", "2024-10-27T09:00:00Z", "2024-10-27T02:30:00+01:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_cron *c = NULL;
        assert_int_equal(ce_cron_parse(cases[i].spec, cases[i].tz, &c, NULL, 0), CE_OK);
        int64_t got = ce_cron_prev(c, ts(cases[i].before));
        if (got != ts(cases[i].want)) {
            print_error("prev case %zu: got %lld want %s\n", i, (long long)got, cases[i].want);
        }
        assert_true(got == ts(cases[i].want));
        ce_cron_destroy(c);
    }
    struct ce_cron *every = NULL;
    assert_int_equal(ce_cron_parse_opts("@every 1m", "UTC", D, &every, NULL, 0), CE_OK);
    assert_true(ce_cron_prev(every, ts("2024-01-01T00:00:00Z")) == -1);
    ce_cron_destroy(every);
}

/* Next is strictly after its argument and prev strictly before, for every minute of a DST day
 * in both directions of the Atlantic. */
static void test_walk_monotonic(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    static const char *const specs[] = {"* * * * *", "*/7 1-3 * * *", "30 2 * * *", "0 0 * * 0"};
    static const char *const zones[] = {"America/New_York", "Europe/Berlin"};
    static const char *const days[] = {"2024-03-10T00:00:00Z", "2024-03-31T00:00:00Z",
                                       "2024-10-27T00:00:00Z", "2024-11-03T00:00:00Z"};
    for (size_t s = 0; s < 4; s++) {
        for (size_t z = 0; z < 2; z++) {
            struct ce_cron *c = NULL;
            assert_int_equal(ce_cron_parse(specs[s], zones[z], &c, NULL, 0), CE_OK);
            for (size_t d = 0; d < 4; d++) {
                for (int64_t t = ts(days[d]); t < ts(days[d]) + 36 * 3600; t += 97) {
                    int64_t n = ce_cron_next(c, t);
                    int64_t p = ce_cron_prev(c, t);
                    assert_true(n > t);
                    assert_true(p < t && p != -1);
                }
            }
            ce_cron_destroy(c);
        }
    }
    /* a day the zone skipped whole: Samoa went from 2011-12-29 to 2011-12-31 (a fuzz finding:
     * the day walk mapped the missing day back onto the 29th and never moved again) */
    struct ce_cron *c = NULL;
    assert_int_equal(ce_cron_parse("* * 3 * *", "Pacific/Apia", &c, NULL, 0), CE_OK);
    int64_t t = ts("2011-12-26T21:08:02Z");
    int64_t n = ce_cron_next(c, t);
    assert_int_equal(n, ts("2012-01-02T10:00:00Z")); /* 2012-01-03 00:00 at +14:00 */
    assert_true(ce_cron_prev(c, t) < t);
    ce_cron_destroy(c);
}

static void test_range_limits(void **state)
{
    (void)state;
    struct ce_cron *c = NULL;
    assert_int_equal(ce_cron_parse("* * * * *", "UTC", &c, NULL, 0), CE_OK);
    assert_true(ce_cron_next(c, INT64_MAX) == -1);
    assert_true(ce_cron_next(c, INT64_MIN) == -1);
    assert_true(ce_cron_prev(c, INT64_MIN) == -1);
    assert_true(ce_cron_next(c, -1) == 0); /* before the epoch works */
    assert_true(ce_cron_next(c, ts("1969-07-20T20:17:40Z")) == ts("1969-07-20T20:18:00Z"));
    assert_string_equal(ce_tz_name(ce_cron_tz(c)), "UTC");
    ce_cron_destroy(c);
}

/* ---- zones ---- */

static void test_tz_offsets(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    struct ce_tz *tz = NULL;
    struct ce_tz_period p;
    char err[128];
    assert_int_equal(ce_tz_load("Asia/Kolkata", &tz, err, sizeof err), CE_OK);
    ce_tz_lookup(tz, ts("2024-06-01T00:00:00Z"), &p);
    assert_int_equal(p.offset, 19800);
    assert_string_equal(p.abbr, "IST");
    assert_false(p.is_dst);
    ce_tz_destroy(tz);

    assert_int_equal(ce_tz_load("America/New_York", &tz, err, sizeof err), CE_OK);
    assert_string_equal(ce_tz_name(tz), "America/New_York");
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-03-10T06:59:59Z")), -18000);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-03-10T07:00:00Z")), -14400);
    ce_tz_lookup(tz, ts("2024-07-01T00:00:00Z"), &p);
    assert_string_equal(p.abbr, "EDT");
    assert_true(p.is_dst);
    assert_true(p.start == ts("2024-03-10T07:00:00Z") && p.end == ts("2024-11-03T06:00:00Z"));
    /* footer rule, far future */
    assert_int_equal(ce_tz_offset_at(tz, ts("2099-07-01T00:00:00Z")), -14400);
    assert_int_equal(ce_tz_offset_at(tz, ts("2099-12-01T00:00:00Z")), -18000);
    struct ce_tz *copy = ce_tz_clone(tz);
    ce_tz_destroy(tz);
    assert_int_equal(ce_tz_offset_at(copy, ts("2024-07-01T00:00:00Z")), -14400);
    ce_tz_destroy(copy);

    assert_int_equal(ce_tz_load("", &tz, err, sizeof err), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, 0), 0);
    assert_string_equal(ce_tz_name(tz), "UTC");
    ce_tz_destroy(tz);
    ce_tz_destroy(NULL);
}

/* Go's time.Date: a gap resolves to one side and an overlap to one reading, depending on the
 * direction of the zone's offset. */
static void test_tz_local_to_utc(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    struct ce_tz *ny = NULL, *be = NULL;
    assert_int_equal(ce_tz_load("America/New_York", &ny, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_load("Europe/Berlin", &be, NULL, 0), CE_OK);
    assert_true(ce_tz_from_fields(ny, 2024, 3, 10, 2, 30, 0) == ts("2024-03-10T01:30:00-05:00"));
    assert_true(ce_tz_from_fields(be, 2024, 3, 31, 2, 30, 0) == ts("2024-03-31T03:30:00+02:00"));
    assert_true(ce_tz_from_fields(ny, 2024, 11, 3, 1, 30, 0) == ts("2024-11-03T01:30:00-04:00"));
    assert_true(ce_tz_from_fields(be, 2024, 10, 27, 2, 30, 0) == ts("2024-10-27T02:30:00+01:00"));
    /* normalisation of out-of-range fields */
    assert_true(ce_tz_from_fields(be, 2024, 13, 1, 0, 0, 0) == ts("2025-01-01T00:00:00+01:00"));
    assert_true(ce_tz_from_fields(be, 2024, 2, 30, 0, 0, 0) == ts("2024-03-01T00:00:00+01:00"));
    assert_true(ce_tz_from_fields(be, 2024, 3, 0, 0, 0, 0) == ts("2024-02-29T00:00:00+01:00"));
    assert_true(ce_tz_from_fields(be, 2024, 0, 1, 24, 0, 0) == ts("2023-12-02T00:00:00+01:00"));
    struct ce_tz_tm tm;
    ce_tz_to_tm(be, ts("2024-02-29T23:30:00Z"), &tm);
    assert_true(tm.year == 2024 && tm.mon == 3 && tm.mday == 1 && tm.hour == 0 && tm.min == 30);
    assert_int_equal(tm.wday, 5);
    assert_int_equal(tm.yday, 60);
    assert_int_equal(tm.offset, 3600);
    ce_tz_destroy(ny);
    ce_tz_destroy(be);
}

/* A TZif v2 file with no transitions: everything comes from the footer rule. */
static size_t build_tzif(uint8_t *out, const char *footer, int32_t std_off)
{
    size_t n = 0;
    for (int part = 0; part < 2; part++) {
        memcpy(out + n, "TZif2", 5);
        memset(out + n + 5, 0, 15);
        n += 20;
        uint32_t counts[6] = {0, 0, 0, 0, 1, 4}; /* isut isstd leap time type char */
        for (int i = 0; i < 6; i++, n += 4) {
            out[n] = (uint8_t)(counts[i] >> 24);
            out[n + 1] = (uint8_t)(counts[i] >> 16);
            out[n + 2] = (uint8_t)(counts[i] >> 8);
            out[n + 3] = (uint8_t)counts[i];
        }
        uint32_t o = (uint32_t)std_off;
        uint8_t type[6] = {
            (uint8_t)(o >> 24), (uint8_t)(o >> 16), (uint8_t)(o >> 8), (uint8_t)o, 0, 0};
        memcpy(out + n, type, 6);
        memcpy(out + n + 6, "XST", 4);
        n += 10;
    }
    size_t fl = strlen(footer);
    out[n++] = '\n';
    memcpy(out + n, footer, fl);
    n += fl;
    out[n++] = '\n';
    return n;
}

static void test_tz_footer_rules(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct ce_tz *tz = NULL;
    size_t n = build_tzif(buf, "EST5EDT,M3.2.0,M11.1.0", -18000);
    assert_int_equal(ce_tz_from_tzif("slim-ny", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-03-10T06:59:59Z")), -18000);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-03-10T07:00:00Z")), -14400);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-11-03T05:59:59Z")), -14400);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-11-03T06:00:00Z")), -18000);
    ce_tz_destroy(tz);
    /* southern hemisphere: DST spans the new year */
    n = build_tzif(buf, "AEST-10AEDT,M10.1.0,M4.1.0/3", 36000);
    assert_int_equal(ce_tz_from_tzif("slim-syd", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-01-15T00:00:00Z")), 39600);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-07-01T00:00:00Z")), 36000);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-04-06T15:59:59Z")), 39600);
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-04-06T16:00:00Z")), 36000);
    struct ce_tz_period p;
    ce_tz_lookup(tz, ts("2024-12-01T00:00:00Z"), &p);
    assert_string_equal(p.abbr, "AEDT");
    ce_tz_destroy(tz);
    /* quoted names, Julian days, default rules, fixed offsets */
    n = build_tzif(buf, "<+0330>-3:30<+0430>,J79/24,J263/24", 12600);
    assert_int_equal(ce_tz_from_tzif("slim-teh", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2021-06-01T00:00:00Z")), 16200);
    assert_int_equal(ce_tz_offset_at(tz, ts("2021-01-01T00:00:00Z")), 12600);
    ce_tz_destroy(tz);
    n = build_tzif(buf, "EST5EDT", -18000);
    assert_int_equal(ce_tz_from_tzif("dflt", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2030-07-01T00:00:00Z")), -14400);
    ce_tz_destroy(tz);
    n = build_tzif(buf, "<-05>5", -18000);
    assert_int_equal(ce_tz_from_tzif("fixed", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2030-07-01T00:00:00Z")), -18000);
    ce_tz_destroy(tz);
    /* an unusable footer is ignored: the last type stays in force */
    n = build_tzif(buf, "EST5EDT,M13.1.0,M11.1.0", 7200);
    assert_int_equal(ce_tz_from_tzif("badfooter", buf, n, &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, ts("2030-07-01T00:00:00Z")), 7200);
    ce_tz_destroy(tz);
}

static void test_tz_malformed(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct ce_tz *tz = (struct ce_tz *)&tz;
    char err[128];
    size_t n = build_tzif(buf, "UTC0", 0);
    for (size_t cut = 0; cut < 88; cut += 7) {
        assert_int_equal(ce_tz_from_tzif("cut", buf, cut, &tz, err, sizeof err), CE_EPARSE);
        assert_null(tz);
    }
    assert_string_equal(err, "malformed time zone information for cut");
    buf[0] = 'X';
    assert_int_equal(ce_tz_from_tzif("magic", buf, n, &tz, NULL, 0), CE_EPARSE);
    n = build_tzif(buf, "UTC0", 0);
    buf[4] = '9';
    assert_int_equal(ce_tz_from_tzif("version", buf, n, &tz, NULL, 0), CE_EPARSE);
    n = build_tzif(buf, "UTC0", 0);
    buf[44 + 10 + 44 + 5] = 9; /* abbreviation index past the table */
    assert_int_equal(ce_tz_from_tzif("abbr", buf, n, &tz, NULL, 0), CE_EPARSE);
}

/* Go's time.Local: $TZ, then /etc/localtime, else UTC; and ZONEINFO for named zones. */
static void test_tz_local_and_zoneinfo(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    const char *saved = getenv("TZ");
    char *saved_copy = saved != NULL ? strdup(saved) : NULL;
    struct ce_tz *tz;

    setenv("TZ", "Asia/Kolkata", 1);
    tz = ce_tz_load_local();
    assert_int_equal(ce_tz_offset_at(tz, 0), 19800);
    ce_tz_destroy(tz);
    struct ce_cron *c = NULL;
    assert_int_equal(ce_cron_parse("0 9 * * *", NULL, &c, NULL, 0), CE_OK);
    assert_true(ce_cron_next(c, ts("2024-01-01T00:00:00Z")) == ts("2024-01-01T09:00:00+05:30"));
    ce_cron_destroy(c);
    assert_int_equal(ce_cron_parse("0 9 * * *", "Local", &c, NULL, 0), CE_OK);
    assert_true(ce_cron_next(c, ts("2024-01-01T00:00:00Z")) == ts("2024-01-01T09:00:00+05:30"));
    ce_cron_destroy(c);

    setenv("TZ", ":Europe/Berlin", 1);
    tz = ce_tz_load_local();
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-07-01T00:00:00Z")), 7200);
    ce_tz_destroy(tz);
    setenv("TZ", "/usr/share/zoneinfo/America/New_York", 1);
    tz = ce_tz_load_local();
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-07-01T00:00:00Z")), -14400);
    ce_tz_destroy(tz);
    setenv("TZ", "", 1);
    tz = ce_tz_load_local();
    assert_string_equal(ce_tz_name(tz), "UTC");
    ce_tz_destroy(tz);
    setenv("TZ", "No/Such_Zone", 1);
    tz = ce_tz_load_local();
    assert_int_equal(ce_tz_offset_at(tz, ts("2024-07-01T00:00:00Z")), 0);
    ce_tz_destroy(tz);

    /* ZONEINFO is searched first for named zones. */
    char *dir = ce_test_tmpdir("cron-zoneinfo");
    char sub[512];
    snprintf(sub, sizeof sub, "%s/Test", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    uint8_t buf[256];
    size_t n = build_tzif(buf, "<+0545>-5:45", 20700);
    char path[600];
    snprintf(path, sizeof path, "%s/Zone", sub);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    setenv("ZONEINFO", dir, 1);
    assert_int_equal(ce_tz_load("Test/Zone", &tz, NULL, 0), CE_OK);
    assert_int_equal(ce_tz_offset_at(tz, 0), 20700);
    ce_tz_destroy(tz);
    unsetenv("ZONEINFO");
    assert_int_equal(ce_tz_load("Test/Zone", &tz, NULL, 0), CE_ENOENT);
    ce_test_rmtree(dir);
    free(dir);

    if (saved_copy != NULL) {
        setenv("TZ", saved_copy, 1);
        free(saved_copy);
    }
    else {
        unsetenv("TZ");
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_table),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_prev),
        cmocka_unit_test(test_walk_monotonic),
        cmocka_unit_test(test_range_limits),
        cmocka_unit_test(test_tz_offsets),
        cmocka_unit_test(test_tz_local_to_utc),
        cmocka_unit_test(test_tz_footer_rules),
        cmocka_unit_test(test_tz_malformed),
        cmocka_unit_test(test_tz_local_and_zoneinfo),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
