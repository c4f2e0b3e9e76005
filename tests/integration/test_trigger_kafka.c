/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka trigger end to end: webhook → nats-server (the bus) → Sensor → librdkafka's mock
 * cluster, read back with kcat: the value's bytes, the key, the headers (plain, from a secret,
 * from a config map). With the cluster gone a firing fails and is retried; `cevents lint` takes
 * every field of Argo's Kafka trigger, refuses schemaRegistry and names bad fields at
 * file:line:col; `cevents explain` shows the topic, key, headers and value. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/kafka.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define KT_VALUE "{\"message\":\"this is my first webhook\",\"answer\":\"42\"}"

struct kt_env {
    char *dir;
    char *secrets, *config;
    struct ce_natsd *bus;
    struct ce_test_proc *es;
    struct ce_test_kafka kafka;
    int port;
};

static void kt_file(const char *root, const char *name, const char *key, const char *value)
{
    char *d = ce_xasprintf("%s/%s", root, name);
    char *mk = ce_xasprintf("mkdir -p '%s'", d);
    assert_int_equal(system(mk), 0);
    ce_free(ce_test_write_file(d, key, value));
    ce_free(mk);
    ce_free(d);
}

static int kt_setup(void **state)
{
    struct kt_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("trigger-kafka");
    e->secrets = ce_xasprintf("%s/secrets", e->dir);
    e->config = ce_xasprintf("%s/config", e->dir);
    kt_file(e->secrets, "kafka-headers", "token", "s3cret\n");
    kt_file(e->config, "kafka-config", "region", "eu-west");
    e->bus = ce_scn_natsd_start(e->dir);
    e->port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook.yaml", e->port);
    e->es = ce_scn_start("eventsource", es_file, ce_natsd_url(e->bus), 0, NULL,
                         "Eventing server started.");
    ce_free(es_file);
    *state = e;
    return 0;
}

static int kt_teardown(void **state)
{
    struct kt_env *e = *state;
    ce_test_proc_free(e->es);
    ce_test_kafka_stop(&e->kafka);
    ce_natsd_destroy(e->bus);
    ce_test_rmtree(e->dir);
    ce_free(e->config);
    ce_free(e->secrets);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *kt_start_sensor(struct kt_env *e, const char *bootstrap)
{
    char *file = ce_test_data_write(e->dir, "sensor.yaml", "sensors/kafka-trigger.yaml",
                                    "BOOTSTRAP", bootstrap, NULL);
    const char *extra[] = {"--secrets-dir", e->secrets, "--config-dir", e->config, NULL};
    struct ce_test_proc *sn =
        ce_scn_start("sensor", file, ce_natsd_url(e->bus), 0, extra, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    return sn;
}

static void kt_post(struct kt_env *e)
{
    char id[33];
    assert_int_equal(ce_scn_post(e->port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
}

#define KT_LINE "order-17|X-Static=yes,X-Secret=s3cret,X-Config=eu-west|" KT_VALUE

static void test_value_key_headers(void **state)
{
    struct kt_env *e = *state;
    const char *bs = ce_test_kafka_start(&e->kafka, 1, "out:3", NULL);
    struct ce_test_proc *sn = kt_start_sensor(e, bs);
    kt_post(e);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'kafka-trigger'", 1, 20000));
    /* acknowledged before the success was logged: the message is there now */
    char *out = ce_test_kcat_consume(bs, "out", "%k|%h|%s\n");
    assert_non_null(out);
    assert_string_equal(out, KT_LINE);
    ce_free(out);
    /* the producer is kept: a second firing adds exactly one more message, same key, same
     * partition */
    kt_post(e);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'kafka-trigger'", 2, 20000));
    out = ce_test_kcat_consume(bs, "out", "%p %k|%h|%s\n");
    assert_non_null(out);
    char *second = strchr(out, '\n');
    assert_non_null(second);
    *second = '\0';
    assert_string_equal(second + 1, out);
    /* the partition Argo's (Sarama's) hash partitioner picks: FNV-1a of the key, modulo 3 */
    assert_string_equal(out, "0 " KT_LINE);
    ce_free(out);
    assert_int_equal(ce_test_proc_count(sn, "Failed to execute a trigger"), 0);
    ce_test_proc_free(sn);
}

/* No broker answers: each attempt fails once librdkafka gives up on the message, and the
 * failure is a retryable one (retryStrategy makes a second attempt). */
static void test_broker_gone_retried(void **state)
{
    struct kt_env *e = *state;
    const char *bs = ce_test_kafka_start(&e->kafka, 1, "out:1", NULL);
    char *kept = ce_xstrdup(bs);
    struct ce_test_proc *sn = kt_start_sensor(e, kept);
    kt_post(e);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'kafka-trigger'", 1, 20000));
    ce_test_kafka_stop(&e->kafka);
    kt_post(e);
    assert_true(ce_test_proc_wait_line(sn, "trigger failed after its retries", 1, 60000));
    char *line = ce_test_proc_line(sn, "trigger failed after its retries", 0);
    ce_scn_has(line, "\"attempts\":\"2\"");
    ce_free(line);
    assert_int_equal(ce_test_proc_count(sn, "Failed to execute a trigger"), 2);
    ce_test_proc_free(sn);
    ce_free(kept);
}

static void test_lint_takes_every_field(void **state)
{
    struct kt_env *e = *state;
    char *file =
        ce_test_data_write(e->dir, "fields.yaml", "sensors/kafka-trigger-fields.yaml", NULL);
    ce_scn_lint_clean(file);
    ce_free(file);
}

static void test_lint_names_bad_fields(void **state)
{
    struct kt_env *e = *state;
    char *file = ce_test_write_file(e->dir, "bad.yaml",
                                    CE_SCN_SENSOR_HEAD "      kafka:\n"
                                                       "        url: b:9092\n"
                                                       "        payload: []\n"
                                                       "        requiredAcks: 3\n"
                                                       "        version: two\n"
                                                       "        sasl:\n"
                                                       "          mechanism: OAUTHBEARER\n"
                                                       "          userSecret: {name: u, key: u}\n"
                                                       "        headers: {a: [1]}\n"
                                                       "        schemaRegistry:\n"
                                                       "          url: http://registry:8081\n"
                                                       "          schemaId: 1\n");
    int status = 0;
    char *out = ce_scn_cevents((const char *const[]){"lint", "--strict", file, NULL}, &status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ce_scn_has(out,
               "bad.yaml:11:9: error: spec.triggers[0].template.kafka.topic: required field is "
               "missing");
    ce_scn_has(out, "bad.yaml:13:23: error: spec.triggers[0].template.kafka.requiredAcks: must be");
    ce_scn_has(out, "bad.yaml:14:18: error: spec.triggers[0].template.kafka.version:");
    ce_scn_has(out, "bad.yaml:16:22: error: spec.triggers[0].template.kafka.sasl.mechanism: SASL "
                    "mechanism OAUTHBEARER is not supported");
    ce_scn_has(out,
               "spec.triggers[0].template.kafka.sasl.passwordSecret: required field is missing");
    ce_scn_has(out, "bad.yaml:18:22: error: spec.triggers[0].template.kafka.headers.a: a header "
                    "value must be a string");
    ce_scn_has(out, "bad.yaml:20:11: error: spec.triggers[0].template.kafka.schemaRegistry: not "
                    "supported");
    ce_free(out);
    ce_free(file);
}

static void test_explain_shows_the_message(void **state)
{
    struct kt_env *e = *state;
    char *file = ce_test_data_write(e->dir, "s.yaml", "sensors/kafka-trigger.yaml", "BOOTSTRAP",
                                    "broker:9092", NULL);
    char *ev = ce_test_write_file(e->dir, "ev.json", "{\"body\":{\"message\":\"hi\"}}");
    char *out = ce_scn_cevents_ok((const char *const[]){"explain", "-f", file, "--event", ev,
                                                        "--secrets-dir", e->secrets, "--config-dir",
                                                        e->config, NULL});
    ce_scn_has(out, "  would produce to Kafka topic \"out\" at broker:9092\n"
                    "    key: order-17\n"
                    "    header X-Static: yes\n"
                    "    header X-Secret: xxxxx\n"
                    "    header X-Config: xxxxx\n"
                    "    value (30 bytes): {\"message\":\"hi\",\"answer\":\"42\"}");
    ce_free(out);
    ce_free(ev);
    ce_free(file);
}

/* The block's parameters set the key, the trigger's parameters extend the topic, and the
 * payload list is read after both. */
static void test_explain_parameters(void **state)
{
    struct kt_env *e = *state;
    char *file =
        ce_test_data_write(e->dir, "fields.yaml", "sensors/kafka-trigger-fields.yaml", NULL);
    char *ev = ce_test_write_file(e->dir, "ev.json", CE_SCN_S3_EVENT);
    char *out = ce_scn_cevents_ok(
        (const char *const[]){"explain", "-f", file, "--event", ev, "--dependency", "test-dep",
                              "--secrets-dir", e->secrets, "--config-dir", e->config, NULL});
    ce_scn_has(out,
               "  would produce to Kafka topic \"minio-eventsb1\" at kafka.argo-events.svc:9092\n"
               "    key: b1\n"
               "    header source: argo-events\n"
               "    header Authorization: xxxxx\n"
               "    header X-Region: xxxxx\n"
               "    value (34 bytes): {\"fileName\":\"k.txt\",\"bucket\":\"b1\"}");
    ce_free(out);
    ce_free(ev);
    ce_free(file);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_require_kcat();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_key_headers),
        cmocka_unit_test(test_broker_gone_retried),
        cmocka_unit_test(test_lint_takes_every_field),
        cmocka_unit_test(test_lint_names_bad_fields),
        cmocka_unit_test(test_explain_shows_the_message),
        cmocka_unit_test(test_explain_parameters),
    };
    return ce_test_run(argc, argv, tests, kt_setup, kt_teardown);
}
