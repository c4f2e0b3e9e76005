/* SPDX-License-Identifier: Apache-2.0 */
/* A cmocka file for test_harness to run as a child: its cases pass, fail, or need a program that
 * does not exist, so the runner's exit statuses (0, 1, 77) can be checked from outside. With
 * CE_PROBE_NEEDS_IN_MAIN set, main asks for the missing program before running anything. */
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#define PROBE_MISSING "cevents-test-no-such-program"

static void probe_passes(void **state)
{
    (void)state;
    assert_true(ce_test_have_program("sh"));
}

static void probe_fails(void **state)
{
    (void)state;
    fail_msg("this case fails on purpose");
}

static void probe_needs_missing(void **state)
{
    (void)state;
    ce_test_require_program(PROBE_MISSING);
    fail_msg("ce_test_require_program returned for a missing program");
}

int main(int argc, char **argv)
{
    if (getenv("CE_PROBE_NEEDS_IN_MAIN") != NULL) {
        ce_test_require_program(PROBE_MISSING);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_passes),
        cmocka_unit_test(probe_fails),
        cmocka_unit_test(probe_needs_missing),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
