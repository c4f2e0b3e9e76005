/* SPDX-License-Identifier: Apache-2.0 */
/* eventsource/minio/stream: the listen API's body cut into lines however the bytes arrive,
 * keep-alives of both protocols skipped, a line past the cap refused, bad lines reported, and the
 * event data and idempotency key a notification becomes. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/minio/stream.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct seen {
    int records, bad;
    char keys[256];
};

static int on_line(void *arg, json_t *records, const char *line, size_t len, const char *why)
{
    (void)line, (void)len;
    struct seen *s = arg;
    if (records == NULL) {
        assert_non_null(why);
        s->bad++;
        return CE_OK;
    }
    s->records++;
    const char *k = json_string_value(json_object_get(
        json_object_get(json_object_get(json_array_get(records, 0), "s3"), "object"), "key"));
    size_t n = strlen(s->keys);
    snprintf(s->keys + n, sizeof s->keys - n, "%s;", k ? k : "?");
    return CE_OK;
}

#define REC(key) "{\"Records\":[{\"s3\":{\"object\":{\"key\":\"" key "\"}}}]}\n"

static void test_lines_in_any_pieces(void **state)
{
    (void)state;
    const char *body = "{\"Records\":null}\n" REC("a") "  " REC("b") "\n\n" REC("c");
    size_t len = strlen(body);
    for (size_t piece = 1; piece <= len; piece++) {
        struct ce_minio_stream s;
        ce_minio_stream_init(&s, CE_MINIO_MAX_LINE);
        struct seen seen = {0};
        for (size_t i = 0; i < len; i += piece) {
            size_t n = len - i < piece ? len - i : piece;
            assert_int_equal(ce_minio_stream_feed(&s, body + i, n, on_line, &seen), CE_OK);
        }
        assert_int_equal(seen.records, 3);
        assert_int_equal(seen.bad, 0);
        assert_string_equal(seen.keys, "a;b;c;");
        assert_int_equal(s.keepalives, 3); /* null, and the two blank lines */
        ce_minio_stream_fini(&s);
    }
}

static void test_line_cap(void **state)
{
    (void)state;
    struct ce_minio_stream s;
    ce_minio_stream_init(&s, 32);
    struct seen seen = {0};
    assert_int_equal(ce_minio_stream_feed(&s, REC("ok"), strlen(REC("ok")), on_line, &seen),
                     CE_ETOOBIG); /* 40 bytes: over the cap even whole */
    ce_minio_stream_fini(&s);
    ce_minio_stream_init(&s, 64);
    char big[100];
    memset(big, 'x', sizeof big);
    assert_int_equal(ce_minio_stream_feed(&s, big, 50, on_line, &seen), CE_OK);
    assert_int_equal(ce_minio_stream_feed(&s, big, 50, on_line, &seen), CE_ETOOBIG);
    assert_int_equal(seen.records + seen.bad, 0);
    ce_minio_stream_fini(&s);
}

static void test_bad_lines(void **state)
{
    (void)state;
    const char *body = "{\"Records\":[{\"eventName\": oops}\n[1]\n{\"Records\":5}\n"
                       "{\"Records\":[1]}\n{\"Records\":[]}\n" REC("fine");
    struct ce_minio_stream s;
    ce_minio_stream_init(&s, CE_MINIO_MAX_LINE);
    struct seen seen = {0};
    assert_int_equal(ce_minio_stream_feed(&s, body, strlen(body), on_line, &seen), CE_OK);
    assert_int_equal(seen.bad, 4);
    assert_int_equal(seen.records, 1);
    assert_int_equal(s.keepalives, 1);
    ce_minio_stream_fini(&s);
}

static void test_event_data_and_key(void **state)
{
    (void)state;
    const char *line = "{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":"
                       "{\"name\":\"images\"},\"object\":{\"key\":\"a b.jpg\",\"size\":3,"
                       "\"sequencer\":\"18539E1C4E2E6F10\"}}}]}";
    json_t *records = NULL;
    char why[200];
    assert_int_equal(ce_minio_line_parse(line, strlen(line), &records, why, sizeof why), CE_OK);
    assert_non_null(records);
    size_t len = 0;
    char *data = ce_minio_event_data(records, NULL, 0, &len);
    assert_string_equal(data, "{\"notification\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":"
                              "{\"bucket\":{\"name\":\"images\"},\"object\":{\"key\":\"a b.jpg\","
                              "\"size\":3,\"sequencer\":\"18539E1C4E2E6F10\"}}}]}");
    ce_free(data);
    const struct ce_kv md[] = {{"a", "1"}, {"b", "2"}};
    data = ce_minio_event_data(records, md, 2, &len);
    assert_non_null(strstr(data, "}}}],\"metadata\":{\"a\":\"1\",\"b\":\"2\"}}"));
    ce_free(data);
    char *key = ce_minio_event_key(records, &len);
    const char want[] = "images\0a b.jpg\0s3:ObjectCreated:Put\00018539E1C4E2E6F10\n";
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(key, want, len);
    ce_free(key);
    json_decref(records);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_in_any_pieces),
        cmocka_unit_test(test_line_cap),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_event_data_and_key),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
