/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/http/request against the recording server: what goes on the wire for each method
 * (the headers Go's client sends in Argo Events, none of libcurl's extras), headers merged in
 * Argo's order, secureHeaders and basicAuth from secret files, the host override, exact body
 * bytes, the outcome classes on the wire (timeout, refused, 5xx/429 retryable, other 4xx
 * permanent), Retry-After, redirects as Go follows them, connection reuse from several threads, the
 * response cap, and the recorder itself. HTTPS is in test_http_request_tls.c, spec parsing and
 * the pure classification in test_http_spec.c. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "core/http/request.h"

#include <fcntl.h>
#include <pthread.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

struct th_ctx {
    char *dir, *secrets, *config;
    struct ce_recorder *rec;
    struct ce_http_client *client;
};

static void th_put(const char *dir, const char *name, const char *key, const char *content)
{
    char *sub = ce_xasprintf("%s/%s", dir, name);
    mkdir(sub, 0700);
    ce_free(ce_test_write_file(sub, key, content));
    ce_free(sub);
}

static int th_setup(void **state)
{
    struct th_ctx *c = ce_xcalloc(1, sizeof(*c));
    c->dir = ce_test_tmpdir("http-request");
    c->secrets = ce_xasprintf("%s/secrets", c->dir);
    c->config = ce_xasprintf("%s/config", c->dir);
    mkdir(c->secrets, 0700);
    mkdir(c->config, 0700);
    th_put(c->secrets, "api", "token", "Bearer s3cret\n");
    th_put(c->secrets, "auth", "user", "alice");
    th_put(c->secrets, "auth", "pass", "p:w\n");
    th_put(c->config, "settings", "tenant", "t-42");
    c->rec = ce_recorder_start(NULL, NULL);
    c->client = ce_http_client_create();
    *state = c;
    return 0;
}

static int th_teardown(void **state)
{
    struct th_ctx *c = *state;
    ce_http_client_destroy(c->client);
    ce_recorder_stop(c->rec);
    ce_test_rmtree(c->dir);
    ce_free(c->dir);
    ce_free(c->secrets);
    ce_free(c->config);
    ce_free(c);
    return 0;
}

/* The target for an http block whose "@URL@" is replaced by the recorder's URL + path. */
static struct ce_http_target *th_target(struct th_ctx *c, const char *path, const char *fmt)
{
    char *url = ce_recorder_url(c->rec, path);
    const char *at = strstr(fmt, "@URL@");
    assert_non_null(at);
    char *text = ce_xasprintf("%.*s%s%s", (int)(at - fmt), fmt, url, at + 5);
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (j == NULL) {
        fail_msg("bad test JSON %s: %s", text, jerr.text);
    }
    struct ce_http_target *t = NULL;
    char err[256] = "";
    int rc = ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err));
    if (rc != CE_OK) {
        fail_msg("target %s: %s", text, err);
    }
    json_decref(j);
    ce_free(text);
    ce_free(url);
    return t;
}

/* Sends and returns the i-th recorded request. */
static struct ce_rec_request *th_send(struct th_ctx *c, const struct ce_http_target *t,
                                      const char *const *extra, const char *body, size_t len,
                                      struct ce_http_outcome *o, int want_rc)
{
    int before = ce_recorder_count(c->rec);
    assert_int_equal(ce_http_send(c->client, t, extra, body, len, o), want_rc);
    assert_true(ce_recorder_wait(c->rec, before + 1, 5000));
    return ce_recorder_request(c->rec, before);
}

static void test_methods_and_default_headers(void **state)
{
    struct th_ctx *c = *state;
    static const struct {
        const char *method_json; /* "" for no method field */
        const char *body;
        const char *want_method;
        const char *want_length; /* NULL: no Content-Length */
    } cases[] = {
        {"", "", "POST", "0"},
        {",\"method\":\"POST\"", "{\"a\":1}", "POST", "7"},
        {",\"method\":\"PUT\"", "xy", "PUT", "2"},
        {",\"method\":\"PATCH\"", "", "PATCH", "0"},
        {",\"method\":\"DELETE\"", "", "DELETE", "0"},
        {",\"method\":\"GET\"", "", "GET", NULL},
        {",\"method\":\"GET\"", "q", "GET", "1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *fmt = ce_xasprintf("{\"url\":\"@URL@\"%s}", cases[i].method_json);
        struct ce_http_target *t = th_target(c, "/m?x=1", fmt);
        assert_string_equal(ce_http_target_method(t), cases[i].want_method);
        struct ce_http_outcome o;
        struct ce_rec_request *q =
            th_send(c, t, NULL, cases[i].body, strlen(cases[i].body), &o, CE_OK);
        assert_int_equal(o.status, 200);
        assert_int_equal(o.failure, CE_HTTP_FAIL_NONE);
        assert_int_equal(o.retry_after_ms, -1);
        assert_string_equal(o.err, "");
        assert_string_equal(q->method, cases[i].want_method);
        assert_string_equal(q->target, "/m?x=1");
        assert_memory_equal(q->body, cases[i].body, strlen(cases[i].body));
        assert_int_equal(q->body_len, strlen(cases[i].body));
        const char *cl = ce_rec_header(q, "Content-Length");
        if (cases[i].want_length == NULL) {
            assert_null(cl);
        }
        else {
            assert_non_null(cl);
            assert_string_equal(cl, cases[i].want_length);
        }
        /* Go's client adds no Content-Type, Accept or Expect; it asks for gzip */
        assert_null(ce_rec_header(q, "Content-Type"));
        assert_null(ce_rec_header(q, "Accept"));
        assert_null(ce_rec_header(q, "Expect"));
        assert_string_equal(ce_rec_header(q, "Accept-Encoding"), "gzip");
        assert_non_null(strstr(ce_rec_header(q, "User-Agent"), "cevents/"));
        assert_int_equal(ce_rec_header_count(q, "Host"), 1);
        ce_rec_request_free(q);
        ce_http_target_destroy(t);
        ce_free(fmt);
    }
}

static void test_header_merge_order(void **state)
{
    struct th_ctx *c = *state;
    struct ce_http_target *t =
        th_target(c, "/h",
                  "{\"url\":\"@URL@\",\"headers\":{\"X-Static\":\"  a  \",\"X-Dyn\":\"static\","
                  "\"X-Token\":\"static\",\"x-case\":\"lower\",\"X-Empty\":\"\",\"Content-Type\":"
                  "\"application/json\",\"Host\":\"ignored.example\",\"Accept\":\"text/plain\"},"
                  "\"secureHeaders\":[{\"name\":\"X-Token\",\"valueFrom\":{\"secretKeyRef\":"
                  "{\"name\":\"api\",\"key\":\"token\"}}},{\"name\":\"X-Tenant\",\"valueFrom\":"
                  "{\"configMapKeyRef\":{\"name\":\"settings\",\"key\":\"tenant\"}}}]}");
    const char *extra[] = {"X-Dyn: from-event", "X-Token: from-event", "X-Case: upper", NULL};
    struct ce_http_outcome o;
    struct ce_rec_request *q = th_send(c, t, extra, "{}", 2, &o, CE_OK);
    assert_string_equal(ce_rec_header(q, "X-Static"), "a");
    assert_string_equal(ce_rec_header(q, "X-Dyn"), "from-event");
    /* secureHeaders come last and win; one trailing newline of the secret file is dropped */
    assert_string_equal(ce_rec_header(q, "X-Token"), "Bearer s3cret");
    assert_int_equal(ce_rec_header_count(q, "X-Token"), 1);
    assert_string_equal(ce_rec_header(q, "X-Tenant"), "t-42");
    /* names differing in case are different map keys, as in Go: both are sent */
    assert_int_equal(ce_rec_header_count(q, "X-Case"), 2);
    assert_non_null(ce_rec_header(q, "X-Empty"));
    assert_string_equal(ce_rec_header(q, "X-Empty"), "");
    assert_string_equal(ce_rec_header(q, "Content-Type"), "application/json");
    assert_string_equal(ce_rec_header(q, "Accept"), "text/plain");
    /* a Host header in the map is ignored, only the host field sets it */
    char *hostport = ce_xasprintf("127.0.0.1:%d", ce_recorder_port(c->rec));
    assert_string_equal(ce_rec_header(q, "Host"), hostport);
    ce_free(hostport);
    ce_rec_request_free(q);
    ce_http_target_destroy(t);
}

static void test_basic_auth_and_host(void **state)
{
    struct th_ctx *c = *state;
    struct ce_http_target *t =
        th_target(c, "/a",
                  "{\"url\":\"@URL@\",\"host\":\"api.example.com\",\"headers\":{\"Authorization\":"
                  "\"Bearer replaced\"},\"basicAuth\":{\"username\":{\"name\":\"auth\",\"key\":"
                  "\"user\"},\"password\":{\"name\":\"auth\",\"key\":\"pass\"}}}");
    struct ce_http_outcome o;
    struct ce_rec_request *q = th_send(c, t, NULL, NULL, 0, &o, CE_OK);
    /* base64("alice:p:w") */
    assert_string_equal(ce_rec_header(q, "Authorization"), "Basic YWxpY2U6cDp3");
    assert_int_equal(ce_rec_header_count(q, "Authorization"), 1);
    assert_string_equal(ce_rec_header(q, "Host"), "api.example.com");
    ce_rec_request_free(q);
    ce_http_target_destroy(t);

    /* credentials in the URL become basic auth, as in Go's client */
    char *url = ce_recorder_url(c->rec, "/u");
    char *json = ce_xasprintf("{\"url\":\"http://bob:pw@%s\"}", url + strlen("http://"));
    json_t *j = json_loads(json, 0, NULL);
    char err[256];
    assert_int_equal(ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)),
                     CE_OK);
    q = th_send(c, t, NULL, NULL, 0, &o, CE_OK);
    assert_string_equal(ce_rec_header(q, "Authorization"), "Basic Ym9iOnB3");
    ce_rec_request_free(q);
    ce_http_target_destroy(t);
    json_decref(j);
    ce_free(json);
    ce_free(url);

    /* a basicAuth block without fields still sends the (empty) credentials, as Go does */
    t = th_target(c, "/a", "{\"url\":\"@URL@\",\"basicAuth\":{}}");
    q = th_send(c, t, NULL, NULL, 0, &o, CE_OK);
    assert_string_equal(ce_rec_header(q, "Authorization"), "Basic Og==");
    ce_rec_request_free(q);
    ce_http_target_destroy(t);
}

static void test_body_bytes_exact(void **state)
{
    struct th_ctx *c = *state;
    size_t len = 300000;
    char *body = ce_xmalloc(len);
    for (size_t i = 0; i < len; i++) {
        body[i] = (char)(i * 7 + i / 256);
    }
    body[10] = '\0';
    struct ce_http_target *t = th_target(c, "/b", "{\"url\":\"@URL@\",\"method\":\"PUT\"}");
    struct ce_http_outcome o;
    struct ce_rec_request *q = th_send(c, t, NULL, body, len, &o, CE_OK);
    assert_int_equal(q->body_len, len);
    assert_memory_equal(q->body, body, len);
    assert_null(ce_rec_header(q, "Expect"));
    ce_rec_request_free(q);
    ce_http_target_destroy(t);
    ce_free(body);
}

static void test_status_classes(void **state)
{
    struct th_ctx *c = *state;
    static const struct {
        int status;
        int want; /* without a policy */
    } cases[] = {
        {200, CE_OK},      {201, CE_OK},      {204, CE_OK},      {503, CE_RETRY},
        {500, CE_RETRY},   {429, CE_RETRY},   {408, CE_RETRY},   {404, CE_EREMOTE},
        {400, CE_EREMOTE}, {401, CE_EREMOTE}, {304, CE_EREMOTE}, {300, CE_EREMOTE},
    };
    struct ce_http_target *t = th_target(c, "/s", "{\"url\":\"@URL@\"}");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ce_recorder_script_statuses(c->rec, &cases[i].status, 1);
        struct ce_http_outcome o;
        struct ce_rec_request *q = th_send(c, t, NULL, "x", 1, &o, CE_OK);
        assert_int_equal(o.status, cases[i].status);
        assert_int_equal(ce_http_classify(&o, NULL, 0), cases[i].want);
        if (cases[i].want != CE_OK) {
            assert_non_null(strstr(o.err, "answered"));
        }
        ce_rec_request_free(q);
    }
    ce_http_target_destroy(t);
}

static void test_retry_after_on_the_wire(void **state)
{
    struct th_ctx *c = *state;
    char date[64];
    time_t in20 = time(NULL) + 20;
    struct tm tm;
    gmtime_r(&in20, &tm);
    strftime(date, sizeof(date), "Retry-After: %a, %d %b %Y %H:%M:%S GMT", &tm);
    struct ce_rec_reply replies[2] = {
        {.status = 503, .headers = {"Retry-After: 7", NULL}},
        {.status = 429, .headers = {date, NULL}},
    };
    ce_recorder_script(c->rec, replies, 2);
    struct ce_http_target *t = th_target(c, "/r", "{\"url\":\"@URL@\"}");
    struct ce_http_outcome o;
    ce_rec_request_free(th_send(c, t, NULL, "", 0, &o, CE_OK));
    assert_int_equal(o.status, 503);
    assert_int_equal(o.retry_after_ms, 7000);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_RETRY);
    ce_rec_request_free(th_send(c, t, NULL, "", 0, &o, CE_OK));
    assert_int_equal(o.status, 429);
    assert_true(o.retry_after_ms > 17000 && o.retry_after_ms <= 20000);
    ce_http_target_destroy(t);
}

static void test_timeout_is_retryable(void **state)
{
    struct th_ctx *c = *state;
    /* the answer would come long after the 1 s timeout (the recorder cuts the wait short) */
    struct ce_rec_reply slow = {.status = 200, .delay_ms = 30000};
    ce_recorder_script(c->rec, &slow, 1);
    struct ce_http_target *t = th_target(c, "/slow", "{\"url\":\"@URL@\",\"timeout\":1}");
    struct ce_http_outcome o;
    int64_t start = ce_test_now_ms();
    assert_int_equal(ce_http_send(c->client, t, NULL, "x", 1, &o), CE_ETIMEDOUT);
    assert_true(ce_test_now_ms() - start >= 900); /* it did wait for the timeout */
    assert_int_equal(o.status, 0);
    assert_int_equal(o.failure, CE_HTTP_FAIL_TIMEOUT);
    assert_true(o.err[0] != '\0');
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_RETRY);
    ce_http_target_destroy(t);
}

static void test_refused_and_dropped(void **state)
{
    struct th_ctx *c = *state;
    int port = ce_test_free_port();
    char *json = ce_xasprintf("{\"url\":\"http://127.0.0.1:%d/x\"}", port);
    json_t *j = json_loads(json, 0, NULL);
    struct ce_http_target *t = NULL;
    char err[256];
    assert_int_equal(ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)),
                     CE_OK);
    struct ce_http_outcome o;
    assert_int_equal(ce_http_send(c->client, t, NULL, NULL, 0, &o), CE_EUNAVAIL);
    assert_int_equal(o.failure, CE_HTTP_FAIL_TRANSPORT);
    assert_non_null(strstr(o.err, "127.0.0.1"));
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_RETRY);
    ce_http_target_destroy(t);
    json_decref(j);
    ce_free(json);

    /* credentials in the URL never show in messages */
    json = ce_xasprintf("{\"url\":\"http://u:pw0rd@127.0.0.1:%d/x\"}", port);
    j = json_loads(json, 0, NULL);
    assert_int_equal(ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)),
                     CE_OK);
    assert_null(strstr(ce_http_target_url(t), "pw0rd"));
    assert_non_null(strstr(ce_http_target_url(t), "u:xxxxx@"));
    assert_int_equal(ce_http_send(c->client, t, NULL, NULL, 0, &o), CE_EUNAVAIL);
    assert_null(strstr(o.err, "pw0rd"));
    ce_http_target_destroy(t);
    json_decref(j);
    ce_free(json);

    /* the server closes the connection without answering */
    struct ce_rec_reply drop = {.status = 0};
    ce_recorder_script(c->rec, &drop, 1);
    t = th_target(c, "/drop", "{\"url\":\"@URL@\"}");
    ce_rec_request_free(th_send(c, t, NULL, "x", 1, &o, CE_EUNAVAIL));
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_RETRY);
    ce_http_target_destroy(t);
}

static void test_redirects(void **state)
{
    struct th_ctx *c = *state;
    struct ce_rec_reply replies[] = {
        {.status = 302, .headers = {"Location: /after-302", NULL}},
        {.status = 200},
        {.status = 307, .headers = {"Location: /after-307", NULL}},
        {.status = 200},
        {.status = 301, .headers = {NULL}}, /* no Location: the answer itself */
    };
    ce_recorder_script(c->rec, replies, 5);
    struct ce_http_target *t = th_target(c, "/start",
                                         "{\"url\":\"@URL@\",\"method\":\"PUT\",\"host\":\"virt."
                                         "example\",\"headers\":{\"X-K\":\"v\"}"
                                         ",\"basicAuth\":{}}");
    struct ce_http_outcome o;
    assert_int_equal(ce_http_send(c->client, t, NULL, "payload", 7, &o), CE_OK);
    assert_int_equal(o.status, 200);
    assert_int_equal(o.redirects, 1);
    struct ce_rec_request *q = ce_recorder_request(c->rec, 1);
    /* 302: a PUT becomes a GET without body; headers, credentials and Host stay */
    assert_string_equal(q->method, "GET");
    assert_string_equal(q->path, "/after-302");
    assert_int_equal(q->body_len, 0);
    assert_string_equal(ce_rec_header(q, "X-K"), "v");
    assert_non_null(ce_rec_header(q, "Authorization"));
    assert_string_equal(ce_rec_header(q, "Host"), "virt.example");
    assert_non_null(strstr(ce_rec_header(q, "Referer"), "/start"));
    ce_rec_request_free(q);

    assert_int_equal(ce_http_send(c->client, t, NULL, "payload", 7, &o), CE_OK);
    q = ce_recorder_request(c->rec, 3);
    /* 307: the same method and body */
    assert_string_equal(q->method, "PUT");
    assert_string_equal(q->path, "/after-307");
    assert_int_equal(q->body_len, 7);
    assert_memory_equal(q->body, "payload", 7);
    ce_rec_request_free(q);

    assert_int_equal(ce_http_send(c->client, t, NULL, "payload", 7, &o), CE_OK);
    assert_int_equal(o.status, 301);
    assert_int_equal(o.redirects, 0);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_EREMOTE);
    ce_http_target_destroy(t);

    /* nine redirects are followed */
    struct ce_rec_reply hop = {.status = 303, .headers = {"Location: /n", NULL}};
    for (int i = 0; i < 9; i++) {
        ce_recorder_script(c->rec, &hop, 1);
    }
    struct ce_rec_reply done = {.status = 200};
    ce_recorder_script(c->rec, &done, 1);
    t = th_target(c, "/n", "{\"url\":\"@URL@\"}");
    assert_int_equal(ce_http_send(c->client, t, NULL, NULL, 0, &o), CE_OK);
    assert_int_equal(o.status, 200);
    assert_int_equal(o.redirects, 9);
    ce_http_target_destroy(t);

    /* a loop stops at the 10th redirect, for good: 10 requests, as Go sends */
    struct ce_rec_reply loop = {.status = 302, .headers = {"Location: /loop", NULL}};
    ce_recorder_set_default(c->rec, &loop);
    t = th_target(c, "/loop", "{\"url\":\"@URL@\"}");
    int before = ce_recorder_count(c->rec);
    assert_int_equal(ce_http_send(c->client, t, NULL, NULL, 0, &o), CE_EINVAL);
    assert_int_equal(ce_recorder_count(c->rec) - before, 10);
    assert_int_equal(o.failure, CE_HTTP_FAIL_LOCAL);
    assert_non_null(strstr(o.err, "redirects"));
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_EINVAL);
    ce_http_target_destroy(t);
}

static void test_redirect_to_other_host_drops_credentials(void **state)
{
    struct th_ctx *c = *state;
    /* "localhost" is another host name than 127.0.0.1, though the same server */
    char *loc = ce_xasprintf("Location: http://localhost:%d/other", ce_recorder_port(c->rec));
    struct ce_rec_reply replies[] = {{.status = 308, .headers = {loc, NULL}}, {.status = 200}};
    ce_recorder_script(c->rec, replies, 2);
    struct ce_http_target *t =
        th_target(c, "/start",
                  "{\"url\":\"@URL@\",\"host\":\"virt.example\",\"headers\":{\"Cookie\":\"a=b\"},"
                  "\"basicAuth\":{}}");
    struct ce_http_outcome o;
    assert_int_equal(ce_http_send(c->client, t, NULL, "b", 1, &o), CE_OK);
    assert_int_equal(o.status, 200);
    struct ce_rec_request *q = ce_recorder_request(c->rec, 1);
    assert_string_equal(q->path, "/other");
    assert_string_equal(q->method, "POST");
    assert_null(ce_rec_header(q, "Authorization"));
    assert_null(ce_rec_header(q, "Cookie"));
    /* an absolute Location ends the Host override */
    assert_non_null(strstr(ce_rec_header(q, "Host"), "localhost:"));
    ce_rec_request_free(q);
    ce_http_target_destroy(t);
    ce_free(loc);
}

static void test_keep_alive_and_response_cap(void **state)
{
    struct th_ctx *c = *state;
    struct ce_http_target *t = th_target(c, "/k", "{\"url\":\"@URL@\"}");
    struct ce_http_outcome o;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ce_http_send(c->client, t, NULL, "x", 1, &o), CE_OK);
    }
    assert_int_equal(ce_recorder_connections(c->rec), 1);

    size_t big = CE_HTTP_RESPONSE_CAP + 4096;
    char *body = ce_xmalloc(big + 1);
    memset(body, 'z', big);
    body[big] = '\0';
    struct ce_rec_reply r = {.status = 200, .body = body};
    ce_recorder_script(c->rec, &r, 1);
    assert_int_equal(ce_http_send(c->client, t, NULL, "x", 1, &o), CE_OK);
    assert_int_equal(o.status, 200);
    assert_int_equal(o.resp_bytes, CE_HTTP_RESPONSE_CAP);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_OK);
    struct ce_rec_reply small = {.status = 200, .body = "hello"};
    ce_recorder_script(c->rec, &small, 1);
    assert_int_equal(ce_http_send(NULL, t, NULL, "x", 1, &o), CE_OK); /* no client */
    assert_int_equal(o.resp_bytes, 5);
    ce_free(body);
    ce_http_target_destroy(t);
}

struct th_worker {
    struct th_ctx *c;
    const struct ce_http_target *t;
    int ok;
};

static void *th_worker_run(void *arg)
{
    struct th_worker *w = arg;
    for (int i = 0; i < 50; i++) {
        struct ce_http_outcome o;
        char body[32];
        int n = snprintf(body, sizeof(body), "{\"n\":%d}", i);
        w->ok +=
            ce_http_send(w->c->client, w->t, NULL, body, (size_t)n, &o) == CE_OK && o.status == 200;
    }
    return NULL;
}

/* Sends from several threads share one client and one target; connections are reused. */
static void test_concurrent_sends(void **state)
{
    struct th_ctx *c = *state;
    struct ce_http_target *t = th_target(c, "/c", "{\"url\":\"@URL@\"}");
    pthread_t th[4];
    struct th_worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct th_worker){c, t, 0};
        assert_int_equal(pthread_create(&th[i], NULL, th_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, 50);
    }
    assert_int_equal(ce_recorder_count(c->rec), 200);
    assert_true(ce_recorder_connections(c->rec) <= 4);
    ce_http_target_destroy(t);
}

/* The recorder as the sensor's integration tests use it: a scripted 503, 503, 200. */
static void test_recorder_script(void **state)
{
    struct th_ctx *c = *state;
    static const int seq[] = {503, 503, 200};
    ce_recorder_script_statuses(c->rec, seq, 3);
    struct ce_rec_reply dflt = {.status = 202, .headers = {"X-Default: yes", NULL}, .body = "d"};
    ce_recorder_set_default(c->rec, &dflt);
    char *url = ce_recorder_url(c->rec, "/seq?a=%20b");
    long want[] = {503, 503, 200, 202};
    for (int i = 0; i < 4; i++) {
        struct ce_test_http_resp r;
        const char *hdrs[] = {"X-Dup: 1", "X-Dup: 2", NULL};
        assert_int_equal(ce_test_http("POST", url, hdrs, "abc", 3, 5000, &r), 0);
        assert_int_equal(r.status, want[i]);
        if (i == 3) {
            char *h = ce_test_http_header(&r, "X-Default");
            assert_string_equal(h, "yes");
            assert_string_equal(r.body, "d");
            ce_free(h);
        }
        ce_test_http_resp_fini(&r);
    }
    assert_int_equal(ce_recorder_count(c->rec), 4);
    struct ce_rec_request *q = ce_recorder_request(c->rec, 2);
    assert_string_equal(q->target, "/seq?a=%20b");
    assert_string_equal(q->path, "/seq");
    assert_int_equal(ce_rec_header_count(q, "x-dup"), 2);
    assert_string_equal(q->body, "abc");
    assert_int_equal(q->body_total, 3);
    assert_true(q->client_port > 0);
    ce_rec_request_free(q);
    assert_null(ce_recorder_request(c->rec, 4));
    ce_recorder_reset(c->rec);
    assert_int_equal(ce_recorder_count(c->rec), 0);
    assert_null(ce_recorder_request(c->rec, 0));
    ce_free(url);
}

static void test_bad_extra_header(void **state)
{
    struct th_ctx *c = *state;
    struct ce_http_target *t = th_target(c, "/x", "{\"url\":\"@URL@\"}");
    static const char *const bad[][2] = {
        {"NoColon", NULL}, {"Bad Name: v", NULL}, {"X: a\r\nInjected: 1", NULL}, {": v", NULL}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ce_http_outcome o;
        assert_int_equal(ce_http_send(c->client, t, bad[i], NULL, 0, &o), CE_EINVAL);
        assert_int_equal(o.failure, CE_HTTP_FAIL_LOCAL);
        assert_non_null(strstr(o.err, "dynamic header"));
        assert_int_equal(ce_http_classify(&o, NULL, 0), CE_EINVAL);
    }
    assert_int_equal(ce_recorder_count(c->rec), 0);
    ce_http_target_destroy(t);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_methods_and_default_headers, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_header_merge_order, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_basic_auth_and_host, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_body_bytes_exact, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_status_classes, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_on_the_wire, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_is_retryable, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_refused_and_dropped, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_redirects, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_redirect_to_other_host_drops_credentials, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_and_response_cap, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_sends, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_recorder_script, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_bad_extra_header, th_setup, th_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
