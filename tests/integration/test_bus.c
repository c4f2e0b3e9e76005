/* SPDX-License-Identifier: Apache-2.0 */
/* The bus conformance suite: what eventbus/bus.h promises, checked with the same cases against
 * the in-memory bus (memory://) and the JetStream driver on a real nats-server. Each case gets
 * a fresh bus (a new memory:// name, or a new server with its own store). Both buses keep every
 * promise: no case is skipped or weakened for either.
 *
 * `test_bus <case> memory|jetstream` runs one case against one bus (CTest's entries are
 * test_bus.<bus>.<case>); without arguments every case runs against both. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "eventbus/membus.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <nats/nats.h>

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BUS_PUB_TIMEOUT_MS 5000
#define BUS_WAIT_MS 10000 /* deadline for whatever should come */

struct bus_env;

/* What differs between the two buses: how a test makes them fail, wait or forget. */
struct bus_kind {
    const char *name;
    bool needs_natsd;
    /* The bus becomes unreachable; then reachable again, with everything it stored. */
    void (*go_down)(struct bus_env *e);
    void (*come_back)(struct bus_env *e);
    /* Publish acknowledgements are held back (those publishes stay in flight); then let go. */
    void (*hold_acks)(struct bus_env *e);
    void (*release_acks)(struct bus_env *e);
    /* Unacknowledged messages of durable come again after ms instead of 30 s. */
    void (*set_ack_wait)(struct bus_env *e, const char *durable, int ms);
    /* What a KV bucket holds: entries, with what its deleted keys left (see keeps_deletes). */
    int (*kv_stored)(struct bus_env *e, const char *bucket);
    /* A deleted key leaves a marker until purged (JetStream) or nothing (the memory bus). */
    bool keeps_deletes;
};

/* Publish outcomes; the callback takes mu, which the memory bus's hold_acks holds. */
struct bus_acks {
    pthread_mutex_t mu;
    int calls, ok;
    int last_rc;
    pthread_t last_thread;
};

struct bus_env {
    const struct bus_kind *kind;
    char *url;
    char *dir;              /* jetstream: the server's store */
    struct ce_natsd *natsd; /* jetstream */
    struct ce_bus *bus;     /* the first bus opened by the case */
    struct bus_acks acks;   /* for publishes that go through bus_on_ack */
    atomic_int ups, downs;  /* state callbacks of e->bus */
};

static const struct bus_kind *bus_kind; /* the bus the running group tests */

/* ---- helpers shared by the cases ---- */

static void bus_on_state(void *arg, bool up)
{
    struct bus_env *e = arg;
    atomic_fetch_add(up ? &e->ups : &e->downs, 1);
}

static void bus_on_ack(void *arg, int rc, const char *err)
{
    (void)err;
    struct bus_acks *a = arg;
    pthread_mutex_lock(&a->mu);
    a->calls++;
    a->ok += rc == CE_OK;
    a->last_rc = rc;
    a->last_thread = pthread_self();
    pthread_mutex_unlock(&a->mu);
}

static int bus_ack_calls(struct bus_acks *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->calls;
    pthread_mutex_unlock(&a->mu);
    return n;
}

/* A bus on the case's URL with the defaults, changed by cfg_fn when not NULL; connected and with
 * the stream in place. The first one opened is e->bus (its state changes are counted). */
static struct ce_bus *bus_open_with(struct bus_env *e, void (*cfg_fn)(struct ce_bus_config *))
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = e->url;
    cfg.name = "cevents-conformance";
    cfg.publish_timeout_ms = BUS_PUB_TIMEOUT_MS;
    cfg.reconnect_wait_min_ms = 50;
    cfg.reconnect_wait_max_ms = 400;
    if (cfg_fn != NULL) {
        cfg_fn(&cfg);
    }
    struct ce_bus *bus = NULL;
    bool first = e->bus == NULL;
    assert_int_equal(ce_bus_create(&cfg, first ? bus_on_state : NULL, e, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, BUS_WAIT_MS), CE_OK);
    assert_true(ce_bus_connected(bus));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    if (first) {
        e->bus = bus;
    }
    return bus;
}

static struct ce_bus *bus_open(struct bus_env *e)
{
    return bus_open_with(e, NULL);
}

static struct ce_bus_consumer *bus_consumer(struct ce_bus *bus, const char *subject,
                                            const char *durable)
{
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, subject, durable, &c), CE_OK);
    assert_non_null(c);
    return c;
}

static void bus_publish(struct ce_bus *bus, const char *subject, const char *id, const char *data)
{
    assert_int_equal(ce_bus_publish(bus, subject, id, data, strlen(data)), CE_OK);
}

/* The next message; fails the test when none comes before the deadline. */
static struct ce_bus_msg *bus_next(struct ce_bus_consumer *c)
{
    struct ce_bus_msg *m[1];
    int n = -1;
    assert_int_equal(ce_bus_consumer_fetch(c, 1, BUS_WAIT_MS, m, &n), CE_OK);
    assert_int_equal(n, 1);
    return m[0];
}

/* The next message must be the one with msg_id (all before it were handed out or are not for
 * this consumer); it is acknowledged and dropped. */
static void bus_next_is(struct ce_bus_consumer *c, const char *msg_id)
{
    struct ce_bus_msg *m = bus_next(c);
    assert_string_equal(m->msg_id, msg_id);
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
}

static int bus_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* ---- the cases ---- */

/* Connected once, reported once through the state callback; the stream is ensured again
 * without harm. */
static void test_connect_and_stream(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->ups) == 1, BUS_WAIT_MS));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 0), CE_OK);
    assert_int_equal(atomic_load(&e->downs), 0);
}

/* An async publish is answered exactly once, on a bus thread: the publisher may hold the lock
 * its callback takes. Bad arguments are refused at once without a callback. */
static void test_publish_callbacks(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct bus_acks *a = &e->acks;
    pthread_mutex_lock(&a->mu);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "id-1", "x", 1, bus_on_ack, a),
                     CE_OK);
    pthread_mutex_unlock(&a->mu);
    assert_true(CE_TEST_WAIT_UNTIL(bus_ack_calls(a) == 1, BUS_WAIT_MS));
    pthread_mutex_lock(&a->mu);
    assert_int_equal(a->ok, 1);
    assert_false(pthread_equal(a->last_thread, pthread_self()));
    pthread_mutex_unlock(&a->mu);
    bus_publish(bus, "default.es.ev", "id-2", "y");
    assert_int_equal(ce_bus_publish_async(bus, "", "i", "x", 1, bus_on_ack, a), CE_EINVAL);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", NULL, "x", 1, bus_on_ack, a),
                     CE_EINVAL);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "i", "x", 1, NULL, a), CE_EINVAL);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "i", NULL, 3), CE_EINVAL);
    /* a sync publish waits for the ack: the message is there for a consumer created before */
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "g");
    bus_publish(bus, "default.es.ev", "id-3", "z");
    bus_next_is(c, "id-3");
    ce_bus_consumer_destroy(c);
    assert_int_equal(bus_ack_calls(a), 1);
}

/* A message id seen within the duplicates window is acknowledged but not stored again; a
 * delivered message carries what was published and where it sits in the stream. */
static void test_dedup_and_message_fields(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "group-1");
    bus_publish(bus, "default.es.ev", "a", "{\"n\":1}");
    bus_publish(bus, "default.es.ev", "a", "dup"); /* acknowledged, dropped */
    assert_int_equal(
        ce_bus_publish_async(bus, "default.es.ev", "a", "dup", 3, bus_on_ack, &e->acks), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(bus_ack_calls(&e->acks) == 1, BUS_WAIT_MS));
    assert_int_equal(e->acks.last_rc, CE_OK);
    bus_publish(bus, "default.es.ev", "b", "{\"n\":2}");

    struct ce_bus_msg *m = bus_next(c);
    assert_string_equal(m->subject, "default.es.ev");
    assert_string_equal(m->msg_id, "a");
    assert_int_equal(m->len, 7);
    assert_memory_equal(m->data, "{\"n\":1}", 7);
    assert_int_equal(m->stream_seq, 1);
    assert_int_equal(m->consumer_seq, 1);
    assert_int_equal(m->num_delivered, 1);
    assert_true(m->timestamp_ns > INT64_C(1600000000) * 1000000000);
    assert_int_equal(ce_bus_msg_in_progress(m), CE_OK);
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
    m = bus_next(c); /* the duplicates took no place in the stream */
    assert_string_equal(m->msg_id, "b");
    assert_int_equal(m->stream_seq, 2);
    assert_int_equal(m->consumer_seq, 2);
    assert_int_equal(ce_bus_msg_ack_nowait(m), CE_OK);
    ce_bus_msg_destroy(m);
    ce_bus_consumer_destroy(c);
}

/* A new durable starts with messages published after it (deliver-new); it gets only its
 * subject, a wildcard filter matches one token; several messages come in stream order. */
static void test_deliver_new_and_filters(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    bus_publish(bus, "default.es.ev", "before", "old");
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "exact");
    struct ce_bus_consumer *w = bus_consumer(bus, "default.*.ev", "wild");
    bus_publish(bus, "default.es.other", "other", "zz");
    bus_publish(bus, "default.src.ev", "src", "1");
    bus_publish(bus, "default.es.ev", "first", "2");
    bus_publish(bus, "default.es.ev", "second", "3");
    /* "before", "other" and "src" are not for c: its first message is "first" */
    bus_next_is(c, "first");
    bus_next_is(c, "second");
    bus_next_is(w, "src");
    bus_next_is(w, "first");
    bus_next_is(w, "second");
    /* a batch: up to max, in order */
    for (int i = 0; i < 5; i++) {
        char id[32];
        snprintf(id, sizeof id, "batch-%d", i);
        bus_publish(bus, "default.es.ev", id, "x");
    }
    int got = 0;
    while (got < 5) {
        struct ce_bus_msg *m[8];
        int n = 0;
        assert_int_equal(ce_bus_consumer_fetch(c, 8, BUS_WAIT_MS, m, &n), CE_OK);
        assert_true(n >= 1 && got + n <= 5);
        for (int i = 0; i < n; i++) {
            char id[32];
            snprintf(id, sizeof id, "batch-%d", got + i);
            assert_string_equal(m[i]->msg_id, id);
            assert_int_equal(ce_bus_msg_ack(m[i]), CE_OK);
            ce_bus_msg_destroy(m[i]);
        }
        got += n;
    }
    ce_bus_consumer_destroy(w);
    ce_bus_consumer_destroy(c);
}

/* A durable keeps its place while no consumer runs, also for another bus handle (a restarted
 * process); it binds again to its subject but not to another one; it can be deleted once. */
static void test_durable_resumes_and_delete(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "group-1");
    bus_publish(bus, "default.es.ev", "a", "1");
    bus_next_is(c, "a");
    ce_bus_consumer_destroy(c);

    bus_publish(bus, "default.es.ev", "while-away", "2");
    struct ce_bus *bus2 = bus_open(e);
    c = bus_consumer(bus2, "default.es.ev", "group-1");
    bus_next_is(c, "while-away");
    struct ce_bus_consumer *again = bus_consumer(bus2, "default.es.ev", "group-1");
    ce_bus_consumer_destroy(again);
    struct ce_bus_consumer *other = NULL;
    assert_int_equal(ce_bus_consumer_create(bus2, "default.es.x", "group-1", &other), CE_EREMOTE);
    assert_null(other);
    ce_bus_consumer_destroy(c);
    assert_int_equal(ce_bus_consumer_delete(bus, "group-1"), CE_OK);
    assert_int_equal(ce_bus_consumer_delete(bus, "group-1"), CE_ENOENT);
    /* recreated, it starts afresh: deliver-new again */
    bus_publish(bus, "default.es.ev", "old", "3");
    c = bus_consumer(bus, "default.es.ev", "group-1");
    bus_publish(bus, "default.es.ev", "new", "4");
    bus_next_is(c, "new");
    ce_bus_consumer_destroy(c);
    ce_bus_destroy(bus2);
}

/* Unacknowledged messages come again after the ack wait, counted; acked and termed ones never
 * do; nak asks for a redelivery after its delay. Whether something did not come is shown by a
 * later message coming first: redeliveries are due in the order of their deliveries. */
static void test_redelivery_ack_nak_term(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct ce_bus_consumer *c = bus_consumer(bus, "default.*.ev", "g");
    e->kind->set_ack_wait(e, "g", 300);
    bus_publish(bus, "default.src.ev", "acked", "1");
    bus_publish(bus, "default.src.ev", "kept", "2");
    struct ce_bus_msg *acked = bus_next(c);
    assert_string_equal(acked->msg_id, "acked");
    assert_int_equal(ce_bus_msg_ack(acked), CE_OK);
    ce_bus_msg_destroy(acked);
    struct ce_bus_msg *m = bus_next(c);
    assert_string_equal(m->msg_id, "kept");
    int64_t t0 = ce_test_now_ms();
    ce_bus_msg_destroy(m); /* neither acked nor nak'ed */

    m = bus_next(c); /* "kept" again, not "acked" */
    assert_true(ce_test_now_ms() - t0 >= 250);
    assert_string_equal(m->msg_id, "kept");
    assert_int_equal(m->num_delivered, 2);
    assert_int_equal(m->consumer_seq, 3);
    assert_int_equal(m->stream_seq, 2);
    t0 = ce_test_now_ms();
    assert_int_equal(ce_bus_msg_nak(m, 500), CE_OK);
    ce_bus_msg_destroy(m);
    m = bus_next(c);
    assert_true(ce_test_now_ms() - t0 >= 450);
    assert_string_equal(m->msg_id, "kept");
    assert_int_equal(m->num_delivered, 3);
    assert_int_equal(ce_bus_msg_in_progress(m), CE_OK);
    assert_int_equal(ce_bus_msg_term(m), CE_OK);
    ce_bus_msg_destroy(m);

    /* The sentinel is delivered after the term and left unacked: its redelivery comes, and a
     * redelivery of the termed message, due earlier, would have come first. */
    bus_publish(bus, "default.src.ev", "sentinel", "3");
    m = bus_next(c);
    assert_string_equal(m->msg_id, "sentinel");
    ce_bus_msg_destroy(m);
    m = bus_next(c);
    assert_string_equal(m->msg_id, "sentinel");
    assert_int_equal(m->num_delivered, 2);
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
    ce_bus_consumer_destroy(c);
}

static void bus_cfg_four_pending(struct ce_bus_config *cfg)
{
    cfg->max_pending = 4;
}

/* At most max_pending publishes are in flight: more are refused at once with CE_ETOOBIG and
 * get no callback; those in flight are answered once the bus acknowledges them. */
static void test_max_pending(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open_with(e, bus_cfg_four_pending);
    e->kind->hold_acks(e);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 6; i++) {
        char id[32];
        snprintf(id, sizeof id, "p%d", i);
        int rc = ce_bus_publish_async(bus, "default.es.ev", id, "x", 1, bus_on_ack, &e->acks);
        accepted += rc == CE_OK;
        refused += rc == CE_ETOOBIG;
    }
    e->kind->release_acks(e);
    assert_int_equal(accepted, 4);
    assert_int_equal(refused, 2);
    assert_true(CE_TEST_WAIT_UNTIL(bus_ack_calls(&e->acks) == 4, BUS_PUB_TIMEOUT_MS + BUS_WAIT_MS));
    assert_int_equal(e->acks.ok, 4);
    /* room again */
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "p6", "x", 1, bus_on_ack, &e->acks),
                     CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(bus_ack_calls(&e->acks) == 5, BUS_WAIT_MS));
}

/* While marked full, publishes are refused with CE_EFULL and no callback. */
static void test_full(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    ce_bus_set_full(bus, true);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "f", "x", 1, bus_on_ack, &e->acks),
                     CE_EFULL);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "f", "x", 1), CE_EFULL);
    ce_bus_set_full(bus, false);
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "g");
    bus_publish(bus, "default.es.ev", "f", "x");
    bus_next_is(c, "f"); /* the refused ones were not stored under its id */
    ce_bus_consumer_destroy(c);
    assert_int_equal(bus_ack_calls(&e->acks), 0);
}

/* While the bus is away everything is refused at once with CE_EUNAVAIL and the state callback
 * says so; when it is back the same handles work again and a durable goes on where it was. */
static void test_outage(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->ups) == 1, BUS_WAIT_MS));
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "g");
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "b", &kv), CE_OK);
    assert_int_equal(ce_bus_kv_put(kv, "k", "v", 1), CE_OK);
    ce_bus_kv_close(kv);

    e->kind->go_down(e);
    assert_true(CE_TEST_WAIT_UNTIL(!ce_bus_connected(bus), BUS_WAIT_MS));
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->downs) == 1, BUS_WAIT_MS));
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "o1", "x", 1, bus_on_ack, &e->acks),
                     CE_EUNAVAIL);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "o1", "x", 1), CE_EUNAVAIL);
    struct ce_bus_msg *m[1];
    int n = -1;
    assert_int_equal(ce_bus_consumer_fetch(c, 1, 10, m, &n), CE_EUNAVAIL);
    assert_int_equal(n, 0);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_EUNAVAIL);
    assert_int_equal(ce_bus_kv_open(bus, "b", &kv), CE_EUNAVAIL);
    struct ce_bus_consumer *c2 = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.es.ev", "g2", &c2), CE_EUNAVAIL);
    assert_int_equal(ce_bus_wait_connected(bus, 30), CE_ETIMEDOUT);

    e->kind->come_back(e);
    assert_int_equal(ce_bus_wait_connected(bus, BUS_WAIT_MS), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->ups) == 2, BUS_WAIT_MS));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    bus_publish(bus, "default.es.ev", "o1", "x");
    bus_next_is(c, "o1");
    assert_int_equal(ce_bus_kv_open(bus, "b", &kv), CE_OK);
    char *v = NULL;
    assert_int_equal(ce_bus_kv_get(kv, "k", &v, NULL), CE_OK);
    assert_string_equal(v, "v");
    ce_free(v);
    ce_bus_kv_close(kv);
    ce_bus_consumer_destroy(c);
    assert_int_equal(bus_ack_calls(&e->acks), 0);
}

/* KV buckets: created when opened, values replaced by put, keys listed, deletes (also of a
 * missing key) succeed; a bucket outlives its handle and other buckets are separate. */
static void test_kv(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "my-sensor", &kv), CE_OK);
    char **keys = NULL;
    int n = -1;
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    assert_int_equal(n, 0);
    char *v = NULL;
    size_t len = 0;
    assert_int_equal(ce_bus_kv_get(kv, "Triggers", &v, &len), CE_ENOENT);
    assert_null(v);
    assert_int_equal(ce_bus_kv_put(kv, "Triggers", "[\"t\"]", 5), CE_OK);
    assert_int_equal(ce_bus_kv_put(kv, "t/dep", "{}", 2), CE_OK);
    assert_int_equal(ce_bus_kv_put(kv, "t/dep", "{\"StreamSeq\":1}", 15), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "t/dep", &v, &len), CE_OK);
    assert_int_equal(len, 15);
    assert_string_equal(v, "{\"StreamSeq\":1}");
    ce_free(v);
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    assert_int_equal(n, 2);
    qsort(keys, (size_t)n, sizeof(char *), bus_cmp);
    assert_string_equal(keys[0], "Triggers");
    assert_string_equal(keys[1], "t/dep");
    ce_bus_kv_keys_free(keys, n);
    assert_int_equal(ce_bus_kv_delete(kv, "t/dep"), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "t/dep", &v, &len), CE_ENOENT);
    assert_int_equal(ce_bus_kv_delete(kv, "never-there"), CE_OK);
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0], "Triggers");
    ce_bus_kv_keys_free(keys, n);
    ce_bus_kv_close(kv);

    assert_int_equal(ce_bus_kv_open(bus, "my-sensor", &kv), CE_OK);
    assert_int_equal(ce_bus_kv_get(kv, "Triggers", &v, NULL), CE_OK);
    assert_string_equal(v, "[\"t\"]");
    ce_free(v);
    struct ce_bus_kv *other = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "other-sensor", &other), CE_OK);
    assert_int_equal(ce_bus_kv_get(other, "Triggers", &v, NULL), CE_ENOENT);
    ce_bus_kv_close(other);
    ce_bus_kv_close(kv);
}

static void bus_kv_put_n(struct ce_bus_kv *kv, int n)
{
    for (int i = 0; i < n; i++) {
        char key[16], val[16];
        snprintf(key, sizeof key, "f-%02d", i);
        snprintf(val, sizeof val, "v%d", i);
        assert_int_equal(ce_bus_kv_put(kv, key, val, strlen(val)), CE_OK);
    }
}

/* Keys f-00.. of the first n whose index is a multiple of 4 hold their values, the rest are
 * gone. */
static void bus_kv_expect_live(struct ce_bus_kv *kv, int n)
{
    char **keys = NULL;
    int n_keys = -1;
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n_keys), CE_OK);
    assert_int_equal(n_keys, (n + 3) / 4);
    ce_bus_kv_keys_free(keys, n_keys);
    for (int i = 0; i < n; i++) {
        char key[16], want[16], *v = NULL;
        snprintf(key, sizeof key, "f-%02d", i);
        snprintf(want, sizeof want, "v%d", i);
        int rc = ce_bus_kv_get(kv, key, &v, NULL);
        assert_int_equal(rc, i % 4 == 0 ? CE_OK : CE_ENOENT);
        if (rc == CE_OK) {
            assert_string_equal(v, want);
        }
        ce_free(v);
    }
}

/* Purging deletes leaves the live keys alone and takes out what deleted keys left behind: a
 * bucket where many distinct keys came and went holds its live keys only. Deletes younger than
 * the age given stay. A purged key can be put again. */
static void test_kv_purge_deletes(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "seen", &kv), CE_OK);
    assert_int_equal(ce_bus_kv_purge_deletes(kv, 0), CE_OK); /* nothing there yet */
    enum { N = 40, LIVE = N / 4 };
    bus_kv_put_n(kv, N);
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "f-%02d", i);
        if (i % 4 != 0) {
            assert_int_equal(ce_bus_kv_delete(kv, key), CE_OK);
        }
    }
    bool keeps = e->kind->keeps_deletes;
    /* a marker per deleted key (a bucket keeps one entry per key: the marker took the value's
     * place) */
    assert_int_equal(e->kind->kv_stored(e, "seen"), keeps ? N : LIVE);
    /* the deletes are younger than an hour: their markers stay */
    assert_int_equal(ce_bus_kv_purge_deletes(kv, 60 * 60 * 1000), CE_OK);
    assert_int_equal(e->kind->kv_stored(e, "seen"), keeps ? N : LIVE);
    bus_kv_expect_live(kv, N);
    assert_int_equal(ce_bus_kv_purge_deletes(kv, 0), CE_OK);
    assert_int_equal(e->kind->kv_stored(e, "seen"), LIVE);
    bus_kv_expect_live(kv, N);
    assert_int_equal(ce_bus_kv_purge_deletes(kv, 0), CE_OK); /* nothing left to purge */
    assert_int_equal(e->kind->kv_stored(e, "seen"), LIVE);
    assert_int_equal(ce_bus_kv_put(kv, "f-01", "again", 5), CE_OK);
    char *v = NULL;
    assert_int_equal(ce_bus_kv_get(kv, "f-01", &v, NULL), CE_OK);
    assert_string_equal(v, "again");
    ce_free(v);
    assert_int_equal(e->kind->kv_stored(e, "seen"), LIVE + 1);
    ce_bus_kv_close(kv);
}

static void bus_cfg_five_old(struct ce_bus_config *cfg)
{
    cfg->stream.max_msgs = 5;
    cfg->stream.discard = 0;
}

/* discard: old keeps the newest max_msgs messages; a durable that fell behind goes on with the
 * oldest one still there. */
static void test_stream_discard_old(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open_with(e, bus_cfg_five_old);
    struct ce_bus_consumer *c = bus_consumer(bus, "default.es.ev", "g");
    for (int i = 1; i <= 8; i++) {
        char id[32];
        snprintf(id, sizeof id, "m%d", i);
        bus_publish(bus, "default.es.ev", id, "x");
    }
    struct ce_bus_msg *m = bus_next(c);
    assert_string_equal(m->msg_id, "m4");
    assert_int_equal(m->stream_seq, 4);
    assert_int_equal(ce_bus_msg_ack(m), CE_OK);
    ce_bus_msg_destroy(m);
    ce_bus_consumer_destroy(c);
}

static void bus_cfg_three_new(struct ce_bus_config *cfg)
{
    cfg->stream.max_msgs = 3;
    cfg->stream.discard = 1;
}

/* discard: new refuses publishes beyond max_msgs with CE_EREMOTE, sync and async. */
static void test_stream_discard_new(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open_with(e, bus_cfg_three_new);
    bus_publish(bus, "default.es.ev", "n1", "x");
    bus_publish(bus, "default.es.ev", "n2", "x");
    bus_publish(bus, "default.es.ev", "n3", "x");
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "n4", "x", 1), CE_EREMOTE);
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "n5", "x", 1, bus_on_ack, &e->acks),
                     CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(bus_ack_calls(&e->acks) == 1, BUS_WAIT_MS));
    assert_int_equal(e->acks.last_rc, CE_EREMOTE);
}

/* Only the stream's subjects (default.*.*) are stored: a publish elsewhere is refused. */
static void test_publish_outside_the_stream(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open(e);
    assert_int_equal(ce_bus_publish(bus, "nostream.es.ev", "x", "{}", 2), CE_EREMOTE);
    assert_int_equal(ce_bus_publish(bus, "default.too.many.tokens", "y", "{}", 2), CE_EREMOTE);
}

static void bus_cfg_twenty(struct ce_bus_config *cfg)
{
    cfg->stream.max_msgs = 20;
}

/* A stream nobody consumes yet has a backlog of nothing (CE_ENOENT is for a missing stream). */
static void test_backlog_without_consumers(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open_with(e, bus_cfg_twenty);
    bus_publish(bus, "default.es.ev", "unread", "x");
    struct ce_bus_backlog b;
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_int_equal(b.max_msgs, 20);
    assert_int_equal(b.behind, 0);
    assert_int_equal(b.evicted, 0);
}

/* The backlog names the stream's limit and the slowest durable with how far it is behind
 * (delivered but unacked counts), and how many messages it lost to the limit. */
static void test_backlog(void **state)
{
    struct bus_env *e = *state;
    struct ce_bus *bus = bus_open_with(e, bus_cfg_twenty);
    struct ce_bus_backlog b;
    bus_publish(bus, "default.es.ev", "before", "x"); /* not the consumer's: deliver-new */
    struct ce_bus_consumer *fast = bus_consumer(bus, "default.es.ev", "fast");
    struct ce_bus_consumer *slow = bus_consumer(bus, "default.es.ev", "slow");
    for (int i = 0; i < 5; i++) {
        char id[32];
        snprintf(id, sizeof id, "b%d", i);
        bus_publish(bus, "default.es.ev", id, "x");
    }
    for (int i = 0; i < 5; i++) {
        struct ce_bus_msg *m = bus_next(fast);
        assert_int_equal(ce_bus_msg_ack(m), CE_OK);
        ce_bus_msg_destroy(m);
    }
    struct ce_bus_msg *held = bus_next(slow); /* delivered, not acked: still behind */
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_int_equal(b.max_msgs, 20);
    assert_int_equal(b.behind, 5);
    assert_string_equal(b.consumer, "slow");
    assert_int_equal(b.evicted, 0);
    assert_int_equal(ce_bus_msg_ack(held), CE_OK);
    ce_bus_msg_destroy(held);
    held = bus_next(slow);
    assert_int_equal(ce_bus_msg_ack(held), CE_OK);
    ce_bus_msg_destroy(held);
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_int_equal(b.behind, 3);
    /* 20 more: the stream drops the oldest, 3 of which slow had not consumed; fast keeps up */
    for (int i = 0; i < 20; i++) {
        char id[32];
        snprintf(id, sizeof id, "c%d", i);
        bus_publish(bus, "default.es.ev", id, "x");
    }
    for (int i = 0; i < 20; i++) {
        struct ce_bus_msg *m = bus_next(fast);
        assert_int_equal(ce_bus_msg_ack(m), CE_OK);
        ce_bus_msg_destroy(m);
    }
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_string_equal(b.consumer, "slow");
    assert_int_equal(b.evicted, 3);
    ce_bus_consumer_destroy(slow);
    ce_bus_consumer_destroy(fast);
}

/* ---- the in-memory bus ---- */

static void mem_go_down(struct bus_env *e)
{
    ce_membus_set_connected(e->bus, false);
}

static void mem_come_back(struct bus_env *e)
{
    ce_membus_set_connected(e->bus, true);
}

/* The in-memory bus answers at once; a publish stays in flight until its callback returned,
 * and the callback waits for the lock the test holds. */
static void mem_hold_acks(struct bus_env *e)
{
    pthread_mutex_lock(&e->acks.mu);
}

static void mem_release_acks(struct bus_env *e)
{
    pthread_mutex_unlock(&e->acks.mu);
}

static void mem_set_ack_wait(struct bus_env *e, const char *durable, int ms)
{
    (void)durable; /* one ack wait for every durable of the bus */
    ce_membus_set_ack_wait_ms(e->bus, ms);
}

/* The memory bus keeps the live entries only. */
static int mem_kv_stored(struct bus_env *e, const char *bucket)
{
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(e->bus, bucket, &kv), CE_OK);
    char **keys = NULL;
    int n = -1;
    assert_int_equal(ce_bus_kv_keys(kv, &keys, &n), CE_OK);
    ce_bus_kv_keys_free(keys, n);
    ce_bus_kv_close(kv);
    return n;
}

/* ---- JetStream on a real nats-server ---- */

/* The messages of the bucket's stream, asked of the server. */
static int js_kv_stored(struct bus_env *e, const char *bucket)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, e->url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    char stream[64];
    snprintf(stream, sizeof stream, "KV_%s", bucket);
    jsStreamInfo *si = NULL;
    assert_int_equal(js_GetStreamInfo(&si, js, stream, NULL, NULL), NATS_OK);
    int n = (int)si->State.Msgs;
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return n;
}

static void js_go_down(struct bus_env *e)
{
    ce_natsd_stop(e->natsd);
}

static void js_come_back(struct bus_env *e)
{
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
}

/* A frozen server answers nothing: the publishes stay in flight. */
static void js_hold_acks(struct bus_env *e)
{
    assert_int_equal(kill(ce_scn_natsd_pid(e->natsd), SIGSTOP), 0);
}

static void js_release_acks(struct bus_env *e)
{
    assert_int_equal(kill(ce_scn_natsd_pid(e->natsd), SIGCONT), 0);
}

/* The driver creates durables with the server's 30 s ack wait; the test changes it on the
 * server, as an operator could. */
static void js_set_ack_wait(struct bus_env *e, const char *durable, int ms)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, e->url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    jsConsumerInfo *ci = NULL;
    assert_int_equal(js_GetConsumerInfo(&ci, js, "default", durable, NULL, NULL), NATS_OK);
    ci->Config->AckWait = (int64_t)ms * 1000000;
    jsConsumerInfo *updated = NULL;
    jsErrCode jerr = 0;
    assert_int_equal(js_UpdateConsumer(&updated, js, "default", ci->Config, NULL, &jerr), NATS_OK);
    assert_int_equal(updated->Config->AckWait, (int64_t)ms * 1000000);
    jsConsumerInfo_Destroy(updated);
    jsConsumerInfo_Destroy(ci);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static const struct bus_kind bus_kinds[] = {
    {"memory", false, mem_go_down, mem_come_back, mem_hold_acks, mem_release_acks, mem_set_ack_wait,
     mem_kv_stored, false},
    {"jetstream", true, js_go_down, js_come_back, js_hold_acks, js_release_acks, js_set_ack_wait,
     js_kv_stored, true},
};

/* ---- fixtures and main ---- */

static int bus_setup(void **state)
{
    static int serial;
    struct bus_env *e = ce_xcalloc(1, sizeof(*e));
    e->kind = bus_kind;
    pthread_mutex_init(&e->acks.mu, NULL);
    if (e->kind->needs_natsd) {
        e->dir = ce_test_tmpdir("bus");
        e->natsd = ce_scn_natsd_start(e->dir);
        e->url = ce_xstrdup(ce_natsd_url(e->natsd));
    }
    else {
        /* buses of one memory:// name share everything: a fresh name per case */
        e->url = ce_xasprintf("memory://conformance-%d", serial++);
    }
    *state = e;
    return 0;
}

static int bus_teardown(void **state)
{
    struct bus_env *e = *state;
    ce_bus_destroy(e->bus);
    if (e->natsd != NULL) {
        ce_natsd_destroy(e->natsd);
        ce_test_rmtree(e->dir);
    }
    pthread_mutex_destroy(&e->acks.mu);
    ce_free(e->dir);
    ce_free(e->url);
    ce_free(e);
    return 0;
}

/* Exit statuses of the runs against each bus: a failure wins, then a skip. */
static int bus_combine(int a, int b)
{
    if (a != 0 && a != CE_TEST_SKIPPED) {
        return a;
    }
    if (b != 0 && b != CE_TEST_SKIPPED) {
        return b;
    }
    return a == CE_TEST_SKIPPED || b == CE_TEST_SKIPPED ? CE_TEST_SKIPPED : 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connect_and_stream, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_publish_callbacks, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_dedup_and_message_fields, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_deliver_new_and_filters, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_durable_resumes_and_delete, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_redelivery_ack_nak_term, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_max_pending, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_full, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_outage, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_kv, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_kv_purge_deletes, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_stream_discard_old, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_stream_discard_new, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_publish_outside_the_stream, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_backlog_without_consumers, bus_setup, bus_teardown),
        cmocka_unit_test_setup_teardown(test_backlog, bus_setup, bus_teardown),
    };
    const char *only = argc > 2 ? argv[2] : NULL;
    int rc = 0;
    bool ran = false;
    for (size_t i = 0; i < sizeof(bus_kinds) / sizeof(bus_kinds[0]); i++) {
        if (only != NULL && strcmp(only, bus_kinds[i].name) != 0) {
            continue;
        }
        ran = true;
        bus_kind = &bus_kinds[i];
        if (bus_kind->needs_natsd && !ce_test_have_natsd()) {
            fprintf(stderr, "SKIPPED: %s: nats-server is not installed\n", bus_kind->name);
            rc = bus_combine(rc, CE_TEST_SKIPPED);
            continue;
        }
        fprintf(stderr, "--- the %s bus\n", bus_kind->name);
        rc = bus_combine(rc, ce_test_run(argc > 2 ? 2 : argc, argv, tests, NULL, NULL));
    }
    if (!ran) {
        fprintf(stderr, "test_bus: no bus \"%s\" (memory or jetstream)\n", only);
        return 1;
    }
    ce_bus_shutdown();
    return rc;
}
