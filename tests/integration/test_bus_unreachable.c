/* SPDX-License-Identifier: Apache-2.0 */
/* A process whose bus cannot be reached says so, with the system's reason, and keeps trying:
 * a Sensor and an EventSource pointed at a port nobody listens on. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Starts `cevents <kind> -f <manifest> --bus nats://127.0.0.1:<closed port>` and checks its
 * log names the URL and the refusal, and that it tries again. */
static void unreachable_says_why(const char *kind, const char *manifest)
{
    char *dir = ce_test_tmpdir("bus-unreachable");
    char *file = ce_test_write_file(dir, "m.yaml", manifest);
    char bus[64], mport[16];
    snprintf(bus, sizeof(bus), "nats://127.0.0.1:%d", ce_test_free_port());
    snprintf(mport, sizeof(mport), "%d", ce_test_free_port());
    const char *args[] = {kind, "-f", file, "--bus", bus, "--metrics-port", mport, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(p, "cannot connect to the event bus; retrying", 2, 10000));
    char *line = ce_test_proc_line(p, "cannot connect to the event bus; retrying", 0);
    assert_non_null(line);
    assert_non_null(strstr(line, bus));
    assert_non_null(strstr(line, "Connection refused"));
    assert_non_null(strstr(line, "\"retryIn\""));
    ce_free(line);
    ce_test_proc_free(p);
    ce_free(file);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_sensor_says_why(void **state)
{
    (void)state;
    unreachable_says_why("sensor",
                         "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\n"
                         "spec:\n  dependencies: [{name: d, eventSourceName: e, eventName: x}]\n"
                         "  triggers: [{template: {name: t, log: {}}}]\n");
}

static void test_eventsource_says_why(void **state)
{
    (void)state;
    char *es = ce_xasprintf("apiVersion: argoproj.io/v1alpha1\nkind: EventSource\n"
                            "metadata: {name: e}\nspec:\n  webhook:\n"
                            "    x: {port: \"%d\", endpoint: /x, method: POST}\n",
                            ce_test_free_port());
    unreachable_says_why("eventsource", es);
    ce_free(es);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensor_says_why),
        cmocka_unit_test(test_eventsource_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
