/* SPDX-License-Identifier: Apache-2.0 */
/* The sns EventSource against a real nats-server and the SNS test server
 * (tests/fixtures/aws_server.py): the subscription handshake, signed notifications (signature
 * versions 1 and 2) published with Argo's data, badly signed ones refused, 503 while the bus is
 * down, and the subscription cancelled on SIGTERM. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/aws.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define SNS_TOPIC "arn:aws:sns:us-east-1:000000000000:uploads"
#define SNS_SUBJECT "default.sns.example"

struct sns_env {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_aws *aws;
    struct ce_test_proc *es;
    int port;
};

static json_t *sns_state(struct sns_env *e)
{
    return ce_test_aws_ctl(e->aws, "state", NULL);
}

/* Whether the fixture holds a confirmed subscription to the route. */
static bool sns_confirmed(void *arg)
{
    struct sns_env *e = arg;
    json_t *st = sns_state(e);
    const char *arn;
    json_t *sub;
    bool yes = false;
    json_object_foreach(json_object_get(st, "subs"), arn, sub)
    {
        yes = yes || json_is_true(json_object_get(sub, "confirmed"));
    }
    json_decref(st);
    return yes;
}

static int sns_setup(void **state)
{
    struct sns_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    e->dir = ce_test_tmpdir("sns");
    e->aws = ce_test_aws_start(NULL);
    setenv("AWS_ENDPOINT_URL_STS", ce_test_aws_url(e->aws), 1); /* for roleARN */
    e->natsd = ce_scn_natsd_start(e->dir);
    char *secrets = ce_xasprintf("%s/secrets", e->dir);
    ce_test_aws_write_secret(secrets, "aws");
    e->port = ce_test_free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", e->port);
    char *file = ce_test_data_write(e->dir, "es.yaml", "eventsources/aws-sns-fixture.yaml", "PORT",
                                    port, "AWS", ce_test_aws_url(e->aws), NULL);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    e->es = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd), ce_test_free_port(), extra,
                         "Eventing server started.");
    assert_true(ce_test_poll(sns_confirmed, e, 20000));
    ce_free(file);
    ce_free(secrets);
    *state = e;
    return 0;
}

static int sns_teardown(void **state)
{
    struct sns_env *e = *state;
    ce_test_proc_free(e->es);
    ce_test_aws_stop(e->aws);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* Publishes message through the fixture; the HTTP status the route answered. */
static long sns_publish(struct sns_env *e, const char *message, const char *sigver, const char *bad)
{
    json_t *r = ce_test_aws_ctl(e->aws, "publish", "topic", SNS_TOPIC, "message", message,
                                "subject", "upload", "sigver", sigver, "bad", bad, NULL);
    json_t *d = json_array_get(json_object_get(r, "deliveries"), 0);
    assert_non_null(d);
    long status = (long)json_integer_value(json_object_get(d, "status"));
    json_decref(r);
    return status;
}

/* The data of the last event on the bus, parsed. */
static json_t *sns_last_data(struct sns_env *e)
{
    char *text = ce_scn_js_last_data(ce_natsd_url(e->natsd), SNS_SUBJECT, NULL, NULL);
    json_t *data = json_loads(text, 0, NULL);
    assert_non_null(data);
    ce_free(text);
    return data;
}

static void test_confirmation_handshake(void **state)
{
    struct sns_env *e = *state;
    assert_true(ce_test_proc_wait_line(e->es, "subscription successfully confirmed", 1, 10000));
    json_t *st = sns_state(e);
    const char *arn;
    json_t *sub;
    json_object_foreach(json_object_get(st, "subs"), arn, sub)
    {
        char want[64];
        snprintf(want, sizeof want, "http://127.0.0.1:%d/sns", e->port);
        assert_string_equal(json_string_value(json_object_get(sub, "endpoint")), want);
        assert_string_equal(json_string_value(json_object_get(sub, "protocol")), "http");
    }
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "calls"), "Subscribe")),
                     1);
    /* the calls were made with the keys of roleARN's role */
    json_t *assumed = json_array_get(json_object_get(st, "assumed"), 0);
    assert_string_equal(json_string_value(json_object_get(assumed, "action")), "AssumeRole");
    assert_string_equal(json_string_value(json_object_get(assumed, "role")),
                        "arn:aws:iam::000000000000:role/sns-subscriber");
    json_decref(st);
}

static void sns_check_event(struct sns_env *e, const char *message)
{
    json_t *data = sns_last_data(e);
    json_t *body = json_object_get(data, "body");
    assert_string_equal(json_string_value(json_object_get(body, "Type")), "Notification");
    assert_string_equal(json_string_value(json_object_get(body, "Message")), message);
    assert_string_equal(json_string_value(json_object_get(body, "TopicArn")), SNS_TOPIC);
    json_t *hdr = json_object_get(json_object_get(data, "header"), "X-Amz-Sns-Message-Type");
    assert_string_equal(json_string_value(json_array_get(hdr, 0)), "Notification");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(data, "metadata"), "team")), "data");
    assert_int_equal(json_object_size(data), 3);
    json_decref(data);
}

static void test_signed_notifications(void **state)
{
    struct sns_env *e = *state;
    long long before = ce_scn_js_count(ce_natsd_url(e->natsd));
    const char *s3 = "{\"Records\":[{\"s3\":{\"object\":{\"key\":\"a.csv\"}}}]}";
    assert_int_equal(sns_publish(e, s3, "1", "none"), 200);
    sns_check_event(e, s3);
    assert_int_equal(sns_publish(e, "second <b>&</b>", "2", "none"), 200);
    sns_check_event(e, "second <b>&</b>");
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->natsd)), before + 2);
    /* the certificate was fetched once, for the confirmation, and kept */
    json_t *st = sns_state(e);
    assert_int_equal(json_integer_value(json_object_get(st, "cert_fetches")), 1);
    json_decref(st);
}

static void test_bad_signatures_refused(void **state)
{
    struct sns_env *e = *state;
    long long before = ce_scn_js_count(ce_natsd_url(e->natsd));
    assert_int_equal(sns_publish(e, "forged", "1", "sig"), 400);
    assert_int_equal(sns_publish(e, "forged", "2", "sig"), 400);
    assert_int_equal(sns_publish(e, "unsigned", "1", "unsigned"), 400);
    assert_int_equal(sns_publish(e, "elsewhere", "2", "certhost"), 400);
    assert_int_equal(ce_scn_js_count(ce_natsd_url(e->natsd)), before);
    assert_true(ce_test_proc_wait_line(e->es, "failed to verify sns message", 4, 5000));
    /* a good one still goes through */
    assert_int_equal(sns_publish(e, "fine", "1", "none"), 200);
}

static void test_bus_down_answers_503(void **state)
{
    struct sns_env *e = *state;
    ce_natsd_stop(e->natsd);
    assert_int_equal(sns_publish(e, "while down", "1", "none"), 503);
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    /* SNS delivers again: once the bus is back the message goes through */
    long status = 503;
    int64_t until = ce_test_now_ms() + 30000;
    while (status != 200 && ce_test_now_ms() < until) {
        status = sns_publish(e, "after", "1", "none");
        if (status != 200) {
            ce_test_sleep_ms(200);
        }
    }
    assert_int_equal(status, 200);
}

/* Whether the fixture recorded a delivery's answer. */
static bool sns_delivered(void *arg)
{
    struct sns_env *e = arg;
    json_t *st = sns_state(e);
    bool yes = json_array_size(json_object_get(st, "deliveries")) > 0;
    json_decref(st);
    return yes;
}

/* A SubscriptionConfirmation whose signature does not check out is not confirmed. */
static void test_forged_confirmation_refused(void **state)
{
    struct sns_env *e = *state;
    const char *args[] = {"--confirm-bad", "sig", NULL};
    struct ce_test_aws *aws = ce_test_aws_start(args);
    setenv("AWS_ENDPOINT_URL_STS", ce_test_aws_url(aws), 1); /* its keys work on that server */
    char port[16];
    snprintf(port, sizeof port, "%d", ce_test_free_port());
    char *secrets = ce_xasprintf("%s/secrets", e->dir);
    char *file = ce_test_data_write(e->dir, "forged.yaml", "eventsources/aws-sns-fixture.yaml",
                                    "PORT", port, "AWS", ce_test_aws_url(aws), NULL);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    struct ce_test_proc *p = ce_scn_start("eventsource", file, ce_natsd_url(e->natsd),
                                          ce_test_free_port(), extra, "Eventing server started.");
    assert_true(ce_test_proc_wait_line(p, "failed to verify sns message", 1, 20000));
    /* the server records the answer once it has read it */
    struct sns_env other = {.aws = aws};
    assert_true(ce_test_poll(sns_delivered, &other, 10000));
    json_t *st = ce_test_aws_ctl(aws, "state", NULL);
    assert_null(json_object_get(json_object_get(st, "calls"), "ConfirmSubscription"));
    json_t *d = json_array_get(json_object_get(st, "deliveries"), 0);
    assert_int_equal(json_integer_value(json_object_get(d, "status")), 400);
    json_decref(st);
    ce_test_proc_free(p);
    ce_test_aws_stop(aws);
    ce_free(file);
    ce_free(secrets);
}

static void test_unsubscribe_on_sigterm(void **state)
{
    struct sns_env *e = *state;
    /* The server confirming is not enough: the EventSource must have the subscription's ARN
     * from the Subscribe answer, which it says once it keeps it. */
    assert_true(
        ce_test_proc_wait_line(e->es, "subscription successfully confirmed to aws sns", 1, 20000));
    assert_int_equal(ce_test_proc_signal(e->es, SIGTERM), 0);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(e->es, 20000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(ce_test_proc_count(e->es, "unsubscribed from the sns topic"), 1);
    json_t *st = sns_state(e);
    assert_int_equal(json_object_size(json_object_get(st, "subs")), 0);
    json_decref(st);
}

/* `cevents lint [--strict] file`: the exit status and the output. */
static int sns_lint(const char *file, bool strict, char **out)
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
    char *file = ce_xasprintf("%s/%s", CE_TEST_DATA_DIR, "eventsources/aws-sns-all-fields.yaml");
    char *out = NULL;
    assert_int_equal(sns_lint(file, true, &out), 0);
    assert_non_null(strstr(out, "0 errors"));
    ce_free(out);
    ce_free(file);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confirmation_handshake),
        cmocka_unit_test(test_signed_notifications),
        cmocka_unit_test(test_bad_signatures_refused),
        cmocka_unit_test(test_bus_down_answers_503),
        cmocka_unit_test(test_forged_confirmation_refused),
        cmocka_unit_test(test_unsubscribe_on_sigterm),
        cmocka_unit_test(test_lint_every_field), /* keep one per line */
    };
    return ce_test_run(argc, argv, tests, sns_setup, sns_teardown);
}
