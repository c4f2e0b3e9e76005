/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents explain` run as users run it: a Sensor with context filters and two triggers, an
 * event given as data only or as a whole CloudEvent. The output must say which dependency the
 * event satisfies and why, which trigger would fire, what it would log, and bad event files
 * must be named with line and column. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

struct ex_run {
    int status;
    char *out;
};

/* Runs `cevents explain -f <sensor> --event <event> [--dependency dep]` to its end, the Sensor
 * being tests/data/<sensor_rel>. */
static struct ex_run ex_explain_sensor(const char *dir, const char *sensor_rel, const char *event,
                                       const char *dep)
{
    char *sensor = ce_test_data_write(dir, "sensor.yaml", sensor_rel, NULL);
    char *ev = ce_test_write_file(dir, "event.json", event);
    const char *args[] = {"explain", "-f", sensor, "--event", ev, dep ? "--dependency" : NULL,
                          dep,       NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    struct ex_run r = {0, NULL};
    assert_true(ce_test_proc_wait_exit(p, 30000, &r.status));
    r.out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    ce_free(ev);
    ce_free(sensor);
    return r;
}

static struct ex_run ex_explain(const char *dir, const char *event, const char *dep)
{
    return ex_explain_sensor(dir, "sensors/explained.yaml", event, dep);
}

static void ex_has(const char *out, const char *want)
{
    if (strstr(out, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, out);
    }
}

static void test_data_for_a_dependency(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("explain");
    struct ex_run r = ex_explain(dir, "{\"message\":\"hi\"}", "dep-a");
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ex_has(r.out, "dependency dep-a (webhook/a): this event's\n"
                  "  context: pass; type \"webhook\" = \"webhook\"\n");
    ex_has(r.out, "  => satisfied\ndependency dep-b (webhook/b): not this event's");
    ex_has(r.out, "trigger both (log), conditions \"dep-a && dep-b\":\n"
                  "  would not fire yet: it keeps this event");
    ex_has(r.out, "trigger only-a (log), conditions \"dep-a\":\n  would fire on this event\n"
                  "  would log for dep-a: {\"message\":\"hi\"}");
    ce_free(r.out);

    r = ex_explain(dir, "{\"message\":\"hi\"}", "dep-b");
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ex_has(r.out, "  context: fail; type \"webhook\" != \"calendar\"");
    ex_has(r.out, "  => not satisfied");
    ex_has(r.out, "trigger only-a (log), conditions \"dep-a\":\n  not concerned");
    assert_null(strstr(r.out, "would fire"));
    ce_free(r.out);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_whole_cloudevent(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("explain");
    /* dep-b's event with the type its filter asks for: satisfied, but "both" still waits */
    struct ex_run r = ex_explain(dir,
                                 "{\"specversion\":\"1.0\",\"id\":\"e-7\",\"source\":\"webhook\","
                                 "\"type\":\"calendar\",\"subject\":\"b\","
                                 "\"datacontenttype\":\"application/json\","
                                 "\"time\":\"2026-11-30T10:00:00Z\","
                                 "\"data_base64\":\"eyJ4IjoxfQ==\"}",
                                 NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ex_has(r.out, "event e-7 (source webhook, subject b, time 2026-11-30T10:00:00Z)");
    ex_has(r.out, "dependency dep-b (webhook/b): this event's\n"
                  "  context: pass; type \"calendar\" = \"calendar\"");
    ex_has(r.out, "trigger both (log), conditions \"dep-a && dep-b\":\n  would not fire yet");
    ce_free(r.out);
    ce_test_rmtree(dir);
    ce_free(dir);
}

/* The transform runs first, the data filter shows what it compared, and the HTTP trigger's
 * request is rendered with its parameters, payload and headers, without being sent. */
static void test_http_trigger_rendered(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("explain");
    struct ex_run r =
        ex_explain_sensor(dir, "sensors/explained-http.yaml",
                          "{\"body\":{\"action\":\"opened\",\"repo\":\"/CEvents\"}}", NULL);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ex_has(r.out,
           "  transform: data is now {\"body\":{\"action\":\"opened\",\"repo\":\"/cevents\"}}\n"
           "  data[0] body.action (string) = \"opened\": pass, matches \"^open\"\n");
    ex_has(r.out, "  would send PUT http://ci.example.com/hooks/build/cevents\n"
                  "    X-Event-Id: explain\n"
                  "    body (19 bytes): {\"repo\":\"/cevents\"}");
    ce_free(r.out);

    r = ex_explain_sensor(dir, "sensors/explained-http.yaml",
                          "{\"body\":{\"action\":\"closed\",\"repo\":\"x\"}}", NULL);
    ex_has(r.out, "  data[0] body.action (string) = \"closed\": fail, matches none of its values");
    ex_has(r.out, "  not concerned");
    assert_null(strstr(r.out, "would send"));
    ce_free(r.out);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_bad_event_files(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("explain");
    struct ex_run r = ex_explain(dir, "{\n  \"message\": }\n", "dep-a");
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    ex_has(r.out, "/event.json:2:14: error:");
    ce_free(r.out);

    r = ex_explain(dir, "{\"message\":\"hi\"}", NULL); /* data only, two dependencies */
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    ex_has(r.out, "name its dependency with --dependency");
    ce_free(r.out);
    ce_test_rmtree(dir);
    ce_free(dir);
}

/* A comparator other than matching is shown as such, and a trigger whose secret is missing makes
 * explain fail with a readable error (no raw JSON log line). */
static void test_comparators_and_missing_secret(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("explain");
    struct ex_run r = ex_explain_sensor(dir, "sensors/explained-compare.yaml",
                                        "{\"body\":{\"kind\":\"v\",\"n\":5}}", NULL);
    ex_has(r.out, "  data[0] body.kind (string) = \"v\": pass: \"v\" != \"b\"\n");
    ex_has(r.out, "  data[1] body.n (number) = \"5\": pass: 5 > 3\n");
    ex_has(r.out, "its action cannot be prepared");
    ex_has(r.out, "ci-auth");
    assert_null(strstr(r.out, "\n{\"level\""));
    assert_true(r.out[0] != '{');
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    ce_free(r.out);
    ce_test_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_for_a_dependency),
        cmocka_unit_test(test_whole_cloudevent),
        cmocka_unit_test(test_http_trigger_rendered),
        cmocka_unit_test(test_bad_event_files),
        cmocka_unit_test(test_comparators_and_missing_secret),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
