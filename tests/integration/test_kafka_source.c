/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka EventSource against librdkafka's mock cluster (tests/fixtures/kafka_mock.c), kcat
 * as the producer, and a real nats-server: the event data and ids in both modes, offsets
 * committed only after the bus's ack (a SIGKILL, a bus outage and a rebalance lose nothing and
 * store nothing twice), partition mode resuming where it stopped. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "eventsource/kafka/data.h"
#include "tests/harness/harness.h"
#include "tests/harness/kafka.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <nats/nats.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define KT_SUBJECT "default.kafka.example"
#define KT_GROUP_MODE                                                                              \
    "      consumerGroup:\n        groupName: cevents-test\n        oldest: true\n"
#define KT_SHORT_SESSION                                                                           \
    "      config: |\n        consumer:\n          group:\n"                                       \
    "            session:\n              timeout: 6s\n"

/* One test's world: a mock Kafka cluster, a nats-server, the EventSource's manifest. */
struct kt_env {
    char *dir;
    struct ce_test_kafka kafka;
    struct ce_natsd *natsd;
    char *manifest;
    int mport; /* the last started EventSource's metrics port */
};

static void kt_begin(struct kt_env *e, const char *topic_spec, const char *topic, const char *mode,
                     const char *extra)
{
    memset(e, 0, sizeof(*e));
    e->dir = ce_test_tmpdir("kafka-src");
    ce_test_kafka_start(&e->kafka, 1, topic_spec, NULL);
    e->natsd = ce_scn_natsd_start(e->dir);
    e->manifest =
        ce_test_data_write(e->dir, "es.yaml", "eventsources/kafka.yaml", "BOOTSTRAP",
                           e->kafka.bootstrap, "TOPIC", topic, "MODE", mode, "EXTRA", extra, NULL);
}

static void kt_end(struct kt_env *e)
{
    ce_natsd_destroy(e->natsd);
    ce_test_kafka_stop(&e->kafka);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e->manifest);
}

static struct ce_test_proc *kt_start_es(struct kt_env *e, const char *ready)
{
    e->mport = ce_test_free_port();
    struct ce_test_proc *p = ce_scn_start("eventsource", e->manifest, ce_natsd_url(e->natsd),
                                          e->mport, NULL, "Eventing server started.");
    assert_true(ce_test_proc_wait_line(p, ready, 1, 30000));
    return p;
}

/* Whether the EventSource's metrics hold line (a whole series with its value). */
static bool kt_metric_is(const struct kt_env *e, const char *line)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", e->mport);
    struct ce_test_http_resp r;
    if (ce_test_http("GET", url, NULL, NULL, 0, 5000, &r) != 0) {
        return false;
    }
    bool found = strstr(r.body, line) != NULL;
    ce_test_http_resp_fini(&r);
    return found;
}

/* ---- what the bus holds ---- */

struct kt_event {
    char id[33];
    char *data;      /* the CloudEvent's data */
    int64_t time_ns; /* when the bus stored it */
};

struct kt_events {
    struct kt_event *items;
    int n;
};

static void kt_events_free(struct kt_events *evs)
{
    for (int i = 0; i < evs->n; i++) {
        ce_free(evs->items[i].data);
    }
    ce_free(evs->items);
    memset(evs, 0, sizeof(*evs));
}

static void kt_take(struct kt_events *evs, natsMsg *m)
{
    const char *id = NULL;
    struct ce_cloudevent ev;
    char err[128];
    (void)natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
    assert_int_equal(ce_cloudevent_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), &ev,
                                          err, sizeof(err)),
                     CE_OK);
    struct kt_event *k = &evs->items[evs->n++];
    snprintf(k->id, sizeof(k->id), "%s", id ? id : "");
    k->data = ce_xstrndup(ev.data, ev.data_len);
    k->time_ns = natsMsg_GetTime(m);
    ce_cloudevent_fini(&ev);
}

/* Every message of the stream, in order. */
static struct kt_events kt_read_bus(const char *url)
{
    struct kt_events evs = {0};
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    assert_int_equal(natsConnection_ConnectTo(&nc, url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    assert_int_equal(js_GetStreamInfo(&si, js, "default", NULL, &jerr), NATS_OK);
    uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    evs.items = ce_xcalloc((size_t)(last - first + 2), sizeof(*evs.items));
    for (uint64_t seq = first; seq <= last && last > 0; seq++) {
        natsMsg *m = NULL;
        if (js_GetMsg(&m, js, "default", seq, NULL, &jerr) == NATS_OK) {
            if (strcmp(natsMsg_GetSubject(m), KT_SUBJECT) == 0) {
                kt_take(&evs, m);
            }
            natsMsg_Destroy(m);
        }
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return evs;
}

/* Waits until the stream holds at least n events. */
static bool kt_wait_count(struct kt_env *e, long long n, int timeout_ms)
{
    return CE_TEST_WAIT_UNTIL(ce_scn_js_count(ce_natsd_url(e->natsd)) >= n, timeout_ms);
}

/* The index of the event with id in evs, or -1. */
static int kt_find(const struct kt_events *evs, const char *id)
{
    for (int i = 0; i < evs->n; i++) {
        if (strcmp(evs->items[i].id, id) == 0) {
            return i;
        }
    }
    return -1;
}

static void kt_id(const struct kt_env *e, const char *topic, int partition, int64_t offset,
                  char id[33])
{
    ce_kafka_event_id("kafka", "example", e->kafka.bootstrap, topic, partition, offset, id);
}

/* The bus holds exactly one event for each offset below counts[p] of each partition, and
 * nothing else. */
static void kt_assert_exactly_once(const struct kt_env *e, const char *topic, const int *counts,
                                   int n_parts)
{
    struct kt_events evs = kt_read_bus(ce_natsd_url(e->natsd));
    int want = 0;
    for (int p = 0; p < n_parts; p++) {
        for (int off = 0; off < counts[p]; off++, want++) {
            char id[33];
            kt_id(e, topic, p, off, id);
            if (kt_find(&evs, id) < 0) {
                fail_msg("no event for partition %d offset %d", p, off);
            }
        }
    }
    assert_int_equal(evs.n, want);
    kt_events_free(&evs);
}

/* "0\n1\n...": n values starting at from. */
static char *kt_lines(int from, int n)
{
    size_t cap = (size_t)n * 12 + 1, len = 0;
    char *s = ce_xcalloc(cap, 1);
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(s + len, cap - len, "{\"n\":%d}\n", from + i);
    }
    return s;
}

static void kt_produce(const struct kt_env *e, const char *topic, int partition, int from, int n)
{
    char *lines = kt_lines(from, n);
    assert_int_equal(ce_test_kcat_produce_lines(e->kafka.bootstrap, topic, partition, false, lines),
                     0);
    ce_free(lines);
}

/* ---- the cases ---- */

/* The fixture itself: kcat writes to the mock cluster and reads back keys, headers and values
 * per partition. */
static void test_mock_cluster_roundtrip(void **state)
{
    (void)state;
    struct ce_test_kafka k;
    const char *bs = ce_test_kafka_start(&k, 3, "t1:2", NULL);
    const char *headers[] = {"h1=v1", "h1=v2", NULL};
    assert_int_equal(ce_test_kcat_produce(bs, "t1", 1, "k1", headers, "hello"), 0);
    assert_int_equal(ce_test_kcat_produce_lines(bs, "t1", 0, true, "a:1\nb:2\n"), 0);
    char *out = ce_test_kcat_consume(bs, "t1", "%p %o %k %h %s\n");
    assert_non_null(out);
    assert_non_null(strstr(out, "1 0 k1 h1=v1,h1=v2 hello"));
    assert_non_null(strstr(out, "0 0 a  1"));
    assert_non_null(strstr(out, "0 1 b  2"));
    ce_free(out);
    ce_test_kafka_stop(&k);
}

static json_t *kt_data_json(const struct kt_event *ev)
{
    json_error_t jerr;
    json_t *j = json_loads(ev->data, 0, &jerr);
    assert_non_null(j);
    return j;
}

/* Group mode, jsonBody off: Argo's fields in Argo's order, the key, the headers (the last of a
 * repeated name), the value in base64, Go's time format, the metadata, the deterministic id. */
static void test_group_data_headers_and_key(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:2", "t1", KT_GROUP_MODE, "");
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    const char *headers[] = {"h1=v1", "h1=v2", "h2=<&>", NULL};
    assert_int_equal(ce_test_kcat_produce(e.kafka.bootstrap, "t1", 1, "k1", headers, "hello"), 0);
    assert_int_equal(ce_test_kcat_produce(e.kafka.bootstrap, "t1", 0, NULL, NULL, NULL), 0);
    assert_true(kt_wait_count(&e, 2, 20000));
    struct kt_events evs = kt_read_bus(ce_natsd_url(e.natsd));
    char id1[33], id0[33];
    kt_id(&e, "t1", 1, 0, id1);
    kt_id(&e, "t1", 0, 0, id0);
    int i1 = kt_find(&evs, id1), i0 = kt_find(&evs, id0);
    assert_true(i1 >= 0 && i0 >= 0);
    const char *d = evs.items[i1].data;
    assert_memory_equal(
        d,
        "{\"topic\":\"t1\",\"key\":\"k1\",\"partition\":1,\"body\":\"aGVsbG8=\","
        "\"timestamp\":\"",
        strlen("{\"topic\":\"t1\",\"key\":\"k1\",\"partition\":1,\"body\":\"aGVsbG8=\","
               "\"timestamp\":\""));
    assert_non_null(strstr(d, " +0000 UTC\",\"headers\":{\"h1\":\"v2\",\"h2\":\"\\u003c\\u0026"
                              "\\u003e\"},\"metadata\":{\"team\":\"data\"}}"));
    /* a tombstone without a key: body null, key "" */
    json_t *j = kt_data_json(&evs.items[i0]);
    assert_true(json_is_null(json_object_get(j, "body")));
    assert_string_equal(json_string_value(json_object_get(j, "key")), "");
    json_decref(j);
    kt_events_free(&evs);
    /* each partition's lag: nothing left after the last acknowledged message */
    assert_true(CE_TEST_WAIT_UNTIL(
        kt_metric_is(&e, "cevents_eventsource_kafka_lag{namespace=\"\",eventsource_name=\"kafka\","
                         "event_name=\"example\",topic=\"t1\",partition=\"1\"} 0\n"),
        10000));
    ce_test_proc_free(es);
    kt_end(&e);
}

/* Partition mode, jsonBody on: the value is the body as compact JSON; a value that is not JSON
 * is skipped (logged, counted) and the next one goes through. */
static void test_partition_json_body(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:2", "t1", "      partition: \"1\"", "      jsonBody: true");
    struct ce_test_proc *es = kt_start_es(&e, "reading the Kafka partition");
    assert_int_equal(ce_test_kcat_produce(e.kafka.bootstrap, "t1", 1, NULL, NULL, "not json"), 0);
    assert_int_equal(
        ce_test_kcat_produce(e.kafka.bootstrap, "t1", 1, NULL, NULL, "{\"a\": 1, \"b\": \"<x>\"}"),
        0);
    assert_true(kt_wait_count(&e, 1, 20000));
    assert_true(ce_test_proc_wait_line(es, "skip it", 1, 5000));
    struct kt_events evs = kt_read_bus(ce_natsd_url(e.natsd));
    assert_int_equal(evs.n, 1);
    char id[33];
    kt_id(&e, "t1", 1, 1, id);
    assert_string_equal(evs.items[0].id, id);
    assert_non_null(strstr(evs.items[0].data, "\"body\":{\"a\":1,\"b\":\"\\u003cx\\u003e\"}"));
    kt_events_free(&evs);
    ce_test_proc_free(es);
    kt_end(&e);
}

/* Group mode: a SIGKILL in the middle of a stream, more messages while the source is down, a
 * restart: every message is on the bus exactly once (re-read ones are dropped by their id). */
static void test_group_kill_restart_exactly_once(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:2", "t1", KT_GROUP_MODE, KT_SHORT_SESSION);
    kt_produce(&e, "t1", 0, 0, 300);
    kt_produce(&e, "t1", 1, 0, 300);
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    assert_true(kt_wait_count(&e, 50, 20000));
    ce_test_proc_kill(es);
    ce_test_proc_free(es);
    kt_produce(&e, "t1", 0, 300, 100);
    es = kt_start_es(&e, "partitions assigned");
    assert_true(kt_wait_count(&e, 700, 60000));
    int counts[] = {400, 300};
    kt_assert_exactly_once(&e, "t1", counts, 2);
    ce_test_proc_free(es);
    kt_end(&e);
}

/* Partition mode keeps its place in the bus: a SIGKILL mid-stream and messages produced while
 * it is down are all read after the restart (Argo starts at the newest and loses them). */
static void test_partition_resumes_after_kill(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:1", "t1", "      partition: \"0\"", "");
    struct ce_test_proc *es = kt_start_es(&e, "reading the Kafka partition");
    kt_produce(&e, "t1", 0, 0, 300);
    assert_true(kt_wait_count(&e, 50, 20000));
    ce_test_proc_kill(es);
    ce_test_proc_free(es);
    kt_produce(&e, "t1", 0, 300, 100);
    es = kt_start_es(&e, "reading the Kafka partition");
    assert_true(kt_wait_count(&e, 400, 30000));
    int counts[] = {400};
    kt_assert_exactly_once(&e, "t1", counts, 1);
    ce_test_proc_free(es);
    kt_end(&e);
}

/* The group's committed offsets, read with a client of the same group that does not join. */
static void kt_committed(const struct kt_env *e, const char *topic, int64_t *out, int n)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", e->kafka.bootstrap, err, sizeof(err)),
        RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "cevents-test", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++) {
        rd_kafka_topic_partition_list_add(l, topic, p);
    }
    assert_int_equal(rd_kafka_committed(rk, l, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int p = 0; p < n; p++) {
        out[p] = l->elems[p].offset < 0 ? 0 : l->elems[p].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
}

/* Every offset the group committed during the outage has its event stored before the bus came
 * back: nothing was committed ahead of the bus's ack. */
static void kt_assert_committed_stored(const struct kt_env *e, const int64_t *committed, int n,
                                       int64_t back_ns)
{
    struct kt_events evs = kt_read_bus(ce_natsd_url(e->natsd));
    for (int p = 0; p < n; p++) {
        for (int64_t off = 0; off < committed[p]; off++) {
            char id[33];
            kt_id(e, "t1", p, off, id);
            int i = kt_find(&evs, id);
            if (i < 0 || evs.items[i].time_ns >= back_ns) {
                fail_msg("partition %d offset %lld was committed before the bus stored it", p,
                         (long long)off);
            }
        }
    }
    kt_events_free(&evs);
}

static int64_t kt_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* nats-server down for 5 s mid-stream: the source pauses instead of dropping, commits nothing
 * the bus did not store, and once the bus is back every message is there exactly once. */
static void test_bus_outage_nothing_lost(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:2", "t1", KT_GROUP_MODE, "");
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    kt_produce(&e, "t1", 0, 0, 200);
    kt_produce(&e, "t1", 1, 0, 200);
    assert_true(kt_wait_count(&e, 20, 20000));
    ce_natsd_stop(e.natsd);
    kt_produce(&e, "t1", 0, 200, 100);
    ce_test_sleep_ms(5000); /* the outage itself, not a wait for a result */
    int64_t committed[2];
    kt_committed(&e, "t1", committed, 2);
    int64_t back_ns = kt_wall_ns();
    assert_int_equal(ce_natsd_restart(e.natsd), CE_OK);
    assert_true(kt_wait_count(&e, 500, 60000));
    kt_assert_committed_stored(&e, committed, 2, back_ns);
    int counts[] = {300, 200};
    kt_assert_exactly_once(&e, "t1", counts, 2);
    assert_true(ce_test_proc_count(es, "partition paused") > 0);
    ce_test_proc_free(es);
    kt_end(&e);
}

/* The committed offset of partition p, polled until it is want. */
static bool kt_committed_is(const struct kt_env *e, int p, int64_t want)
{
    int64_t c[4] = {0};
    kt_committed(e, "t1", c, p + 1);
    return c[p] == want;
}

/* A message the filter turns down is committed (and counted), not published. */
static void test_filtered_message_committed(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:1", "t1", KT_GROUP_MODE,
             "      jsonBody: true\n      filter:\n        expression: body.n > 0");
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    kt_produce(&e, "t1", 0, 0, 2); /* {"n":0} is turned down, {"n":1} goes through */
    assert_true(kt_wait_count(&e, 1, 20000));
    assert_true(CE_TEST_WAIT_UNTIL(kt_committed_is(&e, 0, 2), 10000));
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e.natsd)), 1);
    assert_true(CE_TEST_WAIT_UNTIL(
        kt_metric_is(&e, "cevents_eventsource_events_filtered_total{namespace=\"\","
                         "eventsource_name=\"kafka\",event_name=\"example\"} 1\n"),
        5000));
    ce_test_proc_free(es);
    kt_end(&e);
}

/* A message whose event the bus can never take (over its max_payload) is logged, counted and
 * committed; the partition goes on with the next one. */
static void test_too_large_skipped(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:1", "t1", KT_GROUP_MODE, "");
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    size_t big = 900 * 1024; /* in base64 past nats-server's 1 MiB */
    char *value = ce_xmalloc(big + 1);
    memset(value, 'x', big);
    value[big] = '\0';
    assert_int_equal(ce_test_kcat_produce(e.kafka.bootstrap, "t1", 0, NULL, NULL, value), 0);
    ce_free(value);
    kt_produce(&e, "t1", 0, 0, 1);
    assert_true(kt_wait_count(&e, 1, 20000));
    char id[33];
    kt_id(&e, "t1", 0, 1, id);
    struct kt_events evs = kt_read_bus(ce_natsd_url(e.natsd));
    assert_int_equal(evs.n, 1);
    assert_string_equal(evs.items[0].id, id);
    kt_events_free(&evs);
    assert_true(CE_TEST_WAIT_UNTIL(kt_committed_is(&e, 0, 2), 10000));
    assert_true(ce_test_proc_count(es, "Failed to publish an event") >= 1);
    ce_test_proc_free(es);
    kt_end(&e);
}

#define KT_BP_MAX_MSGS 20

/* Fetches and acknowledges what the slow consumer has, recording each id; the count. */
static int kt_drain_slow(struct ce_bus_consumer *slow, struct kt_events *seen)
{
    struct ce_bus_msg *msgs[64];
    int n = 0;
    if (ce_bus_consumer_fetch(slow, 64, 200, msgs, &n) != CE_OK) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (kt_find(seen, msgs[i]->msg_id) >= 0) {
            fail_msg("event %s delivered twice", msgs[i]->msg_id);
        }
        snprintf(seen->items[seen->n++].id, 33, "%s", msgs[i]->msg_id);
        assert_int_equal(ce_bus_msg_ack(msgs[i]), CE_OK);
        ce_bus_msg_destroy(msgs[i]);
    }
    return n;
}

/* A stream near its limit (a Sensor far behind): the source stops reading instead of letting
 * the stream evict unconsumed events, also when the topic holds far more than the stream's
 * headroom, and goes on by itself once the Sensor caught up; the Sensor gets every message
 * exactly once. */
static void test_full_bus_pauses(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:1", "t1", KT_GROUP_MODE, "");
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = ce_natsd_url(e.natsd);
    cfg.stream.max_msgs = KT_BP_MAX_MSGS;
    struct ce_bus *bus = NULL;
    struct ce_bus_consumer *slow = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(ce_bus_consumer_create(bus, KT_SUBJECT, "slow", &slow), CE_OK);
    struct ce_test_proc *es = kt_start_es(&e, "partitions assigned");
    int first = KT_BP_MAX_MSGS * 80 / 100;
    kt_produce(&e, "t1", 0, 0, first);
    assert_true(ce_test_proc_wait_line(es, "a Sensor is too far behind", 1, 20000));
    kt_produce(&e, "t1", 0, first, 40 - first);
    struct kt_events seen = {ce_xcalloc(64, sizeof(*seen.items)), 0};
    int64_t deadline = ce_test_now_ms() + 60000;
    while (seen.n < 40 && ce_test_now_ms() < deadline) {
        kt_drain_slow(slow, &seen);
    }
    assert_int_equal(seen.n, 40);
    struct ce_bus_backlog b = {0};
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_int_equal(b.evicted, 0);
    ce_free(seen.items);
    ce_test_proc_free(es);
    ce_bus_consumer_destroy(slow);
    ce_bus_destroy(bus);
    kt_end(&e);
}

/* Two members of one group: the second joins mid-stream, then the first leaves; every message is
 * on the bus exactly once. */
static void test_rebalance_two_members(void **state)
{
    (void)state;
    struct kt_env e;
    kt_begin(&e, "t1:4", "t1", KT_GROUP_MODE, KT_SHORT_SESSION);
    struct ce_test_proc *a = kt_start_es(&e, "partitions assigned");
    for (int p = 0; p < 4; p++) {
        kt_produce(&e, "t1", p, 0, 100);
    }
    struct ce_test_proc *b = kt_start_es(&e, "partitions assigned");
    for (int p = 0; p < 4; p++) {
        kt_produce(&e, "t1", p, 100, 100);
    }
    assert_true(kt_wait_count(&e, 500, 30000));
    ce_test_proc_stop(a, 20000);
    for (int p = 0; p < 4; p++) {
        kt_produce(&e, "t1", p, 200, 100);
    }
    assert_true(kt_wait_count(&e, 1200, 60000));
    int counts[] = {300, 300, 300, 300};
    kt_assert_exactly_once(&e, "t1", counts, 4);
    ce_test_proc_free(a);
    ce_test_proc_free(b);
    kt_end(&e);
}

int main(int argc, char **argv)
{
    ce_test_require_kcat();
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mock_cluster_roundtrip),
        cmocka_unit_test(test_group_data_headers_and_key),
        cmocka_unit_test(test_partition_json_body),
        cmocka_unit_test(test_group_kill_restart_exactly_once),
        cmocka_unit_test(test_partition_resumes_after_kill),
        cmocka_unit_test(test_bus_outage_nothing_lost),
        cmocka_unit_test(test_filtered_message_committed),
        cmocka_unit_test(test_full_bus_pauses),
        cmocka_unit_test(test_too_large_skipped),
        cmocka_unit_test(test_rebalance_two_members),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
