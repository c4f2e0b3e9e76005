/* SPDX-License-Identifier: Apache-2.0 */
/* eventsource/webhook_body: query and form decoding, JSON validation and compaction, and the
 * event data bytes, each checked against what Argo Events' Go code writes for the same input. */
#include "eventsource/webhook_body.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define S(lit) lit, sizeof(lit) - 1

struct tb_case {
    const char *in;
    size_t len; /* 0 = strlen(in) */
    int rc;
    const char *out; /* for CE_EPARSE from_query: the pairs that did decode */
};

static void tb_query_case(const struct tb_case *c)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    size_t len = c->len ? c->len : strlen(c->in);
    int rc = ce_webhook_body_from_query(c->in, len, &b);
    if (rc != c->rc || strcmp(b.data ? b.data : "", c->out) != 0) {
        fail_msg("query \"%s\": rc %d, got %s, want rc %d, %s", c->in, rc, b.data, c->rc, c->out);
    }
    ce_buf_fini(&b);
}

static void test_query_decoding(void **state)
{
    (void)state;
    static const struct tb_case cases[] = {
        {"", 0, CE_OK, "{}"},
        {"a=1&b=2&a=3", 0, CE_OK, "{\"a\":[\"1\",\"3\"],\"b\":[\"2\"]}"},
        {"b=2&a=1", 0, CE_OK, "{\"a\":[\"1\"],\"b\":[\"2\"]}"},
        {"B=1&a=2&A=3&_=4", 0, CE_OK, "{\"A\":[\"3\"],\"B\":[\"1\"],\"_\":[\"4\"],\"a\":[\"2\"]}"},
        {"ab=1&a=2&a%00=3", 0, CE_OK, "{\"a\":[\"2\"],\"a\\u0000\":[\"3\"],\"ab\":[\"1\"]}"},
        {"q=hello+world%21", 0, CE_OK, "{\"q\":[\"hello world!\"]}"},
        {"a+b=c%2Bd", 0, CE_OK, "{\"a b\":[\"c+d\"]}"},
        {"a=&b", 0, CE_OK, "{\"a\":[\"\"],\"b\":[\"\"]}"},
        {"&&a=1&&", 0, CE_OK, "{\"a\":[\"1\"]}"},
        {"=v", 0, CE_OK, "{\"\":[\"v\"]}"},
        {"k=a=b", 0, CE_OK, "{\"k\":[\"a=b\"]}"},
        {"%61=1&a=2", 0, CE_OK, "{\"a\":[\"1\",\"2\"]}"},
        {"k=%3Cb%3E%26", 0, CE_OK, "{\"k\":[\"\\u003cb\\u003e\\u0026\"]}"},
        {"k=%FF", 0, CE_OK, "{\"k\":[\"\\ufffd\"]}"},
        {"k=%e2%82%ac", 0, CE_OK, "{\"k\":[\"\xe2\x82\xac\"]}"},
        {"k=%E2%80%A8", 0, CE_OK, "{\"k\":[\"\\u2028\"]}"},
        {"k=%22%5C%0A", 0, CE_OK, "{\"k\":[\"\\\"\\\\\\n\"]}"},
        {"k=a\0b", 5, CE_OK, "{\"k\":[\"a\\u0000b\"]}"},
        {"k=/?:@!$'()*,", 0, CE_OK, "{\"k\":[\"/?:@!$'()*,\"]}"},
        /* Bad pairs are skipped; the rest still comes out. */
        {"a=%zz&b=1", 0, CE_EPARSE, "{\"b\":[\"1\"]}"},
        {"a=%4", 0, CE_EPARSE, "{}"},
        {"x=%", 0, CE_EPARSE, "{}"},
        {"%g1=x&y=%41", 0, CE_EPARSE, "{\"y\":[\"A\"]}"},
        {"a=1;b=2&c=3", 0, CE_EPARSE, "{\"c\":[\"3\"]}"},
        {"a;=1", 0, CE_EPARSE, "{}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tb_query_case(&cases[i]);
    }
}

static void test_query_appends_and_caps(void **state)
{
    (void)state;
    struct ce_buf b;
    ce_buf_init(&b, 16);
    assert_int_equal(ce_buf_puts(&b, "pre:"), CE_OK);
    assert_int_equal(ce_webhook_body_from_query(S("a=1"), &b), CE_OK);
    assert_string_equal(b.data, "pre:{\"a\":[\"1\"]}");
    assert_int_equal(ce_webhook_body_from_query(S("b=2"), &b), CE_ETOOBIG);
    assert_string_equal(b.data, "pre:{\"a\":[\"1\"]}");
    ce_buf_fini(&b);
}

static void tb_json_case(const struct tb_case *c)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_buf_puts(&b, "<"), CE_OK);
    size_t len = c->len ? c->len : strlen(c->in);
    int rc = ce_webhook_body_json_compact(c->in, len, &b);
    const char *want = c->rc == CE_OK ? c->out : "";
    if (rc != c->rc || b.len != strlen(want) + 1 || memcmp(b.data + 1, want, b.len - 1) != 0) {
        fail_msg("json '%s': rc %d, got '%s', want rc %d, '%s'", c->in, rc, b.data + 1, c->rc,
                 want);
    }
    ce_buf_fini(&b);
}

static void test_json_compact_valid(void **state)
{
    (void)state;
    static const struct tb_case cases[] = {
        {" { \"a\" : 1 , \"b\" : [ true , false , null ] } ", 0, CE_OK,
         "{\"a\":1,\"b\":[true,false,null]}"},
        {"\n\t\r null \n", 0, CE_OK, "null"},
        {"{\"message\":\"this is my first webhook\"}", 0, CE_OK,
         "{\"message\":\"this is my first webhook\"}"},
        {"{\"a\" :{ \"b\":{\"c\" :[1 ,{ \"d\":\"e\"} ] } } }", 0, CE_OK,
         "{\"a\":{\"b\":{\"c\":[1,{\"d\":\"e\"}]}}}"},
        {"{\"a b\": \" x \\t \"}", 0, CE_OK, "{\"a b\":\" x \\t \"}"},
        {"[]", 0, CE_OK, "[]"},
        {"[ ]", 0, CE_OK, "[]"},
        {"{ }", 0, CE_OK, "{}"},
        {"[[[ ]],{}]", 0, CE_OK, "[[[]],{}]"},
        {"\"<a&b>\"", 0, CE_OK, "\"\\u003ca\\u0026b\\u003e\""},
        {"{\"<\":\">\"}", 0, CE_OK, "{\"\\u003c\":\"\\u003e\"}"},
        {"\"\xe2\x80\xa8|\xe2\x80\xa9|\xe2\x80\xaa\"", 0, CE_OK,
         "\"\\u2028|\\u2029|\xe2\x80\xaa\""},
        {"\"caf\xc3\xa9 \\u00e9 \\ud800 \\uDFFF \xf0\x9f\x98\x80\"", 0, CE_OK,
         "\"caf\xc3\xa9 \\u00e9 \\ud800 \\uDFFF \xf0\x9f\x98\x80\""},
        {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, CE_OK, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""},
        {"\"\xff\xfe\x80\x7f\"", 0, CE_OK, "\"\xff\xfe\x80\x7f\""}, /* kept, as Go does */
        {"-0", 0, CE_OK, "-0"},
        {"0", 0, CE_OK, "0"},
        {"[0.5e-3, 1E+10 ,123, -12.5E7,0e0]", 0, CE_OK, "[0.5e-3,1E+10,123,-12.5E7,0e0]"},
        {"12345678901234567890123456789", 0, CE_OK, "12345678901234567890123456789"},
        {"true", 0, CE_OK, "true"},
        {"\"\"", 0, CE_OK, "\"\""},
        {"{\"\":\"\"}", 0, CE_OK, "{\"\":\"\"}"},
        {"{\"a\":1,\"a\":2}", 0, CE_OK, "{\"a\":1,\"a\":2}"}, /* duplicates kept */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tb_json_case(&cases[i]);
    }
}

static void test_json_compact_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   \n",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "[01]",
        "-01",
        "1.",
        ".5",
        "1e",
        "1e+",
        "-",
        "+1",
        "0x10",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12g4\"",
        "\"\\U0041\"",
        "\"a\nb\"",
        "\"\t\"",
        "\"abc",
        "\"abc\\\"",
        "[1",
        "[",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{'a':1}",
        "1 2",
        "{} {}",
        "[] x",
        "tru",
        "nul",
        "True",
        "NaN",
        "Infinity",
        "\xef\xbb\xbf{}",
        "{\"a\":1 \"b\":2}",
        "[,1]",
        "{,}",
        "[1 2]",
        "{\"a\":1]",
        "[1}",
        "]",
        "}",
        ",",
        ":",
        "{\"a\"::1}",
        "{\"a\",1}",
        "nulll",
        "[true false]",
        "\"\\",
        "/* c */ 1",
        "1 // c",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tb_case c = {bad[i], 0, CE_EPARSE, ""};
        if (bad[i][0] == '\0') {
            struct ce_buf b;
            ce_buf_init(&b, 0);
            assert_int_equal(ce_webhook_body_json_compact("", 0, &b), CE_EPARSE);
            assert_int_equal(b.len, 0);
            ce_buf_fini(&b);
            continue;
        }
        tb_json_case(&c);
    }
    /* A NUL byte anywhere. */
    struct tb_case nul1 = {"\"a\0b\"", 5, CE_EPARSE, ""};
    struct tb_case nul2 = {"1\0", 2, CE_EPARSE, ""};
    tb_json_case(&nul1);
    tb_json_case(&nul2);
}

static char *tb_nested(int depth, const char *open, const char *close)
{
    size_t ol = strlen(open), cl = strlen(close);
    char *s = ce_xmalloc((size_t)depth * (ol + cl) + 1);
    size_t n = 0;
    for (int i = 0; i < depth; i++, n += ol) {
        memcpy(s + n, open, ol);
    }
    for (int i = 0; i < depth; i++, n += cl) {
        memcpy(s + n, close, cl);
    }
    s[n] = '\0';
    return s;
}

/* Go's scanner allows 10000 levels of nesting and no more. */
static void test_json_depth(void **state)
{
    (void)state;
    struct ce_buf b;
    ce_buf_init(&b, 0);
    char *ok = tb_nested(10000, "[", "]");
    assert_int_equal(ce_webhook_body_json_compact(ok, strlen(ok), &b), CE_OK);
    assert_string_equal(b.data, ok);
    ce_free(ok);
    ce_buf_reset(&b);
    char *deep = tb_nested(10001, "[", "]");
    assert_int_equal(ce_webhook_body_json_compact(deep, strlen(deep), &b), CE_EPARSE);
    assert_int_equal(b.len, 0);
    ce_free(deep);
    /* Objects count the same: {"k":{"k":...1}} */
    for (int depth = 10000; depth <= 10001; depth++) {
        char *objs = tb_nested(depth, "{\"k\": ", "}");
        size_t n = strlen(objs);
        char *full = ce_xasprintf("%.*s1%s", (int)(n - (size_t)depth), objs, objs + n - depth);
        ce_buf_reset(&b);
        assert_int_equal(ce_webhook_body_json_compact(full, strlen(full), &b),
                         depth == 10000 ? CE_OK : CE_EPARSE);
        if (depth == 10000) {
            assert_int_equal(b.len, strlen(full) - (size_t)depth); /* one space less per level */
        }
        ce_free(full);
        ce_free(objs);
    }
    ce_buf_fini(&b);
}

static void test_json_caps(void **state)
{
    (void)state;
    struct ce_buf b;
    ce_buf_init(&b, 8);
    assert_int_equal(ce_buf_puts(&b, "ab"), CE_OK);
    assert_int_equal(ce_webhook_body_json_compact(S("[1, 2, 3, 4, 5]"), &b), CE_ETOOBIG);
    assert_string_equal(b.data, "ab");
    assert_int_equal(ce_webhook_body_json_compact(S(" [1, 2] "), &b), CE_OK);
    assert_string_equal(b.data, "ab[1,2]");
    ce_buf_fini(&b);
}

#define TB_H(n, v)                                                                                 \
    {                                                                                              \
        n, sizeof(n) - 1, v, sizeof(v) - 1                                                         \
    }

static void tb_build_expect(const struct ce_webhook_header *h, int n, const char *body,
                            const struct ce_kv_pair *meta, int n_meta, bool mask, const char *want)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_webhook_data_build(h, n, body, body ? strlen(body) : 0, meta, n_meta, mask, &b);
    assert_int_equal(rc, CE_OK);
    assert_string_equal(b.data, want);
    ce_buf_fini(&b);
}

/* The README's curl request, byte for byte as Argo Events publishes it. */
static void test_data_build_demo(void **state)
{
    (void)state;
    static const char body[] = "{\"message\":\"this is my first webhook\"}";
    const struct ce_webhook_header h[] = {
        TB_H("Host", "localhost:12000"), TB_H("User-Agent", "curl/7.88.1"),
        TB_H("Accept", "*/*"),           TB_H("Content-Type", "application/json"),
        TB_H("Content-Length", "38"),
    };
    tb_build_expect(h, 5, body, NULL, 0, true,
                    "{\"header\":{\"Accept\":[\"*/*\"],\"Content-Length\":[\"38\"],"
                    "\"Content-Type\":[\"application/json\"],\"User-Agent\":[\"curl/7.88.1\"]},"
                    "\"body\":{\"message\":\"this is my first webhook\"}}");
}

static void test_data_build_headers(void **state)
{
    (void)state;
    /* Same canonical name merges in arrival order; Host in any case is left out; names the
     * canonical form does not apply to stay as they are. */
    const struct ce_webhook_header h[] = {
        TB_H("x-b", "1"),    TB_H("accept", "a"), TB_H("HOST", "h"),
        TB_H("ACCEPT", "b"), TB_H("X-B", "2"),    TB_H("x y", "s"),
        TB_H("Accept", "c"), TB_H("x-empty", ""), TB_H("x-html", "<&>\xff"),
    };
    tb_build_expect(h, 9, "1", NULL, 0, true,
                    "{\"header\":{\"Accept\":[\"a\",\"b\",\"c\"],\"X-B\":[\"1\",\"2\"],"
                    "\"X-Empty\":[\"\"],\"X-Html\":[\"\\u003c\\u0026\\u003e\\ufffd\"],"
                    "\"x y\":[\"s\"]},\"body\":1}");
    tb_build_expect(NULL, 0, NULL, NULL, 0, true, "{\"header\":{},\"body\":null}");

    /* Go's server drops Transfer-Encoding (and Content-Length next to it) and adds
     * Cache-Control for a Pragma: no-cache. */
    const struct ce_webhook_header te[] = {TB_H("Transfer-Encoding", "chunked"),
                                           TB_H("Content-Length", "5"), TB_H("Pragma", "no-cache"),
                                           TB_H("Zz", "z")};
    tb_build_expect(te, 4, "{}", NULL, 0, true,
                    "{\"header\":{\"Cache-Control\":[\"no-cache\"],\"Pragma\":[\"no-cache\"],"
                    "\"Zz\":[\"z\"]},\"body\":{}}");
    const struct ce_webhook_header cc[] = {TB_H("Pragma", "no-cache"),
                                           TB_H("cache-control", "max-age=0"),
                                           TB_H("Content-Length", "2")};
    tb_build_expect(cc, 3, "{}", NULL, 0, true,
                    "{\"header\":{\"Cache-Control\":[\"max-age=0\"],\"Content-Length\":[\"2\"],"
                    "\"Pragma\":[\"no-cache\"]},\"body\":{}}");
}

/* Argo sets one masked value when the first Authorization value is not empty. */
static void test_data_build_auth_mask(void **state)
{
    (void)state;
    const struct ce_webhook_header h[] = {TB_H("authorization", "Bearer s3cret"),
                                          TB_H("Accept", "*/*"),
                                          TB_H("AUTHORIZATION", "Basic eA==")};
    tb_build_expect(h, 3, "{}", NULL, 0, true,
                    "{\"header\":{\"Accept\":[\"*/*\"],"
                    "\"Authorization\":[\"*** Masked Auth Secret ***\"]},\"body\":{}}");
    tb_build_expect(h, 3, "{}", NULL, 0, false,
                    "{\"header\":{\"Accept\":[\"*/*\"],"
                    "\"Authorization\":[\"Bearer s3cret\",\"Basic eA==\"]},\"body\":{}}");
    const struct ce_webhook_header empty[] = {TB_H("Authorization", ""),
                                              TB_H("Authorization", "x")};
    tb_build_expect(empty, 2, "{}", NULL, 0, true,
                    "{\"header\":{\"Authorization\":[\"\",\"x\"]},\"body\":{}}");
}

static void test_data_build_metadata(void **state)
{
    (void)state;
    const struct ce_webhook_header h[] = {TB_H("Accept", "*/*")};
    const struct ce_kv_pair meta[] = {
        {"team", "<ops>"}, {"env", "prod"}, {"Zone", "a\"b"}, {"env", "dev"}};
    tb_build_expect(
        h, 1, "[1]", meta, 4, true,
        "{\"header\":{\"Accept\":[\"*/*\"]},\"body\":[1],"
        "\"metadata\":{\"Zone\":\"a\\\"b\",\"env\":\"dev\",\"team\":\"\\u003cops\\u003e\"}}");
    tb_build_expect(h, 1, "[1]", meta, 0, true, "{\"header\":{\"Accept\":[\"*/*\"]},\"body\":[1]}");
}

static void test_data_build_cap(void **state)
{
    (void)state;
    const struct ce_webhook_header h[] = {TB_H("Accept", "*/*")};
    struct ce_buf b;
    ce_buf_init(&b, 40);
    assert_int_equal(ce_buf_puts(&b, "x"), CE_OK);
    assert_int_equal(
        ce_webhook_data_build(h, 1, S("{\"a\":\"bbbbbbbbbbbbbbbbbbb\"}"), NULL, 0, true, &b),
        CE_ETOOBIG);
    assert_string_equal(b.data, "x");
    ce_buf_fini(&b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_decoding),       cmocka_unit_test(test_query_appends_and_caps),
        cmocka_unit_test(test_json_compact_valid),   cmocka_unit_test(test_json_compact_invalid),
        cmocka_unit_test(test_json_depth),           cmocka_unit_test(test_json_caps),
        cmocka_unit_test(test_data_build_demo),      cmocka_unit_test(test_data_build_headers),
        cmocka_unit_test(test_data_build_auth_mask), cmocka_unit_test(test_data_build_metadata),
        cmocka_unit_test(test_data_build_cap),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
