/* SPDX-License-Identifier: Apache-2.0 */
/* The exprs and data filter groups with Argo's semantics and messages: fields bound from gjson
 * paths, govaluate results that must be exactly true, missing paths as errors, `and` stopping at
 * the first failure or error, `or` passing on the first pass and reporting every error when
 * nothing passed, absent data passing, data that is not JSON failing. Cases follow Argo Events'
 * filter_expr_test.go and filter_data_test.go. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "sensor/filter_data.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define ERR_NONE ""

struct group_case {
    const char *filters; /* JSON list */
    const char *op;
    const char *data; /* NULL: the event has no data */
    int want;         /* 1 pass, 0 fail, -1 error */
    const char *err;  /* exact error text for -1 */
};

static json_t *tg_list(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (j == NULL) {
        fail_msg("bad test JSON %s: %s", text, jerr.text);
    }
    return j;
}

static int tg_exprs(const struct group_case *c, char *err, size_t errlen)
{
    json_t *list = tg_list(c->filters);
    struct ce_sn_exprs_group *g = NULL;
    assert_int_equal(ce_sn_exprs_compile(list, c->op, &g, err, errlen), CE_OK);
    bool pass = false;
    int rc =
        ce_sn_exprs_eval(g, c->data, c->data ? strlen(c->data) : 0, &pass, err, errlen, NULL, NULL);
    ce_sn_exprs_destroy(g);
    json_decref(list);
    return rc == CE_OK ? pass : -1;
}

static int tg_data(const struct group_case *c, char *err, size_t errlen)
{
    json_t *list = tg_list(c->filters);
    struct ce_sn_data_group *g = NULL;
    assert_int_equal(ce_sn_data_compile(list, c->op, &g, err, errlen), CE_OK);
    bool pass = false;
    int rc =
        ce_sn_data_eval(g, c->data, c->data ? strlen(c->data) : 0, &pass, err, errlen, NULL, NULL);
    ce_sn_data_destroy(g);
    json_decref(list);
    return rc == CE_OK ? pass : -1;
}

static void tg_check(const struct group_case *cases, size_t n,
                     int (*run)(const struct group_case *, char *, size_t))
{
    for (size_t i = 0; i < n; i++) {
        char err[512] = "";
        int got = run(&cases[i], err, sizeof err);
        if (got != cases[i].want || (got == -1 && strcmp(err, cases[i].err) != 0)) {
            fail_msg("case %zu (%s on %s): got %d \"%s\", want %d \"%s\"", i, cases[i].filters,
                     cases[i].data ? cases[i].data : "(none)", got, err, cases[i].want,
                     cases[i].err);
        }
    }
}

#define F1(expr, name, path)                                                                       \
    "[{\"expr\":\"" expr "\",\"fields\":[{\"name\":\"" name "\",\"path\":\"" path "\"}]}]"
#define F2(e1, n1, p1, e2, n2, p2)                                                                 \
    "[{\"expr\":\"" e1 "\",\"fields\":[{\"name\":\"" n1 "\",\"path\":\"" p1 "\"}]},"               \
    "{\"expr\":\"" e2 "\",\"fields\":[{\"name\":\"" n2 "\",\"path\":\"" p2 "\"}]}]"

static void test_exprs(void **state)
{
    (void)state;
    static const struct group_case cases[] = {
        {F1("a == \\\"b\\\"", "a", "a"), "", "a", -1,
         "expr filter error (event data not valid JSON)"},
        {F1("a == \\\"b\\\"", "a", "a"), "", NULL, 1, ERR_NONE},
        {F1("a == \\\"b\\\"", "a", "a"), "", "{\"a\": \"b\"}", 1, ERR_NONE},
        {F1("a != \\\"b\\\"", "a", "a"), "", "{\"a\": \"c\"}", 1, ERR_NONE},
        {F1("b == \\\"b\\\"", "b", "a.b"), "", "{\"a\": {\"b\": \"c\"}}", 0, ERR_NONE},
        {F1("b == 2", "b", "a.b"), "", "{\"a\": {\"b\": 2}}", 1, ERR_NONE},
        {F1("b < 1", "b", "a.b"), "", "{\"a\": {\"b\": 2}}", 0, ERR_NONE},
        {F1("b =~ \\\"start\\\"", "b", "a.b"), "", "{\"a\": {\"b\": \"start long string\"}}", 1,
         ERR_NONE},
        {F1("b !~ \\\"start\\\"", "b", "a.b"), "", "{\"a\": {\"b\": \"long string\"}}", 1,
         ERR_NONE},
        /* the result must be exactly true */
        {F1("b + 1", "b", "a.b"), "", "{\"a\": {\"b\": 2}}", 0, ERR_NONE},
        {F2("b == \\\"x\\\"", "b", "a.b", "d == \\\"y\\\"", "d", "a.d"), "",
         "{\"a\": {\"b\": \"x\", \"d\": \"y\"}}", 1, ERR_NONE},
        {F2("b == \\\"x\\\"", "b", "a.b", "d == \\\"z\\\"", "d", "a.d"), "and",
         "{\"a\": {\"b\": \"x\", \"d\": \"y\"}}", 0, ERR_NONE},
        {F2("b == \\\"q\\\"", "b", "a.b", "d == \\\"y\\\"", "d", "a.d"), "or",
         "{\"a\": {\"b\": \"x\", \"d\": \"y\"}}", 1, ERR_NONE},
        {F2("b == \\\"q\\\"", "b", "a.b", "d == \\\"z\\\"", "d", "a.d"), "or",
         "{\"a\": {\"b\": \"x\", \"d\": \"y\"}}", 0, ERR_NONE},
        /* missing paths: an error under and; under or only when nothing passed */
        {F1("b == 2", "b", "a.x"), "and", "{\"a\": {\"b\": 2}}", -1,
         "expr filter error (path 'a.x' does not exist)"},
        {F2("b == 2", "b", "a.x", "d == \\\"y\\\"", "d", "a.d"), "or",
         "{\"a\": {\"b\": 2, \"d\": \"y\"}}", 1, ERR_NONE},
        {F2("b == 2", "b", "a.x", "d == 2", "d", "a.y"), "or", "{\"a\": {\"b\": 2}}", -1,
         "expr filter errors [path 'a.x' does not exist / path 'a.y' does not exist]"},
        /* an evaluation error is an error (govaluate's own message) */
        {F1("b > 1", "b", "a.b"), "", "{\"a\": {\"b\": \"x\"}}", -1,
         "expr filter error (Value 'x' cannot be used with the comparator '>', it is not a "
         "number)"},
    };
    tg_check(cases, sizeof cases / sizeof cases[0], tg_exprs);
}

#define D1(path, type, cmp, values)                                                                \
    "[{\"path\":\"" path "\",\"type\":\"" type "\",\"comparator\":\"" cmp "\",\"value\":" values   \
    "}]"
#define D2(p1, v1, p2, v2)                                                                         \
    "[{\"path\":\"" p1 "\",\"type\":\"string\",\"value\":" v1 "},"                                 \
    "{\"path\":\"" p2 "\",\"type\":\"string\",\"value\":" v2 "}]"
#define DT(path, tmpl, values)                                                                     \
    "[{\"path\":\"" path "\",\"type\":\"string\",\"template\":\"" tmpl "\",\"value\":" values "}]"

static void test_data(void **state)
{
    (void)state;
    static const struct group_case cases[] = {
        /* strings: unanchored regular expressions, any value may match */
        {D1("a", "string", "", "[\"b\"]"), "", "{\"a\":\"abc\"}", 1, ERR_NONE},
        {D1("a", "string", "", "[\"^b$\"]"), "", "{\"a\":\"abc\"}", 0, ERR_NONE},
        {D1("a", "string", "!=", "[\"b\"]"), "", "{\"a\":\"xyz\"}", 1, ERR_NONE},
        {D1("a", "string", "=", "[\"x\", \"y\"]"), "", "{\"a\":\"y\"}", 1, ERR_NONE},
        {D1("a", "string", "<", "[\"y\"]"), "", "{\"a\":\"y\"}", 0, ERR_NONE},
        {D1("a.b", "string", "", "[\"^2$\"]"), "", "{\"a\":{\"b\":2}}", 1, ERR_NONE},
        /* numbers: numeric strings count, every comparator */
        {D1("a", "number", "", "[\"1\"]"), "", "{\"a\":\"1.0\"}", 1, ERR_NONE},
        {D1("a", "number", ">", "[\"4\"]"), "", "{\"a\":5}", 1, ERR_NONE},
        {D1("a", "number", ">", "[\"5\"]"), "", "{\"a\":5}", 0, ERR_NONE},
        {D1("a", "number", ">=", "[\"5\"]"), "", "{\"a\":5}", 1, ERR_NONE},
        {D1("a", "number", "<", "[\"5.5\"]"), "", "{\"a\":5}", 1, ERR_NONE},
        {D1("a", "number", "<=", "[\"4\"]"), "", "{\"a\":5}", 0, ERR_NONE},
        {D1("a", "number", "!=", "[\"4\"]"), "", "{\"a\":5}", 1, ERR_NONE},
        /* bools: Go's ParseBool on the value, truthiness of the event's */
        {D1("a", "bool", "", "[\"true\"]"), "", "{\"a\":true}", 1, ERR_NONE},
        {D1("a", "bool", "", "[\"t\"]"), "", "{\"a\":\"TRUE\"}", 1, ERR_NONE},
        {D1("a", "bool", "", "[\"false\"]"), "", "{\"a\":1}", 0, ERR_NONE},
        /* templates run on the value's text first */
        {DT("a", "{{ b64dec .Input }}", "[\"^hello$\"]"), "", "{\"a\":\"aGVsbG8=\"}", 1, ERR_NONE},
        {DT("a", "{{ if eq .Input \\\"z\\\" }}z{{ end }}", "[\"z\"]"), "", "{\"a\":\"q\"}", -1,
         "data filter error (template '{{ if eq .Input \"z\" }}z{{ end }}' evaluated to empty "
         "string or no value)"},
        /* data: absent passes, not JSON fails */
        {D1("a", "string", "", "[\"b\"]"), "", NULL, 1, ERR_NONE},
        {D1("a", "string", "", "[\"b\"]"), "", "{oops", -1,
         "data filter error (event data not valid JSON)"},
        /* and / or with missing paths */
        {D2("a", "[\"x\"]", "b", "[\"y\"]"), "and", "{\"a\":\"x\"}", -1,
         "data filter error (path 'b' does not exist)"},
        {D2("a", "[\"q\"]", "b", "[\"y\"]"), "and", "{\"a\":\"x\",\"b\":\"y\"}", 0, ERR_NONE},
        {D2("b", "[\"x\"]", "a", "[\"x\"]"), "or", "{\"a\":\"x\"}", 1, ERR_NONE},
        {D2("b", "[\"x\"]", "c", "[\"x\"]"), "or", "{\"a\":\"x\"}", -1,
         "data filter errors [path 'b' does not exist / path 'c' does not exist]"},
        {D2("a", "[\"q\"]", "a", "[\"r\"]"), "or", "{\"a\":\"x\"}", 0, ERR_NONE},
    };
    tg_check(cases, sizeof cases / sizeof cases[0], tg_data);
}

static void test_data_refused(void **state)
{
    (void)state;
    static const struct {
        const char *filters, *msg;
    } cases[] = {
        {D1("a", "foo", "", "[\"1\"]"), "filters.data[0].type: unsupported JSON type 'foo'"},
        {D1("a", "number", "~", "[\"1\"]"), "filters.data[0].comparator: unknown \"~\""},
        {D1("a", "bool", "", "[\"yes\"]"), "filters.data[0].value[0]: \"yes\" is not a bool"},
        {D1("a", "string", "", "[]"), "filters.data[0].value: no values specified"},
        {DT("a", "{{ nosuchfn .Input }}", "[\"x\"]"), "filters.data[0].template: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *list = tg_list(cases[i].filters);
        struct ce_sn_data_group *g = NULL;
        char err[512] = "";
        assert_int_equal(ce_sn_data_compile(list, "and", &g, err, sizeof err), CE_EINVAL);
        assert_null(g);
        if (strstr(err, cases[i].msg) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
        }
        json_decref(list);
    }
}

static void test_exprs_refused(void **state)
{
    (void)state;
    static const struct {
        const char *filters, *msg;
    } cases[] = {
        {"[{\"expr\":\"a ==\",\"fields\":[{\"name\":\"a\",\"path\":\"a\"}]}]",
         "filters.exprs[0].expr: "},
        {"[{\"expr\":\"a == 1\",\"fields\":[]}]", "filters.exprs[0].fields: at least one"},
        {"[{\"expr\":\"a == 1\",\"fields\":[{\"name\":\"a\"}]}]",
         "filters.exprs[0].fields[0]: name and path are required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *list = tg_list(cases[i].filters);
        struct ce_sn_exprs_group *g = NULL;
        char err[512] = "";
        assert_int_equal(ce_sn_exprs_compile(list, "and", &g, err, sizeof err), CE_EINVAL);
        assert_null(g);
        if (strstr(err, cases[i].msg) == NULL) {
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].msg);
        }
        json_decref(list);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exprs),
        cmocka_unit_test(test_exprs_refused),
        cmocka_unit_test(test_data),
        cmocka_unit_test(test_data_refused),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
