/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook server's HTTP/1.1 framing on the wire, between real processes: the cevents
 * eventsource binary and a real nats-server, driven by raw TCP so that malformed, pipelined or
 * byte-by-byte requests go out exactly as written and every byte of the answer is seen. A
 * request whose end is ambiguous is refused with one clean answer and the connection closed;
 * well-framed requests (keep-alive, pipelined, chunked, 100-continue) each get their own
 * answer and their own event on the bus. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* How long any one answer may take. */
#define FR_WAIT_MS 10000

/* The start of a JSON POST to the webhook "example" (maxPayloadSize 1024). */
#define FR_POST "POST /example HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"

struct fr_env {
    struct ce_scn_webhook_scene sc;
};

static int fr_setup(void **state)
{
    struct fr_env *e = ce_xcalloc(1, sizeof(*e));
    ce_scn_webhook_scene_start(&e->sc, "webhook-framing");
    *state = e;
    return 0;
}

static int fr_teardown(void **state)
{
    struct fr_env *e = *state;
    ce_scn_webhook_scene_stop(&e->sc);
    ce_free(e);
    return 0;
}

/* ---- reading answers ---- */

/* The first needle in hay[0..len), or NULL. */
static const char *fr_find(const char *hay, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        if (memcmp(hay + i, needle, nl) == 0) {
            return hay + i;
        }
    }
    return NULL;
}

/* Occurrences of needle in hay[0..len). */
static int fr_count(const char *hay, size_t len, const char *needle)
{
    int n = 0;
    for (const char *p = fr_find(hay, len, needle); p;
         p = fr_find(p + 1, len - (size_t)(p + 1 - hay), needle)) {
        n++;
    }
    return n;
}

/* The code of the status line hay starts with, 0 when it does not start with one. */
static int fr_status(const char *hay)
{
    if (strncmp(hay, "HTTP/1.", 7) != 0 || strlen(hay) < 12) {
        return 0;
    }
    return (int)strtol(hay + 9, NULL, 10);
}

/* Sends req on its own connection and checks the whole answer: status want, exactly one status
 * line and one header block (no part of an answer written twice), and the server closed the
 * connection when must_close. */
static void fr_expect_once(struct fr_env *e, const char *req, size_t len, int want, bool must_close)
{
    size_t got = 0;
    bool closed = false;
    char *ans = ce_test_tcp_exchange(e->sc.port, req, len, FR_WAIT_MS, &got, &closed);
    if (fr_status(ans) != want || fr_count(ans, got, "HTTP/1.") != 1 ||
        fr_count(ans, got, "\r\n\r\n") != 1 || (must_close && !closed)) {
        fail_msg("want one %d answer%s; got %zu bytes (%s):\n%s", want,
                 must_close ? " then a close" : "", got, closed ? "closed" : "left open", ans);
    }
    ce_free(ans);
}

static void fr_expect_str(struct fr_env *e, const char *req, int want, bool must_close)
{
    fr_expect_once(e, req, strlen(req), want, must_close);
}

/* One end of a keep-alive connection: bytes received but not yet taken as an answer. */
struct fr_conn {
    int fd;
    char buf[128 * 1024];
    size_t len;
};

/* One answer read off a connection: its head (status line and fields) and body. */
struct fr_resp {
    int status;
    char head[8192];
    char body[8192];
};

/* The value of field name in head (case-insensitive, trimmed) into out; false without it. */
static bool fr_field(const char *head, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
        const char *f = l + 2;
        if (strncasecmp(f, name, nl) == 0 && f[nl] == ':') {
            const char *v = f + nl + 1;
            v += strspn(v, " \t");
            size_t vl = strcspn(v, " \t\r");
            snprintf(out, cap, "%.*s", (int)vl, v);
            return true;
        }
    }
    return false;
}

/* Whether c->buf holds a whole answer; moves it to r and keeps what follows. */
static bool fr_take(struct fr_conn *c, struct fr_resp *r)
{
    const char *end = fr_find(c->buf, c->len, "\r\n\r\n");
    if (!end) {
        return false;
    }
    size_t head_len = (size_t)(end - c->buf) + 4;
    assert_true(head_len < sizeof(r->head));
    snprintf(r->head, sizeof(r->head), "%.*s", (int)head_len, c->buf);
    char cl[32] = "0";
    fr_field(r->head, "Content-Length", cl, sizeof(cl));
    size_t body_len = (size_t)strtoul(cl, NULL, 10);
    assert_true(body_len < sizeof(r->body));
    if (c->len < head_len + body_len) {
        return false;
    }
    r->status = fr_status(r->head);
    snprintf(r->body, sizeof(r->body), "%.*s", (int)body_len, c->buf + head_len);
    c->len -= head_len + body_len;
    memmove(c->buf, c->buf + head_len + body_len, c->len);
    return true;
}

/* Reads the next answer off c (status line, fields, Content-Length body) within FR_WAIT_MS;
 * fails the test when the server closes first or the deadline passes. */
static void fr_read(struct fr_conn *c, struct fr_resp *r)
{
    int64_t deadline = ce_test_now_ms() + FR_WAIT_MS;
    while (!fr_take(c, r)) {
        assert_true(c->len < sizeof(c->buf));
        int64_t left = deadline - ce_test_now_ms();
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        ssize_t n = 0;
        int ready = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (ready == 1) {
            n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail_msg("no whole answer (%s); had %zu bytes:\n%.*s",
                     ready == 1 ? "the server closed" : "deadline", c->len, (int)c->len, c->buf);
        }
        c->len += (size_t)n;
    }
}

static struct fr_conn *fr_open(struct fr_env *e, bool nodelay)
{
    struct fr_conn *c = ce_xcalloc(1, sizeof(*c));
    c->fd = ce_test_tcp_connect(e->sc.port, nodelay);
    return c;
}

static void fr_close(struct fr_conn *c)
{
    close(c->fd);
    ce_free(c);
}

static void fr_send(struct fr_conn *c, const char *bytes)
{
    assert_true(ce_test_tcp_send(c->fd, bytes, strlen(bytes)));
}

/* The data of the last event stored on default.webhook.example, as text (heap); its
 * Nats-Msg-Id (the event id) to msg_id when not NULL. */
static char *fr_last_example(struct fr_env *e, char **msg_id_out)
{
    return ce_scn_js_last_data(ce_natsd_url(e->sc.natsd), "default.webhook.example", msg_id_out,
                               NULL);
}

/* ---- requests whose end is ambiguous: one clean refusal, then a close ---- */

static const char fr_negative_length[] = FR_POST "Content-Length: -1\r\n\r\n{}";
static const char fr_huge_length[] = FR_POST "Content-Length: 99999999999999999999\r\n\r\n{}";
static const char fr_te_gzip[] = FR_POST "Transfer-Encoding: gzip\r\n\r\n{}";
static const char fr_bad_chunk[] =
    FR_POST "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
static const char fr_no_host[] =
    "POST /example HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
    "Connection: close\r\n\r\n{}";

static void test_negative_content_length(void **state)
{
    fr_expect_str(*state, fr_negative_length, 400, true);
}

static void test_content_length_overflow(void **state)
{
    fr_expect_str(*state, fr_huge_length, 413, true);
}

static void test_content_length_twice(void **state)
{
    fr_expect_str(*state, FR_POST "Content-Length: 7\r\nContent-Length: 3\r\n\r\n{\"a\":1}", 400,
                  true);
    /* The same length twice leaves no doubt about where the body ends. */
    fr_expect_str(*state,
                  FR_POST "Content-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\n"
                          "[1,2]",
                  200, true);
}

static void test_chunked_with_content_length(void **state)
{
    fr_expect_str(*state,
                  FR_POST "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                          "5\r\n[1,2]\r\n0\r\n\r\n",
                  400, true);
}

static void test_unknown_transfer_coding(void **state)
{
    fr_expect_str(*state, fr_te_gzip, 501, true);
}

static void test_malformed_chunk_size(void **state)
{
    fr_expect_str(*state, fr_bad_chunk, 400, true);
}

/* A head of 70 000 bytes (over the 64 KiB a head may have), as one field. */
static char *fr_huge_head(size_t *len)
{
    size_t big = 70000;
    char *field = ce_xmalloc(big + 1);
    memset(field, 'a', big);
    field[big] = '\0';
    char *req = ce_xasprintf(FR_POST "X-Big: %s\r\nContent-Length: 2\r\n\r\n{}", field);
    ce_free(field);
    *len = strlen(req);
    return req;
}

static void test_head_too_large(void **state)
{
    size_t len = 0;
    char *req = fr_huge_head(&len);
    fr_expect_once(*state, req, len, 431, true);
    ce_free(req);
}

static void test_missing_host(void **state)
{
    fr_expect_str(*state, fr_no_host, 400, true);
}

static void test_percent_encoded_path(void **state)
{
    fr_expect_str(*state,
                  "POST /ex%61mple HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
                  200, true);
}

/* ---- well-framed requests, each answered on its own ---- */

static void test_keep_alive_two_posts(void **state)
{
    struct fr_env *e = *state;
    long long before = ce_scn_js_count(ce_natsd_url(e->sc.natsd));
    struct fr_conn *c = fr_open(e, false);
    struct fr_resp r;
    fr_send(c, FR_POST "Content-Length: 7\r\n\r\n{\"n\":1}");
    fr_read(c, &r);
    assert_int_equal(r.status, 200);
    fr_send(c, FR_POST "Content-Length: 7\r\n\r\n{\"n\":2}");
    fr_read(c, &r);
    assert_int_equal(r.status, 200);
    fr_close(c);
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->sc.natsd)), before + 2);
    char *data = fr_last_example(e, NULL);
    assert_non_null(strstr(data, "\"body\":{\"n\":2}"));
    ce_free(data);
}

static void test_pipelined_posts(void **state)
{
    struct fr_env *e = *state;
    struct fr_conn *c = fr_open(e, false);
    fr_send(c, FR_POST "Content-Length: 7\r\n\r\n{\"n\":1}" FR_POST
                       "Content-Length: 7\r\n\r\n{\"n\":2}");
    struct fr_resp r1, r2;
    char id1[64] = "", id2[64] = "";
    fr_read(c, &r1);
    fr_read(c, &r2);
    fr_close(c);
    assert_int_equal(r1.status, 200);
    assert_int_equal(r2.status, 200);
    assert_true(fr_field(r1.head, "X-Cevents-Event-Id", id1, sizeof(id1)));
    assert_true(fr_field(r2.head, "X-Cevents-Event-Id", id2, sizeof(id2)));
    assert_string_not_equal(id1, id2);
    /* In order: the second answer names the event of the second body. */
    char *msg_id = NULL;
    char *data = fr_last_example(e, &msg_id);
    assert_non_null(strstr(data, "\"body\":{\"n\":2}"));
    assert_string_equal(msg_id, id2);
    ce_free(data);
    ce_free(msg_id);
}

static void test_http10_closes(void **state)
{
    fr_expect_str(*state,
                  "POST /example HTTP/1.0\r\nContent-Type: application/json\r\n"
                  "Content-Length: 2\r\n\r\n{}",
                  200, true);
}

static void test_expect_continue(void **state)
{
    struct fr_conn *c = fr_open(*state, false);
    struct fr_resp r;
    fr_send(c, FR_POST "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n");
    fr_read(c, &r);
    assert_int_equal(r.status, 100);
    assert_true(strncmp(r.head, "HTTP/1.1 100 Continue\r\n", 23) == 0);
    fr_send(c, "{\"n\":1}");
    fr_read(c, &r);
    assert_int_equal(r.status, 200);
    fr_close(c);
}

static void test_chunked_body_reassembled(void **state)
{
    struct fr_env *e = *state;
    fr_expect_str(e,
                  FR_POST "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                          "4;ext=1\r\n{\"a\"\r\n3\r\n:12\r\n1;x=\"y\"\r\n}\r\n"
                          "0\r\nX-Trailer: t\r\n\r\n",
                  200, true);
    char *data = fr_last_example(e, NULL);
    assert_non_null(strstr(data, "\"body\":{\"a\":12}"));
    ce_free(data);
}

static void test_head_byte_by_byte(void **state)
{
    struct fr_conn *c = fr_open(*state, true);
    static const char req[] = FR_POST "Content-Length: 2\r\n\r\n{}";
    for (size_t i = 0; i + 1 < sizeof(req); i++) {
        assert_true(ce_test_tcp_send(c->fd, req + i, 1));
    }
    struct fr_resp r;
    fr_read(c, &r);
    assert_int_equal(r.status, 200);
    fr_close(c);
}

/* Every bad request above on its own connection, answered or not, leaves the server
 * answering the next good one. */
static void test_upright_after_bad_requests(void **state)
{
    struct fr_env *e = *state;
    const char *bad[] = {fr_negative_length, fr_huge_length, fr_te_gzip, fr_bad_chunk, fr_no_host};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ce_free(ce_test_tcp_exchange(e->sc.port, bad[i], strlen(bad[i]), FR_WAIT_MS, NULL, NULL));
    }
    size_t len = 0;
    char *huge = fr_huge_head(&len);
    ce_free(ce_test_tcp_exchange(e->sc.port, huge, len, FR_WAIT_MS, NULL, NULL));
    ce_free(huge);
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", "{\"ok\":true}", NULL, id), 200);
}

/* A request past maxPayloadSize whose whole declared body (2000 bytes, a POST of its own and
 * padding) is in the same send() as its head. */
static void fr_too_large_in_one_send(struct fr_env *e)
{
    static const char head[] = FR_POST "Content-Length: 2000\r\n\r\n";
    static const char smuggled[] = FR_POST "Content-Length: 2\r\n\r\n{}";
    char req[sizeof(head) + 2000];
    memcpy(req, head, sizeof(head) - 1);
    memset(req + sizeof(head) - 1, ' ', 2000);
    memcpy(req + sizeof(head) - 1, smuggled, sizeof(smuggled) - 1);
    fr_expect_once(e, req, sizeof(head) - 1 + 2000, 413, true);
}

/* Past maxPayloadSize with a declared length: 413 at once and a close, so the body's unread
 * bytes are never taken for the next request (here they hold a whole POST of their own). */
static void test_payload_too_large_closes(void **state)
{
    struct fr_env *e = *state;
    long long before = ce_scn_js_count(ce_natsd_url(e->sc.natsd));
    struct fr_conn *c = fr_open(e, false);
    fr_send(c, FR_POST "Content-Length: 2000\r\n\r\n");
    struct fr_resp r;
    fr_read(c, &r);
    assert_int_equal(r.status, 413);
    static const char smuggled[] = FR_POST "Content-Length: 2\r\n\r\n{}";
    (void)ce_test_tcp_send(c->fd, smuggled, strlen(smuggled)); /* may find it closed already */
    size_t len = 0;
    bool closed = false;
    char *rest = ce_test_tcp_read_all(c->fd, FR_WAIT_MS, &len, &closed);
    if (!closed || fr_count(rest, len, "HTTP/1.") != 0 || c->len != 0) {
        fail_msg("after the 413: %s, then %zu more bytes:\n%s", closed ? "closed" : "left open",
                 len + c->len, rest);
    }
    ce_free(rest);
    fr_close(c);
    fr_too_large_in_one_send(e);
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->sc.natsd)), before);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negative_content_length),
        cmocka_unit_test(test_content_length_overflow),
        cmocka_unit_test(test_content_length_twice),
        cmocka_unit_test(test_chunked_with_content_length),
        cmocka_unit_test(test_unknown_transfer_coding),
        cmocka_unit_test(test_keep_alive_two_posts),
        cmocka_unit_test(test_pipelined_posts),
        cmocka_unit_test(test_http10_closes),
        cmocka_unit_test(test_expect_continue),
        cmocka_unit_test(test_chunked_body_reassembled),
        cmocka_unit_test(test_malformed_chunk_size),
        cmocka_unit_test(test_head_too_large),
        cmocka_unit_test(test_missing_host),
        cmocka_unit_test(test_percent_encoded_path),
        cmocka_unit_test(test_head_byte_by_byte),
        cmocka_unit_test(test_upright_after_bad_requests),
        cmocka_unit_test(test_payload_too_large_closes),
    };
    return ce_test_run(argc, argv, tests, fr_setup, fr_teardown);
}
