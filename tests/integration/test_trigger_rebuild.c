/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger with template-level parameters is rebuilt from its edited template at every firing,
 * as Argo Events does: the edits reach the HTTP block's url, its payload parameters and its
 * dynamicHeaders (Argo's "parameterization" tutorial, with an HTTP trigger), each event gets its
 * own edit, and the rebuilt triggers still share one kept-alive connection. An edit that leaves
 * an invalid trigger fails that firing, with the reason, and the next event is served.
 * webhook → nats-server → Sensor → a recording HTTP server. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct rebuild_env {
    struct ce_scn_trigger_scene sc;
    struct ce_test_proc *sensor;
};

static int rebuild_setup(void **state)
{
    struct rebuild_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    if (ce_scn_trigger_scene_start(&e->sc, "trigger-rebuild") != 0) {
        return -1;
    }
    char port[16];
    snprintf(port, sizeof(port), "%d", ce_recorder_port(e->sc.rec));
    char *sn_file = ce_test_data_write(e->sc.dir, "sensor.yaml", "sensors/http-rebuilt.yaml",
                                       "TARGET_PORT", port, NULL);
    e->sensor = ce_scn_start("sensor", sn_file, ce_natsd_url(e->sc.natsd), 0, NULL,
                             CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(sn_file);
    return 0;
}

static int rebuild_teardown(void **state)
{
    struct rebuild_env *e = *state;
    ce_test_proc_free(e->sensor);
    ce_scn_trigger_scene_stop(&e->sc);
    ce_free(e);
    return 0;
}

/* The nth request the recorder got: its path, body and X-Value header. */
static void rebuild_expect(struct rebuild_env *e, int nth, const char *path, const char *body,
                           const char *header)
{
    struct ce_rec_request *q = ce_recorder_request(e->sc.rec, nth);
    assert_non_null(q);
    assert_string_equal(q->path, path);
    assert_string_equal(q->body, body);
    assert_string_equal(ce_rec_header(q, "X-Value"), header);
    ce_rec_request_free(q);
}

static void test_edits_reach_url_payload_and_headers(void **state)
{
    struct rebuild_env *e = *state;
    char id[33];
    assert_int_equal(
        ce_scn_post(e->sc.port, "/example",
                    "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"path\":\"/x\",\"which\":\"body.b\"}",
                    NULL, id),
        200);
    assert_true(ce_recorder_wait(e->sc.rec, 1, 20000));
    assert_int_equal(
        ce_scn_post(e->sc.port, "/example",
                    "{\"a\":\"A\",\"b\":\"B\",\"c\":\"C\",\"path\":\"/y\",\"which\":\"body.c\"}",
                    NULL, id),
        200);
    assert_true(ce_recorder_wait(e->sc.rec, 2, 20000));
    rebuild_expect(e, 0, "/static/x", "{\"value\":\"B\"}", "B");
    rebuild_expect(e, 1, "/static/y", "{\"value\":\"C\"}", "C");
    /* each firing's trigger is new, its connection pool is the trigger's */
    assert_int_equal(ce_recorder_connections(e->sc.rec), 1);
}

/* An edit that leaves no valid trigger fails that firing only, saying why. */
static void test_invalid_edit_fails_that_firing(void **state)
{
    struct rebuild_env *e = *state;
    int before = ce_recorder_count(e->sc.rec);
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example",
                                 "{\"a\":\"A\",\"path\":\" bad url\",\"which\":\"body.a\"}", NULL,
                                 id),
                     200);
    assert_true(
        ce_test_proc_wait_line(e->sensor, "the parameters made the trigger invalid", 1, 20000));
    assert_int_equal(ce_scn_post(e->sc.port, "/example",
                                 "{\"a\":\"A\",\"path\":\"/z\",\"which\":\"body.a\"}", NULL, id),
                     200);
    assert_true(ce_recorder_wait(e->sc.rec, before + 1, 20000));
    /* the invalid one sent nothing: the next request is the valid event's */
    rebuild_expect(e, before, "/static/z", "{\"value\":\"A\"}", "A");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_reach_url_payload_and_headers),
        cmocka_unit_test(test_invalid_edit_fails_that_firing),
    };
    ce_test_require_natsd();
    return ce_test_run(argc, argv, tests, rebuild_setup, rebuild_teardown);
}
