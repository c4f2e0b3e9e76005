/* SPDX-License-Identifier: Apache-2.0 */
/* The minio EventSource against a real nats-server and the S3 test server
 * (tests/fixtures/s3_server.py), objects uploaded with the real curl tool: the event an upload
 * makes (subject, data as Argo's, an id derived from the record), the prefix/suffix/event-name
 * filters, wrong keys (403 logged and retried, then recovery), a dropped and a stalled stream
 * (reconnect within the idle timeout), an unknown bucket, an unreachable server, the bus down
 * while uploads happen (retried from memory, nothing lost), the push path (a MinIO webhook
 * notification posted to a webhook EventSource), lint of every field, and core/http/aws's
 * signed requests against the same server. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/http/aws.h"
#include "core/service/natsd.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/harness.h"
#include "tests/harness/s3.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#define AK "minio-access"
#define SK "minio-secret-key"
#define KEYS "minio-access:minio-secret-key"

struct mn_env {
    char *dir;
    char *secrets;
    struct ce_natsd *natsd;
    struct ce_test_s3 *s3;
    struct ce_test_proc *es;
    int mport;
};

static void mn_write_keys(struct mn_env *e, const char *secret)
{
    char *d = ce_xasprintf("%s/minio-keys", e->secrets);
    mkdir(d, 0700);
    ce_free(ce_test_write_file(d, "accesskey", AK "\n"));
    ce_free(ce_test_write_file(d, "secretkey", secret));
    ce_free(d);
}

/* Starts the EventSource of tests/data/eventsources/minio.yaml against port; waits for ready
 * when wait_ready. */
static void mn_start_es(struct mn_env *e, int port, bool wait_ready)
{
    char *file = ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/minio.yaml", port);
    const char *extra[] = {"--secrets-dir", e->secrets, NULL};
    e->mport = ce_test_free_port();
    e->es = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd), e->mport, extra,
                         "Eventing server started.");
    ce_free(file);
    if (wait_ready) {
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", e->mport);
        assert_true(ce_test_wait_http(url, 200, 15000));
    }
}

static struct mn_env *mn_env_new(const char *secret)
{
    struct mn_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("minio");
    e->secrets = ce_xasprintf("%s/secrets", e->dir);
    mkdir(e->secrets, 0700);
    mn_write_keys(e, secret);
    e->natsd = ce_scn_natsd_start(e->dir);
    const char *keys[] = {KEYS, NULL};
    const char *buckets[] = {"images", NULL};
    e->s3 = ce_test_s3_start(keys, buckets);
    return e;
}

/* The usual case: right keys, the source listening. */
static int mn_setup(void **state)
{
    struct mn_env *e = mn_env_new(SK);
    mn_start_es(e, ce_test_s3_port(e->s3), true);
    *state = e;
    return 0;
}

/* The source not started yet: the case starts it as it needs. */
static int mn_setup_bare(void **state)
{
    *state = mn_env_new(SK);
    return 0;
}

static int mn_teardown(void **state)
{
    struct mn_env *e = *state;
    if (e->es != NULL) {
        int st = ce_test_proc_stop(e->es, 15000);
        assert_true(WIFEXITED(st));
        ce_test_proc_free(e->es);
    }
    ce_test_s3_stop(e->s3);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    free(e->dir);
    ce_free(e->secrets);
    ce_free(e);
    return 0;
}

static bool mn_ready(const struct mn_env *e, long want)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", e->mport);
    return ce_test_wait_http(url, want, 15000);
}

/* The value of one metric series ("name{labels}"), -1 when absent. */
static double mn_metric(const struct mn_env *e, const char *series)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", e->mport);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 10000, &r), 0);
    double v = -1;
    const char *p = strstr(r.body, series);
    if (p != NULL) {
        v = strtod(p + strlen(series), NULL);
    }
    ce_test_http_resp_fini(&r);
    return v;
}

#define MN_LBL(ev) "{eventsource_name=\"minio\",event_name=\"" ev "\",bucket=\"images\"}"

/* The data of the last event on default.minio.<ev>, parsed; its Nats-Msg-Id to id (33). */
static json_t *mn_last(struct mn_env *e, const char *ev, char id[33])
{
    char subject[96];
    snprintf(subject, sizeof subject, "default.minio.%s", ev);
    char *stored = NULL, *msg_id = NULL;
    assert_int_equal(ce_scn_js_last(ce_natsd_url(e->natsd), subject, &stored, &msg_id), 0);
    struct ce_cloudevent ce;
    char err[160];
    assert_int_equal(ce_cloudevent_decode(stored, strlen(stored), &ce, err, sizeof err), CE_OK);
    assert_string_equal(ce.type, "minio");
    json_t *data = json_loadb(ce.data, ce.data_len, 0, NULL);
    assert_non_null(data);
    ce_cloudevent_fini(&ce);
    if (id != NULL) {
        snprintf(id, 33, "%s", msg_id ? msg_id : "");
    }
    ce_free(stored);
    ce_free(msg_id);
    return data;
}

static const char *mn_str(json_t *data, const char *path)
{
    json_t *j = data;
    char *copy = ce_xstrdup(path), *save = NULL;
    for (char *k = strtok_r(copy, ".", &save); k && j; k = strtok_r(NULL, ".", &save)) {
        j = (*k >= '0' && *k <= '9') ? json_array_get(j, (size_t)strtol(k, NULL, 10))
                                     : json_object_get(j, k);
    }
    ce_free(copy);
    return json_is_string(j) ? json_string_value(j) : NULL;
}

static long long mn_count(struct mn_env *e)
{
    return ce_scn_js_count(ce_natsd_url(e->natsd));
}

/* ---- cases ---- */

static void test_upload_makes_one_event(void **state)
{
    struct mn_env *e = *state;
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "photo.jpg", "0123456789"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
    char id[33];
    json_t *d = mn_last(e, "created", id);
    assert_int_equal(json_array_size(json_object_get(d, "notification")), 1);
    assert_string_equal(mn_str(d, "notification.0.s3.bucket.name"), "images");
    assert_string_equal(mn_str(d, "notification.0.s3.object.key"), "photo.jpg");
    assert_string_equal(mn_str(d, "notification.0.s3.object.eTag"),
                        "781e5e245d69b566979b86e28d23f2c7"); /* md5("0123456789") */
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(
                json_object_get(json_array_get(json_object_get(d, "notification"), 0), "s3"),
                "object"),
            "size")),
        10);
    assert_string_equal(mn_str(d, "notification.0.eventName"), "s3:ObjectCreated:Put");
    assert_string_equal(mn_str(d, "metadata.team"), "data");
    assert_int_equal(strlen(id), 32);
    json_decref(d);
    /* "docs" filters on docs/ *.txt and "removed" on deletions: neither got anything */
    ce_test_sleep_ms(300); /* pacing only: a late second event would be caught by the count */
    assert_int_equal(mn_count(e), 1);
    assert_int_equal(mn_metric(e, "argo_events_events_sent_total{namespace=\"\","
                                  "eventsource_name=\"minio\",event_name=\"created\"}"),
                     1);
    assert_int_equal(mn_metric(e, "cevents_minio_listening" MN_LBL("created")), 1);
}

static void test_redelivered_notification_stored_once(void **state)
{
    struct mn_env *e = *state;
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "twice.jpg", "2"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
    char id1[33], id2[33];
    json_decref(mn_last(e, "created", id1));
    assert_int_equal(ce_test_s3_control(e->s3, "replay"), 200);
    /* published again with the same id; the bus keeps one */
    assert_true(ce_test_proc_wait_line(e->es, "Succeeded to publish an event", 2, 10000));
    assert_int_equal(mn_count(e), 1);
    json_decref(mn_last(e, "created", id2));
    assert_string_equal(id1, id2);
    /* a malformed line is reported and counted, and the stream goes on */
    assert_int_equal(ce_test_s3_control(e->s3, "malformed"), 200);
    assert_true(ce_test_proc_wait_line(e->es, "invalid notification", 3, 10000));
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "after.jpg", "3"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 2, 10000));
    assert_int_equal(mn_metric(e, "argo_events_events_processing_failed_total{namespace=\"\","
                                  "eventsource_name=\"minio\",event_name=\"created\"}"),
                     1);
}

static void test_prefix_suffix_and_event_filters(void **state)
{
    struct mn_env *e = *state;
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "docs/a.txt", "a"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 2, 10000)); /* created + docs */
    json_t *d = mn_last(e, "docs", NULL);
    assert_string_equal(mn_str(d, "notification.0.s3.object.key"), "docs/a.txt");
    json_decref(d);
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "docs/a.jpg", "b"), 200);
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "other/b.txt", "c"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 4, 10000)); /* created only, twice */
    assert_int_equal(ce_test_s3_delete(e->s3, AK, SK, "images", "docs/a.txt"), 204);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 5, 10000));
    d = mn_last(e, "removed", NULL);
    assert_string_equal(mn_str(d, "notification.0.eventName"), "s3:ObjectRemoved:Delete");
    assert_string_equal(mn_str(d, "notification.0.s3.object.key"), "docs/a.txt");
    json_decref(d);
    d = mn_last(e, "docs", NULL);
    assert_string_equal(mn_str(d, "notification.0.s3.object.key"), "docs/a.txt");
    json_decref(d);
    ce_test_sleep_ms(300); /* pacing only */
    assert_int_equal(mn_count(e), 5);
}

static void test_wrong_keys_are_logged_and_retried(void **state)
{
    struct mn_env *e = *state;
    mn_write_keys(e, "not-the-secret");
    mn_start_es(e, ce_test_s3_port(e->s3), false);
    assert_true(ce_test_proc_wait_line(e->es, "SignatureDoesNotMatch", 3, 20000));
    assert_true(ce_test_proc_wait_line(e->es, "\"status\":\"403\"", 3, 1000));
    assert_true(mn_ready(e, 503));
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_s3_stat(e->s3, "denied") >= 6, 20000));
    assert_true(mn_metric(e, "cevents_minio_reconnects_total" MN_LBL("created")) >= 1);
    assert_int_equal(mn_metric(e, "cevents_minio_listening" MN_LBL("created")), 0);

    /* the keys fixed and the source restarted: it listens and the upload arrives */
    mn_write_keys(e, SK);
    int st = ce_test_proc_stop(e->es, 15000);
    assert_true(WIFEXITED(st));
    ce_test_proc_free(e->es);
    mn_start_es(e, ce_test_s3_port(e->s3), true);
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "after.jpg", "x"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
}

static void test_dropped_then_stalled_stream_reconnects(void **state)
{
    struct mn_env *e = *state;
    long listens = ce_test_s3_stat(e->s3, "listens");
    assert_int_equal(ce_test_s3_control(e->s3, "drop"), 200);
    assert_true(ce_test_proc_wait_line(e->es, "ended the notification stream", 3, 10000));
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_s3_stat(e->s3, "listens") >= listens + 3, 10000));
    assert_true(mn_ready(e, 200));
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "one.jpg", "1"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));

    /* stalled: no keep-alives; with ping=1 the idle timeout is 3 s */
    listens = ce_test_s3_stat(e->s3, "listens");
    int64_t t0 = ce_test_now_ms();
    assert_int_equal(ce_test_s3_control(e->s3, "stall"), 200);
    assert_true(ce_test_proc_wait_line(e->es, "within the idle timeout", 3, 10000));
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_s3_stat(e->s3, "listens") >= listens + 3, 10000));
    assert_true(ce_test_now_ms() - t0 < 8000);
    assert_true(mn_ready(e, 200));
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "two.jpg", "2"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 2, 10000));
    json_t *d = mn_last(e, "created", NULL);
    assert_string_equal(mn_str(d, "notification.0.s3.object.key"), "two.jpg");
    json_decref(d);
    assert_true(mn_metric(e, "cevents_minio_reconnects_total" MN_LBL("created")) >= 2);
}

static void test_unknown_bucket_and_server_errors(void **state)
{
    struct mn_env *e = *state;
    assert_int_equal(ce_test_s3_control(e->s3, "fail?status=404"), 200);
    assert_int_equal(ce_test_s3_control(e->s3, "drop"), 200);
    assert_true(ce_test_proc_wait_line(e->es, "NoSuchBucket", 3, 15000));
    assert_true(mn_ready(e, 503));
    assert_int_equal(ce_test_s3_control(e->s3, "fail?status=500"), 200);
    assert_true(ce_test_proc_wait_line(e->es, "\"status\":\"500\"", 1, 15000));
    assert_int_equal(ce_test_s3_control(e->s3, "clear"), 200);
    assert_true(mn_ready(e, 200));
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "back.jpg", "b"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
}

static void test_unreachable_server_is_retried(void **state)
{
    struct mn_env *e = *state;
    mn_start_es(e, ce_test_free_port(), false); /* nothing listens there */
    assert_true(ce_test_proc_wait_line(e->es, "cannot reach the MinIO server", 6, 20000));
    assert_true(mn_ready(e, 503));
    assert_true(mn_metric(e, "cevents_minio_reconnects_total" MN_LBL("created")) >= 2);
}

static void test_bus_down_retried_from_memory(void **state)
{
    struct mn_env *e = *state;
    assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", "first.jpg", "f"), 200);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
    ce_natsd_stop(e->natsd);
    for (int i = 0; i < 5; i++) {
        char key[32];
        snprintf(key, sizeof key, "while-down-%d.jpg", i);
        assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", key, "d"), 200);
    }
    assert_true(ce_test_proc_wait_line(e->es, "retrying from memory", 1, 20000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 6, 30000));
    assert_int_equal(ce_test_proc_count(e->es, "notification is lost"), 0);
    assert_int_equal(mn_metric(e, "cevents_minio_notifications_lost_total{eventsource_name="
                                  "\"minio\"}"),
                     0);
}

static void test_bus_down_loss_beyond_the_bound(void **state)
{
    struct mn_env *e = *state;
    setenv("CE_MINIO_QUEUE_MAX", "2", 1);
    mn_start_es(e, ce_test_s3_port(e->s3), true);
    unsetenv("CE_MINIO_QUEUE_MAX");
    ce_natsd_stop(e->natsd);
    for (int i = 0; i < 4; i++) {
        char key[32];
        snprintf(key, sizeof key, "over-%d.jpg", i);
        assert_int_equal(ce_test_s3_put(e->s3, AK, SK, "images", key, "o"), 200);
    }
    assert_true(ce_test_proc_wait_line(e->es, "notification is lost", 2, 20000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 2, 30000));
    assert_int_equal(mn_metric(e, "cevents_minio_notifications_lost_total{eventsource_name="
                                  "\"minio\"}"),
                     2);
    ce_test_sleep_ms(300); /* pacing only: a third event would be caught by the count */
    assert_int_equal(mn_count(e), 2);
}

static void test_push_path_webhook(void **state)
{
    struct mn_env *e = *state;
    char *d = ce_xasprintf("%s/minio-webhook", e->secrets);
    mkdir(d, 0700);
    ce_free(ce_test_write_file(d, "token", "push-token\n"));
    ce_free(d);
    int port = ce_test_free_port();
    char *file = ce_scn_write_manifest(e->dir, "push.yaml", "eventsources/minio-push.yaml", port);
    const char *extra[] = {"--secrets-dir", e->secrets, NULL};
    e->mport = ce_test_free_port();
    e->es = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd), e->mport, extra,
                         "Eventing server started.");
    ce_free(file);
    char *body = ce_test_data("events/minio-webhook-put.json", NULL);
    char id[33];
    assert_int_equal(ce_scn_post(port, "/minio", body, "Authorization: Bearer wrong", id), 401);
    assert_int_equal(ce_scn_post(port, "/minio", body, "Authorization: Bearer push-token", id),
                     200);
    ce_free(body);
    assert_true(CE_TEST_WAIT_UNTIL(mn_count(e) == 1, 10000));
    char *stored = NULL, *msg_id = NULL;
    assert_int_equal(
        ce_scn_js_last(ce_natsd_url(e->natsd), "default.minio-push.bucket", &stored, &msg_id), 0);
    struct ce_cloudevent ce;
    char err[160];
    assert_int_equal(ce_cloudevent_decode(stored, strlen(stored), &ce, err, sizeof err), CE_OK);
    json_t *data = json_loadb(ce.data, ce.data_len, 0, NULL);
    /* the push path QueryEscapes the key; the top-level Key is bucket/unescaped key */
    assert_string_equal(mn_str(data, "body.Records.0.s3.object.key"), "a+b%2Fphoto.jpg");
    assert_string_equal(mn_str(data, "body.Key"), "images/a b/photo.jpg");
    assert_string_equal(mn_str(data, "body.EventName"), "s3:ObjectCreated:Put");
    json_decref(data);
    ce_cloudevent_fini(&ce);
    ce_free(stored);
    ce_free(msg_id);
}

/* `cevents lint [--strict]` on a file; its exit status, its output to *out (heap). */
static int mn_lint(const char *file, bool strict, char **out)
{
    const char *args[] = {"lint", strict ? "--strict" : file, strict ? file : NULL, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    int st = 0;
    assert_true(ce_test_proc_wait_exit(p, 20000, &st));
    *out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_lint_every_field(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("minio-lint");
    char *good = ce_test_data_write(dir, "good.yaml", "lint/minio-all-fields.yaml", NULL);
    char *out = NULL;
    assert_int_equal(mn_lint(good, false, &out), 0);
    assert_non_null(strstr(out, "1 file, 1 object, 0 errors"));
    ce_free(out);
    /* --strict knows every minio field; only the legacy spec.type is unknown to it */
    assert_int_equal(mn_lint(good, true, &out), 1);
    assert_non_null(strstr(out, "spec.type: unknown field \"type\""));
    assert_non_null(strstr(out, "1 error"));
    ce_free(out);
    char *bad = ce_test_data_write(dir, "bad.yaml", "lint/minio-errors.yaml", NULL);
    assert_int_equal(mn_lint(bad, false, &out), 1);
    assert_non_null(strstr(out, "bad.yaml:12:17: error: spec.minio.bad.endpoint: must be host"));
    assert_non_null(strstr(out, "spec.minio.bad.events: at least one event name is required"));
    assert_non_null(strstr(out, "spec.minio.bad.secretKey: secret key can't be empty"));
    assert_non_null(strstr(out, "spec.minio.bad.bucket.name: bucket name can't be empty"));
    ce_free(out);
    ce_free(good);
    ce_free(bad);
    ce_test_rmtree(dir);
    free(dir);
}

static void test_aws_signed_requests(void **state)
{
    struct mn_env *e = *state;
    struct ce_aws_creds good, bad;
    char err[200];
    assert_int_equal(ce_aws_creds_resolve(AK, SK, NULL, &good, err, sizeof err), CE_OK);
    assert_int_equal(ce_aws_creds_resolve(AK, "wrong", NULL, &bad, err, sizeof err), CE_OK);
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "location", "");
    char *query = ce_aws_query_string(&q);
    char *url = ce_xasprintf("http://127.0.0.1:%d/images?%s", ce_test_s3_port(e->s3), query);
    struct ce_aws_request rq = {
        .method = "GET", .url = url, .region = "us-east-1", .service = "s3", .creds = &good};
    struct ce_aws_response rs;
    assert_int_equal(ce_aws_send(&rq, &rs), CE_OK);
    assert_int_equal(rs.status, 200);
    assert_non_null(strstr(rs.body, "<LocationConstraint"));
    ce_aws_response_fini(&rs);
    rq.creds = &bad;
    assert_int_equal(ce_aws_send(&rq, &rs), CE_OK);
    assert_int_equal(rs.status, 403);
    assert_non_null(strstr(rs.err, "403: SignatureDoesNotMatch: The request signature"));
    ce_aws_response_fini(&rs);
    ce_free(url);
    ce_free(query);
    ce_aws_query_fini(&q);
    ce_aws_creds_fini(&good);
    ce_aws_creds_fini(&bad);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_s3_require();
    /* keep-alives every second (idle timeout 3 s) and reconnects at most 1 s apart */
    setenv("CE_MINIO_PING_SECONDS", "1", 1);
    setenv("CE_MINIO_BACKOFF_MAX_MS", "1000", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upload_makes_one_event, mn_setup, mn_teardown),
        cmocka_unit_test_setup_teardown(test_redelivered_notification_stored_once, mn_setup,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_prefix_suffix_and_event_filters, mn_setup,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_keys_are_logged_and_retried, mn_setup_bare,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_dropped_then_stalled_stream_reconnects, mn_setup,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_bucket_and_server_errors, mn_setup,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_server_is_retried, mn_setup_bare,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_bus_down_retried_from_memory, mn_setup, mn_teardown),
        cmocka_unit_test_setup_teardown(test_bus_down_loss_beyond_the_bound, mn_setup_bare,
                                        mn_teardown),
        cmocka_unit_test_setup_teardown(test_push_path_webhook, mn_setup_bare, mn_teardown),
        cmocka_unit_test(test_lint_every_field),
        cmocka_unit_test_setup_teardown(test_aws_signed_requests, mn_setup_bare, mn_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
