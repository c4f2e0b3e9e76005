/* SPDX-License-Identifier: Apache-2.0 */
/* core/sjson: setting values at paths inside raw JSON text. Expected outputs follow the setter's
 * documented examples and upstream test tables, byte for byte: a new object member goes last,
 * untouched text keeps its spacing, arrays grown past their end are re-listed compactly and
 * padded with null. */
#include "core/json/sjson.h"

#include "core/base/buf.h"
#include "core/json/gjson.h"
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

struct set_case {
    const char *json;
    const char *path;
    bool raw; /* set_raw, else set_string */
    const char *value;
    const char *want;
};

static void run_sets(const struct set_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct set_case *c = &cases[i];
        char *out = NULL;
        size_t out_len = 0;
        char err[256] = "";
        int rc = c->raw ? ce_sj_set_raw(c->json, strlen(c->json), c->path, c->value,
                                        strlen(c->value), &out, &out_len, err, sizeof err)
                        : ce_sj_set_string(c->json, strlen(c->json), c->path, c->value,
                                           strlen(c->value), &out, &out_len, err, sizeof err);
        if (rc != CE_OK || strcmp(out, c->want) != 0 || strlen(out) != out_len) {
            print_error("set %s on %s: rc=%d out=[%s] want [%s] %s\n", c->path, c->json, rc,
                        out ? out : "(null)", c->want, err);
            fail();
        }
        ce_free(out);
    }
}

static void test_docs_examples(void **state)
{
    (void)state;
    const struct set_case cases[] = {
        {"{\"name\":{\"first\":\"Janet\",\"last\":\"Prichard\"},\"age\":47}", "name.last", false,
         "Anderson", "{\"name\":{\"first\":\"Janet\",\"last\":\"Anderson\"},\"age\":47}"},
        {"", "name", false, "Tom", "{\"name\":\"Tom\"}"},
        {"", "name.last", false, "Anderson", "{\"name\":{\"last\":\"Anderson\"}}"},
        /* new members go last (the setter appends before the closing brace) */
        {"{\"name\":{\"last\":\"Anderson\"}}", "name.first", false, "Sara",
         "{\"name\":{\"last\":\"Anderson\",\"first\":\"Sara\"}}"},
        {"{\"name\":{\"last\":\"Anderson\"}}", "name.last", false, "Smith",
         "{\"name\":{\"last\":\"Smith\"}}"},
        {"{\"friends\":[\"Andy\",\"Carol\"]}", "friends.2", false, "Sara",
         "{\"friends\":[\"Andy\",\"Carol\",\"Sara\"]}"},
        {"{\"friends\":[\"Andy\",\"Carol\"]}", "friends.-1", false, "Sara",
         "{\"friends\":[\"Andy\",\"Carol\",\"Sara\"]}"},
        {"{\"friends\":[\"Andy\",\"Carol\"]}", "friends.4", false, "Sara",
         "{\"friends\":[\"Andy\",\"Carol\",null,null,\"Sara\"]}"},
        {"{\"key\":true}", "key", true, "null", "{\"key\":null}"},
        {"{\"key\":true}", "key", true, "10.5", "{\"key\":10.5}"},
        {"{\"key\":true}", "key", false, "hello", "{\"key\":\"hello\"}"},
        {"{\"key\":true}", "key", true, "{\"hello\":\"world\"}", "{\"key\":{\"hello\":\"world\"}}"},
    };
    run_sets(cases, sizeof cases / sizeof cases[0]);
}

static void test_upstream_table(void **state)
{
    (void)state;
    const struct set_case cases[] = {
        {"[{\"hi\":\"world\"}]", "0.hiw", true, "\"planet\"",
         "[{\"hi\":\"world\",\"hiw\":\"planet\"}]"},
        {"", "0", true, "true", "[true]"},
        {"", "1", true, "true", "[null,true]"},
        {"[1]", "2", true, "true", "[1,null,true]"},
        {"[1,null,false]", "1", true, "true", "[1,true,false]"},
        {"[1,{\"hello\":\"when\",\"this\":[0,1,2]},false]", "1.this.1", true, "null",
         "[1,{\"hello\":\"when\",\"this\":[0,null,2]},false]"},
        {"{\"a\":1,\"b\":{\"hello\":\"when\",\"this\":[0,null,2]},\"c\":false}", "b.this.4", true,
         "4", "{\"a\":1,\"b\":{\"hello\":\"when\",\"this\":[0,null,2,null,4]},\"c\":false}"},
        {"", "b.this.4", true, "4", "{\"b\":{\"this\":[null,null,null,null,4]}}"},
        {"", "1.this.4", true, "4", "[null,{\"this\":[null,null,null,null,4]}]"},
        {"", ":1.this.4", true, "4", "{\"1\":{\"this\":[null,null,null,null,4]}}"},
        {"", "\\:1.this.4", true, "4", "{\":1\":{\"this\":[null,null,null,null,4]}}"},
        {"", "\\:\\\\1.this.4.\\.HI", true, "4",
         "{\":\\\\1\":{\"this\":[null,null,null,null,{\".HI\":4}]}}"},
        {"{\"app.token\":\"abc\"}", "app\\.token", true, "\"cde\"", "{\"app.token\":\"cde\"}"},
        {"", "b.this.\xf0\x9f\x98\x87", true, "\"\"",
         "{\"b\":{\"this\":{\"\xf0\x9f\x98\x87\":\"\"}}}"},
        {"  [ 1,2  ] ", "-1", true, "3", "[ 1,2  ,3]"},
        {"", "0", true, "1234", "[1234]"},
        {"", "0", false, "1234.5", "[\"1234.5\"]"},
        {"", "arr.-1", true, "1", "{\"arr\":[1]}"},
        {"", "a", false, "\\", "{\"a\":\"\\\\\"}"},
        {"", "a", false, "C:\\Windows\\System32", "{\"a\":\"C:\\\\Windows\\\\System32\"}"},
    };
    run_sets(cases, sizeof cases / sizeof cases[0]);
}

/* Formatting outside the replaced value is kept; containers that grow keep their prefix. */
static void test_preserves_bytes(void **state)
{
    (void)state;
    const struct set_case cases[] = {
        {"{\n  \"a\" : 1,\n  \"b\": [1, 2]\n}\n", "a", true, "{\"x\":1}",
         "{\n  \"a\" : {\"x\":1},\n  \"b\": [1, 2]\n}\n"},
        {"{\n  \"a\" : 1,\n  \"b\": [1, 2]\n}\n", "b.1", false, "two",
         "{\n  \"a\" : 1,\n  \"b\": [1, \"two\"]\n}\n"},
        {"{\n  \"a\" : 1,\n  \"b\": [1, 2]\n}\n", "c", true, "3",
         "{\n  \"a\" : 1,\n  \"b\": [1, 2]\n,\"c\":3}"},
        {"{\n  \"a\" : 1,\n  \"b\": [1, 2]\n}\n", "b.3", true, "3",
         "{\n  \"a\" : 1,\n  \"b\": [1,2,null,3]\n}\n"},
        {"{\"a\":{}}", "a.b.c", true, "1", "{\"a\":{\"b\":{\"c\":1}}}"},
        {"{\"a\":[]}", "a.2", true, "1", "{\"a\":[null,null,1]}"},
        {"{\"a\":[]}", "a.-1", true, "1", "{\"a\":[1]}"},
        {"{\"a\":\"str\"}", "a.b", true, "1", "{\"a\":{\"b\":1}}"},
        {"{\"a\":\"str\"}", "a.0", true, "1", "{\"a\":[1]}"},
        {"{\"a\":1}", "b.0.c", true, "1", "{\"a\":1,\"b\":[{\"c\":1}]}"},
        {"{\"a\":1}", "b.-1.c", true, "1", "{\"a\":1,\"b\":[{\"c\":1}]}"},
        {"{\"a\":1}", "b.:0", true, "1", "{\"a\":1,\"b\":{\"0\":1}}"},
        {"{\"a\":1}", "a.", true, "2", "{\"a\":[2]}"},
        {"[1,2]", ":0", true, "9", "[9,2]"},
        {"{\"a\":[1,2,3]}", "a.#(==2)", true, "9", "{\"a\":[1,9,3]}"},
        {"{\"a\":[1,2,3]}", "a.#(==7)", true, "9", "{\"a\":[1,2,3]}"},
        /* a piped result has no position in the document: nothing is set */
        {"{\"a\":{\"b\":1}}", "a|b", true, "9", "{\"a\":{\"b\":1}}"},
        {"{\"ab\":1}", "a*", true, "9", "{\"ab\":9}"},
        {"{\"a\":{\"b\":1}}", "x.@this", true, "9", "{\"a\":{\"b\":1}}"},
        {"{\"a\\\"b\":1}", "a\"b", true, "2", "{\"a\\\"b\":2}"},
        {"{\"a\":1}", "a\"b", true, "2", "{\"a\":1,\"a\\\"b\":2}"},
    };
    run_sets(cases, sizeof cases / sizeof cases[0]);
}

/* String values: plain printable ASCII is quoted as is (HTML characters included); anything
 * needing escapes is encoded as Go's encoding/json does, HTML characters escaped too. */
static void test_string_escaping(void **state)
{
    (void)state;
    const struct set_case cases[] = {
        {"{}", "a", false, "<b>&", "{\"a\":\"<b>&\"}"},
        {"{}", "a", false, "<b>\n", "{\"a\":\"\\u003cb\\u003e\\n\"}"},
        {"{}", "a", false, "caf\xc3\xa9 & co", "{\"a\":\"caf\xc3\xa9 \\u0026 co\"}"},
        {"{}", "a", false, "q\"t", "{\"a\":\"q\\\"t\"}"},
        {"{}", "a", false, "\x01\b\f\r\t\x7f", "{\"a\":\"\\u0001\\b\\f\\r\\t\x7f\"}"},
        {"{}", "a", false, "bad\xff", "{\"a\":\"bad\\ufffd\"}"},
        {"{}", "a", false, "ls\xe2\x80\xa8", "{\"a\":\"ls\\u2028\"}"},
        {"{}", "a", false, "{\"x\":1}", "{\"a\":\"{\\\"x\\\":1}\"}"},
        {"{}", "a", false, "", "{\"a\":\"\"}"},
        {"{}", "caf\xc3\xa9", false, "1", "{\"caf\xc3\xa9\":\"1\"}"},
        {"{}", "<k>", false, "1", "{\"<k>\":\"1\"}"},
    };
    run_sets(cases, sizeof cases / sizeof cases[0]);
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_sj_quote(&b, "a\0b", 3), CE_OK);
    assert_memory_equal(b.data, "\"a\\u0000b\"", b.len);
    ce_buf_fini(&b);
}

static void test_errors(void **state)
{
    (void)state;
    char *out = (char *)1;
    size_t len = 7;
    char err[256];
    assert_int_equal(ce_sj_set_raw("{}", 2, "", "1", 1, &out, &len, err, sizeof err), CE_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(ce_sj_set_raw("[1,2]", 5, "a", "1", 1, &out, &len, err, sizeof err),
                     CE_EINVAL);
    assert_non_null(strstr(err, "non-numeric key 'a'"));
    assert_int_equal(ce_sj_set_raw("{\"a\":[]}", 8, "a.b.c", "1", 1, &out, &len, err, sizeof err),
                     CE_EINVAL);
    assert_int_equal(ce_sj_set_raw(NULL, 0, "a", "1", 1, &out, &len, err, sizeof err), CE_EINVAL);
    assert_int_equal(ce_sj_set_raw("{}", 2, "a", NULL, 1, &out, &len, err, sizeof err), CE_EINVAL);
    assert_int_equal(ce_sj_set_raw("[]", 2, "2000000", "1", 1, &out, &len, err, sizeof err),
                     CE_ETOOBIG);
    assert_int_equal(ce_sj_set_raw("{}", 2, "a.99999999", "1", 1, &out, &len, err, sizeof err),
                     CE_ETOOBIG);
    assert_int_equal(ce_sj_set_raw("[]", 2, "1000000", "1", 1, &out, &len, err, sizeof err), CE_OK);
    assert_int_equal(len, 5 * 1000000 + 2 + 1);
    ce_free(out);

    char *path = malloc(CE_SJ_PATH_MAX + 2);
    memset(path, 'a', CE_SJ_PATH_MAX + 1);
    path[CE_SJ_PATH_MAX + 1] = '\0';
    assert_int_equal(ce_sj_set_raw("{}", 2, path, "1", 1, &out, &len, err, sizeof err), CE_EINVAL);
    /* more parts than the depth cap */
    for (size_t i = 0; i < CE_SJ_PATH_MAX; i += 2) {
        path[i] = 'a';
        path[i + 1] = '.';
    }
    path[CE_SJ_PATH_MAX - 1] = 'a';
    path[CE_SJ_PATH_MAX] = '\0';
    assert_int_equal(ce_sj_set_raw("{}", 2, path, "1", 1, &out, &len, err, sizeof err), CE_ETOOBIG);
    free(path);
}

/* Set then look up: the value reads back, and a string reads back unescaped. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *docs[] = {"", "{}", "[]", "{\"a\":{\"b\":[1,{\"c\":2}]}}", "[0,[1,[2]]]"};
    const char *paths[] = {"x", "a.b.1.c", "a.b.5", "0.1.0", "k.-1", "z.:3.y", "a\\.b"};
    const char *values[] = {"plain", "with \"quotes\" and \\", "<html>&", "\xe4\xb8\xad\n"};
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        for (size_t p = 0; p < sizeof paths / sizeof paths[0]; p++) {
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                char *out = NULL;
                size_t len = 0;
                if (ce_sj_set_string(docs[d], strlen(docs[d]), paths[p], values[v],
                                     strlen(values[v]), &out, &len, NULL, 0) != CE_OK) {
                    continue; /* e.g. an object key on an array */
                }
                const char *get = strcmp(paths[p], "k.-1") == 0 ? "k.0" : paths[p];
                if (strcmp(paths[p], "z.:3.y") == 0) {
                    get = "z.3.y";
                }
                struct ce_gj_result r;
                assert_int_equal(ce_gj_get(out, len, get, &r, NULL, 0), CE_OK);
                if (r.type != CE_GJ_STRING || strcmp(r.str, values[v]) != 0) {
                    print_error("%s / %s -> %s\n", docs[d], paths[p], out);
                    fail();
                }
                assert_true(ce_gj_valid(out, len));
                ce_gj_result_fini(&r);
                ce_free(out);
            }
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_examples),   cmocka_unit_test(test_upstream_table),
        cmocka_unit_test(test_preserves_bytes), cmocka_unit_test(test_string_escaping),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_round_trip),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
