/* SPDX-License-Identifier: Apache-2.0 */
/* The README's demo, end to end: `cevents run` on the example manifests (with a free port)
 * starts its own nats-server, the curl gets 200 with an event id, and the sensor logs the
 * event data with Argo's fields, followed by the success line. */
#include "core/base/mem.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

/* Copies an example manifest into dir with its webhook port (12000) replaced by port, or as it
 * is when port is 0. */
static void demo_copy_example(const char *dir, const char *name, int port)
{
    char src[512];
    snprintf(src, sizeof(src), "%s/examples/webhook-log/%s", CE_SOURCE_DIR, name);
    char *text = ce_test_read_file(src, NULL);
    assert_non_null(text);
    char *p;
    while (port > 0 && (p = strstr(text, "12000")) != NULL) {
        char *fixed = ce_xasprintf("%.*s${PORT}%s", (int)(p - text), text, p + 5);
        ce_free(text);
        text = fixed;
    }
    char num[16];
    snprintf(num, sizeof(num), "%d", port);
    char *expanded = port > 0 ? ce_test_expand(text, "PORT", num, NULL) : ce_xstrdup(text);
    ce_free(ce_test_write_file(dir, name, expanded));
    ce_free(expanded);
    ce_free(text);
}

/* Finds the log trigger's line and checks it against what Argo Events prints. */
static void demo_check_log_line(struct ce_test_proc *run, const char *id)
{
    char *line = ce_test_proc_line(run, "\"triggerType\":\"Log\"", 0);
    assert_non_null(line);
    json_error_t jerr;
    json_t *obj = json_loads(line, 0, &jerr);
    assert_non_null(obj);
    assert_string_equal(json_string_value(json_object_get(obj, "component")), "sensor/log");
    assert_string_equal(json_string_value(json_object_get(obj, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(obj, "sensorName")), "log");
    assert_string_equal(json_string_value(json_object_get(obj, "triggerName")), "log-trigger");
    assert_string_equal(json_string_value(json_object_get(obj, "dependencyName")), "test-dep");
    const char *ctx = json_string_value(json_object_get(obj, "eventContext"));
    assert_non_null(ctx);
    assert_non_null(strstr(ctx, id));
    assert_non_null(strstr(ctx, "\"source\": \"webhook\""));
    assert_non_null(strstr(ctx, "\"subject\": \"example\""));

    /* msg is the event data: header and body as the webhook source built them. */
    json_t *data = json_loads(json_string_value(json_object_get(obj, "msg")), 0, &jerr);
    assert_non_null(data);
    json_t *body = json_object_get(data, "body");
    assert_string_equal(json_string_value(json_object_get(body, "message")),
                        "this is my first webhook");
    json_t *ct = json_object_get(json_object_get(data, "header"), "Content-Type");
    assert_int_equal(json_array_size(ct), 1);
    assert_string_equal(json_string_value(json_array_get(ct, 0)), "application/json");
    assert_null(json_object_get(json_object_get(data, "header"), "Host"));
    json_decref(data);
    json_decref(obj);
    ce_free(line);
}

static void test_demo_end_to_end(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("demo");
    char *manifests = ce_xasprintf("%s/manifests", dir);
    char *data = ce_xasprintf("%s/data", dir);
    assert_int_equal(mkdir(manifests, 0700), 0);
    int port = ce_test_free_port();
    demo_copy_example(manifests, "webhook-eventsource.yaml", port);
    demo_copy_example(manifests, "log-sensor.yaml", 0);

    char mport[16];
    snprintf(mport, sizeof(mport), "%d", ce_test_free_ports(2));
    const char *args[] = {"run", "--data-dir", data, "--metrics-port", mport, manifests, NULL};
    struct ce_test_proc *run = ce_test_proc_start_cevents(args);
    assert_true(ce_test_proc_wait_line(run, "Eventing server started.", 1, 30000));
    assert_true(ce_test_proc_wait_line(run, CE_SENSOR_SUBSCRIBED_MSG, 1, 30000));
    /* a clean start has no complaint from the HTTP server's library */
    assert_int_equal(ce_test_proc_count(run, "the HTTP server reported a problem"), 0);

    char id[33];
    assert_int_equal(ce_scn_post(port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_int_equal(strlen(id), 32);
    assert_true(
        ce_test_proc_wait_line(run, "Successfully processed trigger 'log-trigger'", 1, 20000));
    demo_check_log_line(run, id);
    /* The success line names the event that fired the trigger. */
    char *ok = ce_test_proc_line(run, "Successfully processed trigger 'log-trigger'", 0);
    assert_non_null(strstr(ok, id));
    assert_non_null(strstr(ok, "\"triggeredBy\":[\"test-dep\"]"));
    ce_free(ok);
    assert_int_equal(ce_scn_logged_count(run, id), 1);

    /* SIGTERM stops sources, then sensors, then the embedded bus, and exits 0. */
    int status = ce_test_proc_stop(run, 30000);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    ce_test_proc_free(run);
    ce_test_rmtree(dir);
    ce_free(manifests);
    ce_free(data);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_end_to_end),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
