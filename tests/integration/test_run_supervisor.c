/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run` as its supervisor: manifests in subdirectories are found (as `kubectl apply -R`),
 * the children run the binary by its real path (ps shows cevents, not "exe"), a child's log line
 * of several hundred kilobytes comes out as one whole JSON line, and an embedded nats-server that
 * dies is started again on its port and data, so events are accepted again. */
#include "core/base/mem.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

struct sup_env {
    char *dir;
    struct ce_test_proc *run;
    int port;
};

/* `cevents run` over dir/manifests, whose two manifests sit in two subdirectories. */
static int sup_setup(void **state)
{
    struct sup_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    e->dir = ce_test_tmpdir("run-supervisor");
    e->port = ce_test_free_port();
    char *manifests = ce_xasprintf("%s/manifests", e->dir);
    char *sources = ce_xasprintf("%s/sources", manifests);
    char *sensors = ce_xasprintf("%s/sensors", manifests);
    int made = mkdir(manifests, 0700) | mkdir(sources, 0700) | mkdir(sensors, 0700);
    ce_free(ce_scn_write_manifest(sources, "es.yaml", "eventsources/webhook.yaml", e->port));
    ce_free(ce_test_data_write(sensors, "sensor.yaml", "sensors/log-plain.yaml", NULL));
    char *data = ce_xasprintf("%s/data", e->dir);
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", ce_test_free_ports(2));
    const char *args[] = {"run", "--data-dir", data, "--metrics-port", mport, manifests, NULL};
    e->run = ce_test_proc_start_cevents(args);
    bool up = ce_test_proc_wait_line(e->run, "Eventing server started.", 1, 30000) &&
              ce_test_proc_wait_line(e->run, CE_SENSOR_SUBSCRIBED_MSG, 1, 30000);
    ce_free(data);
    ce_free(sensors);
    ce_free(sources);
    ce_free(manifests);
    return made == 0 && up ? 0 : -1;
}

static int sup_teardown(void **state)
{
    struct sup_env *e = *state;
    ce_test_proc_free(e->run);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* The first NUL-terminated field of /proc/pid/cmdline, or "" (heap). */
static char *sup_argv0(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    size_t len = 0;
    char *text = ce_test_read_file(path, &len);
    return text != NULL ? text : ce_xstrdup("");
}

/* How many processes whose parent is ppid run the binary at path (ending with path when
 * suffix); *last gets the pid of the last one found. */
static int sup_children_like(pid_t ppid, const char *path, bool suffix, pid_t *last)
{
    DIR *proc = opendir("/proc");
    assert_non_null(proc);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(proc)) != NULL) {
        char stat_path[300];
        snprintf(stat_path, sizeof(stat_path), "/proc/%s/stat", de->d_name);
        FILE *f = fopen(stat_path, "r");
        int pid = 0, parent = 0;
        char comm[256];
        char st = 0;
        bool read = f != NULL && fscanf(f, "%d (%255[^)]) %c %d", &pid, comm, &st, &parent) == 4;
        if (f != NULL) {
            fclose(f);
        }
        if (read && parent == (int)ppid) {
            char *argv0 = sup_argv0(pid);
            size_t a = strlen(argv0), b = strlen(path);
            bool match =
                suffix ? a >= b && strcmp(argv0 + a - b, path) == 0 : strcmp(argv0, path) == 0;
            if (match) {
                n++;
                *last = pid;
            }
            ce_free(argv0);
        }
    }
    closedir(proc);
    return n;
}

static void test_subdirectories_and_real_binary_path(void **state)
{
    struct sup_env *e = *state;
    char real[PATH_MAX];
    assert_non_null(realpath(CE_TEST_BINARY, real));
    /* the EventSource and the Sensor, both found in their subdirectories */
    pid_t pid = 0;
    assert_int_equal(sup_children_like(ce_test_proc_pid(e->run), real, false, &pid), 2);
}

struct sup_post {
    int port;
    char id[33];
};

static bool sup_accepted(void *arg)
{
    struct sup_post *p = arg;
    return ce_scn_post(p->port, "/example", CE_SCN_DEMO_BODY, NULL, p->id) == 200;
}

static void test_embedded_bus_restarts(void **state)
{
    struct sup_env *e = *state;
    pid_t natsd = 0;
    assert_int_equal(sup_children_like(ce_test_proc_pid(e->run), "nats-server", true, &natsd), 1);
    assert_int_equal(kill(natsd, SIGKILL), 0);
    assert_true(
        ce_test_proc_wait_line(e->run, "the embedded nats-server stopped; restarting", 1, 10000));
    assert_true(ce_test_proc_wait_line(e->run, "embedded event bus restarted", 1, 20000));
    /* the children reconnect to the same port and store: events are accepted and logged */
    struct sup_post post = {.port = e->port};
    assert_true(ce_test_poll(sup_accepted, &post, 30000));
    assert_true(ce_test_proc_wait_line(e->run, post.id, 1, 20000));
}

static void test_long_log_line_stays_whole(void **state)
{
    struct sup_env *e = *state;
    size_t n = 600 * 1024;
    char *body = ce_xmalloc(n + 32);
    int head = snprintf(body, n + 32, "{\"message\":\"");
    memset(body + head, 'x', n);
    snprintf(body + head + n, 32, "\"}");
    char id[33];
    assert_int_equal(ce_scn_post(e->port, "/example", body, NULL, id), 200);
    assert_true(
        ce_test_proc_wait_line(e->run, "Successfully processed trigger 'log-trigger'", 1, 20000));
    char *line = ce_test_proc_line(e->run, "\"triggerType\":\"Log\"", 0);
    assert_non_null(line);
    json_error_t jerr;
    json_t *obj = json_loads(line, 0, &jerr);
    if (obj == NULL) {
        fail_msg("not one JSON line (%zu bytes): %s: %.200s", strlen(line), jerr.text, line);
    }
    assert_string_equal(json_string_value(json_object_get(obj, "component")), "sensor/log");
    const char *msg = json_string_value(json_object_get(obj, "msg"));
    assert_non_null(msg);
    assert_true(strlen(msg) > n);
    json_decref(obj);
    ce_free(line);
    ce_free(body);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subdirectories_and_real_binary_path),
        cmocka_unit_test(test_long_log_line_stays_whole),
        cmocka_unit_test(test_embedded_bus_restarts),
    };
    ce_test_require_natsd();
    return ce_test_run(argc, argv, tests, sup_setup, sup_teardown);
}
