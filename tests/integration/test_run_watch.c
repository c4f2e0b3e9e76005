/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run --watch DIR` on real processes and its embedded nats-server: a Sensor whose HTTP
 * trigger is pointed at another server while events flow sends the later events there, its
 * EventSource keeps running (same process) and every event the webhook accepted reaches one of
 * the two servers; an EventSource file that appears starts its webhook and one that goes away
 * closes it; a file that fails lint is printed with file:line:col and the running version keeps
 * answering. */
#include "core/base/mem.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/recorder.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define WATCH_MAX_EVENTS 400

struct watch_env {
    char *dir;
    char *manifests; /* the watched directory */
    struct ce_test_proc *run;
    struct ce_recorder *old_target;
    struct ce_recorder *new_target;
    int port; /* the webhook's */
};

/* The sensor's manifest with its trigger aimed at rec, written as editors save: a hidden
 * temporary file renamed over the old one. */
static void watch_write_sensor(struct watch_env *e, struct ce_recorder *rec)
{
    char *url = ce_recorder_url(rec, "/hook");
    char *tmp = ce_test_data_write(e->manifests, ".sensor.yaml.swp", "sensors/http-forward.yaml",
                                   "TARGET", url, NULL);
    char *path = ce_xasprintf("%s/sensors/sensor.yaml", e->manifests);
    assert_int_equal(rename(tmp, path), 0);
    ce_free(path);
    ce_free(tmp);
    ce_free(url);
}

/* `cevents run --watch` over manifests/, the EventSource and the Sensor in two subdirectories. */
static int watch_setup(void **state)
{
    struct watch_env *e = ce_xcalloc(1, sizeof(*e));
    *state = e;
    e->dir = ce_test_tmpdir("run-watch");
    e->port = ce_test_free_port();
    e->old_target = ce_recorder_start(NULL, NULL);
    e->new_target = ce_recorder_start(NULL, NULL);
    e->manifests = ce_xasprintf("%s/manifests", e->dir);
    char *sources = ce_xasprintf("%s/sources", e->manifests);
    char *sensors = ce_xasprintf("%s/sensors", e->manifests);
    int made = mkdir(e->manifests, 0700) | mkdir(sources, 0700) | mkdir(sensors, 0700);
    ce_free(ce_scn_write_manifest(sources, "es.yaml", "eventsources/webhook.yaml", e->port));
    watch_write_sensor(e, e->old_target);
    char *data = ce_xasprintf("%s/data", e->dir);
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", ce_test_free_ports(4));
    const char *args[] = {"run", "--data-dir", data,         "--metrics-port",
                          mport, "--watch",    e->manifests, NULL};
    e->run = ce_test_proc_start_cevents(args);
    bool up = ce_test_proc_wait_line(e->run, "Eventing server started.", 1, 30000) &&
              ce_test_proc_wait_line(e->run, CE_SENSOR_SUBSCRIBED_MSG, 1, 30000) &&
              ce_test_proc_wait_line(e->run, "watching for manifest changes", 1, 30000);
    ce_free(data);
    ce_free(sensors);
    ce_free(sources);
    return made == 0 && up ? 0 : -1;
}

static int watch_teardown(void **state)
{
    struct watch_env *e = *state;
    ce_test_proc_free(e->run);
    ce_recorder_stop(e->old_target);
    ce_recorder_stop(e->new_target);
    ce_test_rmtree(e->dir);
    ce_free(e->manifests);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* The pid run logged for the nth start of child (component "kind/name"), or 0. */
static pid_t watch_child_pid(struct watch_env *e, const char *component, int nth)
{
    char needle[200];
    snprintf(needle, sizeof(needle), "\"component\":\"%s\",\"pid\":", component);
    char *line = ce_test_proc_line(e->run, needle, nth);
    if (line == NULL) {
        return 0;
    }
    json_t *obj = json_loads(line, 0, NULL);
    const char *pid = obj ? json_string_value(json_object_get(obj, "pid")) : NULL;
    pid_t out = pid ? (pid_t)strtol(pid, NULL, 10) : 0;
    json_decref(obj);
    ce_free(line);
    return out;
}

/* How many requests rec got for the event id. */
static int watch_requests_for(struct ce_recorder *rec, const char *id)
{
    int found = 0;
    for (int i = 0, n = ce_recorder_count(rec); i < n; i++) {
        struct ce_rec_request *q = ce_recorder_request(rec, i);
        const char *got = q ? ce_rec_header(q, "X-Event-Id") : NULL;
        found += got != NULL && strcmp(got, id) == 0;
        ce_rec_request_free(q);
    }
    return found;
}

struct watch_posts {
    char ids[WATCH_MAX_EVENTS][33];
    int n;
    int first_after_reload; /* the first event posted once the new Sensor subscribed */
};

/* Posts one event; keeps its id when the webhook accepted it (200). */
static void watch_post(struct watch_env *e, struct watch_posts *p)
{
    assert_true(p->n < WATCH_MAX_EVENTS);
    if (ce_scn_post(e->port, "/example", CE_SCN_DEMO_BODY, NULL, p->ids[p->n]) == 200) {
        assert_true(p->ids[p->n][0] != '\0');
        p->n++;
    }
}

static bool watch_all_delivered(struct watch_env *e, const struct watch_posts *p)
{
    for (int i = 0; i < p->n; i++) {
        if (watch_requests_for(e->old_target, p->ids[i]) +
                watch_requests_for(e->new_target, p->ids[i]) ==
            0) {
            return false;
        }
    }
    return true;
}

/* Asserted: every event the webhook answered 200 reaches the old or the new server at least
 * once (a redelivery may reach both); every event posted after the new Sensor subscribed
 * reaches the new server only; the EventSource is the same process throughout (one start
 * logged, its pid alive) and the Sensor was started twice. */
static void test_sensor_edit_moves_later_events(void **state)
{
    struct watch_env *e = *state;
    pid_t source = watch_child_pid(e, "eventsource/webhook", 0);
    assert_true(source > 0);
    static struct watch_posts posts;
    memset(&posts, 0, sizeof(posts));
    for (int i = 0; i < 5; i++) {
        watch_post(e, &posts);
    }
    watch_write_sensor(e, e->new_target);
    /* events keep coming while the Sensor is replaced */
    int64_t deadline = ce_test_now_ms() + 30000;
    while (ce_test_proc_count(e->run, CE_SENSOR_SUBSCRIBED_MSG) < 2) {
        assert_true(ce_test_now_ms() < deadline);
        watch_post(e, &posts);
        ce_test_sleep_ms(20);
    }
    assert_int_equal(ce_test_proc_count(e->run, "Reloaded sensor forward"), 1);
    assert_true(posts.n > 5); /* some came while no Sensor ran: the stream kept them */
    posts.first_after_reload = posts.n;
    for (int i = 0; i < 5; i++) {
        watch_post(e, &posts);
    }
    assert_int_equal(posts.n - posts.first_after_reload, 5);
    assert_true(CE_TEST_WAIT_UNTIL(watch_all_delivered(e, &posts), 30000));
    for (int i = posts.first_after_reload; i < posts.n; i++) {
        assert_int_equal(watch_requests_for(e->old_target, posts.ids[i]), 0);
        assert_true(watch_requests_for(e->new_target, posts.ids[i]) >= 1);
    }
    assert_true(ce_recorder_count(e->old_target) >= 5); /* the first five went the old way */
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"eventsource/webhook\",\"pid\":"),
                     1);
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"sensor/forward\",\"pid\":"), 2);
    assert_int_equal(kill(source, 0), 0);
    assert_int_equal(watch_child_pid(e, "eventsource/webhook", 0), source);
}

/* text with its one occurrence of from replaced by to (heap). */
static char *watch_replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    return ce_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

struct watch_port {
    int port;
    long want; /* the status wanted; -1: the connection is refused */
};

static bool watch_port_answers(void *arg)
{
    struct watch_port *p = arg;
    char id[33];
    long got = ce_scn_post(p->port, "/second", CE_SCN_DEMO_BODY, NULL, id);
    return p->want == -1 ? got <= 0 : got == p->want;
}

/* A second EventSource file appears: it starts and its webhook answers; it is removed: it stops
 * and its port closes. The first EventSource and the Sensor are not restarted, nor is the
 * Sensor whose file only got a comment. */
static void test_source_file_appears_and_goes(void **state)
{
    struct watch_env *e = *state;
    char *sensor = ce_xasprintf("%s/sensors/sensor.yaml", e->manifests);
    FILE *f = fopen(sensor, "a");
    assert_non_null(f);
    fputs("# a comment changes no object: nothing restarts\n", f);
    assert_int_equal(fclose(f), 0);
    struct watch_port second = {ce_test_free_port(), 200};
    char port[16];
    snprintf(port, sizeof(port), "%d", second.port);
    char *text = ce_test_data("eventsources/webhook.yaml", "PORT", port, NULL);
    char *named = watch_replace(text, "name: webhook", "name: second");
    char *edited = watch_replace(named, "endpoint: /example", "endpoint: /second");
    char *more = ce_xasprintf("%s/more", e->manifests);
    char *sub = ce_xasprintf("%s/more/deeper", e->manifests);
    char *es2 = ce_xasprintf("%s/second.yaml", sub);
    /* a new subdirectory moved in with its file, as `mv` or a checkout brings one */
    char *staging = ce_xasprintf("%s/staging", e->dir);
    char *staged = ce_xasprintf("%s/deeper", staging);
    assert_int_equal(mkdir(more, 0700) | mkdir(staging, 0700) | mkdir(staged, 0700), 0);
    ce_free(ce_test_write_file(staged, "second.yaml", edited));
    assert_int_equal(rename(staged, sub), 0);
    assert_true(ce_test_proc_wait_line(e->run, "Started eventsource second", 1, 20000));
    assert_true(ce_test_poll(watch_port_answers, &second, 20000));
    assert_int_equal(unlink(es2), 0);
    assert_true(ce_test_proc_wait_line(e->run, "Stopped eventsource second", 1, 20000));
    second.want = -1;
    assert_true(ce_test_poll(watch_port_answers, &second, 20000));
    assert_int_equal(ce_test_proc_count(e->run, "Reloading"), 0);
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"eventsource/webhook\",\"pid\":"),
                     1);
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"sensor/forward\",\"pid\":"), 1);
    ce_free(staged);
    ce_free(staging);
    ce_free(es2);
    ce_free(more);
    ce_free(sub);
    ce_free(edited);
    ce_free(named);
    ce_free(text);
    ce_free(sensor);
}

struct watch_accepts {
    int port;
    char id[33];
};

static bool watch_accepted(void *arg)
{
    struct watch_accepts *a = arg;
    return ce_scn_post(a->port, "/example", CE_SCN_DEMO_BODY, NULL, a->id) == 200;
}

/* The EventSource's file gets a port that is not a number: the lint error is printed at
 * file:line:col, nothing restarts, and the running webhook still takes and delivers events. */
static void test_lint_error_keeps_running_version(void **state)
{
    struct watch_env *e = *state;
    char *sources = ce_xasprintf("%s/sources", e->manifests);
    char *es = ce_test_data_write(sources, "es.yaml", "eventsources/webhook-bad-port.yaml", NULL);
    char *want = ce_xasprintf("%s:10:13: error: spec.webhook.example.port: not a port number", es);
    assert_true(ce_test_proc_wait_line(e->run, want, 1, 20000));
    assert_true(ce_test_proc_wait_line(e->run, "Not applied: the file has errors", 1, 20000));
    struct watch_accepts post = {e->port, ""};
    assert_true(ce_test_poll(watch_accepted, &post, 5000));
    assert_true(CE_TEST_WAIT_UNTIL(watch_requests_for(e->old_target, post.id) >= 1, 20000));
    assert_int_equal(ce_test_proc_count(e->run, "Reloading"), 0);
    assert_int_equal(ce_test_proc_count(e->run, "Stopping"), 0);
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"eventsource/webhook\",\"pid\":"),
                     1);
    ce_free(want);
    ce_free(es);
    ce_free(sources);
}

struct watch_moved {
    int port;
    char id[33];
};

static bool watch_moved_accepted(void *arg)
{
    struct watch_moved *m = arg;
    return ce_scn_post(m->port, "/moved", CE_SCN_DEMO_BODY, NULL, m->id) == 200;
}

/* The EventSource's endpoint changes: that source alone restarts (on the same port), the Sensor
 * keeps its process, and an event on the new endpoint goes through to the trigger. */
static void test_source_edit_restarts_only_it(void **state)
{
    struct watch_env *e = *state;
    char *sources = ce_xasprintf("%s/sources", e->manifests);
    char port[16];
    snprintf(port, sizeof(port), "%d", e->port);
    char *text = ce_test_data("eventsources/webhook.yaml", "PORT", port, NULL);
    char *moved = watch_replace(text, "endpoint: /example", "endpoint: /moved");
    ce_free(ce_test_write_file(sources, "es.yaml", moved));
    assert_true(ce_test_proc_wait_line(e->run, "Reloaded eventsource webhook", 1, 20000));
    struct watch_moved post = {e->port, ""};
    assert_true(ce_test_poll(watch_moved_accepted, &post, 20000));
    assert_true(CE_TEST_WAIT_UNTIL(watch_requests_for(e->old_target, post.id) >= 1, 20000));
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"eventsource/webhook\",\"pid\":"),
                     2);
    assert_int_equal(ce_test_proc_count(e->run, "\"component\":\"sensor/forward\",\"pid\":"), 1);
    ce_free(moved);
    ce_free(text);
    ce_free(sources);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sensor_edit_moves_later_events),
        cmocka_unit_test(test_source_file_appears_and_goes),
        cmocka_unit_test(test_lint_error_keeps_running_version),
        cmocka_unit_test(test_source_edit_restarts_only_it),
    };
    ce_test_require_natsd();
    return ce_test_run(argc, argv, tests, watch_setup, watch_teardown);
}
