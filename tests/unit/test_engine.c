/* SPDX-License-Identifier: Apache-2.0 */
/* The trigger engine on the in-memory bus: stateless triggers fire on each matching event,
 * stateful ones save the latest event per dependency and fire with all of them once the
 * condition holds, duplicate dependencies on one event are each handled, a failing check
 * keeps a dependency unsatisfied, state survives a new engine (a restart), and reconciling
 * with a changed spec purges what no longer holds. */
#include "tests/harness/plugins.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "sensor/engine.h"
#include "sensor/state.h"
#include "triggers/trigger.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct te_fired {
    int calls;
    char deps[16][256]; /* per call: "dep:id,dep:id" */
};

static int te_fire(void *arg, void *call, const struct ce_trigger_event *events, int n)
{
    (void)call;
    struct te_fired *f = arg;
    char *out = f->deps[f->calls % 16];
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, 256 - l, "%s%s:%s", i ? "," : "", events[i].dependency_name,
                 events[i].event->id);
    }
    f->calls++;
    return CE_OK;
}

/* Refuses events whose id starts with "x" for dep-b; passes the rest unchanged. */
static int te_check(void *arg, int dep, const struct ce_cloudevent *in, struct ce_cloudevent *out,
                    bool *pass, char *err, size_t errlen)
{
    const struct ce_sensor *s = arg;
    (void)out;
    *pass = !(strcmp(s->deps[dep].name, "dep-b") == 0 && in->id[0] == 'x');
    if (in->id[0] == 'e') {
        snprintf(err, errlen, "broken filter");
        return CE_EINVAL;
    }
    return CE_OK;
}

struct te_env {
    struct ce_manifest_set *set;
    struct ce_bus *bus;
    struct ce_sn_state *state;
    struct ce_sn_engine *engine;
    struct te_fired fired;
    uint64_t seq;
};

static void te_open(struct te_env *e, const char *yaml, bool with_check)
{
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &e->set), CE_OK);
    assert_int_equal(ce_manifest_load_buf(e->set, yaml, strlen(yaml), "s.yaml", false, &d), CE_OK);
    if (d.n != 0) {
        ce_diag_print(&d, stderr);
    }
    assert_int_equal(e->set->n_sensors, 1);
    ce_diag_fini(&d);
    if (e->bus == NULL) {
        static int te_buses;
        char url[64];
        snprintf(url, sizeof(url), "memory://engine-%d", te_buses++); /* a fresh bus per test */
        struct ce_bus_config cfg;
        ce_bus_config_defaults(&cfg);
        cfg.url = url;
        assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &e->bus), CE_OK);
    }
    const struct ce_sensor *s = e->set->sensors[0];
    assert_int_equal(ce_sn_state_open(e->bus, s->name, &e->state), CE_OK);
    struct ce_sn_engine_config cfg = {
        .sensor = s,
        .trigger = &s->triggers[0],
        .state = e->state,
        .check = with_check ? te_check : NULL,
        .check_arg = (void *)s,
        .fire = te_fire,
        .fire_arg = &e->fired,
    };
    char err[256];
    assert_int_equal(ce_sn_engine_create(&cfg, &e->engine, err, sizeof(err)), CE_OK);
}

/* tests/data/sensors/three-dependencies.yaml: dep-a, dep-b, dep-c (and extra_dep, YAML lines,
 * may be "") with a trigger on conditions. */
static char *te_sensor(const char *conditions, const char *extra_dep)
{
    return ce_test_data("sensors/three-dependencies.yaml", "CONDITIONS", conditions,
                        "EXTRA_DEPENDENCY", extra_dep, NULL);
}

static void te_open_sensor(struct te_env *e, const char *conditions, const char *extra_dep,
                           bool with_check)
{
    char *yaml = te_sensor(conditions, extra_dep);
    te_open(e, yaml, with_check);
    ce_free(yaml);
}

static void te_close_engine(struct te_env *e)
{
    ce_sn_engine_destroy(e->engine);
    ce_sn_state_close(e->state);
    ce_manifest_set_destroy(e->set);
    e->engine = NULL;
    e->state = NULL;
    e->set = NULL;
}

static void te_close(struct te_env *e)
{
    te_close_engine(e);
    ce_bus_destroy(e->bus);
}

/* Sends an event of es/<name> with id; returns how many firings it caused. */
static int te_send(struct te_env *e, const char *name, const char *id)
{
    struct ce_cloudevent ev = {
        .specversion = "1.0",
        .id = (char *)id,
        .source = "es",
        .type = "webhook",
        .subject = (char *)name,
        .datacontenttype = "application/json",
        .time = "2026-11-22T10:00:00Z",
        .data = "{}",
        .data_len = 2,
    };
    char raw[512];
    snprintf(raw, sizeof(raw),
             "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"es\",\"type\":\"webhook\","
             "\"subject\":\"%s\",\"datacontenttype\":\"application/json\","
             "\"time\":\"2026-11-22T10:00:00Z\",\"data\":{}}",
             id, name);
    e->seq++;
    struct ce_sn_msg_pos pos = {e->seq, e->seq, (int64_t)e->seq * 1000000000};
    return ce_sn_engine_process(e->engine, &ev, raw, strlen(raw), &pos, NULL);
}

static void test_stateless_or(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "dep-a || dep-c", "", false);
    assert_false(ce_sn_engine_stateful(e.engine));
    int idx[8];
    assert_int_equal(ce_sn_engine_deps(e.engine, idx, 8), 2);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 2);
    assert_int_equal(te_send(&e, "a", "1"), 1);
    assert_int_equal(te_send(&e, "b", "2"), 0); /* not a dependency of this trigger */
    assert_int_equal(te_send(&e, "c", "3"), 1);
    assert_int_equal(te_send(&e, "a", "4"), 1);
    assert_string_equal(e.fired.deps[0], "dep-a:1");
    assert_string_equal(e.fired.deps[1], "dep-c:3");
    te_close(&e);
}

static void test_stateful_and_or(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "(dep-a && dep-b) || dep-c", "", false);
    assert_true(ce_sn_engine_stateful(e.engine));
    assert_int_equal(te_send(&e, "a", "a1"), 0);
    assert_int_equal(te_send(&e, "a", "a2"), 0); /* the latest wins */
    assert_int_equal(te_send(&e, "b", "b1"), 1);
    assert_string_equal(e.fired.deps[0], "dep-a:a2,dep-b:b1");
    assert_int_equal(te_send(&e, "b", "b2"), 0); /* state was cleared: saved */
    assert_int_equal(te_send(&e, "c", "c1"), 1); /* all saved events go along */
    assert_string_equal(e.fired.deps[1], "dep-b:b2,dep-c:c1");
    assert_int_equal(te_send(&e, "a", "a3"), 0);
    assert_int_equal(e.fired.calls, 2);
    te_close(&e);
}

static void test_no_conditions_means_all(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "", "", false);
    assert_true(ce_sn_engine_stateful(e.engine));
    assert_int_equal(te_send(&e, "c", "c1"), 0);
    assert_int_equal(te_send(&e, "a", "a1"), 0);
    assert_int_equal(te_send(&e, "b", "b1"), 1);
    assert_string_equal(e.fired.deps[0], "dep-a:a1,dep-b:b1,dep-c:c1");
    te_close(&e);
}

/* Two dependencies on the same event: each is matched, so one event satisfies both. */
static void test_duplicate_dependencies(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "dep-b && dep-b2", "  - {name: dep-b2, eventSourceName: es, eventName: b}\n",
                   true);
    assert_int_equal(te_send(&e, "b", "b1"), 1);
    assert_string_equal(e.fired.deps[0], "dep-b:b1,dep-b2:b1");
    /* dep-b refuses ids starting with x: only dep-b2 is saved, nothing fires. */
    assert_int_equal(te_send(&e, "b", "x1"), 0);
    /* Dependencies are handled one after the other, as Argo does: dep-b completes the
     * condition with the saved x1, then dep-b2 saves b2 for the next round. */
    assert_int_equal(te_send(&e, "b", "b2"), 1);
    assert_string_equal(e.fired.deps[1], "dep-b:b2,dep-b2:x1");
    assert_int_equal(te_send(&e, "b", "b3"), 1);
    assert_string_equal(e.fired.deps[2], "dep-b:b3,dep-b2:b2");
    /* A check error keeps every dependency of that event unsatisfied. */
    assert_int_equal(te_send(&e, "b", "e1"), 0);
    assert_int_equal(e.fired.calls, 3);
    te_close(&e);
}

/* A new engine on the same bucket (a restarted Sensor) sees what the old one saved; a reset
 * forgets it; older-than resets keep newer entries. */
static void test_state_survives_and_resets(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "dep-a && dep-b", "", false);
    assert_int_equal(te_send(&e, "a", "a1"), 0);
    te_close_engine(&e);
    te_open_sensor(&e, "dep-a && dep-b", "", false);
    assert_int_equal(te_send(&e, "b", "b1"), 1);
    assert_string_equal(e.fired.deps[0], "dep-a:a1,dep-b:b1");

    assert_int_equal(te_send(&e, "a", "a2"), 0);
    assert_int_equal(ce_sn_engine_reset(e.engine), CE_OK);
    assert_int_equal(te_send(&e, "b", "b2"), 0);
    assert_int_equal(e.fired.calls, 1);

    /* b2 is saved at seq-based time e.seq s; an older-than cut before it keeps it. */
    assert_int_equal(ce_sn_engine_reset_older(e.engine, 1), 0);
    assert_int_equal(ce_sn_engine_reset_older(e.engine, ((int64_t)e.seq + 1) * 1000000000), 1);
    assert_int_equal(te_send(&e, "a", "a3"), 0);
    te_close(&e);
}

static int te_purged;
static void te_purge(void *arg, const char *trigger, const char *dep)
{
    (void)arg;
    (void)trigger;
    (void)dep;
    te_purged++;
}

/* A changed dependency loses its saved events; a changed condition loses the trigger's. */
static void test_reconcile(void **state)
{
    (void)state;
    struct te_env e = {0};
    te_open_sensor(&e, "dep-a && dep-b", "", false);
    assert_int_equal(ce_sn_state_reconcile(e.state, e.set->sensors[0], te_purge, NULL), CE_OK);
    assert_int_equal(te_send(&e, "a", "a1"), 0);
    te_close_engine(&e);

    te_open_sensor(&e, "dep-a && dep-b", "", false); /* same spec: nothing purged */
    te_purged = 0;
    assert_int_equal(ce_sn_state_reconcile(e.state, e.set->sensors[0], te_purge, NULL), CE_OK);
    assert_int_equal(te_purged, 0);
    assert_int_equal(te_send(&e, "b", "b1"), 1);
    assert_int_equal(te_send(&e, "a", "a2"), 0);
    te_close_engine(&e);

    /* dep-a now listens to another event: its saved a2 must not complete anything. */
    char *v2 = ce_test_data("sensors/two-dependencies-a2.yaml", NULL);
    te_open(&e, v2, false);
    ce_free(v2);
    assert_int_equal(ce_sn_state_reconcile(e.state, e.set->sensors[0], te_purge, NULL), CE_OK);
    assert_true(te_purged >= 1);
    assert_int_equal(te_send(&e, "b", "b2"), 0);
    assert_int_equal(e.fired.calls, 1);
    te_close(&e);
}

static void test_bad_conditions(void **state)
{
    (void)state;
    struct ce_diag d;
    ce_diag_init(&d);
    struct ce_manifest_set *set = NULL;
    char *yaml = te_sensor("dep-a && dep-z", "");
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    assert_int_equal(ce_manifest_load_buf(set, yaml, strlen(yaml), "s.yaml", false, &d), CE_OK);
    ce_diag_fini(&d);
    if (set->n_sensors == 1) { /* the loader may already refuse it; the engine must too */
        const struct ce_sensor *s = set->sensors[0];
        int idx[8], n = 0;
        char err[256] = "";
        assert_int_equal(ce_sn_trigger_deps(s, &s->triggers[0], idx, &n, err, sizeof(err)),
                         CE_EINVAL);
        assert_non_null(strstr(err, "dep-z"));
    }
    ce_manifest_set_destroy(set);
    ce_free(yaml);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stateless_or),
        cmocka_unit_test(test_stateful_and_or),
        cmocka_unit_test(test_no_conditions_means_all),
        cmocka_unit_test(test_duplicate_dependencies),
        cmocka_unit_test(test_state_survives_and_resets),
        cmocka_unit_test(test_reconcile),
        cmocka_unit_test(test_bad_conditions),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
