/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.calendar.<event>: every field of Argo's CalendarEventSource read into the
 * plugin's config (schedule over interval, zone, exclusions, metadata sorted as Go writes it,
 * persistence), and each refusal reported at its line and column with the
 * field's path, strict mode's unknown keys inside persistence included. */
#include "core/base/rc.h"
#include "core/time/tz.h"
#include "eventsource/calendar/config.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define HEAD                                                                                       \
    "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: cal\nspec:\n"         \
    "  calendar:\n"

struct tc_load {
    struct ce_manifest_set *set;
    struct ce_diag diag;
};

static void tc_load(const char *events, bool strict, struct tc_load *out)
{
    char text[4096];
    snprintf(text, sizeof text, HEAD "%s", events);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &out->set), CE_OK);
    ce_diag_init(&out->diag);
    assert_int_equal(
        ce_manifest_load_buf(out->set, text, strlen(text), "t.yaml", strict, &out->diag), CE_OK);
}

static void tc_free(struct tc_load *l)
{
    ce_diag_fini(&l->diag);
    ce_manifest_set_destroy(l->set);
}

/* The one error the manifest gave is at line:col with path, and its message contains msg. */
static void tc_expect_error(const char *events, bool strict, int line, int col, const char *path,
                            const char *msg)
{
    struct tc_load l;
    tc_load(events, strict, &l);

    bool found = false;
    for (int i = 0; i < l.diag.n; i++) {
        const struct ce_diag_item *it = &l.diag.items[i];
        if (it->severity == CE_DIAG_ERROR && it->line == line && it->col == col &&
            strcmp(it->path, path) == 0 && strstr(it->msg, msg) != NULL) {
            found = true;
        }
    }
    if (!found) {
        ce_diag_print(&l.diag, stderr);
        fail_msg("no error %d:%d %s: %s", line, col, path, msg);
    }
    assert_int_equal(l.set->n_eventsources, 0);
    tc_free(&l);
}

static const struct ce_calendar_config *tc_only(struct tc_load *l)
{
    if (ce_diag_errors(&l->diag) != 0) {
        ce_diag_print(&l->diag, stderr);
        fail();
    }
    assert_int_equal(l->set->n_eventsources, 1);
    assert_int_equal(l->set->eventsources[0]->n_events, 1);
    return l->set->eventsources[0]->events[0].config;
}

static void test_every_field(void **state)
{
    (void)state;
    struct tc_load l;
    tc_load("    e:\n"
            "      schedule: \"30 2 * * *\"\n"
            "      timezone: Europe/Berlin\n"
            "      exclusionDates: [\"EXDATE:20261225T000000Z,20261226T000000Z\", \"RDATE:x\"]\n"
            "      metadata: {b: \"3\", a: x}\n"
            "      persistence:\n"
            "        catchup: {enabled: true, maxDuration: 90m}\n"
            "        configMap: {name: ticks, createIfNotExist: true}\n"
            "      filter: {expression: \"true\"}\n",
            true, &l);
    const struct ce_calendar_config *c = tc_only(&l);
    assert_string_equal(c->schedule, "30 2 * * *");
    assert_non_null(c->sched.cron);
    assert_string_equal(ce_tz_name(c->sched.zone), "Europe/Berlin");
    assert_int_equal(c->sched.n_excluded, 2);
    assert_int_equal(c->sched.excluded[0], ce_tz_days_from_civil(2026, 12, 25));
    assert_int_equal(c->n_metadata, 2);
    assert_string_equal(c->metadata[0].key, "a");
    assert_string_equal(c->metadata[1].key, "b");
    assert_string_equal(c->metadata[1].value, "3");
    assert_true(c->catchup);
    assert_int_equal(c->catchup_max_ns, 90 * 60 * CE_CAL_NS);
    assert_string_equal(c->config_map, "ticks");
    assert_true(c->create_if_not_exist);
    tc_free(&l);
}

static void test_interval_and_defaults(void **state)
{
    (void)state;
    struct tc_load l;
    tc_load("    e: {interval: 2.5s}\n", false, &l);
    const struct ce_calendar_config *c = tc_only(&l);
    assert_null(c->sched.cron);
    assert_int_equal(c->sched.interval_ns, 2500 * INT64_C(1000000));
    assert_non_null(c->sched.zone); /* the local zone */
    assert_false(c->catchup);
    assert_int_equal(c->n_metadata, 0);
    tc_free(&l);
    /* schedule wins over interval, as in Argo; the interval is not even checked */
    tc_load("    e: {schedule: \"0 * * * *\", interval: 1ms}\n", false, &l);
    c = tc_only(&l);
    assert_non_null(c->sched.cron);
    tc_free(&l);
}

static void test_refusals(void **state)
{
    (void)state;
    tc_expect_error("    e: {schedule: \"0 0 31 2 *\"}\n", false, 7, 19, "spec.calendar.e.schedule",
                    "never fires");
    tc_expect_error("    e: {schedule: \"* * * *\"}\n", false, 7, 19, "spec.calendar.e.schedule",
                    "expected exactly 5 fields");
    tc_expect_error("    e: {schedule: \"CRON_TZ=Nowhere/X * * * * *\"}\n", false, 7, 19,
                    "spec.calendar.e.schedule", "unknown time zone");
    tc_expect_error("    e: {interval: 999ms}\n", false, 7, 19, "spec.calendar.e.interval",
                    "at least 1s");
    tc_expect_error("    e: {interval: 10}\n", false, 7, 19, "spec.calendar.e.interval",
                    "missing unit");
    tc_expect_error("    e: {interval: 10s, timezone: Nowhere/X}\n", false, 7, 34,
                    "spec.calendar.e.timezone", "unknown time zone Nowhere/X");
    tc_expect_error("    e: {interval: 10s, exclusionDates: [\"EXDATE:20190230T000000Z\"]}\n",
                    false, 7, 41, "spec.calendar.e.exclusionDates[0]", "cannot parse");
    tc_expect_error("    e: {metadata: {a: b}}\n", false, 7, 8, "spec.calendar.e",
                    "must have either schedule or interval");
    tc_expect_error("    e:\n      interval: 10s\n      persistence: {catchup: {maxDuration: x}}\n",
                    false, 9, 44, "spec.calendar.e.persistence.catchup.maxDuration",
                    "invalid duration");
    tc_expect_error("    e:\n      interval: 10s\n      persistence: {catchup: {enable: true}}\n",
                    true, 9, 31, "spec.calendar.e.persistence.catchup.enable", "");
}

int main(int argc, char **argv)
{
    ce_test_require_tzdata();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_interval_and_defaults),
        cmocka_unit_test(test_refusals),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
