/* SPDX-License-Identifier: Apache-2.0 */
/* filters.script: Lua with a global `event` built from the event data; the filter passes only
 * when the script's last returned value is the boolean true, and a syntax or runtime error is an
 * error. The first cases are Argo Events' own (filter_script_test.go); the rest pin the data
 * conversion and the sandbox: no io, os.execute, require or loadstring, a runaway loop and a
 * memory hog stopped, fresh globals per event, a handle shared by threads. */
#include "core/go/gojson.h"
#include "core/script/luavm.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* One level past the nesting cap. */
#define SF_DEEP (CE_GOJSON_MAX_DEPTH + 1)

enum sf_want { SF_FALSE, SF_TRUE, SF_ERR_COMPILE, SF_ERR_RUN };

struct sf_case {
    const char *script;
    const char *data; /* NULL: the event has no data */
    enum sf_want want;
    int rc; /* the expected error code, for SF_ERR_* */
};

static void sf_run(const struct sf_case *c)
{
    struct ce_lua *l = NULL;
    char err[512] = "";
    int rc = ce_lua_compile(c->script, "filter.script", &l, err, sizeof err);
    if (c->want == SF_ERR_COMPILE) {
        if (rc != c->rc) {
            fail_msg("compile %s: rc %d, want %d (%s)", c->script, rc, c->rc, err);
        }
        assert_null(l);
        assert_true(err[0] != '\0');
        return;
    }
    if (rc != CE_OK) {
        fail_msg("compile %s: %s", c->script, err);
    }
    bool pass = true;
    rc = ce_lua_filter(l, c->data, c->data ? strlen(c->data) : 0, &pass, err, sizeof err);
    if (c->want == SF_ERR_RUN) {
        if (rc != c->rc) {
            fail_msg("%s on %s: rc %d, want %d (%s)", c->script, c->data, rc, c->rc, err);
        }
        assert_false(pass);
        assert_true(err[0] != '\0');
    }
    else {
        if (rc != CE_OK) {
            fail_msg("%s on %s: %s", c->script, c->data, err);
        }
        if (pass != (c->want == SF_TRUE)) {
            fail_msg("%s on %s: pass %d", c->script, c->data, pass);
        }
    }
    ce_lua_destroy(l);
}

static void test_argo_cases(void **state)
{
    (void)state;
    static const struct sf_case cases[] = {
        {"\nif event.a == \"hello\" then return true else return false end\n", "{\"a\":\"hello\"}",
         SF_TRUE, 0},
        {"\nif event.a == \"hello\" and event.b == \"world\" then return false else return true "
         "end\n",
         "{\"a\":\"hello\",\"b\":\"world\"}", SF_FALSE, 0},
        {"\nif event.a == \"hello\" return false else return true end\n", "{\"a\":\"hello\"}",
         SF_ERR_COMPILE, CE_EPARSE},
        {"\nif a.a == \"hello\" then return true else return false end\n", "{\"a\":\"hello\"}",
         SF_ERR_RUN, CE_EINVAL},
        /* the reference's example on webhook data */
        {"if event.body.a == \"b\" then return true else return false end",
         "{\"header\":{},\"body\":{\"a\":\"b\"}}", SF_TRUE, 0},
        {"if event.body.a == \"b\" then return true else return false end",
         "{\"header\":{},\"body\":{\"a\":\"c\"}}", SF_FALSE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sf_run(&cases[i]);
    }
}

static void test_return_values(void **state)
{
    (void)state;
    static const struct sf_case cases[] = {
        {"return true", "{}", SF_TRUE, 0},
        {"return false", "{}", SF_FALSE, 0},
        {"return 1", "{}", SF_FALSE, 0},
        {"return \"true\"", "{}", SF_FALSE, 0},
        {"return {}", "{}", SF_FALSE, 0},
        {"return nil", "{}", SF_FALSE, 0},
        {"local x = 1", "{}", SF_FALSE, 0},
        {"return false, true", "{}", SF_TRUE, 0}, /* the last value counts, as in Argo */
        {"return true, false", "{}", SF_FALSE, 0},
        /* no data: passes without running, whatever the script */
        {"return false", NULL, SF_TRUE, 0},
        {"error('never runs')", NULL, SF_TRUE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sf_run(&cases[i]);
    }
}

static void test_event_conversion(void **state)
{
    (void)state;
    static const struct sf_case cases[] = {
        {"return event.n == 1.5 and type(event.n) == 'number'", "{\"n\":1.5}", SF_TRUE, 0},
        {"return event.i == -42", "{\"i\":-42}", SF_TRUE, 0},
        {"return event.big == 12345678901234567890", "{\"big\":12345678901234567890}", SF_TRUE, 0},
        {"return event.t == true and event.f == false", "{\"t\":true,\"f\":false}", SF_TRUE, 0},
        {"return event.s == '\xc3\xa9t\xc3\xa9 \xe2\x9c\x93' and #event.s == 9",
         "{\"s\":\"\\u00e9t\\u00e9 \\u2713\"}", SF_TRUE, 0},
        {"return event.s == 'a\\0b' and #event.s == 3", "{\"s\":\"a\\u0000b\"}", SF_TRUE, 0},
        {"return event.o.p.q == 'deep'", "{\"o\":{\"p\":{\"q\":\"deep\"}}}", SF_TRUE, 0},
        {"return #event.a == 3 and event.a[1] == 'x' and event.a[3] == 'z'",
         "{\"a\":[\"x\",\"y\",\"z\"]}", SF_TRUE, 0},
        {"return event.m[2][1] == 3 and #event.m[1] == 2", "{\"m\":[[1,2],[3]]}", SF_TRUE, 0},
        {"return event.l[2].k == 'v'", "{\"l\":[{},{\"k\":\"v\"}]}", SF_TRUE, 0},
        /* null is nil: a null member is absent, a null element dropped (as Argo) */
        {"return event.e == nil and next(event) == nil", "{\"e\":null}", SF_TRUE, 0},
        {"return #event.c == 2 and event.c[2] == 2", "{\"c\":[1,null,2]}", SF_TRUE, 0},
        {"return #event.a == 0", "{\"a\":[]}", SF_TRUE, 0},
        /* top-level null reads as an empty object */
        {"return next(event) == nil", "null", SF_TRUE, 0},
        {"return event['a.b'] == 1", "{\"a.b\":1}", SF_TRUE, 0},
        /* Go reads an invalid UTF-8 byte as U+FFFD */
        {"return event.s == 'a\xef\xbf\xbd'", "{\"s\":\"a\xff\"}", SF_TRUE, 0},
        /* data that is not an object is an error */
        {"return true", "[1,2]", SF_ERR_RUN, CE_EPARSE},
        {"return true", "\"s\"", SF_ERR_RUN, CE_EPARSE},
        {"return true", "{\"a\":", SF_ERR_RUN, CE_EPARSE},
        {"return true", "", SF_ERR_RUN, CE_EPARSE},
        {"return true", "{\"a\":1e400}", SF_ERR_RUN, CE_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sf_run(&cases[i]);
    }
}

static void test_sandbox(void **state)
{
    (void)state;
    static const struct sf_case cases[] = {
        {"os.execute('true') return true", "{}", SF_ERR_RUN, CE_EINVAL},
        {"os.exit(1)", "{}", SF_ERR_RUN, CE_EINVAL},
        {"os.remove('/tmp/x')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"return os.getenv('HOME') ~= nil", "{}", SF_ERR_RUN, CE_EINVAL},
        {"io.open('/etc/passwd')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"require('io')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"dofile('/etc/passwd')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"loadfile('/etc/passwd')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"loadstring('return 1')()", "{}", SF_ERR_RUN, CE_EINVAL},
        {"load(function() return nil end)", "{}", SF_ERR_RUN, CE_EINVAL},
        {"string.dump(print)", "{}", SF_ERR_RUN, CE_EINVAL},
        {"collectgarbage('stop')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"debug.getinfo(1)", "{}", SF_ERR_RUN, CE_EINVAL},
        {"jit.on()", "{}", SF_ERR_RUN, CE_EINVAL},
        {"ffi.C.system('true')", "{}", SF_ERR_RUN, CE_EINVAL},
        {"setfenv(1, {})", "{}", SF_ERR_RUN, CE_EINVAL},
        /* what stays */
        {"return os.time() > 0 and os.clock() >= 0 and type(os.date('%Y')) == 'string'", "{}",
         SF_TRUE, 0},
        {"print('x') return string.upper('a') == 'A' and math.floor(1.5) == 1 and "
         "table.concat({1,2}, ',') == '1,2'",
         "{}", SF_TRUE, 0},
        {"return select('#', pcall(error, 'x')) == 2 and tostring(1) == '1'", "{}", SF_TRUE, 0},
        {"local co = coroutine.wrap(function() coroutine.yield(1) end) return co() == 1", "{}",
         SF_TRUE, 0},
        {"return _G.event ~= nil and _G._G == _G", "{}", SF_TRUE, 0},
        /* budgets */
        {"while true do end", "{}", SF_ERR_RUN, CE_EINVAL},
        {"local function f() return f() end return f()", "{}", SF_ERR_RUN, CE_EINVAL},
        {"local co = coroutine.wrap(function() while true do end end) co()", "{}", SF_ERR_RUN,
         CE_EINVAL},
        {"local function f() return 1 + f() end return f()", "{}", SF_ERR_RUN, CE_EINVAL},
        {"local s = 'x' for i = 1, 40 do s = s .. s end return true", "{}", SF_ERR_RUN, CE_ETOOBIG},
        {"local t = {} for i = 1, 1e8 do t[i] = i end return true", "{}", SF_ERR_RUN, CE_ETOOBIG},
        {"local n = 0 for i = 1, 1e9 do n = n + 1 end return true", "{}", SF_ERR_RUN, CE_EINVAL},
        {"return #string.rep('x', 1e9) > 0", "{}", SF_ERR_RUN, CE_ETOOBIG},
        /* precompiled bytecode is refused */
        {"\x1bLJ\x02\x00", "{}", SF_ERR_COMPILE, CE_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sf_run(&cases[i]);
    }
}

/* One handle, several events: the globals a script sets, the event it changed and a failed run
 * leave nothing behind; the memory of a huge run is given back. */
static void test_runs_are_independent(void **state)
{
    (void)state;
    struct ce_lua *l = NULL;
    char err[256];
    const char *script = "seen = (seen or 0) + 1\n"
                         "if event.boom then error('boom') end\n"
                         "if event.big then local s = string.rep('x', 24 * 1024 * 1024) end\n"
                         "local first = event.x == 1 and event.y == nil\n"
                         "event.y = 2\n"
                         "string_upper = string.upper\n"
                         "return seen == 1 and first";
    assert_int_equal(ce_lua_compile(script, NULL, &l, err, sizeof err), CE_OK);
    static const char *const datas[] = {"{\"x\":1}",
                                        "{\"x\":1,\"boom\":true}",
                                        "{\"x\":1}",
                                        "{\"x\":1,\"big\":true}",
                                        "{\"x\":1,\"big\":true}",
                                        "{\"x\":1}"};
    for (size_t i = 0; i < sizeof datas / sizeof datas[0]; i++) {
        bool pass = false;
        int rc = ce_lua_filter(l, datas[i], strlen(datas[i]), &pass, err, sizeof err);
        if (strstr(datas[i], "boom") != NULL) {
            assert_int_equal(rc, CE_EINVAL);
            assert_non_null(strstr(err, "boom"));
            continue;
        }
        if (rc != CE_OK) {
            fail_msg("run %zu: %s", i, err);
        }
        assert_true(pass);
    }
    ce_lua_destroy(l);
}

static void test_limits(void **state)
{
    (void)state;
    struct ce_lua *l = NULL;
    char err[256];
    size_t n = CE_LUA_MAX_SCRIPT + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[n] = '\0';
    assert_int_equal(ce_lua_compile(big, NULL, &l, err, sizeof err), CE_ETOOBIG);
    assert_null(l);
    big[n - 1] = '\0';
    assert_int_equal(ce_lua_compile(big, NULL, &l, err, sizeof err), CE_OK);
    ce_lua_destroy(l);
    free(big);

    /* data nested deeper than the cap */
    assert_int_equal(ce_lua_compile("return true", NULL, &l, err, sizeof err), CE_OK);
    char deep[2 * SF_DEEP + 8];
    size_t k = 0;
    for (int i = 0; i < SF_DEEP; i++) {
        deep[k++] = '[';
    }
    for (int i = 0; i < SF_DEEP; i++) {
        deep[k++] = ']';
    }
    deep[k] = '\0';
    char *obj = malloc(k + 8);
    assert_non_null(obj);
    memcpy(obj, "{\"a\":", 5);
    memcpy(obj + 5, deep, k);
    memcpy(obj + 5 + k, "}", 2);
    bool pass = true;
    assert_int_equal(ce_lua_filter(l, obj, strlen(obj), &pass, err, sizeof err), CE_ETOOBIG);
    free(obj);
    ce_lua_destroy(l);
}

struct sf_thread {
    struct ce_lua *l;
    int ok;
};

static void *sf_worker(void *arg)
{
    struct sf_thread *t = arg;
    char err[256];
    for (int i = 0; i < 200; i++) {
        char data[64];
        snprintf(data, sizeof data, "{\"n\":%d}", i);
        bool pass = false;
        if (ce_lua_filter(t->l, data, strlen(data), &pass, err, sizeof err) == CE_OK &&
            pass == (i % 2 == 0)) {
            t->ok++;
        }
    }
    return NULL;
}

static void test_shared_between_threads(void **state)
{
    (void)state;
    struct ce_lua *l = NULL;
    char err[256];
    assert_int_equal(ce_lua_compile("x = event.n return x % 2 == 0", NULL, &l, err, sizeof err),
                     CE_OK);
    pthread_t th[4];
    struct sf_thread ts[4];
    for (int i = 0; i < 4; i++) {
        ts[i] = (struct sf_thread){l, 0};
        assert_int_equal(pthread_create(&th[i], NULL, sf_worker, &ts[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ts[i].ok, 200);
    }
    ce_lua_destroy(l);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argo_cases),
        cmocka_unit_test(test_return_values),
        cmocka_unit_test(test_event_conversion),
        cmocka_unit_test(test_sandbox),
        cmocka_unit_test(test_runs_are_independent),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_shared_between_threads),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
