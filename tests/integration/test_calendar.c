/* SPDX-License-Identifier: Apache-2.0 */
/* The calendar EventSource against a real nats-server, counting ticks on the stream by their
 * scheduled time and event id: a 1 s interval publishes each tick once with the id derived
 * from its instant; killed with SIGKILL and restarted with catch-up, every tick missed while it
 * was down is published once, oldest first, and none twice; two replicas store each tick once;
 * the bus stopped for a while means late ticks, not lost ones; the last tick is recorded in the
 * key-value store; and lint refuses the schedules that cannot run at file:line:col. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "core/time/tz.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "eventsource/emit.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <nats/nats.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define CT_SOURCE "calendar-it"
#define CT_EVENT "tick"
#define CT_MAX_TICKS 512
#define CT_READY "Eventing server started."

struct ct_env {
    char *dir;
    struct ce_natsd *natsd;
    const char *url;
};

/* The ticks found on the stream, in stream order. */
struct ct_ticks {
    int64_t when[CT_MAX_TICKS]; /* scheduled second (eventTime) */
    int n;
};

static int ct_setup(void **state)
{
    struct ct_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("calendar");
    e->natsd = ce_scn_natsd_start(e->dir);
    e->url = ce_natsd_url(e->natsd);
    *state = e;
    return 0;
}

static int ct_teardown(void **state)
{
    struct ct_env *e = *state;
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *ct_start(struct ct_env *e, const char *catchup)
{
    char *file = ce_test_data_write(e->dir, "es.yaml", "eventsources/calendar-interval.yaml",
                                    "CATCHUP", catchup, NULL);
    struct ce_test_proc *p =
        ce_scn_start("eventsource", file, e->url, ce_test_free_port(), NULL, CT_READY);
    ce_free(file);
    return p;
}

/* "2026-07-18 12:00:10 +0000 UTC" to Unix seconds. */
static int64_t ct_event_time(const char *data)
{
    const char *p = strstr(data, "\"eventTime\":\"");
    int y, mo, d, h, mi, s;
    if (p == NULL || sscanf(p + 13, "%d-%d-%d %d:%d:%d +0000 UTC", &y, &mo, &d, &h, &mi, &s) != 6) {
        fail_msg("not calendar data: %s", data);
    }
    assert_non_null(strstr(data, "\"metadata\":{\"suite\":\"calendar\"}"));
    return ce_tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* Checks one stored message (its id is the one derived from its instant) and adds its tick. */
static void ct_take_msg(void *ctx, const struct ce_scn_stored *m)
{
    struct ct_ticks *out = ctx;
    assert_non_null(m->msg_id);
    int64_t when = ct_event_time(m->data);
    char key[32], want[33];
    snprintf(key, sizeof key, "%lld", (long long)when * 1000000000LL);
    ce_emit_id_from_key(CT_SOURCE, CT_EVENT, key, strlen(key), want);
    assert_string_equal(m->msg_id, want);
    assert_string_equal(m->ev->id, want);
    assert_true(out->n < CT_MAX_TICKS);
    out->when[out->n++] = when;
}

/* Reads every message of the stream. */
static void ct_read_stream(const char *url, struct ct_ticks *out)
{
    out->n = 0;
    ce_scn_js_each(url, "calendar", ct_take_msg, out);
}

/* Every second from the first tick to the last is there exactly once, in order. */
static void ct_expect_contiguous(const struct ct_ticks *t)
{
    assert_true(t->n >= 2);
    for (int i = 1; i < t->n; i++) {
        if (t->when[i] != t->when[i - 1] + 1) {
            fail_msg("tick %d is at %lld after %lld: a tick %s", i, (long long)t->when[i],
                     (long long)t->when[i - 1],
                     t->when[i] <= t->when[i - 1] ? "came twice or out of order" : "was lost");
        }
    }
}

static bool ct_count_at_least(const char *url, long long n)
{
    return ce_scn_js_count(url) >= n;
}

/* The last tick recorded in the key-value store. */
static int64_t ct_record(const char *url)
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 5000), CE_OK);
    struct ce_bus_kv *kv = NULL;
    assert_int_equal(ce_bus_kv_open(bus, "cevents-calendar", &kv), CE_OK);
    char *v = NULL;
    assert_int_equal(ce_bus_kv_get(kv, CT_SOURCE "." CT_EVENT, &v, NULL), CE_OK);
    int y, mo, d, h, mi, s;
    assert_int_equal(sscanf(v, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6);
    ce_free(v);
    ce_bus_kv_close(kv);
    ce_bus_destroy(bus);
    return ce_tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void test_catchup_after_kill(void **state)
{
    struct ct_env *e = *state;
    struct ce_test_proc *es = ct_start(e, "true");
    assert_true(CE_TEST_WAIT_UNTIL(ct_count_at_least(e->url, 3), 20000));
    ce_test_proc_kill(es);
    long long before = ce_scn_js_count(e->url);
    /* the ticks of the next seconds fall while nothing runs */
    int64_t down_since = ce_test_now_ms();
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_now_ms() - down_since > 4000, 10000));
    ce_test_proc_free(es);
    es = ct_start(e, "true");
    assert_true(ce_test_proc_wait_line(es, "triggered a missed tick (catch-up)", 2, 20000));
    assert_true(CE_TEST_WAIT_UNTIL(ct_count_at_least(e->url, before + 6), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);

    struct ct_ticks *t = ce_xcalloc(1, sizeof(*t));
    ct_read_stream(e->url, t);
    ct_expect_contiguous(t);
    /* the last acknowledged tick is the record a restart resumes from */
    assert_int_equal(ct_record(e->url), t->when[t->n - 1]);
    ce_free(t);
}

/* Two replicas of one EventSource: the bus stores each tick once. */
static void test_two_replicas_store_once(void **state)
{
    struct ct_env *e = *state;
    struct ce_test_proc *a = ct_start(e, "false");
    struct ce_test_proc *b = ct_start(e, "false");
    assert_true(CE_TEST_WAIT_UNTIL(ce_test_proc_count(a, "Succeeded to publish an event") >= 4 &&
                                       ce_test_proc_count(b, "Succeeded to publish an event") >= 4,
                                   20000));
    ce_test_proc_free(a);
    ce_test_proc_free(b);
    struct ct_ticks *t = ce_xcalloc(1, sizeof(*t));
    ct_read_stream(e->url, t);
    ct_expect_contiguous(t);
    ce_free(t);
}

/* The bus stops for a few seconds: the ticks of that time come late, none lost or doubled. */
static void test_bus_down_late_not_lost(void **state)
{
    struct ct_env *e = *state;
    struct ce_test_proc *es = ct_start(e, "false");
    assert_true(CE_TEST_WAIT_UNTIL(ct_count_at_least(e->url, 2), 20000));
    ce_natsd_stop(e->natsd);
    assert_true(
        ce_test_proc_wait_line(es, "failed to publish a tick; it will be tried again", 2, 20000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(ce_test_proc_wait_line(es, "a tick was published late", 1, 30000));
    long long n = ce_scn_js_count(e->url);
    assert_true(CE_TEST_WAIT_UNTIL(ct_count_at_least(e->url, n + 2), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ct_ticks *t = ce_xcalloc(1, sizeof(*t));
    ct_read_stream(e->url, t);
    ct_expect_contiguous(t);
    ce_free(t);
}

/* Every field of Argo's calendar example lints clean; schedules that cannot run are refused
 * where they are written. */
static void test_lint(void **state)
{
    struct ct_env *e = *state;
    char *good = ce_test_data_write(e->dir, "good.yaml", "eventsources/calendar-fields.yaml", NULL);
    int status = -1;
    char *out = ce_scn_lint(good, true, &status);
    if (status != 0) {
        fail_msg("%s", out);
    }
    ce_free(out);
    ce_free(good);
    char *bad = ce_test_data_write(e->dir, "bad.yaml", "eventsources/calendar-bad.yaml", NULL);
    static const char *const want[] = {
        "bad.yaml:9:17: error: spec.calendar.impossible.schedule: the schedule never fires",
        "bad.yaml:11:17: error: spec.calendar.too-fast.interval: must be at least 1s",
        "bad.yaml:14:17: error: spec.calendar.nowhere.timezone: failed to load the time zone",
        "bad.yaml:18:11: error: spec.calendar.bad-date.exclusionDates[0]: cannot parse",
    };
    ce_scn_lint_refuses(bad, want, sizeof want / sizeof want[0]);
    ce_free(bad);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catchup_after_kill, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_two_replicas_store_once, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_bus_down_late_not_lost, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_lint, ct_setup, ct_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
