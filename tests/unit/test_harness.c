/* SPDX-License-Identifier: Apache-2.0 */
/* The test harness itself: temp dirs and files, free ports, output capture of child processes
 * (many lines, waits that time out, stop and kill), and the HTTP client against an in-test
 * libmicrohttpd echo server. */
#include "tests/harness/harness.h"
#include "core/base/mem.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static void test_tmpdir_files_rmtree(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("harness");
    assert_non_null(strstr(dir, "/cevents-harness-"));
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    char *path = ce_test_write_file(dir, "a.txt", "hello\nworld");
    size_t len = 0;
    char *text = ce_test_read_file(path, &len);
    assert_string_equal(text, "hello\nworld");
    assert_int_equal(len, 11);
    ce_free(text);
    assert_null(ce_test_read_file("/nonexistent/cevents/file", NULL));

    /* Nested dirs and a symlink pointing outside, which must survive. */
    char *outside = ce_test_tmpdir("harness-outside");
    char *keep = ce_test_write_file(outside, "keep", "x");
    char *sub = ce_xasprintf("%s/sub", dir);
    char *subsub = ce_xasprintf("%s/sub/deeper", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(mkdir(subsub, 0700), 0);
    ce_free(ce_test_write_file(subsub, "b", "b"));
    char *link = ce_xasprintf("%s/link", sub);
    assert_int_equal(symlink(outside, link), 0);

    ce_test_rmtree(dir);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(stat(keep, &st), 0);
    ce_test_rmtree(outside);
    assert_int_equal(stat(outside, &st), -1);
    ce_test_rmtree("relative/path"); /* refused, no crash */

    ce_free(link);
    ce_free(sub);
    ce_free(subsub);
    ce_free(keep);
    ce_free(outside);
    ce_free(path);
    ce_free(dir);
}

static void test_free_port_distinct(void **state)
{
    (void)state;
    int seen[64];
    for (int i = 0; i < 64; i++) {
        seen[i] = ce_test_free_port();
        assert_true(seen[i] > 0 && seen[i] < 65536);
        for (int j = 0; j < i; j++) {
            assert_int_not_equal(seen[i], seen[j]);
        }
    }
}

/* Consecutive ports are all free, distinct from single ones, and below the ephemeral range. */
static void test_free_ports_consecutive(void **state)
{
    (void)state;
    int single = ce_test_free_port();
    int first = ce_test_free_ports(3);
    assert_true(first >= 1024 && first + 2 < 32768);
    for (int i = 0; i < 3; i++) {
        assert_int_not_equal(first + i, single);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET};
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons((uint16_t)(first + i));
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
    }
    assert_int_not_equal(ce_test_free_ports(1), first + 1);
}

static bool th_true_after(void *arg)
{
    int *n = arg;
    return --*n <= 0;
}

static bool th_never(void *arg)
{
    (void)arg;
    return false;
}

static void test_poll(void **state)
{
    (void)state;
    int n = 3;
    assert_true(ce_test_poll(th_true_after, &n, 5000));
    int64_t t0 = ce_test_now_ms();
    assert_false(ce_test_poll(th_never, NULL, 100));
    int64_t took = ce_test_now_ms() - t0;
    assert_true(took >= 100 && took < 2000);
    int k = 0;
    assert_true(CE_TEST_WAIT_UNTIL(++k >= 5, 5000));
    assert_int_equal(k, 5);
    assert_false(CE_TEST_WAIT_UNTIL(k < 0, 50));
}

/* 20000 lines on stdout and stderr, the last without a newline. */
/* A child's sanitizer report is found (and would fail the test in ce_test_proc_free); plain
 * output is not mistaken for one. */
static void test_proc_sanitizer_report(void **state)
{
    (void)state;
    char *const bad[] = {"/bin/sh", "-c",
                         "echo starting; echo '==42==ERROR: AddressSanitizer: heap-use-after-free'"
                         " >&2; echo '    #0 0x1 in f'",
                         NULL};
    char *const good[] = {"/bin/sh", "-c", "echo 'no error: AddressSanitizer is not here'", NULL};
    struct ce_test_proc *p = ce_test_proc_start(bad);
    assert_true(ce_test_proc_wait_line(p, "#0 0x1", 1, 10000));
    assert_true(ce_test_proc_sanitizer_report(p));
    assert_true(ce_test_proc_wait_exit(p, 10000, NULL));
    struct ce_test_proc *q = ce_test_proc_start(good);
    assert_true(ce_test_proc_wait_exit(q, 10000, NULL));
    assert_true(ce_test_proc_wait_line(q, "no error", 1, 10000));
    assert_false(ce_test_proc_sanitizer_report(q));
    ce_test_proc_free(q);
    ce_test_proc_discard(p); /* ce_test_proc_free would fail this test, as it should */
}

static void test_proc_many_lines(void **state)
{
    (void)state;
    char *const argv[] = {"/bin/sh", "-c",
                          "i=0; while [ $i -lt 10000 ]; do echo \"out $i\"; echo \"err $i\" >&2;"
                          " i=$((i+1)); done; printf tail-no-newline",
                          NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    assert_true(ce_test_proc_pid(p) > 0);
    assert_true(ce_test_proc_wait_line(p, "out ", 10000, 30000));
    assert_true(ce_test_proc_wait_line(p, "err ", 10000, 30000));
    assert_true(ce_test_proc_wait_line(p, "tail-no-newline", 1, 30000));
    assert_int_equal(ce_test_proc_count(p, "out "), 10000);
    assert_int_equal(ce_test_proc_count(p, "err 9999"), 1);
    assert_int_equal(ce_test_proc_count(p, "out 1"), 1111);

    char *l = ce_test_proc_line(p, "out 12", 1); /* out 12, out 120, ... */
    assert_string_equal(l, "out 120");
    ce_free(l);
    assert_null(ce_test_proc_line(p, "out 9999", 1));

    int st = 0;
    assert_true(ce_test_proc_wait_exit(p, 10000, &st));
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    char *out = ce_test_proc_output(p);
    assert_int_equal(strncmp(out, "out 0\nerr 0\n", 12) == 0 || strncmp(out, "err 0\n", 6) == 0 ||
                         strncmp(out, "out 0\n", 6) == 0,
                     1);
    size_t ol = strlen(out);
    assert_true(ol > 15);
    assert_string_equal(out + ol - 15, "tail-no-newline");
    ce_free(out);
    ce_test_proc_free(p);
}

/* wait_line gives up at the deadline while the process runs, and at once when the output ends. */
static void test_proc_wait_line_timeout(void **state)
{
    (void)state;
    char *const argv[] = {"/bin/sh", "-c", "echo started; exec sleep 30", NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    assert_true(ce_test_proc_wait_line(p, "started", 1, 10000));
    int64_t t0 = ce_test_now_ms();
    assert_false(ce_test_proc_wait_line(p, "never printed", 1, 200));
    assert_false(ce_test_proc_wait_line(p, "started", 2, 200));
    int64_t took = ce_test_now_ms() - t0;
    assert_true(took >= 400 && took < 5000);

    assert_int_equal(ce_test_proc_signal(p, SIGTERM), 0);
    int st = 0;
    assert_true(ce_test_proc_wait_exit(p, 10000, &st));
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGTERM);
    t0 = ce_test_now_ms();
    assert_false(ce_test_proc_wait_line(p, "never printed", 1, 20000)); /* output ended */
    assert_true(ce_test_now_ms() - t0 < 5000);
    assert_int_equal(ce_test_proc_signal(p, SIGTERM), -1); /* reaped: no stray signal */
    ce_test_proc_free(p);
}

static void test_proc_stop_and_kill(void **state)
{
    (void)state;
    char *const term[] = {"/bin/sh", "-c",
                          "trap 'echo got-term; exit 7' TERM; echo up;"
                          " while :; do sleep 0.05; done",
                          NULL};
    struct ce_test_proc *p = ce_test_proc_start(term);
    assert_true(ce_test_proc_wait_line(p, "up", 1, 10000));
    int st = ce_test_proc_stop(p, 10000);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 7);
    assert_int_equal(ce_test_proc_stop(p, 10000), st); /* idempotent */
    assert_true(ce_test_proc_wait_line(p, "got-term", 1, 5000));
    ce_test_proc_free(p);

    char *const stubborn[] = {"/bin/sh", "-c",
                              "trap '' TERM; echo up; while :; do sleep 0.05; done", NULL};
    p = ce_test_proc_start(stubborn);
    assert_true(ce_test_proc_wait_line(p, "up", 1, 10000));
    st = ce_test_proc_stop(p, 200);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    ce_test_proc_free(p);

    char *const sleeper[] = {"/bin/sleep", "30", NULL};
    p = ce_test_proc_start(sleeper);
    st = ce_test_proc_kill(p);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    ce_test_proc_free(p);

    /* Free on a running process stops it. */
    p = ce_test_proc_start(sleeper);
    ce_test_proc_free(p);
    ce_test_proc_free(NULL);
}

static void test_proc_exec_failure(void **state)
{
    (void)state;
    char *const argv[] = {"/nonexistent/cevents-binary", NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    int st = 0;
    assert_true(ce_test_proc_wait_exit(p, 10000, &st));
    assert_int_equal(WEXITSTATUS(st), 127);
    ce_test_proc_free(p);
}

/* ${NAME} in a line takes the value; alone on its line it takes the line (values as lines, an
 * empty value drops it); the test data directory is found. */
static void test_expand_and_data(void **state)
{
    (void)state;
    char *s = ce_test_expand("port: \"${PORT}\" ${PORT}\n  a:\n${BLOCK}\n  b: 1\n${NONE}\nend",
                             "PORT", "20001", "BLOCK", "    x: 1\n    y: 2", "NONE", "", NULL);
    assert_string_equal(s, "port: \"20001\" 20001\n  a:\n    x: 1\n    y: 2\n  b: 1\nend");
    ce_free(s);
    s = ce_test_expand("${A}", "A", "v\n", NULL);
    assert_string_equal(s, "v\n");
    ce_free(s);
    s = ce_test_data("eventsources/webhook.yaml", "PORT", "20002", NULL);
    assert_non_null(strstr(s, "port: \"20002\"\n"));
    assert_null(strstr(s, "${"));
    ce_free(s);
}

/* ---- the runner every test file's main uses ---- */

/* Runs the probe (tests/harness/probe/runner_probe.c) with arg (may be NULL) to its end; returns
 * its exit status, its output in *out when out is not NULL. */
static int th_probe(const char *arg, char **out)
{
    char *const argv[] = {CE_RUNNER_PROBE, (char *)arg, NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    int st = 0;
    assert_true(ce_test_proc_wait_exit(p, 30000, &st));
    assert_true(WIFEXITED(st));
    if (out != NULL) {
        *out = ce_test_proc_output(p);
    }
    ce_test_proc_free(p);
    return WEXITSTATUS(st);
}

/* One case runs alone by name; a missing prerequisite is a skip (77), never a pass, whether a
 * case or main finds it missing; a failure wins over a skip; an unknown name fails. */
static void test_runner_exit_statuses(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(th_probe("probe_passes", &out), 0);
    assert_null(strstr(out, "probe_fails"));
    ce_free(out);
    assert_int_equal(th_probe("probe_fails", NULL), 1);
    assert_int_equal(th_probe("probe_needs_missing", &out), CE_TEST_SKIPPED);
    assert_non_null(strstr(out, "SKIPPED: cevents-test-no-such-program is not installed"));
    ce_free(out);
    assert_int_equal(th_probe(NULL, NULL), 1);
    assert_int_equal(th_probe("probe_pass", &out), 1);
    assert_non_null(strstr(out, "no test case \"probe_pass\""));
    ce_free(out);
    assert_int_equal(th_probe("--list", &out), 0);
    assert_string_equal(out, "probe_passes\nprobe_fails\nprobe_needs_missing");
    ce_free(out);

    assert_int_equal(setenv("CE_PROBE_NEEDS_IN_MAIN", "1", 1), 0);
    int st = th_probe("probe_passes", &out);
    unsetenv("CE_PROBE_NEEDS_IN_MAIN");
    assert_int_equal(st, CE_TEST_SKIPPED);
    assert_non_null(strstr(out, "SKIPPED: cevents-test-no-such-program"));
    ce_free(out);
}

/* ---- HTTP against an in-test echo server ---- */

struct th_upload {
    char *data;
    size_t len;
};

/* Answers with the status given as ?status=N (default 200), a body "METHOD URL\nBODY", and the
 * request's Content-Type and X-Test headers echoed back. */
static enum MHD_Result th_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct th_upload *u = *con_cls;
    if (!u) {
        *con_cls = ce_xcalloc(1, sizeof(*u));
        return MHD_YES;
    }
    if (*upload_data_size) {
        u->data = ce_xrealloc(u->data, u->len + *upload_data_size + 1);
        memcpy(u->data + u->len, upload_data, *upload_data_size);
        u->len += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }
    const char *s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "status");
    unsigned status = s ? (unsigned)strtoul(s, NULL, 10) : 200;
    char *head = ce_xasprintf("%s %s\n", method, url);
    size_t hl = strlen(head);
    char *body = ce_xmalloc(hl + u->len + 1);
    memcpy(body, head, hl);
    if (u->len) {
        memcpy(body + hl, u->data, u->len);
    }
    ce_free(head);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(hl + u->len, body, MHD_RESPMEM_MUST_COPY);
    ce_free(body);
    const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    const char *xt = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Test");
    MHD_add_response_header(r, "X-Got-Content-Type", ct ? ct : "(none)");
    MHD_add_response_header(r, "X-Echo-Test", xt ? xt : "(none)");
    MHD_add_response_header(r, "Retry-After", "  2 ");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void th_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct th_upload *u = *con_cls;
    if (u) {
        ce_free(u->data);
        ce_free(u);
        *con_cls = NULL;
    }
}

static struct MHD_Daemon *th_server(int port)
{
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
                            NULL, NULL, th_handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, th_completed,
                            NULL, MHD_OPTION_END);
}

static void test_http_client(void **state)
{
    (void)state;
    int port = ce_test_free_port();
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x?status=201", port);
    struct ce_test_http_resp r;
    /* Nothing listens yet: a transport error, and an empty response. */
    assert_int_not_equal(ce_test_http("GET", url, NULL, NULL, 0, 2000, &r), 0);
    assert_null(r.body);
    assert_false(ce_test_wait_http(url, 201, 200));

    struct MHD_Daemon *d = th_server(port);
    assert_non_null(d);
    assert_true(ce_test_wait_http(url, 201, 10000));

    const char *hdrs[] = {"Content-Type: application/json", "X-Test: yes", NULL};
    const char *body = "{\"message\":\"hi\"}";
    assert_int_equal(ce_test_http("POST", url, hdrs, body, strlen(body), 10000, &r), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "POST /x\n{\"message\":\"hi\"}");
    assert_int_equal(r.body_len, strlen(r.body));
    char *v = ce_test_http_header(&r, "x-got-content-type");
    assert_string_equal(v, "application/json");
    ce_free(v);
    v = ce_test_http_header(&r, "X-ECHO-TEST");
    assert_string_equal(v, "yes");
    ce_free(v);
    v = ce_test_http_header(&r, "Retry-After");
    assert_string_equal(v, "2");
    ce_free(v);
    assert_null(ce_test_http_header(&r, "X-Echo"));
    assert_null(ce_test_http_header(&r, "No-Such-Header"));
    ce_test_http_resp_fini(&r);
    ce_test_http_resp_fini(&r); /* safe twice */

    /* Other methods, a body-less POST, a binary body with a NUL. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/m?status=404", port);
    assert_int_equal(ce_test_http("PUT", url, NULL, "a\0b", 3, 10000, &r), 0);
    assert_int_equal(r.status, 404);
    assert_int_equal(r.body_len, 10);
    assert_memory_equal(r.body, "PUT /m\na\0b", 10);
    ce_test_http_resp_fini(&r);
    assert_int_equal(ce_test_http("POST", url, NULL, NULL, 0, 10000, &r), 0);
    assert_string_equal(r.body, "POST /m\n");
    ce_test_http_resp_fini(&r);
    assert_int_equal(ce_test_http("DELETE", url, NULL, NULL, 0, 10000, &r), 0);
    assert_string_equal(r.body, "DELETE /m\n");
    ce_test_http_resp_fini(&r);
    assert_int_equal(ce_test_http("HEAD", url, NULL, NULL, 0, 10000, &r), 0);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "");
    ce_test_http_resp_fini(&r);

    MHD_stop_daemon(d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tmpdir_files_rmtree),
        cmocka_unit_test(test_free_port_distinct),
        cmocka_unit_test(test_free_ports_consecutive),
        cmocka_unit_test(test_proc_sanitizer_report),
        cmocka_unit_test(test_poll),
        cmocka_unit_test(test_proc_many_lines),
        cmocka_unit_test(test_proc_wait_line_timeout),
        cmocka_unit_test(test_proc_stop_and_kill),
        cmocka_unit_test(test_proc_exec_failure),
        cmocka_unit_test(test_http_client),
        cmocka_unit_test(test_runner_exit_statuses),
        cmocka_unit_test(test_expand_and_data),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
