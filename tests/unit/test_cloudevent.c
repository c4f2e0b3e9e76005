/* SPDX-License-Identifier: Apache-2.0 */
/* eventbus/cloudevent: byte-exact encoding in the layout Argo's Go SDK writes (attribute order,
 * escaping, data vs data_base64), decoding that keeps the data bytes as they were on the wire,
 * clear errors for malformed events, ids and RFC3339Nano times. */
#include "eventbus/cloudevent.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define TC_DATA                                                                                    \
    "{\"header\":{\"Content-Type\":[\"application/json\"]},\"body\":{\"message\":\"hi\"}}"
#define TC_ID "4f3a0c8e2b1d4e6f8a9b0c1d2e3f4a5b"
#define TC_TIME "2024-05-01T12:34:56.123456789Z"
#define TC_HEAD                                                                                    \
    "{\"specversion\":\"1.0\",\"id\":\"" TC_ID "\",\"source\":\"webhook\",\"type\":\"webhook\","   \
    "\"subject\":\"example\",\"datacontenttype\":\"application/json\",\"time\":\"" TC_TIME "\""

static struct ce_cloudevent tc_event(void)
{
    struct ce_cloudevent ev = {
        .specversion = "1.0",
        .id = TC_ID,
        .source = "webhook",
        .type = "webhook",
        .subject = "example",
        .datacontenttype = "application/json",
        .time = TC_TIME,
        .data = TC_DATA,
        .data_len = strlen(TC_DATA),
    };
    return ev;
}

static void test_encode_raw_exact(void **state)
{
    (void)state;
    struct ce_cloudevent ev = tc_event();
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_OK);
    assert_string_equal(b.data, TC_HEAD ",\"data\":" TC_DATA "}");
    assert_int_equal(b.len, strlen(TC_HEAD ",\"data\":" TC_DATA "}"));
    ce_buf_fini(&b);
}

/* What Argo's EventSource (SDK v2.16, SetData with []byte) puts on the bus. */
static void test_encode_argo_exact(void **state)
{
    (void)state;
    struct ce_cloudevent ev = tc_event();
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cloudevent_encode_argo(&ev, &b), CE_OK);
    assert_string_equal(b.data,
                        TC_HEAD ",\"data_base64\":\"eyJoZWFkZXIiOnsiQ29udGVudC1UeXBlIjpbIm"
                                "FwcGxpY2F0aW9uL2pzb24iXX0sImJvZHkiOnsibWVzc2FnZSI6ImhpIn19\"}");
    ce_buf_fini(&b);
}

static void test_encode_escaping_and_optional(void **state)
{
    (void)state;
    struct ce_cloudevent ev = {
        .id = "x",
        .source = "a<b>&\"\\\n\r\t\x01\x7f\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9",
        .type = "t",
    };
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_OK);
    assert_string_equal(b.data, "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":"
                                "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\r\\t\\u0001\x7f\xc3\xa9"
                                "\\u2028\\u2029\",\"type\":\"t\"}");
    ce_buf_fini(&b);
}

static void test_encode_non_json_and_errors(void **state)
{
    (void)state;
    struct ce_cloudevent ev = tc_event();
    ev.datacontenttype = "text/plain; charset=utf-8";
    ev.data = "hello";
    ev.data_len = 5;
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_OK);
    assert_non_null(strstr(b.data, ",\"data_base64\":\"aGVsbG8=\"}"));
    ce_buf_reset(&b);
    ev.datacontenttype = " Application/JSON ; charset=utf-8";
    ev.data = "[1]";
    ev.data_len = 3;
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_OK);
    assert_non_null(strstr(b.data, ",\"data\":[1]}"));
    ce_buf_reset(&b);
    ev.id = "";
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_EINVAL);
    ev = tc_event();
    ev.specversion = "0.3";
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_EINVAL);
    ev = tc_event();
    ev.data_len = 0;
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_EINVAL);
    assert_int_equal(b.len, 0);
    ce_buf_fini(&b);
    /* a capped buffer is left untouched when the event does not fit */
    ce_buf_init(&b, 40);
    ev = tc_event();
    assert_int_equal(ce_cloudevent_encode(&ev, &b), CE_ETOOBIG);
    assert_int_equal(b.len, 0);
    ce_buf_fini(&b);
}

static void test_decode_roundtrip(void **state)
{
    (void)state;
    struct ce_cloudevent in = tc_event();
    for (int argo = 0; argo < 2; argo++) {
        struct ce_buf b;
        ce_buf_init(&b, 0);
        assert_int_equal(argo ? ce_cloudevent_encode_argo(&in, &b) : ce_cloudevent_encode(&in, &b),
                         CE_OK);
        struct ce_cloudevent ev;
        char err[128];
        assert_int_equal(ce_cloudevent_decode(b.data, b.len, &ev, err, sizeof(err)), CE_OK);
        assert_string_equal(ev.specversion, "1.0");
        assert_string_equal(ev.id, TC_ID);
        assert_string_equal(ev.source, "webhook");
        assert_string_equal(ev.type, "webhook");
        assert_string_equal(ev.subject, "example");
        assert_string_equal(ev.datacontenttype, "application/json");
        assert_string_equal(ev.time, TC_TIME);
        assert_int_equal(ev.data_len, strlen(TC_DATA));
        assert_memory_equal(ev.data, TC_DATA, ev.data_len);
        ce_cloudevent_fini(&ev);
        ce_buf_fini(&b);
    }
}

static void test_decode_raw_bytes_kept(void **state)
{
    (void)state;
    const char *data =
        "{ \"a\" : [1, 2 ,3],\n\t\"s\":\"\\u00e9\\\"\\\\\\/\", \"u\":\"\xc3\xa9\xf0\x9f\x98\x80\","
        " \"n\":1.50e+3, \"k\":{\"data\":\"}]\"} }";
    char *json = ce_xasprintf("  {\"specversion\":\"1.0\", \"data\" :  %s  , \"id\":\"i\","
                              "\"source\":\"s\",\"type\":\"t\"}\n",
                              data);
    struct ce_cloudevent ev;
    char err[128];
    assert_int_equal(ce_cloudevent_decode(json, strlen(json), &ev, err, sizeof(err)), CE_OK);
    assert_int_equal(ev.data_len, strlen(data));
    assert_memory_equal(ev.data, data, ev.data_len);
    assert_null(ev.subject);
    assert_null(ev.datacontenttype);
    assert_null(ev.time);
    ce_cloudevent_fini(&ev);
    ce_free(json);

    /* scalars, an escaped key, and the last of two "data" members */
    const struct {
        const char *in, *want;
    } cases[] = {
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":"
         "\"a\\\"b\"}",
         "\"a\\\"b\""},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":-12.5e3}",
         "-12.5e3"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":null}",
         "null"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"d\\u0061ta\":[ "
         "]}",
         "[ ]"},
        {"{\"data\":1,\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\","
         "\"data\":true}",
         "true"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\",\"data\":"
         "123456789012345678901234567890}",
         "123456789012345678901234567890"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(
            ce_cloudevent_decode(cases[i].in, strlen(cases[i].in), &ev, err, sizeof(err)), CE_OK);
        assert_int_equal(ev.data_len, strlen(cases[i].want));
        assert_memory_equal(ev.data, cases[i].want, ev.data_len);
        ce_cloudevent_fini(&ev);
    }
}

static void test_decode_base64_and_text(void **state)
{
    (void)state;
    struct ce_cloudevent ev;
    char err[128];
    const char *in = "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\","
                     "\"datacontenttype\":\"application/json\",\"data_base64\":\"AAEC/w==\"}";
    assert_int_equal(ce_cloudevent_decode(in, strlen(in), &ev, err, sizeof(err)), CE_OK);
    assert_int_equal(ev.data_len, 4);
    assert_memory_equal(ev.data, "\x00\x01\x02\xff", 4);
    ce_cloudevent_fini(&ev);
    in = "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\","
         "\"datacontenttype\":\"text/plain\",\"data\":\"line\\nnext\"}";
    assert_int_equal(ce_cloudevent_decode(in, strlen(in), &ev, err, sizeof(err)), CE_OK);
    assert_int_equal(ev.data_len, 9);
    assert_memory_equal(ev.data, "line\nnext", 9);
    ce_cloudevent_fini(&ev);
    in = "{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\"}";
    assert_int_equal(ce_cloudevent_decode(in, strlen(in), &ev, err, sizeof(err)), CE_OK);
    assert_null(ev.data);
    assert_int_equal(ev.data_len, 0);
    ce_cloudevent_fini(&ev);
}

static void test_decode_malformed(void **state)
{
    (void)state;
#define TC_OK_ATTRS "\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\""
    const struct {
        const char *in, *why;
    } bad[] = {
        {"", "not JSON"},
        {"{\"specversion\":\"1.0\"", "not JSON"},
        {"[1,2]", "JSON object"},
        {"\"x\"", "not JSON"},
        {"{\"id\":\"i\",\"source\":\"s\",\"type\":\"t\"}", "\"specversion\""},
        {"{\"specversion\":\"0.3\",\"id\":\"i\",\"source\":\"s\",\"type\":\"t\"}", "specversion"},
        {"{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}", "\"id\""},
        {"{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"s\",\"type\":\"t\"}", "empty"},
        {"{\"specversion\":\"1.0\",\"id\":7,\"source\":\"s\",\"type\":\"t\"}", "must be a string"},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"type\":\"t\"}", "\"source\""},
        {"{\"specversion\":\"1.0\",\"id\":\"i\",\"source\":\"s\"}", "\"type\""},
        {"{\"specversion\":\"1.0\",\"id\":\"a\\u0000b\",\"source\":\"s\",\"type\":\"t\"}", "NUL"},
        {"{" TC_OK_ATTRS ",\"subject\":[]}", "\"subject\" must be a string"},
        {"{" TC_OK_ATTRS ",\"data\":1,\"data_base64\":\"AA==\"}", "both"},
        {"{" TC_OK_ATTRS ",\"data_base64\":\"AA=\"}", "base64"},
        {"{" TC_OK_ATTRS ",\"data_base64\":\"A*==\"}", "base64"},
        {"{" TC_OK_ATTRS ",\"data_base64\":\"AA==AA==\"}", "base64"},
        {"{" TC_OK_ATTRS ",\"data_base64\":5}", "must be a string"},
        {"{" TC_OK_ATTRS ",\"datacontenttype\":\"text/plain\",\"data\":{}}", "must be a string"},
        {"{" TC_OK_ATTRS ",\"data\":{\"a\":}}", "not JSON"},
        {"{" TC_OK_ATTRS "} trailing", "not JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ce_cloudevent ev;
        char err[160] = "";
        int rc = ce_cloudevent_decode(bad[i].in, strlen(bad[i].in), &ev, err, sizeof(err));
        if (rc != CE_EPARSE || strstr(err, bad[i].why) == NULL) {
            fail_msg("case %zu (%s): rc %d err '%s', want '%s'", i, bad[i].in, rc, err, bad[i].why);
        }
        assert_null(ev.id); /* nothing left to free on failure */
        assert_null(ev.data);
    }
}

static void test_format_time(void **state)
{
    (void)state;
    const struct {
        time_t sec;
        long nsec;
        const char *want;
    } cases[] = {
        {0, 0, "1970-01-01T00:00:00Z"},
        {1714566896, 123456789, "2024-05-01T12:34:56.123456789Z"},
        {1714566896, 100000000, "2024-05-01T12:34:56.1Z"},
        {1714566896, 120000000, "2024-05-01T12:34:56.12Z"},
        {1714566896, 500, "2024-05-01T12:34:56.0000005Z"},
        {1714566896, 1, "2024-05-01T12:34:56.000000001Z"},
        {1709164799, 999999999, "2024-02-28T23:59:59.999999999Z"},
        {1709251200, 0, "2024-03-01T00:00:00Z"},
        {951782400, 10, "2000-02-29T00:00:00.00000001Z"},
        {253402300799, 0, "9999-12-31T23:59:59Z"},
        {1714566896, 1500000000L, "2024-05-01T12:34:57.5Z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[40];
        struct timespec ts = {.tv_sec = cases[i].sec, .tv_nsec = cases[i].nsec};
        ce_cloudevent_format_time(&ts, out);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_new_id(void **state)
{
    (void)state;
    char a[33], b[33];
    ce_cloudevent_new_id(a);
    ce_cloudevent_new_id(b);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_int_equal(a[12], '4');
    assert_non_null(strchr("89ab", a[16]));
    assert_string_not_equal(a, b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_raw_exact),
        cmocka_unit_test(test_encode_argo_exact),
        cmocka_unit_test(test_encode_escaping_and_optional),
        cmocka_unit_test(test_encode_non_json_and_errors),
        cmocka_unit_test(test_decode_roundtrip),
        cmocka_unit_test(test_decode_raw_bytes_kept),
        cmocka_unit_test(test_decode_base64_and_text),
        cmocka_unit_test(test_decode_malformed),
        cmocka_unit_test(test_format_time),
        cmocka_unit_test(test_new_id),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
