/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook EventSource against a real nats-server: every answer a producer can get (200,
 * 400, 401, 404, 413), the message it leaves on the bus (subject, Nats-Msg-Id, CloudEvent),
 * Idempotency-Key deduplication, GET queries, metadata, and the metrics and readiness. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include <cmocka.h>

struct wh_env {
    struct ce_scn_webhook_scene sc;
};

static int wh_setup(void **state)
{
    struct wh_env *e = ce_xcalloc(1, sizeof(*e));
    ce_scn_webhook_scene_start(&e->sc, "webhook");
    *state = e;
    return 0;
}

static int wh_teardown(void **state)
{
    struct wh_env *e = *state;
    ce_scn_webhook_scene_stop(&e->sc);
    ce_free(e);
    return 0;
}

static long wh_request(struct wh_env *e, const char *method, const char *path,
                       const char *const headers[], const char *body, char **text)
{
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", e->sc.port, path);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http(method, url, headers, body, body ? strlen(body) : 0, 20000, &r),
                     0);
    long status = r.status;
    if (text) {
        *text = ce_xstrdup(r.body ? r.body : "");
    }
    ce_test_http_resp_fini(&r);
    return status;
}

static char *wh_metrics(struct wh_env *e)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", e->sc.mport);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 10000, &r), 0);
    assert_int_equal(r.status, 200);
    char *text = ce_xstrdup(r.body);
    ce_test_http_resp_fini(&r);
    return text;
}

/* The last event stored on subject, decoded: its data as text (heap), its Nats-Msg-Id and,
 * when raw is not NULL, the message bytes as stored. */
static char *wh_last_data(struct wh_env *e, const char *subject, char **msg_id, char **raw)
{
    return ce_scn_js_last_data(ce_natsd_url(e->sc.natsd), subject, msg_id, raw);
}

#define WH_LABELS(ev) "{namespace=\"\",eventsource_name=\"webhook\",event_name=\"" ev "\"}"

static void test_ready_and_metrics_at_zero(void **state)
{
    struct wh_env *e = *state;
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/readyz", e->sc.mport);
    assert_true(ce_test_wait_http(url, 200, 10000));
    char *m = wh_metrics(e);
    /* Every series exists before the first event, so dashboards and alerts work at once. */
    assert_non_null(strstr(m, "argo_events_events_sent_total" WH_LABELS("example") " 0\n"));
    assert_non_null(strstr(m, "argo_events_events_sent_failed_total" WH_LABELS("query") " 0\n"));
    assert_non_null(
        strstr(m, "argo_events_events_processing_failed_total" WH_LABELS("secured") " 0\n"));
    ce_free(m);
}

static void test_health_and_unknown_path(void **state)
{
    struct wh_env *e = *state;
    char *text = NULL;
    assert_int_equal(wh_request(e, "GET", "/health", NULL, NULL, &text), 200);
    assert_string_equal(text, "OK");
    ce_free(text);
    assert_int_equal(wh_request(e, "POST", "/nowhere", NULL, "{}", NULL), 404);
}

static void test_bad_requests(void **state)
{
    struct wh_env *e = *state;
    const char *json[] = {"Content-Type: application/json", NULL};
    char *text = NULL;
    assert_int_equal(wh_request(e, "POST", "/example", json, "{\"a\":", &text), 400);
    assert_non_null(strstr(text, "not valid JSON"));
    ce_free(text);
    assert_int_equal(wh_request(e, "GET", "/example", NULL, NULL, &text), 400);
    assert_string_equal(text, "http method does not match");
    ce_free(text);

    /* Over maxPayloadSize (1024): declared length, then chunked with no length. */
    char big[2048];
    memset(big, ' ', sizeof(big) - 3);
    big[0] = '"';
    big[sizeof(big) - 3] = '"';
    big[sizeof(big) - 2] = '\0';
    assert_int_equal(wh_request(e, "POST", "/example", json, big, NULL), 413);
    const char *chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked", NULL};
    assert_int_equal(wh_request(e, "POST", "/example", chunked, big, NULL), 413);

    char *m = wh_metrics(e);
    assert_non_null(
        strstr(m, "argo_events_events_processing_failed_total" WH_LABELS("example") " 3\n"));
    assert_non_null(strstr(m, "argo_events_events_sent_total" WH_LABELS("example") " 0\n"));
    ce_free(m);
}

static void test_auth(void **state)
{
    struct wh_env *e = *state;
    char *text = NULL;
    assert_int_equal(wh_request(e, "POST", "/secured", NULL, "{}", &text), 401);
    assert_string_equal(text, "Invalid Authorization Header");
    ce_free(text);
    const char *wrong[] = {"Authorization: Bearer s3creT", NULL};
    assert_int_equal(wh_request(e, "POST", "/secured", wrong, "{}", &text), 401);
    assert_string_equal(text, "Invalid Auth token");
    ce_free(text);
    const char *right[] = {"Authorization: Bearer s3cret", NULL};
    assert_int_equal(wh_request(e, "POST", "/secured", right, "{}", NULL), 200);

    /* The token never reaches the bus. */
    char *id = NULL, *raw = NULL;
    char *data = wh_last_data(e, "default.webhook.secured", &id, &raw);
    assert_null(strstr(data, "s3cret"));
    assert_null(strstr(raw, "s3cret"));
    ce_free(raw);
    assert_non_null(strstr(data, "\"Authorization\":[\"*** Masked Auth Secret ***\"]"));
    ce_free(data);
    ce_free(id);
}

static void test_event_on_the_bus(void **state)
{
    struct wh_env *e = *state;
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_int_equal(strlen(id), 32);

    char *msg_id = NULL, *raw = NULL;
    char *data = wh_last_data(e, "default.webhook.example", &msg_id, &raw);
    assert_string_equal(msg_id, id);
    json_error_t jerr;
    json_t *ev = json_loads(raw, 0, &jerr);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(ev, "id")), id);
    assert_string_equal(json_string_value(json_object_get(ev, "source")), "webhook");
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "webhook");
    assert_string_equal(json_string_value(json_object_get(ev, "subject")), "example");
    assert_string_equal(json_string_value(json_object_get(ev, "datacontenttype")),
                        "application/json");
    /* Argo's key order on the wire, and its data encoding (the SDK base64-encodes bytes). */
    assert_true(strncmp(raw, "{\"specversion\":\"1.0\",\"id\":\"", 27) == 0);
    assert_non_null(json_object_get(ev, "data_base64"));
    assert_non_null(strstr(data, "\"body\":{\"message\":\"this is my first webhook\"}"));
    json_decref(ev);
    ce_free(raw);
    ce_free(data);
    ce_free(msg_id);
}

static void test_idempotency_key(void **state)
{
    struct wh_env *e = *state;
    const char *url = ce_natsd_url(e->sc.natsd);
    long long before = ce_scn_js_count(url);
    char id1[33], id2[33], id3[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", "{\"n\":1}", "Idempotency-Key: k-1", id1),
                     200);
    assert_int_equal(ce_scn_post(e->sc.port, "/example", "{\"n\":1}", "Idempotency-Key: k-1", id2),
                     200);
    assert_string_equal(id1, id2);
    assert_int_equal(ce_scn_post(e->sc.port, "/example", "{\"n\":2}", "Idempotency-Key: k-2", id3),
                     200);
    assert_string_not_equal(id1, id3);
    assert_int_equal(ce_scn_js_count(url), before + 2);
}

/* filter.expression: a passing event is stored, a turned-down one is answered 200 (as Argo
 * Events does) but never stored, and is logged and counted; data the expression cannot use
 * (a field of the wrong type) is turned down the same way. */
static void test_filter_expression(void **state)
{
    struct wh_env *e = *state;
    const char *url = ce_natsd_url(e->sc.natsd);
    long long before = ce_scn_js_count(url);
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/filtered", "{\"id\":4,\"name\":\"Ann\"}", NULL, id),
                     200);
    assert_int_equal(ce_scn_js_count(url), before + 1);
    char *msg_id = NULL;
    char *data = wh_last_data(e, "default.webhook.filtered", &msg_id, NULL);
    assert_non_null(strstr(data, "\"name\":\"Ann\""));
    assert_string_equal(msg_id, id);
    ce_free(msg_id);
    ce_free(data);

    assert_int_equal(ce_scn_post(e->sc.port, "/filtered", "{\"id\":4,\"name\":\"Joe\"}", NULL, id),
                     200);
    assert_true(ce_test_proc_wait_line(e->sc.es, "Event dropped by the event filter", 1, 10000));
    char *line = ce_test_proc_line(e->sc.es, "Event dropped by the event filter", 0);
    assert_non_null(strstr(line, id));
    ce_free(line);
    assert_int_equal(
        ce_scn_post(e->sc.port, "/filtered", "{\"id\":\"4\",\"name\":\"Ann\"}", NULL, id), 200);
    assert_int_equal(ce_scn_js_count(url), before + 1);
    char *m = wh_metrics(e);
    assert_non_null(
        strstr(m, "cevents_eventsource_events_filtered_total" WH_LABELS("filtered") " 2"));
    assert_non_null(strstr(m, "argo_events_events_sent_total" WH_LABELS("filtered") " 1"));
    ce_free(m);
}

/* An expression that does not parse stops the EventSource at start, naming the place. */
static void test_bad_filter_refused(void **state)
{
    struct wh_env *e = *state;
    char *file = ce_scn_write_manifest(e->sc.dir, "bad.yaml",
                                       "eventsources/webhook-bad-filter.yaml", ce_test_free_port());
    const char *args[] = {"eventsource", "-f", file, "--bus", ce_natsd_url(e->sc.natsd), NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 20000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    char *out = ce_test_proc_output(p);
    /* at the expression itself, not at the event */
    char *want = ce_xasprintf("%s:12:21: error: spec.webhook.example.filter.expression:", file);
    if (strstr(out, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, out);
    }
    ce_free(want);
    ce_free(out);
    ce_test_proc_free(p);
    ce_free(file);
}

static void test_get_query_and_metadata(void **state)
{
    struct wh_env *e = *state;
    assert_int_equal(wh_request(e, "GET", "/query?b=2&a=1&a=x+y%21", NULL, NULL, NULL), 200);
    char *id = NULL;
    char *data = wh_last_data(e, "default.webhook.query", &id, NULL);
    assert_non_null(strstr(data, "\"body\":{\"a\":[\"1\",\"x y!\"],\"b\":[\"2\"]}"));
    assert_non_null(strstr(data, "\"metadata\":{\"team\":\"data\"}"));
    ce_free(data);
    ce_free(id);
}

/* Sends len raw bytes to the webhook's port and returns the status line's code (0 if none). */
static int wh_raw_n(struct wh_env *e, const char *raw, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)e->sc.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(write(fd, raw, len), (ssize_t)len);
    char buf[256] = "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    int code = 0;
    if (n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0) {
        code = (int)strtol(buf + 9, NULL, 10);
    }
    return code;
}

static int wh_raw(struct wh_env *e, const char *raw)
{
    return wh_raw_n(e, raw, strlen(raw));
}

/* A NUL byte in the request target is not cut there (which would route "/example\0junk" to
 * "/example"): the request is refused. Targets with a query or escapes still pass. */
static void test_nul_in_target_refused(void **state)
{
    struct wh_env *e = *state;
    static const char nul[] = "POST /example\0junk HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              "application/json\r\nContent-Length: 2\r\n\r\n{}";
    assert_int_equal(wh_raw_n(e, nul, sizeof nul - 1), 400);
    static const char in_query[] = "POST /example?a=\0b HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                   "application/json\r\nContent-Length: 2\r\n\r\n{}";
    assert_int_equal(wh_raw_n(e, in_query, sizeof in_query - 1), 400);
    assert_int_equal(wh_raw(e, "POST /ex%61mple?a=b&c=%20d HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: 2\r\n\r\n{}"),
                     200);
    assert_int_equal(wh_raw(e, "POST /example HTTP/1.0\r\nContent-Type: "
                               "application/json\r\nContent-Length: 2\r\n\r\n{}"),
                     200);
}

/* Two different Content-Length headers leave the body's end ambiguous: refused, not guessed. */
static void test_conflicting_lengths_refused(void **state)
{
    struct wh_env *e = *state;
    assert_int_equal(wh_raw(e, "POST /example HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: 7\r\nContent-Length: "
                               "3\r\n\r\n{\"a\":1}"),
                     400);
    /* the same length twice is harmless */
    assert_int_equal(wh_raw(e, "POST /example HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: 7\r\nContent-Length: "
                               "7\r\nConnection: close\r\n\r\n{\"a\":1}"),
                     200);
}

/* A form posted with a charset parameter is still a form. */
static void test_form_with_parameters(void **state)
{
    struct wh_env *e = *state;
    const char *hdrs[] = {"Content-Type: Application/X-WWW-Form-Urlencoded; charset=utf-8", NULL};
    assert_int_equal(wh_request(e, "POST", "/example", hdrs, "a=1&b=x+y", NULL), 200);
    char *id = NULL;
    char *data = wh_last_data(e, "default.webhook.example", &id, NULL);
    assert_non_null(strstr(data, "\"body\":{\"a\":[\"1\"],\"b\":[\"x y\"]}"));
    ce_free(data);
    ce_free(id);
}

/* An authSecret that is not mounted stops the EventSource at start, naming the file, instead of
 * answering every request 500. */
static void test_missing_auth_secret_refused_at_start(void **state)
{
    struct wh_env *e = *state;
    char *secrets = ce_xasprintf("%s/secrets", e->sc.dir);
    char *file = ce_scn_write_manifest(
        e->sc.dir, "guarded.yaml", "eventsources/webhook-auth-missing.yaml", ce_test_free_port());
    const char *args[] = {
        "eventsource",    "-f", file, "--bus", ce_natsd_url(e->sc.natsd), "--secrets-dir", secrets,
        "--metrics-port", "0",  NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 20000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    char *line = ce_test_proc_line(p, "cannot read the webhook's authSecret", 0);
    assert_non_null(line);
    char *path = ce_xasprintf("%s/no-such-secret/token", secrets);
    assert_non_null(strstr(line, path));
    assert_int_equal(ce_test_proc_count(p, "Eventing server started."), 0);
    ce_free(path);
    ce_free(line);
    ce_test_proc_free(p);
    ce_free(file);
    ce_free(secrets);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_and_metrics_at_zero),
        cmocka_unit_test(test_health_and_unknown_path),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_missing_auth_secret_refused_at_start),
        cmocka_unit_test(test_form_with_parameters),
        cmocka_unit_test(test_conflicting_lengths_refused),
        cmocka_unit_test(test_nul_in_target_refused),
        cmocka_unit_test(test_event_on_the_bus),
        cmocka_unit_test(test_idempotency_key),
        cmocka_unit_test(test_get_query_and_metadata),
        cmocka_unit_test(test_filter_expression),
        cmocka_unit_test(test_bad_filter_refused),
    };
    return ce_test_run(argc, argv, tests, wh_setup, wh_teardown);
}
