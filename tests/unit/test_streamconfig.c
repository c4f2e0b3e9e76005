/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus streamConfig merged over the defaults as Argo's controller merges it: present keys
 * replace, absent ones stay, `1e+06` is an integer, durations are Go's; bad values are errors at
 * their line in the manifest and leave the default, unknown keys are warnings. */
#include "tests/harness/plugins.h"
#include "eventbus/bus.h"
#include "manifest/streamconfig.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static int ts_apply(const char *settings, struct ce_stream_config *cfg, struct ce_diag *diag)
{
    char *yaml = ce_test_data("eventbus/jetstream.yaml", "STREAM_CONFIG", settings, NULL);
    struct ce_manifest_set *set = NULL;
    struct ce_diag load;
    ce_diag_init(&load);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    assert_int_equal(ce_manifest_load_buf(set, yaml, strlen(yaml), "bus.yaml", false, &load),
                     CE_OK);
    assert_int_equal(ce_diag_errors(&load), 0);
    assert_int_equal(set->n_eventbuses, 1);
    int rc = ce_stream_config_apply(set->eventbuses[0], cfg, diag);
    ce_diag_fini(&load);
    ce_manifest_set_destroy(set);
    ce_free(yaml);
    return rc;
}

static void test_merged_over_defaults(void **state)
{
    (void)state;
    struct ce_bus_config c;
    ce_bus_config_defaults(&c);
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ts_apply("      maxMsgs: 1e+06\n      maxAge: 72h\n      duplicates: 30s\n"
                              "      discard: 1\n      replicas: 1\n",
                              &c.stream, &d),
                     CE_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(c.stream.max_msgs, 1000000);
    assert_int_equal(c.stream.max_age_ms, 72LL * 3600 * 1000);
    assert_int_equal(c.stream.duplicates_ms, 30000);
    assert_int_equal(c.stream.discard, 1);
    assert_int_equal(c.stream.replicas, 1);
    assert_int_equal(c.stream.max_bytes, -1); /* absent: the default stays */
    assert_int_equal(c.stream.retention, 0);
    ce_diag_fini(&d);
}

static void test_bad_values(void **state)
{
    (void)state;
    struct ce_bus_config c;
    ce_bus_config_defaults(&c);
    struct ce_diag d;
    ce_diag_init(&d);
    assert_int_equal(ts_apply("      maxMsgs: many\n      maxAge: 3 days\n      retention: 7\n"
                              "      maxMsg: 10\n",
                              &c.stream, &d),
                     CE_EINVAL);
    assert_int_equal(ce_diag_errors(&d), 3);
    assert_int_equal(d.n, 4); /* and a warning for the unknown key */
    assert_int_equal(d.items[0].line, 9);
    assert_non_null(strstr(d.items[0].msg, "maxMsgs must be an integer"));
    assert_int_equal(d.items[1].line, 10);
    assert_non_null(strstr(d.items[1].msg, "maxAge"));
    assert_non_null(strstr(d.items[2].msg, "retention must be 0 (limits), 1 (interest) or 2"));
    assert_non_null(strstr(d.items[3].msg, "unknown setting \"maxMsg\""));
    assert_int_equal(c.stream.max_msgs, 50000); /* bad values leave the defaults */
    assert_int_equal(c.stream.retention, 0);
    ce_diag_fini(&d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_over_defaults),
        cmocka_unit_test(test_bad_values),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
