/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger parameters, byte for byte as Argo Events resolves and applies them: defaults when the
 * key is missing or the dependency did not take part, raw data only with useRawData and only for
 * non-strings, data winning over context, templates before keys, the whole event as Go marshals
 * it, append/prepend on the current value, formatting kept outside the edited value, a payload
 * built from nothing, and an empty dest making the value the whole payload. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "triggers/params.h"
#include "triggers/trigger.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static struct ce_cloudevent tp_event(const char *id, const char *source, const char *data)
{
    struct ce_cloudevent ev = {
        .specversion = "1.0",
        .id = (char *)id,
        .source = (char *)source,
        .type = "webhook",
        .subject = "example-1",
        .datacontenttype = "application/json",
        .time = "2026-11-30T10:20:30.123456789Z",
        .data = (char *)data,
        .data_len = data ? strlen(data) : 0,
    };
    return ev;
}

static struct ce_params *tp_compile(const char *list)
{
    json_error_t jerr;
    json_t *j = json_loads(list, 0, &jerr);
    if (j == NULL) {
        fail_msg("bad test JSON: %s", jerr.text);
    }
    struct ce_params *ps = NULL;
    char err[256];
    if (ce_params_compile(j, "parameters", &ps, err, sizeof err) != CE_OK) {
        fail_msg("compile: %s", err);
    }
    json_decref(j);
    return ps;
}

/* Applies list to doc with the standard events; returns the result or "ERROR: msg" (heap). */
static char *tp_apply(const char *list, const char *doc, bool payload)
{
    struct ce_cloudevent a = tp_event("1", "webhook-gateway", "{\"firstName\": \"fake\"}");
    struct ce_cloudevent b = tp_event("3", "calendar-gateway",
                                      "{\"age\": 100, \"isActive\": false, \"name\": {\"first\": "
                                      "\"x\"}, \"nothing\": null, \"price\": 1.50}");
    struct ce_trigger_event ev[] = {{"fake-dependency", &a}, {"use-event-data-type", &b}};
    struct ce_params *ps = tp_compile(list);
    char err[256] = "";
    char *out = NULL;
    size_t len = 0;
    int rc;
    if (payload) {
        rc = ce_params_payload(ps, ev, 2, &out, &len, err, sizeof err);
    }
    else {
        out = ce_xstrdup(doc);
        len = strlen(doc);
        rc = ce_params_apply(ps, ev, 2, &out, &len, err, sizeof err);
    }
    ce_params_destroy(ps);
    if (rc != CE_OK) {
        ce_free(out);
        return ce_xasprintf("ERROR: %s", err);
    }
    assert_int_equal(strlen(out), len);
    return out;
}

struct tp_case {
    const char *list;
    const char *doc; /* NULL: build a payload */
    const char *want;
};

#define P(dep, src, dest) "{\"src\":{\"dependencyName\":\"" dep "\"," src "},\"dest\":\"" dest "\"}"
#define P_OP(dep, src, dest, op)                                                                   \
    "{\"src\":{\"dependencyName\":\"" dep "\"," src "},\"dest\":\"" dest "\",\"operation\":\"" op  \
    "\"}"

static void test_table(void **state)
{
    (void)state;
    static const struct tp_case cases[] = {
        /* Argo's TestConstructPayload */
        {"[" P("fake-dependency", "\"dataKey\":\"firstName\",\"value\":\"faker\"",
               "firstName") "," P("use-event-data-type", "\"dataKey\":\"age\",\"useRawData\":true",
                                  "age") "," P("use-event-data-type",
                                               "\"dataKey\":\"isActive\",\"useRawData\":true",
                                               "isActive") "," P("use-event-data-type",
                                                                 "\"dataKey\":\"age\"",
                                                                 "typelessAge") "]",
         NULL, "{\"firstName\":\"fake\",\"age\":100,\"isActive\":false,\"typelessAge\":\"100\"}"},
        /* a template that does not parse, with a key or a value: Argo falls back to them */
        {"[" P("fake-dependency", "\"dataTemplate\":\"{{ no }}\",\"dataKey\":\"firstName\"",
               "a") "," P("fake-dependency", "\"dataTemplate\":\"{{ no }}\",\"value\":\"v\"",
                          "b") "]",
         NULL, "{\"a\":\"fake\",\"b\":\"v\"}"},
        /* missing key: the default */
        {"[" P("fake-dependency", "\"dataKey\":\"unknown\",\"value\":\"faker\"", "firstName") "]",
         NULL, "{\"firstName\":\"faker\"}"},
        /* missing key, no default: an error */
        {"[" P("fake-dependency", "\"dataKey\":\"unknown\"", "firstName") "]", NULL,
         "ERROR: unable to resolve 'fake-dependency' parameter value. err: neither the key nor "
         "the template matched the event"},
        /* a dependency that did not fire: the default, or skipped */
        {"[" P("absent", "\"dataKey\":\"a\",\"value\":\"dflt\"",
               "a") "," P("absent", "\"dataKey\":\"a\"", "b") "]",
         NULL, "{\"a\":\"dflt\"}"},
        /* objects: a JSON string unless useRawData; null stays null with useRawData */
        {"[" P("use-event-data-type", "\"dataKey\":\"name\"", "n") "]", NULL,
         "{\"n\":\"{\\\"first\\\": \\\"x\\\"}\"}"},
        {"[" P("use-event-data-type", "\"dataKey\":\"name\",\"useRawData\":true", "n") "]", NULL,
         "{\"n\":{\"first\": \"x\"}}"},
        {"[" P("use-event-data-type", "\"dataKey\":\"nothing\",\"useRawData\":true", "n") "]", NULL,
         "{\"n\":null}"},
        /* numbers as gjson prints them */
        {"[" P("use-event-data-type", "\"dataKey\":\"price\"", "p") "]", NULL, "{\"p\":\"1.5\"}"},
        /* context keys and templates; data wins when both are given */
        {"[" P("fake-dependency", "\"contextKey\":\"source\"", "s") "]", NULL,
         "{\"s\":\"webhook-gateway\"}"},
        {"[" P("fake-dependency", "\"contextKey\":\"time\"", "t") "]", NULL,
         "{\"t\":\"2026-11-30T10:20:30Z\"}"},
        {"[" P("fake-dependency", "\"contextTemplate\":\"{{ .Input.type }}-{{ .Input.id }}\"",
               "t") "]",
         NULL, "{\"t\":\"webhook-1\"}"},
        {"[" P("fake-dependency", "\"dataKey\":\"firstName\",\"contextKey\":\"source\"", "x") "]",
         NULL, "{\"x\":\"fake\"}"},
        {"[" P("fake-dependency", "\"dataTemplate\":\"{{ .Input.firstName | upper }}\"", "x") "]",
         NULL, "{\"x\":\"FAKE\"}"},
        /* a template with no value falls back to the key */
        {"[" P("fake-dependency",
               "\"dataTemplate\":\"{{ .Input.missing }}\",\"dataKey\":\"firstName\"", "x") "]",
         NULL, "{\"x\":\"fake\"}"},
        /* the whole event, as Go marshals it */
        {"[" P("fake-dependency", "\"useRawData\":false", "e") "]", NULL,
         "{\"e\":\"{\\\"context\\\":{\\\"id\\\":\\\"1\\\",\\\"source\\\":\\\"webhook-gateway\\\","
         "\\\"specversion\\\":\\\"1.0\\\",\\\"type\\\":\\\"webhook\\\",\\\"datacontenttype\\\":"
         "\\\"application/json\\\",\\\"subject\\\":\\\"example-1\\\",\\\"time\\\":"
         "\\\"2026-11-30T10:20:30Z\\\"},\\\"data\\\":\\\"eyJmaXJzdE5hbWUiOiAiZmFrZSJ9\\\"}\"}"},
        /* an empty dest: the value is the whole payload, and the list ends there */
        {"[" P("fake-dependency", "\"dataKey\":\"firstName\"",
               "a") "," P("use-event-data-type", "\"dataKey\":\"name\"",
                          "") "," P("fake-dependency", "\"value\":\"z\"", "c") "]",
         NULL, "{\"first\": \"x\"}"},
        /* applied to a document: formatting outside the edit is kept */
        {"[" P("fake-dependency", "\"dataKey\":\"firstName\"", "spec.name") "]",
         "{ \"kind\" : \"Job\",\n  \"spec\": {\"name\": \"old\", \"n\": 1} }",
         "{ \"kind\" : \"Job\",\n  \"spec\": {\"name\": \"fake\", \"n\": 1} }"},
        /* intermediate objects are created, -1 appends */
        {"[" P("fake-dependency", "\"dataKey\":\"firstName\"",
               "a.b.c") "," P("fake-dependency", "\"value\":\"v\"", "list.-1") "]",
         "{\"list\":[\"u\"]}", "{\"list\":[\"u\",\"v\"],\"a\":{\"b\":{\"c\":\"fake\"}}}"},
        /* append and prepend turn the result into a string */
        {"[" P_OP("fake-dependency", "\"value\":\"-suffix\"", "name", "append") "]",
         "{\"name\":\"job\"}", "{\"name\":\"job-suffix\"}"},
        {"[" P_OP("fake-dependency", "\"value\":\"prefix-\"", "name", "prepend") "]",
         "{\"name\":\"job\"}", "{\"name\":\"prefix-job\"}"},
        {"[" P_OP("use-event-data-type", "\"dataKey\":\"age\",\"useRawData\":true", "n",
                  "append") "]",
         "{\"n\":1}", "{\"n\":\"1100\"}"},
        {"[" P_OP("fake-dependency", "\"value\":\"new\"", "missing", "append") "]", "{}",
         "{\"missing\":\"new\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = tp_apply(cases[i].list, cases[i].doc, cases[i].doc == NULL);
        if (strcmp(got, cases[i].want) != 0) {
            fail_msg("case %zu:\n got  %s\n want %s", i, got, cases[i].want);
        }
        ce_free(got);
    }
}

/* The whole event is written as Go's json.Marshal writes it: <, > and & escaped. */
static void test_whole_event_escaping(void **state)
{
    (void)state;
    struct ce_cloudevent a = tp_event("1", "a<b>&c", "{}");
    struct ce_trigger_event ev[] = {{"d", &a}};
    struct ce_params *ps = tp_compile("[" P("d", "\"useRawData\":false", "") "]");
    char *out = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(ce_params_payload(ps, ev, 1, &out, &len, err, sizeof err), CE_OK);
    assert_non_null(strstr(out, "\"source\":\"a\\u003cb\\u003e\\u0026c\""));
    ce_free(out);
    ce_params_destroy(ps);
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *list, *msg;
    } cases[] = {
        {"[{\"src\":{\"dataKey\":\"a\"},\"dest\":\"a\"}]",
         "parameters[0].src.dependencyName: required"},
        {"[" P_OP("d", "\"value\":\"x\"", "a", "replace") "]",
         "parameters[0].operation: unsupported trigger parameter operation \"replace\""},
        {"[" P("d", "\"dataTemplate\":\"{{ .Input.a \"", "a") "]",
         "parameters[0].src.dataTemplate: template: param:1: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = json_loads(cases[i].list, 0, NULL);
        assert_non_null(j);
        struct ce_params *ps = NULL;
        char err[256] = "";
        assert_int_equal(ce_params_compile(j, "parameters", &ps, err, sizeof err), CE_EINVAL);
        assert_null(ps);
        if (strstr(err, cases[i].msg) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
        }
        json_decref(j);
    }
}

/* The fallback is said: a warning for the parameter whose template is not used. */
static void test_template_fallback_warned(void **state)
{
    (void)state;
    struct ce_params *ps =
        tp_compile("[" P("d", "\"dataTemplate\":\"{{ no }}\",\"dataKey\":\"k\"", "a") "," P(
            "d", "\"dataTemplate\":\"{{ .Input.k }}\",\"dataKey\":\"k\"", "b") "]");
    const char *w = ce_params_warning(ps, 0);
    assert_non_null(w);
    assert_non_null(strstr(w, "parameters[0].src.dataTemplate: "));
    assert_non_null(strstr(w, "falling back to the key"));
    assert_null(ce_params_warning(ps, 1));
    ce_params_destroy(ps);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_whole_event_escaping),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_template_fallback_warned),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
