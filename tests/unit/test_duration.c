/* SPDX-License-Identifier: Apache-2.0 */
/* core/duration: Go's time.ParseDuration accepted forms, limits and error texts, Go's
 * Duration.String(), and Argo's Int64OrString (retryStrategy.duration). The expected values are
 * those of Go's own documentation and test tables. */
#include "core/go/duration.h"

#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define NS INT64_C(1)
#define US (1000 * NS)
#define MS (1000 * US)
#define SEC (1000 * MS)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

struct parse_ok {
    const char *in;
    int64_t want;
};

static void test_parse_valid(void **state)
{
    (void)state;
    static const struct parse_ok cases[] = {
        {"0", 0},
        {"5s", 5 * SEC},
        {"30s", 30 * SEC},
        {"1478s", 1478 * SEC},
        {"-5s", -5 * SEC},
        {"+5s", 5 * SEC},
        {"-0", 0},
        {"+0", 0},
        {"5.0s", 5 * SEC},
        {"5.6s", 5 * SEC + 600 * MS},
        {"5.s", 5 * SEC},
        {".5s", 500 * MS},
        {"1.0s", SEC},
        {"1.00s", SEC},
        {"1.004s", SEC + 4 * MS},
        {"1.0040s", SEC + 4 * MS},
        {"100.00100s", 100 * SEC + MS},
        {"10ns", 10 * NS},
        {"11us", 11 * US},
        {"12\xc2\xb5s", 12 * US}, /* U+00B5 micro sign */
        {"12\xce\xbcs", 12 * US}, /* U+03BC Greek mu */
        {"13ms", 13 * MS},
        {"14s", 14 * SEC},
        {"15m", 15 * MIN},
        {"16h", 16 * HOUR},
        {"3h30m", 3 * HOUR + 30 * MIN},
        {"1h30m", 90 * MIN},
        {"300ms", 300 * MS},
        {"1.5s", 1500 * MS},
        {"-2m", -2 * MIN},
        {"10.5s4m", 4 * MIN + 10 * SEC + 500 * MS},
        {"-2m3.4s", -(2 * MIN + 3 * SEC + 400 * MS)},
        {"1h2m3s4ms5us6ns", HOUR + 2 * MIN + 3 * SEC + 4 * MS + 5 * US + 6 * NS},
        {"39h9m14.425s", 39 * HOUR + 9 * MIN + 14 * SEC + 425 * MS},
        {"52763797000ns", 52763797000 * NS},
        {"0.3333333333333333333h", 20 * MIN},
        {"9007199254740993ns", (INT64_C(1) << 53) + 1},
        {"9223372036854775807ns", INT64_MAX},
        {"9223372036854775.807us", INT64_MAX},
        {"9223372036s854ms775us807ns", INT64_MAX},
        {"-9223372036854775808ns", INT64_MIN},
        {"-9223372036854775.808us", INT64_MIN},
        {"-9223372036s854ms775us808ns", INT64_MIN},
        {"-2562047h47m16.854775808s", INT64_MIN},
        {"0.100000000000000000000h", 6 * MIN},
        {"0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827 * NS},
        {"1h1h", 2 * HOUR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = -12345;
        char err[128] = "";
        int rc = ce_duration_parse(cases[i].in, &got, err, sizeof err);
        if (rc != CE_OK || got != cases[i].want) {
            print_error("case %zu %s: rc %d err %s got %lld\n", i, cases[i].in, rc, err,
                        (long long)got);
        }
        assert_int_equal(rc, CE_OK);
        assert_true(got == cases[i].want);
    }
}

struct parse_bad {
    const char *in;
    const char *msg;
};

static void test_parse_invalid(void **state)
{
    (void)state;
    static const struct parse_bad cases[] = {
        {"", "time: invalid duration \"\""},
        {"3", "time: missing unit in duration \"3\""},
        {"-", "time: invalid duration \"-\""},
        {"s", "time: invalid duration \"s\""},
        {".", "time: invalid duration \".\""},
        {"-.", "time: invalid duration \"-.\""},
        {".s", "time: invalid duration \".s\""},
        {"+.s", "time: invalid duration \"+.s\""},
        {"1d", "time: unknown unit \"d\" in duration \"1d\""},
        {"1 s", "time: unknown unit \" s\" in duration \"1 s\""},
        {"5S", "time: unknown unit \"S\" in duration \"5S\""},
        {"\x85\x85", "time: invalid duration \"\\x85\\x85\""},
        {"\xff"
         "ff",
         "time: invalid duration \"\\xffff\""},
        {"hello \xff"
         "ff world",
         "time: invalid duration \"hello \\xffff world\""},
        {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
        {"9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\""},
        {"9223372036854ms775us808ns", "time: invalid duration \"9223372036854ms775us808ns\""},
        {"-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\""},
        {"3000000h", "time: invalid duration \"3000000h\""},
        {"1h-1m", "time: unknown unit \"h-\" in duration \"1h-1m\""},
        {"9223372036s854ms775us808ns", "time: invalid duration \"9223372036s854ms775us808ns\""},
        {"\"5s\"", "time: invalid duration \"\\\"5s\\\"\""},
        {" 5s", "time: invalid duration \" 5s\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = 77;
        char err[128] = "";
        int rc = ce_duration_parse(cases[i].in, &got, err, sizeof err);
        assert_int_equal(rc, CE_EPARSE);
        assert_string_equal(err, cases[i].msg);
        assert_true(got == 77); /* untouched on error */
    }
    /* NULL reads as "", and a NULL err buffer is allowed. */
    int64_t got = 0;
    assert_int_equal(ce_duration_parse(NULL, &got, NULL, 0), CE_EPARSE);
}

struct fmt_case {
    int64_t in;
    const char *want;
};

static void test_format(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {999, "999ns"},
        {1000, "1\xc2\xb5s"},
        {1100, "1.1\xc2\xb5s"},
        {2200 * US, "2.2ms"},
        {300 * MS, "300ms"},
        {1500 * MS, "1.5s"},
        {3300 * MS, "3.3s"},
        {4 * MIN + 5 * SEC, "4m5s"},
        {4 * MIN + 5001 * MS, "4m5.001s"},
        {5 * HOUR + 6 * MIN + 7001 * MS, "5h6m7.001s"},
        {8 * MIN + 1, "8m0.000000001s"},
        {90 * MIN, "1h30m0s"},
        {HOUR, "1h0m0s"},
        {-2 * MIN, "-2m0s"},
        {-1, "-1ns"},
        {-1500 * US, "-1.5ms"},
        {INT64_MAX, "2562047h47m16.854775807s"},
        {INT64_MIN, "-2562047h47m16.854775808s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[CE_DURATION_STR_MAX];
        int n = ce_duration_format(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(n, (int)strlen(cases[i].want));
    }
}

/* Formatting then parsing gives the value back (Go's String() output is a valid duration). */
static void test_format_roundtrip(void **state)
{
    (void)state;
    static const int64_t vals[] = {1,        7 * US + 3, 42 * MS,   61 * SEC + 5, 25 * HOUR,
                                   -3 * SEC, INT64_MAX,  INT64_MIN, 123456789012};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char out[CE_DURATION_STR_MAX];
        int64_t back = 0;
        assert_true(ce_duration_format(vals[i], out, sizeof out) > 0);
        assert_int_equal(ce_duration_parse(out, &back, NULL, 0), CE_OK);
        assert_true(back == vals[i]);
    }
}

static void test_format_small_buffer(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(ce_duration_format(90 * MIN, out, sizeof out), -1);
    assert_string_equal(out, "1h3");
    assert_int_equal(ce_duration_format(0, out, 0), -1);
    assert_int_equal(ce_duration_format(5 * SEC, out, 3), 2);
    assert_string_equal(out, "5s");
}

/* retryStrategy.duration: numbers are nanoseconds, strings are Go durations. */
static void test_int64_or_string(void **state)
{
    (void)state;
    int64_t ns = 0;
    char err[160];
    assert_int_equal(ce_duration_parse_int64_or_string("1000000000", false, &ns, err, sizeof err),
                     CE_OK);
    assert_true(ns == SEC);
    assert_int_equal(ce_duration_parse_int64_or_string("0", false, &ns, err, sizeof err), CE_OK);
    assert_true(ns == 0);
    assert_int_equal(ce_duration_parse_int64_or_string("-5", false, &ns, err, sizeof err), CE_OK);
    assert_true(ns == -5);
    assert_int_equal(
        ce_duration_parse_int64_or_string("9223372036854775807", false, &ns, err, sizeof err),
        CE_OK);
    assert_true(ns == INT64_MAX);
    assert_int_equal(
        ce_duration_parse_int64_or_string("-9223372036854775808", false, &ns, err, sizeof err),
        CE_OK);
    assert_true(ns == INT64_MIN);
    assert_int_equal(
        ce_duration_parse_int64_or_string("9223372036854775808", false, &ns, err, sizeof err),
        CE_EPARSE);
    assert_non_null(strstr(err, "out of the int64"));
    assert_int_equal(ce_duration_parse_int64_or_string("1.5", false, &ns, err, sizeof err),
                     CE_EPARSE);
    assert_int_equal(ce_duration_parse_int64_or_string("1s", false, &ns, err, sizeof err),
                     CE_EPARSE);
    assert_int_equal(ce_duration_parse_int64_or_string("", false, &ns, err, sizeof err), CE_EPARSE);
    /* A quoted value goes through ParseDuration: "1s" works, a quoted bare number does not. */
    assert_int_equal(ce_duration_parse_int64_or_string("1s", true, &ns, err, sizeof err), CE_OK);
    assert_true(ns == SEC);
    assert_int_equal(ce_duration_parse_int64_or_string("100", true, &ns, err, sizeof err),
                     CE_EPARSE);
    assert_string_equal(err, "time: missing unit in duration \"100\"");
    assert_int_equal(ce_duration_parse_int64_or_string("0", true, &ns, err, sizeof err), CE_OK);
    assert_true(ns == 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_int64_or_string),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
