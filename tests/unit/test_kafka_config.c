/* SPDX-License-Identifier: Apache-2.0 */
/* core/kafka: Sarama settings mapped to librdkafka properties, versions, and the client
 * configuration built from plain values. */
#include "core/kafka/client.h"
#include "core/kafka/sarama.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void expect_map(const char *key, const char *value, bool quoted, const char *prop,
                       const char *want)
{
    struct ce_kafka_prop p;
    char err[256] = "";
    assert_int_equal(ce_kafka_sarama_map(key, value, quoted, &p, err, sizeof(err)), CE_OK);
    if (prop == NULL) {
        assert_null(p.name);
        return;
    }
    assert_string_equal(p.name, prop);
    assert_string_equal(p.value, want);
}

static void test_sarama_keys_mapped(void **state)
{
    (void)state;
    expect_map("consumer.fetch.min", "2", false, "fetch.min.bytes", "2");
    expect_map("Net.MaxOpenRequests", "5", false, "max.in.flight.requests.per.connection", "5");
    expect_map("consumer.group.session.timeout", "10s", false, "session.timeout.ms", "10000");
    /* a bare integer duration is nanoseconds, as Sarama's decoder reads it */
    expect_map("consumer.maxWaitTime", "250000000", false, "fetch.wait.max.ms", "250");
    expect_map("consumer.offsets.initial", "-2", false, "auto.offset.reset", "earliest");
    expect_map("consumer.offsets.initial", "-1", false, "auto.offset.reset", "latest");
    expect_map("consumer.isolationLevel", "1", false, "isolation.level", "read_committed");
    expect_map("producer.compression", "4", false, "compression.codec", "zstd");
    expect_map("producer.requiredAcks", "-1", false, "acks", "-1");
    expect_map("producer.idempotent", "yes", false, "enable.idempotence", "true");
    expect_map("clientID", "me", true, "client.id", "me");
    expect_map("net.keepAlive", "0", false, "socket.keepalive.enable", "false");
    expect_map("channelBufferSize", "256", false, NULL, NULL);
    expect_map("admin.retry.max", "105", false, NULL, NULL);
}

static void test_sarama_unknown_and_bad_values(void **state)
{
    (void)state;
    struct ce_kafka_prop p;
    char err[256];
    assert_int_equal(ce_kafka_sarama_map("consumer.fetch.mn", "1", false, &p, err, sizeof(err)),
                     CE_ENOENT);
    assert_non_null(strstr(err, "\"consumer.fetch.mn\""));
    assert_non_null(strstr(err, "did you mean \"consumer.fetch.min\""));
    assert_int_equal(ce_kafka_sarama_map("consumer.fetch", "1", false, &p, err, sizeof(err)),
                     CE_ENOENT);
    assert_int_equal(ce_kafka_sarama_map("zzzz", "1", false, &p, err, sizeof(err)), CE_ENOENT);
    assert_null(strstr(err, "did you mean"));
    assert_int_equal(ce_kafka_sarama_map("consumer.fetch.min", "x", false, &p, err, sizeof(err)),
                     CE_EINVAL);
    /* a quoted number is a Go duration without a unit */
    assert_int_equal(ce_kafka_sarama_map("producer.timeout", "1000", true, &p, err, sizeof(err)),
                     CE_EINVAL);
    assert_int_equal(
        ce_kafka_sarama_map("consumer.offsets.initial", "0", false, &p, err, sizeof(err)),
        CE_EINVAL);
    assert_int_equal(
        ce_kafka_sarama_map("producer.idempotent", "maybe", false, &p, err, sizeof(err)),
        CE_EINVAL);
    for (int i = 0; ce_kafka_sarama_key(i) != NULL; i++) {
        const char *k = ce_kafka_sarama_key(i);
        assert_int_not_equal(ce_kafka_sarama_map(k, "1s", true, &p, err, sizeof(err)) == CE_ENOENT,
                             true);
    }
}

static void test_versions(void **state)
{
    (void)state;
    char err[128];
    assert_int_equal(ce_kafka_version_check("2.5.0", err, sizeof(err)), CE_OK);
    assert_int_equal(ce_kafka_version_check("0.10.2.1", err, sizeof(err)), CE_OK);
    assert_int_equal(ce_kafka_version_check("0.10.2", err, sizeof(err)), CE_EINVAL);
    assert_int_equal(ce_kafka_version_check("2.5", err, sizeof(err)), CE_EINVAL);
    assert_int_equal(ce_kafka_version_check("v2.5.0", err, sizeof(err)), CE_EINVAL);
    assert_int_equal(ce_kafka_version_check("", err, sizeof(err)), CE_EINVAL);
}

static const char *conf_get(rd_kafka_conf_t *conf, const char *name, char *buf, size_t len)
{
    size_t n = len;
    return rd_kafka_conf_get(conf, name, buf, &n) == RD_KAFKA_CONF_OK ? buf : "";
}

static void test_client_conf(void **state)
{
    (void)state;
    struct ce_kafka_prop props[] = {{.name = "fetch.min.bytes", .value = "7"}, {.name = NULL}};
    struct ce_kafka_client c = {.brokers = "b1:9092,b2:9092",
                                .sasl_mechanism = "scram-sha-512",
                                .sasl_user = "u",
                                .sasl_password = "p",
                                .reconnect_backoff_ms = 500,
                                .props = props,
                                .n_props = 2};
    rd_kafka_conf_t *conf;
    char err[256], v[256];
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_OK);
    assert_string_equal(conf_get(conf, "bootstrap.servers", v, sizeof(v)), "b1:9092,b2:9092");
    assert_string_equal(conf_get(conf, "security.protocol", v, sizeof(v)), "sasl_plaintext");
    assert_string_equal(conf_get(conf, "sasl.mechanisms", v, sizeof(v)), "SCRAM-SHA-512");
    assert_string_equal(conf_get(conf, "fetch.min.bytes", v, sizeof(v)), "7");
    assert_string_equal(conf_get(conf, "reconnect.backoff.ms", v, sizeof(v)), "500");
    rd_kafka_conf_destroy(conf);

    c.sasl_mechanism = "GSSAPI";
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_EINVAL);
    assert_non_null(strstr(err, "GSSAPI"));
    c.sasl_mechanism = NULL;
    c.tls = true;
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_OK);
    assert_string_equal(conf_get(conf, "security.protocol", v, sizeof(v)), "ssl");
    rd_kafka_conf_destroy(conf);
    /* brokers before 0.10 cannot be asked their versions: the given one is used */
    c.version = "0.9.0.1";
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_OK);
    assert_string_equal(conf_get(conf, "api.version.request", v, sizeof(v)), "false");
    assert_string_equal(conf_get(conf, "broker.version.fallback", v, sizeof(v)), "0.9.0.1");
    rd_kafka_conf_destroy(conf);
    c.version = "2.5.0";
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_OK);
    assert_string_equal(conf_get(conf, "api.version.request", v, sizeof(v)), "true");
    rd_kafka_conf_destroy(conf);
    props[0].name = "no.such.property";
    assert_int_equal(ce_kafka_conf_build(&c, &conf, err, sizeof(err)), CE_EINVAL);
    assert_non_null(strstr(err, "no.such.property"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sarama_keys_mapped),
        cmocka_unit_test(test_sarama_unknown_and_bad_values),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_client_conf),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
