/* SPDX-License-Identifier: Apache-2.0 */
/* The bus goes away and comes back. While nats-server is down the webhook answers 503 with
 * Retry-After within the publish timeout (never 200, never a hang); once it is back the same
 * processes answer 200 again without a restart, and the sensor logs every event that got a 200
 * exactly once. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define OUT_PUBLISH_TIMEOUT_MS 1500
#define OUT_MAX_EVENTS 256

struct out_ids {
    char ids[OUT_MAX_EVENTS][33];
    int n;
};

static void out_post_ok(int port, struct out_ids *acc, int count)
{
    for (int i = 0; i < count; i++) {
        char id[33];
        assert_int_equal(ce_scn_post(port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
        assert_true(acc->n < OUT_MAX_EVENTS);
        memcpy(acc->ids[acc->n++], id, 33);
    }
}

/* One request while the bus is down: 503 + Retry-After, answered within the bound. */
static void out_post_down(int port)
{
    char url[128];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/example", port);
    const char *headers[] = {"Content-Type: application/json", NULL};
    struct ce_test_http_resp r;
    int64_t t0 = ce_test_now_ms();
    assert_int_equal(
        ce_test_http("POST", url, headers, CE_SCN_DEMO_BODY, strlen(CE_SCN_DEMO_BODY), 30000, &r),
        0);
    int64_t took = ce_test_now_ms() - t0;
    assert_int_equal(r.status, 503);
    /* never a hang: the answer comes with the publish timeout, not the client's 30 s (the
     * slack absorbs a loaded machine) */
    assert_true(took <= OUT_PUBLISH_TIMEOUT_MS + 5000);
    char *ra = ce_test_http_header(&r, "Retry-After");
    assert_non_null(ra);
    assert_string_equal(ra, "2");
    ce_free(ra);
    ce_test_http_resp_fini(&r);
}

/* Whether the success line of the event id was logged. */
static bool out_success_for(struct ce_test_proc *sn, const char *id)
{
    bool found = false;
    for (int i = 0; !found; i++) {
        char *line = ce_test_proc_line(sn, "Successfully processed trigger", i);
        if (line == NULL) {
            break;
        }
        found = strstr(line, id) != NULL;
        ce_free(line);
    }
    return found;
}

static void test_bus_outage(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("outage");
    struct ce_natsd *natsd = ce_scn_natsd_start(dir);
    const char *url = ce_natsd_url(natsd);
    int port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(dir, "es.yaml", "eventsources/webhook.yaml", port);
    char *sn_file = ce_test_data_write(dir, "sensor.yaml", "sensors/log.yaml", NULL);
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", OUT_PUBLISH_TIMEOUT_MS);
    const char *es_extra[] = {"--publish-timeout", timeout, "--retry-after", "2", NULL};
    struct ce_test_proc *es = ce_scn_start("eventsource", es_file, url, ce_test_free_port(),
                                           es_extra, "Eventing server started.");
    struct ce_test_proc *sn =
        ce_scn_start("sensor", sn_file, url, ce_test_free_port(), NULL, CE_SENSOR_SUBSCRIBED_MSG);

    struct out_ids *acc = ce_xcalloc(1, sizeof(*acc));
    out_post_ok(port, acc, 20);

    ce_natsd_stop(natsd);
    for (int i = 0; i < 5; i++) {
        out_post_down(port);
    }

    assert_int_equal(ce_natsd_restart(natsd), CE_OK);
    /* The EventSource reconnects by itself: poll until the first 200. */
    int64_t deadline = ce_test_now_ms() + 30000;
    char id[33];
    long status = 0;
    while (status != 200 && ce_test_now_ms() < deadline) {
        status = ce_scn_post(port, "/example", CE_SCN_DEMO_BODY, NULL, id);
        assert_true(status == 200 || status == 503);
    }
    assert_int_equal(status, 200);
    memcpy(acc->ids[acc->n++], id, 33);
    out_post_ok(port, acc, 20);

    /* Every accepted event is logged, and only once: a sentinel posted last is logged after
     * every line the others cause (one consumer, stream order), so once it is there the count
     * is final. */
    int accepted = acc->n;
    out_post_ok(port, acc, 1);
    const char *sentinel = acc->ids[accepted];
    assert_true(CE_TEST_WAIT_UNTIL(out_success_for(sn, sentinel), 60000));
    for (int i = 0; i < acc->n; i++) {
        assert_int_equal(ce_scn_logged_count(sn, acc->ids[i]), 1);
    }
    assert_int_equal(ce_test_proc_count(sn, "Successfully processed trigger"), acc->n);

    ce_test_proc_stop(es, 10000);
    ce_test_proc_stop(sn, 10000);
    ce_test_proc_free(es);
    ce_test_proc_free(sn);
    ce_natsd_destroy(natsd);
    ce_test_rmtree(dir);
    ce_free(acc);
    ce_free(es_file);
    ce_free(sn_file);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bus_outage),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
