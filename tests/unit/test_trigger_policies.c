/* SPDX-License-Identifier: Apache-2.0 */
/* retryStrategy waits and rateLimit exactness: Backoff values in every form Argo accepts,
 * the wait growth with factor and jitter, and a limit of N per unit that never lets N+1
 * through within any unit. */
#include "tests/harness/plugins.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "sensor/reset.h"
#include "sensor/ratelimit.h"
#include "sensor/retry.h"
#include "tests/harness/harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static json_t *tp_json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    assert_non_null(j);
    return j;
}

static void test_backoff_forms(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc;
        int64_t duration_ns;
        double factor, jitter;
        int steps;
    } cases[] = {
        {"null", CE_OK, 1000000000, 1, 0, 1},
        {"{}", CE_OK, 1000000000, 1, 1, 5},
        {"{\"steps\": 3}", CE_OK, 1000000000, 1, 1, 3},
        {"{\"steps\": 0}", CE_OK, 1000000000, 1, 1, 5},
        {"{\"duration\": \"2s\", \"factor\": 2, \"jitter\": 0, \"steps\": 4}", CE_OK, 2000000000, 2,
         0, 4},
        {"{\"duration\": 500000000, \"steps\": 1}", CE_OK, 500000000, 1, 1, 1},
        {"{\"duration\": \"1m30s\", \"factor\": \"1.5\", \"jitter\": 0.2}", CE_OK, 90000000000, 1.5,
         0.2, 5},
        {"{\"duration\": \"0\"}", CE_OK, 0, 1, 1, 5},
        {"{\"duration\": \"5\"}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"duration\": \"-1s\"}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"duration\": true}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"factor\": \"x\"}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"factor\": -1}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"steps\": -2}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"steps\": 1.5}", CE_EINVAL, 0, 0, 0, 0},
        {"{\"steps\": 100000}", CE_EINVAL, 0, 0, 0, 0},
        {"[1]", CE_EINVAL, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t jerr;
        json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, &jerr);
        struct ce_backoff b;
        char err[256] = "";
        int rc = ce_backoff_from_json(j, &b, err, sizeof(err));
        assert_int_equal(rc, cases[i].rc);
        if (rc == CE_OK) {
            assert_true(b.duration_ns == cases[i].duration_ns);
            assert_true(b.factor == cases[i].factor);
            assert_true(b.jitter == cases[i].jitter);
            assert_int_equal(b.steps, cases[i].steps);
        }
        else {
            assert_non_null(strstr(err, "retryStrategy"));
        }
        json_decref(j);
    }
}

static void test_backoff_waits(void **state)
{
    (void)state;
    struct ce_backoff b = {1000000000, 2, 0, 5};
    assert_true(ce_backoff_wait_ns(&b, 1, 0.9) == 1000000000);
    assert_true(ce_backoff_wait_ns(&b, 2, 0.9) == 2000000000);
    assert_true(ce_backoff_wait_ns(&b, 4, 0.9) == 8000000000);
    b.jitter = 0.5;
    assert_true(ce_backoff_wait_ns(&b, 1, 0.0) == 1000000000);
    assert_true(ce_backoff_wait_ns(&b, 1, 0.5) == 1250000000);
    b.factor = 1000;
    b.jitter = 0;
    assert_true(ce_backoff_wait_ns(&b, 50, 0) == CE_RETRY_MAX_WAIT_NS);
    b.factor = 0; /* no growth */
    assert_true(ce_backoff_wait_ns(&b, 3, 0) == 1000000000);
}

static void test_ratelimit_parse(void **state)
{
    (void)state;
    struct ce_ratelimit *rl = NULL;
    char err[256];
    assert_int_equal(ce_ratelimit_from_json(NULL, &rl, err, sizeof(err)), CE_OK);
    assert_null(rl);
    assert_int_equal(ce_ratelimit_take(NULL, 5), 0);
    const char *bad[] = {"{\"unit\": \"Day\", \"requestsPerUnit\": 1}", "{\"requestsPerUnit\": 0}",
                         "{\"unit\": \"Second\"}", "{\"requestsPerUnit\": 1000000}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = tp_json(bad[i]);
        assert_int_equal(ce_ratelimit_from_json(j, &rl, err, sizeof(err)), CE_EINVAL);
        assert_non_null(strstr(err, "rateLimit"));
        json_decref(j);
    }
}

/* 3 per minute: whatever the arrival pattern, no 60 s window holds a 4th firing. */
static void test_ratelimit_exact(void **state)
{
    (void)state;
    json_t *j = tp_json("{\"unit\": \"Minute\", \"requestsPerUnit\": 3}");
    struct ce_ratelimit *rl = NULL;
    char err[256];
    assert_int_equal(ce_ratelimit_from_json(j, &rl, err, sizeof(err)), CE_OK);
    json_decref(j);
    int64_t fired[64];
    int n = 0;
    /* Requests every 7 s for 5 minutes; each waits as long as the limiter says. */
    int64_t now = 0;
    for (int64_t arrive = 0; arrive < 300000 && n < 64; arrive += 7000) {
        now = arrive > now ? arrive : now;
        int64_t wait;
        while ((wait = ce_ratelimit_take(rl, now)) > 0) {
            now += wait;
        }
        fired[n++] = now;
    }
    assert_true(n > 10);
    for (int i = 3; i < n; i++) {
        assert_true(fired[i] - fired[i - 3] >= 60000);
    }
    /* A burst goes through up to the limit at once. */
    ce_ratelimit_destroy(rl);
    j = tp_json("{\"unit\": \"Second\", \"requestsPerUnit\": 2}");
    assert_int_equal(ce_ratelimit_from_json(j, &rl, err, sizeof(err)), CE_OK);
    json_decref(j);
    assert_int_equal(ce_ratelimit_take(rl, 1000), 0);
    assert_int_equal(ce_ratelimit_take(rl, 1000), 0);
    assert_int_equal(ce_ratelimit_take(rl, 1500), 500);
    assert_int_equal(ce_ratelimit_take(rl, 2000), 0);
    ce_ratelimit_destroy(rl);
}

static const struct ce_trigger *tp_trigger(struct ce_manifest_set **set, const char *reset)
{
    char *yaml = ce_test_data("sensors/log-trigger.yaml", "TRIGGER", reset, NULL);
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), set), CE_OK);
    assert_int_equal(ce_manifest_load_buf(*set, yaml, strlen(yaml), "s.yaml", false, &d), CE_OK);
    bool ok = (*set)->n_sensors == 1;
    if (!ok) {
        ce_diag_print(&d, stderr);
    }
    ce_diag_fini(&d);
    ce_free(yaml);
    return ok ? &(*set)->sensors[0]->triggers[0] : NULL;
}

static void test_conditions_reset_schedules(void **state)
{
    (void)state;
    ce_test_require_tzdata(); /* named zones */
    struct ce_manifest_set *set = NULL;
    const struct ce_trigger *t = tp_trigger(&set, "");
    struct ce_sn_resets *r = NULL;
    char err[256];
    assert_int_equal(ce_sn_resets_create(t, &r, err, sizeof(err)), CE_OK);
    assert_null(r);
    assert_true(ce_sn_resets_next(NULL, 100) == -1);
    ce_manifest_set_destroy(set);

    t = tp_trigger(&set, "      conditionsReset:\n"
                         "      - byTime: {cron: \"0 23 * * *\", timezone: UTC}\n"
                         "      - byTime: {cron: \"30 6 * * 1\", timezone: Asia/Kolkata}\n");
    assert_non_null(t);
    assert_int_equal(ce_sn_resets_create(t, &r, err, sizeof(err)), CE_OK);
    /* 2026-11-22 (a Sunday) 12:00 UTC: next is 23:00 UTC the same day; Monday 06:30 in
     * Kolkata is 01:00 UTC on the 23rd, later. */
    int64_t noon = INT64_C(1795348800);
    assert_true(ce_sn_resets_next(r, noon) == noon + 11 * 3600);
    assert_true(ce_sn_resets_prev(r, noon) == noon - 13 * 3600);
    int64_t late = noon + 12 * 3600; /* 2026-11-23 00:00 UTC */
    assert_true(ce_sn_resets_next(r, late) == late + 3600);
    ce_sn_resets_destroy(r);
    ce_manifest_set_destroy(set);
}

/* A schedule or zone that does not parse is an error at its place in the manifest. */
static void test_conditions_reset_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml;
    } cases[] = {
        {"      conditionsReset:\n      - byTime: {cron: \"61 * * * *\"}\n"},
        {"      conditionsReset:\n      - byTime: {cron: \"@daily\"}\n"},
        {"      conditionsReset:\n      - byTime: {cron: \"0 1 * * *\", timezone: Mars/Base}\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *yaml = ce_test_data("sensors/log-trigger.yaml", "TRIGGER", cases[i].yaml, NULL);
        struct ce_manifest_set *set = NULL;
        struct ce_diag d;
        ce_diag_init(&d);
        assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
        assert_int_equal(ce_manifest_load_buf(set, yaml, strlen(yaml), "s.yaml", false, &d), CE_OK);
        assert_int_equal(set->n_sensors, 0);
        assert_true(ce_diag_errors(&d) >= 1);
        assert_int_equal(d.items[0].line, 13);
        assert_non_null(strstr(d.items[0].path, "conditionsReset[0].byTime"));
        ce_diag_fini(&d);
        ce_manifest_set_destroy(set);
        ce_free(yaml);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_forms),
        cmocka_unit_test(test_backoff_waits),
        cmocka_unit_test(test_ratelimit_parse),
        cmocka_unit_test(test_ratelimit_exact),
        cmocka_unit_test(test_conditions_reset_schedules),
        cmocka_unit_test(test_conditions_reset_errors),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
