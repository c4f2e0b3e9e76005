/* SPDX-License-Identifier: Apache-2.0 */
/* Dependency transforms: jq (first output, must be an object) and Lua (returned table back to
 * JSON, __is_array for empty arrays), jq winning when both are set, and the new data written
 * byte for byte as Argo's Go code marshals it (keys sorted, < > & escaped, float64 digits). The
 * first cases are Argo Events' own (transform_test.go); the float cases are outputs of Go's
 * encoding/json. */
#include "core/go/gojson.h"
#include "core/script/jq.h"
#include "core/script/luavm.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "sensor/transform.h"
#include "tests/harness/harness.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct tt_case {
    const char *jq;
    const char *script;
    const char *data; /* NULL: no data */
    const char *want; /* new data; NULL: left as it is (no error) */
    int rc;           /* expected code: CE_OK, or the error (want unused then) */
};

static void tt_run(const struct tt_case *c)
{
    struct ce_transform *t = NULL;
    char err[512] = "";
    int rc = ce_transform_create(c->jq, c->script, &t, err, sizeof err);
    if (rc != CE_OK) {
        if (rc != c->rc) {
            fail_msg("create jq=%s script=%s: rc %d want %d (%s)", c->jq, c->script, rc, c->rc,
                     err);
        }
        assert_true(err[0] != '\0');
        return;
    }
    char *out = NULL;
    size_t len = 0;
    rc = ce_transform_apply(t, c->data, c->data ? strlen(c->data) : 0, &out, &len, err, sizeof err);
    if (rc != c->rc) {
        fail_msg("jq=%s script=%s on %s: rc %d want %d (%s)", c->jq, c->script, c->data, rc, c->rc,
                 err);
    }
    if (rc != CE_OK) {
        assert_null(out);
        assert_true(err[0] != '\0');
    }
    else if (c->want == NULL) {
        assert_null(out);
    }
    else {
        if (out == NULL || strcmp(out, c->want) != 0 || len != strlen(c->want)) {
            fail_msg("jq=%s script=%s on %s: got %s want %s", c->jq, c->script, c->data,
                     out ? out : "(null)", c->want);
        }
    }
    ce_free(out);
    ce_transform_destroy(t);
}

static void tt_table(const struct tt_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tt_run(&cases[i]);
    }
}

static void test_argo_cases(void **state)
{
    (void)state;
    static const struct tt_case cases[] = {
        {".a += 1 | .b *= 2", NULL, "{\"a\":1,\"b\":\"2\"}", "{\"a\":2,\"b\":\"22\"}", CE_OK},
        {NULL, "\nevent.c.d[1]=4\nreturn event\n", "{\"a\":1,\"b\":\"2\",\"c\":{\"d\":[3]}}",
         "{\"a\":1,\"b\":\"2\",\"c\":{\"d\":[4]}}", CE_OK},
        {NULL, "\nreturn \"hello\"\n", "{\"a\":1,\"b\":\"2\",\"c\":{\"d\":[3]}}", NULL, CE_EINVAL},
        {NULL, "\nevent.env = setmetatable({}, { __is_array = true })\nreturn event\n",
         "{\"env\": 123}", "{\"env\":[]}", CE_OK},
        /* the reference's examples */
        {".body.message *= 2", NULL, "{\"body\":{\"message\":\"ab\"}}",
         "{\"body\":{\"message\":\"abab\"}}", CE_OK},
        {NULL, "event.body.message='updated' return event", "{\"body\":{\"message\":\"x\"}}",
         "{\"body\":{\"message\":\"updated\"}}", CE_OK},
    };
    tt_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_choice(void **state)
{
    (void)state;
    static const struct tt_case cases[] = {
        /* jq wins over the script */
        {"{from: \"jq\"}", "return {from='lua'}", "{}", "{\"from\":\"jq\"}", CE_OK},
        {"", "return {from='lua'}", "{}", "{\"from\":\"lua\"}", CE_OK},
        /* neither: nothing to do */
        {NULL, NULL, "{\"a\":1}", NULL, CE_OK},
        {"", "", "{\"a\":1}", NULL, CE_OK},
        /* no data: left as it is without running */
        {"error(\"x\")", NULL, NULL, NULL, CE_OK},
        {NULL, "error('x')", NULL, NULL, CE_OK},
        /* programs that do not compile fail at creation */
        {".[", NULL, "{}", NULL, CE_EPARSE},
        {"import \"m\" as m; .", NULL, "{}", NULL, CE_EPARSE},
        {NULL, "return {", "{}", NULL, CE_EPARSE},
    };
    tt_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_jq(void **state)
{
    (void)state;
    static const struct tt_case cases[] = {
        {".", NULL, "{\"z\":1,\"a\":\"<&>\",\"m\":{\"y\":true,\"b\":null}}",
         "{\"a\":\"\\u003c\\u0026\\u003e\",\"m\":{\"b\":null,\"y\":true},\"z\":1}", CE_OK},
        {".", NULL, "{\"n\":1e21,\"m\":0.0000001,\"big\":12345678901234567890,\"f\":1.50}",
         "{\"big\":12345678901234567000,\"f\":1.5,\"m\":1e-7,\"n\":1e+21}", CE_OK},
        {".", NULL, "{\"s\":\"\\u00e9 \\u2713 \\u2028 \\t\\u0001\"}",
         "{\"s\":\"\xc3\xa9 \xe2\x9c\x93 \\u2028 \\t\\u0001\"}", CE_OK},
        {".", NULL, "null", "{}", CE_OK},
        {"{a: 1}, {b: 2}", NULL, "{}", "{\"a\":1}", CE_OK}, /* the first output counts */
        {".a = [1, null, {}]", NULL, "{}", "{\"a\":[1,null,{}]}", CE_OK},
        {"{a: env, b: $ENV}", NULL, "{}", "{\"a\":{},\"b\":{}}", CE_OK},
        {".x = (.x | tostring)", NULL, "{\"x\":0.1}", "{\"x\":\"0.1\"}", CE_OK},
        /* errors */
        {"empty", NULL, "{}", NULL, CE_EINVAL},
        {".a", NULL, "{\"a\":1}", NULL, CE_EINVAL},
        {"[.]", NULL, "{}", NULL, CE_EINVAL},
        {"error(\"boom\")", NULL, "{}", NULL, CE_EINVAL},
        {".a.b", NULL, "{\"a\":1}", NULL, CE_EINVAL},
        {"{a: nan}", NULL, "{}", NULL, CE_EINVAL},
        {"{a: infinite}", NULL, "{}", NULL, CE_EINVAL},
        {"{a: input}", NULL, "{}", NULL, CE_EINVAL},
        {".", NULL, "[1]", NULL, CE_EPARSE},
        {".", NULL, "\"s\"", NULL, CE_EPARSE},
        {".", NULL, "{\"a\":", NULL, CE_EPARSE},
        {".", NULL, "{} {}", NULL, CE_EPARSE},
        {".", NULL, "{\"a\":1e400}", NULL, CE_EPARSE},
        {".", NULL, "", NULL, CE_EPARSE},
    };
    tt_table(cases, sizeof cases / sizeof cases[0]);
}

static void test_script(void **state)
{
    (void)state;
    static const struct tt_case cases[] = {
        {NULL, "return event", "{\"z\":1,\"a\":\"<&>\",\"n\":1e21,\"m\":0.0000001}",
         "{\"a\":\"\\u003c\\u0026\\u003e\",\"m\":1e-7,\"n\":1e+21,\"z\":1}", CE_OK},
        /* arrays read from JSON stay arrays, nested too, even when empty */
        {NULL, "return event", "{\"a\":[],\"b\":{},\"d\":[[1,2],[3],[]]}",
         "{\"a\":[],\"b\":{},\"d\":[[1,2],[3],[]]}", CE_OK},
        /* null is nil: members disappear, elements close up */
        {NULL, "return event", "{\"e\":null,\"c\":[1,null,2]}", "{\"c\":[1,2]}", CE_OK},
        {NULL, "return event", "{\"s\":\"\\u00e9 \\u2713\",\"u\":\"\xf0\x9f\x98\x80\"}",
         "{\"s\":\"\xc3\xa9 \xe2\x9c\x93\",\"u\":\"\xf0\x9f\x98\x80\"}", CE_OK},
        {NULL, "return {}", "{}", "{}", CE_OK},
        {NULL, "return setmetatable({}, {__is_array = true})", "{}", "[]", CE_OK},
        {NULL, "return setmetatable({}, {__is_array = 1})", "{}", "{}", CE_OK},
        {NULL, "return {1, 'two', true}", "{}", "[1,\"two\",true]", CE_OK},
        {NULL, "return {1, 2, k = 'dropped'}", "{}", "[1,2]", CE_OK},
        {NULL, "return {[2] = 'b'}", "{}", "{\"2\":\"b\"}", CE_OK},
        {NULL, "return {[1.5] = 'a', [true] = 'b', [1e6 + 0.5] = 1}", "{}",
         "{\"1.0000005e+06\":1,\"1.5\":\"a\",\"true\":\"b\"}", CE_OK},
        {NULL, "return {x = 1/3, y = -0.0, z = 2^53}", "{}",
         "{\"x\":0.3333333333333333,\"y\":-0,\"z\":9007199254740992}", CE_OK},
        {NULL, "event.list = {} event.list[1] = 'a' return event", "{}", "{\"list\":[\"a\"]}",
         CE_OK},
        {NULL, "event.s = 'bad \\255 byte' return event", "{}", "{\"s\":\"bad \\ufffd byte\"}",
         CE_OK},
        /* errors */
        {NULL, "return 'hello'", "{}", NULL, CE_EINVAL},
        {NULL, "return", "{}", NULL, CE_EINVAL},
        {NULL, "return event, 1", "{}", NULL, CE_EINVAL},
        {NULL, "return {f = print}", "{}", NULL, CE_EINVAL},
        {NULL, "return {[{}] = 1}", "{}", NULL, CE_EINVAL},
        {NULL, "return {n = 0/0}", "{}", NULL, CE_EINVAL},
        {NULL, "return {n = 1/0}", "{}", NULL, CE_EINVAL},
        {NULL, "local t = {} t.self = t return t", "{}", NULL, CE_ETOOBIG},
        {NULL, "local t = {} for i = 1, 30 do t = {t, t} end return t", "{}", NULL, CE_ETOOBIG},
        {NULL, "return {string.rep('x', 9 * 1024 * 1024)}", "{}", NULL, CE_ETOOBIG},
        {NULL, "while true do end", "{}", NULL, CE_EINVAL},
        {NULL, "os.execute('true') return event", "{}", NULL, CE_EINVAL},
        {NULL, "return event", "[1]", NULL, CE_EPARSE},
    };
    tt_table(cases, sizeof cases / sizeof cases[0]);
}

struct num_case {
    double v;
    const char *json; /* json.Marshal(float64) */
    const char *key;  /* fmt.Sprint as a Lua table key */
};

static void test_go_numbers(void **state)
{
    (void)state;
    static const struct num_case cases[] = {
        {0, "0", "0"},
        {1, "1", "1"},
        {-42, "-42", "-42"},
        {0.5, "0.5", "0.5"},
        {0.1, "0.1", "0.1"},
        {0.30000000000000004, "0.30000000000000004", "0.30000000000000004"},
        {1e20, "100000000000000000000", "1e+20"},
        {1e21, "1e+21", "1e+21"},
        {123456789.125, "123456789.125", "1.23456789125e+08"},
        {0.000001, "0.000001", "1e-06"},
        {0.0000001, "1e-7", "1e-07"},
        {0.0001, "0.0001", "0.0001"},
        {0.00001, "0.00001", "1e-05"},
        {1.5e-10, "1.5e-10", "1.5e-10"},
        {5e-324, "5e-324", "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157e+308"},
        {12345678901234567890.0, "12345678901234567000", "1.2345678901234567e+19"},
        {9007199254740993.0, "9007199254740992", "9007199254740992"},
        {123456.5, "123456.5", "123456.5"},
        {-2.5, "-2.5", "-2.5"},
    };
    char buf[CE_GOJSON_NUM_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = ce_gojson_fmt_float(cases[i].v, buf);
        assert_int_equal(n, (int)strlen(cases[i].json));
        assert_string_equal(buf, cases[i].json);
        n = ce_gojson_fmt_key_number(cases[i].v, buf);
        assert_int_equal(n, (int)strlen(cases[i].key));
        assert_string_equal(buf, cases[i].key);
    }
    assert_int_equal(ce_gojson_fmt_float(-0.0, buf), 2);
    assert_string_equal(buf, "-0");
    assert_int_equal(ce_gojson_fmt_float(NAN, buf), -1);
    assert_int_equal(ce_gojson_fmt_float(INFINITY, buf), -1);
    assert_int_equal(ce_gojson_fmt_float(-INFINITY, buf), -1);
    ce_gojson_fmt_key_number(NAN, buf);
    assert_string_equal(buf, "NaN");
    ce_gojson_fmt_key_number(-INFINITY, buf);
    assert_string_equal(buf, "-Inf");
}

static void test_caps(void **state)
{
    (void)state;
    char err[256];
    struct ce_transform *t = NULL;
    assert_int_equal(ce_transform_create(".", NULL, &t, err, sizeof err), CE_OK);
    char *out = NULL;
    size_t len = 0;
    /* input over the cap is refused before it is read */
    size_t n = CE_GOJSON_MAX_INPUT + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    assert_int_equal(ce_transform_apply(t, big, n, &out, &len, err, sizeof err), CE_ETOOBIG);
    assert_int_equal(ce_transform_apply(t, big, n - 1, &out, &len, err, sizeof err), CE_EPARSE);
    big[n - 2] = '}';
    assert_int_equal(ce_transform_apply(t, big, n - 1, &out, &len, err, sizeof err), CE_OK);
    assert_string_equal(out, "{}");
    ce_free(out);
    free(big);
    /* jq output nested past the cap, and past the byte cap */
    ce_transform_destroy(t);
    assert_int_equal(
        ce_transform_create("{a: (reduce range(600) as $i (0; [.]))}", NULL, &t, err, sizeof err),
        CE_OK);
    assert_int_equal(ce_transform_apply(t, "{}", 2, &out, &len, err, sizeof err), CE_ETOOBIG);
    ce_transform_destroy(t);
    assert_int_equal(ce_transform_create("{a: (\"x\" * 9000000)}", NULL, &t, err, sizeof err),
                     CE_OK);
    assert_int_equal(ce_transform_apply(t, "{}", 2, &out, &len, err, sizeof err), CE_ETOOBIG);
    assert_null(out);
    ce_transform_destroy(t);
    /* program length caps */
    char *prog = malloc(CE_JQ_MAX_PROGRAM + 2);
    assert_non_null(prog);
    memset(prog, ' ', CE_JQ_MAX_PROGRAM + 1);
    prog[0] = '.';
    prog[CE_JQ_MAX_PROGRAM + 1] = '\0';
    assert_int_equal(ce_transform_create(prog, NULL, &t, err, sizeof err), CE_ETOOBIG);
    free(prog);
}

static void *tt_worker(void *arg)
{
    struct ce_transform *t = arg;
    char err[256];
    intptr_t ok = 0;
    for (int i = 0; i < 100; i++) {
        char data[64], want[64], *out = NULL;
        size_t len = 0;
        snprintf(data, sizeof data, "{\"n\":%d}", i);
        snprintf(want, sizeof want, "{\"n\":%d}", i + 1);
        if (ce_transform_apply(t, data, strlen(data), &out, &len, err, sizeof err) == CE_OK &&
            strcmp(out, want) == 0) {
            ok++;
        }
        ce_free(out);
    }
    return (void *)ok;
}

/* One compiled transform applied from several threads: each handle lets one run at a time. */
static void test_shared_between_threads(void **state)
{
    (void)state;
    static const char *const kinds[][2] = {{".n += 1", NULL},
                                           {NULL, "event.n = event.n + 1 return event"}};
    for (size_t k = 0; k < 2; k++) {
        struct ce_transform *t = NULL;
        char err[256];
        assert_int_equal(ce_transform_create(kinds[k][0], kinds[k][1], &t, err, sizeof err), CE_OK);
        pthread_t th[4];
        for (int i = 0; i < 4; i++) {
            assert_int_equal(pthread_create(&th[i], NULL, tt_worker, t), 0);
        }
        for (int i = 0; i < 4; i++) {
            void *ok = NULL;
            pthread_join(th[i], &ok);
            assert_int_equal((intptr_t)ok, 100);
        }
        ce_transform_destroy(t);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argo_cases),
        cmocka_unit_test(test_choice),
        cmocka_unit_test(test_jq),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_go_numbers),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_shared_between_threads),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
