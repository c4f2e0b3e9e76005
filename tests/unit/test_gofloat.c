/* SPDX-License-Identifier: Apache-2.0 */
/* core/gofloat: strconv.FormatFloat, fmt's %v and encoding/json's numbers, with the values Go's
 * own documentation and tests give. */
#include "core/go/gofloat.h"
#include "tests/harness/harness.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct fmt_case {
    double f;
    char fmt;
    int prec;
    const char *want;
};

static void test_format_float(void **state)
{
    (void)state;
    static const struct fmt_case cases[] = {
        {1, 'g', -1, "1"},
        {1e6, 'g', -1, "1e+06"},
        {123456789, 'g', -1, "1.23456789e+08"},
        {100000, 'g', -1, "100000"},
        {0.0001, 'g', -1, "0.0001"},
        {0.00001, 'g', -1, "1e-05"},
        {1.5, 'f', -1, "1.5"},
        {1e21, 'f', -1, "1000000000000000000000"},
        {0.1 + 0.2, 'g', -1, "0.30000000000000004"},
        {-0.0, 'g', -1, "-0"},
        {3.14159, 'f', 2, "3.14"},
        {2.5, 'e', 3, "2.500e+00"},
        {1234.5678, 'g', 6, "1234.57"},
        {12345678, 'g', 3, "1.23e+07"},
        {1e-7, 'e', -1, "1e-07"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        size_t n = ce_gofloat_format(cases[i].f, cases[i].fmt, cases[i].prec, out, sizeof out);
        if (strcmp(out, cases[i].want) != 0 || n != strlen(cases[i].want)) {
            fail_msg("case %zu: %s, want %s", i, out, cases[i].want);
        }
    }
    char out[64];
    ce_gofloat_v(NAN, out, sizeof out);
    assert_string_equal(out, "NaN");
    ce_gofloat_v(-INFINITY, out, sizeof out);
    assert_string_equal(out, "-Inf");
    ce_gofloat_v(1e6, out, sizeof out);
    assert_string_equal(out, "1e+06");
    /* snprintf-like: the full length even when cut */
    assert_int_equal(ce_gofloat_format(123456.5, 'f', -1, out, 4), 8);
    assert_string_equal(out, "123");
}

static void test_json(void **state)
{
    (void)state;
    static const struct {
        double f;
        const char *want;
    } cases[] = {
        {1, "1"},
        {1e6, "1000000"},
        {1e20, "100000000000000000000"},
        {1e21, "1e+21"},
        {0.000001, "0.000001"},
        {1e-7, "1e-7"},
        {-1.5, "-1.5"},
        {-0.0, "-0"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        int n = ce_gofloat_json(cases[i].f, out, sizeof out);
        if (n < 0 || strcmp(out, cases[i].want) != 0) {
            fail_msg("case %zu: %s, want %s", i, out, cases[i].want);
        }
    }
    char out[64];
    assert_int_equal(ce_gofloat_json(NAN, out, sizeof out), -1);
    assert_int_equal(ce_gofloat_json(INFINITY, out, sizeof out), -1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_float),
        cmocka_unit_test(test_json),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
