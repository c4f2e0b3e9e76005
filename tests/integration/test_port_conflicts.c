/* SPDX-License-Identifier: Apache-2.0 */
/* A port held by another program is reported with the system's reason, as a JSON log line, and
 * the process exits with CE_EXIT_IN_USE; `cevents run` gives a child whose metrics port is taken
 * another one and says which, and stops restarting a child whose webhook port stays taken. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/listen.h"
#include "core/service/natsd.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

struct conflict_env {
    char *dir;
    struct ce_natsd *natsd;
    int held_port; /* a port this test listens on */
    int held_fd;
};

static int conflict_setup(void **state)
{
    struct conflict_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    e->dir = ce_test_tmpdir("port-conflicts");
    e->held_fd = -1;
    if (ce_natsd_start(e->dir, 0, -1, &e->natsd) != CE_OK) {
        return -1;
    }
    char err[128];
    e->held_port = ce_test_free_port();
    return ce_listen_tcp(e->held_port, 4, &e->held_fd, err, sizeof err) == CE_OK ? 0 : -1;
}

static int conflict_teardown(void **state)
{
    struct conflict_env *e = *state;
    if (e->held_fd >= 0) {
        close(e->held_fd);
    }
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static char *conflict_es(struct conflict_env *e, int webhook_port)
{
    return ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook-one.yaml", webhook_port);
}

/* Every line the process wrote is a JSON object (no raw line from a library). */
static void conflict_all_json(struct ce_test_proc *p)
{
    char *out = ce_test_proc_output(p);
    for (char *line = out; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        assert_true(line[0] == '{');
        line = nl ? nl + 1 : NULL;
    }
    ce_free(out);
}

static void conflict_expect_exit(struct ce_test_proc *p, const char *msg)
{
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 20000, &status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), CE_EXIT_IN_USE);
    char *line = ce_test_proc_line(p, msg, 0);
    assert_non_null(line);
    assert_non_null(strstr(line, "\"error\":\"Address already in use\""));
    ce_free(line);
    conflict_all_json(p);
}

static void test_webhook_port_taken(void **state)
{
    struct conflict_env *e = *state;
    char *file = conflict_es(e, e->held_port);
    const char *args[] = {"eventsource",    "-f", file, "--bus", ce_natsd_url(e->natsd),
                          "--metrics-port", "0",  NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    conflict_expect_exit(p, "failed to listen and serve");
    ce_test_proc_free(p);
    ce_free(file);
}

static void test_metrics_port_taken(void **state)
{
    struct conflict_env *e = *state;
    char *file = conflict_es(e, ce_test_free_port());
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", e->held_port);
    const char *args[] = {"eventsource",    "-f",  file, "--bus", ce_natsd_url(e->natsd),
                          "--metrics-port", mport, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    conflict_expect_exit(p, "Failed to start the metrics server");
    ce_test_proc_free(p);
    ce_free(file);
}

/* Under run: the taken metrics port is swapped for a free one; the taken webhook port makes the
 * child give up after a few starts instead of restarting forever. */
static void test_run_metrics_port_swapped_and_webhook_given_up(void **state)
{
    struct conflict_env *e = *state;
    char *file = conflict_es(e, e->held_port);
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", e->held_port);
    const char *args[] = {"run", "--bus", ce_natsd_url(e->natsd), "--metrics-port", mport,
                          file,  NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(p, "metrics port in use; the child gets another", 1, 20000));
    assert_true(ce_test_proc_wait_line(p, "child process not restarted", 1, 30000));
    assert_int_equal(ce_test_proc_count(p, "failed to listen and serve"), 3);
    ce_test_proc_free(p);
    ce_free(file);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_port_taken),
        cmocka_unit_test(test_metrics_port_taken),
        cmocka_unit_test(test_run_metrics_port_swapped_and_webhook_given_up),
    };
    ce_test_require_natsd();
    return ce_test_run(argc, argv, tests, conflict_setup, conflict_teardown);
}
