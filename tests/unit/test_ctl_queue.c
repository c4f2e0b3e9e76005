/* SPDX-License-Identifier: Apache-2.0 */
/* controller/queue: a key is queued once however often it is added, a key added while it is
 * being reconciled comes back afterwards, a failure comes back after a doubling backoff that a
 * success resets, keys are taken in the order they are due, and shutdown wakes a waiting
 * worker. */
#include "controller/queue.h"
#include "tests/harness/harness.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static bool take(struct ce_ctl_queue *q, char *key, int64_t timeout_ms)
{
    return ce_ctl_queue_get(q, key, CE_CTL_KEY_MAX, timeout_ms);
}

static void test_added_twice_is_taken_once(void **state)
{
    (void)state;
    struct ce_ctl_queue *q = ce_ctl_queue_create();
    char key[CE_CTL_KEY_MAX];
    ce_ctl_queue_add(q, "EventSource/ns/a", 0);
    ce_ctl_queue_add(q, "EventSource/ns/a", 0);
    ce_ctl_queue_add(q, "Sensor/ns/b", 0);
    assert_true(take(q, key, 100));
    assert_string_equal(key, "EventSource/ns/a");
    assert_true(take(q, key, 100));
    assert_string_equal(key, "Sensor/ns/b");
    assert_false(take(q, key, 50));
    ce_ctl_queue_done(q, "EventSource/ns/a", true);
    ce_ctl_queue_done(q, "Sensor/ns/b", true);
    assert_int_equal(ce_ctl_queue_len(q), 0);
    ce_ctl_queue_destroy(q);
}

static void test_added_while_processing_comes_back_after_done(void **state)
{
    (void)state;
    struct ce_ctl_queue *q = ce_ctl_queue_create();
    char key[CE_CTL_KEY_MAX];
    ce_ctl_queue_add(q, "k", 0);
    assert_true(take(q, key, 100));
    ce_ctl_queue_add(q, "k", 0);
    assert_false(take(q, key, 50)); /* not twice at once */
    ce_ctl_queue_done(q, "k", true);
    assert_true(take(q, key, 100));
    assert_string_equal(key, "k");
    ce_ctl_queue_done(q, "k", true);
    assert_false(take(q, key, 50));
    ce_ctl_queue_destroy(q);
}

static void test_failure_backs_off_doubling_and_success_resets(void **state)
{
    (void)state;
    struct ce_ctl_queue *q = ce_ctl_queue_create();
    char key[CE_CTL_KEY_MAX];
    ce_ctl_queue_add(q, "k", 0);
    assert_true(take(q, key, 100));
    ce_ctl_queue_done(q, "k", false); /* back after 250 ms */
    assert_false(take(q, key, 100));
    assert_true(take(q, key, 1000));
    ce_ctl_queue_done(q, "k", false); /* back after 500 ms */
    assert_false(take(q, key, 250));  /* still backing off: more than the first 250 ms */
    assert_true(take(q, key, 1000));
    ce_ctl_queue_done(q, "k", true);
    assert_false(take(q, key, 50)); /* a success is not retried */
    ce_ctl_queue_add(q, "k", 0);
    assert_true(take(q, key, 100)); /* and the backoff starts again */
    ce_ctl_queue_done(q, "k", false);
    assert_false(take(q, key, 100));
    assert_true(take(q, key, 1000));
    ce_ctl_queue_done(q, "k", true);
    ce_ctl_queue_destroy(q);
}

static void test_delayed_keys_are_taken_when_due_in_order(void **state)
{
    (void)state;
    struct ce_ctl_queue *q = ce_ctl_queue_create();
    char key[CE_CTL_KEY_MAX];
    ce_ctl_queue_add(q, "late", 300);
    ce_ctl_queue_add(q, "soon", 100);
    ce_ctl_queue_add(q, "late", 1000); /* an earlier time already set wins */
    assert_false(take(q, key, 50));
    assert_true(take(q, key, 1000));
    assert_string_equal(key, "soon");
    assert_true(take(q, key, 1000));
    assert_string_equal(key, "late");
    ce_ctl_queue_done(q, "soon", true);
    ce_ctl_queue_done(q, "late", true);
    ce_ctl_queue_destroy(q);
}

static void *shutdown_later(void *arg)
{
    ce_test_sleep_ms(100);
    ce_ctl_queue_shutdown(arg);
    return NULL;
}

static void test_shutdown_wakes_a_waiting_worker(void **state)
{
    (void)state;
    struct ce_ctl_queue *q = ce_ctl_queue_create();
    char key[CE_CTL_KEY_MAX];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, shutdown_later, q), 0);
    int64_t start = ce_test_now_ms();
    assert_false(take(q, key, 10000));
    assert_true(ce_test_now_ms() - start < 5000);
    pthread_join(t, NULL);
    ce_ctl_queue_add(q, "k", 0);
    assert_false(take(q, key, 10)); /* nothing is taken after shutdown */
    ce_ctl_queue_destroy(q);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_added_twice_is_taken_once),
        cmocka_unit_test(test_added_while_processing_comes_back_after_done),
        cmocka_unit_test(test_failure_backs_off_doubling_and_success_resets),
        cmocka_unit_test(test_delayed_keys_are_taken_when_due_in_order),
        cmocka_unit_test(test_shutdown_wakes_a_waiting_worker),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
