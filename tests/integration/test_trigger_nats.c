/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS trigger end to end: webhook → nats-server (the bus) → Sensor → a second nats-server
 * started by the test, where a subscriber checks the message's bytes. Token, user/password and
 * NKey authentication each reach a server that demands them; a server that is down when the
 * trigger fires gets the message once it is back, through retryStrategy; `cevents lint` takes
 * every field of Argo's NATS trigger and names bad ones at file:line:col; `cevents explain`
 * shows the subject and the payload. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <nats/nats.h>

#define NT_SUBJECT "cevents.out"
#define NT_PAYLOAD                                                                                 \
    "{\"message\":\"this is my first webhook\",\"copy\":{\"body\":{\"message\":\"this is my "      \
    "first webhook\"}},\"answer\":\"42\"}"

struct nt_env {
    char *dir;
    char *secrets;
    struct ce_natsd *bus;
    struct ce_test_proc *es;
    struct ce_test_proc *target; /* the trigger's nats-server */
    char *target_conf;
    int target_port;
    int port;
    natsConnection *sub_nc;
    natsSubscription *sub;
};

static int nt_setup(void **state)
{
    struct nt_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("trigger-nats");
    e->secrets = ce_xasprintf("%s/secrets", e->dir);
    e->bus = ce_scn_natsd_start(e->dir);
    e->port = ce_test_free_port();
    e->target_port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook.yaml", e->port);
    e->es = ce_scn_start("eventsource", es_file, ce_natsd_url(e->bus), 0, NULL,
                         "Eventing server started.");
    ce_free(es_file);
    *state = e;
    return 0;
}

static int nt_teardown(void **state)
{
    struct nt_env *e = *state;
    natsSubscription_Destroy(e->sub);
    natsConnection_Destroy(e->sub_nc);
    ce_test_proc_free(e->es);
    ce_test_proc_free(e->target);
    ce_natsd_destroy(e->bus);
    ce_test_rmtree(e->dir);
    ce_free(e->target_conf);
    ce_free(e->secrets);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* A secret file secrets/<name>/<key>. */
static void nt_secret(struct nt_env *e, const char *name, const char *key, const char *value)
{
    char *d = ce_xasprintf("%s/%s", e->secrets, name);
    char *mk = ce_xasprintf("mkdir -p '%s'", d);
    assert_int_equal(system(mk), 0);
    ce_free(ce_test_write_file(d, key, value));
    ce_free(mk);
    ce_free(d);
}

/* (Re)starts the trigger's nats-server on its port with conf (nats-server's config text). */
static void nt_target_start(struct nt_env *e, const char *conf)
{
    if (conf != NULL) {
        ce_free(e->target_conf);
        char *path = ce_test_write_file(e->dir, "target.conf", conf);
        e->target_conf = path;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", e->target_port);
    char *const argv[] = {"nats-server", "-a", "127.0.0.1", "-p", port, "-c", e->target_conf, NULL};
    e->target = ce_test_proc_start(argv);
    assert_non_null(e->target);
    assert_true(ce_test_proc_wait_line(e->target, "Server is ready", 1, 10000));
}

static void nt_target_stop(struct nt_env *e)
{
    (void)ce_test_proc_stop(e->target, 5000);
    ce_test_proc_free(e->target);
    e->target = NULL;
}

/* The test's own subscriber on NT_SUBJECT, reconnecting quickly after a restart. */
static void nt_subscribe(struct nt_env *e, natsOptions *o)
{
    char url[64];
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", e->target_port);
    assert_int_equal(natsOptions_SetURL(o, url), NATS_OK);
    assert_int_equal(natsOptions_SetMaxReconnect(o, -1), NATS_OK);
    assert_int_equal(natsOptions_SetReconnectWait(o, 20), NATS_OK);
    assert_int_equal(natsConnection_Connect(&e->sub_nc, o), NATS_OK);
    natsOptions_Destroy(o);
    assert_int_equal(natsConnection_SubscribeSync(&e->sub, e->sub_nc, NT_SUBJECT), NATS_OK);
    assert_int_equal(natsConnection_FlushTimeout(e->sub_nc, 5000), NATS_OK);
}

static natsOptions *nt_opts(void)
{
    natsOptions *o = NULL;
    assert_int_equal(natsOptions_Create(&o), NATS_OK);
    return o;
}

static struct ce_test_proc *nt_start_sensor(struct nt_env *e, const char *auth_block)
{
    char url[64];
    snprintf(url, sizeof url, "nats://127.0.0.1:%d", e->target_port);
    char *file = ce_test_data_write(e->dir, "sensor.yaml", "sensors/nats-trigger.yaml",
                                    "TARGET_URL", url, "AUTH", auth_block, NULL);
    const char *extra[] = {"--secrets-dir", e->secrets, NULL};
    struct ce_test_proc *sn =
        ce_scn_start("sensor", file, ce_natsd_url(e->bus), 0, extra, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    return sn;
}

/* Waits for the next message on the subscription and checks its bytes. */
static void nt_expect_message(struct nt_env *e, const char *want)
{
    natsMsg *m = NULL;
    assert_int_equal(natsSubscription_NextMsg(&m, e->sub, 20000), NATS_OK);
    assert_string_equal(natsMsg_GetSubject(m), NT_SUBJECT);
    assert_int_equal(natsMsg_GetDataLength(m), (int)strlen(want));
    assert_memory_equal(natsMsg_GetData(m), want, strlen(want));
    natsMsg_Destroy(m);
}

static void nt_post(struct nt_env *e)
{
    char id[33];
    assert_int_equal(ce_scn_post(e->port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
}

static void test_payload_bytes(void **state)
{
    struct nt_env *e = *state;
    nt_target_start(e, "# no auth\n");
    nt_subscribe(e, nt_opts());
    struct ce_test_proc *sn = nt_start_sensor(e, "");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'nats-trigger'", 1, 10000));
    /* the connection is kept: a second firing publishes again, once */
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'nats-trigger'", 2, 10000));
    assert_int_equal(ce_test_proc_count(sn, "Failed to execute a trigger"), 0);
    ce_test_proc_free(sn);
}

static void test_token_auth(void **state)
{
    struct nt_env *e = *state;
    nt_target_start(e, "authorization { token: \"t0ken-s3cret\" }\n");
    natsOptions *o = nt_opts();
    assert_int_equal(natsOptions_SetToken(o, "t0ken-s3cret"), NATS_OK);
    nt_subscribe(e, o);
    nt_secret(e, "nats-auth", "token", "t0ken-s3cret\n");
    struct ce_test_proc *sn = nt_start_sensor(e, "        auth:\n"
                                                 "          token: {name: nats-auth, key: token}");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    ce_test_proc_free(sn);
}

static void test_user_password_auth(void **state)
{
    struct nt_env *e = *state;
    nt_target_start(e, "authorization { user: alice, password: \"w0nder land\" }\n");
    natsOptions *o = nt_opts();
    assert_int_equal(natsOptions_SetUserInfo(o, "alice", "w0nder land"), NATS_OK);
    nt_subscribe(e, o);
    nt_secret(e, "nats-user", "username", "alice");
    nt_secret(e, "nats-user", "password", "w0nder land\n");
    struct ce_test_proc *sn =
        nt_start_sensor(e, "        auth:\n"
                           "          basic:\n"
                           "            username: {name: nats-user, key: username}\n"
                           "            password: {name: nats-user, key: password}");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    ce_test_proc_free(sn);
}

/* A wrong password is refused by the server: every attempt fails, none publishes. */
static void test_wrong_password_fails(void **state)
{
    struct nt_env *e = *state;
    nt_target_start(e, "authorization { user: alice, password: right }\n");
    natsOptions *o = nt_opts();
    assert_int_equal(natsOptions_SetUserInfo(o, "alice", "right"), NATS_OK);
    nt_subscribe(e, o);
    nt_secret(e, "nats-user", "username", "alice");
    nt_secret(e, "nats-user", "password", "wrong");
    struct ce_test_proc *sn =
        nt_start_sensor(e, "        auth:\n"
                           "          basic:\n"
                           "            username: {name: nats-user, key: username}\n"
                           "            password: {name: nats-user, key: password}");
    nt_post(e);
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 2, 20000));
    assert_true(ce_test_proc_count(sn, "uthorization") > 0);
    natsMsg *m = NULL;
    assert_int_equal(natsSubscription_NextMsg(&m, e->sub, 200), NATS_TIMEOUT);
    assert_int_equal(ce_test_proc_count(sn, "Successfully processed"), 0);
    ce_test_proc_free(sn);
}

static void test_nkey_auth(void **state)
{
    struct nt_env *e = *state;
    char *pub = ce_test_data("nats/user.pub", NULL);
    char *seed = ce_test_data("nats/user.nk", NULL);
    pub[strcspn(pub, "\n")] = '\0';
    char *conf = ce_xasprintf("authorization { users = [ { nkey: %s } ] }\n", pub);
    nt_target_start(e, conf);
    char *seed_file = ce_test_write_file(e->dir, "sub.nk", seed);
    natsOptions *o = nt_opts();
    assert_int_equal(natsOptions_SetNKeyFromSeed(o, pub, seed_file), NATS_OK);
    nt_subscribe(e, o);
    nt_secret(e, "nats-nkey", "user.nk", seed);
    struct ce_test_proc *sn = nt_start_sensor(e, "        auth:\n"
                                                 "          nkey: {name: nats-nkey, key: user.nk}");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    ce_test_proc_free(sn);
    ce_free(seed_file);
    ce_free(conf);
    ce_free(seed);
    ce_free(pub);
}

/* A self-signed certificate for 127.0.0.1 in secrets/nats-tls/tls.crt and tls.key. */
static void nt_make_cert(struct nt_env *e)
{
    if (!ce_test_have_program("openssl")) {
        ce_test_skip("openssl is not installed");
    }
    nt_secret(e, "nats-tls", "tls.crt", "");
    char *crt = ce_xasprintf("%s/nats-tls/tls.crt", e->secrets);
    char *key = ce_xasprintf("%s/nats-tls/tls.key", e->secrets);
    char *const argv[] = {"openssl",  "req",
                          "-x509",    "-newkey",
                          "rsa:2048", "-nodes",
                          "-days",    "1",
                          "-subj",    "/CN=127.0.0.1",
                          "-addext",  "subjectAltName=IP:127.0.0.1",
                          "-keyout",  key,
                          "-out",     crt,
                          NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 60000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ce_test_proc_free(p);
    ce_free(key);
    ce_free(crt);
}

/* A server that speaks only TLS, its certificate trusted through tls.caCertSecret; the Sensor
 * still stops cleanly after using TLS. */
static void test_tls_with_ca(void **state)
{
    struct nt_env *e = *state;
    nt_make_cert(e);
    char *conf = ce_xasprintf("tls { cert_file: \"%s/nats-tls/tls.crt\", key_file: "
                              "\"%s/nats-tls/tls.key\" }\n",
                              e->secrets, e->secrets);
    nt_target_start(e, conf);
    char *crt = ce_xasprintf("%s/nats-tls/tls.crt", e->secrets);
    natsOptions *o = nt_opts();
    assert_int_equal(natsOptions_SetSecure(o, true), NATS_OK);
    assert_int_equal(natsOptions_LoadCATrustedCertificates(o, crt), NATS_OK);
    nt_subscribe(e, o);
    struct ce_test_proc *sn =
        nt_start_sensor(e, "        tls:\n"
                           "          caCertSecret: {name: nats-tls, key: tls.crt}");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'nats-trigger'", 1, 10000));
    int status = ce_test_proc_stop(sn, 10000);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ce_test_proc_free(sn);
    ce_free(crt);
    ce_free(conf);
}

/* The server goes away after a first firing: the next one fails (retryable) while it is down,
 * and is delivered by a retry once it is back on the same port. */
static void test_server_down_then_back(void **state)
{
    struct nt_env *e = *state;
    nt_target_start(e, "# no auth\n");
    nt_subscribe(e, nt_opts());
    struct ce_test_proc *sn = nt_start_sensor(e, "");
    nt_post(e);
    nt_expect_message(e, NT_PAYLOAD);
    nt_target_stop(e);
    nt_post(e);
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 2, 20000));
    nt_target_start(e, NULL);
    /* the subscriber reconnects within 20 ms, the trigger's connection within a second */
    assert_true(
        CE_TEST_WAIT_UNTIL(natsConnection_Status(e->sub_nc) == NATS_CONN_STATUS_CONNECTED, 10000));
    nt_expect_message(e, NT_PAYLOAD);
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'nats-trigger'", 2, 20000));
    assert_int_equal(ce_test_proc_count(sn, "trigger failed after its retries"), 0);
    ce_test_proc_free(sn);
}

static void test_lint_takes_every_field(void **state)
{
    struct nt_env *e = *state;
    char *file =
        ce_test_data_write(e->dir, "fields.yaml", "sensors/nats-trigger-fields.yaml", NULL);
    ce_scn_lint_clean(file);
    ce_free(file);
}

static void test_lint_names_bad_fields(void **state)
{
    struct nt_env *e = *state;
    char *file =
        ce_test_write_file(e->dir, "bad.yaml",
                           CE_SCN_SENSOR_HEAD "      nats:\n"
                                              "        subject: \"a b\"\n"
                                              "        payload:\n"
                                              "        - src: {value: x}\n"
                                              "        tls:\n"
                                              "          clientCertSecret: {name: s, key: k}\n"
                                              "        auth:\n"
                                              "          basic: {username: {name: u, key: u}}\n"
                                              "          tokn: {name: t, key: t}\n");
    int status = 0;
    char *out = ce_scn_cevents((const char *const[]){"lint", "--strict", file, NULL}, &status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ce_scn_has(out, "bad.yaml:11:9: error: spec.triggers[0].template.nats.url: required field is "
                    "missing");
    ce_scn_has(out, "bad.yaml:11:18: error: spec.triggers[0].template.nats.subject: a NATS subject "
                    "cannot hold white space");
    ce_scn_has(out, "bad.yaml:13:16: error: spec.triggers[0].template.nats.payload[0].src."
                    "dependencyName");
    ce_scn_has(out, "spec.triggers[0].template.nats.payload[0].dest");
    ce_scn_has(out,
               "bad.yaml:15:11: error: spec.triggers[0].template.nats.tls: clientCertSecret and "
               "clientKeySecret go together");
    ce_scn_has(out,
               "spec.triggers[0].template.nats.auth.basic.password: required field is missing");
    ce_scn_has(out,
               "bad.yaml:18:11: error: spec.triggers[0].template.nats.auth.tokn: unknown field");
    ce_free(out);
    ce_free(file);
}

static void test_explain_shows_subject_and_payload(void **state)
{
    struct nt_env *e = *state;
    char *file = ce_test_data_write(e->dir, "s.yaml", "sensors/nats-trigger.yaml", "TARGET_URL",
                                    "nats://user:pw@127.0.0.1:4222", "AUTH", "", NULL);
    char *ev = ce_test_write_file(e->dir, "ev.json", "{\"body\":{\"message\":\"hi\"}}");
    char *out =
        ce_scn_cevents_ok((const char *const[]){"explain", "-f", file, "--event", ev, NULL});
    ce_scn_has(
        out, "  would publish to NATS subject \"cevents.out\" at "
             "nats://user:xxxxx@127.0.0.1:4222\n"
             "    payload (63 bytes): {\"message\":\"hi\",\"copy\":{\"body\":{\"message\":\"hi\"}},"
             "\"answer\":\"42\"}");
    ce_free(out);
    ce_free(ev);
    ce_free(file);
}

/* The block's parameters edit the payload list, the trigger's parameters the subject. */
static void test_explain_parameters(void **state)
{
    struct nt_env *e = *state;
    char *file =
        ce_test_data_write(e->dir, "fields.yaml", "sensors/nats-trigger-fields.yaml", NULL);
    char *ev = ce_test_write_file(e->dir, "ev.json", CE_SCN_S3_EVENT);
    char *out = ce_scn_cevents_ok((const char *const[]){"explain", "-f", file, "--event", ev,
                                                        "--dependency", "test-dep", NULL});
    ce_scn_has(out,
               "  would publish to NATS subject \"minio-eventsb1\" at nats.argo-events.svc:4222\n"
               "    payload (38 bytes): {\"fileName\":\"k.txt\",\"bucketName\":\"b1\"}");
    ce_free(out);
    ce_free(ev);
    ce_free(file);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payload_bytes),
        cmocka_unit_test(test_token_auth),
        cmocka_unit_test(test_user_password_auth),
        cmocka_unit_test(test_wrong_password_fails),
        cmocka_unit_test(test_nkey_auth),
        cmocka_unit_test(test_tls_with_ca),
        cmocka_unit_test(test_server_down_then_back),
        cmocka_unit_test(test_lint_takes_every_field),
        cmocka_unit_test(test_lint_names_bad_fields),
        cmocka_unit_test(test_explain_shows_subject_and_payload),
        cmocka_unit_test(test_explain_parameters),
    };
    return ce_test_run(argc, argv, tests, nt_setup, nt_teardown);
}
