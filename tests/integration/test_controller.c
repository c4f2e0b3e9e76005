/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents controller` against the test API server, driven by the real kubectl as a user drives
 * a cluster: apply makes the Deployments, Services and ConfigMaps, a changed spec updates the
 * Deployment once, an unchanged re-apply writes nothing, delete removes everything, an invalid
 * spec gets the lint message in its status, an EventSource waits for its EventBus, and of two
 * controllers only the Lease holder writes until it is killed. */
#include "core/base/mem.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/harness/kube.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define WAIT_MS 20000

struct fix {
    struct ce_test_kube k;
    struct ce_kube_client *c; /* reads what the controller made */
    struct ce_test_proc *ctl[2];
    char *kc[2]; /* one kubeconfig per controller, told apart by their tokens */
    int health_port[2];
};

static char *write_kubeconfig(struct fix *f, const char *token)
{
    char *text = ce_test_read_file(f->k.kubeconfig, NULL);
    char *at = strstr(text, "token: unused");
    assert_non_null(at);
    char *out = ce_xasprintf("%.*stoken: %s\n", (int)(at - text), text, token);
    char *name = ce_xasprintf("kubeconfig-%s", token);
    char *path = ce_test_write_file(f->k.dir, name, out);
    ce_free(name);
    ce_free(out);
    ce_free(text);
    return path;
}

static void start_controller_with(struct fix *f, int i, const char *extra)
{
    char hp[16];
    f->health_port[i] = ce_test_free_port();
    snprintf(hp, sizeof(hp), "%d", f->health_port[i]);
    const char *args[] = {"controller",
                          "--kubeconfig",
                          f->kc[i],
                          "--managed-namespace",
                          "default",
                          "--metrics-port",
                          "0",
                          "--health-port",
                          hp,
                          "--lease-duration",
                          "2s",
                          "--renew-deadline",
                          "1500ms",
                          "--retry-period",
                          "200ms",
                          "--image",
                          "cevents:test",
                          extra,
                          NULL};
    f->ctl[i] = ce_test_proc_start_cevents(args);
    assert_non_null(f->ctl[i]);
}

static void start_controller(struct fix *f, int i)
{
    start_controller_with(f, i, NULL);
}

static int setup(void **state)
{
    struct fix *f = ce_xcalloc(1, sizeof(*f));
    ce_test_kube_start(&f->k, false, NULL);
    f->kc[0] = write_kubeconfig(f, "ctl-a");
    f->kc[1] = write_kubeconfig(f, "ctl-b");
    const char *paths[] = {f->k.kubeconfig};
    struct ce_kube_config *cfg = NULL;
    char err[256];
    assert_int_equal(ce_kube_config_from_kubeconfig(paths, 1, NULL, &cfg, err, sizeof(err)), CE_OK);
    assert_int_equal(ce_kube_client_create(cfg, &f->c, err, sizeof(err)), CE_OK);
    ce_kube_config_free(cfg);
    start_controller(f, 0);
    assert_true(ce_test_proc_wait_line(f->ctl[0], "The controller is reconciling", 1, WAIT_MS));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    for (int i = 0; i < 2; i++) {
        ce_test_proc_free(f->ctl[i]);
        ce_free(f->kc[i]);
    }
    ce_kube_client_destroy(f->c);
    ce_test_kube_stop(&f->k);
    ce_free(f);
    return 0;
}

/* kubectl args... must exit 0 with want in its output. */
static void kubectl_ok(struct fix *f, const char *want, ...)
{
    const char *a[12] = {0};
    va_list ap;
    va_start(ap, want);
    for (int i = 0; i < 11 && (a[i] = va_arg(ap, const char *)) != NULL; i++) {
    }
    va_end(ap);
    char *out = NULL;
    int st = ce_test_kubectl(&f->k, &out, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                             a[9], a[10], NULL);
    if (st != 0 || out == NULL || strstr(out, want) == NULL) {
        fail_msg("kubectl %s exited %d, wanted \"%s\":\n%s", a[0], st, want, out ? out : "");
    }
    ce_free(out);
}

static void apply_data(struct fix *f, const char *want, const char *rel, ...)
{
    /* Up to three placeholder pairs. */
    const char *kv[7] = {0};
    va_list ap;
    va_start(ap, rel);
    for (int i = 0; i < 6 && (kv[i] = va_arg(ap, const char *)) != NULL; i++) {
    }
    va_end(ap);
    char *file = ce_test_data_write(f->k.dir, "apply.yaml", rel, kv[0], kv[1], kv[2], kv[3], kv[4],
                                    kv[5], NULL);
    kubectl_ok(f, want, "apply", "-f", file, NULL);
    ce_free(file);
}

static void apply_example(struct fix *f)
{
    apply_data(f, "eventbus.argoproj.io/default created", "controller/eventbus-exotic.yaml", "URL",
               "nats://127.0.0.1:4222", NULL);
    char *dir = ce_xasprintf("%s/examples/webhook-log", CE_SOURCE_DIR);
    kubectl_ok(f, "eventsource.argoproj.io/webhook created", "apply", "-f", dir, NULL);
    ce_free(dir);
}

/* ---- reading what is there ---- */

struct sel {
    struct fix *f;
    const char *api_version, *kind, *selector, *name;
    int want; /* how many objects */
};

static json_t *list_of(struct fix *f, const char *api_version, const char *kind,
                       const char *selector)
{
    struct ce_kube_ref ref = {api_version, kind, "default", NULL};
    json_t *list = NULL;
    struct ce_kube_error e;
    assert_int_equal(ce_kube_list(f->c, &ref, selector, NULL, &list, &e), CE_OK);
    json_t *items = json_incref(json_object_get(list, "items"));
    json_decref(list);
    return items;
}

static bool count_is(void *arg)
{
    struct sel *s = arg;
    json_t *items = list_of(s->f, s->api_version, s->kind, s->selector);
    bool ok = (int)json_array_size(items) == s->want;
    json_decref(items);
    return ok;
}

static void wait_count(struct fix *f, const char *api_version, const char *kind,
                       const char *selector, int want)
{
    struct sel s = {f, api_version, kind, selector, NULL, want};
    if (!ce_test_poll(count_is, &s, WAIT_MS)) {
        fail_msg("wanted %d %s selected by %s", want, kind, selector);
    }
}

#define ES_SEL "controller=eventsource-controller,eventsource-name="
#define SN_SEL "controller=sensor-controller,sensor-name="

static json_t *the_one(struct fix *f, const char *api_version, const char *kind,
                       const char *selector)
{
    json_t *items = list_of(f, api_version, kind, selector);
    assert_int_equal(json_array_size(items), 1);
    json_t *one = json_incref(json_array_get(items, 0));
    json_decref(items);
    return one;
}

static json_t *get_obj(struct fix *f, const char *api_version, const char *kind, const char *name)
{
    struct ce_kube_ref ref = {api_version, kind, "default", name};
    json_t *obj = NULL;
    struct ce_kube_error e;
    return ce_kube_get(f->c, &ref, &obj, &e) == CE_OK ? obj : NULL;
}

/* The condition type of obj's status, or NULL. */
static const json_t *condition(const json_t *obj, const char *type)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0) {
            return c;
        }
    }
    return NULL;
}

struct cond_want {
    struct fix *f;
    const char *kind, *name, *type, *status, *reason;
};

static bool condition_is(void *arg)
{
    struct cond_want *w = arg;
    json_t *obj = get_obj(w->f, "argoproj.io/v1alpha1", w->kind, w->name);
    const json_t *c = condition(obj, w->type);
    const char *st = json_string_value(json_object_get(c, "status"));
    const char *re = json_string_value(json_object_get(c, "reason"));
    bool ok = st != NULL && strcmp(st, w->status) == 0 &&
              (w->reason == NULL || (re != NULL && strcmp(re, w->reason) == 0));
    json_decref(obj);
    return ok;
}

static void wait_condition(struct fix *f, const char *kind, const char *name, const char *type,
                           const char *status, const char *reason)
{
    struct cond_want w = {f, kind, name, type, status, reason};
    if (!ce_test_poll(condition_is, &w, WAIT_MS)) {
        json_t *obj = get_obj(f, "argoproj.io/v1alpha1", kind, name);
        char *text = json_dumps(json_object_get(obj, "status"), 0);
        fail_msg("%s %s: wanted %s=%s (%s), status is %s", kind, name, type, status,
                 reason ? reason : "any reason", text ? text : "none");
    }
}

static const char *str_at(const json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

/* The requests the test API server saw, from index from on, that write (not GET) and whose path
 * holds part; by: the token they carried ("Bearer ctl-a"), NULL any. */
static int writes_since(struct fix *f, size_t from, const char *method, const char *part,
                        const char *by)
{
    char *text = ce_test_kube_requests(&f->k);
    json_t *reqs = json_loads(text, 0, NULL);
    ce_free(text);
    int n = 0;
    for (size_t i = from; i < json_array_size(reqs); i++) {
        const json_t *r = json_array_get(reqs, i);
        const char *m = json_string_value(json_object_get(r, "method"));
        const char *p = json_string_value(json_object_get(r, "path"));
        const char *a = json_string_value(json_object_get(r, "auth"));
        if (strcmp(m, "GET") != 0 && (method == NULL || strcmp(m, method) == 0) &&
            strstr(p, part) != NULL && (by == NULL || strcmp(a, by) == 0)) {
            n++;
        }
    }
    json_decref(reqs);
    return n;
}

static size_t requests_now(struct fix *f)
{
    char *text = ce_test_kube_requests(&f->k);
    json_t *reqs = json_loads(text, 0, NULL);
    ce_free(text);
    size_t n = json_array_size(reqs);
    json_decref(reqs);
    return n;
}

/* Everything queued before it has been reconciled once a later EventSource's Deployment is
 * there: the controller takes its work in order. */
static void barrier(struct fix *f, const char *name, const char *port)
{
    apply_data(f, "created", "controller/eventsource.yaml", "NAME", name, "PORT", port, NULL);
    char *sel = ce_xasprintf(ES_SEL "%s", name);
    wait_count(f, "apps/v1", "Deployment", sel, 1);
    ce_free(sel);
}

/* ---- the tests ---- */

static void test_apply_creates_deployments_services_and_configmaps(void **state)
{
    struct fix *f = *state;
    apply_example(f);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "webhook", 1);
    wait_count(f, "apps/v1", "Deployment", SN_SEL "log", 1);
    json_t *es = get_obj(f, "argoproj.io/v1alpha1", "EventSource", "webhook");
    json_t *dep = the_one(f, "apps/v1", "Deployment", ES_SEL "webhook");
    assert_string_equal(str_at(dep, "metadata", "generateName"), "webhook-eventsource-");
    const json_t *labels = json_object_get(json_object_get(dep, "metadata"), "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "owner-name")), "webhook");
    const json_t *owner =
        json_array_get(json_object_get(json_object_get(dep, "metadata"), "ownerReferences"), 0);
    assert_string_equal(json_string_value(json_object_get(owner, "kind")), "EventSource");
    assert_string_equal(json_string_value(json_object_get(owner, "uid")),
                        str_at(es, "metadata", "uid"));
    assert_true(json_is_true(json_object_get(owner, "controller")));
    const json_t *pod =
        json_object_get(json_object_get(json_object_get(dep, "spec"), "template"), "spec");
    const json_t *main_c = json_array_get(json_object_get(pod, "containers"), 0);
    assert_string_equal(json_string_value(json_object_get(main_c, "image")), "cevents:test");
    assert_string_equal(json_string_value(json_array_get(json_object_get(main_c, "args"), 0)),
                        "eventsource");
    char *vols = json_dumps(json_object_get(pod, "volumes"), JSON_COMPACT);
    assert_non_null(strstr(vols, "\"name\":\"webhook-eventsource-manifest\""));
    ce_free(vols);
    json_t *svc = get_obj(f, "v1", "Service", "webhook-eventsource-svc");
    assert_non_null(svc);
    json_t *cm = get_obj(f, "v1", "ConfigMap", "webhook-eventsource-manifest");
    assert_non_null(cm);
    json_t *scm = get_obj(f, "v1", "ConfigMap", "log-sensor-manifest");
    assert_non_null(scm);
    json_decref(scm);
    wait_condition(f, "EventSource", "webhook", "Deployed", "True", NULL);
    wait_condition(f, "EventSource", "webhook", "SourcesProvided", "True", NULL);
    wait_condition(f, "Sensor", "log", "TriggersProvided", "True", NULL);
    json_t *again = get_obj(f, "argoproj.io/v1alpha1", "EventSource", "webhook");
    const json_t *fins = json_object_get(json_object_get(again, "metadata"), "finalizers");
    assert_string_equal(json_string_value(json_array_get(fins, 0)), "eventsource-controller");
    json_decref(again);
    json_decref(cm);
    json_decref(svc);
    json_decref(dep);
    json_decref(es);
}

static void test_changed_spec_updates_once_unchanged_writes_nothing(void **state)
{
    struct fix *f = *state;
    apply_data(f, "created", "controller/eventbus-exotic.yaml", "URL", "nats://127.0.0.1:4222",
               NULL);
    apply_data(f, "eventsource.argoproj.io/hook created", "controller/eventsource.yaml", "NAME",
               "hook", "PORT", "12000", NULL);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "hook", 1);
    barrier(f, "m1", "12101");
    size_t from = requests_now(f);
    apply_data(f, "eventsource.argoproj.io/hook unchanged", "controller/eventsource.yaml", "NAME",
               "hook", "PORT", "12000", NULL);
    barrier(f, "m2", "12102");
    assert_int_equal(writes_since(f, from, NULL, "hook-eventsource", NULL), 0);
    assert_int_equal(writes_since(f, from, NULL, "eventsources/hook", NULL), 0);

    from = requests_now(f);
    apply_data(f, "eventsource.argoproj.io/hook configured", "controller/eventsource.yaml", "NAME",
               "hook", "PORT", "12999", NULL);
    barrier(f, "m3", "12103");
    json_t *dep = the_one(f, "apps/v1", "Deployment", ES_SEL "hook");
    char *text = json_dumps(dep, JSON_COMPACT);
    json_decref(dep);
    assert_int_equal(writes_since(f, from, "PUT", "/deployments/hook-eventsource-", NULL), 1);
    assert_int_equal(writes_since(f, from, "POST", "/deployments", NULL), 1); /* only m3's */
    json_t *cm = get_obj(f, "v1", "ConfigMap", "hook-eventsource-manifest");
    char *data = json_dumps(json_object_get(cm, "data"), 0);
    assert_non_null(strstr(data, "12999"));
    ce_free(data);
    json_decref(cm);
    ce_free(text);
}

static void test_delete_removes_what_was_made(void **state)
{
    struct fix *f = *state;
    apply_example(f);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "webhook", 1);
    wait_count(f, "apps/v1", "Deployment", SN_SEL "log", 1);
    char *dir = ce_xasprintf("%s/examples/webhook-log", CE_SOURCE_DIR);
    kubectl_ok(f, "eventsource.argoproj.io \"webhook\" deleted", "delete", "-f", dir, NULL);
    ce_free(dir);
    static const char *const kinds[][2] = {
        {"apps/v1", "Deployment"}, {"v1", "Service"}, {"v1", "ConfigMap"}};
    for (int i = 0; i < 3; i++) {
        wait_count(f, kinds[i][0], kinds[i][1], ES_SEL "webhook", 0);
        wait_count(f, kinds[i][0], kinds[i][1], SN_SEL "log", 0);
    }
    assert_null(get_obj(f, "argoproj.io/v1alpha1", "EventSource", "webhook"));
    assert_null(get_obj(f, "argoproj.io/v1alpha1", "Sensor", "log"));
}

static void test_invalid_spec_gets_the_lint_message(void **state)
{
    struct fix *f = *state;
    apply_data(f, "created", "controller/eventbus-exotic.yaml", "URL", "nats://127.0.0.1:4222",
               NULL);
    apply_data(f, "eventsource.argoproj.io/broken created", "controller/eventsource-invalid.yaml",
               NULL);
    wait_condition(f, "EventSource", "broken", "SourcesProvided", "False", "InvalidEventSource");
    json_t *es = get_obj(f, "argoproj.io/v1alpha1", "EventSource", "broken");
    const char *msg =
        json_string_value(json_object_get(condition(es, "SourcesProvided"), "message"));
    assert_non_null(msg);
    assert_non_null(strstr(msg, "spec.webhook.example.maxPayloadSize: not an integer"));
    assert_null(strstr(msg, ".yaml"));
    json_decref(es);
    barrier(f, "m1", "12101");
    wait_count(f, "apps/v1", "Deployment", ES_SEL "broken", 0);
}

static void test_eventsource_waits_for_its_jetstream_eventbus(void **state)
{
    struct fix *f = *state;
    apply_data(f, "created", "controller/eventsource.yaml", "NAME", "early", "PORT", "12000", NULL);
    wait_condition(f, "EventSource", "early", "Deployed", "False", "EventBusNotFound");
    wait_count(f, "apps/v1", "Deployment", ES_SEL "early", 0);
    apply_data(f, "eventbus.argoproj.io/default created", "controller/eventbus-jetstream.yaml",
               NULL);
    json_t *sts = NULL;
    wait_count(f, "apps/v1", "StatefulSet", "controller=eventbus-controller,eventbus-name=default",
               1);
    sts = get_obj(f, "apps/v1", "StatefulSet", "eventbus-default-js");
    assert_non_null(sts);
    json_decref(sts);
    json_t *svc = get_obj(f, "v1", "Service", "eventbus-default-js-svc");
    assert_non_null(svc);
    json_decref(svc);
    wait_condition(f, "EventBus", "default", "Deployed", "True", NULL);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "early", 1);
    json_t *cm = get_obj(f, "v1", "ConfigMap", "early-eventsource-manifest");
    char *data = json_dumps(json_object_get(cm, "data"), 0);
    assert_non_null(strstr(data, "eventbus-default-js-svc.default.svc"));
    ce_free(data);
    json_decref(cm);
}

static void test_only_the_leader_writes_and_a_follower_takes_over(void **state)
{
    struct fix *f = *state;
    start_controller(f, 1);
    assert_true(ce_test_proc_wait_line(f->ctl[1], "Waiting for the leader lease", 1, WAIT_MS));
    apply_example(f);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "webhook", 1);
    wait_count(f, "apps/v1", "Deployment", SN_SEL "log", 1);
    barrier(f, "m1", "12101");
    assert_int_equal(writes_since(f, 0, NULL, "/leases", NULL) > 0, 1);
    assert_int_equal(writes_since(f, 0, NULL, "/deployments", "Bearer ctl-b"), 0);
    assert_int_equal(writes_since(f, 0, NULL, "/eventsources/", "Bearer ctl-b"), 0);
    assert_true(writes_since(f, 0, "POST", "/deployments", "Bearer ctl-a") >= 3);
    assert_int_equal(ce_test_proc_count(f->ctl[1], "Became the leader"), 0);

    ce_test_proc_kill(f->ctl[0]);
    size_t from = requests_now(f);
    assert_true(ce_test_proc_wait_line(f->ctl[1], "Became the leader", 1, WAIT_MS));
    barrier(f, "late", "12102");
    assert_int_equal(writes_since(f, from, "POST", "/deployments", "Bearer ctl-b"), 1);
    assert_int_equal(writes_since(f, from, NULL, "/deployments", "Bearer ctl-a"), 0);
}

static void test_health_metrics_and_lease_released_on_stop(void **state)
{
    struct fix *f = *state;
    char *url = ce_xasprintf("http://127.0.0.1:%d/readyz", f->health_port[0]);
    assert_true(ce_test_wait_http(url, 200, WAIT_MS));
    ce_free(url);
    apply_example(f);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "webhook", 1);
    url = ce_xasprintf("http://127.0.0.1:%d/metrics", f->health_port[0]);
    struct ce_test_http_resp r = {0};
    assert_int_equal(ce_test_http("GET", url, NULL, NULL, 0, 5000, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "cevents_controller_reconciles_total{result=\"success\"}"));
    assert_non_null(strstr(r.body, "cevents_controller_is_leader 1"));
    ce_test_http_resp_fini(&r);
    ce_free(url);

    start_controller(f, 1);
    assert_true(ce_test_proc_wait_line(f->ctl[1], "Waiting for the leader lease", 1, WAIT_MS));
    url = ce_xasprintf("http://127.0.0.1:%d/readyz", f->health_port[1]);
    assert_true(ce_test_wait_http(url, 503, WAIT_MS)); /* a follower is not ready to act */
    int st = ce_test_proc_stop(f->ctl[0], 10000);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(ce_test_proc_count(f->ctl[0], "Released the leader lease"), 1);
    assert_true(ce_test_proc_wait_line(f->ctl[1], "Became the leader", 1, WAIT_MS));
    assert_true(ce_test_wait_http(url, 200, WAIT_MS));
    ce_free(url);
}

static void test_eventbus_stays_while_used(void **state)
{
    struct fix *f = *state;
    apply_example(f);
    wait_count(f, "apps/v1", "Deployment", ES_SEL "webhook", 1);
    kubectl_ok(f, "deleted", "delete", "eventbus", "default", "--wait=false", NULL);
    barrier(f, "m1", "12101");
    json_t *bus = get_obj(f, "argoproj.io/v1alpha1", "EventBus", "default");
    assert_non_null(bus); /* held by its finalizer while EventSources and Sensors use it */
    assert_non_null(json_object_get(json_object_get(bus, "metadata"), "deletionTimestamp"));
    json_decref(bus);
    char *dir = ce_xasprintf("%s/examples/webhook-log", CE_SOURCE_DIR);
    kubectl_ok(f, "deleted", "delete", "-f", dir, NULL);
    ce_free(dir);
    kubectl_ok(f, "deleted", "delete", "eventsource", "m1", NULL);
    kubectl_ok(f, "", "wait", "--for=delete", "eventbus/default", "--timeout=20s", NULL);
    assert_null(get_obj(f, "argoproj.io/v1alpha1", "EventBus", "default"));
}

static void test_namespaced_controller_leaves_other_namespaces_alone(void **state)
{
    struct fix *f = *state;
    ce_test_proc_free(f->ctl[0]);
    start_controller_with(f, 0, "--namespaced");
    assert_true(ce_test_proc_wait_line(f->ctl[0], "The controller is reconciling", 1, WAIT_MS));
    char *file = ce_test_data_write(f->k.dir, "other.yaml", "controller/eventsource.yaml", "NAME",
                                    "elsewhere", "PORT", "12000", NULL);
    kubectl_ok(f, "created", "apply", "-n", "other", "-f", file, NULL);
    ce_free(file);
    apply_data(f, "created", "controller/eventbus-exotic.yaml", "URL", "nats://127.0.0.1:4222",
               NULL);
    barrier(f, "m1", "12101"); /* in "default": reconciled */
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "EventSource", "other", "elsewhere"};
    json_t *obj = NULL;
    struct ce_kube_error e;
    assert_int_equal(ce_kube_get(f->c, &ref, &obj, &e), CE_OK);
    assert_null(json_object_get(json_object_get(obj, "metadata"), "finalizers"));
    assert_null(json_object_get(obj, "status"));
    json_decref(obj);
    assert_int_equal(writes_since(f, 0, NULL, "/namespaces/other/", "Bearer ctl-a"), 0);
}

int main(int argc, char **argv)
{
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_creates_deployments_services_and_configmaps,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_spec_updates_once_unchanged_writes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_removes_what_was_made, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_spec_gets_the_lint_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eventsource_waits_for_its_jetstream_eventbus, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_only_the_leader_writes_and_a_follower_takes_over,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_metrics_and_lease_released_on_stop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_eventbus_stays_while_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespaced_controller_leaves_other_namespaces_alone,
                                        setup, teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
