/* SPDX-License-Identifier: Apache-2.0 */
/* core/opsserver: real HTTP requests (libcurl) to /metrics, /healthz, /readyz while the ready
 * function flips, unknown paths, and a port already in use. */
#include "core/service/opsserver.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static atomic_bool to_ready;

static bool to_ready_fn(void *arg)
{
    atomic_fetch_add((atomic_int *)arg, 1);
    return atomic_load(&to_ready);
}

/* GETs path on port and checks status and body (body NULL: not checked). */
static void to_get(int port, const char *path, long status, const char *body)
{
    char *url = ce_xasprintf("http://127.0.0.1:%d%s", port, path);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 5000, &r), 0);
    assert_int_equal(r.status, status);
    if (body) {
        assert_string_equal(r.body, body);
    }
    ce_test_http_resp_fini(&r);
    ce_free(url);
}

static void test_endpoints(void **state)
{
    (void)state;
    ce_metrics_reset();
    struct ce_metric *m = ce_metrics_counter("ops_test_total", "Ops test", "k=\"v\"");
    ce_metric_inc(m);
    int port = ce_test_free_port();
    atomic_int calls = 0;
    atomic_store(&to_ready, false);
    struct ce_opsserver *s = NULL;
    assert_int_equal(ce_opsserver_start(port, to_ready_fn, &calls, &s), CE_OK);
    assert_non_null(s);

    char *url = ce_xasprintf("http://127.0.0.1:%d/metrics", port);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 5000, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "# HELP ops_test_total Ops test\n# TYPE ops_test_total counter\n"
                                "ops_test_total{k=\"v\"} 1\n");
    char *ct = ce_test_http_header(&r, "Content-Type");
    assert_string_equal(ct, "text/plain; version=0.0.4");
    ce_free(ct);
    ce_test_http_resp_fini(&r);
    ce_free(url);

    to_get(port, "/healthz", 200, "ok");
    to_get(port, "/readyz", 503, "not ready");
    assert_true(atomic_load(&calls) >= 1);
    atomic_store(&to_ready, true);
    to_get(port, "/readyz", 200, "ready");
    atomic_store(&to_ready, false);
    to_get(port, "/readyz", 503, "not ready");
    to_get(port, "/", 404, NULL);
    to_get(port, "/metricsx", 404, NULL);
    to_get(port, "/healthz/", 404, NULL);
    to_get(port, "/healthz?probe=1", 200, "ok");

    /* Metrics are rendered per request. */
    ce_metric_inc(m);
    url = ce_xasprintf("http://127.0.0.1:%d/metrics", port);
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 5000, &r), 0);
    assert_non_null(strstr(r.body, "ops_test_total{k=\"v\"} 2\n"));
    ce_test_http_resp_fini(&r);
    ce_free(url);

    ce_opsserver_stop(s);
    ce_metrics_reset();
    /* The port is released: a new server binds it again. */
    assert_int_equal(ce_opsserver_start(port, NULL, NULL, &s), CE_OK);
    to_get(port, "/readyz", 200, "ready"); /* no ready fn: always ready */
    to_get(port, "/metrics", 200, "");
    ce_opsserver_stop(s);
    ce_opsserver_stop(NULL);
}

static void test_port_in_use(void **state)
{
    (void)state;
    int port = ce_test_free_port();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 4), 0);
    struct ce_opsserver *s = (struct ce_opsserver *)&sa;
    assert_int_equal(ce_opsserver_start(port, NULL, NULL, &s), CE_EINUSE);
    assert_null(s);
    close(fd);
    assert_int_equal(ce_opsserver_start(0, NULL, NULL, &s), CE_EINVAL);
    assert_int_equal(ce_opsserver_start(70000, NULL, NULL, &s), CE_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_port_in_use),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
