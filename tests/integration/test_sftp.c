/* SPDX-License-Identifier: Apache-2.0 */
/* The sftp EventSource against a real nats-server and a real OpenSSH sshd (internal-sftp,
 * key login, host key checked): new files fire CREATE and removed ones REMOVE, under the
 * entry's name as Argo reports it; the first listing is only recorded; SIGKILLed and restarted
 * with files added and removed meanwhile, it fires each of those once and nothing old again;
 * the server stopped means /readyz 503, reconnects logged and counted, and it recovers when the
 * server is back; a host key not in known_hosts is refused; lint checks the fields. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"
#include "tests/harness/sshd.h"

#include <nats/nats.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define ST_READY "Eventing server started."
#define ST_CONNECTED "connected to the sftp server"

struct st_env {
    char *dir;
    char *remote; /* the directory the server shows */
    char *secrets;
    struct ce_natsd *natsd;
    const char *url;
    struct ce_test_sshd *sshd;
    int mport;
};

static void st_secrets(struct st_env *e, const char *known_hosts)
{
    char *sdir = ce_xasprintf("%s/sftp", e->secrets);
    (void)mkdir(e->secrets, 0700);
    (void)mkdir(sdir, 0700);
    char *addr = ce_xasprintf("127.0.0.1:%d", e->sshd->port);
    ce_free(ce_test_write_file(sdir, "address", addr));
    ce_free(ce_test_write_file(sdir, "username", e->sshd->user));
    ce_free(ce_test_write_file(sdir, "key", e->sshd->client_key));
    ce_free(ce_test_write_file(sdir, "known_hosts", known_hosts));
    ce_free(addr);
    ce_free(sdir);
}

static int st_setup(void **state)
{
    struct st_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("sftp");
    e->remote = ce_xasprintf("%s/remote", e->dir);
    e->secrets = ce_xasprintf("%s/secrets", e->dir);
    assert_int_equal(mkdir(e->remote, 0755), 0);
    e->natsd = ce_scn_natsd_start(e->dir);
    e->url = ce_natsd_url(e->natsd);
    e->sshd = ce_test_sshd_start(e->dir);
    st_secrets(e, e->sshd->known_hosts);
    *state = e;
    return 0;
}

static int st_teardown(void **state)
{
    struct st_env *e = *state;
    ce_test_sshd_free(e->sshd);
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->remote);
    ce_free(e->secrets);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *st_start(struct st_env *e)
{
    char *file =
        ce_test_data_write(e->dir, "es.yaml", "eventsources/sftp-ops.yaml", "DIR", e->remote, NULL);
    const char *extra[] = {"--secrets-dir", e->secrets, NULL};
    e->mport = ce_test_free_port();
    struct ce_test_proc *p = ce_scn_start("eventsource", file, e->url, e->mport, extra, ST_READY);
    ce_free(file);
    return p;
}

static void st_file(const struct st_env *e, const char *name)
{
    ce_free(ce_test_write_file(e->remote, name, "row\n"));
}

static void st_unlink(const struct st_env *e, const char *name)
{
    char *p = ce_xasprintf("%s/%s", e->remote, name);
    assert_int_equal(unlink(p), 0);
    ce_free(p);
}

static bool st_has(const char *url, int n)
{
    return ce_scn_js_count(url) >= n;
}

static bool st_ready(const struct st_env *e, long want)
{
    char *u = ce_xasprintf("http://127.0.0.1:%d/readyz", e->mport);
    bool ok = ce_test_wait_http(u, want, 15000);
    ce_free(u);
    return ok;
}

/* Whether event logged the changes a poll found. */
static bool st_polled(struct ce_test_proc *es, const char *event)
{
    char want[64];
    snprintf(want, sizeof want, "\"eventName\":\"%s\"", event);
    bool found = false;
    for (int i = 0; !found; i++) {
        char *line = ce_test_proc_line(es, "found changes in the sftp directory", i);
        if (line == NULL) {
            break;
        }
        found = strstr(line, want) != NULL;
        ce_free(line);
    }
    return found;
}

/* New files: CREATE; a removed file: REMOVE; names outside the pattern: nothing. */
static void test_create_remove(void **state)
{
    struct st_env *e = *state;
    struct ce_test_proc *es = st_start(e);
    assert_true(ce_test_proc_wait_line(es, "took the directory's first listing", 2, 20000));
    assert_true(st_ready(e, 200));
    st_file(e, "f1");
    st_file(e, "f2");
    st_file(e, "other.txt");
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 2), 20000));
    /* a poller knows of a removal only if it listed the file before: wait for "removed" to */
    assert_true(CE_TEST_WAIT_UNTIL(st_polled(es, "removed"), 20000));
    st_unlink(e, "f1");
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 3), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "sftp");
    assert_int_equal(t->n, 3);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f1"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f2"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "removed", 4, "f1"), 1);
    ce_scn_file_events_free(t);
}

/* Files there before the first start are recorded, not fired; SIGKILL, files added and removed
 * meanwhile, a restart: each of those fires once, nothing older again. */
static void test_restart(void **state)
{
    struct st_env *e = *state;
    st_file(e, "f0");
    struct ce_test_proc *es = st_start(e);
    assert_true(ce_test_proc_wait_line(es, "took the directory's first listing", 2, 20000));
    st_file(e, "f1");
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 1), 20000));
    (void)ce_test_proc_kill(es);
    ce_test_proc_free(es);
    st_file(e, "f2");
    st_file(e, "f3");
    st_unlink(e, "f0");
    es = st_start(e);
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 4), 20000));
    /* the next polls find nothing new */
    assert_true(ce_test_proc_wait_line(es, "found changes in the sftp directory", 2, 20000));
    st_file(e, "f4");
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 5), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "sftp");
    assert_int_equal(t->n, 5);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f0"), 0);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f1"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f2"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f3"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f4"), 1);
    assert_int_equal(ce_scn_file_events_count(t, "removed", 4, "f0"), 1);
    ce_scn_file_events_free(t);
}

/* The bus down: the publish fails, the file is not recorded, and the next polls publish it once
 * the bus is back. */
static void test_bus_down_retried(void **state)
{
    struct st_env *e = *state;
    struct ce_test_proc *es = st_start(e);
    assert_true(ce_test_proc_wait_line(es, "took the directory's first listing", 2, 20000));
    ce_natsd_stop(e->natsd);
    st_file(e, "f1");
    assert_true(ce_test_proc_wait_line(
        es, "failed to publish an sftp event; it is tried again at the next poll", 2, 30000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 1), 30000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "sftp");
    assert_int_equal(t->n, 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f1"), 1);
    ce_scn_file_events_free(t);
}

static bool st_metric_above_zero(const struct st_env *e)
{
    char *u = ce_xasprintf("http://127.0.0.1:%d/metrics", e->mport);
    struct ce_test_http_resp r;
    int rc = ce_test_http("GET", u, NULL, NULL, 0, 5000, &r);
    ce_free(u);
    const char *m = rc == 0 ? strstr(r.body, "cevents_eventsource_reconnects_total{") : NULL;
    bool ok = m != NULL && strtod(strchr(m, '}') + 1, NULL) > 0;
    ce_test_http_resp_fini(&r);
    return ok;
}

/* The server stopped: not ready, reconnects logged and counted; back: ready, files fire. */
static void test_server_restart(void **state)
{
    struct st_env *e = *state;
    struct ce_test_proc *es = st_start(e);
    assert_true(ce_test_proc_wait_line(es, "took the directory's first listing", 2, 20000));
    st_file(e, "f1");
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 1), 20000));
    ce_test_sshd_stop(e->sshd);
    assert_true(ce_test_proc_wait_line(es, "lost the connection to the sftp server", 1, 20000));
    assert_true(st_ready(e, 503));
    assert_true(
        ce_test_proc_wait_line(es, "cannot connect to the sftp server; retrying", 1, 20000));
    st_file(e, "f2"); /* arrives while the server is down */
    ce_test_sshd_restart(e->sshd);
    assert_true(ce_test_proc_wait_line(es, ST_CONNECTED, 4, 30000));
    assert_true(st_ready(e, 200));
    assert_true(CE_TEST_WAIT_UNTIL(st_has(e->url, 2), 20000));
    assert_true(st_metric_above_zero(e));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "sftp");
    assert_int_equal(t->n, 2);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, "f2"), 1);
    ce_scn_file_events_free(t);
}

/* A host key not in known_hosts: no login, never ready. */
static void test_host_key_refused(void **state)
{
    struct st_env *e = *state;
    char *pub_path = ce_xasprintf("%s/id.pub", e->sshd->dir);
    char *pub = ce_test_read_file(pub_path, NULL);
    assert_non_null(pub);
    /* a valid key, but not the server's */
    char *other = ce_xasprintf("[127.0.0.1]:%d %s", e->sshd->port, pub);
    ce_free(pub);
    ce_free(pub_path);
    st_secrets(e, other);
    ce_free(other);
    struct ce_test_proc *es = st_start(e);
    assert_true(ce_test_proc_wait_line(es, "the server's host key differs from", 1, 20000));
    assert_true(st_ready(e, 503));
    assert_int_equal(ce_test_proc_count(es, ST_CONNECTED), 0);
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
}

static void test_lint(void **state)
{
    struct st_env *e = *state;
    char *good = ce_test_data_write(e->dir, "good.yaml", "eventsources/sftp-fields.yaml", NULL);
    int status = -1;
    char *out = ce_scn_lint(good, true, &status);
    if (status != 0 || strstr(out, "warning") != NULL) {
        fail_msg("%s", out);
    }
    ce_free(out);
    ce_free(good);
    char *bad = ce_test_data_write(e->dir, "bad.yaml", "eventsources/sftp-bad.yaml", NULL);
    const char *want[] = {
        "spec.sftp.no-login.address: address not found",
        "spec.sftp.no-login.username: username not found",
        "spec.sftp.no-login: password or sshKeySecret is required",
        "warning: spec.sftp.no-login: the server's host key is not checked",
        ":21:18: error: spec.sftp.writes.eventType: WRITE never fires",
        ":22:29: error: spec.sftp.writes.pollIntervalDuration:",
    };
    ce_scn_lint_refuses(bad, want, sizeof want / sizeof want[0]);
    ce_free(bad);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_require_sshd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_remove, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(test_restart, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(test_server_restart, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(test_bus_down_retried, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(test_host_key_refused, st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(test_lint, st_setup, st_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
