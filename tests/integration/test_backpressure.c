/* SPDX-License-Identifier: Apache-2.0 */
/* The EventSource refuses events (503, Retry-After) before a stream with `discard: old` would
 * evict events a Sensor has not consumed, and accepts them again once the Sensor caught up.
 * The stream here holds 20 messages; a durable consumer that does not fetch plays the slow
 * Sensor. Messages stored before the consumer existed do not count against it. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define BP_MAX_MSGS 20

static long bp_post(int port, char **body)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/example", port);
    const char *headers[] = {"Content-Type: application/json", NULL};
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("POST", url, headers, "{\"n\":1}", 7, 20000, &r), 0);
    long status = r.status;
    if (body != NULL) {
        *body = ce_xstrdup(r.body ? r.body : "");
    }
    ce_test_http_resp_fini(&r);
    return status;
}

static void test_refuses_before_eviction(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("backpressure");
    struct ce_natsd *natsd = ce_scn_natsd_start(dir);

    /* a small stream, with messages from before the consumer existed */
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = ce_natsd_url(natsd);
    cfg.stream.max_msgs = BP_MAX_MSGS;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    for (int i = 0; i < 30; i++) {
        char id[16];
        snprintf(id, sizeof id, "old-%d", i);
        assert_int_equal(ce_bus_publish(bus, "default.webhook.example", id, "{}", 2), CE_OK);
    }
    struct ce_bus_consumer *slow = NULL;
    assert_int_equal(ce_bus_consumer_create(bus, "default.webhook.example", "slow", &slow), CE_OK);

    int port = ce_test_free_port();
    char *file = ce_scn_write_manifest(dir, "es.yaml", "eventsources/webhook.yaml", port);
    struct ce_test_proc *es =
        ce_scn_start("eventsource", file, cfg.url, 0, NULL, "Eventing server started.");

    /* Events are stored until the consumer is 80 % of the limit behind: each of those is
     * accepted. The EventSource looks at the backlog on its own schedule, so wait until it has
     * seen the last one, then the next event is refused. */
    int ok = BP_MAX_MSGS * 80 / 100;
    for (int i = 0; i < ok; i++) {
        assert_int_equal(bp_post(port, NULL), 200);
    }
    assert_true(ce_test_proc_wait_line(es, "a Sensor is too far behind", 1, 20000));
    char *body = NULL;
    assert_int_equal(bp_post(port, &body), 503);
    assert_non_null(strstr(body, "event bus is full"));
    ce_free(body);
    struct ce_bus_backlog b;
    assert_int_equal(ce_bus_backlog(bus, &b), CE_OK);
    assert_int_equal(b.evicted, 0);
    assert_string_equal(b.consumer, "slow");
    assert_int_equal(b.behind, ok);

    /* the consumer catches up: events are accepted again */
    int acked = 0;
    while (acked < ok) {
        struct ce_bus_msg *msgs[64];
        int n = 0;
        assert_int_equal(ce_bus_consumer_fetch(slow, 64, 5000, msgs, &n), CE_OK);
        for (int i = 0; i < n; i++) {
            assert_int_equal(ce_bus_msg_ack(msgs[i]), CE_OK);
            ce_bus_msg_destroy(msgs[i]);
        }
        acked += n;
    }
    assert_true(ce_test_proc_wait_line(es, "accepting events again", 1, 20000));
    assert_int_equal(bp_post(port, NULL), 200);

    ce_test_proc_free(es);
    ce_free(file);
    ce_bus_consumer_destroy(slow);
    ce_bus_destroy(bus);
    ce_natsd_destroy(natsd);
    ce_test_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_before_eviction),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
