/* SPDX-License-Identifier: Apache-2.0 */
/* Against a real nats-server: two dependencies on the same event, one with a data filter, feed
 * three triggers (each alone, and both joined by &&) with Argo's counts; and a rate limit of 2
 * per second never lets a third firing into any second, while every event still fires. */
#include "core/base/mem.h"
#include "core/base/clock.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "sensor/runtime.h"
#include "sensor/state.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct pol_env {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_proc *es;
    int port;
};

static int pol_setup(void **state)
{
    struct pol_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("policies");
    e->natsd = ce_scn_natsd_start(e->dir);
    e->port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook.yaml", e->port);
    e->es = ce_scn_start("eventsource", es_file, ce_natsd_url(e->natsd), 0, NULL,
                         "Eventing server started.");
    ce_free(es_file);
    *state = e;
    return 0;
}

static int pol_teardown(void **state)
{
    struct pol_env *e = *state;
    ce_test_proc_free(e->es);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* Starts the Sensor tests/data/<rel>. */
static struct ce_test_proc *pol_sensor(struct pol_env *e, const char *rel)
{
    char *file = ce_test_data_write(e->dir, "sensor.yaml", rel, NULL);
    struct ce_test_proc *sn =
        ce_scn_start("sensor", file, ce_natsd_url(e->natsd), 0, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    return sn;
}

static void pol_post(struct pol_env *e, const char *body, char id[33])
{
    assert_int_equal(ce_scn_post(e->port, "/example", body, NULL, id), 200);
}

#define FIRED(t) "Successfully processed trigger '" t "'"

/* Waits until a firing line of trigger names event id, then checks that it is the last of
 * exactly `count` firing lines of that trigger. Each dependency's consumer handles events in
 * stream order, so once the event posted last has fired, every firing the earlier events
 * caused is already logged: nothing further can come for them. */
static void pol_expect_last_firing(struct ce_test_proc *sn, const char *fired, const char *id,
                                   int count)
{
    int64_t deadline = ce_test_now_ms() + 20000;
    int at = -1;
    while (at < 0) {
        for (int i = 0;; i++) {
            char *line = ce_test_proc_line(sn, fired, i);
            if (line == NULL) {
                break;
            }
            if (strstr(line, id) != NULL) {
                at = i;
            }
            ce_free(line);
        }
        if (at < 0) {
            assert_true(ce_test_now_ms() < deadline);
            ce_test_sleep_ms(20);
        }
    }
    if (at != count - 1 || ce_test_proc_count(sn, fired) != count) {
        fail_msg("\"%s\" for the last event is line %d of %d, want %d of %d", fired, at + 1,
                 ce_test_proc_count(sn, fired), count, count);
    }
}

static void test_duplicate_dependencies(void **state)
{
    struct pol_env *e = *state;
    struct ce_test_proc *sn = pol_sensor(e, "sensors/duplicate-dependencies.yaml");
    char id[33];
    /* n=1: d-all only. t-all fires, t-big does not, t-both keeps d-all. */
    pol_post(e, "{\"n\":1}", id);
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-all"), 1, 20000));
    assert_true(ce_test_proc_wait_line(sn, "Saved the event until", 1, 20000));
    assert_true(ce_test_proc_wait_line(sn, "filters did not pass", 1, 20000));
    /* n=9: both. t-all and t-big fire, t-both fires once with both dependencies. */
    pol_post(e, "{\"n\":9}", id);
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-both"), 1, 20000));
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-all"), 2, 20000));
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-big"), 1, 20000));
    char *line = ce_test_proc_line(sn, FIRED("t-both"), 0);
    assert_non_null(strstr(line, "d-all"));
    assert_non_null(strstr(line, "d-big"));
    ce_free(line);
    /* n=7 again satisfies both at once: t-both fires again, from a clean state. */
    pol_post(e, "{\"n\":7}", id);
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-both"), 2, 20000));
    assert_true(ce_test_proc_wait_line(sn, FIRED("t-big"), 2, 20000));
    /* A sentinel that fires all three: once its firings are in, the three events above have
     * caused exactly 3, 2 and 2 firings. */
    char sentinel[33];
    pol_post(e, "{\"n\":100}", sentinel);
    pol_expect_last_firing(sn, FIRED("t-all"), sentinel, 3 + 1);
    pol_expect_last_firing(sn, FIRED("t-big"), sentinel, 2 + 1);
    pol_expect_last_firing(sn, FIRED("t-both"), sentinel, 2 + 1);
    ce_test_proc_free(sn);
}

/* The wall-clock time of the nth firing line, from its "ts" field (ns). */
static int64_t pol_fired_at(struct ce_test_proc *sn, int nth)
{
    char *line = ce_test_proc_line(sn, FIRED("slow"), nth);
    assert_non_null(line);
    json_t *j = json_loads(line, 0, NULL);
    assert_non_null(j);
    int64_t ns = ce_clock_parse_rfc3339_ns(json_string_value(json_object_get(j, "ts")));
    json_decref(j);
    ce_free(line);
    assert_true(ns > 0);
    return ns;
}

static void test_rate_limit_is_exact(void **state)
{
    struct pol_env *e = *state;
    struct ce_test_proc *sn = pol_sensor(e, "sensors/rate-limited.yaml");
    char id[33];
    for (int i = 0; i < 7; i++) {
        pol_post(e, "{\"burst\":true}", id);
    }
    /* 7 firings at 2 per second take at least 3 seconds; none is dropped */
    assert_true(ce_test_proc_wait_line(sn, FIRED("slow"), 7, 30000));
    int64_t at[7];
    for (int i = 0; i < 7; i++) {
        at[i] = pol_fired_at(sn, i);
    }
    /* any three consecutive firings span at least a second */
    for (int i = 2; i < 7; i++) {
        if (at[i] - at[i - 2] < INT64_C(1000000000)) {
            fail_msg("firings %d and %d only %lld ms apart", i - 2, i,
                     (long long)((at[i] - at[i - 2]) / 1000000));
        }
    }
    assert_true(at[6] - at[0] >= INT64_C(3000000000));
    ce_test_proc_free(sn);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_dependencies),
        cmocka_unit_test(test_rate_limit_is_exact),
    };
    return ce_test_run(argc, argv, tests, pol_setup, pol_teardown);
}
