/* SPDX-License-Identifier: Apache-2.0 */
/* core/expr, expr-lang dialect (EventSource filter.expression): results and error texts as
 * expr-lang v1.15 produces them (its parser, checker and runtime tables), Argo Events'
 * eval_test.go (key expansion, '-' to '_'), the extension function table, and the caps. */
#include "core/expr/expr.h"

#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const event =
    "{\"body\": {\"id\": 4, \"name\": \"Jo\", \"tags\": [\"a\", \"b\"], \"n\": null,"
    " \"items\": [{\"v\": 1}, {\"v\": 3}], \"s\": \"a,b,c\"},"
    " \"header\": {\"X-Foo\": [\"bar\"]}, \"first-name\": \"John\", \"a.b\": 1, \"a\": 7}";

struct ok_case {
    const char *expr;
    const char *want; /* Go %v */
    enum ce_value_kind kind;
};

struct err_case {
    const char *expr;
    const char *want; /* the whole message */
};

/* sprig.upper and jsonpath stand-ins to exercise the extension table. */
static int fn_upper(void *ctx, struct ce_value *const *args, size_t nargs, struct ce_value **out,
                    char *err, size_t errlen)
{
    (void)ctx;
    if (nargs != 1 || args[0]->kind != CE_VALUE_STRING) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "upper wants one string");
    }
    char *p = ce_xstrdup(args[0]->u.s.p);
    for (char *q = p; *q != '\0'; q++) {
        *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
    }
    *out = ce_value_string_take(p, args[0]->u.s.len);
    return CE_OK;
}

static int fn_count(void *ctx, struct ce_value *const *args, size_t nargs, struct ce_value **out,
                    char *err, size_t errlen)
{
    (void)args;
    (void)err;
    (void)errlen;
    (*(int *)ctx)++;
    *out = ce_value_int((int64_t)nargs);
    return CE_OK;
}

static int calls;
static const struct ce_expr_func funcs_items[] = {{"sprig.upper", fn_upper},
                                                  {"jsonpath", fn_count}};
static const struct ce_expr_funcs funcs = {funcs_items, 2, &calls};

static int run(const char *src, struct ce_value **v, char *err, size_t errlen)
{
    json_error_t je;
    json_t *data = json_loads(event, JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(data);
    json_t *env = ce_expr_env_from_event(data, err, errlen);
    assert_non_null(env);
    json_decref(data);
    struct ce_expr *e = NULL;
    int rc = ce_expr_compile(CE_EXPR_EXPRLANG, src, &e, err, errlen);
    if (rc == CE_OK) {
        rc = ce_expr_eval(e, env, &funcs, v, err, errlen);
        ce_expr_destroy(e);
    }
    json_decref(env);
    return rc;
}

static void test_results(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"(body.id == 4) && (body.name != 'Joe')", "true", CE_VALUE_BOOL},
        {"(body.id == 2) || (body.name == 'Female')", "false", CE_VALUE_BOOL},
        {"first_name == \"John\"", "true", CE_VALUE_BOOL},
        {"a.b", "1", CE_VALUE_FLOAT},
        {"a", "map[b:1]", CE_VALUE_OBJECT},
        {"invalidexpression", "<nil>", CE_VALUE_NULL},
        {"body.missing", "<nil>", CE_VALUE_NULL},
        {"body.missing?.x", "<nil>", CE_VALUE_NULL},
        {"body?.n?.x.y", "<nil>", CE_VALUE_NULL},
        {"body.tags[0] + body.tags[-1]", "ab", CE_VALUE_STRING},
        {"header['X-Foo'][0]", "bar", CE_VALUE_STRING},
        {"body['name']", "Jo", CE_VALUE_STRING},
        {"7 % 2", "1", CE_VALUE_INT},
        {"7 / 2", "3.5", CE_VALUE_FLOAT},
        {"2 ** 10", "1024", CE_VALUE_FLOAT},
        {"2 ^ 3 ^ 2", "512", CE_VALUE_FLOAT},
        {"-2 ** 2", "-4", CE_VALUE_FLOAT},
        {"1 + 2 * 3", "7", CE_VALUE_INT},
        {"body.id + 1", "5", CE_VALUE_FLOAT},
        {"body.id == 4.0 and 4 == 4.0", "true", CE_VALUE_BOOL},
        {"'a' + 'b' < 'ac'", "true", CE_VALUE_BOOL},
        {"body.name matches '^J' && body.name contains 'o'", "true", CE_VALUE_BOOL},
        {"body.name startsWith 'J' and body.name endsWith 'o'", "true", CE_VALUE_BOOL},
        {"body.name not startsWith 'X'", "true", CE_VALUE_BOOL},
        {"'a' in body.tags", "true", CE_VALUE_BOOL},
        {"'c' not in body.tags", "true", CE_VALUE_BOOL},
        {"'id' in body", "true", CE_VALUE_BOOL},
        {"1 in [1.0, 2]", "true", CE_VALUE_BOOL},
        {"len(body.tags) + len('héllo') + len(body)", "14", CE_VALUE_INT},
        {"len([]) + len({})", "0", CE_VALUE_INT}, /* empty literals (a fuzz finding) */
        {"all(body.items, {.v > 0})", "true", CE_VALUE_BOOL},
        {"any(body.items, #.v > 2)", "true", CE_VALUE_BOOL},
        {"none(body.items, #.v > 5)", "true", CE_VALUE_BOOL},
        {"one(body.items, #.v > 2)", "true", CE_VALUE_BOOL},
        {"map(body.items, #.v * 2)", "[2 6]", CE_VALUE_ARRAY},
        {"filter(body.items, .v > 1)", "[map[v:3]]", CE_VALUE_ARRAY},
        {"count(body.items, .v > 0)", "2", CE_VALUE_INT},
        {"upper(body.name) + lower('ABC') + trim('  x ') + trim('xxyxx', 'x')", "JOabcxy",
         CE_VALUE_STRING},
        {"split(body.s, ',')", "[a b c]", CE_VALUE_ARRAY},
        {"split(body.s, ',', 2)", "[a b,c]", CE_VALUE_ARRAY},
        {"split('abc', '')", "[a b c]", CE_VALUE_ARRAY},
        {"int('42') + int(4.7) + int(body.id)", "50", CE_VALUE_INT},
        {"float('1.5') + float(1)", "2.5", CE_VALUE_FLOAT},
        {"string(1.5) + string(body.tags) + string(nil)", "1.5[a b]<nil>", CE_VALUE_STRING},
        {"abs(-3) + abs(-0.5)", "3.5", CE_VALUE_FLOAT},
        {"toJson(body.items) + toJson('<a&b>')", "[{\"v\":1},{\"v\":3}]\"\\u003ca\\u0026b\\u003e\"",
         CE_VALUE_STRING},
        {"toJson(1e21) + toJson(0.0000001) + toJson(100)", "1e+211e-7100", CE_VALUE_STRING},
        {"asInt(body.id) + asInt('2')", "6", CE_VALUE_INT},
        {"asFloat('2')", "2", CE_VALUE_FLOAT},
        {"body.id > 3 ? 'big' : 'small'", "big", CE_VALUE_STRING},
        {"body.id > 0 ?: 'd'", "true", CE_VALUE_BOOL},
        {"nil ?? body.n ?? 'd'", "d", CE_VALUE_STRING},
        {"not true or !false", "true", CE_VALUE_BOOL},
        {"true && 'x'", "x", CE_VALUE_STRING},
        {"body.x == nil", "true", CE_VALUE_BOOL},
        {"[1, 2, 3][1:]", "[2 3]", CE_VALUE_ARRAY},
        {"body.name[1:]", "o", CE_VALUE_STRING},
        {"{a: 1, 'b': 2}.b", "2", CE_VALUE_INT},
        {"1..3", "[1 2 3]", CE_VALUE_ARRAY},
        {"type(body.id) + type(1) + type(body)", "floatintmap", CE_VALUE_STRING},
        {"hasPrefix('abc', 'ab') && hasSuffix('abc', 'bc') && indexOf('abc', 'c') == 2", "true",
         CE_VALUE_BOOL},
        {"join(body.tags, '-')", "a-b", CE_VALUE_STRING},
        {"sprig.upper(body.name)", "JO", CE_VALUE_STRING},
        {"jsonpath('{}', '$.a')", "2", CE_VALUE_INT},
        {"0x10 + 1_000 + .5", "1016.5", CE_VALUE_FLOAT},
        {"'\\u00e9\\x41\\n' == \"é\\x41\\n\"", "true", CE_VALUE_BOOL},
        {"1 /* c */ + 1 // tail", "2", CE_VALUE_INT},
        {"$env.body.id", "4", CE_VALUE_FLOAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_value *v = NULL;
        char err[512] = "";
        if (run(cases[i].expr, &v, err, sizeof err) != CE_OK) {
            fail_msg("%s: %s", cases[i].expr, err);
        }
        struct ce_buf b;
        ce_buf_init(&b, 0);
        if (ce_value_format(v, &b) != CE_OK) {
            fail_msg("%s: cannot format", cases[i].expr);
        }
        if (strcmp(b.data != NULL ? b.data : "", cases[i].want) != 0 || v->kind != cases[i].kind) {
            fail_msg("%s: got %s (%s), want %s", cases[i].expr, b.data, ce_value_go_type(v),
                     cases[i].want);
        }
        ce_buf_fini(&b);
        ce_value_unref(v);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        {"body.missing.x",
         "cannot fetch x from <nil> (1:14)\n | body.missing.x\n | .............^"},
        {"body.tags[5]",
         "reflect: slice index out of range (1:10)\n | body.tags[5]\n | .........^"},
        {"body.id % 2", "invalid operation: float64 % int (1:9)\n | body.id % 2\n | ........^"},
        {"1 % 0", "runtime error: integer divide by zero (1:3)\n | 1 % 0\n | ..^"},
        {"'a' + 1", "invalid operation: string + int (1:5)\n | 'a' + 1\n | ....^"},
        {"body.name < 1",
         "invalid operation: string < int (1:11)\n | body.name < 1\n | ..........^"},
        {"!body.id",
         "interface conversion: interface {} is float64, not bool (1:1)\n | !body.id\n | ^"},
        {"body.n and true", "interface conversion: interface {} is nil, not bool (1:8)\n | body.n "
                            "and true\n | .......^"},
        {"body.id contains 'x'",
         "interface conversion: interface {} is float64, not string (1:9)\n | body.id contains "
         "'x'\n | ........^"},
        {"body.id.x", "cannot fetch x from float64 (1:9)\n | body.id.x\n | ........^"},
        {"1 in 2", "operator \"in\" not defined on int (1:3)\n | 1 in 2\n | ..^"},
        {"len(1)", "invalid argument for len (type int) (1:1)\n | len(1)\n | ^"},
        {"int('x')", "invalid operation: int(x) (1:1)\n | int('x')\n | ^"},
        {"upper(1)",
         "interface conversion: interface {} is int, not string (1:1)\n | upper(1)\n | ^"},
        {"nofunc(1)",
         "reflect: call of reflect.Value.Call on zero Value (1:1)\n | nofunc(1)\n | ^"},
        {"sprig.upper(1)", "upper wants one string (1:7)\n | sprig.upper(1)\n | ......^"},
        {"foo(", "unexpected token EOF (1:4)\n | foo(\n | ...^"},
        {"1 +", "unexpected token EOF (1:3)\n | 1 +\n | ..^"},
        {"@", "unrecognized character: U+0040 '@' (1:2)\n | @\n | .^"},
        {"'abc", "literal not terminated (1:5)\n | 'abc\n | ....^"},
        {"'\\q'", "invalid char escape (1:4)\n | '\\q'\n | ...^"},
        {"1 2", "unexpected token Number(\"2\") (1:3)\n | 1 2\n | ..^"},
        {"(1", "unexpected token EOF (1:2)\n | (1\n | .^"},
        {"1 ?? 2 + 3", "Operator (+) and coalesce expressions (?\?) cannot be mixed. Wrap either "
                       "by parentheses. (1:8)\n | 1 ?? 2 + 3\n | .......^"},
        {"body.name matches '['",
         "error parsing regexp: missing closing ]: `[` (1:11)\n | body.name matches '['\n | "
         "..........^"},
        {"len()", "invalid number of arguments (expected 1, got 0) (1:1)\n | len()\n | ^"},
        {"#", "cannot use pointer accessor outside closure (1:1)\n | #\n | ^"},
        {"1.2.3", "unexpected token Number(\".3\") (1:4)\n | 1.2.3\n | ...^"},
        {"99999999999999999999",
         "invalid integer literal: strconv.ParseInt: parsing \"99999999999999999999\": value out "
         "of range (1:1)\n | 99999999999999999999\n | ^"},
        {"now()", "builtin now is not supported (1:1)\n | now()\n | ^"},
        {"a\n+ 'x'", "invalid operation: map[string]interface {} + string (2:1)\n | + 'x'\n | ^"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_value *v = NULL;
        char err[512] = "";
        if (run(cases[i].expr, &v, err, sizeof err) == CE_OK) {
            ce_value_unref(v);
            fail_msg("%s: no error, want %s", cases[i].expr, cases[i].want);
        }
        assert_null(v);
        if (strcmp(err, cases[i].want) != 0) {
            fail_msg("%s:\n got: %s\nwant: %s", cases[i].expr, err, cases[i].want);
        }
    }
}

static void check_env(const char *in, const char *want)
{
    json_error_t je;
    json_t *data = json_loads(in, JSON_DECODE_INT_AS_REAL, &je);
    json_t *exp = json_loads(want, JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(data);
    assert_non_null(exp);
    json_t *env = ce_expr_env_from_event(data, NULL, 0);
    assert_non_null(env);
    if (!json_equal(env, exp)) {
        char *got = json_dumps(env, JSON_SORT_KEYS);
        fail_msg("%s: got %s want %s", in, got, want);
    }
    json_decref(env);
    json_decref(exp);
    json_decref(data);
}

/* Argo Events' TestExpand and TestRemoveConflictingKeys, and the '-' to '_' rename. */
static void test_env_from_event(void **state)
{
    (void)state;
    check_env("{\"a.b\": 1, \"a.c.d\": 2, \"a\": 3, \"ab\": 4, \"abb\": 5}",
              "{\"a\": {\"b\": 1, \"c\": {\"d\": 2}}, \"ab\": 4, \"abb\": 5}");
    check_env("{\"a.b\": 1, \"a\": 2}", "{\"a\": {\"b\": 1}}");
    check_env("{\"a\": 1, \"b\": 2, \"c.d\": 3}", "{\"a\": 1, \"b\": 2, \"c\": {\"d\": 3}}");
    check_env("{\"first-name\": \"x\", \"body\": {\"in-ner\": 1}}",
              "{\"first_name\": \"x\", \"body\": {\"in-ner\": 1}}");
    char err[128];
    json_t *arr = json_array();
    assert_null(ce_expr_env_from_event(arr, err, sizeof err));
    assert_non_null(strstr(err, "not a JSON object"));
    json_decref(arr);
}

static void test_eval_bool_and_caps(void **state)
{
    (void)state;
    struct ce_expr *e = NULL;
    char err[512];
    bool b = true;
    assert_int_equal(ce_expr_compile(CE_EXPR_EXPRLANG, "body", &e, err, sizeof err), CE_OK);
    assert_int_equal(ce_expr_eval_bool(e, NULL, NULL, &b, err, sizeof err), CE_EINVAL);
    assert_false(b);
    ce_expr_destroy(e);
    /* work cap: nested closures over big ranges */
    assert_int_equal(ce_expr_compile(CE_EXPR_EXPRLANG,
                                     "count(1..60000, count(1..60000, # > 0) > 0)", &e, err,
                                     sizeof err),
                     CE_OK);
    struct ce_value *v = NULL;
    assert_int_equal(ce_expr_eval(e, NULL, NULL, &v, err, sizeof err), CE_ETOOBIG);
    assert_non_null(strstr(err, "steps"));
    ce_expr_destroy(e);
    /* range cap */
    assert_int_equal(ce_expr_compile(CE_EXPR_EXPRLANG, "len(0..1000000000)", &e, err, sizeof err),
                     CE_OK);
    assert_int_equal(ce_expr_eval(e, NULL, NULL, &v, err, sizeof err), CE_ETOOBIG);
    ce_expr_destroy(e);
    /* nesting cap */
    static char deep[3 * CE_EXPR_DEPTH_MAX + 8];
    size_t n = 0;
    for (int i = 0; i < CE_EXPR_DEPTH_MAX + 4; i++) {
        deep[n++] = '(';
    }
    deep[n++] = '1';
    for (int i = 0; i < CE_EXPR_DEPTH_MAX + 4; i++) {
        deep[n++] = ')';
    }
    assert_int_equal(ce_expr_compile(CE_EXPR_EXPRLANG, deep, &e, err, sizeof err), CE_ETOOBIG);
    assert_null(e);
    /* the caller's function is reached and counted */
    calls = 0;
    assert_int_equal(run("jsonpath(1, 2, 3) == 3", &v, err, sizeof err), CE_OK);
    assert_true(v->u.b);
    assert_int_equal(calls, 1);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_env_from_event),
        cmocka_unit_test(test_eval_bool_and_caps),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
