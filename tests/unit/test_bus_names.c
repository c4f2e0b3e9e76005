/* SPDX-License-Identifier: Apache-2.0 */
/* Argo's naming on the bus: FNV-1a 32 (published test vectors), durable consumer names
 * "group-<decimal hash of sensor-trigger-dep>" as Argo computes them, subjects, defaults and
 * URL scheme checks. */
#include "eventbus/bus.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_fnv1a32_vectors(void **state)
{
    (void)state;
    assert_int_equal(ce_fnv1a32("", 0), 0x811c9dc5u);
    assert_int_equal(ce_fnv1a32("a", 1), 0xe40c292cu);
    assert_int_equal(ce_fnv1a32("foobar", 6), 0xbf9cf968u);
}

static void test_durable_names(void **state)
{
    (void)state;
    /* Expected values from Go's fnv.New32a over "<sensor>-<trigger>-<dep>", printed with %v. */
    const struct {
        const char *s, *t, *d, *want;
    } cases[] = {
        {"webhook-sensor", "log-trigger", "test-dep", "group-3503886744"},
        {"my-sensor", "http-trigger", "dep1", "group-388747221"},
        {"s", "t", "d", "group-2871341474"},
        {"sens\xc3\xb6r", "trig", "dep", "group-2535709176"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[24];
        ce_bus_durable_name(cases[i].s, cases[i].t, cases[i].d, out, sizeof(out));
        assert_string_equal(out, cases[i].want);
    }
    char big[24];
    ce_bus_durable_name("", "", "", big, sizeof(big));
    /* "--" */
    char want[24];
    snprintf(want, sizeof(want), "group-%u", (unsigned)ce_fnv1a32("--", 2));
    assert_string_equal(big, want);
}

static void test_subject(void **state)
{
    (void)state;
    char *s = ce_bus_subject("webhook", "example");
    assert_string_equal(s, "default.webhook.example");
    ce_free(s);
}

static void test_defaults_and_bad_urls(void **state)
{
    (void)state;
    struct ce_bus_config cfg;
    memset(&cfg, 0xff, sizeof(cfg));
    ce_bus_config_defaults(&cfg);
    assert_null(cfg.url);
    assert_int_equal(cfg.connect_timeout_ms, 2000);
    assert_int_equal(cfg.publish_timeout_ms, 5000);
    assert_int_equal(cfg.max_pending, 65536);
    assert_int_equal(cfg.reconnect_wait_min_ms, 100);
    assert_int_equal(cfg.reconnect_wait_max_ms, 500);
    assert_int_equal(cfg.stream.max_msgs, 50000);
    assert_int_equal(cfg.stream.max_age_ms, 168LL * 3600 * 1000);
    assert_int_equal(cfg.stream.max_bytes, -1);
    assert_int_equal(cfg.stream.replicas, 0);
    assert_int_equal(cfg.stream.duplicates_ms, 300000);
    assert_int_equal(cfg.stream.retention, 0);
    assert_int_equal(cfg.stream.discard, 0);
    const char *bad[] = {NULL, "", "http://x:4222", "kafka://x", "nats:/x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ce_bus *bus = (struct ce_bus *)&cfg;
        cfg.url = bad[i];
        assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_EINVAL);
        assert_null(bus);
    }
    cfg.url = "memory://names";
    cfg.publish_timeout_ms = 0;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_EINVAL);
    ce_bus_destroy(NULL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv1a32_vectors),
        cmocka_unit_test(test_durable_names),
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_defaults_and_bad_urls),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
