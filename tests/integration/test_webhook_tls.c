/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook EventSource serving HTTPS from serverCertSecret/serverKeySecret: a client that
 * trusts the certificate gets 200 and the event reaches the bus; plain HTTP on that port gets
 * no answer; a manifest whose key secret is missing is refused at start, naming the secret. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

/* A self-signed certificate for 127.0.0.1 in dir/tls.crt and dir/tls.key, made by openssl. */
static void tls_make_cert(const char *dir)
{
    char *crt = ce_xasprintf("%s/tls.crt", dir);
    char *key = ce_xasprintf("%s/tls.key", dir);
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
    ce_free(crt);
    ce_free(key);
}

/* The EventSource tests/data/eventsources/webhook-tls.yaml with the key secret's key name. */
static char *tls_write_manifest(const char *dir, const char *key_name, int port)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", port);
    return ce_test_data_write(dir, "es.yaml", "eventsources/webhook-tls.yaml", "PORT", num, "KEY",
                              key_name, NULL);
}

static void test_https(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("webhook-tls");
    struct ce_natsd *natsd = ce_scn_natsd_start(dir);
    char *secrets = ce_xasprintf("%s/secrets", dir);
    char *tls_dir = ce_xasprintf("%s/webhook-tls", secrets);
    assert_int_equal(mkdir(secrets, 0700), 0);
    assert_int_equal(mkdir(tls_dir, 0700), 0);
    tls_make_cert(tls_dir);
    int port = ce_test_free_port();
    char *file = tls_write_manifest(dir, "tls.key", port);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    struct ce_test_proc *es = ce_scn_start("eventsource", file, ce_natsd_url(natsd),
                                           ce_test_free_port(), extra, "Eventing server started.");

    char *ca = ce_xasprintf("%s/tls.crt", tls_dir);
    ce_test_http_set_ca(ca);
    char url[128];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/example", port);
    const char *headers[] = {"Content-Type: application/json", NULL};
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("POST", url, headers, "{\"a\":1}", 7, 20000, &r), 0);
    assert_int_equal(r.status, 200);
    char *id = ce_test_http_header(&r, "X-Cevents-Event-Id");
    assert_non_null(id);
    ce_test_http_resp_fini(&r);
    char *stored = NULL, *msg_id = NULL;
    assert_int_equal(
        ce_scn_js_last(ce_natsd_url(natsd), "default.webhook.example", &stored, &msg_id), 0);
    assert_string_equal(msg_id, id);

    /* Plain HTTP to the TLS port is not answered as HTTP. */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/example", port);
    int rc = ce_test_http("POST", url, headers, "{}", 2, 5000, &r);
    assert_true(rc != 0 || r.status != 200);
    ce_test_http_resp_fini(&r);
    ce_test_http_set_ca(NULL);

    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ce_free(stored);
    ce_free(msg_id);
    ce_free(id);
    ce_free(ca);
    ce_free(file);

    /* A key secret that does not exist: the EventSource refuses to start and says which. */
    port = ce_test_free_port();
    file = tls_write_manifest(dir, "missing.key", port);
    const char *args[] = {
        "eventsource",   "-f",    file, "--bus", ce_natsd_url(natsd), "--metrics-port", "0",
        "--secrets-dir", secrets, NULL};
    struct ce_test_proc *bad = ce_test_proc_start_cevents(args);
    int status = 0;
    assert_true(ce_test_proc_wait_exit(bad, 20000, &status));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    assert_true(ce_test_proc_count(bad, "missing.key") > 0);
    ce_test_proc_free(bad);

    ce_natsd_destroy(natsd);
    ce_test_rmtree(dir);
    ce_free(file);
    ce_free(tls_dir);
    ce_free(secrets);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_require_program("openssl");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
