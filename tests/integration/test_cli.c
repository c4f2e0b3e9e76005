/* SPDX-License-Identifier: Apache-2.0 */
/* The binary's command line: every subcommand answers --help with its usage and exit status 0,
 * and a file of the other kind gets a hint that names the right subcommand. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

/* Runs cevents with args to its end: its exit status, and whether its output holds want. */
static int cli_run(const char *const args[], const char *want)
{
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 20000, &status));
    assert_true(WIFEXITED(status));
    if (ce_test_proc_count(p, want) == 0) {
        char *out = ce_test_proc_output(p);
        fail_msg("no \"%s\" in:\n%s", want, out);
    }
    ce_test_proc_free(p);
    return WEXITSTATUS(status);
}

static void test_every_subcommand_has_help(void **state)
{
    (void)state;
    static const char *const subcommands[] = {"run", "eventsource", "sensor", "explain", "lint"};
    for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "usage: cevents %s", subcommands[i]);
        const char *args[] = {subcommands[i], "--help", NULL};
        assert_int_equal(cli_run(args, want), 0);
    }
    const char *version[] = {"--version", NULL};
    assert_int_equal(cli_run(version, "cevents "), 0);
}

static void test_file_of_the_other_kind(void **state)
{
    (void)state;
    char es[512], sn[512];
    snprintf(es, sizeof(es), "%s/examples/webhook-log/webhook-eventsource.yaml", CE_SOURCE_DIR);
    snprintf(sn, sizeof(sn), "%s/examples/webhook-log/log-sensor.yaml", CE_SOURCE_DIR);
    const char *as_sensor[] = {"sensor", "-f", es, "--metrics-port", "0", NULL};
    assert_int_equal(cli_run(as_sensor, "holds an EventSource: use cevents eventsource"), 1);
    const char *as_source[] = {"eventsource", "-f", sn, "--metrics-port", "0", NULL};
    assert_int_equal(cli_run(as_source, "holds a Sensor: use cevents sensor"), 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_subcommand_has_help),
        cmocka_unit_test(test_file_of_the_other_kind),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
