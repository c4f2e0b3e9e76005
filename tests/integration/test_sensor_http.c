/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP trigger end to end: webhook → nats-server → Sensor → a recording HTTP server.
 * A target that answers 503 twice then 200 gets exactly one successful delivery, with the
 * payload and headers built from the event, and the two failed attempts show in the metrics;
 * a target that always fails ends in the dlqTrigger; with atLeastOnce a Sensor killed while its
 * request is in flight gets the event again after a restart, and delivers it. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

struct http_env {
    struct ce_scn_trigger_scene sc;
    char *sensor_file;
};

static int http_setup(void **state)
{
    struct http_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    return ce_scn_trigger_scene_start(&e->sc, "sensor-http");
}

static int http_teardown(void **state)
{
    struct http_env *e = *state;
    ce_scn_trigger_scene_stop(&e->sc);
    ce_free(e->sensor_file);
    ce_free(e);
    return 0;
}

/* Starts the Sensor tests/data/<rel>, its HTTP trigger aimed at the recorder. */
static struct ce_test_proc *http_start_sensor(struct http_env *e, const char *rel)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", ce_recorder_port(e->sc.rec));
    ce_free(e->sensor_file);
    e->sensor_file = ce_test_data_write(e->sc.dir, "sensor.yaml", rel, "TARGET_PORT", port, NULL);
    return ce_scn_start("sensor", e->sensor_file, ce_natsd_url(e->sc.natsd), e->sc.mport, NULL,
                        CE_SENSOR_SUBSCRIBED_MSG);
}

static char *http_metrics(struct http_env *e)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", e->sc.mport);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 10000, &r), 0);
    char *text = ce_xstrdup(r.body ? r.body : "");
    ce_test_http_resp_fini(&r);
    return text;
}

static void http_has(const char *text, const char *want)
{
    if (strstr(text, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, text);
    }
}

/* Waits for the first request that carries event id; returns its index. */
static int http_wait_request_for(struct http_env *e, const char *id)
{
    int64_t deadline = ce_test_now_ms() + 20000;
    for (int seen = 0;;) {
        for (int n = ce_recorder_count(e->sc.rec); seen < n; seen++) {
            struct ce_rec_request *q = ce_recorder_request(e->sc.rec, seen);
            const char *got = ce_rec_header(q, "X-Event-Id");
            bool match = got != NULL && strcmp(got, id) == 0;
            ce_rec_request_free(q);
            if (match) {
                return seen;
            }
        }
        assert_true(ce_test_now_ms() < deadline);
        ce_test_sleep_ms(10);
    }
}

/* Posts a sentinel event behind the ones under test and waits for its request. The trigger
 * handles events one after the other, so when the sentinel's request arrives every request for
 * the earlier events has been made: want_before of them, and the sentinel's is the last. */
static void http_sentinel(struct http_env *e, int want_before)
{
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    int at = http_wait_request_for(e, id);
    assert_int_equal(at, want_before);
    assert_int_equal(ce_recorder_count(e->sc.rec), want_before + 1);
}

#define HTTP_LABELS "{namespace=\"\",sensor_name=\"http\",trigger_name=\"http-trigger\"}"

static void test_retried_until_delivered(void **state)
{
    struct http_env *e = *state;
    ce_recorder_reset(e->sc.rec);
    ce_recorder_script_statuses(e->sc.rec, (const int[]){503, 503, 200}, 3);
    struct ce_test_proc *sn = http_start_sensor(e, "sensors/http-retry.yaml");
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'http-trigger'", 1, 20000));
    char *m = http_metrics(e);
    http_has(m, "argo_events_action_triggered_total" HTTP_LABELS " 1");
    http_has(m, "argo_events_action_failed_total" HTTP_LABELS " 2");
    http_has(m, "argo_events_action_retries_failed_total" HTTP_LABELS " 0");
    ce_free(m);
    /* no fourth request once the success was seen */
    http_sentinel(e, 3);
    for (int i = 0; i < 3; i++) {
        struct ce_rec_request *q = ce_recorder_request(e->sc.rec, i);
        assert_string_equal(q->method, "POST");
        assert_string_equal(q->path, "/hook");
        assert_string_equal(q->body,
                            "{\"message\":\"this is my first webhook\",\"origin\":{\"source\":"
                            "\"webhook\"}}");
        assert_string_equal(ce_rec_header(q, "X-Static"), "yes");
        assert_string_equal(ce_rec_header(q, "X-Event-Id"), id);
        assert_null(ce_rec_header(q, "Content-Type")); /* none added, as in Argo Events */
        ce_rec_request_free(q);
    }
    m = http_metrics(e); /* the sentinel succeeded at once */
    http_has(m, "argo_events_action_triggered_total" HTTP_LABELS " 2");
    http_has(m, "argo_events_action_failed_total" HTTP_LABELS " 2");
    http_has(m, "argo_events_action_retries_failed_total" HTTP_LABELS " 0");
    ce_free(m);
    ce_test_proc_free(sn);
}

static void test_spent_retries_go_to_the_dlq(void **state)
{
    struct http_env *e = *state;
    ce_recorder_reset(e->sc.rec);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 500});
    struct ce_test_proc *sn = http_start_sensor(e, "sensors/http-dlq.yaml");
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'dead-letters'", 1, 20000));
    assert_int_equal(ce_recorder_count(e->sc.rec), 2);
    char *m = http_metrics(e);
    http_has(m, "argo_events_action_failed_total" HTTP_LABELS " 2");
    http_has(m, "argo_events_action_retries_failed_total" HTTP_LABELS " 1");
    ce_free(m);
    ce_test_proc_free(sn);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200});
}

/* A permanent failure (404) is not retried. */
static void test_permanent_failure_not_retried(void **state)
{
    struct http_env *e = *state;
    ce_recorder_reset(e->sc.rec);
    ce_recorder_script_statuses(e->sc.rec, (const int[]){404}, 1);
    struct ce_test_proc *sn = http_start_sensor(e, "sensors/http-permanent.yaml");
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 1, 20000));
    http_sentinel(e, 1); /* the 404 was the only request for the event */
    struct ce_rec_request *q = ce_recorder_request(e->sc.rec, 0);
    assert_string_equal(ce_rec_header(q, "X-Event-Id"), id);
    ce_rec_request_free(q);
    assert_int_equal(ce_test_proc_count(sn, "Failed to execute a trigger"), 1);
    ce_test_proc_free(sn);
}

/* atLeastOnce: the Sensor dies while the target holds the request; the event comes again to
 * the next Sensor (after the bus's ack wait) and is delivered. */
static void test_at_least_once_survives_a_kill(void **state)
{
    struct http_env *e = *state;
    ce_recorder_reset(e->sc.rec);
    ce_recorder_script(e->sc.rec, &(struct ce_rec_reply){.status = 200, .delay_ms = 5000}, 1);
    struct ce_test_proc *sn = http_start_sensor(e, "sensors/http-at-least-once.yaml");
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(ce_recorder_wait(e->sc.rec, 1, 20000));
    ce_test_proc_kill(sn);
    ce_test_proc_free(sn);
    sn = http_start_sensor(e, "sensors/http-at-least-once.yaml");
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'http-trigger'", 1, 60000));
    struct ce_rec_request *q = ce_recorder_request(e->sc.rec, ce_recorder_count(e->sc.rec) - 1);
    assert_string_equal(ce_rec_header(q, "X-Event-Id"), id);
    ce_rec_request_free(q);
    ce_test_proc_free(sn);
}

/* SIGTERM finishes the requests in progress only (one per worker of the trigger): the rest of
 * the fetched batch is handed back, the process exits in seconds, and the next start delivers
 * every event, none twice. */
static void test_stop_leaves_the_rest_for_the_next_start(void **state)
{
    struct http_env *e = *state;
    ce_recorder_reset(e->sc.rec);
    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200, .delay_ms = 1500});
    /* the durable consumer made by a first start gets the events posted while the Sensor is
     * down as one fetched batch at the next start */
    struct ce_test_proc *first = http_start_sensor(e, "sensors/http-at-least-once.yaml");
    assert_int_equal(ce_test_proc_stop(first, 20000), 0);
    ce_test_proc_free(first);
    enum { N = 10 };
    char ids[N + 1][33];
    for (int i = 0; i < N; i++) {
        assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, ids[i]), 200);
    }
    struct ce_test_proc *sn = http_start_sensor(e, "sensors/http-at-least-once.yaml");
    assert_true(ce_recorder_wait(e->sc.rec, 1, 20000));
    int64_t t0 = ce_test_now_ms();
    int status = ce_test_proc_stop(sn, 60000);
    int64_t took = ce_test_now_ms() - t0;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* a hang bound, not a speed target: working through the batch would take 15 s */
    assert_true(took < 8000);
    assert_true(ce_test_proc_count(sn, "stopping: events handed back for the next start") >= 1);
    ce_test_proc_free(sn);
    assert_true(ce_recorder_count(e->sc.rec) <= CE_SENSOR_DEFAULT_WORKERS + 1);

    ce_recorder_set_default(e->sc.rec, &(struct ce_rec_reply){.status = 200});
    sn = http_start_sensor(e, "sensors/http-at-least-once.yaml");
    assert_true(ce_recorder_wait(e->sc.rec, N, 30000));
    /* a sentinel behind them: once it is in, every redelivery would have come before it */
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, ids[N]), 200);
    assert_true(ce_recorder_wait(e->sc.rec, N + 1, 30000));
    int total = ce_recorder_count(e->sc.rec);
    int seen[N + 1] = {0};
    for (int r = 0; r < total; r++) {
        struct ce_rec_request *q = ce_recorder_request(e->sc.rec, r);
        for (int i = 0; i <= N; i++) {
            seen[i] += strcmp(ce_rec_header(q, "X-Event-Id"), ids[i]) == 0;
        }
        ce_rec_request_free(q);
    }
    /* those in progress at the stop were delivered once (acknowledged after them) */
    for (int i = 0; i <= N; i++) {
        assert_int_equal(seen[i], 1);
    }
    assert_int_equal(total, N + 1);
    ce_test_proc_free(sn);
}

/* LOG_LEVEL in the Sensor's pod template (Argo's examples/sensors/log-debug.yaml) sets its log
 * level, as it does in a pod: debug shows each event received. */
static void test_log_level_from_the_manifest(void **state)
{
    struct http_env *e = *state;
    char *file = ce_test_data_write(e->sc.dir, "debug.yaml", "sensors/log-debug.yaml", NULL);
    struct ce_test_proc *sn = ce_scn_start("sensor", file, ce_natsd_url(e->sc.natsd), e->sc.mport,
                                           NULL, CE_SENSOR_SUBSCRIBED_MSG);
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'log-trigger'", 1, 20000));
    char *line = ce_test_proc_line(sn, "received an event", 0);
    assert_non_null(line);
    assert_non_null(strstr(line, "\"level\":\"debug\""));
    assert_non_null(strstr(line, id));
    ce_free(line);
    ce_test_proc_free(sn);
    ce_free(file);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retried_until_delivered),
        cmocka_unit_test(test_spent_retries_go_to_the_dlq),
        cmocka_unit_test(test_permanent_failure_not_retried),
        cmocka_unit_test(test_at_least_once_survives_a_kill),
        cmocka_unit_test(test_stop_leaves_the_rest_for_the_next_start),
        cmocka_unit_test(test_log_level_from_the_manifest),
    };
    return ce_test_run(argc, argv, tests, http_setup, http_teardown);
}
