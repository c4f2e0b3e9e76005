/* SPDX-License-Identifier: Apache-2.0 */
/* An HTTP trigger on its worker pool, end to end: webhook → nats-server → Sensor → a recording
 * HTTP server. With a slow target every event is delivered exactly once and acknowledged (the
 * durable consumer ends with nothing pending), on several connections at once; with one worker
 * the requests come in the order of the events; a rate limit holds across the workers; a stop
 * with requests in flight finishes those, hands back the rest within seconds, and the next start
 * delivers them: none is lost, none comes twice. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "tests/harness/scenario.h"

#include <nats/nats.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define POOL_MAX 200

struct pool_env {
    struct ce_scn_trigger_scene sc;
    char *sensor_file;
    char ids[POOL_MAX][33];
};

static int pool_setup(void **state)
{
    struct pool_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    return ce_scn_trigger_scene_start(&e->sc, "sensor-pool");
}

static int pool_teardown(void **state)
{
    struct pool_env *e = *state;
    ce_scn_trigger_scene_stop(&e->sc);
    ce_free(e->sensor_file);
    ce_free(e);
    return 0;
}

/* Starts the Sensor tests/data/<rel> aimed at the recorder, with extra flags (may be NULL). */
static struct ce_test_proc *pool_sensor(struct pool_env *e, const char *rel, const char *alo,
                                        const char *const extra[])
{
    char port[16];
    snprintf(port, sizeof(port), "%d", ce_recorder_port(e->sc.rec));
    ce_free(e->sensor_file);
    e->sensor_file = ce_test_data_write(e->sc.dir, "sensor.yaml", rel, "TARGET_PORT", port,
                                        "AT_LEAST_ONCE", alo, NULL);
    return ce_scn_start("sensor", e->sensor_file, ce_natsd_url(e->sc.natsd), e->sc.mport, extra,
                        CE_SENSOR_SUBSCRIBED_MSG);
}

static void pool_post(struct pool_env *e, int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, e->ids[i]),
                         200);
    }
}

/* How many recorded requests carry each of the first n event ids, into seen[]; returns how
 * many requests carry none of them. */
static int pool_tally(struct pool_env *e, int n, int *seen)
{
    memset(seen, 0, sizeof(*seen) * (size_t)n);
    int other = 0;
    for (int r = 0, total = ce_recorder_count(e->sc.rec); r < total; r++) {
        struct ce_rec_request *q = ce_recorder_request(e->sc.rec, r);
        const char *id = ce_rec_header(q, "X-Event-Id");
        int hit = -1;
        for (int i = 0; id != NULL && i < n && hit < 0; i++) {
            hit = strcmp(id, e->ids[i]) == 0 ? i : -1;
        }
        if (hit >= 0) {
            seen[hit]++;
        }
        else {
            other++;
        }
        ce_rec_request_free(q);
    }
    return other;
}

/* Waits until every one of the first n events reached the recorder at least once. */
static void pool_wait_all(struct pool_env *e, int n, int timeout_ms)
{
    int seen[POOL_MAX];
    int64_t deadline = ce_test_now_ms() + timeout_ms;
    for (;;) {
        (void)pool_tally(e, n, seen);
        int missing = 0;
        for (int i = 0; i < n; i++) {
            missing += seen[i] == 0;
        }
        if (missing == 0) {
            return;
        }
        if (ce_test_now_ms() > deadline) {
            fail_msg("%d of %d events never reached the target", missing, n);
        }
        ce_test_sleep_ms(20);
    }
}

static void pool_assert_each_once(struct pool_env *e, int n)
{
    int seen[POOL_MAX];
    assert_int_equal(pool_tally(e, n, seen), 0);
    for (int i = 0; i < n; i++) {
        if (seen[i] != 1) {
            fail_msg("event %d (%s) reached the target %d times", i, e->ids[i], seen[i]);
        }
    }
}

/* Messages of the trigger's durable consumer delivered and not acknowledged yet, or waiting to
 * be delivered; -1 when the server cannot say. */
static long long pool_unsettled(struct pool_env *e)
{
    char durable[32];
    ce_bus_durable_name("pool", "http-trigger", "test-dep", durable, sizeof(durable));
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsConsumerInfo *ci = NULL;
    long long n = -1;
    if (natsConnection_ConnectTo(&nc, ce_natsd_url(e->sc.natsd)) == NATS_OK &&
        natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
        js_GetConsumerInfo(&ci, js, "default", durable, NULL, NULL) == NATS_OK) {
        n = (long long)ci->NumAckPending + (long long)ci->NumPending;
        jsConsumerInfo_Destroy(ci);
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return n;
}

/* Every message the consumer got was acknowledged: nothing pending, nothing to redeliver. */
static void pool_wait_settled(struct pool_env *e)
{
    int64_t deadline = ce_test_now_ms() + 10000;
    long long n;
    while ((n = pool_unsettled(e)) != 0 && ce_test_now_ms() < deadline) {
        ce_test_sleep_ms(50);
    }
    assert_int_equal(n, 0);
}

/* atLeastOnce with a target that takes 200 ms per request: 8 workers send at once (on several
 * connections), each event arrives once and every message is acknowledged. */
static void test_slow_target_each_event_once(void **state)
{
    struct pool_env *e = *state;
    enum { N = 80 };
    ce_recorder_reset(e->sc.rec);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200, .delay_ms = 200});
    int conns = ce_recorder_connections(e->sc.rec);
    struct ce_test_proc *sn = pool_sensor(e, "sensors/http-pool.yaml", "true", NULL);
    pool_post(e, N);
    pool_wait_all(e, N, 60000);
    pool_wait_settled(e);
    pool_assert_each_once(e, N);
    /* one worker keeps one connection alive; several at once need several */
    assert_true(ce_recorder_connections(e->sc.rec) - conns > 1);
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger", N, 5000));
    assert_int_equal(ce_test_proc_stop(sn, 20000), 0);
    ce_test_proc_free(sn);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200});
}

/* The documented order: with one worker (--trigger-workers 1) a trigger fires in the order its
 * events were stored. */
static void test_one_worker_keeps_the_order(void **state)
{
    struct pool_env *e = *state;
    enum { N = 40 };
    ce_recorder_reset(e->sc.rec);
    const char *const one[] = {"--trigger-workers", "1", NULL};
    struct ce_test_proc *sn = pool_sensor(e, "sensors/http-pool.yaml", "false", one);
    pool_post(e, N);
    pool_wait_all(e, N, 30000);
    pool_assert_each_once(e, N);
    for (int i = 0; i < N; i++) {
        struct ce_rec_request *q = ce_recorder_request(e->sc.rec, i);
        assert_string_equal(ce_rec_header(q, "X-Event-Id"), e->ids[i]);
        ce_rec_request_free(q);
    }
    assert_int_equal(ce_test_proc_count(sn, "fires on several workers"), 0);
    ce_test_proc_free(sn);
}

/* Pooled triggers share the Sensor's worker budget: with --trigger-workers 64, three triggers
 * get 64 / 3 = 21 workers each, not 64. */
static void test_triggers_share_the_worker_budget(void **state)
{
    struct pool_env *e = *state;
    const char *const many[] = {"--trigger-workers", "64", NULL};
    struct ce_test_proc *sn = pool_sensor(e, "sensors/http-pool-three.yaml", "false", many);
    assert_int_equal(ce_test_proc_count(sn, "fires on several workers"), 3);
    assert_int_equal(ce_test_proc_count(sn, "\"workers\":\"21\""), 3);
    ce_recorder_reset(e->sc.rec);
    pool_post(e, 1);
    CE_TEST_WAIT_UNTIL(ce_recorder_count(e->sc.rec) >= 3, 20000);
    ce_test_proc_free(sn);
}

/* rateLimit 5 per second with 8 workers: no second holds more than 5 requests. */
static void test_rate_limit_holds_across_workers(void **state)
{
    struct pool_env *e = *state;
    enum { N = 16, PER = 5 };
    ce_recorder_reset(e->sc.rec);
    struct ce_test_proc *sn = pool_sensor(e, "sensors/http-pool-limited.yaml", "true", NULL);
    assert_int_equal(ce_test_proc_count(sn, "fires on several workers"), 1);
    pool_post(e, N);
    pool_wait_all(e, N, 30000);
    pool_assert_each_once(e, N);
    int64_t at[N];
    for (int i = 0; i < N; i++) {
        struct ce_rec_request *q = ce_recorder_request(e->sc.rec, i);
        at[i] = q->at_ms;
        ce_rec_request_free(q);
    }
    /* requests arrive in the order of their firings give or take the way to the target (a
     * new connection, a busy machine): allowed 100 ms */
    for (int i = PER; i < N; i++) {
        if (at[i] - at[i - PER] < 1000 - 100) {
            fail_msg("requests %d and %d only %lld ms apart", i - PER, i,
                     (long long)(at[i] - at[i - PER]));
        }
    }
    ce_test_proc_free(sn);
}

/* SIGTERM while 8 requests are in flight (2 s each) and more are queued: those in flight are
 * finished and acknowledged, the queued ones handed back, the process ends within seconds, and
 * the next start delivers the rest: every event once. */
static void test_stop_in_flight_then_restart(void **state)
{
    struct pool_env *e = *state;
    enum { N = 40 };
    ce_recorder_reset(e->sc.rec);
    /* a first start makes the durable consumer; the events then wait for the next one */
    struct ce_test_proc *sn = pool_sensor(e, "sensors/http-pool.yaml", "true", NULL);
    assert_int_equal(ce_test_proc_stop(sn, 20000), 0);
    ce_test_proc_free(sn);
    pool_post(e, N);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200, .delay_ms = 2000});
    sn = pool_sensor(e, "sensors/http-pool.yaml", "true", NULL);
    assert_true(ce_recorder_wait(e->sc.rec, 1, 20000));
    int64_t t0 = ce_test_now_ms();
    int status = ce_test_proc_stop(sn, 60000);
    int64_t took = ce_test_now_ms() - t0;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* a hang bound, not a speed target: working through 40 requests of 2 s on 8 workers
     * would take 10 s */
    assert_true(took < 6000);
    assert_true(ce_test_proc_count(sn, "stopping: events handed back for the next start") >= 1);
    ce_test_proc_free(sn);
    assert_true(ce_recorder_count(e->sc.rec) < N);

    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200});
    sn = pool_sensor(e, "sensors/http-pool.yaml", "true", NULL);
    pool_wait_all(e, N, 30000);
    pool_wait_settled(e);
    pool_assert_each_once(e, N);
    ce_test_proc_free(sn);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slow_target_each_event_once),
        cmocka_unit_test(test_one_worker_keeps_the_order),
        cmocka_unit_test(test_triggers_share_the_worker_budget),
        cmocka_unit_test(test_rate_limit_holds_across_workers),
        cmocka_unit_test(test_stop_in_flight_then_restart),
    };
    return ce_test_run(argc, argv, tests, pool_setup, pool_teardown);
}
