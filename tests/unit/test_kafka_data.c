/* SPDX-License-Identifier: Apache-2.0 */
/* eventsource/kafka: the event data Argo Events writes for a Kafka message (golden cases), its
 * id, Go's time format, the JSON body, and the decoder's findings for a whole manifest. */
#include "core/base/mem.h"
#include "eventsource/kafka/config.h"
#include "eventsource/kafka/data.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static char *kd_build(const struct ce_kafka_msg_view *m, bool json_body, const struct ce_kv *meta,
                      int n_meta, int want_rc)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_buf_puts(&b, "<"), CE_OK);
    assert_int_equal(ce_kafka_event_data(m, json_body, meta, n_meta, &b), want_rc);
    char *s = ce_xstrdup(b.data + 1);
    ce_buf_fini(&b);
    return s;
}

/* next-wave-reference E.6's golden case. */
static void test_golden_case(void **state)
{
    (void)state;
    struct ce_kafka_header h[] = {{"h1", "v1", 2}, {"h1", "v2", 2}};
    struct ce_kafka_msg_view m = {.topic = "t1",
                                  .partition = 1,
                                  .key = "k1",
                                  .key_len = 2,
                                  .value = "hello",
                                  .value_len = 5,
                                  .timestamp_ms = 1752840010123,
                                  .headers = h,
                                  .n_headers = 2};
    char *d = kd_build(&m, false, NULL, 0, CE_OK);
    assert_string_equal(d,
                        "{\"topic\":\"t1\",\"key\":\"k1\",\"partition\":1,\"body\":\"aGVsbG8=\","
                        "\"timestamp\":\"2025-07-18 12:00:10.123 +0000 UTC\",\"headers\":{\"h1\":"
                        "\"v2\"}}");
    ce_free(d);
    char id[33], again[33], other[33];
    ce_kafka_event_id("es", "ev", "b0:9092,b1:9092", "t1", 1, 0, id);
    ce_kafka_event_id("es", "ev", "b0:9092", "t1", 1, 0, again);
    ce_kafka_event_id("es", "ev", "b0:9092", "t1", 1, 1, other);
    assert_int_equal(strlen(id), 32);
    assert_string_equal(id, again); /* only the first url entry counts, as in Argo */
    assert_string_not_equal(id, other);
}

static void test_go_time(void **state)
{
    (void)state;
    char t[CE_KAFKA_TIME_MAX];
    ce_kafka_go_time(1752840010000, t);
    assert_string_equal(t, "2025-07-18 12:00:10 +0000 UTC");
    ce_kafka_go_time(1752840010100, t);
    assert_string_equal(t, "2025-07-18 12:00:10.1 +0000 UTC");
    ce_kafka_go_time(1752840010020, t);
    assert_string_equal(t, "2025-07-18 12:00:10.02 +0000 UTC");
    ce_kafka_go_time(-1, t);
    assert_string_equal(t, "0001-01-01 00:00:00 +0000 UTC");
    ce_kafka_go_time(0, t);
    assert_string_equal(t, "1970-01-01 00:00:00 +0000 UTC");
}

/* No headers: {} (always present); a tombstone: null; no key: ""; metadata sorted; a key and
 * header values that are not UTF-8 read as U+FFFD, HTML characters escaped as Go does. */
static void test_edges(void **state)
{
    (void)state;
    struct ce_kv meta[] = {{"a", "1"}, {"b", "<2>"}};
    struct ce_kafka_header h[] = {{"x", NULL, 0}, {"b", "\xff", 1}};
    struct ce_kafka_msg_view m = {.topic = "t",
                                  .partition = 0,
                                  .value = NULL,
                                  .timestamp_ms = -1,
                                  .headers = h,
                                  .n_headers = 2};
    char *d = kd_build(&m, false, meta, 2, CE_OK);
    assert_string_equal(d,
                        "{\"topic\":\"t\",\"key\":\"\",\"partition\":0,\"body\":null,\"timestamp\":"
                        "\"0001-01-01 00:00:00 +0000 UTC\",\"headers\":{\"b\":\"\\ufffd\",\"x\":"
                        "\"\"},\"metadata\":{\"a\":\"1\",\"b\":\"\\u003c2\\u003e\"}}");
    ce_free(d);
    m.n_headers = 0;
    m.value = "";
    m.value_len = 0;
    m.key = "\xc3";
    m.key_len = 1;
    d = kd_build(&m, false, NULL, 0, CE_OK);
    assert_non_null(strstr(d, "\"key\":\"\\ufffd\""));
    assert_non_null(strstr(d, "\"body\":\"\""));
    assert_non_null(strstr(d, "\"headers\":{}}"));
    ce_free(d);
}

static void test_json_body(void **state)
{
    (void)state;
    struct ce_kafka_msg_view m = {
        .topic = "t", .value = " {\"a\" : [1, 2.5e3, \"<&>\", null]} ", .timestamp_ms = 0};
    m.value_len = strlen(m.value);
    char *d = kd_build(&m, true, NULL, 0, CE_OK);
    assert_non_null(strstr(d, "\"body\":{\"a\":[1,2.5e3,\"\\u003c\\u0026\\u003e\",null]},"));
    ce_free(d);
    static const char *const bad[] = {"",   "not json", "{\"a\":1} x", "{\"a\":}", "[1,]",
                                      "01", "\"\\x\"",  "{\"a\" 1}",   "[",        "\"\x01\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m.value = bad[i];
        m.value_len = strlen(bad[i]);
        d = kd_build(&m, true, NULL, 0, CE_EPARSE);
        assert_string_equal(d, ""); /* nothing appended */
        ce_free(d);
    }
    m.value = NULL; /* a tombstone is null with jsonBody too */
    d = kd_build(&m, true, NULL, 0, CE_OK);
    assert_non_null(strstr(d, "\"body\":null,"));
    ce_free(d);
}

static struct ce_manifest_set *kd_load(const char *rel, struct ce_diag *diag, bool strict)
{
    char *text = ce_test_data(rel, NULL);
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    ce_diag_init(diag);
    assert_int_equal(ce_manifest_load_buf(set, text, strlen(text), rel, strict, diag), CE_OK);
    ce_free(text);
    return set;
}

static const struct ce_kafka_es_config *kd_event(const struct ce_manifest_set *set,
                                                 const char *name)
{
    const struct ce_eventsource *es = set->eventsources[0];
    for (int i = 0; i < es->n_events; i++) {
        if (strcmp(es->events[i].name, name) == 0) {
            return es->events[i].config;
        }
    }
    fail_msg("no event %s", name);
    return NULL;
}

/* Every field of Argo's KafkaEventSource (but the two refused) decodes, strictly, with Argo's
 * meaning. */
static void test_every_field_decodes(void **state)
{
    (void)state;
    struct ce_diag d;
    struct ce_manifest_set *set = kd_load("eventsources/kafka-every-field.yaml", &d, true);
    if (ce_diag_errors(&d) > 0) {
        ce_diag_print(&d, stderr);
    }
    assert_int_equal(ce_diag_errors(&d), 0);
    const struct ce_kafka_es_config *p = kd_event(set, "by-partition");
    assert_false(p->group);
    assert_int_equal(p->partition, 1);
    assert_true(p->json_body);
    assert_int_equal(p->backoff.duration_ns, 10000000000LL);
    assert_int_equal(p->backoff.steps, 5);
    const struct ce_kafka_es_config *g = kd_event(set, "by-group");
    assert_true(g->group && g->tls);
    assert_string_equal(g->assignor, "range");
    assert_int_equal(g->n_props, 2);
    assert_string_equal(g->props[0].name, "fetch.min.bytes");
    assert_string_equal(g->props[1].name, "max.in.flight.requests.per.connection");
    const struct ce_kafka_es_config *s = kd_event(set, "with-sasl");
    assert_string_equal(s->assignor, "cooperative-sticky");
    assert_string_equal(s->sasl_mechanism, "SCRAM-SHA-512");
    ce_manifest_set_destroy(set);
    ce_diag_fini(&d);
}

static const struct ce_diag_item *kd_finding(const struct ce_diag *d, const char *path,
                                             const char *text)
{
    for (int i = 0; i < d->n; i++) {
        if (strcmp(d->items[i].path, path) == 0 && strstr(d->items[i].msg, text) != NULL) {
            return &d->items[i];
        }
    }
    ce_diag_print(d, stderr);
    fail_msg("no finding at %s saying %s", path, text);
    return NULL;
}

static void test_refused_settings(void **state)
{
    (void)state;
    struct ce_diag d;
    struct ce_manifest_set *set = kd_load("eventsources/kafka-bad.yaml", &d, false);
    const struct ce_diag_item *it =
        kd_finding(&d, "spec.kafka.unknown-config.config.consumer.fetch.mn",
                   "did you mean \"consumer.fetch.min\"");
    assert_int_equal(it->line, 15); /* the key's own line inside the string */
    assert_int_equal(it->col, 13);
    kd_finding(&d, "spec.kafka.registry.schemaRegistry", "not supported");
    kd_finding(&d, "spec.kafka.msk.awsMskIamAuth", "not supported");
    kd_finding(&d, "spec.kafka.no-mode.partition", "consumerGroup or partition must be specified");
    kd_finding(&d, "spec.kafka.bad-version.partition", "not a partition number");
    kd_finding(&d, "spec.kafka.bad-version.version", "invalid version \"2.5\"");
    ce_manifest_set_destroy(set);
    ce_diag_fini(&d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_case),
        cmocka_unit_test(test_go_time),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_json_body),
        cmocka_unit_test(test_every_field_decodes),
        cmocka_unit_test(test_refused_settings),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
