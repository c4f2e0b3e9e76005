/* SPDX-License-Identifier: Apache-2.0 */
/* A process whose bus cannot be reached says so, with the system's reason, and keeps trying:
 * a Sensor and an EventSource pointed at a port nobody listens on. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Starts `cevents <kind> -f <manifest> --bus nats://127.0.0.1:<closed port>` and checks its
 * log names the URL and the refusal, and that it tries again. */
static void unreachable_says_why(const char *kind, const char *rel)
{
    char *dir = ce_test_tmpdir("bus-unreachable");
    /* an EventSource's webhook gets a free port; a Sensor has none */
    char *file = strcmp(kind, "eventsource") == 0
                     ? ce_scn_write_manifest(dir, "m.yaml", rel, ce_test_free_port())
                     : ce_test_data_write(dir, "m.yaml", rel, NULL);
    char bus[64], with_user[96], mport[16];
    snprintf(bus, sizeof(bus), "nats://127.0.0.1:%d", ce_test_free_port());
    /* credentials in the URL never reach the log */
    snprintf(with_user, sizeof(with_user), "nats://user:s3cret@%s", bus + 7);
    snprintf(mport, sizeof(mport), "%d", ce_test_free_port());
    const char *args[] = {kind, "-f", file, "--bus", with_user, "--metrics-port", mport, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(p, "cannot connect to the event bus; retrying", 2, 10000));
    char *line = ce_test_proc_line(p, "cannot connect to the event bus; retrying", 0);
    assert_non_null(line);
    assert_non_null(strstr(line, bus));
    assert_null(strstr(line, "s3cret"));
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
    unreachable_says_why("sensor", "sensors/log-unbound.yaml");
}

static void test_eventsource_says_why(void **state)
{
    (void)state;
    unreachable_says_why("eventsource", "eventsources/webhook-one.yaml");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensor_says_why),
        cmocka_unit_test(test_eventsource_says_why),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
