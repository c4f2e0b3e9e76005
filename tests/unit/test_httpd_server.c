/* SPDX-License-Identifier: Apache-2.0 */
/* cevents' HTTP server (core/httpd/server.h) over real sockets: keep-alive, pipelining, answers
 * given later from another thread, bodies by length and chunked, 100-continue, the body limit,
 * one clean refusal for malformed framing, on_done exactly once per request (also when the
 * client leaves or the server stops), the idle timeout and the connection limit. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/httpd/server.h"
#include "core/service/listen.h"
#include "tests/harness/harness.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

struct srv_env {
    struct ce_httpd *h;
    int port;
    atomic_int heads;
    atomic_int dones;
    atomic_int problems;
    /* requests handed to the answering thread */
    pthread_mutex_t lock;
    struct ce_httpd_req *queue[64];
    int n_queued;
    struct ce_httpd_req *held;       /* "/hold": never answered */
    struct ce_httpd_req *parked[64]; /* "/park": answered by the test itself */
    int n_parked;
    atomic_bool blocking; /* "/block" holds the loop in on_head while this is set */
    pthread_t answerer;
    atomic_bool stop_answerer;
};

static void srv_on_head(void *arg, struct ce_httpd_req *r)
{
    struct srv_env *e = arg;
    atomic_fetch_add(&e->heads, 1);
    const char *path = ce_httpd_req_path(r);
    if (strcmp(path, "/block") == 0) {
        while (atomic_load(&e->blocking)) {
            ce_test_sleep_ms(5);
        }
        ce_httpd_answer(r, 200, NULL, 0, "unblocked", 9);
        return;
    }
    if (strcmp(path, "/sync") == 0) {
        static const struct ce_httpd_field_out f[] = {{"X-Evil", "a\r\nInjected: yes"}};
        ce_httpd_answer(r, 200, f, 1, "sync", 4);
        return;
    }
    ce_httpd_read_body(r, strcmp(path, "/zero") == 0 ? 0 : 16);
}

static void srv_on_body(void *arg, struct ce_httpd_req *r)
{
    struct srv_env *e = arg;
    const char *path = ce_httpd_req_path(r);
    if (ce_httpd_body_over(r)) {
        ce_httpd_answer(r, 413, NULL, 0, "too big", 7);
        return;
    }
    if (strcmp(path, "/echo") == 0) {
        size_t len = 0;
        const char *body = ce_httpd_req_body(r, &len);
        ce_httpd_answer(r, 200, NULL, 0, body, len);
        return;
    }
    pthread_mutex_lock(&e->lock);
    if (strcmp(path, "/hold") == 0) {
        e->held = r;
    }
    else if (strcmp(path, "/park") == 0 && e->n_parked < 64) {
        e->parked[e->n_parked++] = r;
    }
    else if (e->n_queued < 64) {
        e->queue[e->n_queued++] = r;
    }
    pthread_mutex_unlock(&e->lock);
}

static void srv_on_done(void *arg, struct ce_httpd_req *r)
{
    (void)r;
    struct srv_env *e = arg;
    atomic_fetch_add(&e->dones, 1);
}

static void srv_on_problem(void *arg, const char *what, const char *detail)
{
    (void)what;
    (void)detail;
    struct srv_env *e = arg;
    atomic_fetch_add(&e->problems, 1);
}

static const struct ce_httpd_ops srv_ops = {srv_on_head, srv_on_body, srv_on_done, srv_on_problem};

/* Answers queued requests from its own thread, in order, echoing the query. */
static void *srv_answerer(void *arg)
{
    struct srv_env *e = arg;
    while (!atomic_load(&e->stop_answerer)) {
        pthread_mutex_lock(&e->lock);
        int n = e->n_queued;
        struct ce_httpd_req *batch[64];
        memcpy(batch, e->queue, sizeof(batch[0]) * (size_t)n);
        e->n_queued = 0;
        pthread_mutex_unlock(&e->lock);
        for (int i = 0; i < n; i++) {
            const char *q = ce_httpd_req_query(batch[i]);
            ce_httpd_answer(batch[i], 202, NULL, 0, q, strlen(q));
        }
        ce_test_sleep_ms(5);
    }
    return NULL;
}

static int srv_start(struct srv_env *e, int threads, int idle_s, int max_conns)
{
    e->port = ce_test_free_port();
    char err[160];
    struct ce_httpd_config cfg = {.listen_fd = -1,
                                  .threads = threads,
                                  .idle_timeout_s = idle_s,
                                  .max_connections = max_conns};
    assert_int_equal(ce_listen_tcp(e->port, 64, &cfg.listen_fd, err, sizeof err), CE_OK);
    assert_int_equal(ce_httpd_start(&cfg, &srv_ops, e, &e->h, err, sizeof err), CE_OK);
    return 0;
}

static int srv_setup(void **state)
{
    struct srv_env *e = ce_xcalloc(1, sizeof(*e));
    pthread_mutex_init(&e->lock, NULL);
    pthread_create(&e->answerer, NULL, srv_answerer, e);
    *state = e;
    return srv_start(e, 2, 0, 0);
}

static int srv_teardown(void **state)
{
    struct srv_env *e = *state;
    ce_httpd_stop(e->h);
    atomic_store(&e->stop_answerer, true);
    pthread_join(e->answerer, NULL);
    pthread_mutex_destroy(&e->lock);
    ce_free(e);
    return 0;
}

/* A connection whose reads give up every 100 ms, so srv_read_until keeps its deadline. */
static int srv_connect(struct srv_env *e)
{
    int fd = ce_test_tcp_connect(e->port, true);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void srv_send(int fd, const char *s)
{
    assert_true(ce_test_tcp_send(fd, s, strlen(s)));
}

static int srv_count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

/* Reads until the text holds `count` times `needle` (NULL: until the peer closes), the peer
 * closes, or 5 s pass. Returns what was read; *closed says whether the peer closed. */
static char *srv_read_until(int fd, const char *needle, int count, bool *closed)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = ce_xmalloc(cap + 1);
    buf[0] = '\0';
    *closed = false;
    int64_t deadline = ce_test_now_ms() + 5000;
    while (ce_test_now_ms() < deadline && len < cap) {
        if (needle && srv_count(buf, needle) >= count) {
            break;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n == 0) {
            *closed = true;
            break;
        }
        if (n > 0) {
            len += (size_t)n;
            buf[len] = '\0';
        }
    }
    return buf;
}

static void test_keep_alive_and_field_values_cleaned(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    bool closed;
    srv_send(fd, "GET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    char *a = srv_read_until(fd, "sync", 1, &closed);
    assert_non_null(strstr(a, "HTTP/1.1 200 OK\r\n"));
    assert_null(strstr(a, "\r\nInjected: yes")); /* a CR LF in a value cannot add a field */
    srv_send(fd, "GET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    char *b = srv_read_until(fd, "sync", 1, &closed);
    assert_false(closed);
    assert_non_null(strstr(b, "HTTP/1.1 200 OK\r\n"));
    ce_free(a);
    ce_free(b);
    close(fd);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->dones) == 2, 5000));
}

static void test_pipelined_async_answers_in_order(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    srv_send(fd, "POST /async?one HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nA"
                 "POST /async?two HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nB"
                 "POST /async?three HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nC");
    bool closed;
    char *all = srv_read_until(fd, "HTTP/1.1 202", 3, &closed);
    assert_int_equal(srv_count(all, "HTTP/1.1 202 Accepted\r\n"), 3);
    /* read the last body too */
    char *one = strstr(all, "one");
    char *two = strstr(all, "two");
    assert_non_null(one);
    assert_non_null(two);
    assert_true(one < two);
    ce_free(all);
    close(fd);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->dones) == 3, 5000));
}

static void test_bodies_by_length_chunked_and_continue(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    bool closed;
    srv_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    char *a = srv_read_until(fd, "hello", 1, &closed);
    assert_non_null(strstr(a, "Content-Length: 5\r\n"));
    srv_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n");
    char *b = srv_read_until(fd, "abcde", 1, &closed);
    assert_non_null(strstr(b, "HTTP/1.1 200 OK\r\n"));
    srv_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                 "Content-Length: 3\r\n\r\n");
    char *c = srv_read_until(fd, "100 Continue\r\n\r\n", 1, &closed);
    assert_non_null(strstr(c, "HTTP/1.1 100 Continue\r\n\r\n"));
    assert_null(strstr(c, "200 OK"));
    srv_send(fd, "xyz");
    char *d = srv_read_until(fd, "xyz", 1, &closed);
    assert_non_null(strstr(d, "HTTP/1.1 200 OK\r\n"));
    assert_false(closed);
    ce_free(a);
    ce_free(b);
    ce_free(c);
    ce_free(d);
    close(fd);
}

static void test_body_over_limit_drained_connection_kept(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    bool closed;
    srv_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n");
    char *a = srv_read_until(fd, "too big", 1, &closed);
    assert_non_null(strstr(a, "HTTP/1.1 413 Content Too Large\r\n"));
    assert_null(strstr(a, "Connection: close"));
    srv_send(fd, "GET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    char *b = srv_read_until(fd, "sync", 1, &closed);
    assert_non_null(strstr(b, "HTTP/1.1 200 OK\r\n"));
    ce_free(a);
    ce_free(b);
    close(fd);
}

static void test_malformed_length_one_refusal_then_close(void **state)
{
    struct srv_env *e = *state;
    const char *cases[] = {"Content-Length: -1\r\n", "Content-Length: 99999999999999999999\r\n"};
    const char *status[] = {"HTTP/1.1 400 Bad Request\r\n", "HTTP/1.1 413 Content Too Large\r\n"};
    for (int i = 0; i < 2; i++) {
        int fd = srv_connect(e);
        char req[256];
        snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\nHost: x\r\n%s\r\nabc", cases[i]);
        srv_send(fd, req);
        bool closed;
        char *a = srv_read_until(fd, NULL, 0, &closed);
        assert_true(closed);
        assert_int_equal(srv_count(a, "HTTP/1.1 "), 1);
        assert_int_equal(srv_count(a, "\r\n\r\n"), 1);
        assert_true(strncmp(a, status[i], strlen(status[i])) == 0);
        assert_non_null(strstr(a, "Connection: close\r\n"));
        ce_free(a);
        close(fd);
    }
    assert_int_equal(atomic_load(&e->heads), 0); /* never reached the application */
    assert_int_equal(atomic_load(&e->problems), 2);
}

static void test_done_once_when_client_leaves_mid_body(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    srv_send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->heads) == 1, 5000));
    close(fd);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->dones) == 1, 5000));
}

static void test_stop_ends_a_waiting_request(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    srv_send(fd, "POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nh");
    assert_true(CE_TEST_WAIT_UNTIL(({
                                       pthread_mutex_lock(&e->lock);
                                       bool held = e->held != NULL;
                                       pthread_mutex_unlock(&e->lock);
                                       held;
                                   }),
                                   5000));
    assert_int_equal(atomic_load(&e->dones), 0);
    ce_httpd_stop(e->h);
    e->h = NULL;
    assert_int_equal(atomic_load(&e->dones), 1);
    bool closed;
    char *rest = srv_read_until(fd, NULL, 0, &closed);
    assert_true(closed);
    ce_free(rest);
    close(fd);
}

static void test_idle_connection_closed(void **state)
{
    struct srv_env *e = *state;
    ce_httpd_stop(e->h);
    srv_start(e, 2, 1, 1);
    int fd = srv_connect(e);
    srv_send(fd, "GET /sy"); /* a head that never completes */
    /* the limit of one connection: a second is closed at once */
    int fd2 = srv_connect(e);
    bool closed2;
    char *r2 = srv_read_until(fd2, NULL, 0, &closed2);
    assert_true(closed2);
    assert_string_equal(r2, "");
    bool closed;
    char *r = srv_read_until(fd, NULL, 0, &closed);
    assert_true(closed);
    ce_free(r);
    ce_free(r2);
    close(fd);
    close(fd2);
}

/* An HTTP/1.0 client that asks to keep the connection is told so, and can send another request;
 * a body limit of 0 keeps nothing. */
static void test_http10_keep_alive_and_zero_limit(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    bool closed;
    srv_send(fd, "GET /sync HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    char *a = srv_read_until(fd, "sync", 1, &closed);
    assert_non_null(strstr(a, "Connection: keep-alive\r\n"));
    srv_send(fd, "POST /zero HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nZ");
    char *b = srv_read_until(fd, "too big", 1, &closed);
    assert_non_null(strstr(b, "HTTP/1.1 413 Content Too Large\r\n"));
    assert_false(closed);
    ce_free(a);
    ce_free(b);
    close(fd);
}

static void test_head_request_has_no_body(void **state)
{
    struct srv_env *e = *state;
    int fd = srv_connect(e);
    srv_send(fd, "HEAD /sync HTTP/1.1\r\nHost: x\r\n\r\nGET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed;
    char *a = srv_read_until(fd, "sync", 1, &closed);
    assert_int_equal(srv_count(a, "HTTP/1.1 200 OK\r\n"), 2);
    assert_int_equal(srv_count(a, "sync"), 1);
    ce_free(a);
    close(fd);
}

static int srv_parked(struct srv_env *e)
{
    pthread_mutex_lock(&e->lock);
    int n = e->n_parked;
    pthread_mutex_unlock(&e->lock);
    return n;
}

/* Answers handed in from another thread for clients that already reset their connections, all
 * in the same batch of events as those resets: each answer's write fails and closes its
 * connection while the connection's own event is still queued behind it. Each request ends
 * once, nothing is touched after it is freed (ASan), and the server stays upright. */
static void test_answers_for_clients_gone_in_one_batch(void **state)
{
    struct srv_env *e = *state;
    ce_httpd_stop(e->h);
    srv_start(e, 1, 0, 0);
    enum { CLIENTS = 40 };
    int fds[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        fds[i] = srv_connect(e);
        srv_send(fds[i], "POST /park HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nA");
    }
    assert_true(CE_TEST_WAIT_UNTIL(srv_parked(e) == CLIENTS, 5000));
    atomic_store(&e->blocking, true);
    int blocker = srv_connect(e);
    srv_send(blocker, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->heads) == CLIENTS + 1, 5000));
    /* the loop is held: the answers' wake-up, then the resets, queue up in that order */
    for (int i = 0; i < CLIENTS; i++) {
        ce_httpd_answer(e->parked[i], 200, NULL, 0, "late", 4);
    }
    for (int i = 0; i < CLIENTS; i++) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fds[i]);
    }
    atomic_store(&e->blocking, false);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->dones) >= CLIENTS + 1, 5000));
    bool closed;
    char *b = srv_read_until(blocker, "unblocked", 1, &closed);
    assert_non_null(strstr(b, "HTTP/1.1 200 OK\r\n"));
    ce_free(b);
    srv_send(blocker, "GET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    char *a = srv_read_until(blocker, "sync", 1, &closed);
    assert_non_null(strstr(a, "HTTP/1.1 200 OK\r\n"));
    ce_free(a);
    close(blocker);
    assert_true(CE_TEST_WAIT_UNTIL(atomic_load(&e->dones) == CLIENTS + 2, 5000));
}

/* Out of descriptors, accepting fails; the loop must not spin on the still-readable socket but
 * try again later, and take the connection once descriptors are free again. */
static void test_accept_paused_when_out_of_descriptors(void **state)
{
    struct srv_env *e = *state;
    ce_httpd_stop(e->h);
    srv_start(e, 1, 0, 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
    struct rlimit tight = {.rlim_cur = (rlim_t)fd + 1, .rlim_max = saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)e->port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    bool first = CE_TEST_WAIT_UNTIL(atomic_load(&e->problems) >= 1, 5000);
    int64_t t0 = ce_test_now_ms();
    bool third = CE_TEST_WAIT_UNTIL(atomic_load(&e->problems) >= 3, 5000);
    int64_t spent = ce_test_now_ms() - t0;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
    assert_true(first);
    assert_true(third);
    assert_true(spent >= 150); /* two retries, each 100 ms after the failure before */
    srv_send(fd, "GET /sync HTTP/1.1\r\nHost: x\r\n\r\n");
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool closed;
    char *a = srv_read_until(fd, "sync", 1, &closed);
    assert_non_null(strstr(a, "HTTP/1.1 200 OK\r\n"));
    ce_free(a);
    close(fd);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keep_alive_and_field_values_cleaned, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_async_answers_in_order, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_bodies_by_length_chunked_and_continue, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_body_over_limit_drained_connection_kept, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_length_one_refusal_then_close, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_done_once_when_client_leaves_mid_body, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_a_waiting_request, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_idle_connection_closed, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_head_request_has_no_body, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_http10_keep_alive_and_zero_limit, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_accept_paused_when_out_of_descriptors, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_answers_for_clients_gone_in_one_batch, srv_setup,
                                        srv_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
