/* SPDX-License-Identifier: Apache-2.0 */
/* The sqs EventSource against a real nats-server and the SQS test server
 * (tests/fixtures/aws_server.py): a message becomes one event with Argo's data, and is deleted
 * from the queue only once the bus holds its event, also across a bus outage. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/aws.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/types.h>

#include <cmocka.h>

struct sqs_env {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_aws *aws;
    struct ce_test_proc *es;
    int mport;
};

static int sqs_setup(void **state)
{
    struct sqs_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    e->dir = ce_test_tmpdir("sqs");
    const char *args[] = {"--queue", "uploads", "--queue", "raw", NULL};
    e->aws = ce_test_aws_start(args);
    e->natsd = ce_scn_natsd_start(e->dir);
    char *secrets = ce_xasprintf("%s/secrets", e->dir);
    ce_test_aws_write_secret(secrets, "aws");
    char *file = ce_test_data_write(e->dir, "es.yaml", "eventsources/aws-sqs-fixture.yaml", "AWS",
                                    ce_test_aws_url(e->aws), NULL);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    e->mport = ce_test_free_port();
    e->es = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd), e->mport, extra,
                         "Eventing server started.");
    assert_true(ce_test_proc_wait_line(e->es, "listening for messages on the queue", 2, 20000));
    ce_free(file);
    ce_free(secrets);
    return 0;
}

static int sqs_teardown(void **state)
{
    struct sqs_env *e = *state;
    ce_test_proc_free(e->es);
    ce_test_aws_stop(e->aws);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

struct sqs_wait {
    struct sqs_env *e;
    const char *queue;
    const char *id;
};

/* Whether the fixture deleted message id from queue. */
static bool sqs_deleted(void *arg)
{
    struct sqs_wait *w = arg;
    json_t *st = ce_test_aws_ctl(w->e->aws, "state", NULL);
    json_t *q = json_object_get(json_object_get(st, "queues"), w->queue);
    json_t *del = json_object_get(q, "deleted");
    bool yes = false;
    for (size_t i = 0; i < json_array_size(del); i++) {
        yes = yes || strcmp(json_string_value(json_array_get(del, i)), w->id) == 0;
    }
    json_decref(st);
    return yes;
}

/* Sends body (and one String attribute when attr is "name:value") to queue; the message id. */
static char *sqs_send(struct sqs_env *e, const char *queue, const char *body, const char *attr)
{
    json_t *r = ce_test_aws_ctl(e->aws, "send", "queue", queue, "body", body, "attr",
                                attr ? attr : "", NULL);
    char *id = ce_xstrdup(json_string_value(json_object_get(r, "messageId")));
    json_decref(r);
    return id;
}

/* The data of the last event on subject, as published. */
static char *sqs_last_data(struct sqs_env *e, const char *subject, char **msg_id)
{
    return ce_scn_js_last_data(ce_natsd_url(e->natsd), subject, msg_id, NULL);
}

static void test_message_to_event(void **state)
{
    struct sqs_env *e = *state;
    const char *body = "{ \"Records\": [{\"s3\": {\"object\": {\"key\": \"a<b>.csv\"}}}] }";
    char *id = sqs_send(e, "uploads", body, "origin:s3");
    struct sqs_wait w = {e, "uploads", id};
    assert_true(ce_test_poll(sqs_deleted, &w, 20000));
    char *msg_id = NULL;
    char *data = sqs_last_data(e, "default.sqs.uploads", &msg_id);
    char *want = ce_xasprintf(
        "{\"messageId\":\"%s\",\"messageAttributes\":{\"origin\":{\"BinaryListValues\":null,"
        "\"BinaryValue\":null,\"DataType\":\"String\",\"StringListValues\":null,"
        "\"StringValue\":\"s3\"}},\"body\":{\"Records\":[{\"s3\":{\"object\":{\"key\":"
        "\"a\\u003cb\\u003e.csv\"}}}]},\"metadata\":{\"team\":\"data\"}}",
        id);
    assert_string_equal(data, want);
    assert_int_equal(strlen(msg_id), 32);
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->natsd)), 1);
    ce_free(want);
    ce_free(data);
    ce_free(msg_id);
    ce_free(id);
}

static void test_raw_body_is_base64(void **state)
{
    struct sqs_env *e = *state;
    char *id = sqs_send(e, "raw", "hello", NULL);
    struct sqs_wait w = {e, "raw", id};
    assert_true(ce_test_poll(sqs_deleted, &w, 20000));
    char *data = sqs_last_data(e, "default.sqs.raw", NULL);
    char *want =
        ce_xasprintf("{\"messageId\":\"%s\",\"messageAttributes\":null,\"body\":\"aGVsbG8=\"}", id);
    assert_string_equal(data, want);
    ce_free(want);
    ce_free(data);
    ce_free(id);
}

static void test_not_json_deleted_and_counted(void **state)
{
    struct sqs_env *e = *state;
    char *id = sqs_send(e, "uploads", "not json", NULL);
    struct sqs_wait w = {e, "uploads", id};
    assert_true(ce_test_poll(sqs_deleted, &w, 20000));
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->natsd)), 0);
    assert_true(ce_test_proc_wait_line(e->es, "failed to marshal event data", 1, 5000));
    ce_free(id);
}

static void test_bus_down_keeps_messages(void **state)
{
    struct sqs_env *e = *state;
    ce_natsd_stop(e->natsd);
    assert_true(ce_test_proc_wait_line(e->es, "Event bus connection lost", 1, 20000));
    char *id = sqs_send(e, "uploads", "{\"n\":1}", NULL);
    struct sqs_wait w = {e, "uploads", id};
    /* for two long polls' time the message must stay in the queue */
    assert_false(ce_test_poll(sqs_deleted, &w, 4000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(ce_test_poll(sqs_deleted, &w, 60000));
    /* deleted only once the bus had it: its event is there */
    char *data = sqs_last_data(e, "default.sqs.uploads", NULL);
    assert_non_null(strstr(data, id));
    assert_non_null(strstr(data, "\"body\":{\"n\":1}"));
    ce_free(data);
    ce_free(id);
}

struct sqs_calls {
    struct sqs_env *e;
    const char *action;
};

static bool sqs_called(void *arg)
{
    struct sqs_calls *c = arg;
    json_t *st = ce_test_aws_ctl(c->e->aws, "state", NULL);
    bool yes = json_integer_value(json_object_get(json_object_get(st, "calls"), c->action)) > 0;
    json_decref(st);
    return yes;
}

/* A bus that takes the connection but never acknowledges (frozen): the message received is
 * handed back, not deleted, and goes through once the bus answers again. */
static void test_unacknowledged_message_handed_back(void **state)
{
    struct sqs_env *e = *state;
    pid_t pid = ce_scn_natsd_pid(e->natsd);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, SIGSTOP), 0);
    char *id = sqs_send(e, "uploads", "{\"n\":2}", NULL);
    struct sqs_calls c = {e, "ChangeMessageVisibility"};
    bool handed_back = ce_test_poll(sqs_called, &c, 30000);
    struct sqs_wait w = {e, "uploads", id};
    bool deleted_while_frozen = sqs_deleted(&w);
    assert_int_equal(kill(pid, SIGCONT), 0);
    assert_true(handed_back);
    assert_false(deleted_while_frozen);
    assert_true(ce_test_poll(sqs_deleted, &w, 60000));
    char *data = sqs_last_data(e, "default.sqs.uploads", NULL);
    assert_non_null(strstr(data, id));
    ce_free(data);
    ce_free(id);
}

/* `cevents lint [--strict] file`: the exit status and the output. */
static int sqs_lint(const char *file, bool strict, char **out)
{
    const char *args[] = {"lint", strict ? "--strict" : file, strict ? file : NULL, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 30000, &status));
    *out = ce_test_proc_output(p);
    ce_test_proc_free(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_lint_every_field(void **state)
{
    (void)state;
    char *file = ce_xasprintf("%s/%s", CE_TEST_DATA_DIR, "eventsources/aws-sqs-all-fields.yaml");
    char *out = NULL;
    assert_int_equal(sqs_lint(file, false, &out), 0);
    assert_non_null(strstr(out, "0 errors"));
    ce_free(out);
    assert_int_equal(sqs_lint(file, true, &out), 1);
    assert_non_null(strstr(out, "spec.sqs.other-account.namespace: unknown field"));
    assert_non_null(strstr(out, "1 error"));
    ce_free(out);
    ce_free(file);
}

/* A poll SQS would refuse is refused where it is written; roleARN is taken. */
static void test_lint_refusals(void **state)
{
    struct sqs_env *e = *state;
    char *file = ce_test_write_file(e->dir, "bad.yaml",
                                    "apiVersion: argoproj.io/v1alpha1\n"
                                    "kind: EventSource\n"
                                    "metadata:\n"
                                    "  name: bad\n"
                                    "spec:\n"
                                    "  sqs:\n"
                                    "    a:\n"
                                    "      region: us-east-1\n"
                                    "      queue: q\n"
                                    "      roleARN: arn:aws:iam::123456789012:role/r\n"
                                    "      waitTimeSeconds: 30\n");
    char *out = NULL;
    assert_int_equal(sqs_lint(file, false, &out), 1);
    assert_null(strstr(out, "roleARN"));
    assert_non_null(strstr(out, "bad.yaml:11:24: error: spec.sqs.a.waitTimeSeconds: must be "
                                "between 0 and 20"));
    ce_free(out);
    ce_free(file);
}

/* SIGTERM cuts a 20 s long poll short: the process is gone well before the poll would end. */
static void test_sigterm_ends_the_long_poll(void **state)
{
    struct sqs_env *e = *state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", e->mport);
    assert_true(ce_test_wait_http(url, 200, 10000));
    int64_t t0 = ce_test_now_ms();
    assert_int_equal(ce_test_proc_signal(e->es, SIGTERM), 0);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(e->es, 15000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(ce_test_now_ms() - t0 < 5000);
}

/* A queue that does not exist: logged with SQS's error, retried, and /readyz says so. */
static void test_missing_queue_not_ready(void **state)
{
    struct sqs_env *e = *state;
    char *secrets = ce_xasprintf("%s/secrets", e->dir);
    char *text = ce_xasprintf("apiVersion: argoproj.io/v1alpha1\n"
                              "kind: EventSource\n"
                              "metadata:\n"
                              "  name: missing\n"
                              "spec:\n"
                              "  sqs:\n"
                              "    gone:\n"
                              "      region: us-east-1\n"
                              "      queue: no-such-queue\n"
                              "      accessKey: {name: aws, key: accesskey}\n"
                              "      secretKey: {name: aws, key: secretkey}\n"
                              "      endpoint: \"%s\"\n",
                              ce_test_aws_url(e->aws));
    char *file = ce_test_write_file(e->dir, "missing.yaml", text);
    int mport = ce_test_free_port();
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    struct ce_test_proc *p = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd), mport, extra,
                                          "Eventing server started.");
    assert_true(ce_test_proc_wait_line(p, "QueueDoesNotExist", 2, 20000));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/readyz", mport);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 5000, &r), 0);
    assert_int_equal(r.status, 503);
    ce_test_http_resp_fini(&r);
    ce_test_proc_free(p);
    ce_free(text);
    ce_free(file);
    ce_free(secrets);
}

/* Starts an EventSource of one sqs event "a" on a queue of its own ("sts": the setup's
 * EventSource reads the others) with extra settings (YAML lines at the event's indentation),
 * and waits until it reads the queue. */
static struct ce_test_proc *sqs_start_on(struct sqs_env *e, const char *bus_url,
                                         const char *extra_yaml)
{
    json_decref(ce_test_aws_ctl(e->aws, "create", "queue", "sts", NULL));
    char *secrets = ce_xasprintf("%s/secrets", e->dir);
    char *text = ce_xasprintf("apiVersion: argoproj.io/v1alpha1\n"
                              "kind: EventSource\n"
                              "metadata:\n"
                              "  name: sts\n"
                              "spec:\n"
                              "  sqs:\n"
                              "    a:\n"
                              "      region: us-east-1\n"
                              "      queue: sts\n"
                              "      jsonBody: true\n"
                              "      endpoint: \"%s\"\n"
                              "%s",
                              ce_test_aws_url(e->aws), extra_yaml);
    char *file = ce_test_write_file(e->dir, "sts.yaml", text);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    struct ce_test_proc *p = ce_scn_start("eventsource", file, bus_url, ce_test_free_port(), extra,
                                          "Eventing server started.");
    assert_true(ce_test_proc_wait_line(p, "listening for messages on the queue", 1, 20000));
    ce_free(file);
    ce_free(text);
    ce_free(secrets);
    return p;
}

static struct ce_test_proc *sqs_start_extra(struct sqs_env *e, const char *extra_yaml)
{
    return sqs_start_on(e, ce_natsd_url(e->natsd), extra_yaml);
}

/* One message through p's event "a": deleted, and its event on default.sts.a. */
static void sqs_check_flow(struct sqs_env *e)
{
    char *id = sqs_send(e, "sts", "{\"via\":\"sts\"}", NULL);
    struct sqs_wait w = {e, "sts", id};
    assert_true(ce_test_poll(sqs_deleted, &w, 20000));
    char *data = sqs_last_data(e, "default.sts.a", NULL);
    assert_non_null(strstr(data, id));
    ce_free(data);
    ce_free(id);
}

/* The role STS issued keys for with action, or NULL (heap). */
static char *sqs_assumed(struct sqs_env *e, const char *action)
{
    json_t *st = ce_test_aws_ctl(e->aws, "state", NULL);
    json_t *list = json_object_get(st, "assumed");
    char *role = NULL;
    for (size_t i = 0; i < json_array_size(list) && role == NULL; i++) {
        json_t *a = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(a, "action")), action) == 0) {
            role = ce_xstrdup(json_string_value(json_object_get(a, "role")));
        }
    }
    json_decref(st);
    return role;
}

/* No keys but the web identity variables of an EKS pod: the keys come from STS
 * AssumeRoleWithWebIdentity (at AWS_ENDPOINT_URL_STS, the test server). */
static void test_web_identity_credentials(void **state)
{
    struct sqs_env *e = *state;
    char *token = ce_test_write_file(e->dir, "token", "cevents-test-web-identity-token\n");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_ACCESS_KEY");
    unsetenv("AWS_PROFILE");
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/events", 1);
    setenv("AWS_ENDPOINT_URL_STS", ce_test_aws_url(e->aws), 1);
    struct ce_test_proc *p = sqs_start_extra(e, "");
    sqs_check_flow(e);
    char *role = sqs_assumed(e, "AssumeRoleWithWebIdentity");
    assert_non_null(role);
    assert_string_equal(role, "arn:aws:iam::123456789012:role/events");
    ce_free(role);
    ce_test_proc_free(p);
    ce_free(token);
}

/* roleARN: the manifest's keys assume the role (STS AssumeRole) and its keys read the queue. */
static void test_role_arn_assumed(void **state)
{
    struct sqs_env *e = *state;
    setenv("AWS_ENDPOINT_URL_STS", ce_test_aws_url(e->aws), 1);
    struct ce_test_proc *p =
        sqs_start_extra(e, "      roleARN: arn:aws:iam::123456789012:role/reader\n"
                           "      accessKey: {name: aws, key: accesskey}\n"
                           "      secretKey: {name: aws, key: secretkey}\n");
    sqs_check_flow(e);
    char *role = sqs_assumed(e, "AssumeRole");
    assert_non_null(role);
    assert_string_equal(role, "arn:aws:iam::123456789012:role/reader");
    ce_free(role);
    ce_test_proc_free(p);
}

#define SQS_BP_MAX_MSGS 20

/* A stream of SQS_BP_MAX_MSGS messages on its own nats-server, and a durable consumer on
 * default.sts.a that does not fetch (the slow Sensor). */
static struct ce_bus *sqs_small_stream(struct ce_natsd *natsd, struct ce_bus_consumer **slow)
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = ce_natsd_url(natsd);
    cfg.stream.max_msgs = SQS_BP_MAX_MSGS;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    assert_int_equal(ce_bus_consumer_create(bus, "default.sts.a", "slow", slow), CE_OK);
    return bus;
}

static void sqs_drain(struct ce_bus_consumer *slow, int want)
{
    int acked = 0;
    while (acked < want) {
        struct ce_bus_msg *msgs[64];
        int n = 0;
        assert_int_equal(ce_bus_consumer_fetch(slow, 64, 5000, msgs, &n), CE_OK);
        for (int i = 0; i < n; i++) {
            assert_int_equal(ce_bus_msg_ack(msgs[i]), CE_OK);
            ce_bus_msg_destroy(msgs[i]);
        }
        acked += n;
    }
}

/* A bus that is full (a Sensor far behind): messages stay in the queue until it takes events
 * again, then go through. */
static void test_full_bus_keeps_messages(void **state)
{
    struct sqs_env *e = *state;
    char *dir = ce_xasprintf("%s/bp", e->dir);
    struct ce_natsd *natsd = ce_scn_natsd_start(dir);
    struct ce_bus_consumer *slow = NULL;
    struct ce_bus *bus = sqs_small_stream(natsd, &slow);
    struct ce_test_proc *p = sqs_start_on(e, ce_natsd_url(natsd),
                                          "      accessKey: {name: aws, key: accesskey}\n"
                                          "      secretKey: {name: aws, key: secretkey}\n");
    int ok = SQS_BP_MAX_MSGS * 80 / 100;
    for (int i = 0; i < ok; i++) {
        char *id = sqs_send(e, "sts", "{\"n\":1}", NULL);
        struct sqs_wait w = {e, "sts", id};
        assert_true(ce_test_poll(sqs_deleted, &w, 20000));
        ce_free(id);
    }
    assert_true(ce_test_proc_wait_line(p, "a Sensor is too far behind", 1, 20000));
    char *id = sqs_send(e, "sts", "{\"late\":true}", NULL);
    struct sqs_wait w = {e, "sts", id};
    struct sqs_calls c = {e, "ChangeMessageVisibility"};
    assert_true(ce_test_poll(sqs_called, &c, 20000)); /* received, refused, handed back */
    assert_false(sqs_deleted(&w));
    sqs_drain(slow, ok);
    assert_true(ce_test_proc_wait_line(p, "accepting events again", 1, 20000));
    assert_true(ce_test_poll(sqs_deleted, &w, 60000));
    ce_test_proc_free(p);
    ce_free(id);
    ce_bus_consumer_destroy(slow);
    ce_bus_destroy(bus);
    ce_natsd_destroy(natsd);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_to_event),
        cmocka_unit_test(test_raw_body_is_base64),
        cmocka_unit_test(test_not_json_deleted_and_counted),
        cmocka_unit_test(test_bus_down_keeps_messages),
        cmocka_unit_test(test_unacknowledged_message_handed_back),
        cmocka_unit_test(test_sigterm_ends_the_long_poll),
        cmocka_unit_test(test_missing_queue_not_ready),
        cmocka_unit_test(test_web_identity_credentials),
        cmocka_unit_test(test_role_arn_assumed),
        cmocka_unit_test(test_full_bus_keeps_messages),
        cmocka_unit_test(test_lint_every_field),
        cmocka_unit_test(test_lint_refusals),
    };
    return ce_test_run(argc, argv, tests, sqs_setup, sqs_teardown);
}
