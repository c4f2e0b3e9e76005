/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.file.<event> and spec.sftp.<event>: every field read into the plugins' configs
 * (the directory without its trailing '/', the operation's bit, metadata sorted as Go writes
 * it, the secrets, pollIntervalDuration with its 10 s default), and each refusal at its line,
 * column and path. */
#include "core/base/rc.h"
#include "eventsource/file/config.h"
#include "eventsource/sftp/config.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define HEAD "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata:\n  name: f\nspec:\n"

struct tf_load {
    struct ce_manifest_set *set;
    struct ce_diag diag;
};

static void tf_load(const char *block, bool strict, struct tf_load *out)
{
    char text[4096];
    snprintf(text, sizeof text, HEAD "%s", block);
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &out->set), CE_OK);
    ce_diag_init(&out->diag);
    assert_int_equal(
        ce_manifest_load_buf(out->set, text, strlen(text), "t.yaml", strict, &out->diag), CE_OK);
}

static void tf_free(struct tf_load *l)
{
    ce_diag_fini(&l->diag);
    ce_manifest_set_destroy(l->set);
}

static const void *tf_only(struct tf_load *l)
{
    if (ce_diag_errors(&l->diag) != 0) {
        ce_diag_print(&l->diag, stderr);
        fail();
    }
    assert_int_equal(l->set->n_eventsources, 1);
    assert_int_equal(l->set->eventsources[0]->n_events, 1);
    return l->set->eventsources[0]->events[0].config;
}

/* The error at line:col with path, whose message contains msg, is among those reported. */
static void tf_expect_error(const char *block, int line, int col, const char *path, const char *msg)
{
    struct tf_load l;
    tf_load(block, false, &l);
    bool found = false;
    for (int i = 0; i < l.diag.n; i++) {
        const struct ce_diag_item *it = &l.diag.items[i];
        found = found || (it->severity == CE_DIAG_ERROR && it->line == line && it->col == col &&
                          strcmp(it->path, path) == 0 && strstr(it->msg, msg) != NULL);
    }
    if (!found) {
        ce_diag_print(&l.diag, stderr);
        fail_msg("no error %d:%d %s: %s", line, col, path, msg);
    }
    assert_int_equal(l.set->n_eventsources, 0);
    tf_free(&l);
}

static int tf_warnings(const struct ce_diag *d)
{
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        n += d->items[i].severity == CE_DIAG_WARNING;
    }
    return n;
}

static void test_file_every_field(void **state)
{
    (void)state;
    struct tf_load l;
    tf_load("  file:\n"
            "    e:\n"
            "      watchPathConfig: {directory: /data//, pathRegexp: '([a-z]+).txt'}\n"
            "      eventType: RENAME\n"
            "      polling: true\n"
            "      metadata: {b: \"2\", a: x}\n"
            "      filter: {expression: \"op == 8\"}\n",
            true, &l);
    const struct ce_file_config *c = tf_only(&l);
    assert_string_equal(c->watch.directory, "/data//");
    assert_string_equal(c->watch.dir, "/data");
    assert_null(c->watch.path);
    assert_non_null(c->watch.re);
    assert_int_equal(c->op, 8);
    assert_true(c->polling);
    assert_int_equal(c->n_metadata, 2);
    assert_string_equal(c->metadata[0].key, "a");
    assert_string_equal(c->metadata[1].value, "2");
    tf_free(&l);
}

static void test_file_refusals(void **state)
{
    (void)state;
    tf_expect_error("  file:\n    e:\n      eventType: CREATE\n", 8, 7,
                    "spec.file.e.watchPathConfig", "the directory to watch is required");
    tf_expect_error("  file:\n    e:\n      watchPathConfig: {directory: /d, path: x}\n", 8, 7,
                    "spec.file.e.eventType", "type must be specified");
    tf_expect_error("  file:\n    e:\n      watchPathConfig: {directory: /d}\n"
                    "      eventType: CREATE\n",
                    8, 24, "spec.file.e.watchPathConfig",
                    "either path or pathRegexp must be specified");
    tf_expect_error("  file:\n    e:\n      watchPathConfig: {directory: /d, pathRegexp: '(?<'}\n"
                    "      eventType: CREATE\n",
                    8, 52, "spec.file.e.watchPathConfig.pathRegexp", "");
    tf_expect_error("  file:\n    e:\n      watchPathConfig: {directory: /d, path: x}\n"
                    "      eventType: CREATE|WRITE\n",
                    9, 18, "spec.file.e.eventType", "never fires");
}

static void test_sftp_every_field(void **state)
{
    (void)state;
    struct tf_load l;
    tf_load("  sftp:\n"
            "    e:\n"
            "      address: {name: s, key: address}\n"
            "      username: {name: s, key: user}\n"
            "      sshKeySecret: {name: s, key: id}\n"
            "      knownHostsSecret: {name: s, key: known_hosts}\n"
            "      watchPathConfig: {directory: /up/, path: a.csv}\n"
            "      eventType: REMOVE\n"
            "      pollIntervalDuration: 1m30s\n"
            "      metadata: {k: v}\n",
            true, &l);
    const struct ce_sftp_config *c = tf_only(&l);
    assert_int_equal(tf_warnings(&l.diag), 0);
    assert_string_equal(c->watch.dir, "/up");
    assert_string_equal(c->watch.path, "a.csv");
    assert_int_equal(c->op, 4);
    assert_string_equal(c->address.key, "address");
    assert_string_equal(c->ssh_key.key, "id");
    assert_string_equal(c->known_hosts.key, "known_hosts");
    assert_false(c->password.set);
    assert_int_equal(c->poll_ns, 90 * INT64_C(1000000000));
    assert_int_equal(c->n_metadata, 1);
    tf_free(&l);
    /* Argo's example: a password, no host key check (a warning), the 10 s default */
    tf_load("  sftp:\n"
            "    e:\n"
            "      address: {name: s, key: address}\n"
            "      username: {name: s, key: user}\n"
            "      password: {name: s, key: password}\n"
            "      watchPathConfig: {directory: /up, pathRegexp: x}\n"
            "      eventType: CREATE\n",
            false, &l);
    c = tf_only(&l);
    assert_int_equal(tf_warnings(&l.diag), 1);
    assert_int_equal(c->poll_ns, CE_SFTP_POLL_DEFAULT_NS);
    assert_false(c->insecure_ignore_host_key);
    tf_free(&l);
}

static void test_sftp_refusals(void **state)
{
    (void)state;
    const char *login = "      address: {name: s, key: a}\n      username: {name: s, key: u}\n"
                        "      password: {name: s, key: p}\n      insecureIgnoreHostKey: true\n";
    char block[1024];
    snprintf(block, sizeof block,
             "  sftp:\n    e:\n%s      watchPathConfig: {directory: up, path: x}\n"
             "      eventType: CREATE\n",
             login);
    tf_expect_error(block, 12, 36, "spec.sftp.e.watchPathConfig.directory",
                    "directory must be an absolute file path");
    snprintf(block, sizeof block,
             "  sftp:\n    e:\n%s      watchPathConfig: {directory: /up, path: x}\n"
             "      eventType: CHMOD\n",
             login);
    tf_expect_error(block, 13, 18, "spec.sftp.e.eventType", "must be CREATE or REMOVE");
    snprintf(block, sizeof block,
             "  sftp:\n    e:\n%s      watchPathConfig: {directory: /up, path: x}\n"
             "      eventType: CREATE\n      pollIntervalDuration: 10ms\n",
             login);
    tf_expect_error(block, 14, 29, "spec.sftp.e.pollIntervalDuration", "at least 100ms");
    tf_expect_error("  sftp:\n    e:\n      watchPathConfig: {directory: /up, path: x}\n"
                    "      eventType: CREATE\n",
                    8, 7, "spec.sftp.e", "password or sshKeySecret is required");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_every_field),
        cmocka_unit_test(test_file_refusals),
        cmocka_unit_test(test_sftp_every_field),
        cmocka_unit_test(test_sftp_refusals),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
