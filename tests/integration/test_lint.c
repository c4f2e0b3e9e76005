/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents lint` compiles what manifests embed as the processes would at start: an EventSource
 * filter expression, data-filter regular expressions, a jq transform and a parameter template
 * that do not compile are each reported with file:line:col and the field's path, and the exit
 * status is 1; the same manifests fixed lint clean. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

struct lint_run {
    int status;
    char *out;
};

/* Runs `cevents <cmd> m.yaml` (lint, or a process that checks at start and then stops because
 * the bus address is unreachable) to its end. */
static struct lint_run lint_run_cmd(const char *dir, const char *text, const char *cmd)
{
    char *file = ce_test_write_file(dir, "m.yaml", text);
    bool lint = strcmp(cmd, "lint") == 0;
    const char *args[] = {cmd,
                          lint ? file : "-f",
                          lint ? NULL : file,
                          "--bus",
                          "nats://127.0.0.1:1",
                          "--metrics-port",
                          "0",
                          NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    struct lint_run r = {0, NULL};
    assert_true(ce_test_proc_wait_exit(p, 30000, &r.status));
    r.out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    ce_free(file);
    return r;
}

static struct lint_run lint_file(const char *dir, const char *text)
{
    return lint_run_cmd(dir, text, "lint");
}

static void lint_has(const char *out, const char *want)
{
    if (strstr(out, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, out);
    }
}

static void test_embedded_languages_checked(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("lint");
    char *bad = ce_test_data("lint/embedded-errors.yaml", NULL);
    struct lint_run r = lint_file(dir, bad);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    lint_has(r.out,
             "m.yaml:48:21: error: spec.webhook.example.filter.expression: unexpected token");
    lint_has(r.out, "m.yaml:14:17: error: spec.dependencies[0].filters.data[0].value[0]: error "
                    "parsing regexp: missing closing ): `a(b`");
    lint_has(r.out, "m.yaml:25:7: error: spec.dependencies[1].transform: jq program does not "
                    "compile");
    lint_has(r.out, "m.yaml:32:50: error: spec.triggers[0].template.http.payload[0].src."
                    "dataTemplate: template: param:1: unclosed action");
    lint_has(r.out, "m.yaml:34:33: error: spec.triggers[0].template.http.payload[1].src."
                    "dependencyName: no dependency is named \"nodep\"");
    /* every finding of one dependency, each at its own value */
    lint_has(r.out, "m.yaml:17:22: error: spec.dependencies[0].filters.data[1].value[1]: \"ten\" "
                    "is not a number");
    lint_has(r.out, "m.yaml:19:15: error: spec.dependencies[0].filters.exprs[0].expr: ");
    lint_has(r.out, "1 file, 2 objects, 7 errors");
    ce_free(r.out);

    /* the processes refuse to start on the same findings, with the same lines */
    r = lint_run_cmd(dir, bad, "sensor");
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    lint_has(r.out, "m.yaml:14:17: error: spec.dependencies[0].filters.data[0].value[0]: error "
                    "parsing regexp: missing closing ): `a(b`");
    lint_has(r.out, "m.yaml:32:50: error: spec.triggers[0].template.http.payload[0].src."
                    "dataTemplate: template: param:1: unclosed action");
    ce_free(r.out);
    r = lint_run_cmd(dir, bad, "eventsource");
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
    lint_has(r.out,
             "m.yaml:48:21: error: spec.webhook.example.filter.expression: unexpected token");
    ce_free(r.out);

    /* fixed, every embedded piece compiles */
    char *fixed = ce_xstrdup(bad);
    const char *from[] = {"[\"a(b\"]",
                          "\"ten\"",
                          "\"a >\"",
                          "\".a |\"",
                          "{{ .Input.a \"",
                          "\"body.a ==\"",
                          "dependencyName: nodep"};
    const char *to[] = {"[\"a(b)\"]",       "\"10\"",          "\"a > 1\"",        "\".a |= 1\"",
                        "{{ .Input.a }}\"", "\"body.a == 1\"", "dependencyName: e"};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        char *at = strstr(fixed, from[i]);
        assert_non_null(at);
        char *next =
            ce_xasprintf("%.*s%s%s", (int)(at - fixed), fixed, to[i], at + strlen(from[i]));
        ce_free(fixed);
        fixed = next;
    }
    r = lint_file(dir, fixed);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        fail_msg("fixed manifests do not lint clean:\n%s", r.out);
    }
    lint_has(r.out, "1 file, 2 objects, 0 errors");
    ce_free(r.out);
    ce_free(fixed);
    ce_free(bad);
    ce_test_rmtree(dir);
    ce_free(dir);
}

/* A dependency that no loaded EventSource produces is a warning, not an error. */
static void test_dependencies_nothing_produces(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("lint");
    char *text = ce_test_data("lint/miswired.yaml", NULL);
    struct lint_run r = lint_file(dir, text);
    assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    lint_has(r.out,
             "m.yaml:17:5: warning: spec.dependencies[0]: the EventSource \"webhook\" has no "
             "event \"exampel\"");
    lint_has(r.out, "m.yaml:20:5: warning: spec.dependencies[1]: no EventSource \"calendar\" is "
                    "among these manifests");
    assert_null(strstr(r.out, "spec.dependencies[2]"));
    lint_has(r.out, "1 file, 2 objects, 0 errors, 2 warnings");
    ce_free(r.out);
    ce_free(text);
    ce_test_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_languages_checked),
        cmocka_unit_test(test_dependencies_nothing_produces),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
