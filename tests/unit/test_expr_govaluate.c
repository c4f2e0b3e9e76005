/* SPDX-License-Identifier: Apache-2.0 */
/* core/expr, govaluate dialect (Sensor exprs filters): results, parse errors and evaluation
 * errors taken from govaluate's own test tables (evaluation_test.go, parsingFailure_test.go,
 * evaluationFailure_test.go) and Argo Events' filter_expr_test.go, plus the caps. */
#include "core/expr/expr.h"

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

struct ok_case {
    const char *expr;
    const char *params; /* JSON object or NULL */
    const char *want;   /* Go %v of the result */
    enum ce_value_kind kind;
};

struct err_case {
    const char *expr;
    const char *params;
    const char *want; /* substring of the message */
};

static json_t *load(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loads(s, JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(j);
    return j;
}

static void eval_ok(const struct ok_case *c)
{
    struct ce_expr *e = NULL;
    char err[512] = "";
    int rc = ce_expr_compile(CE_EXPR_GOVALUATE, c->expr, &e, err, sizeof err);
    if (rc != CE_OK) {
        fail_msg("%s: compile: %s", c->expr, err);
    }
    json_t *p = load(c->params);
    struct ce_value *v = NULL;
    rc = ce_expr_eval(e, p, NULL, &v, err, sizeof err);
    if (rc != CE_OK) {
        fail_msg("%s: eval: %s", c->expr, err);
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_value_format(v, &b), CE_OK);
    if (strcmp(b.data != NULL ? b.data : "", c->want) != 0 || v->kind != c->kind) {
        fail_msg("%s: got %s (%s), want %s", c->expr, b.data, ce_value_go_type(v), c->want);
    }
    ce_buf_fini(&b);
    ce_value_unref(v);
    json_decref(p);
    ce_expr_destroy(e);
}

static void test_evaluation(void **state)
{
    (void)state;
    static const struct ok_case cases[] = {
        {"51 + 49", NULL, "100", CE_VALUE_FLOAT},
        {"100 - 51", NULL, "49", CE_VALUE_FLOAT},
        {"100 & 50", NULL, "32", CE_VALUE_FLOAT},
        {"100 | 50", NULL, "118", CE_VALUE_FLOAT},
        {"100 ^ 50", NULL, "86", CE_VALUE_FLOAT},
        {"2 << 1", NULL, "4", CE_VALUE_FLOAT},
        {"2 >> 1", NULL, "1", CE_VALUE_FLOAT},
        {"~10", NULL, "-11", CE_VALUE_FLOAT},
        {"5 * 20", NULL, "100", CE_VALUE_FLOAT},
        {"100 / 20", NULL, "5", CE_VALUE_FLOAT},
        {"101 % 2", NULL, "1", CE_VALUE_FLOAT},
        {"10 ** 2", NULL, "100", CE_VALUE_FLOAT},
        {"20 + 30 + 50", NULL, "100", CE_VALUE_FLOAT},
        {"20 & 30 & 50", NULL, "16", CE_VALUE_FLOAT},
        {"20 * 5 - 49", NULL, "51", CE_VALUE_FLOAT},
        {"100 - (5 * 10)", NULL, "50", CE_VALUE_FLOAT},
        {"50 + (5 * (15 - 5))", NULL, "100", CE_VALUE_FLOAT},
        {"100 ^ (23 * (2 | 5))", NULL, "197", CE_VALUE_FLOAT},
        {"(1 == 1) || (true == true)", NULL, "true", CE_VALUE_BOOL},
        {"5 < 10 && 1 < 5", NULL, "true", CE_VALUE_BOOL},
        {"1 > 10 && 11 > 10", NULL, "false", CE_VALUE_BOOL},
        {"true == true && false == true", NULL, "false", CE_VALUE_BOOL},
        {"10 < 50 && (1 != 2 && 1 > 0)", NULL, "true", CE_VALUE_BOOL},
        {"'foo' == 'foo'", NULL, "true", CE_VALUE_BOOL},
        {"'foobar' =~ 'oba'", NULL, "true", CE_VALUE_BOOL},
        {"'foo' !~ 'bar'", NULL, "true", CE_VALUE_BOOL},
        {"5 + 10 * 2", NULL, "25", CE_VALUE_FLOAT},
        {"10 * 10 * 10 + 1 * 10 * 10", NULL, "1100", CE_VALUE_FLOAT},
        {"1 + 101 % 2 * 5", NULL, "6", CE_VALUE_FLOAT},
        {"1 + 5 ** 3 % 2 * 5", NULL, "6", CE_VALUE_FLOAT},
        {"50 << 1 & 90", NULL, "64", CE_VALUE_FLOAT},
        {"90 & 50 << 1", NULL, "64", CE_VALUE_FLOAT},
        {"90 + 50 << 1 * 5", NULL, "4480", CE_VALUE_FLOAT},
        {"1 - 2 - 4 - 8", NULL, "-13", CE_VALUE_FLOAT},
        {"1 * 4 / 2 * 8", NULL, "16", CE_VALUE_FLOAT},
        {"true ?? true ? 100 + 200 : 400", NULL, "300", CE_VALUE_FLOAT},
        {"'2014-01-02 14:12:22' > '2014-01-02 12:12:22'", NULL, "true", CE_VALUE_BOOL},
        {"'2014-01-02 14:12:22' <= '2014-01-02 11:12:22'", NULL, "false", CE_VALUE_BOOL},
        {"'2014-01-02' == '2014-01-02T00:00:00Z'", NULL, "true", CE_VALUE_BOOL},
        {"-1 < 0", NULL, "true", CE_VALUE_BOOL},
        {"'ab' < 'abc'", NULL, "true", CE_VALUE_BOOL},
        {"'aba' >= 'abc'", NULL, "false", CE_VALUE_BOOL},
        {"!true == false", NULL, "true", CE_VALUE_BOOL},
        {"!(10 < 0)", NULL, "true", CE_VALUE_BOOL},
        {"10 * -10", NULL, "-100", CE_VALUE_FLOAT},
        {"true ? 10", NULL, "10", CE_VALUE_FLOAT},
        {"false ? 10", NULL, "<nil>", CE_VALUE_NULL},
        {"10 > 5 ? 35.50", NULL, "35.5", CE_VALUE_FLOAT},
        {"true ? 35.50 > 10", NULL, "true", CE_VALUE_BOOL},
        {"false ? 35.50 : 50", NULL, "50", CE_VALUE_FLOAT},
        {"(false ? 5 : 35.50) > 10", NULL, "true", CE_VALUE_BOOL},
        {"true ? 1 : 5 > 10", NULL, "1", CE_VALUE_FLOAT},
        {"(2 == 2) ? 1 : (true ? 2 : 3)", NULL, "1", CE_VALUE_FLOAT},
        {"false ? 1 : (true ? 2 : 3)", NULL, "2", CE_VALUE_FLOAT},
        {"true ? (false ? 1 : (false ? 2 : 3)) : (false ? 4 : 5)", NULL, "3", CE_VALUE_FLOAT},
        {"'foo' + 'bar' == 'foobar'", NULL, "true", CE_VALUE_BOOL},
        {"'foo' + 123 == 'foo123'", NULL, "true", CE_VALUE_BOOL},
        {"123 + 'bar' == '123bar'", NULL, "true", CE_VALUE_BOOL},
        {"'foo' + true == 'footrue'", NULL, "true", CE_VALUE_BOOL},
        {"'x' + 0.5 + big + small", "{\"big\": 1e21, \"small\": 0.00001}", "x0.51e+211e-05",
         CE_VALUE_STRING},
        {"1 ?? 2", NULL, "1", CE_VALUE_FLOAT},
        {"1 in (1, 2, 3)", NULL, "true", CE_VALUE_BOOL},
        {"!(1 in (1, 2, 3))", NULL, "false", CE_VALUE_BOOL},
        {"'b' IN ('a', 'b')", NULL, "true", CE_VALUE_BOOL},
        {"true && true || true && false", NULL, "true", CE_VALUE_BOOL},
        {"false && true || true", NULL, "true", CE_VALUE_BOOL},
        {"true || false && true", NULL, "true", CE_VALUE_BOOL},
        {"foo + 2", "{\"foo\": 2}", "4", CE_VALUE_FLOAT},
        {"foo * foo * foo", "{\"foo\": 10}", "1000", CE_VALUE_FLOAT},
        {"foo + FoO + FOO", "{\"foo\": 8, \"FoO\": 4, \"FOO\": 2}", "14", CE_VALUE_FLOAT},
        {"-1 < -foo", "{\"foo\": -8}", "true", CE_VALUE_BOOL},
        {"foo > 1", "{\"foo\": 2}", "true", CE_VALUE_BOOL},
        {"(2 + 2) >= 4", NULL, "true", CE_VALUE_BOOL},
        {"foo > 10 && bar > 10", "{\"foo\": 1, \"bar\": 11}", "false", CE_VALUE_BOOL},
        {"'foobar' =~ foo", "{\"foo\": \"obar\"}", "true", CE_VALUE_BOOL},
        {"'foobar' !~ foo", "{\"foo\": \"baz\"}", "true", CE_VALUE_BOOL},
        {"[foo bar] + 1", "{\"foo bar\": 1}", "2", CE_VALUE_FLOAT},
        {"test\\-dep\\-1 && b", "{\"test-dep-1\": true, \"b\": true}", "true", CE_VALUE_BOOL},
        {"0x1F + 1", NULL, "32", CE_VALUE_FLOAT},
        {"a == nil", "{\"a\": null, \"nil\": null}", "true", CE_VALUE_BOOL},
        {"(1) 2", NULL, "1", CE_VALUE_FLOAT}, /* trailing tokens are ignored */
        {"a", "{\"a\": [1, \"x\"]}", "[1 x]", CE_VALUE_ARRAY},
        {"a == b", "{\"a\": {\"k\": [1]}, \"b\": {\"k\": [1]}}", "true", CE_VALUE_BOOL},
        {"1 / 0", NULL, "+Inf", CE_VALUE_FLOAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eval_ok(&cases[i]);
    }
}

static void check_err(const struct err_case *c, bool at_compile)
{
    struct ce_expr *e = NULL;
    char err[512] = "";
    int rc = ce_expr_compile(CE_EXPR_GOVALUATE, c->expr, &e, err, sizeof err);
    if (at_compile) {
        if (rc == CE_OK) {
            fail_msg("%s: compiled, want error %s", c->expr, c->want);
        }
        assert_null(e);
    }
    else {
        if (rc != CE_OK) {
            fail_msg("%s: compile: %s", c->expr, err);
        }
        json_t *p = load(c->params);
        struct ce_value *v = NULL;
        rc = ce_expr_eval(e, p, NULL, &v, err, sizeof err);
        json_decref(p);
        ce_expr_destroy(e);
        if (rc == CE_OK) {
            ce_value_unref(v);
            fail_msg("%s: evaluated, want error %s", c->expr, c->want);
        }
        assert_null(v);
    }
    if (strstr(err, c->want) == NULL) {
        fail_msg("%s: error %s, want %s", c->expr, err, c->want);
    }
}

static void test_parsing_failures(void **state)
{
    (void)state;
    static const struct err_case cases[] = {
        {"1 = 1", NULL, "Invalid token: '='"},
        {"1 === 1", NULL, "Invalid token"},
        {"true &&& false", NULL, "Invalid token"},
        {"true ||| false", NULL, "Invalid token"},
        {"10 > 5 +", NULL, "Unexpected end of expression"},
        {"10 + 5 >", NULL, "Unexpected end of expression"},
        {"10 > 5 &&", NULL, "Unexpected end of expression"},
        {"true ?", NULL, "Unexpected end of expression"},
        {"'wat' =~", NULL, "Unexpected end of expression"},
        {"", NULL, "Unexpected end of expression"},
        {" / =~", NULL, "Cannot transition token types"},
        {"> 10", NULL, "Cannot transition token types from UNKNOWN [<nil>] to COMPARATOR [>]"},
        {"+ 5", NULL, "Cannot transition token types"},
        {"&& 5 < 10", NULL, "Cannot transition token types"},
        {"10 10", NULL, "Cannot transition token types from NUMERIC [10] to NUMERIC [10]"},
        {"'foo' 'foo'", NULL, "Cannot transition token types"},
        {"10 > < 10", NULL, "Cannot transition token types"},
        {" ) ( arg2", NULL, "from UNKNOWN [<nil>] to CLAUSE_CLOSE [41]"},
        {"[foo bar", NULL, "Unclosed parameter bracket"},
        {"foo == 'responseTime", NULL, "Unclosed string literal"},
        {"foo =~ '[abc'", NULL, "missing closing ]"},
        {"10 > (1 + 50", NULL, "Unbalanced parenthesis"},
        {"127.0.0.1", NULL, "Unable to parse numeric value '127.0.0.1' to float64"},
        {"foobar()", NULL, "Undefined function foobar"},
        {"foo.Bar.", NULL, "Hanging accessor on token 'foo.Bar.'"},
        {"foo.bar", NULL, "Unable to access unexported field 'bar' in token 'foo.bar'"},
        {"0x", NULL, "Cannot transition token types"},
        {"0x > 0", NULL, "Unable to parse hex value"},
        {"0x1.1", NULL, "Cannot transition token types"},
        {"0x12g1", NULL, "Cannot transition token types"},
        {"a==-1", NULL, "Invalid token: '==-'"},
        {"a - -", NULL, "Unexpected end of expression"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_err(&cases[i], true);
    }
}

static void test_evaluation_failures(void **state)
{
    (void)state;
    static const char *const p = "{\"number\": 1, \"string\": \"foo\", \"bool\": true}";
    static const struct err_case cases[] = {
        {"1 + true", NULL, "Value '1' cannot be used with the modifier '+', it is not a number"},
        {"number + bool", p, "cannot be used with the modifier"},
        {"number - bool", p,
         "Value 'true' cannot be used with the modifier '-', it is not a number"},
        {"number * bool", p, "cannot be used with the modifier"},
        {"number / bool", p, "cannot be used with the modifier"},
        {"number ** bool", p, "cannot be used with the modifier"},
        {"number % bool", p, "cannot be used with the modifier"},
        {"number | bool", p, "cannot be used with the modifier"},
        {"number & bool", p, "cannot be used with the modifier"},
        {"number ^ bool", p, "cannot be used with the modifier"},
        {"number << bool", p, "cannot be used with the modifier"},
        {"number >> bool", p, "cannot be used with the modifier"},
        {"number && number", p,
         "Value '1' cannot be used with the logical operator '&&', it is not a bool"},
        {"number || number", p, "cannot be used with the logical operator"},
        {"string && string", p, "cannot be used with the logical operator"},
        {"bool && string", p, "Value 'foo' cannot be used with the logical operator '&&'"},
        {"string || bool", p, "cannot be used with the logical operator"},
        {"true > true", NULL, "cannot be used with the comparator"},
        {"bool >= bool", p,
         "Value 'true' cannot be used with the comparator '>=', it is not a number"},
        {"number > string", p, "cannot be used with the comparator"},
        {"number < string", p, "cannot be used with the comparator"},
        {"number =~ string", p, "Value '1' cannot be used with the comparator '=~'"},
        {"bool =~ number", p, "cannot be used with the comparator"},
        {"number !~ bool", p, "cannot be used with the comparator"},
        {"1 in 2", NULL, "Value '2' cannot be used with the comparator 'in', it is not a number"},
        {"1 in 'foo'", NULL, "cannot be used with the comparator"},
        {"1 in true", NULL, "cannot be used with the comparator"},
        {"10 ? true", NULL,
         "Value '10' cannot be used with the ternary operator '?', it is not a bool"},
        {"'foo' ? true", NULL, "cannot be used with the ternary operator"},
        {"'foo' =~ foo", "{\"foo\": \"[foo\"}", "Unable to compile regexp pattern '[foo'"},
        {"-string", p, "Value 'foo' cannot be used with the prefix '-'"},
        {"!number", p, "Value '1' cannot be used with the prefix '!'"},
        {"missing > 1", p, "No parameter 'missing' found."},
        {"number > 0 && missing", p, "No parameter 'missing' found."},
        {"foo.Bar", "{\"foo\": {\"Bar\": 1}}", "Unable to access 'Bar', 'foo' is not a struct"},
        {"foo.Bar", "{}", "No parameter 'foo' found."},
        {"a in (1, a)", "{\"a\": [1]}", "comparing uncomparable type []interface {}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_err(&cases[i], false);
    }
}

/* Argo Events' filter_expr_test.go: field values bound by name, result must be true. */
static void test_argo_filters(void **state)
{
    (void)state;
    static const struct {
        const char *expr, *params;
        bool want;
    } cases[] = {
        {"a == \"b\"", "{\"a\": \"b\"}", true},
        {"a != \"b\"", "{\"a\": \"c\"}", true},
        {"b == \"b\"", "{\"b\": \"c\"}", false},
        {"b == 2", "{\"b\": 2}", true},
        {"b < 1", "{\"b\": 2}", false},
        {"b =~ \"start\"", "{\"b\": \"start long string\"}", true},
        {"b !~ \"start\"", "{\"b\": \"long string\"}", true},
        {"b == \"x\"", "{\"b\": \"x\"}", true},
        {"x =~ \"^(abc|xyz)$\"", "{\"x\": \"xyz\"}", true},
        {"x =~ \"^(abc|xyz)$\"", "{\"x\": \"xyz\\n\"}", false},
        {"count >= 10 && kind == 'push'", "{\"count\": 12, \"kind\": \"push\"}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_expr *e = NULL;
        char err[256];
        assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, cases[i].expr, &e, err, sizeof err),
                         CE_OK);
        json_t *p = load(cases[i].params);
        bool got = !cases[i].want;
        assert_int_equal(ce_expr_eval_bool(e, p, NULL, &got, err, sizeof err), CE_OK);
        assert_int_equal(got, cases[i].want);
        json_decref(p);
        ce_expr_destroy(e);
    }
    /* a non-bool result is an error for eval_bool */
    struct ce_expr *e = NULL;
    char err[256];
    bool got = true;
    assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, "1 + 1", &e, err, sizeof err), CE_OK);
    assert_int_equal(ce_expr_eval_bool(e, NULL, NULL, &got, err, sizeof err), CE_EINVAL);
    assert_false(got);
    assert_non_null(strstr(err, "'2' is not a bool"));
    ce_expr_destroy(e);
}

static void test_caps(void **state)
{
    (void)state;
    struct ce_expr *e = NULL;
    char err[256];
    static char big[CE_EXPR_SRC_MAX + 2];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, big, &e, err, sizeof err), CE_ETOOBIG);
    assert_null(e);
    /* nesting deeper than the cap */
    static char deep[4 * CE_EXPR_DEPTH_MAX + 8];
    size_t n = 0;
    for (int i = 0; i < 2 * CE_EXPR_DEPTH_MAX; i++) {
        deep[n++] = '(';
    }
    deep[n++] = '1';
    for (int i = 0; i < 2 * CE_EXPR_DEPTH_MAX; i++) {
        deep[n++] = ')';
    }
    deep[n] = '\0';
    assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, deep, &e, err, sizeof err), CE_ETOOBIG);
    /* node count */
    static char many[CE_EXPR_SRC_MAX];
    n = 0;
    while (n + 2 < sizeof many) {
        memcpy(many + n, "1+", 2);
        n += 2;
    }
    memcpy(many + n, "1", 2);
    assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, many, &e, err, sizeof err), CE_ETOOBIG);
    assert_non_null(strstr(err, "nodes"));
    /* string concatenation past the string cap */
    static char cat[1200];
    n = 0;
    n += (size_t)snprintf(cat, sizeof cat, "s");
    for (int i = 0; i < 21; i++) {
        n += (size_t)snprintf(cat + n, sizeof cat - n, " + s");
    }
    char *chunk = calloc(1, 60000);
    assert_non_null(chunk);
    memset(chunk, 'x', 59999);
    json_t *p = json_pack("{s:s}", "s", chunk);
    free(chunk);
    assert_int_equal(ce_expr_compile(CE_EXPR_GOVALUATE, cat, &e, err, sizeof err), CE_OK);
    struct ce_value *v = NULL;
    assert_int_equal(ce_expr_eval(e, p, NULL, &v, err, sizeof err), CE_ETOOBIG);
    assert_null(v);
    json_decref(p);
    ce_expr_destroy(e);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluation),
        cmocka_unit_test(test_parsing_failures),
        cmocka_unit_test(test_evaluation_failures),
        cmocka_unit_test(test_argo_filters),
        cmocka_unit_test(test_caps),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
