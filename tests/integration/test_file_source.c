/* SPDX-License-Identifier: Apache-2.0 */
/* The file EventSource against a real nats-server and a real directory: a finished upload
 * (write-then-rename) fires one CREATE under its final name and a RENAME under its temporary
 * one, a write and a removal fire WRITE and REMOVE, names outside path/pathRegexp fire nothing;
 * 1,000 files created at once are 1,000 events, none twice; the process SIGKILLed and started
 * again with files added meanwhile fires each new file once and no old one again; the records
 * of removed files purged from the bucket leave the others in force; a directory missing at
 * start, removed and created again is watched each time; polling mode; and lint reports Argo's
 * checks at file:line:col. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

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

#define FT_READY "Eventing server started."
#define FT_LISTENING "listening to file notifications..."

struct ft_env {
    char *dir;   /* the test's scratch directory */
    char *watch; /* the watched directory, under dir */
    struct ce_natsd *natsd;
    const char *url;
};

/* The events on the stream: subject's last part, op and name of each. */
static int ft_setup(void **state)
{
    struct ft_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("file");
    e->watch = ce_xasprintf("%s/in", e->dir);
    e->natsd = ce_scn_natsd_start(e->dir);
    e->url = ce_natsd_url(e->natsd);
    *state = e;
    return 0;
}

static int ft_teardown(void **state)
{
    struct ft_env *e = *state;
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->watch);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *ft_start(struct ft_env *e, const char *manifest, const char *polling)
{
    char *file = polling == NULL
                     ? ce_test_data_write(e->dir, "es.yaml", manifest, "DIR", e->watch, NULL)
                     : ce_test_data_write(e->dir, "es.yaml", manifest, "DIR", e->watch, "POLLING",
                                          polling, NULL);
    struct ce_test_proc *p =
        ce_scn_start("eventsource", file, e->url, ce_test_free_port(), NULL, FT_READY);
    ce_free(file);
    return p;
}

static void ft_write(const char *dir, const char *name, const char *text)
{
    char *path = ce_test_write_file(dir, name, text);
    ce_free(path);
}

static char *ft_path(const char *dir, const char *name)
{
    return ce_xasprintf("%s/%s", dir, name);
}

static void ft_rename(const char *dir, const char *from, const char *to)
{
    char *a = ft_path(dir, from), *b = ft_path(dir, to);
    assert_int_equal(rename(a, b), 0);
    ce_free(a);
    ce_free(b);
}

static bool ft_has(const char *url, int n)
{
    return ce_scn_js_count(url) >= n;
}

/* A finished upload written as a.csv.part and renamed to a.csv; a write; a removal. */
static void test_operations(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-ops.yaml", NULL);
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 5, 20000));
    ft_write(e->watch, "a.csv.part", "x,y\n1,2\n");
    ft_rename(e->watch, "a.csv.part", "a.csv");
    ft_write(e->watch, "other.txt", "not watched\n");
    ft_write(e->watch, "w.txt", "written\n");
    ft_write(e->watch, "m.txt", "mode\n");
    char *m = ft_path(e->watch, "m.txt");
    assert_int_equal(chmod(m, 0600), 0);
    char *a = ft_path(e->watch, "a.csv");
    assert_int_equal(unlink(a), 0);
    /* created a.csv, renamed a.csv.part, written w.txt (one or more), removed a.csv, m.txt
     * chmodded */
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 5), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "file");
    char *part = ft_path(e->watch, "a.csv.part"), *w = ft_path(e->watch, "w.txt");
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, a), 1);
    assert_int_equal(ce_scn_file_events_count(t, "created", 1, NULL), 1);
    assert_int_equal(ce_scn_file_events_count(t, "renamed", 8, part), 1);
    assert_true(ce_scn_file_events_count(t, "written", 2, w) >= 1);
    assert_int_equal(ce_scn_file_events_count(t, "removed", 4, a), 1);
    assert_int_equal(ce_scn_file_events_count(t, "removed", 4, NULL), 1);
    assert_int_equal(ce_scn_file_events_count(t, "chmodded", 16, m), 1);
    ce_free(m);
    ce_free(a);
    ce_free(part);
    ce_free(w);
    ce_scn_file_events_free(t);
}

static void ft_create_range(const char *dir, int from, int to)
{
    for (int i = from; i < to; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        ft_write(dir, name, "payload\n");
    }
}

/* Each name f<from>..f<to-1> fired exactly once, and nothing else. */
static void ft_expect_once(const char *url, const char *dir, int n, bool polling)
{
    struct ce_scn_file_events *t = ce_scn_file_events_read(url, "file");
    assert_int_equal(t->n, n);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        char *path = polling ? ce_xstrdup(name) : ft_path(dir, name);
        if (ce_scn_file_events_count(t, "drop", 1, path) != 1) {
            fail_msg("%s fired %d times", path, ce_scn_file_events_count(t, "drop", 1, path));
        }
        ce_free(path);
    }
    ce_scn_file_events_free(t);
}

/* 1,000 files created in a burst: 1,000 events, none twice. */
static void test_burst(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 0, 1000);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 1000), 60000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ft_expect_once(e->url, e->watch, 1000, false);
}

/* SIGKILL, files added while down, a restart: each new file once, no old one again. */
static void test_kill_restart(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 0, 20);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 20), 20000));
    ce_test_proc_kill(es);
    ce_test_proc_free(es);
    ft_create_range(e->watch, 20, 30);
    es = ft_start(e, "eventsources/file-one.yaml", "false");
    /* the listing at start is delivered before it listens */
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 30, 35);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 35), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ft_expect_once(e->url, e->watch, 35, false);
}

/* Not there at start, then created; removed; created again: watched each time. */
static void test_directory_comes_and_goes(void **state)
{
    struct ft_env *e = *state;
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, "waiting for the directory to exist", 1, 20000));
    assert_int_equal(mkdir(e->watch, 0755), 0);
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 0, 1);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 1), 20000));
    ce_test_rmtree(e->watch);
    assert_true(ce_test_proc_wait_line(es, "the watched directory went away", 1, 20000));
    assert_int_equal(mkdir(e->watch, 0755), 0);
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 2, 20000));
    ft_create_range(e->watch, 1, 2);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 2), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ft_expect_once(e->url, e->watch, 2, false);
}

/* polling: true lists the directory; names are the entries' (as Argo's polling watcher). */
static void test_polling(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "true");
    assert_true(ce_test_proc_wait_line(es, "polling the directory for changes", 1, 20000));
    ft_create_range(e->watch, 0, 50);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 50), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ft_expect_once(e->url, e->watch, 50, true);
}

/* The bus down: the event is retried until the bus takes it, and stored once. */
static void test_bus_down_retried(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ce_natsd_stop(e->natsd);
    ft_create_range(e->watch, 0, 1);
    assert_true(ce_test_proc_wait_line(es, "failed to publish a file event; it will be tried again",
                                       1, 30000));
    assert_int_equal(ce_natsd_restart(e->natsd), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 1), 30000));
    ft_create_range(e->watch, 1, 2);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 2), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    ft_expect_once(e->url, e->watch, 2, false);
}

/* The file records' bucket (eventsource/file/event.h) on the test's own bus handle. */
struct ft_bucket {
    struct ce_bus *bus;
    struct ce_bus_kv *kv;
};

static void ft_bucket_open(struct ft_env *e, struct ft_bucket *b)
{
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = e->url;
    cfg.name = "file-test";
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &b->bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(b->bus, 10000), CE_OK);
    assert_int_equal(ce_bus_kv_open(b->bus, "cevents-file", &b->kv), CE_OK);
}

static void ft_bucket_close(struct ft_bucket *b)
{
    ce_bus_kv_close(b->kv);
    ce_bus_destroy(b->bus);
}

static int ft_bucket_keys(struct ft_bucket *b)
{
    char **keys = NULL;
    int n = -1;
    assert_int_equal(ce_bus_kv_keys(b->kv, &keys, &n), CE_OK);
    ce_bus_kv_keys_free(keys, n);
    return n;
}

/* The messages of the bucket's stream: records and the delete markers of removed files. */
static int ft_bucket_messages(struct ft_env *e)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    assert_int_equal(natsConnection_ConnectTo(&nc, e->url), NATS_OK);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    jsStreamInfo *si = NULL;
    assert_int_equal(js_GetStreamInfo(&si, js, "KV_cevents-file", NULL, NULL), NATS_OK);
    int n = (int)si->State.Msgs;
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return n;
}

static void ft_remove_range(const char *dir, int from, int to)
{
    for (int i = from; i < to; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        char *path = ft_path(dir, name);
        assert_int_equal(unlink(path), 0);
        ce_free(path);
    }
}

/* 30 files, 25 removed: the bucket holds a marker per removed file, young ones kept by the start's
 * tidying (the source purges them after 30 min; the test does it at once through the bus). The
 * five live records still hold: none of those files fires again, while a purged name created
 * again is a new file. */
static void test_gone_records_purged(void **state)
{
    struct ft_env *e = *state;
    assert_int_equal(mkdir(e->watch, 0755), 0);
    struct ce_test_proc *es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 0, 30);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 30), 20000));
    ft_remove_range(e->watch, 5, 30);
    struct ft_bucket b;
    ft_bucket_open(e, &b);
    /* five records and the baseline mark */
    assert_true(CE_TEST_WAIT_UNTIL(ft_bucket_keys(&b) == 6, 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    assert_int_equal(ft_bucket_messages(e), 31);

    const char *const debug[] = {"--log-level", "debug", NULL};
    char *file = ce_test_data_write(e->dir, "es.yaml", "eventsources/file-one.yaml", "DIR",
                                    e->watch, "POLLING", "false", NULL);
    es = ce_scn_start("eventsource", file, e->url, ce_test_free_port(), debug, FT_READY);
    ce_free(file);
    assert_true(ce_test_proc_wait_line(es, "removed the records of files gone", 1, 20000));
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    assert_int_equal(ft_bucket_messages(e), 31); /* the markers are younger than 30 min */

    assert_int_equal(ce_bus_kv_purge_deletes(b.kv, 0), CE_OK);
    assert_int_equal(ft_bucket_messages(e), 6);
    assert_int_equal(ft_bucket_keys(&b), 6);
    ft_bucket_close(&b);

    es = ft_start(e, "eventsources/file-one.yaml", "false");
    assert_true(ce_test_proc_wait_line(es, FT_LISTENING, 1, 20000));
    ft_create_range(e->watch, 5, 6);
    assert_true(CE_TEST_WAIT_UNTIL(ft_has(e->url, 31), 20000));
    assert_int_equal(ce_test_proc_stop(es, 10000), 0);
    ce_test_proc_free(es);
    struct ce_scn_file_events *t = ce_scn_file_events_read(e->url, "file");
    assert_int_equal(t->n, 31);
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        char *path = ft_path(e->watch, name);
        assert_int_equal(ce_scn_file_events_count(t, "drop", 1, path), i == 5 ? 2 : 1);
        ce_free(path);
    }
    ce_scn_file_events_free(t);
}

/* Every field of Argo's file examples lints clean; its controller's checks are made, each at
 * the line of the field. */
static void test_lint(void **state)
{
    struct ft_env *e = *state;
    char *good = ce_test_data_write(e->dir, "good.yaml", "eventsources/file-fields.yaml", NULL);
    int status = -1;
    char *out = ce_scn_lint(good, true, &status);
    if (status != 0) {
        fail_msg("%s", out);
    }
    ce_free(out);
    ce_free(good);
    char *bad = ce_test_data_write(e->dir, "bad.yaml", "eventsources/file-bad.yaml", NULL);
    const char *want[] = {
        ":10:20: error: spec.file.relative-dir.watchPathConfig.directory: directory must be an "
        "absolute file path",
        "spec.file.both.watchPathConfig: path and pathRegexp cannot be specified together",
        ":22:21: error: spec.file.bad-regexp.watchPathConfig.pathRegexp:",
        "spec.file.no-type.eventType: type must be specified",
        ":31:15: error: spec.file.never.watchPathConfig.path: path must be a relative file path",
        ":32:18: error: spec.file.never.eventType: MODIFY never fires",
    };
    ce_scn_lint_refuses(bad, want, sizeof want / sizeof want[0]);
    ce_free(bad);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_operations, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_burst, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_kill_restart, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_gone_records_purged, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_directory_comes_and_goes, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_polling, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_bus_down_retried, ft_setup, ft_teardown),
        cmocka_unit_test_setup_teardown(test_lint, ft_setup, ft_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
