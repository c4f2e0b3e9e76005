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

static void test_room_under_the_refusal_threshold(void **state)
{
    (void)state;
    struct ce_bus_backlog b = {.max_msgs = 50000, .behind = 0};
    assert_int_equal(ce_es_backlog_room(&b), 40000);
    b.behind = 39990;
    assert_int_equal(ce_es_backlog_room(&b), 10);
    b.behind = 45000; /* past the threshold: nothing, never negative */
    assert_int_equal(ce_es_backlog_room(&b), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hysteresis),
        cmocka_unit_test(test_room_under_the_refusal_threshold),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
