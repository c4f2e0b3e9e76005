/* SPDX-License-Identifier: Apache-2.0 */
/* Events of the largest size the manifests allow: `cevents run` sizes its embedded bus for them
 * (a 1.5 MB body under a 2 MiB maxPayloadSize is accepted, where a default bus takes 1 MiB);
 * against a bus that is too small the EventSource warns at start and answers such a request
 * 413, without Retry-After, since no retry can succeed; a maxPayloadSize no bus can take is
 * refused at start. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define SIZE_MAX_PAYLOAD "2097152" /* 2 MiB */

/* A JSON body of about n bytes. */
static char *size_body(size_t n)
{
    char *body = ce_xmalloc(n + 32);
    int head = snprintf(body, n + 32, "{\"blob\":\"");
    memset(body + head, 'x', n);
    snprintf(body + head + n, 32, "\"}");
    return body;
}

static char *size_manifest(const char *dir, int port, const char *max)
{
    char p[16];
    snprintf(p, sizeof(p), "%d", port);
    return ce_test_data_write(dir, "large.yaml", "eventsources/webhook-large.yaml", "PORT", p,
                              "MAX", max, NULL);
}

static void size_post(int port, size_t n, struct ce_test_http_resp *r)
{
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", port);
    char *body = size_body(n);
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    assert_int_equal(ce_test_http("POST", url, hdrs, body, strlen(body), 30000, r), 0);
    ce_free(body);
}

static void test_run_sizes_its_bus(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("event-size");
    int port = ce_test_free_port();
    char *file = size_manifest(dir, port, SIZE_MAX_PAYLOAD);
    char *data = ce_xasprintf("%s/data", dir);
    const char *args[] = {"run", "--data-dir", data, "--metrics-port", "0", file, NULL};
    struct ce_test_proc *run = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(run, "Eventing server started.", 1, 30000));
    struct ce_test_http_resp r;
    size_post(port, 1500 * 1000, &r);
    assert_int_equal(r.status, 200);
    ce_test_http_resp_fini(&r);
    ce_test_proc_free(run);
    ce_free(data);
    ce_free(file);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_small_bus_answers_413(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("event-size");
    struct ce_natsd *natsd = ce_scn_natsd_start(dir); /* the server's default: 1 MiB */
    int port = ce_test_free_port();
    char *file = size_manifest(dir, port, SIZE_MAX_PAYLOAD);
    const char *args[] = {"eventsource",    "-f", file, "--bus", ce_natsd_url(natsd),
                          "--metrics-port", "0",  NULL};
    struct ce_test_proc *es = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(es, "Eventing server started.", 1, 30000));
    assert_int_equal(ce_test_proc_count(es, "events of this size may not fit the event bus"), 1);
    struct ce_test_http_resp r;
    size_post(port, 1200 * 1000, &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "larger than the event bus takes"));
    assert_null(strstr(r.headers, "Retry-After:"));
    assert_null(strstr(r.headers, "retry-after:"));
    ce_test_http_resp_fini(&r);
    size_post(port, 1000, &r); /* a small one still goes through */
    assert_int_equal(r.status, 200);
    ce_test_http_resp_fini(&r);
    ce_test_proc_free(es);
    ce_natsd_destroy(natsd);
    ce_free(file);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_no_bus_can_take_it(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("event-size");
    char *file = size_manifest(dir, ce_test_free_port(), "104857600"); /* 100 MiB */
    const char *args[] = {"run", "--metrics-port", "0", file, NULL};
    struct ce_test_proc *run = ce_test_proc_start_cevents(args);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(run, 20000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    assert_int_equal(ce_test_proc_count(run, "more than any event bus takes"), 1);
    ce_test_proc_free(run);
    ce_free(file);
    ce_test_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_sizes_its_bus),
        cmocka_unit_test(test_small_bus_answers_413),
        cmocka_unit_test(test_no_bus_can_take_it),
    };
    ce_test_require_natsd();
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
