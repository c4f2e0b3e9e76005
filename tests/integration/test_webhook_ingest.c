/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook's ingest under concurrency, through the bus's publish connection (many publishes in
 * flight on one connection, each ack matched to its request): every request answered 200 is
 * stored exactly once; when the bus goes away in the middle, every request is still answered,
 * 200 only for events the stream holds and 503 for the others. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define ING_THREADS 16
#define ING_PER_THREAD 40
#define ING_MAX_PER_THREAD 2000 /* the outage case posts until told to stop */
#define ING_PUBLISH_TIMEOUT_MS 1500
#define ING_FAST_UP "the publish connection to the event bus is up"

struct ing_poster {
    pthread_t thread;
    int port;
    int limit;         /* requests to send at most */
    atomic_bool *stop; /* set: send no more */
    atomic_int *oks;   /* shared count of 200s */
    atomic_int fails;  /* answers other than 200 */
    int n;
    long status[ING_MAX_PER_THREAD];
    char ids[ING_MAX_PER_THREAD][33];
};

/* What a case started, so that a failing case leaves nothing running (ing_teardown). */
#define ING_MAX_PROCS 4
static struct ce_test_proc *ing_procs[ING_MAX_PROCS];
static struct ce_natsd *ing_natsd;

static struct ce_test_proc *ing_track(struct ce_test_proc *p)
{
    assert_non_null(p);
    for (int i = 0; i < ING_MAX_PROCS; i++) {
        if (ing_procs[i] == NULL) {
            ing_procs[i] = p;
            return p;
        }
    }
    fail_msg("more than %d processes", ING_MAX_PROCS);
    return NULL;
}

/* Stops p (SIGTERM, then SIGKILL) and returns its wait status. */
static int ing_release(struct ce_test_proc *p)
{
    for (int i = 0; i < ING_MAX_PROCS; i++) {
        if (ing_procs[i] == p) {
            ing_procs[i] = NULL;
        }
    }
    int status = ce_test_proc_stop(p, 10000);
    ce_test_proc_free(p);
    return status;
}

static int ing_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < ING_MAX_PROCS; i++) {
        if (ing_procs[i] != NULL) {
            ce_test_proc_discard(ing_procs[i]);
            ing_procs[i] = NULL;
        }
    }
    ce_natsd_destroy(ing_natsd);
    ing_natsd = NULL;
    return 0;
}

static void *ing_post_main(void *arg)
{
    struct ing_poster *p = arg;
    while (p->n < p->limit && !atomic_load(p->stop)) {
        p->status[p->n] = ce_scn_post(p->port, "/example", CE_SCN_DEMO_BODY, NULL, p->ids[p->n]);
        if (p->status[p->n] == 200) {
            atomic_fetch_add(p->oks, 1);
        }
        else {
            atomic_fetch_add(&p->fails, 1);
        }
        p->n++;
    }
    return NULL;
}

struct ing_run {
    struct ing_poster posters[ING_THREADS];
    atomic_bool stop;
    atomic_int oks;
};

static void ing_start(struct ing_run *r, int port, int limit)
{
    atomic_init(&r->stop, false);
    atomic_init(&r->oks, 0);
    for (int i = 0; i < ING_THREADS; i++) {
        struct ing_poster *p = &r->posters[i];
        p->port = port;
        p->limit = limit;
        p->stop = &r->stop;
        p->oks = &r->oks;
        atomic_init(&p->fails, 0);
        assert_int_equal(pthread_create(&p->thread, NULL, ing_post_main, p), 0);
    }
}

static void ing_join(struct ing_run *r)
{
    for (int i = 0; i < ING_THREADS; i++) {
        pthread_join(r->posters[i].thread, NULL);
    }
}

/* How many times each id answered 200 is stored (stream "default", by its Nats-Msg-Id). */
struct ing_seen {
    struct ing_run *run;
    int *stored; /* per (thread, request) */
    long long total;
};

static void ing_count_stored(void *ctx, const struct ce_scn_stored *m)
{
    struct ing_seen *s = ctx;
    s->total++;
    for (int t = 0; t < ING_THREADS && m->msg_id != NULL; t++) {
        const struct ing_poster *p = &s->run->posters[t];
        for (int i = 0; i < p->n; i++) {
            if (p->status[i] == 200 && strcmp(p->ids[i], m->msg_id) == 0) {
                s->stored[t * ING_MAX_PER_THREAD + i]++;
            }
        }
    }
}

struct ing_scene {
    char *dir;
    struct ce_natsd *natsd;
    int port;
    char *es_file;
    struct ce_test_proc *es;
};

static void ing_scene_start(struct ing_scene *s, const char *tag)
{
    s->dir = ce_test_tmpdir(tag);
    s->natsd = ing_natsd = ce_scn_natsd_start(s->dir);
    s->port = ce_test_free_port();
    s->es_file = ce_scn_write_manifest(s->dir, "es.yaml", "eventsources/webhook.yaml", s->port);
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", ING_PUBLISH_TIMEOUT_MS);
    const char *extra[] = {
        "--publish-timeout", timeout, "--retry-after", "2", "--log-level", "debug", NULL};
    s->es = ing_track(ce_scn_start("eventsource", s->es_file, ce_natsd_url(s->natsd),
                                   ce_test_free_port(), extra, "Eventing server started."));
    /* the first publish opens the publish connection; the load runs on it */
    char id[33];
    assert_int_equal(ce_scn_post(s->port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    assert_true(ce_test_proc_wait_line(s->es, ING_FAST_UP, 1, 10000));
}

static void ing_scene_stop(struct ing_scene *s)
{
    assert_int_equal(ing_release(s->es), 0);
    ing_natsd = NULL;
    ce_natsd_destroy(s->natsd);
    ce_test_rmtree(s->dir);
    ce_free(s->es_file);
    ce_free(s->dir);
}

/* Reads the stream and checks every 200 is stored exactly once; returns the stream's size. */
static long long ing_check_stored(struct ing_scene *s, struct ing_run *r)
{
    struct ing_seen seen = {r, ce_xcalloc(ING_THREADS * ING_MAX_PER_THREAD, sizeof(int)), 0};
    ce_scn_js_each(ce_natsd_url(s->natsd), "webhook", ing_count_stored, &seen);
    for (int t = 0; t < ING_THREADS; t++) {
        for (int i = 0; i < r->posters[t].n; i++) {
            if (r->posters[t].status[i] == 200) {
                assert_int_equal(strlen(r->posters[t].ids[i]), 32);
                assert_int_equal(seen.stored[t * ING_MAX_PER_THREAD + i], 1);
            }
        }
    }
    ce_free(seen.stored);
    return seen.total;
}

/* Many requests at once, all acked: each stored once, and nothing else stored. */
static void test_concurrent_requests_stored_once(void **state)
{
    (void)state;
    struct ing_scene s;
    ing_scene_start(&s, "ingest");
    struct ing_run *r = ce_xcalloc(1, sizeof(*r));
    ing_start(r, s.port, ING_PER_THREAD);
    ing_join(r);
    for (int t = 0; t < ING_THREADS; t++) {
        assert_int_equal(r->posters[t].n, ING_PER_THREAD);
        for (int i = 0; i < ING_PER_THREAD; i++) {
            assert_int_equal(r->posters[t].status[i], 200);
        }
    }
    assert_int_equal(ing_check_stored(&s, r), ING_THREADS * ING_PER_THREAD + 1); /* + warm-up */
    assert_int_equal(ce_test_proc_count(s.es, ING_FAST_UP), 1); /* all on one connection */
    ce_free(r);
    ing_scene_stop(&s);
}

static bool ing_enough_oks(void *arg)
{
    return atomic_load(&((struct ing_run *)arg)->oks) >= 300;
}

/* Whether every poster got at least one answer that is not 200 since the bus went away. */
static bool ing_all_saw_outage(void *arg)
{
    struct ing_run *r = arg;
    for (int t = 0; t < ING_THREADS; t++) {
        if (atomic_load(&r->posters[t].fails) == 0) {
            return false;
        }
    }
    return true;
}

/* The bus stops while requests are in flight: every request is answered, 200 or 503, and every
 * 200 is stored exactly once once the bus is back. */
static void test_bus_stopped_mid_pipeline(void **state)
{
    (void)state;
    struct ing_scene s;
    ing_scene_start(&s, "ingest-outage");
    struct ing_run *r = ce_xcalloc(1, sizeof(*r));
    ing_start(r, s.port, ING_MAX_PER_THREAD);
    bool busy = ce_test_poll(ing_enough_oks, r, 60000);
    ce_natsd_stop(s.natsd); /* with requests in flight on the publish connection */
    bool saw = busy && ce_test_poll(ing_all_saw_outage, r, 30000);
    atomic_store(&r->stop, true);
    ing_join(r);
    assert_true(busy);
    assert_true(saw);
    int ok = 0, unavailable = 0;
    for (int t = 0; t < ING_THREADS; t++) {
        for (int i = 0; i < r->posters[t].n; i++) {
            long st = r->posters[t].status[i];
            assert_true(st == 200 || st == 503);
            ok += st == 200;
            unavailable += st == 503;
        }
    }
    assert_true(ok >= 300);
    assert_true(unavailable >= ING_THREADS);
    assert_int_equal(ce_natsd_restart(s.natsd), CE_OK);
    assert_true(CE_TEST_WAIT_UNTIL(ce_scn_js_up(ce_natsd_url(s.natsd)), 30000));
    assert_true(ing_check_stored(&s, r) >= ok);
    /* the publish connection came back with the bus */
    char id[33];
    assert_true(CE_TEST_WAIT_UNTIL(
        ce_scn_post(s.port, "/example", CE_SCN_DEMO_BODY, NULL, id) == 200, 30000));
    assert_true(ce_test_proc_wait_line(s.es, ING_FAST_UP, 2, 10000));
    ce_free(r);
    ing_scene_stop(&s);
}

/* A bus that wants a user and password: the publish connection signs in with the credentials
 * the EventSource was given (its secret), and the events go through it. */
static void test_publish_connection_signs_in(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("ingest-auth");
    int nport = ce_test_free_port();
    char port_s[16], store[512];
    snprintf(port_s, sizeof port_s, "%d", nport);
    snprintf(store, sizeof store, "%s/js", dir);
    char *const natsd_argv[] = {"nats-server", "-js",      "-a",  "127.0.0.1", "-p",
                                port_s,        "-sd",      store, "--user",    "ingest",
                                "--pass",      "s3cret-x", NULL};
    struct ce_test_proc *natsd = ing_track(ce_test_proc_start(natsd_argv));
    char *url = ce_xasprintf("nats://127.0.0.1:%d", nport);
    char *secrets = ce_xasprintf("%s/secrets", dir);
    char *secret = ce_xasprintf("%s/bus", secrets);
    assert_int_equal(mkdir(secrets, 0700), 0);
    assert_int_equal(mkdir(secret, 0700), 0);
    ce_free(ce_test_write_file(secret, "client-auth", "username: ingest\npassword: s3cret-x\n"));
    int port = ce_test_free_port();
    char *es_file = ce_scn_write_manifest(dir, "es.yaml", "eventsources/webhook.yaml", port);
    const char *extra[] = {"--secrets-dir", secrets, "--bus-secret", "bus", "--log-level",
                           "debug",         NULL};
    struct ce_test_proc *es = ing_track(ce_scn_start(
        "eventsource", es_file, url, ce_test_free_port(), extra, "Eventing server started."));
    char id[33];
    /* nats-server may still be starting: 503 until the EventSource is connected */
    assert_true(CE_TEST_WAIT_UNTIL(ce_scn_post(port, "/example", CE_SCN_DEMO_BODY, NULL, id) == 200,
                                   30000));
    assert_true(ce_test_proc_wait_line(es, ING_FAST_UP, 1, 10000));
    for (int i = 0; i < 20; i++) {
        assert_int_equal(ce_scn_post(port, "/example", CE_SCN_DEMO_BODY, NULL, id), 200);
    }
    assert_int_equal(ce_test_proc_count(es, "refused the publish connection"), 0);
    assert_int_equal(ce_test_proc_count(es, ING_FAST_UP), 1);
    assert_int_equal(ing_release(es), 0);
    (void)ing_release(natsd);
    ce_test_rmtree(dir);
    ce_free(es_file);
    ce_free(secret);
    ce_free(secrets);
    ce_free(url);
    ce_free(dir);
}

/* ---- the bus's async publishes on the publish connection ---- */

#define ING_BUS_MSGS 2000

struct ing_outcomes {
    atomic_int rc[ING_BUS_MSGS]; /* -1 until answered, then the rc; -2 when answered twice */
    atomic_int answered;
};

struct ing_one {
    struct ing_outcomes *o;
    int i;
};

static void ing_on_outcome(void *arg, int rc, const char *err)
{
    (void)err;
    struct ing_one *one = arg;
    int unset = -1;
    if (!atomic_compare_exchange_strong(&one->o->rc[one->i], &unset, rc)) {
        atomic_store(&one->o->rc[one->i], -2);
    }
    atomic_fetch_add(&one->o->answered, 1);
}

static bool ing_all_answered(void *arg)
{
    return atomic_load(&((struct ing_outcomes *)arg)->answered) >= ING_BUS_MSGS;
}

/* The messages the server got on the connection named "cevents publisher" (monitoring port
 * mport), -1 while there is none. */
static long ing_publisher_in_msgs(int mport)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/connz", mport);
    struct ce_test_http_resp r;
    long n = -1;
    if (ce_test_http("GET", url, NULL, NULL, 0, 5000, &r) == 0) {
        const char *at = strstr(r.body, "\"name\": \"cevents publisher\"");
        const char *start = at;
        while (start != NULL && start > r.body && *start != '{') {
            start--; /* the start of that connection's object */
        }
        const char *in = start ? strstr(start, "\"in_msgs\": ") : NULL;
        n = in != NULL && in < at ? strtol(in + strlen("\"in_msgs\": "), NULL, 10) : -1;
        ce_test_http_resp_fini(&r);
    }
    return n;
}

struct ing_probe {
    struct ce_bus *bus;
    int mport;
    atomic_int answered;
};

static void ing_on_probe(void *arg, int rc, const char *err)
{
    (void)rc;
    (void)err;
    atomic_fetch_add(&((struct ing_probe *)arg)->answered, 1);
}

/* Publishes one more probe; true once the publish connection carried one. */
static bool ing_publisher_up(void *arg)
{
    struct ing_probe *p = arg;
    if (ce_bus_publish_async(p->bus, "default.es.probe", "", "{}", 2, ing_on_probe, p) != CE_OK) {
        return false;
    }
    return ing_publisher_in_msgs(p->mport) > 0;
}

/* Many publishes in flight on the publish connection, to a subject of the stream and to one
 * outside it (no stream answers: refused), interleaved: each is answered exactly once, with its
 * own outcome, so no ack reaches the wrong publish. */
static void test_acks_matched_to_their_publishes(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("ingest-bus");
    int nport = ce_test_free_port(), mport = ce_test_free_port();
    char port_s[16], mport_s[16], store[512];
    snprintf(port_s, sizeof port_s, "%d", nport);
    snprintf(mport_s, sizeof mport_s, "%d", mport);
    snprintf(store, sizeof store, "%s/js", dir);
    char *const natsd_argv[] = {"nats-server", "-js",   "-a",  "127.0.0.1", "-p", port_s,
                                "-m",          mport_s, "-sd", store,       NULL};
    struct ce_test_proc *natsd = ing_track(ce_test_proc_start(natsd_argv));
    char *url = ce_xasprintf("nats://127.0.0.1:%d", nport);
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 30000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK);
    struct ing_outcomes *o = ce_xcalloc(1, sizeof(*o));
    struct ing_one *ones = ce_xcalloc(ING_BUS_MSGS, sizeof(*ones));
    for (int i = 0; i < ING_BUS_MSGS; i++) {
        atomic_init(&o->rc[i], -1);
        ones[i] = (struct ing_one){o, i};
    }
    atomic_init(&o->answered, 0);
    /* the first async publish opens the publish connection: probes until it carries one */
    struct ing_probe probe = {bus, mport, 0};
    assert_true(ce_test_poll(ing_publisher_up, &probe, 10000));
    long before = ing_publisher_in_msgs(mport);
    for (int i = 0; i < ING_BUS_MSGS; i++) {
        char id[32];
        snprintf(id, sizeof id, "m-%d", i);
        const char *subject = i % 3 == 2 ? "nostream.es.ev" : "default.es.ev";
        assert_int_equal(
            ce_bus_publish_async(bus, subject, id, "{\"a\":1}", 7, ing_on_outcome, &ones[i]),
            CE_OK);
    }
    assert_true(ce_test_poll(ing_all_answered, o, 30000));
    for (int i = 0; i < ING_BUS_MSGS; i++) {
        assert_int_equal(atomic_load(&o->rc[i]), i % 3 == 2 ? CE_EREMOTE : CE_OK);
    }
    /* they went on that connection (the server counts a read's messages once it handled all) */
    assert_true(CE_TEST_WAIT_UNTIL(ing_publisher_in_msgs(mport) - before >= ING_BUS_MSGS, 10000));
    ce_bus_destroy(bus);
    assert_int_equal(atomic_load(&o->answered), ING_BUS_MSGS); /* and none twice */
    assert_true(atomic_load(&probe.answered) >= 1);
    ce_free(ones);
    ce_free(o);
    (void)ing_release(natsd);
    ce_test_rmtree(dir);
    ce_free(url);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_concurrent_requests_stored_once, ing_teardown),
        cmocka_unit_test_teardown(test_bus_stopped_mid_pipeline, ing_teardown),
        cmocka_unit_test_teardown(test_publish_connection_signs_in, ing_teardown),
        cmocka_unit_test_teardown(test_acks_matched_to_their_publishes, ing_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
