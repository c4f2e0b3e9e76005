/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger conditions end to end, Argo's multi-dependency scenario: three webhook events,
 * trigger-1 on `(test-dep-1 && test-dep-2) || test-dep-3` and trigger-2 on `test-dep-1`.
 * dep-1 fires only trigger-2; dep-2 then fires trigger-1; dep-2 again fires nothing; dep-3
 * fires trigger-1. A Sensor killed with SIGKILL after dep-1 keeps dep-1 on the bus: after the
 * restart dep-2 completes trigger-1, exactly once. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "sensor/engine.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define T1 "Successfully processed trigger 'trigger-1'"
#define T2 "Successfully processed trigger 'trigger-2'"

struct cond_env {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_proc *es;
    char *sensor_file;
    int port;
};

static struct ce_test_proc *cond_start_sensor(struct cond_env *e)
{
    return ce_scn_start("sensor", e->sensor_file, ce_natsd_url(e->natsd), 0, NULL,
                        CE_SENSOR_SUBSCRIBED_MSG);
}

static void cond_send(struct cond_env *e, const char *path, char id[33])
{
    assert_int_equal(ce_scn_post(e->port, path, CE_SCN_DEMO_BODY, NULL, id), 200);
}

/* Waits for the count-th line holding both a and b (b may be NULL). */
static void cond_wait(struct ce_test_proc *sn, const char *a, const char *b, int count)
{
    int64_t deadline = ce_test_now_ms() + 20000;
    for (;;) {
        int seen = 0;
        for (int i = 0;; i++) {
            char *line = ce_test_proc_line(sn, a, i);
            if (line == NULL) {
                break;
            }
            seen += b == NULL || strstr(line, b) != NULL;
            ce_free(line);
        }
        if (seen >= count) {
            return;
        }
        assert_true(ce_test_now_ms() < deadline);
        ce_test_sleep_ms(20);
    }
}

/* Exactly t1 and t2 firings so far (called once the last event's outcome was seen). */
static void cond_expect_exact(struct ce_test_proc *sn, int t1, int t2)
{
    assert_int_equal(ce_test_proc_count(sn, T1), t1);
    assert_int_equal(ce_test_proc_count(sn, T2), t2);
}

static void cond_setup(struct cond_env *e)
{
    e->dir = ce_test_tmpdir("conditions");
    e->natsd = ce_scn_natsd_start(e->dir);
    e->port = ce_test_free_port();
    char *es_file =
        ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook-three-events.yaml", e->port);
    e->sensor_file =
        ce_test_data_write(e->dir, "sensor.yaml", "sensors/multi-dependency.yaml", NULL);
    e->es = ce_scn_start("eventsource", es_file, ce_natsd_url(e->natsd), 0, NULL,
                         "Eventing server started.");
    ce_free(es_file);
}

static void cond_teardown(struct cond_env *e)
{
    ce_test_proc_free(e->es);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->sensor_file);
    ce_free(e->dir);
}

static void test_multi_dependency_scenario(void **state)
{
    (void)state;
    struct cond_env e = {0};
    cond_setup(&e);
    struct ce_test_proc *sn = cond_start_sensor(&e);
    char id1[33], id2[33], id2b[33], id3[33];

    cond_send(&e, "/dep1", id1); /* only trigger-2; trigger-1 saves it */
    cond_wait(sn, T2, id1, 1);
    cond_wait(sn, CE_SN_SAVED_MSG, id1, 1);
    cond_expect_exact(sn, 0, 1);

    cond_send(&e, "/dep2", id2); /* completes trigger-1 with dep-1 and dep-2 */
    cond_wait(sn, T1, id2, 1);
    cond_expect_exact(sn, 1, 1);
    char *line = ce_test_proc_line(sn, T1, 0);
    assert_non_null(strstr(line, id1));
    assert_non_null(strstr(line, id2));
    ce_free(line);

    cond_send(&e, "/dep2", id2b); /* saved, nothing fires */
    cond_wait(sn, CE_SN_SAVED_MSG, id2b, 1);
    cond_expect_exact(sn, 1, 1);

    cond_send(&e, "/dep3", id3); /* the || branch: fires trigger-1 again */
    cond_wait(sn, T1, id3, 1);
    cond_expect_exact(sn, 2, 1);
    line = ce_test_proc_line(sn, T1, 1);
    assert_non_null(strstr(line, id3));
    ce_free(line);

    ce_test_proc_free(sn);
    cond_teardown(&e);
}

static void test_condition_survives_sigkill(void **state)
{
    (void)state;
    struct cond_env e = {0};
    cond_setup(&e);
    struct ce_test_proc *sn = cond_start_sensor(&e);
    char id1[33], id2[33];
    cond_send(&e, "/dep1", id1);
    cond_wait(sn, T2, id1, 1);
    cond_wait(sn, CE_SN_SAVED_MSG, id1, 1);
    cond_expect_exact(sn, 0, 1);
    ce_test_proc_kill(sn);
    ce_test_proc_free(sn);

    struct ce_test_proc *again = cond_start_sensor(&e);
    cond_send(&e, "/dep2", id2);
    cond_wait(again, T1, id2, 1);
    cond_expect_exact(again, 1, 0);
    char *line = ce_test_proc_line(again, T1, 0);
    assert_non_null(strstr(line, id1));
    assert_non_null(strstr(line, id2));
    ce_free(line);
    ce_test_proc_free(again);
    cond_teardown(&e);
}

/* conditionsReset every minute: an event kept before the tick no longer counts after it. */
static void test_conditions_reset_by_time(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    struct cond_env e = {0};
    cond_setup(&e);
    ce_free(e.sensor_file);
    e.sensor_file =
        ce_test_data_write(e.dir, "sensor-reset.yaml", "sensors/multi-dependency-reset.yaml", NULL);
    struct ce_test_proc *sn = cond_start_sensor(&e);
    char id1[33], id2[33];
    cond_send(&e, "/dep1", id1);
    cond_wait(sn, CE_SN_SAVED_MSG, id1, 1);
    assert_true(ce_test_proc_wait_line(sn, "reset conditions", 1, 75000));
    cond_send(&e, "/dep2", id2); /* dep-1 was forgotten: dep-2 is kept, nothing fires */
    cond_wait(sn, CE_SN_SAVED_MSG, id2, 1);
    cond_expect_exact(sn, 0, 1);
    ce_test_proc_free(sn);
    cond_teardown(&e);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_dependency_scenario),
        cmocka_unit_test(test_condition_survives_sigkill),
        cmocka_unit_test(test_conditions_reset_by_time),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
