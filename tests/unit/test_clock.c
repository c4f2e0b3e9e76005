/* SPDX-License-Identifier: Apache-2.0 */
/* core/clock: deadlines are normalised and in the future by the asked amount, monotonic
 * readings advance across a sleep, and wall time is the epoch's. */
#include "core/base/clock.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

static int64_t ts_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static void test_deadline(void **state)
{
    (void)state;
    static const int64_t cases[] = {0, 1, 999, 1000, 1001, 2500, 86400000, -5};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t before = ce_clock_mono_ms();
        struct timespec dl;
        ce_clock_deadline(cases[i], &dl);
        int64_t after = ce_clock_mono_ms();
        assert_true(dl.tv_nsec >= 0 && dl.tv_nsec < 1000000000L);
        int64_t want = cases[i] < 0 ? 0 : cases[i];
        assert_true(ts_ms(&dl) >= before + want);
        assert_true(ts_ms(&dl) <= after + want);
    }
}

static void test_sleep_and_since(void **state)
{
    (void)state;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int64_t t0 = ce_clock_mono_ms();
    ce_clock_sleep_ms(30);
    assert_true(ce_clock_mono_ms() - t0 >= 30);
    assert_true(ce_clock_ms_since(&start) >= 30.0);
    ce_clock_sleep_ms(-1); /* returns at once */
    assert_true(ce_clock_wall_ms() > (int64_t)1700000000 * 1000);
}

/* Times of day as Go's "15:04:05" layout reads them. */
static void test_parse_hms(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int want; /* -1: refused */
    } cases[] = {
        {"09:00:00", 9 * 3600},
        {"9:00:00", 9 * 3600},
        {"23:59:59", 86399},
        {"0:00:00", 0},
        {"24:00:00", -1},
        {"09:60:00", -1},
        {"09:00:60", -1},
        {"09:0:00", -1},
        {"09:00", -1},
        {"09:00:00 ", -1},
        {"", -1},
        {"123:00:00", -1},
        {"ab:cd:ef", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int secs = -7;
        bool ok = ce_clock_parse_hms(cases[i].in, &secs);
        if (ok != (cases[i].want >= 0) || (ok && secs != cases[i].want)) {
            fail_msg("\"%s\": ok %d secs %d, want %d", cases[i].in, ok, secs, cases[i].want);
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_sleep_and_since),
        cmocka_unit_test(test_parse_hms),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
