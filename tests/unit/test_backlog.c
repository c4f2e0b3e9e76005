/* SPDX-License-Identifier: Apache-2.0 */
/* eventsource/backlog: refuse from 80 % of the stream's limit, accept again under 60 %, never
 * refuse when the stream has no limit. */
#include "eventbus/bus.h"
#include "eventsource/backlog.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static bool tb_full(bool was, int64_t max, uint64_t behind)
{
    struct ce_bus_backlog b = {.max_msgs = max, .behind = behind};
    return ce_es_backlog_full(was, &b);
}

static void test_hysteresis(void **state)
{
    (void)state;
    assert_false(tb_full(false, 50000, 0));
    assert_false(tb_full(false, 50000, 39999));
    assert_true(tb_full(false, 50000, 40000));
    assert_true(tb_full(true, 50000, 30000)); /* still full between 60 % and 80 % */
    assert_false(tb_full(true, 50000, 29999));
    assert_false(tb_full(false, 50000, 35000)); /* not full yet between 60 % and 80 % */
    assert_false(tb_full(false, -1, 1000000));  /* no limit, nothing to guard */
    assert_false(tb_full(true, 0, 1000000));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hysteresis),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
