/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory bus (memory://name) keeps JetStream's promises: async publish callbacks once
 * each on a bus thread, dedup by message id, durable consumers that deliver new messages and
 * resume after a restart, redelivery after the ack wait, nak with delay, term, the outage hook,
 * and KV buckets. */
#include "eventbus/bus.h"
#include "eventbus/membus.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include "tests/harness/harness.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct tm_acks {
    pthread_mutex_t mu; /* held by the test around publish_async too */
    int ok, failed, calls;
    pthread_t last_thread;
};

static void tm_on_ack(void *arg, int rc, const char *err)
{
    (void)err;
    struct tm_acks *a = arg;
    pthread_mutex_lock(&a->mu);
    a->calls++;
    if (rc == CE_OK) {
        a->ok++;
    }
    else {
        a->failed++;
    }
    a->last_thread = pthread_self();
    pthread_mutex_unlock(&a->mu);
}

static int tm_calls(struct tm_acks *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->calls;
    pthread_mutex_unlock(&a->mu);
    return n;
}

static atomic_int tm_state_up, tm_state_down;

static void tm_on_state(void *arg, bool up)
{
    (void)arg;
    atomic_fetch_add(up ? &tm_state_up : &tm_state_down, 1);
}

static struct ce_bus *tm_bus(const char *name)
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    char *url = ce_xasprintf("memory://%s", name);
    cfg.url = url;
    cfg.max_pending = 4;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, tm_on_state, NULL, &bus), CE_OK);
    ce_free(url);
    assert_true(ce_bus_connected(bus));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    return bus;
}

static struct ce_bus_msg *tm_fetch1(struct ce_bus_consumer *c, int timeout_ms)
{
    struct ce_bus_msg *m[1];
    int n = -1;
    assert_int_equal(ce_bus_consumer_fetch(c, 1, timeout_ms, m, &n), CE_OK);
    assert_int_equal(n, 1);
    return m[0];
}

static void tm_expect_none(struct ce_bus_consumer *c, int timeout_ms)
{
    struct ce_bus_msg *m[1];
    int n = -1;
    assert_int_equal(ce_bus_consumer_fetch(c, 1, timeout_ms, m, &n), CE_ETIMEDOUT);
    assert_int_equal(n, 0);
}

static void test_publish_callbacks_on_bus_thread(void **state)
{
    (void)state;
    struct ce_bus *bus = tm_bus("cb");
    struct tm_acks a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    /* Holding the lock the callback takes must not deadlock: callbacks run elsewhere. */
    pthread_mutex_lock(&a.mu);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "id-1", "x", 1, tm_on_ack, &a),
                     CE_OK);
    pthread_mutex_unlock(&a.mu);
    assert_true(CE_TEST_WAIT_UNTIL(tm_calls(&a) == 1, 5000));
    assert_int_equal(a.ok, 1);
    assert_false(pthread_equal(a.last_thread, pthread_self()));
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "id-2", "y", 1), CE_OK);
    assert_int_equal(ce_bus_publish_async(bus, "", "i", "x", 1, tm_on_ack, &a), CE_EINVAL);
    ce_bus_destroy(bus);
}

static void test_max_pending(void **state)
{
    (void)state;
    struct ce_bus *bus = tm_bus("pending");
    struct tm_acks a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    /* The callbacks block on a.mu, so the four in flight stay in flight. */
    pthread_mutex_lock(&a.mu);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof(id), "p%d", i);
        int rc = ce_bus_publish_async(bus, "default.es.ev", id, "x", 1, tm_on_ack, &a);
        accepted += rc == CE_OK;
        refused += rc == CE_ETOOBIG;
    }
    pthread_mutex_unlock(&a.mu);
    assert_int_equal(accepted, 4);
    assert_int_equal(refused, 2);
    assert_true(CE_TEST_WAIT_UNTIL(tm_calls(&a) == 4, 5000));
    ce_bus_destroy(bus);
    assert_int_equal(a.calls, 4);
}

static void test_fetch_ack_dedup_resume(void **state)
{
    (void)state;
    struct ce_bus *bus = tm_bus("flow");
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "before", "old", 3), CE_OK);
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.es.ev", "group-1", &c), CE_OK);
    tm_expect_none(c, 20); /* deliver-new: "before" is not delivered */
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "a", "{\"n\":1}", 7), CE_OK);
    assert_int_equal(ce_bus_publish(bus, "default.es.other", "b", "zz", 2), CE_OK);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "a", "dup", 3), CE_OK); /* deduped */
    struct ce_bus_msg *m = tm_fetch1(c, 1000);
    assert_string_equal(m->subject, "default.es.ev");
    assert_string_equal(m->msg_id, "a");
    assert_int_equal(m->len, 7);
    assert_memory_equal(m->data, "{\"n\":1}", 7);
    assert_int_equal(m->stream_seq, 2);
    assert_int_equal(m->consumer_seq, 1);
    assert_int_equal(m->num_delivered, 1);
    assert_true(m->timestamp_ns > 1600000000LL * 1000000000LL);
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
    tm_expect_none(c, 20);
    ce_bus_consumer_destroy(c);

    /* published while no consumer runs: a second bus handle of the same name resumes */
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "c", "later", 5), CE_OK);
    struct ce_bus *bus2 = tm_bus("flow");
    assert_int_equal(ce_bus_consumer_create(bus2, "default.es.ev", "group-1", &c), CE_OK);
    m = tm_fetch1(c, 1000);
    assert_string_equal(m->msg_id, "c");
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
    /* binding the same durable twice is fine, to another subject is refused */
    struct ce_bus_consumer *c2 = NULL;
    assert_int_equal(ce_bus_consumer_create(bus2, "default.es.ev", "group-1", &c2), CE_OK);
    ce_bus_consumer_destroy(c2);
    assert_int_equal(ce_bus_consumer_create(bus2, "default.es.x", "group-1", &c2), CE_EREMOTE);
    ce_bus_consumer_destroy(c);
    assert_int_equal(ce_bus_consumer_delete(bus, "group-1"), CE_OK);
    assert_int_equal(ce_bus_consumer_delete(bus, "group-1"), CE_ENOENT);
    ce_bus_destroy(bus2);
    ce_bus_destroy(bus);
}

static void test_redelivery_nak_term(void **state)
{
    (void)state;
    struct ce_bus *bus = tm_bus("redeliver");
    ce_membus_set_ack_wait_ms(bus, 150);
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.*.ev", "g", &c), CE_OK);
    assert_int_equal(ce_bus_publish(bus, "default.src.ev", "r1", "1", 1), CE_OK);
    struct ce_bus_msg *m = tm_fetch1(c, 1000);
    int64_t t0 = ce_test_now_ms();
    ce_bus_msg_destroy(m); /* not acked: comes back after the ack wait */
    m = tm_fetch1(c, 3000);
    assert_true(ce_test_now_ms() - t0 >= 100);
    assert_string_equal(m->msg_id, "r1");
    assert_int_equal(m->num_delivered, 2);
    assert_int_equal(m->consumer_seq, 2);
    t0 = ce_test_now_ms();
    assert_int_equal(ce_bus_msg_nak(m, 300), CE_OK);
    ce_bus_msg_destroy(m);
    m = tm_fetch1(c, 3000);
    assert_true(ce_test_now_ms() - t0 >= 250);
    assert_int_equal(m->num_delivered, 3);
    assert_int_equal(ce_bus_msg_in_progress(m), CE_OK);
    assert_int_equal(ce_bus_msg_term(m), CE_OK);
    ce_bus_msg_destroy(m);
    tm_expect_none(c, 400); /* termed: never again */
    ce_bus_consumer_destroy(c);
    ce_bus_destroy(bus);
}

static void test_outage_hook(void **state)
{
    (void)state;
    atomic_store(&tm_state_up, 0);
    atomic_store(&tm_state_down, 0);
    struct ce_bus *bus = tm_bus("outage");
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&tm_state_up) == 1, 2000));
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.es.ev", "g", &c), CE_OK);
    struct tm_acks a = {.mu = PTHREAD_MUTEX_INITIALIZER};
    ce_membus_set_connected(bus, false);
    assert_false(ce_bus_connected(bus));
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&tm_state_down) == 1, 2000));
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "o1", "x", 1, tm_on_ack, &a),
                     CE_EUNAVAIL);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "o1", "x", 1), CE_EUNAVAIL);
    struct ce_bus_msg *m[1];
    int n = -1;
    assert_int_equal(ce_bus_consumer_fetch(c, 1, 10, m, &n), CE_EUNAVAIL);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_EUNAVAIL);
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "b", &kv), CE_EUNAVAIL);
    assert_int_equal(ce_bus_wait_connected(bus, 30), CE_ETIMEDOUT);
    ce_membus_set_connected(bus, true);
    assert_int_equal(ce_bus_wait_connected(bus, 1000), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&tm_state_up) == 2, 2000));
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "o1", "x", 1, tm_on_ack, &a),
                     CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(tm_calls(&a) == 1, 2000));
    assert_int_equal(a.ok, 1);
    ce_bus_consumer_destroy(c);
    ce_bus_destroy(bus);
}

static int tm_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_kv(void **state)
{
    (void)state;
    struct ce_bus *bus = tm_bus("kv");
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "my-sensor", &kv), CE_OK);
    char **keys = NULL;
    int n = -1;
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    assert_int_equal(n, 0);
    char *v = NULL;
    size_t len = 0;
    assert_int_equal(ce_bus_kv_get(kv, "Triggers", &v, &len), CE_ENOENT);
    assert_int_equal(ce_bus_kv_put(kv, "Triggers", "[\"t\"]", 5), CE_OK);
    assert_int_equal(ce_bus_kv_put(kv, "t/dep", "{}", 2), CE_OK);
    assert_int_equal(ce_bus_kv_put(kv, "t/dep", "{\"a\":1}", 7), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "t/dep", &v, &len), CE_OK);
    assert_int_equal(len, 7);
    assert_string_equal(v, "{\"a\":1}");
    ce_free(v);
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    assert_int_equal(n, 2);
    qsort(keys, (size_t)n, sizeof(char *), tm_cmp);
    assert_string_equal(keys[0], "Triggers");
    assert_string_equal(keys[1], "t/dep");
    ce_bus_kv_keys_free(keys, n);
    assert_int_equal(ce_bus_kv_delete(kv, "t/dep"), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "t/dep", &v, &len), CE_ENOENT);
    ce_bus_kv_close(kv);
    /* the bucket outlives the handle */
    assert_int_equal(ce_bus_kv_open(bus, "my-sensor", &kv), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "Triggers", &v, NULL), CE_OK);
    assert_string_equal(v, "[\"t\"]");
    ce_free(v);
    ce_bus_kv_close(kv);
    ce_bus_destroy(bus);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_callbacks_on_bus_thread),
        cmocka_unit_test(test_max_pending),
        cmocka_unit_test(test_fetch_ack_dedup_resume),
        cmocka_unit_test(test_redelivery_nak_term),
        cmocka_unit_test(test_outage_hook),
        cmocka_unit_test(test_kv),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
