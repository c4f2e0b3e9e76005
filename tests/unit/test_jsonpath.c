/* SPDX-License-Identifier: Apache-2.0 */
/* core/jsonpath: the queries of the reference library's documentation (the classic store/book
 * document) and of its consensus test tables, with its result shapes (single value vs list),
 * its error texts and its filter-language quirks; plus the caps. */
#include "core/json/jsonpath.h"

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

static const char store[] =
    "{\"store\":{\"book\":["
    "{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"title\":\"Sayings of the "
    "Century\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"title\":\"Sword of "
    "Honour\",\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"title\":\"Moby "
    "Dick\",\"isbn\":\"0-553-21311-3\",\"price\":8.99},"
    "{\"category\":\"fiction\",\"author\":\"J. R. R. Tolkien\",\"title\":\"The Lord of the "
    "Rings\",\"isbn\":\"0-395-19395-8\",\"price\":22.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},\"expensive\":10}";

struct qcase {
    const char *path;
    const char *doc;  /* NULL: the store document */
    const char *want; /* JSON of the result, or NULL when an error is expected */
    const char *err;  /* expected error text (exact) */
    int rc;
};

/* Numbers compare by value: documents decode as Go's float64, .length gives an int64. */
static int same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b)) {
        return 0;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) {
            return 0;
        }
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (!same(json_array_get(a, i), json_array_get(b, i))) {
                return 0;
            }
        }
        return 1;
    }
    if (json_is_object(a)) {
        const char *k;
        json_t *v;
        if (json_object_size(a) != json_object_size(b)) {
            return 0;
        }
        json_object_foreach((json_t *)a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (w == NULL || !same(v, w)) {
                return 0;
            }
        }
        return 1;
    }
    return json_equal(a, b);
}

static void run(const struct qcase *c)
{
    json_t *doc =
        json_loads(c->doc ? c->doc : store, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
    assert_non_null(doc);
    json_t *out = NULL;
    char err[512] = "";
    int rc = ce_jsonpath_query(c->path, doc, &out, err, sizeof err);
    if (c->want == NULL) {
        if (rc == CE_OK || strcmp(err, c->err) != 0) {
            fprintf(stderr, "path %s: rc %d err '%s', want '%s'\n", c->path, rc, err, c->err);
        }
        assert_int_equal(rc, c->rc);
        assert_string_equal(err, c->err);
        assert_null(out);
    }
    else {
        if (rc != CE_OK) {
            fprintf(stderr, "path %s: %s\n", c->path, err);
        }
        assert_int_equal(rc, CE_OK);
        json_t *want = json_loads(c->want, JSON_DECODE_ANY, NULL);
        assert_non_null(want);
        if (!same(out, want)) {
            char *got = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
            fprintf(stderr, "path %s: got %s want %s\n", c->path, got, c->want);
            free(got);
        }
        assert_true(same(out, want));
        json_decref(want);
        json_decref(out);
    }
    json_decref(doc);
}

static void run_all(const struct qcase *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        run(&cs[i]);
    }
}

#define RUN(cases) run_all(cases, sizeof cases / sizeof cases[0])

/* The documentation's store/book examples. */
static void test_store(void **state)
{
    (void)state;
    static const struct qcase cases[] = {
        {"$.store.book[*].author", NULL,
         "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]", NULL, 0},
        {"$..author", NULL,
         "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\",\"J. R. R. Tolkien\"]", NULL, 0},
        {"$.store..price", NULL, "[19.95,8.95,12.99,8.99,22.99]", NULL, 0},
        {"$..book[2].title", NULL, "[\"Moby Dick\"]", NULL, 0},
        {"$.store.book[2].title", NULL, "\"Moby Dick\"", NULL, 0},
        {"$.store.book[-1].title", NULL, "\"The Lord of the Rings\"", NULL, 0},
        {"$..book[-1:].title", NULL, "[\"The Lord of the Rings\"]", NULL, 0},
        {"$..book[0,1].title", NULL, "[\"Sayings of the Century\",\"Sword of Honour\"]", NULL, 0},
        {"$..book[:2].price", NULL, "[8.95,12.99]", NULL, 0},
        {"$..book[?(@.isbn)].title", NULL, "[\"Moby Dick\",\"The Lord of the Rings\"]", NULL, 0},
        {"$..book[?(@.price<10)].title", NULL, "[\"Sayings of the Century\",\"Moby Dick\"]", NULL,
         0},
        {"$..book[?(@.price<$.expensive)].price", NULL, "[8.95,8.99]", NULL, 0},
        {"$.store.book.length", NULL, "4", NULL, 0},
        {"$.store.book[(@.length-1)].title", NULL, "\"The Lord of the Rings\"", NULL, 0},
        {"$.store.book[1:3].title", NULL, "[\"Sword of Honour\",\"Moby Dick\"]", NULL, 0},
        {"$.store.book[0:4:2].price", NULL, "[8.95,8.99]", NULL, 0},
        {"$.store.book[::-1].price", NULL, "[22.99,8.99,12.99,8.95]", NULL, 0},
        {"$.store['bicycle'].color", NULL, "\"red\"", NULL, 0},
        {"$.store[\"bicycle\"]['color']", NULL, "\"red\"", NULL, 0},
        {"$.store.book[?(@.category=='fiction' && @.price > 20)].title", NULL,
         "[\"The Lord of the Rings\"]", NULL, 0},
        {"$.store.book[?(@.author =~ 'Tolkien')].price", NULL, "[22.99]", NULL, 0},
        {"$.store.bicycle.*", NULL, "[\"red\",19.95]", NULL, 0},
        {"$.expensive", NULL, "10", NULL, 0},
        {"$.store.book[0]['category','price']", NULL, "[\"reference\",8.95]", NULL, 0},
    };
    RUN(cases);
}

/* Errors: a missing key, an index out of range, a step on the wrong type, bad selectors. */
static void test_errors(void **state)
{
    (void)state;
    static const struct qcase cases[] = {
        {"$.store.missing", NULL, NULL, "key: invalid token key 'missing' not found", CE_EINVAL},
        {"$.store.book[9]", NULL, NULL, "index: invalid token out of range", CE_EINVAL},
        {"$.store.book.title", NULL, NULL, "key: invalid token target. expected [map] got [slice]",
         CE_EINVAL},
        {"$.store[0]", NULL, NULL, "index: invalid token target. expected [array slice] got [map]",
         CE_EINVAL},
        {"$.store[1:2]", NULL, NULL,
         "range: invalid token target. expected [array slice] got [map]", CE_EINVAL},
        {"$.store.book[0:3:0]", NULL, NULL, "range: invalid token out of range", CE_EINVAL},
        {"$.expensive.length", NULL, NULL,
         "length: invalid token target. expected [array map slice string] got [float64]",
         CE_EINVAL},
        {"$.expensive[*]", NULL, NULL,
         "wildcard: invalid token target. expected [array map slice] got [float64]", CE_EINVAL},
        {"$[?()]", "[1, {\"key\": 42}, \"value\", null]", NULL, "invalid expression. is empty",
         CE_EINVAL},
        {"store", NULL, NULL, "invalid JSONPath selector 'store' unexpected token 's' at index 0",
         CE_EPARSE},
        {"", NULL, NULL, "invalid JSONPath selector '' unexpected token '' at index 0", CE_EPARSE},
        {"$a", NULL, NULL, "invalid JSONPath selector '$a' unexpected token 'a' at index 1",
         CE_EPARSE},
        {"$(key,more)", NULL, NULL,
         "invalid JSONPath selector '$(key,more)' unexpected token '(' at index 1", CE_EPARSE},
        {"$.", NULL, NULL, "invalid JSONPath selector '$.' invalid token. token string is empty",
         CE_EPARSE},
        {"$[]", NULL, NULL,
         "invalid JSONPath selector '$[]' invalid token. '[]' does not match any token format",
         CE_EPARSE},
        {"$[key]", NULL, NULL,
         "invalid JSONPath selector '$[key]' invalid token. '[key]' does not match any token "
         "format",
         CE_EPARSE},
        {"$[1:3,4]", NULL, NULL,
         "invalid JSONPath selector '$[1:3,4]' invalid token. '[1:3,4]' does not match any token "
         "format",
         CE_EPARSE},
        {"$[*,1]", NULL, NULL,
         "invalid JSONPath selector '$[*,1]' invalid token. '[*,1]' does not match any token "
         "format",
         CE_EPARSE},
        {"$['single'quote']", NULL, NULL,
         "invalid JSONPath selector '$['single'quote']' invalid token. '['single'quote']' does "
         "not match any token format",
         CE_EPARSE},
        {"$[?@.key==42]", NULL, NULL,
         "invalid JSONPath selector '$[?@.key==42]' invalid token. '[?@.key==42]' does not match "
         "any token format",
         CE_EPARSE},
        /* the engine finds the operator `in` inside "info" and then rejects "@." */
        {"$[?(@.info)]", NULL, NULL,
         "invalid JSONPath selector '$[?(@.info)]' invalid token. token string is empty",
         CE_EPARSE},
        /* integer % 0 is a Go runtime panic: not swallowed by the filter */
        {"$[?(@.a % 0 == 1)]", "[{\"a\":5}]", NULL, "runtime error: integer divide by zero",
         CE_EINVAL},
    };
    RUN(cases);
}

/* The consensus tables of the library's tests (results as the library gives them). */
static void test_consensus(void **state)
{
    (void)state;
    static const char keys[] =
        "[ {\"key\": 0}, {\"key\": 42}, {\"key\": -1}, {\"key\": 41}, {\"key\": 43}, "
        "{\"key\": 42.0001}, {\"key\": 41.9999}, {\"key\": 100}, {\"key\": \"43\"}, "
        "{\"key\": \"42\"}, {\"key\": \"41\"}, {\"key\": \"value\"}, {\"some\": \"value\"} ]";
    static const char truthy[] =
        "[ { \"some\": \"some value\" }, { \"key\": true }, { \"key\": false }, "
        "{ \"key\": null }, { \"key\": \"value\" }, { \"key\": \"\" }, { \"key\": 0 }, "
        "{ \"key\": 1 }, { \"key\": -1 }, { \"key\": 42 }, { \"key\": {} }, { \"key\": [] } ]";
    static const char five[] = "[\"first\", \"second\", \"third\", \"forth\", \"fifth\"]";
    static const struct qcase cases[] = {
        {"$[1:3]", five, "[\"second\",\"third\"]", NULL, 0},
        {"$[7:10]", "[\"first\", \"second\", \"third\"]", "[]", NULL, 0},
        {"$[2:113667776004]", five, "[\"third\",\"forth\",\"fifth\"]", NULL, 0},
        {"$[-4:-3]", "[2, \"a\", 4, 5, 100, \"nice\"]", "[4]", NULL, 0},
        {"$[0:3:-2]", five, "[\"third\",\"first\"]", NULL, 0},
        {"$[::-2]", five, "[\"fifth\",\"third\",\"first\"]", NULL, 0},
        {"$[3::-1]", five, "[\"fifth\",\"forth\"]", NULL, 0},
        {"$[010:024:010]", "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25]",
         "[10,20]", NULL, 0},
        {"$[-1]", "[\"first\", \"second\", \"third\"]", "\"third\"", NULL, 0},
        {"$.*[1]", "[[1], [2,3]]", "[3]", NULL, 0},
        {"$[*]", "[ 40, null, 42 ]", "[40,null,42]", NULL, 0},
        {"$['two.some']", "{\"two\": {\"some\": \"more\"}, \"two.some\": \"42\"}", "\"42\"", NULL,
         0},
        {"$['\\'']", "{\"'\":\"value\"}", "\"value\"", NULL, 0},
        {"$[ 'a' ]", "{\" a\": 1, \"a\": 2, \" a \": 3}", "2", NULL, 0},
        {"$[0:2][*]", "[[1, 2], [\"a\", \"b\"], [0, 0]]", "[[1,2],[\"a\",\"b\"]]", NULL, 0},
        {"$[:]['c','d']",
         "[{\"c\":\"cc1\",\"d\":\"dd1\",\"e\":\"ee1\"},{\"c\":\"cc2\",\"d\":\"dd2\",\"e\":\"ee2\"}"
         "]",
         "[[\"cc1\",\"dd1\"],[\"cc2\",\"dd2\"]]", NULL, 0},
        {"$['missing','key']", "{ \"key\": \"value\", \"another\": \"entry\" }", "[\"value\"]",
         NULL, 0},
        {"$[4,1]", "[1,2,3,4,5]", "[5,2]", NULL, 0},
        {"$..[0]",
         "[ \"first\", { \"key\": [ \"first nested\", { \"more\": [ { \"nested\": [\"deepest\", "
         "\"second\"] }, [\"more\", \"values\"] ] } ] } ]",
         "[\"first\",\"first nested\",{\"nested\":[\"deepest\",\"second\"]},\"deepest\",\"more\"]",
         NULL, 0},
        {"$..*",
         "{ \"key\": \"value\", \"another key\": { \"complex\": \"string\", "
         "\"primitives\": [0, 1] } }",
         "[{\"complex\":\"string\",\"primitives\":[0,1]},\"value\",\"string\",[0,1],0,1]", NULL, 0},
        {"$..*", "42", "[]", NULL, 0},
        {"$.length", "[4, 5, 6]", "3", NULL, 0},
        {"$.length", "{ \"length\": \"value\" }", "\"value\"", NULL, 0},
        {"$[?(@.key>42)]", keys, "[{\"key\":43},{\"key\":42.0001},{\"key\":100}]", NULL, 0},
        {"$[?(@.key<=42)]", keys,
         "[{\"key\":0},{\"key\":42},{\"key\":-1},{\"key\":41},{\"key\":41.9999}]", NULL, 0},
        {"$[?(!(@.key<42))]", keys, "[{\"key\":42},{\"key\":43},{\"key\":42.0001},{\"key\":100}]",
         NULL, 0},
        {"$[?(!@.key)]", truthy, "[{\"key\":false},{\"key\":null},{\"key\":0}]", NULL, 0},
        {"$[?(@.key)]", truthy,
         "[{\"key\":true},{\"key\":\"value\"},{\"key\":1},{\"key\":-1},{\"key\":42}]", NULL, 0},
        {"$[?(@.key==null)]", truthy, "[{\"key\":null}]", NULL, 0},
        {"$[?(@.key==false)]", truthy, "[{\"key\":false}]", NULL, 0},
        /* non-numbers make `>` fail, which drops the item whatever `|| true` says */
        {"$[?(@.key>0 || true)]", truthy, "[{\"key\":0},{\"key\":1},{\"key\":-1},{\"key\":42}]",
         NULL, 0},
        {"$[?(@)]", "[ \"some value\", null, \"value\", 0, 1, -1, \"\", [], {}, false, true ]",
         "[\"some value\",\"value\",1,-1,true]", NULL, 0},
        {"$[?(@.d in [2, 3])]", "[{\"d\": 1}, {\"d\": 2}, {\"d\": 1}, {\"d\": 3}, {\"d\": 4}]",
         "[{\"d\":2},{\"d\":3}]", NULL, 0},
        {"$[?(2 in @.d)]", "[{\"d\": [1, 2, 3]}, {\"d\": [2]}, {\"d\": [1]}, {\"d\": [3, 4]}]",
         "[{\"d\":[1,2,3]},{\"d\":[2]}]", NULL, 0},
        {"$[?(@.d==[\"v1\",\"v2\"])]", "[ { \"d\": [ \"v1\", \"v2\" ] }, { \"d\": \"v1\" } ]",
         "[{\"d\":[\"v1\",\"v2\"]}]", NULL, 0},
        {"$[?(@.a && (@.b || @.c))]",
         "[ { \"a\": true }, { \"a\": true, \"b\": true }, { \"a\": true, \"b\": true, \"c\": "
         "true }, { \"b\": true, \"c\": true } ]",
         "[{\"a\":true,\"b\":true,\"c\":true}]", NULL, 0},
        {"$[?((@.key<44)==false)]", "[{\"key\": 42}, {\"key\": 43}, {\"key\": 44}]",
         "[{\"key\":44}]", NULL, 0},
        {"$[?(@.key-50==-100)]", "[{\"key\": 60}, {\"key\": 50}, {\"key\": -50}]",
         "[{\"key\":-50}]", NULL, 0},
        {"$[?(@.key+50==100)]", "[{\"key\": 60}, {\"key\": 50}, {\"key+50\": 100}]",
         "[{\"key\":50}]", NULL, 0},
        {"$[?(@.key-dash == 'value')]", "[ { \"key-dash\": \"value\" } ]", "[]", NULL, 0},
        {"$[?(@.key==\"value\")]", "[ {\"key\": \"some\"}, {\"key\": \"value\"}, {\"key\": 0} ]",
         "[{\"key\":\"value\"}]", NULL, 0},
        {"$[?(@.key1==@.key2)]",
         "[ {\"key1\": 10, \"key2\": 10}, {\"key1\": 42, \"key2\": 50}, {\"key1\": 10}, "
         "{\"key1\": {\"a\": 1, \"b\": 2}, \"key2\": {\"b\": 2, \"a\": 1}} ]",
         "[{\"key1\":10,\"key2\":10},{\"key1\":{\"a\":1,\"b\":2},\"key2\":{\"b\":2,\"a\":1}}]",
         NULL, 0},
        {"$.items[?(@.key==$.value)]",
         "{\"value\": 42, \"items\": [{\"key\": 10}, {\"key\": 42}, {\"key\": 50}]}",
         "[{\"key\":42}]", NULL, 0},
        {"$[?(@.key==42)]", "{ \"a\": {\"key\": 0}, \"b\": {\"key\": 42} }", "[{\"key\":42}]", NULL,
         0},
        {"$[?(@.id==2)]", "{\"id\": 2}", "[]", NULL, 0},
        {"$[?(@..child)]", "[{\"key\": [{\"child\": 1}, {\"child\": 2}]}, {\"key\": [{}]}, {}]",
         "[{\"key\":[{\"child\":1},{\"child\":2}]}]", NULL, 0},
        {"$[?(@.name=~'hello.*')].name", "[ {\"name\": \"hullo world\"}, {\"name\": \"hello\"} ]",
         "[\"hello\"]", NULL, 0},
        {"$[?(@.key==42)][0]", "[{\"key\": 1}, {\"key\": 42}]", "{\"key\":42}", NULL, 0},
        {"$[(@.length-1)]", five, "\"fifth\"", NULL, 0},
        {"@.a", "{\"a\": 1}", "1", NULL, 0},
        {"$", "false", "false", NULL, 0},
    };
    RUN(cases);
}

static void test_caps(void **state)
{
    (void)state;
    json_t *doc = json_loads(store, JSON_DECODE_INT_AS_REAL, NULL);
    json_t *out = NULL;
    char err[256];
    /* path length */
    char *longp = malloc(CE_JSONPATH_PATH_MAX + 10);
    longp[0] = '$';
    memset(longp + 1, 'a', CE_JSONPATH_PATH_MAX + 5);
    longp[1] = '.';
    longp[CE_JSONPATH_PATH_MAX + 6] = '\0';
    assert_int_equal(ce_jsonpath_query(longp, doc, &out, err, sizeof err), CE_ETOOBIG);
    /* token count */
    size_t n = 0;
    longp[n++] = '$';
    for (int i = 0; i < CE_JSONPATH_TOKENS_MAX + 1; i++) {
        longp[n++] = '.';
        longp[n++] = 'a';
    }
    longp[n] = '\0';
    assert_int_equal(ce_jsonpath_query(longp, doc, &out, err, sizeof err), CE_ETOOBIG);
    free(longp);
    json_decref(doc);
    /* document depth under recursive descent */
    json_t *deep = json_array();
    for (int i = 0; i < CE_JSONPATH_DOC_DEPTH_MAX + 5; i++) {
        json_t *outer = json_array();
        json_array_append_new(outer, deep);
        deep = outer;
    }
    assert_int_equal(ce_jsonpath_query("$..*", deep, &out, err, sizeof err), CE_ETOOBIG);
    assert_null(out);
    json_decref(deep);
    /* result count */
    json_t *big = json_array();
    for (int i = 0; i < CE_JSONPATH_RESULTS_MAX + 1; i++) {
        json_array_append_new(big, json_real(i));
    }
    assert_int_equal(ce_jsonpath_query("$[*]", big, &out, err, sizeof err), CE_ETOOBIG);
    assert_int_equal(ce_jsonpath_query("$[1:]", big, &out, err, sizeof err), CE_OK);
    assert_int_equal(json_array_size(out), CE_JSONPATH_RESULTS_MAX);
    json_decref(out);
    json_decref(big);
    /* exponential splitting work in a filter is refused, not run */
    char fil[4200] = "$[?(";
    for (int i = 0; i < 400; i++) {
        strcat(fil, i % 2 ? "x$" : "x@");
    }
    strcat(fil, ")]");
    json_t *arr = json_loads("[1]", 0, NULL);
    assert_int_equal(ce_jsonpath_query(fil, arr, &out, err, sizeof err), CE_ETOOBIG);
    json_decref(arr);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_consensus),
        cmocka_unit_test(test_caps),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
