/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver against a real nats-server, beyond what the bus conformance suite
 * (test_bus.c) checks on both buses: Argo's stream, header and consumer layout on the wire,
 * and the delivery promises around an outage that only a network bus has (every accepted
 * publish answered within the publish timeout, never silent, also when the server freezes or
 * dies; a bus handle that never waits for the network). */
#include "eventbus/bus.h"
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"

#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <nats/nats.h>

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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <signal.h>
#include <sys/types.h>

#define TJ_PUB_TIMEOUT_MS 1500
#define TJ_MAX_PUBS 400
/* Added to the publish timeout where a test waits for publishes to be answered: it absorbs a
 * loaded machine; the promise checked is that no publish is left unanswered. */
#define TJ_SLACK_MS 5000

struct tj_env {
    char *dir;
    struct ce_natsd *natsd;
};

static atomic_int tj_ups, tj_downs;

static void tj_on_state(void *arg, bool up)
{
    (void)arg;
    atomic_fetch_add(up ? &tj_ups : &tj_downs, 1);
}

static int tj_setup(void **state)
{
    struct tj_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("jetstream");
    e->natsd = ce_scn_natsd_start(e->dir);
    atomic_store(&tj_ups, 0);
    atomic_store(&tj_downs, 0);
    *state = e;
    return 0;
}

static int tj_teardown(void **state)
{
    struct tj_env *e = *state;
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static struct ce_bus *tj_bus(const char *url)
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    cfg.name = "cevents-test";
    cfg.publish_timeout_ms = TJ_PUB_TIMEOUT_MS;
    cfg.reconnect_wait_min_ms = 50;
    cfg.reconnect_wait_max_ms = 400;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, tj_on_state, NULL, &bus), CE_OK);
    return bus;
}

/* ---- async publish bookkeeping ---- */

struct tj_pub {
    int64_t sent_ms;
    atomic_int calls;
    atomic_int rc;
};

static void tj_on_ack(void *arg, int rc, const char *err)
{
    (void)err;
    struct tj_pub *p = arg;
    atomic_store(&p->rc, rc);
    atomic_fetch_add(&p->calls, 1);
}

static int tj_publish_wait(struct ce_bus *bus, const char *subj, const char *id, const char *data)
{
    struct tj_pub p = {.sent_ms = ce_test_now_ms()};
    int rc = ce_bus_publish_async(bus, subj, id, data, strlen(data), tj_on_ack, &p);
    if (rc != CE_OK) {
        return rc;
    }
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&p.calls) == 1, TJ_PUB_TIMEOUT_MS + 2000));
    return atomic_load(&p.rc);
}

/* ---- a plain cnats view of the server, to check what the bus stored ---- */

struct tj_raw {
    natsConnection *nc;
    jsCtx *js;
};

static void tj_raw_open(struct tj_raw *r, const char *url)
{
    assert_int_equal(natsConnection_ConnectTo(&r->nc, url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&r->js, r->nc, NULL), NATS_OK);
}

static void tj_raw_close(struct tj_raw *r)
{
    jsCtx_Destroy(r->js);
    natsConnection_Destroy(r->nc);
}

static void tj_expect_stored(struct tj_raw *r, uint64_t seq, const char *subj, const char *id,
                             const char *data)
{
    natsMsg *m = NULL;
    assert_int_equal(js_GetMsg(&m, r->js, "default", seq, NULL, NULL), NATS_OK);
    assert_string_equal(natsMsg_GetSubject(m), subj);
    const char *v = NULL;
    assert_int_equal(natsMsgHeader_Get(m, "Nats-Msg-Id", &v), NATS_OK);
    assert_string_equal(v, id);
    assert_int_equal(natsMsg_GetDataLength(m), (int)strlen(data));
    assert_memory_equal(natsMsg_GetData(m), data, strlen(data));
    natsMsg_Destroy(m);
}

static void test_stream_layout_and_idempotence(void **state)
{
    struct tj_env *e = *state;
    struct ce_bus *bus = tj_bus(ce_natsd_url(e->natsd));
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_true(ce_bus_connected(bus));
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&tj_ups) == 1, 2000));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);

    struct tj_raw r;
    tj_raw_open(&r, ce_natsd_url(e->natsd));
    jsStreamInfo *si = NULL;
    assert_int_equal(js_GetStreamInfo(&si, r.js, "default", NULL, NULL), NATS_OK);
    assert_int_equal(si->Config->SubjectsLen, 1);
    assert_string_equal(si->Config->Subjects[0], "default.*.*");
    assert_int_equal(si->Config->Storage, js_FileStorage);
    assert_int_equal(si->Config->Retention, js_LimitsPolicy);
    assert_int_equal(si->Config->Discard, js_DiscardOld);
    assert_int_equal(si->Config->Replicas, 1);
    assert_int_equal(si->Config->MaxMsgs, 50000);
    assert_int_equal(si->Config->MaxBytes, -1);
    assert_int_equal(si->Config->MaxAge, 168LL * 3600 * 1000000000LL);
    assert_int_equal(si->Config->Duplicates, 300LL * 1000000000LL);
    jsStreamInfo_Destroy(si);
    tj_raw_close(&r);
    ce_bus_destroy(bus);
}

/* A URL listing several servers, as NATS clients take it: the first does not answer, the second
 * is used, with blanks around the commas allowed. */
static void test_server_list(void **state)
{
    struct tj_env *e = *state;
    char *url =
        ce_xasprintf("nats://127.0.0.1:%d , %s", ce_test_free_port(), ce_natsd_url(e->natsd));
    struct ce_bus *bus = tj_bus(url);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    ce_bus_destroy(bus);
    ce_free(url);
}

/* What the bus stores is Argo's layout: the subject, the Nats-Msg-Id header and the data as
 * given, duplicates dropped by the server; durables are explicit-ack, deliver-new pull
 * consumers on their subject with the server's 30 s ack wait. */
static void test_wire_layout(void **state)
{
    struct tj_env *e = *state;
    struct ce_bus *bus = tj_bus(ce_natsd_url(e->natsd));
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    char durable[24];
    ce_bus_durable_name("sensor", "trigger", "dep", durable, sizeof(durable));
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.es.ev", durable, &c), CE_OK);

    assert_int_equal(tj_publish_wait(bus, "default.es.ev", "id-1", "{\"n\":1}"), CE_OK);
    assert_int_equal(tj_publish_wait(bus, "default.es.ev", "id-1", "{\"n\":1}"), CE_OK); /* dup */
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "id-2", "{\"n\":2}", 7), CE_OK);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "id-2", "{\"n\":2}", 7), CE_OK);

    struct tj_raw r;
    tj_raw_open(&r, ce_natsd_url(e->natsd));
    tj_expect_stored(&r, 1, "default.es.ev", "id-1", "{\"n\":1}");
    tj_expect_stored(&r, 2, "default.es.ev", "id-2", "{\"n\":2}");
    jsStreamInfo *si = NULL;
    assert_int_equal(js_GetStreamInfo(&si, r.js, "default", NULL, NULL), NATS_OK);
    assert_int_equal(si->State.Msgs, 2); /* the duplicates were dropped */
    jsStreamInfo_Destroy(si);
    jsConsumerInfo *ci = NULL;
    assert_int_equal(js_GetConsumerInfo(&ci, r.js, "default", durable, NULL, NULL), NATS_OK);
    assert_string_equal(ci->Name, durable);
    assert_int_equal(ci->Config->AckPolicy, js_AckExplicit);
    assert_int_equal(ci->Config->DeliverPolicy, js_DeliverNew);
    assert_string_equal(ci->Config->FilterSubject, "default.es.ev");
    assert_int_equal(ci->Config->AckWait, 30LL * 1000000000LL);
    jsConsumerInfo_Destroy(ci);
    ce_bus_consumer_destroy(c);
    tj_raw_close(&r);
    ce_bus_destroy(bus);
}

/* ---- outage ---- */

struct tj_burst {
    struct ce_bus *bus;
    struct tj_pub pubs[TJ_MAX_PUBS];
    int results[TJ_MAX_PUBS];
    int64_t call_ms[TJ_MAX_PUBS];
    atomic_int count;
};

static void *tj_burst_main(void *arg)
{
    struct tj_burst *b = arg;
    for (int i = 0; i < TJ_MAX_PUBS; i++) {
        char id[32];
        snprintf(id, sizeof(id), "burst-%d", i);
        b->pubs[i].sent_ms = ce_test_now_ms();
        b->results[i] =
            ce_bus_publish_async(b->bus, "default.es.burst", id, "{}", 2, tj_on_ack, &b->pubs[i]);
        b->call_ms[i] = ce_test_now_ms() - b->pubs[i].sent_ms;
        atomic_store(&b->count, i + 1);
        if (i % 20 == 0) {
            ce_test_sleep_ms(5); /* spread the burst over the server's shutdown */
        }
    }
    return NULL;
}

static void test_outage_and_reconnect(void **state)
{
    struct tj_env *e = *state;
    struct ce_bus *bus = tj_bus(ce_natsd_url(e->natsd));
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(tj_publish_wait(bus, "default.es.ev", "before", "{}"), CE_OK);

    struct tj_burst *b = ce_xcalloc(1, sizeof(*b));
    b->bus = bus;
    pthread_t thr;
    assert_int_equal(pthread_create(&thr, NULL, tj_burst_main, b), 0);
    /* stop the server once the burst is under way, so that it spans the shutdown */
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&b->count) >= 20, 10000));
    ce_natsd_stop(e->natsd);
    pthread_join(thr, NULL);
    assert_true(CE_TEST_WAIT_UNTIL(!ce_bus_connected(bus), 5000));
    assert_true(atomic_load(&tj_downs) >= 1);

    /* Every accepted publish is answered exactly once, bounded by the publish timeout (the
     * slack only absorbs a loaded machine: what is checked is that none is left hanging);
     * every refused one was refused with CE_EUNAVAIL. No call waited for an ack. */
    int accepted = 0, refused = 0, failed = 0;
    int count = atomic_load(&b->count);
    for (int i = 0; i < count; i++) {
        assert_true(b->call_ms[i] < TJ_PUB_TIMEOUT_MS);
        if (b->results[i] != CE_OK) {
            assert_int_equal(b->results[i], CE_EUNAVAIL);
            refused++;
            continue;
        }
        accepted++;
        struct tj_pub *p = &b->pubs[i];
        assert_true(CE_TEST_WAIT_UNTIL(
            atomic_load(&p->calls) >= 1,
            (int)(p->sent_ms + TJ_PUB_TIMEOUT_MS + TJ_SLACK_MS - ce_test_now_ms())));
        int rc = atomic_load(&p->rc);
        assert_true(rc == CE_OK || rc == CE_ETIMEDOUT || rc == CE_EUNAVAIL || rc == CE_EREMOTE);
        failed += rc != CE_OK;
    }
    print_message("burst: %d accepted (%d failed), %d refused\n", accepted, failed, refused);
    assert_true(refused > 0);

    /* While down: refused without waiting for an ack (which would take the publish timeout),
     * the sync publish too. */
    int64_t t0 = ce_test_now_ms();
    struct tj_pub p = {0};
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "down", "{}", 2, tj_on_ack, &p),
                     CE_EUNAVAIL);
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "down", "{}", 2), CE_EUNAVAIL);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_EUNAVAIL);
    assert_true(ce_test_now_ms() - t0 < TJ_PUB_TIMEOUT_MS);

    /* back on the same port and store: reconnects by itself */
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&tj_ups) >= 2, 2000));
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(tj_publish_wait(bus, "default.es.ev", "after", "{}"), CE_OK);

    /* no callback came twice */
    for (int i = 0; i < count; i++) {
        assert_int_equal(atomic_load(&b->pubs[i].calls), b->results[i] == CE_OK ? 1 : 0);
    }
    ce_bus_destroy(bus);
    ce_free(b);
}

/* Publishes that the server never answers (frozen, then killed) each end with one callback,
 * CE_ETIMEDOUT/CE_EUNAVAIL, within the publish timeout. */
static void test_unanswered_publishes_time_out(void **state)
{
    struct tj_env *e = *state;
    struct ce_bus *bus = tj_bus(ce_natsd_url(e->natsd));
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    pid_t pid = ce_scn_natsd_pid(e->natsd);
    enum { N = 20 };
    struct tj_pub *pubs = ce_xcalloc(2 * N, sizeof(*pubs));
    for (int round = 0; round < 2; round++) {
        assert_int_equal(kill(pid, SIGSTOP), 0);
        for (int i = round * N; i < (round + 1) * N; i++) {
            char id[32];
            snprintf(id, sizeof(id), "frozen-%d", i);
            pubs[i].sent_ms = ce_test_now_ms();
            assert_int_equal(
                ce_bus_publish_async(bus, "default.es.ev", id, "{}", 2, tj_on_ack, &pubs[i]),
                CE_OK);
        }
        if (round == 1) {
            assert_int_equal(kill(pid, SIGKILL), 0); /* the connection drops with them pending */
        }
        for (int i = round * N; i < (round + 1) * N; i++) {
            assert_true(CE_TEST_WAIT_UNTIL(
                atomic_load(&pubs[i].calls) == 1,
                (int)(pubs[i].sent_ms + TJ_PUB_TIMEOUT_MS + TJ_SLACK_MS - ce_test_now_ms())));
            int rc = atomic_load(&pubs[i].rc);
            assert_true(rc == CE_ETIMEDOUT || rc == CE_EUNAVAIL);
        }
        if (round == 0) {
            assert_int_equal(kill(pid, SIGCONT), 0);
        }
    }
    assert_true(CE_TEST_WAIT_UNTIL(!ce_bus_connected(bus), 5000));
    ce_natsd_stop(e->natsd); /* reaps the killed server */
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(tj_publish_wait(bus, "default.es.ev", "after-kill", "{}"), CE_OK);
    for (int i = 0; i < 2 * N; i++) {
        assert_int_equal(atomic_load(&pubs[i].calls), 1);
    }
    ce_bus_destroy(bus);
    ce_free(pubs);
}

static void test_no_server(void **state)
{
    (void)state;
    int port = ce_test_free_port();
    char *url = ce_xasprintf("nats://127.0.0.1:%d", port);
    struct ce_bus *bus = tj_bus(url);
    assert_false(ce_bus_connected(bus));
    struct tj_pub p = {0};
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "x", "{}", 2, tj_on_ack, &p),
                     CE_EUNAVAIL);
    assert_int_equal(ce_bus_wait_connected(bus, 200), CE_ETIMEDOUT);
    struct ce_bus_consumer *c = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.es.ev", "g", &c), CE_EUNAVAIL);
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "b", &kv), CE_EUNAVAIL);
    int64_t t0 = ce_test_now_ms();
    ce_bus_destroy(bus); /* a hang is what this bound catches */
    assert_true(ce_test_now_ms() - t0 < 10000);
    ce_free(url);
    assert_int_equal(atomic_load(&p.calls), 0);
}

/* ce_bus_create does not wait for the network: against a server that accepts the connection
 * but never speaks, it returns long before the connect timeout would end an attempt. */
static void test_create_does_not_wait(void **state)
{
    (void)state;
    int port = ce_test_free_port();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(fd, 8), 0); /* the kernel completes handshakes; nobody answers */
    char *url = ce_xasprintf("nats://127.0.0.1:%d", port);
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    cfg.connect_timeout_ms = 6000;
    struct ce_bus *bus = NULL;
    int64_t t0 = ce_test_now_ms();
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    /* waiting would take the whole connect timeout: half of it is a generous bound */
    assert_true(ce_test_now_ms() - t0 < cfg.connect_timeout_ms / 2);
    assert_false(ce_bus_connected(bus));
    struct tj_pub p = {0};
    assert_int_equal(ce_bus_publish_async(bus, "default.es.ev", "x", "{}", 2, tj_on_ack, &p),
                     CE_EUNAVAIL);
    ce_bus_destroy(bus);
    close(fd);
    ce_free(url);
    assert_int_equal(atomic_load(&p.calls), 0);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stream_layout_and_idempotence, tj_setup, tj_teardown),
        cmocka_unit_test_setup_teardown(test_server_list, tj_setup, tj_teardown),
        cmocka_unit_test_setup_teardown(test_wire_layout, tj_setup, tj_teardown),
        cmocka_unit_test_setup_teardown(test_outage_and_reconnect, tj_setup, tj_teardown),
        cmocka_unit_test_setup_teardown(test_unanswered_publishes_time_out, tj_setup, tj_teardown),
        cmocka_unit_test(test_no_server),
        cmocka_unit_test(test_create_does_not_wait),
    };
    int rc = ce_test_run(argc, argv, tests, NULL, NULL);
    nats_Close();
    return rc;
}
