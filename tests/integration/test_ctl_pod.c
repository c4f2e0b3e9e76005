/* SPDX-License-Identifier: Apache-2.0 */
/* The closest thing to a pod these machines can run: the controller's objects for
 * examples/webhook-log/ are built, the manifest ConfigMap's keys are written to a directory
 * standing for its mount, the secrets to one standing for /argo-events/secrets, and the built
 * container's args run as real `cevents eventsource` / `cevents sensor` processes (the mount
 * paths mapped to the temp dirs, the metrics port to a free one) against a real nats-server
 * named by the bus config. A webhook POST must reach the log trigger. */
#include "controller/build.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "manifest/diag.h"
#include "manifest/node.h"
#include "manifest/tojson.h"
#include "sensor/runtime.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/plugins.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define POD_SECRETS "/argo-events/secrets/"

struct pod_env {
    char *dir;
    struct ce_natsd *natsd;
    int port; /* the webhook's */
    /* pod_setup_controller: the test API server and `cevents controller` against it */
    struct ce_test_kube k;
    struct ce_test_proc *ctl;
};

static int pod_setup(void **state)
{
    struct pod_env *e = ce_xcalloc(1, sizeof(*e));
    e->dir = ce_test_tmpdir("ctlpod");
    e->natsd = ce_scn_natsd_start(e->dir);
    e->port = ce_test_free_port();
    *state = e;
    return 0;
}

static int pod_teardown(void **state)
{
    struct pod_env *e = *state;
    ce_natsd_destroy(e->natsd);
    ce_test_rmtree(e->dir);
    ce_free(e->dir);
    ce_free(e);
    return 0;
}

/* pod_setup, then the test API server with `cevents controller` watching it, when the machine
 * has what they need (else the test skips itself). */
static int pod_setup_controller(void **state)
{
    pod_setup(state);
    struct pod_env *e = *state;
    if (!ce_test_have_program("python3") || !ce_test_have_program("openssl") ||
        !ce_test_have_program("kubectl")) {
        return 0;
    }
    ce_test_kube_start(&e->k, false, NULL);
    const char *args[] = {"controller",
                          "--kubeconfig",
                          e->k.kubeconfig,
                          "--leader-election",
                          "false",
                          "--metrics-port",
                          "0",
                          "--health-port",
                          "0",
                          "--image",
                          "cevents:test",
                          NULL};
    e->ctl = ce_test_proc_start_cevents(args);
    return e->ctl != NULL ? 0 : -1;
}

static int pod_teardown_controller(void **state)
{
    struct pod_env *e = *state;
    ce_test_proc_free(e->ctl);
    ce_test_kube_stop(&e->k);
    return pod_teardown(state);
}

/* examples/webhook-log/<file> as the API server returns it: JSON, with a namespace and a uid. */
static json_t *pod_example(const char *file)
{
    const char *src = getenv("CE_SOURCE_DIR");
    char *path = ce_xasprintf("%s/examples/webhook-log/%s", src ? src : CE_SOURCE_DIR, file);
    size_t len = 0;
    char *text = ce_test_read_file(path, &len);
    struct ce_diag diag;
    ce_diag_init(&diag);
    struct ce_node_doc *docs = NULL;
    int n = 0;
    assert_int_equal(ce_node_parse(text, len, path, &diag, &docs, &n), CE_OK);
    assert_int_equal(n, 1);
    json_t *obj = ce_node_to_json(docs[0].root);
    ce_node_docs_free(docs, n);
    ce_diag_fini(&diag);
    ce_free(text);
    ce_free(path);
    json_t *md = json_object_get(obj, "metadata");
    json_object_set_new(md, "namespace", json_string("ns"));
    json_object_set_new(md, "uid", json_string("u-1"));
    return obj;
}

/* The built object of kind (borrowed); the test fails without one. */
static json_t *pod_object(const struct ce_ctl_built *b, const char *kind)
{
    json_t *o = ce_test_ctl_built_object(b, kind, NULL);
    if (o == NULL) {
        fail_msg("no %s built", kind);
    }
    return o;
}

/* The ConfigMap's keys written to dir/<word>-manifest, the directory its mount stands for. */
static char *pod_write_configmap(struct pod_env *e, const struct ce_ctl_built *b, const char *word)
{
    char *mdir = ce_xasprintf("%s/%s-manifest", e->dir, word);
    assert_int_equal(mkdir(mdir, 0700), 0);
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(pod_object(b, "ConfigMap"), "data"), key, v)
    {
        ce_free(ce_test_write_file(mdir, key, json_string_value(v)));
    }
    return mdir;
}

/* Every secret the pod mounts must be one the test provides in dir/secrets; the secret the
 * spec names (when not NULL) must be among them. */
static void pod_check_mounts(struct pod_env *e, const json_t *container, const char *secret)
{
    char *want = secret ? ce_xasprintf(POD_SECRETS "%s", secret) : NULL;
    bool found = want == NULL;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(container, "volumeMounts"), i, m)
    {
        const char *path = json_string_value(json_object_get(m, "mountPath"));
        if (strncmp(path, POD_SECRETS, strlen(POD_SECRETS)) == 0) {
            char *local = ce_xasprintf("%s/secrets/%s", e->dir, path + strlen(POD_SECRETS));
            struct stat st;
            if (stat(local, &st) != 0) {
                fail_msg("the pod mounts %s, which the test does not provide", path);
            }
            ce_free(local);
            found = found || strcmp(path, want) == 0;
        }
    }
    if (!found) {
        fail_msg("%s is not mounted", want);
    }
    ce_free(want);
}

/* The container's args as the pod runs them, the mount paths mapped to the temp dirs and the
 * metrics port to mport: the process it starts. */
static struct ce_test_proc *pod_run(struct pod_env *e, const struct ce_ctl_built *b,
                                    const char *word, int mport, const char *ready,
                                    const char *secret)
{
    char *mdir = pod_write_configmap(e, b, word);
    json_t *c = json_array_get(
        json_object_get(
            json_object_get(
                json_object_get(json_object_get(pod_object(b, "Deployment"), "spec"), "template"),
                "spec"),
            "containers"),
        0);
    pod_check_mounts(e, c, secret);
    json_t *args = json_object_get(c, "args");
    const char *argv[32];
    char *owned[4] = {NULL};
    size_t n = 0;
    size_t i;
    json_t *a;
    json_array_foreach(args, i, a)
    {
        const char *s = json_string_value(a);
        if (strncmp(s, CE_CTL_MANIFEST_DIR "/", strlen(CE_CTL_MANIFEST_DIR) + 1) == 0) {
            s = owned[0] = ce_xasprintf("%s/%s", mdir, s + strlen(CE_CTL_MANIFEST_DIR) + 1);
        }
        argv[n++] = s;
    }
    owned[1] = ce_xasprintf("%s/secrets", e->dir);
    owned[2] = ce_xasprintf("%s/config", e->dir);
    owned[3] = ce_xasprintf("%d", mport);
    const char *mapped[] = {"--secrets-dir", owned[1], "--config-dir", owned[2], "--metrics-port",
                            owned[3],        NULL};
    for (int k = 0; mapped[k] != NULL; k++) {
        argv[n++] = mapped[k];
    }
    argv[n] = NULL;
    assert_string_equal(argv[0], word);
    struct ce_test_proc *p = ce_test_proc_start_cevents(argv);
    assert_non_null(p);
    if (!ce_test_proc_wait_line(p, ready, 1, 20000)) {
        char *out = ce_test_proc_output(p);
        fprintf(stderr, "--- %s output ---\n%s\n---\n", word, out ? out : "");
        ce_free(out);
        fail_msg("%s did not log \"%s\"", word, ready);
    }
    for (int k = 0; k < 4; k++) {
        ce_free(owned[k]);
    }
    ce_free(mdir);
    return p;
}

/* The readiness probe's path answers on the metrics port once the process is ready. */
static void pod_probe_ready(const struct ce_ctl_built *b, int mport)
{
    json_t *c = json_array_get(
        json_object_get(
            json_object_get(
                json_object_get(json_object_get(pod_object(b, "Deployment"), "spec"), "template"),
                "spec"),
            "containers"),
        0);
    const char *path = json_string_value(
        json_object_get(json_object_get(json_object_get(c, "readinessProbe"), "httpGet"), "path"));
    char *url = ce_xasprintf("http://127.0.0.1:%d%s", mport, path);
    assert_true(ce_test_wait_http(url, 200, 10000));
    ce_free(url);
}

/* The example's webhook on the test's port, with an authSecret when secret is not NULL. */
static json_t *pod_eventsource(struct pod_env *e, const char *secret)
{
    json_t *es = pod_example("webhook-eventsource.yaml");
    json_t *ex =
        json_object_get(json_object_get(json_object_get(es, "spec"), "webhook"), "example");
    char port[16];
    snprintf(port, sizeof port, "%d", e->port);
    json_object_set_new(ex, "port", json_string(port));
    if (secret != NULL) {
        json_object_set_new(ex, "authSecret",
                            json_pack("{s:s, s:s}", "name", secret, "key", "token"));
        char *sdir = ce_xasprintf("%s/secrets/%s", e->dir, secret);
        char *top = ce_xasprintf("%s/secrets", e->dir);
        mkdir(top, 0700);
        assert_int_equal(mkdir(sdir, 0700), 0);
        ce_free(ce_test_write_file(sdir, "token", "s3cret\n"));
        ce_free(sdir);
        ce_free(top);
    }
    return es;
}

/* Runs the EventSource's and Sensor's pods of bes and bsn and sends one event through. */
static void pod_run_both(struct pod_env *e, const struct ce_ctl_built *bes,
                         const struct ce_ctl_built *bsn, const char *secret)
{
    int es_mport = ce_test_free_port();
    int sn_mport = ce_test_free_port();
    struct ce_test_proc *ps = pod_run(e, bsn, "sensor", sn_mport, CE_SENSOR_SUBSCRIBED_MSG, NULL);
    struct ce_test_proc *pe =
        pod_run(e, bes, "eventsource", es_mport, "Eventing server started.", secret);
    pod_probe_ready(bes, es_mport);
    pod_probe_ready(bsn, sn_mport);
    char id[33];
    const char *auth = secret ? "Authorization: Bearer s3cret" : NULL;
    if (secret != NULL) {
        assert_int_equal(ce_scn_post(e->port, "/example", "{\"n\": 1}", NULL, id), 401);
    }
    assert_int_equal(ce_scn_post(e->port, "/example", "{\"n\": 1}", auth, id), 200);
    assert_int_equal(strlen(id), 32);
    CE_TEST_WAIT_UNTIL(ce_scn_logged_count(ps, id) >= 1, 20000);
    /* JSON logs, as the args ask */
    char *line = ce_test_proc_line(pe, "Eventing server started.", 0);
    assert_non_null(line);
    assert_true(line[0] == '{');
    ce_free(line);
    assert_int_equal(ce_test_proc_stop(pe, 10000), 0);
    assert_int_equal(ce_test_proc_stop(ps, 10000), 0);
    ce_test_proc_free(pe);
    ce_test_proc_free(ps);
}

static void pod_webhook_to_log(struct pod_env *e, const char *secret)
{
    struct ce_ctl_env env = {.image = "cevents:test", .plugins = ce_test_plugins()};
    json_t *bus = json_pack("{s:{s:s}}", "jetstream", "url", ce_natsd_url(e->natsd));
    json_t *es = pod_eventsource(e, secret);
    json_t *sn = pod_example("log-sensor.yaml");
    struct ce_ctl_built bes, bsn;
    assert_int_equal(ce_ctl_build_eventsource(&env, es, bus, &bes), CE_OK);
    assert_int_equal(ce_ctl_build_sensor(&env, sn, bus, &bsn), CE_OK);
    assert_non_null(bes.objects);
    assert_non_null(bsn.objects);
    pod_run_both(e, &bes, &bsn, secret);
    ce_ctl_built_fini(&bes);
    ce_ctl_built_fini(&bsn);
    json_decref(es);
    json_decref(sn);
    json_decref(bus);
}

static void test_example_webhook_to_log(void **state)
{
    pod_webhook_to_log(*state, NULL);
}

/* A secret the spec references is mounted where the process reads it. */
static void test_mounted_secret_is_read(void **state)
{
    pod_webhook_to_log(*state, "webhook-auth");
}

/* The one object of ref's kind that selector selects (a copy), or NULL. */
static json_t *pod_list_one(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                            const char *selector)
{
    json_t *list = NULL, *one = NULL;
    struct ce_kube_error ke;
    if (ce_kube_list(c, ref, selector, NULL, &list, &ke) == CE_OK &&
        json_array_size(json_object_get(list, "items")) == 1) {
        one = json_deep_copy(json_array_get(json_object_get(list, "items"), 0));
        json_object_set_new(one, "kind", json_string(ref->kind));
    }
    json_decref(list);
    return one;
}

/* The objects `cevents controller` wrote to the test API server after `kubectl apply`, found
 * by its labels, as a built result. */
static void pod_written(struct ce_kube_client *c, const char *selector, struct ce_ctl_built *b)
{
    static const char *const kinds[][2] = {{"v1", "ConfigMap"}, {"apps/v1", "Deployment"}};
    b->objects = json_array();
    for (int i = 0; i < 2; i++) {
        struct ce_kube_ref ref = {kinds[i][0], kinds[i][1], "default", NULL};
        json_t *obj = NULL;
        CE_TEST_WAIT_UNTIL((obj = pod_list_one(c, &ref, selector)) != NULL, 20000);
        json_array_append_new(b->objects, json_pack("{s:o}", "object", obj));
    }
}

/* What the controller wrote, not only what the builders return, runs: kubectl apply of the
 * example and an EventBus naming the test's nats-server, then the ConfigMaps and Deployments
 * read back from the API server run as the pods would. */
static void test_controller_written_objects_run(void **state)
{
    struct pod_env *e = *state;
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    struct ce_test_kube *k = &e->k;
    char port[16];
    snprintf(port, sizeof(port), "%d", e->port);
    char *bus = ce_test_data_write(k->dir, "bus.yaml", "controller/eventbus-exotic.yaml", "URL",
                                   ce_natsd_url(e->natsd), NULL);
    char *es = ce_test_data_write(k->dir, "es.yaml", "controller/eventsource.yaml", "NAME",
                                  "webhook", "PORT", port, NULL);
    char *sn = ce_xasprintf("%s/examples/webhook-log/log-sensor.yaml", CE_SOURCE_DIR);
    const char *files[] = {bus, es, sn};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ce_test_kubectl(k, NULL, "apply", "-f", files[i], NULL), 0);
    }
    const char *paths[] = {k->kubeconfig};
    struct ce_kube_config *cfg = NULL;
    struct ce_kube_client *c = NULL;
    char err[256];
    assert_int_equal(ce_kube_config_from_kubeconfig(paths, 1, NULL, &cfg, err, sizeof(err)), CE_OK);
    assert_int_equal(ce_kube_client_create(cfg, &c, err, sizeof(err)), CE_OK);
    struct ce_ctl_built bes = {0}, bsn = {0};
    pod_written(c, "controller=eventsource-controller,eventsource-name=webhook", &bes);
    pod_written(c, "controller=sensor-controller,sensor-name=log", &bsn);
    pod_run_both(e, &bes, &bsn, NULL);
    ce_ctl_built_fini(&bes);
    ce_ctl_built_fini(&bsn);
    ce_kube_client_destroy(c);
    ce_kube_config_free(cfg);
    ce_free(bus);
    ce_free(es);
    ce_free(sn);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_example_webhook_to_log, pod_setup, pod_teardown),
        cmocka_unit_test_setup_teardown(test_mounted_secret_is_read, pod_setup, pod_teardown),
        cmocka_unit_test_setup_teardown(test_controller_written_objects_run, pod_setup_controller,
                                        pod_teardown_controller),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
