/* SPDX-License-Identifier: Apache-2.0 */
/* Dependency filters with Argo's semantics: context fields must equal the event's, time
 * windows are [start, stop) on the event's date in the filter's zone and wrap midnight when
 * stop comes first, `or` needs one configured group to pass, bad settings are refused at
 * compile time, and groups not built yet are refused rather than ignored. */
#include "tests/harness/plugins.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "sensor/filter.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct ce_cloudevent tf_event(const char *time);

/* Loads a Sensor whose only dependency ends with the given YAML lines (filters, transform) and
 * compiles its check; returns the compile result. */
static int tf_compile_dep(const char *lines, struct ce_manifest_set **set, struct ce_sn_filter **f,
                          char *err, size_t errlen)
{
    char *yaml = ce_test_data("sensors/one-dependency.yaml", "DEPENDENCY", lines, NULL);
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), set), CE_OK);
    assert_int_equal(ce_manifest_load_buf(*set, yaml, strlen(yaml), "s.yaml", false, &d), CE_OK);
    ce_free(yaml);
    *f = NULL;
    if ((*set)->n_sensors != 1) { /* refused by validation already: report its message */
        assert_true(d.n > 0);
        snprintf(err, errlen, "%s: %s", d.items[0].path, d.items[0].msg);
        ce_diag_fini(&d);
        return CE_EINVAL;
    }
    ce_diag_fini(&d);
    return ce_sn_filter_compile(&(*set)->sensors[0]->deps[0], f, err, errlen);
}

/* The same with a filters block (YAML indented for it) and filtersLogicalOperator op. */
static int tf_compile(const char *filters, const char *op, struct ce_manifest_set **set,
                      struct ce_sn_filter **f, char *err, size_t errlen)
{
    char *lines = ce_xasprintf("    filtersLogicalOperator: %s\n    filters:\n%s", op, filters);
    int rc = tf_compile_dep(lines, set, f, err, errlen);
    ce_free(lines);
    return rc;
}

/* Applies the dependency check (transform, filters) given by lines to an event with data.
 * Returns pass (0/1) or -1 for an error; the data the filters saw goes to seen (may be NULL). */
static int tf_apply(const char *lines, const char *data, char *seen, size_t seenlen)
{
    struct ce_manifest_set *set = NULL;
    struct ce_sn_filter *f = NULL;
    char err[256] = "";
    assert_int_equal(tf_compile_dep(lines, &set, &f, err, sizeof(err)), CE_OK);
    struct ce_cloudevent ev = tf_event("2026-11-22T10:00:00Z");
    ev.data = (char *)data;
    ev.data_len = strlen(data);
    struct ce_cloudevent out;
    memset(&out, 0, sizeof out);
    bool pass = false;
    int rc = ce_sn_filter_apply(f, &ev, &out, &pass, err, sizeof(err));
    const struct ce_cloudevent *used = out.id != NULL ? &out : &ev;
    if (seen != NULL) {
        snprintf(seen, seenlen, "%.*s", (int)used->data_len, used->data);
    }
    if (out.id != NULL) {
        ce_cloudevent_fini(&out);
    }
    ce_sn_filter_destroy(f);
    ce_manifest_set_destroy(set);
    return rc == CE_OK ? pass : -1;
}

static struct ce_cloudevent tf_event(const char *time)
{
    struct ce_cloudevent ev = {
        .specversion = "1.0",
        .id = "1",
        .source = "webhook",
        .type = "webhook",
        .subject = "example",
        .datacontenttype = "application/json",
        .time = (char *)time,
        .data = "{}",
        .data_len = 2,
    };
    return ev;
}

/* Evaluates filters on an event at time; -1 for an evaluation error. */
static int tf_eval(const char *filters, const char *op, const char *time)
{
    struct ce_manifest_set *set = NULL;
    struct ce_sn_filter *f = NULL;
    char err[256] = "";
    assert_int_equal(tf_compile(filters, op, &set, &f, err, sizeof(err)), CE_OK);
    struct ce_cloudevent ev = tf_event(time);
    bool pass = false;
    int rc = ce_sn_filter_eval(f, &ev, &pass, err, sizeof(err));
    ce_sn_filter_destroy(f);
    ce_manifest_set_destroy(set);
    return rc == CE_OK ? pass : -1;
}

#define TIME(start, stop, extra)                                                                   \
    "      time:\n        start: \"" start "\"\n        stop: \"" stop "\"\n" extra

static void test_time_windows(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    static const struct {
        const char *filters, *time;
        int want;
    } cases[] = {
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T09:00:00Z", 1}, /* start inclusive */
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T16:59:59.999Z", 1},
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T17:00:00Z", 0}, /* stop exclusive */
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T08:59:59Z", 0},
        {TIME("22:00:00", "02:00:00", ""), "2026-11-22T23:30:00Z", 1}, /* wraps midnight */
        {TIME("22:00:00", "02:00:00", ""), "2026-11-22T01:59:59Z", 1},
        {TIME("22:00:00", "02:00:00", ""), "2026-11-22T02:00:00Z", 0},
        {TIME("22:00:00", "02:00:00", ""), "2026-11-22T12:00:00Z", 0},
        /* 09:00-17:00 in Kolkata is 03:30-11:30 UTC. */
        {TIME("09:00:00", "17:00:00", "        timezone: Asia/Kolkata\n"), "2026-11-22T03:30:00Z",
         1},
        {TIME("09:00:00", "17:00:00", "        timezone: Asia/Kolkata\n"), "2026-11-22T11:30:00Z",
         0},
        {TIME("09:00:00", "17:00:00", "        timezone: Asia/Kolkata\n"), "2026-11-22T03:29:59Z",
         0},
        /* An offset in the event time is honoured. */
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T10:00:00+05:00", 0},
        {TIME("09:00:00", "17:00:00", ""), "2026-11-22T12:00:00+02:00", 1},
        /* New York in summer is UTC-4: 09:00 local is 13:00 UTC. */
        {TIME("09:00:00", "10:00:00", "        timezone: America/New_York\n"),
         "2026-07-01T13:30:00Z", 1},
        {TIME("09:00:00", "10:00:00", "        timezone: America/New_York\n"),
         "2026-07-01T09:30:00Z", 0},
        {TIME("09:00:00", "17:00:00", ""), "not a time", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = tf_eval(cases[i].filters, "and", cases[i].time);
        if (got != cases[i].want) {
            fprintf(stderr, "case %zu: got %d want %d\n", i, got, cases[i].want);
        }
        assert_int_equal(got, cases[i].want);
    }
}

static void test_context(void **state)
{
    (void)state;
    const char *t = "2026-11-22T10:00:00Z";
    assert_int_equal(tf_eval("      context:\n        type: webhook\n", "and", t), 1);
    assert_int_equal(tf_eval("      context:\n        type: calendar\n", "and", t), 0);
    assert_int_equal(
        tf_eval("      context:\n        source: webhook\n        subject: example\n", "and", t),
        1);
    assert_int_equal(
        tf_eval("      context:\n        source: webhook\n        subject: other\n", "and", t), 0);
    assert_int_equal(tf_eval("      context:\n        datacontenttype: application/json\n"
                             "        type: \"\"\n",
                             "and", t),
                     1);
}

/* and: every configured group; or: any configured group. */
static void test_logical_operators(void **state)
{
    (void)state;
    const char *ok_ctx = "      context:\n        type: webhook\n";
    const char *bad_ctx = "      context:\n        type: calendar\n";
    const char *in = TIME("09:00:00", "17:00:00", "");
    char both[512];
    snprintf(both, sizeof(both), "%s%s", bad_ctx, in);
    assert_int_equal(tf_eval(both, "and", "2026-11-22T10:00:00Z"), 0);
    assert_int_equal(tf_eval(both, "or", "2026-11-22T10:00:00Z"), 1);
    assert_int_equal(tf_eval(both, "or", "2026-11-22T18:00:00Z"), 0);
    snprintf(both, sizeof(both), "%s%s", ok_ctx, in);
    assert_int_equal(tf_eval(both, "and", "2026-11-22T10:00:00Z"), 1);
    assert_int_equal(tf_eval(both, "and", "2026-11-22T18:00:00Z"), 0);
    /* An error vetoes even under or. */
    assert_int_equal(tf_eval(both, "or", "yesterday"), -1);
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *filters, *msg;
    } cases[] = {
        {TIME("25:00:00", "17:00:00", ""), "time.start"},
        {TIME("09:00", "17:00:00", ""), "time.start"},
        {TIME("09:00:00", "17:60:00", ""), "time.stop"},
        {TIME("09:00:00", "09:00:00", ""), "must differ"},
        {TIME("09:00:00", "17:00:00", "        timezone: Mars/Base\n"), "timezone"},
        {"      data:\n      - path: body.a\n        type: string\n        value: [\"a(\"]\n",
         "filters.data[0].value[0]: error parsing regexp: missing closing ): `a(`"},
        {"      data:\n      - path: body.a\n        type: number\n        value: [ten]\n",
         "filters.data[0].value[0]: \"ten\" is not a number"},
        {"      script: \"return (\"\n", "filters.script"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ce_manifest_set *set = NULL;
        struct ce_sn_filter *f = NULL;
        char err[256] = "";
        assert_int_equal(tf_compile(cases[i].filters, "and", &set, &f, err, sizeof(err)),
                         CE_EINVAL);
        assert_null(f);
        if (strstr(err, cases[i].msg) == NULL) {
            fprintf(stderr, "case %zu: %s\n", i, err);
        }
        assert_non_null(strstr(err, cases[i].msg));
        ce_manifest_set_destroy(set);
    }
}

/* filters.script with Argo's rules: only a returned true passes, an error fails whatever the
 * operator, and it combines with the other groups. */
static void test_script(void **state)
{
    (void)state;
    const char *is_one = "    filters:\n      script: \"return event.a == 1\"\n";
    assert_int_equal(tf_apply(is_one, "{\"a\":1}", NULL, 0), 1);
    assert_int_equal(tf_apply(is_one, "{\"a\":2}", NULL, 0), 0);
    assert_int_equal(tf_apply("    filters:\n      script: \"return 'true'\"\n", "{}", NULL, 0), 0);
    assert_int_equal(tf_apply("    filters:\n      script: \"error('boom')\"\n", "{}", NULL, 0),
                     -1);
    const char *or_ctx = "    filtersLogicalOperator: or\n    filters:\n      context:\n"
                         "        type: calendar\n      script: \"return event.a == 1\"\n";
    assert_int_equal(tf_apply(or_ctx, "{\"a\":1}", NULL, 0), 1);
    assert_int_equal(tf_apply(or_ctx, "{\"a\":2}", NULL, 0), 0);
    const char *or_err = "    filtersLogicalOperator: or\n    filters:\n      context:\n"
                         "        type: webhook\n      script: \"error('boom')\"\n";
    assert_int_equal(tf_apply(or_err, "{}", NULL, 0), -1);
}

/* A transform runs before the filters, and the filters and the trigger see its result. */
static void test_transform(void **state)
{
    (void)state;
    char seen[256];
    const char *jq = "    transform:\n      jq: \".a *= 2\"\n    filters:\n"
                     "      script: \"return event.a == 4\"\n";
    assert_int_equal(tf_apply(jq, "{\"a\":2,\"b\":\"x\"}", seen, sizeof seen), 1);
    assert_string_equal(seen, "{\"a\":4,\"b\":\"x\"}");
    assert_int_equal(tf_apply(jq, "{\"a\":3}", seen, sizeof seen), 0);
    assert_string_equal(seen, "{\"a\":6}");
    const char *lua = "    transform:\n      script: \"event.c = 'y' return event\"\n";
    assert_int_equal(tf_apply(lua, "{\"b\":1}", seen, sizeof seen), 1);
    assert_string_equal(seen, "{\"b\":1,\"c\":\"y\"}");
    /* jq whose first output is not an object: the dependency fails */
    assert_int_equal(tf_apply("    transform:\n      jq: \".a\"\n", "{\"a\":1}", NULL, 0), -1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_windows),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_logical_operators),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_transform),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
