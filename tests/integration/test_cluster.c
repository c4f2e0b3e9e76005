/* SPDX-License-Identifier: Apache-2.0 */
/* High availability on a JetStream cluster: three nats-servers started here, an EventSource and
 * a stateful Sensor given all three URLs. The stream and the Sensor's key-value bucket get three
 * replicas. The server leading the stream is killed with SIGKILL while events come in: every
 * accepted event is stored once, refusals (503) stop once a new leader is elected, and the event
 * the Sensor kept in its key-value state before the kill still completes its trigger after it. */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "sensor/engine.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define CL_SERVERS 3
#define CL_FIRED "Successfully processed trigger 'both'"
/* Events sent before the kill, and accepted ones wanted after it. */
#define CL_BEFORE 100
#define CL_AFTER 200
/* Longest a leader election may keep refusing events (nats-server's takes a few seconds). */
#define CL_ELECTION_BOUND_MS 30000

struct cl_server {
    struct ce_test_proc *proc;
    char name[8];
    int port;
};

struct cl_env {
    char *dir;
    struct cl_server srv[CL_SERVERS];
    char urls[256];
    struct ce_test_proc *es, *sn;
    int port;
    long long accepted; /* events answered 200, the first dependency's included */
};

static void cl_start_server(struct cl_env *e, int i, const int *cluster_ports, const char *bin)
{
    struct cl_server *s = &e->srv[i];
    snprintf(s->name, sizeof(s->name), "n%d", i);
    char port[16], store[512], listen[64], routes[256];
    snprintf(port, sizeof(port), "%d", s->port);
    snprintf(store, sizeof(store), "%s/%s", e->dir, s->name);
    snprintf(listen, sizeof(listen), "nats://127.0.0.1:%d", cluster_ports[i]);
    snprintf(routes, sizeof(routes), "nats://127.0.0.1:%d,nats://127.0.0.1:%d,nats://127.0.0.1:%d",
             cluster_ports[0], cluster_ports[1], cluster_ports[2]);
    char *argv[] = {(char *)bin,      "-js", "-sd",       store,  "-a",
                    "127.0.0.1",      "-p",  port,        "-n",   s->name,
                    "--cluster_name", "ce",  "--cluster", listen, "--routes",
                    routes,           NULL};
    s->proc = ce_test_proc_start(argv);
    assert_non_null(s->proc);
}

static bool cl_js_ready(void *arg)
{
    return ce_scn_js_up((const char *)arg);
}

static void cl_start_cluster(struct cl_env *e)
{
    char *bin = ce_natsd_find_bin();
    assert_non_null(bin);
    int ports[CL_SERVERS], cluster_ports[CL_SERVERS];
    for (int i = 0; i < CL_SERVERS; i++) {
        ports[i] = ce_test_free_port();
        cluster_ports[i] = ce_test_free_port();
        e->srv[i].port = ports[i];
    }
    for (int i = 0; i < CL_SERVERS; i++) {
        cl_start_server(e, i, cluster_ports, bin);
    }
    ce_free(bin);
    snprintf(e->urls, sizeof(e->urls),
             "nats://127.0.0.1:%d,nats://127.0.0.1:%d,nats://127.0.0.1:%d", ports[0], ports[1],
             ports[2]);
    for (int i = 0; i < CL_SERVERS; i++) {
        assert_true(ce_test_proc_wait_line(e->srv[i].proc, "Server is ready", 1, 20000));
    }
    char one[64];
    snprintf(one, sizeof(one), "nats://127.0.0.1:%d", ports[0]);
    assert_true(ce_test_poll(cl_js_ready, one, 30000));
}

static void cl_setup(struct cl_env *e)
{
    e->dir = ce_test_tmpdir("cluster");
    cl_start_cluster(e);
    e->port = ce_test_free_port();
    char *es_file =
        ce_scn_write_manifest(e->dir, "es.yaml", "eventsources/webhook-three-events.yaml", e->port);
    char *sn_file =
        ce_test_data_write(e->dir, "sensor.yaml", "sensors/two-dependencies-and.yaml", NULL);
    e->es = ce_scn_start("eventsource", es_file, e->urls, 0, NULL, "Eventing server started.");
    e->sn = ce_scn_start("sensor", sn_file, e->urls, 0, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(es_file);
    ce_free(sn_file);
}

static void cl_teardown(struct cl_env *e)
{
    if (e->dir == NULL) {
        return;
    }
    ce_test_proc_free(e->sn);
    ce_test_proc_free(e->es);
    for (int i = 0; i < CL_SERVERS; i++) {
        ce_test_proc_free(e->srv[i].proc);
    }
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
}

/* One load event; 200 and 503 are the only answers a producer may get. */
static bool cl_post_load(struct cl_env *e)
{
    char id[33];
    long st = ce_scn_post(e->port, "/dep3", CE_SCN_DEMO_BODY, NULL, id);
    if (st != 200 && st != 503) {
        fail_msg("load event answered %ld", st);
    }
    e->accepted += st == 200;
    return st == 200;
}

/* Kills the server leading the stream; returns its index. */
static int cl_kill_stream_leader(struct cl_env *e)
{
    char url[64], leader[16];
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", e->srv[0].port);
    assert_int_equal(ce_scn_js_stream_replicas(url, "default", leader, sizeof(leader)), 3);
    for (int i = 0; i < CL_SERVERS; i++) {
        if (strcmp(e->srv[i].name, leader) == 0) {
            int st = ce_test_proc_kill(e->srv[i].proc);
            assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
            return i;
        }
    }
    fail_msg("no server leads the stream (leader \"%s\")", leader);
    return -1;
}

/* Sends load until CL_AFTER events were accepted after the kill; refusals must end within the
 * election bound and not come back. */
static void cl_load_through_election(struct cl_env *e)
{
    int64_t killed_at = ce_test_now_ms(), last_refusal = -1;
    int refused = 0;
    for (int ok = 0; ok < CL_AFTER;) {
        if (cl_post_load(e)) {
            ok++;
            continue;
        }
        refused++;
        last_refusal = ce_test_now_ms();
        assert_true(last_refusal - killed_at < CL_ELECTION_BOUND_MS);
        ok = 0; /* CL_AFTER accepted in a row: the refusals are over */
        ce_test_sleep_ms(50);
    }
    print_message("leader killed: %d events refused, the last %lld ms after the kill\n", refused,
                  last_refusal < 0 ? 0LL : (long long)(last_refusal - killed_at));
}

struct cl_count {
    const char *url;
    long long want;
    long long seen;
};

static bool cl_stream_holds(void *arg)
{
    struct cl_count *c = arg;
    c->seen = ce_scn_js_count(c->url);
    return c->seen == c->want;
}

/* The environment is built by the test and torn down by cmocka's teardown, which runs even
 * when the test fails half way, so no server or process outlives a failure. */
static int cl_new(void **state)
{
    *state = ce_xcalloc(1, sizeof(struct cl_env));
    return 0;
}

static int cl_free(void **state)
{
    struct cl_env *e = *state;
    cl_teardown(e);
    ce_free(e);
    return 0;
}

static void test_leader_killed_under_load(void **state)
{
    struct cl_env *e = *state;
    cl_setup(e);
    char id1[33], id2[33];
    assert_int_equal(ce_scn_post(e->port, "/dep1", CE_SCN_DEMO_BODY, NULL, id1), 200);
    e->accepted++;
    assert_true(ce_test_proc_wait_line(e->sn, CE_SN_SAVED_MSG, 1, 20000));
    char url[64], leader[16];
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", e->srv[1].port);
    assert_int_equal(ce_scn_js_stream_replicas(url, "KV_stateful", leader, sizeof(leader)), 3);

    for (int i = 0; i < CL_BEFORE; i++) {
        assert_true(cl_post_load(e));
    }
    int dead = cl_kill_stream_leader(e);
    cl_load_through_election(e);

    /* every accepted event stored, none twice, as a surviving server sees the stream */
    snprintf(url, sizeof(url), "nats://127.0.0.1:%d", e->srv[(dead + 1) % CL_SERVERS].port);
    struct cl_count c = {url, e->accepted, -1};
    if (!ce_test_poll(cl_stream_holds, &c, 20000)) {
        fail_msg("the stream holds %lld events, %lld were accepted", c.seen, c.want);
    }

    /* the first dependency, kept in the replicated state, completes the trigger */
    assert_int_equal(ce_scn_post(e->port, "/dep2", CE_SCN_DEMO_BODY, NULL, id2), 200);
    assert_true(ce_test_proc_wait_line(e->sn, CL_FIRED, 1, 30000));
    char *line = ce_test_proc_line(e->sn, CL_FIRED, 0);
    assert_non_null(strstr(line, id1));
    assert_non_null(strstr(line, id2));
    ce_free(line);
    assert_int_equal(ce_test_proc_count(e->sn, CL_FIRED), 1);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_leader_killed_under_load, cl_new, cl_free),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
