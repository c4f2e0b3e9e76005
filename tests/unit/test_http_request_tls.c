/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/http/request over HTTPS against the recording server with a self-signed
 * certificate made by openssl: trusted through caCertSecret, refused without it (a retryable
 * transport failure), accepted with insecureSkipVerify; a client key that is not a key is a
 * permanent failure. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "core/http/request.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

struct tt_ctx {
    char *dir, *secrets;
    struct ce_recorder *rec;
    struct ce_http_client *client;
};

/* A self-signed certificate for 127.0.0.1 in dir/tls.crt and dir/tls.key. */
static void tt_make_cert(const char *dir)
{
    char *crt = ce_xasprintf("%s/tls.crt", dir);
    char *key = ce_xasprintf("%s/tls.key", dir);
    char *const argv[] = {"openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:prime256v1",
                          "-nodes",
                          "-days",
                          "1",
                          "-subj",
                          "/CN=127.0.0.1",
                          "-addext",
                          "subjectAltName=IP:127.0.0.1",
                          "-keyout",
                          key,
                          "-out",
                          crt,
                          NULL};
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(p, 60000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ce_test_proc_free(p);
    ce_free(crt);
    ce_free(key);
}

static int tt_setup(void **state)
{
    struct tt_ctx *c = ce_xcalloc(1, sizeof(*c));
    c->dir = ce_test_tmpdir("http-tls");
    c->secrets = ce_xasprintf("%s/secrets", c->dir);
    char *tls_dir = ce_xasprintf("%s/server-tls", c->secrets);
    assert_int_equal(mkdir(c->secrets, 0700), 0);
    assert_int_equal(mkdir(tls_dir, 0700), 0);
    tt_make_cert(tls_dir);
    ce_free(ce_test_write_file(tls_dir, "garbage", "-----BEGIN PRIVATE KEY-----\nnope\n"));
    char *crt_path = ce_xasprintf("%s/tls.crt", tls_dir);
    char *key_path = ce_xasprintf("%s/tls.key", tls_dir);
    char *crt = ce_test_read_file(crt_path, NULL);
    char *key = ce_test_read_file(key_path, NULL);
    assert_non_null(crt);
    assert_non_null(key);
    c->rec = ce_recorder_start(crt, key);
    c->client = ce_http_client_create();
    ce_free(crt);
    ce_free(key);
    ce_free(crt_path);
    ce_free(key_path);
    ce_free(tls_dir);
    *state = c;
    return 0;
}

static int tt_teardown(void **state)
{
    struct tt_ctx *c = *state;
    ce_http_client_destroy(c->client);
    ce_recorder_stop(c->rec);
    ce_test_rmtree(c->dir);
    ce_free(c->dir);
    ce_free(c->secrets);
    ce_free(c);
    return 0;
}

/* Sends to the recorder with the given tls block ("" for none) and returns the send's rc. */
static int tt_send(struct tt_ctx *c, const char *tls, struct ce_http_outcome *o)
{
    char *url = ce_recorder_url(c->rec, "/secure");
    assert_non_null(strstr(url, "https://"));
    char *text = ce_xasprintf("{\"url\":\"%s\"%s%s}", url, tls[0] ? ",\"tls\":" : "", tls);
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    struct ce_http_target *t = NULL;
    char err[256] = "";
    if (ce_http_target_from_json(j, c->secrets, NULL, &t, err, sizeof(err)) != CE_OK) {
        fail_msg("%s: %s", text, err);
    }
    int rc = ce_http_send(c->client, t, NULL, "{}", 2, o);
    ce_http_target_destroy(t);
    json_decref(j);
    ce_free(text);
    ce_free(url);
    return rc;
}

static void test_ca_cert_secret(void **state)
{
    struct tt_ctx *c = *state;
    struct ce_http_outcome o;
    assert_int_equal(
        tt_send(c, "{\"caCertSecret\":{\"name\":\"server-tls\",\"key\":\"tls.crt\"}}", &o), CE_OK);
    assert_int_equal(o.status, 200);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_OK);
    assert_true(ce_recorder_wait(c->rec, 1, 5000));
    struct ce_rec_request *q = ce_recorder_request(c->rec, 0);
    assert_string_equal(q->method, "POST");
    assert_string_equal(q->body, "{}");
    ce_rec_request_free(q);
}

static void test_untrusted_is_retryable(void **state)
{
    struct tt_ctx *c = *state;
    struct ce_http_outcome o;
    int before = ce_recorder_count(c->rec);
    assert_int_equal(tt_send(c, "", &o), CE_EUNAVAIL);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.failure, CE_HTTP_FAIL_TRANSPORT);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_RETRY);
    assert_int_equal(ce_recorder_count(c->rec), before);
    assert_non_null(strstr(o.err, "127.0.0.1"));
}

static void test_insecure_skip_verify(void **state)
{
    struct tt_ctx *c = *state;
    struct ce_http_outcome o;
    assert_int_equal(tt_send(c, "{\"insecureSkipVerify\":true}", &o), CE_OK);
    assert_int_equal(o.status, 200);
    /* a client certificate with its key is presented (the server does not ask for one) */
    assert_int_equal(tt_send(c,
                             "{\"insecureSkipVerify\":true,"
                             "\"clientCertSecret\":{\"name\":\"server-tls\",\"key\":\"tls.crt\"},"
                             "\"clientKeySecret\":{\"name\":\"server-tls\",\"key\":\"tls.key\"}}",
                             &o),
                     CE_OK);
    assert_int_equal(o.status, 200);
}

static void test_bad_client_key_is_permanent(void **state)
{
    struct tt_ctx *c = *state;
    struct ce_http_outcome o;
    int rc = tt_send(c,
                     "{\"caCertSecret\":{\"name\":\"server-tls\",\"key\":\"tls.crt\"},"
                     "\"clientCertSecret\":{\"name\":\"server-tls\",\"key\":\"tls.crt\"},"
                     "\"clientKeySecret\":{\"name\":\"server-tls\",\"key\":\"garbage\"}}",
                     &o);
    assert_int_equal(rc, CE_EINVAL);
    assert_int_equal(o.failure, CE_HTTP_FAIL_LOCAL);
    assert_int_equal(ce_http_classify(&o, NULL, 0), CE_EINVAL);
}

int main(int argc, char **argv)
{
    ce_test_require_program("openssl");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_cert_secret),
        cmocka_unit_test(test_untrusted_is_retryable),
        cmocka_unit_test(test_insecure_skip_verify),
        cmocka_unit_test(test_bad_client_key_is_permanent),
    };
    /* one certificate and one server for the group: making a key is the slow part */
    return ce_test_run(argc, argv, tests, tt_setup, tt_teardown);
}
