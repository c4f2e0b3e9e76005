/* SPDX-License-Identifier: Apache-2.0 */
/* kube/client against the test API server (tests/fixtures/kube_apiserver.py): discovery (and
 * its refresh when a CRD appears), create with generateName, get, list by labels, update with
 * resourceVersion conflicts, the four patch types, delete with finalizers, watch with resume
 * and 410, Kubernetes Status errors as messages, and which failures are retryable; over plain
 * HTTP and over TLS with a CA, a bearer token (re-read when its file changes) or a client
 * certificate. */
#include "core/base/mem.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/harness/kube.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include <cmocka.h>

struct fx {
    struct ce_test_kube k;
    struct ce_kube_client *c;
};

static struct ce_kube_client *client_for(const char *kubeconfig)
{
    struct ce_kube_config_opts o = {.kubeconfig = kubeconfig};
    struct ce_kube_config *cfg = NULL;
    struct ce_kube_client *c = NULL;
    char err[512];
    if (ce_kube_config_load(&o, &cfg, err, sizeof(err)) != CE_OK ||
        ce_kube_client_create(cfg, &c, err, sizeof(err)) != CE_OK) {
        fail_msg("client: %s", err);
    }
    ce_kube_config_free(cfg);
    return c;
}

static int setup(void **state)
{
    struct fx *f = ce_xcalloc(1, sizeof(*f));
    ce_test_kube_start(&f->k, false, NULL);
    f->c = client_for(f->k.kubeconfig);
    *state = f;
    return 0;
}

static int setup_tls(void **state)
{
    struct fx *f = ce_xcalloc(1, sizeof(*f));
    ce_test_kube_start(&f->k, true, "s3cret");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ce_kube_client_destroy(f->c);
    ce_test_kube_stop(&f->k);
    ce_free(f);
    return 0;
}

static json_t *wf(const char *name, const char *generate_name, const char *label)
{
    json_t *o = json_pack("{s:s,s:s,s:{},s:{s:s,s:[{s:s}]}}", "apiVersion", "argoproj.io/v1alpha1",
                          "kind", "Workflow", "metadata", "spec", "entrypoint", "main", "templates",
                          "name", "main");
    json_t *md = json_object_get(o, "metadata");
    if (name != NULL) {
        json_object_set_new(md, "name", json_string(name));
    }
    if (generate_name != NULL) {
        json_object_set_new(md, "generateName", json_string(generate_name));
    }
    if (label != NULL) {
        json_object_set_new(md, "labels", json_pack("{s:s}", "app", label));
    }
    return o;
}

/* expr (a call filling e) must succeed; else the test fails with the client's message. */
#define OK(expr)                                                                                   \
    do {                                                                                           \
        int ok_rc_ = (expr);                                                                       \
        if (ok_rc_ != CE_OK) {                                                                     \
            fail_msg("%s: %s (%s); the server saw %s", #expr, e.message, ce_rc_str(ok_rc_),        \
                     ce_test_kube_requests(&f->k));                                                \
        }                                                                                          \
    } while (0)

static const char *md_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static void test_discovery(void **state)
{
    struct fx *f = *state;
    struct ce_kube_resource r;
    struct ce_kube_error e;
    OK(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "EventBus", &r, &e));
    assert_string_equal(r.plural, "eventbus"); /* not guessed: "eventbuses" would be wrong */
    assert_true(r.namespaced);
    OK(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "ClusterWorkflowTemplate", &r, &e));
    assert_string_equal(r.plural, "clusterworkflowtemplates");
    assert_false(r.namespaced);
    OK(ce_kube_discover(f->c, "v1", "ConfigMap", &r, &e));
    assert_string_equal(r.group, "");
    assert_string_equal(r.plural, "configmaps");
    OK(ce_kube_discover(f->c, "batch/v1", "Job", &r, &e));
    assert_string_equal(r.plural, "jobs");
    /* unknown kind in a known group, and an unknown group */
    assert_int_equal(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "Rollout", &r, &e), CE_ENOENT);
    if (strstr(e.message, "Rollout") == NULL) {
        fail_msg("%s", e.message);
    }
    assert_int_equal(ce_kube_discover(f->c, "example.com/v1", "Widget", &r, &e), CE_ENOENT);
    assert_non_null(strstr(e.message, "example.com/v1"));
    assert_int_equal(ce_kube_discover(f->c, "a/b/c", "X", &r, &e), CE_EINVAL);
}

static void test_discovery_refreshed_when_crd_appears(void **state)
{
    struct fx *f = *state;
    struct ce_kube_resource r;
    struct ce_kube_error e;
    /* cached first: argoproj.io/v1alpha1 is known, Rollout is not */
    OK(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "Workflow", &r, &e));
    json_t *crd = json_loads(
        "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
        "\"metadata\":{\"name\":\"rollouts.argoproj.io\"},\"spec\":{\"group\":\"argoproj.io\","
        "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"rollouts\",\"kind\":\"Rollout\"},"
        "\"versions\":[{\"name\":\"v1alpha1\",\"served\":true,\"storage\":true}]}}",
        0, NULL);
    OK(ce_kube_create(f->c, crd, NULL, NULL, &e));
    json_decref(crd);
    OK(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "Rollout", &r, &e));
    assert_string_equal(r.plural, "rollouts");
}

static void test_create_get_generate_name(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *obj = wf(NULL, "hello-world-", "x");
    json_t *made = NULL;
    OK(ce_kube_create(f->c, obj, "argo", &made, &e));
    const char *name = md_str(made, "name");
    assert_non_null(name);
    assert_int_equal(strlen(name), strlen("hello-world-") + 5);
    assert_memory_equal(name, "hello-world-", 12);
    assert_string_equal(md_str(made, "namespace"), "argo");
    assert_non_null(md_str(made, "resourceVersion"));
    assert_non_null(md_str(made, "uid"));
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", name};
    json_t *got = NULL;
    OK(ce_kube_get(f->c, &ref, &got, &e));
    assert_string_equal(md_str(got, "uid"), md_str(made, "uid"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(got, "spec"), "entrypoint")), "main");
    /* the default namespace is the kubeconfig context's */
    json_t *other = NULL;
    OK(ce_kube_create(f->c, obj, NULL, &other, &e));
    assert_string_equal(md_str(other, "namespace"), "default");
    assert_string_equal(ce_kube_client_namespace(f->c), "default");
    json_decref(other);
    json_decref(got);
    json_decref(made);
    json_decref(obj);
}

static void test_status_errors(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *obj = wf("fixed", NULL, NULL);
    OK(ce_kube_create(f->c, obj, "argo", NULL, &e));
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_EREMOTE);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.reason, "AlreadyExists");
    assert_string_equal(e.message, "workflows.argoproj.io \"fixed\" already exists");
    assert_false(ce_kube_rc_retryable(CE_EREMOTE));
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", "nope"};
    json_t *got = NULL;
    assert_int_equal(ce_kube_get(f->c, &ref, &got, &e), CE_ENOENT);
    assert_null(got);
    assert_string_equal(e.message, "workflows.argoproj.io \"nope\" not found");
    assert_string_equal(e.reason, "NotFound");
    /* neither name nor generateName: refused before sending */
    json_t *anon = wf(NULL, NULL, NULL);
    assert_int_equal(ce_kube_create(f->c, anon, "argo", NULL, &e), CE_EINVAL);
    assert_non_null(strstr(e.message, "generateName"));
    json_decref(anon);
    json_decref(obj);
}

static void test_retryable_classification(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *obj = wf(NULL, "w-", NULL);
    ce_test_kube_inject(&f->k, "POST", "/workflows", 500, "InternalError", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_RETRY);
    assert_true(ce_kube_rc_retryable(CE_RETRY));
    assert_int_equal(e.status, 500);
    assert_string_equal(e.message, "Internal error occurred: injected 500");
    assert_int_equal(e.retry_after_ms, -1);
    ce_test_kube_inject(&f->k, "POST", "/workflows", 429, "TooManyRequests", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_RETRY);
    assert_int_equal(e.retry_after_ms, 1000);
    ce_test_kube_inject(&f->k, "POST", "/workflows", 403, NULL, 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_EREMOTE);
    assert_string_equal(e.reason, "Forbidden");
    assert_string_equal(e.message, "workflows.argoproj.io is forbidden: User "
                                   "\"system:serviceaccount:argo-events:default\" cannot create "
                                   "resource \"workflows\" in API group \"argoproj.io\" in the "
                                   "namespace \"argo\"");
    ce_test_kube_inject(&f->k, "POST", "/workflows", 409, "Conflict", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_EREMOTE);
    /* the injections are used up: created now */
    OK(ce_kube_create(f->c, obj, "argo", NULL, &e));
    /* the server gone: a network error, retryable; back again: created */
    ce_test_kube_down(&f->k);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_RETRY);
    assert_int_equal(e.status, 0);
    assert_non_null(strstr(e.message, "127.0.0.1"));
    ce_test_kube_up(&f->k);
    OK(ce_kube_create(f->c, obj, "argo", NULL, &e));
    json_decref(obj);
}

static json_t *create_ok(struct fx *f, json_t *obj)
{
    struct ce_kube_error e;
    json_t *made = NULL;
    OK(ce_kube_create(f->c, obj, "argo", &made, &e));
    json_decref(obj);
    return made;
}

static void test_list_by_labels(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_decref(create_ok(f, wf("a1", NULL, "a")));
    json_decref(create_ok(f, wf("a2", NULL, "a")));
    json_decref(create_ok(f, wf("b1", NULL, "b")));
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    json_t *list = NULL;
    OK(ce_kube_list(f->c, &ref, "app=a", NULL, &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    assert_non_null(md_str(list, "resourceVersion"));
    json_decref(list);
    OK(ce_kube_list(f->c, &ref, "app in (a,b),app!=a", NULL, &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);
    OK(ce_kube_list(f->c, &ref, NULL, "metadata.name=a2", &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    json_decref(list);
    OK(ce_kube_list(f->c, &ref, NULL, NULL, &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), 3);
    json_decref(list);
    /* every namespace */
    json_t *elsewhere = wf("c1", NULL, "a");
    OK(ce_kube_create(f->c, elsewhere, "other", NULL, &e));
    json_decref(elsewhere);
    ref.ns = CE_KUBE_ALL_NAMESPACES;
    OK(ce_kube_list(f->c, &ref, "app=a", NULL, &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), 3);
    json_decref(list);
    ref.name = "a1";
    assert_int_equal(ce_kube_get(f->c, &ref, &list, &e), CE_EINVAL);
}

static void test_update_and_conflict(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *made = create_ok(f, wf("u", NULL, NULL));
    json_t *stale = json_deep_copy(made);
    json_object_set_new(json_object_get(made, "spec"), "entrypoint", json_string("other"));
    json_t *updated = NULL;
    OK(ce_kube_update(f->c, made, NULL, &updated, &e));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(updated, "spec"), "entrypoint")),
        "other");
    assert_string_not_equal(md_str(updated, "resourceVersion"), md_str(made, "resourceVersion"));
    /* the old resourceVersion: 409 Conflict, not retryable as such */
    assert_int_equal(ce_kube_update(f->c, stale, NULL, NULL, &e), CE_EREMOTE);
    assert_string_equal(e.reason, "Conflict");
    assert_non_null(strstr(e.message, "Operation cannot be fulfilled on workflows.argoproj.io "
                                      "\"u\": the object has been modified"));
    json_decref(updated);
    json_decref(stale);
    json_decref(made);
}

static const char *container_image(const json_t *pod, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), "containers"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0) {
            return json_string_value(json_object_get(c, "image"));
        }
    }
    return NULL;
}

static void test_patch_types(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *pod = json_loads("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                             "\"labels\":{\"a\":\"1\"}},\"spec\":{\"containers\":[{\"name\":"
                             "\"main\",\"image\":\"img:1\"},{\"name\":\"side\",\"image\":"
                             "\"side:1\"}]}}",
                             0, NULL);
    json_decref(create_ok(f, pod));
    struct ce_kube_ref ref = {"v1", "Pod", "argo", "p"};
    json_t *out = NULL;
    /* strategic merge: the containers list is merged by name, "side" is kept */
    json_t *smp = json_loads("{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"main\"},"
                             "{\"name\":\"side\"}],\"containers\":[{\"name\":\"main\",\"image\":"
                             "\"img:2\"}]}}",
                             0, NULL);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_STRATEGIC, smp, NULL, &out, &e));
    assert_string_equal(container_image(out, "main"), "img:2");
    assert_string_equal(container_image(out, "side"), "side:1");
    json_decref(out);
    /* $patch: delete removes one element of a keyed list */
    json_t *del = json_loads("{\"spec\":{\"containers\":[{\"name\":\"side\",\"$patch\":"
                             "\"delete\"}]}}",
                             0, NULL);
    json_t *side = json_loads("{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":"
                              "\"side:1\"}]}}",
                              0, NULL);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_STRATEGIC, del, NULL, &out, &e));
    assert_null(container_image(out, "side"));
    assert_string_equal(container_image(out, "main"), "img:2");
    json_decref(out);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_STRATEGIC, side, NULL, &out, &e));
    assert_string_equal(container_image(out, "side"), "side:1");
    json_decref(out);
    json_decref(side);
    json_decref(del);
    /* merge patch: a list is replaced; null removes a key */
    json_t *mp = json_loads("{\"metadata\":{\"labels\":{\"a\":null,\"b\":\"2\"}}}", 0, NULL);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_MERGE, mp, NULL, &out, &e));
    const json_t *labels = json_object_get(json_object_get(out, "metadata"), "labels");
    assert_null(json_object_get(labels, "a"));
    assert_string_equal(json_string_value(json_object_get(labels, "b")), "2");
    json_decref(out);
    /* JSON patch */
    json_t *jp = json_loads("[{\"op\":\"replace\",\"path\":\"/spec/containers/1/image\","
                            "\"value\":\"side:2\"}]",
                            0, NULL);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_JSON, jp, NULL, &out, &e));
    assert_string_equal(container_image(out, "side"), "side:2");
    json_decref(out);
    assert_int_equal(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_JSON, mp, NULL, &out, &e), CE_EINVAL);
    /* apply creates what is not there */
    json_t *cm = json_loads("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                            "\"applied\"},\"data\":{\"k\":\"v\"}}",
                            0, NULL);
    struct ce_kube_ref cref = {"v1", "ConfigMap", "argo", "applied"};
    OK(ce_kube_patch(f->c, &cref, CE_KUBE_PATCH_APPLY, cm, "tester", &out, &e));
    assert_string_equal(md_str(out, "name"), "applied");
    json_decref(out);
    char *reqs = ce_test_kube_requests(&f->k);
    assert_non_null(strstr(reqs, "application/apply-patch+yaml"));
    assert_non_null(strstr(reqs, "fieldManager=tester&force=true"));
    ce_free(reqs);
    /* strategic merge on a custom resource: the server refuses it (415), not retryable */
    struct ce_kube_ref wref = {"argoproj.io/v1alpha1", "Workflow", "argo", "p"};
    json_decref(create_ok(f, wf("p", NULL, NULL)));
    assert_int_equal(ce_kube_patch(f->c, &wref, CE_KUBE_PATCH_STRATEGIC, mp, NULL, NULL, &e),
                     CE_EREMOTE);
    json_decref(cm);
    json_decref(jp);
    json_decref(mp);
    json_decref(smp);
}

static void test_status_subresource(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *es = json_loads("{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"EventSource\","
                            "\"metadata\":{\"name\":\"es\"},\"spec\":{\"webhook\":{}},"
                            "\"status\":{\"ignored\":true}}",
                            0, NULL);
    json_t *made = create_ok(f, es);
    assert_null(json_object_get(made, "status")); /* a main-resource write ignores status */
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "EventSource", "argo", "es"};
    json_t *st = json_loads("{\"status\":{\"conditions\":[{\"type\":\"Deployed\"}]},"
                            "\"spec\":{\"changed\":1}}",
                            0, NULL);
    json_t *out = NULL;
    OK(ce_kube_patch_subresource(f->c, &ref, "status", CE_KUBE_PATCH_MERGE, st, NULL, &out, &e));
    assert_non_null(json_object_get(json_object_get(out, "status"), "conditions"));
    assert_null(json_object_get(json_object_get(out, "spec"), "changed"));
    json_decref(out);
    OK(ce_kube_get(f->c, &ref, &out, &e));
    assert_non_null(json_object_get(out, "status"));
    json_decref(out);
    json_decref(st);
    json_decref(made);
}

static void test_patch_type_names(void **state)
{
    (void)state;
    enum ce_kube_patch_type t;
    assert_int_equal(ce_kube_patch_type_parse("application/json-patch+json", &t), CE_OK);
    assert_int_equal(t, CE_KUBE_PATCH_JSON);
    assert_int_equal(ce_kube_patch_type_parse("strategic", &t), CE_OK);
    assert_int_equal(t, CE_KUBE_PATCH_STRATEGIC);
    assert_string_equal(ce_kube_patch_content_type(CE_KUBE_PATCH_MERGE),
                        "application/merge-patch+json");
    assert_int_equal(ce_kube_patch_type_parse("text/plain", &t), CE_EINVAL);
}

static void test_delete_and_finalizers(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_decref(create_ok(f, wf("gone", NULL, NULL)));
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", "gone"};
    OK(ce_kube_delete(f->c, &ref, NULL, &e));
    assert_int_equal(ce_kube_delete(f->c, &ref, NULL, &e), CE_ENOENT);
    /* a finalizer keeps it (with a deletionTimestamp) until an update removes it */
    json_t *held = wf("held", NULL, NULL);
    json_object_set_new(json_object_get(held, "metadata"), "finalizers",
                        json_pack("[s]", "example.com/keep"));
    json_decref(create_ok(f, held));
    ref.name = "held";
    OK(ce_kube_delete(f->c, &ref, "Foreground", &e));
    json_t *got = NULL;
    OK(ce_kube_get(f->c, &ref, &got, &e));
    assert_non_null(md_str(got, "deletionTimestamp"));
    json_decref(got);
    json_t *clear = json_loads("{\"metadata\":{\"finalizers\":null}}", 0, NULL);
    OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_MERGE, clear, NULL, NULL, &e));
    assert_int_equal(ce_kube_get(f->c, &ref, &got, &e), CE_ENOENT);
    json_decref(clear);
    char *reqs = ce_test_kube_requests(&f->k);
    assert_non_null(strstr(reqs, "\"DELETE\""));
    ce_free(reqs);
}

/* ---- watch ---- */

struct seen {
    struct fx *f;
    char log[4096];
    int n;
    int stop_after; /* events */
    const char *stop_on;
};

static const char *const TYPE_NAMES[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK"};

static void seen_add(struct seen *s, enum ce_kube_event_type t, const json_t *obj)
{
    size_t len = strlen(s->log);
    snprintf(s->log + len, sizeof(s->log) - len, "%s %s;", TYPE_NAMES[t], md_str(obj, "name"));
    s->n++;
}

/* Records events; on the first one, makes the changes the test then expects to see. */
static bool on_event_changes(void *arg, enum ce_kube_event_type t, const json_t *obj)
{
    struct seen *s = arg;
    seen_add(s, t, obj);
    struct ce_kube_error e;
    if (s->n == 1) {
        struct fx *f = s->f;
        json_t *made = create_ok(f, wf("w2", NULL, "w"));
        struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", "w2"};
        json_t *mp = json_loads("{\"spec\":{\"entrypoint\":\"x\"}}", 0, NULL);
        OK(ce_kube_patch(f->c, &ref, CE_KUBE_PATCH_MERGE, mp, NULL, NULL, &e));
        OK(ce_kube_delete(f->c, &ref, NULL, &e));
        json_decref(create_ok(f, wf("unlabelled", NULL, NULL)));
        json_decref(mp);
        json_decref(made);
    }
    return s->n < s->stop_after;
}

static void test_watch_lists_then_streams(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_decref(create_ok(f, wf("w1", NULL, "w")));
    struct seen s = {.f = f, .stop_after = 4};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.label_selector = "app=w", .timeout_ms = 20000};
    char rv[64];
    OK(ce_kube_watch(f->c, &ref, &o, on_event_changes, &s, rv, sizeof(rv), &e));
    assert_string_equal(s.log, "ADDED w1;ADDED w2;MODIFIED w2;DELETED w2;");
    assert_true(rv[0] != '\0');
}

struct resume {
    struct fx *f;
    int n;
    char log[1024];
};

/* The first event closes every stream on the server, then makes one more object: it must
 * arrive once, through the resumed stream. */
static bool on_event_resume(void *arg, enum ce_kube_event_type t, const json_t *obj)
{
    struct resume *r = arg;
    size_t len = strlen(r->log);
    snprintf(r->log + len, sizeof(r->log) - len, "%s %s;", TYPE_NAMES[t], md_str(obj, "name"));
    if (++r->n == 1) {
        ce_test_kube_control(&r->f->k, "close-watches", NULL);
        json_decref(create_ok(r->f, wf("after", NULL, NULL)));
    }
    return r->n < 2;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void test_watch_resumes_from_last_version(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *first = create_ok(f, wf("first", NULL, NULL));
    struct resume r = {.f = f};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.resource_version = "1", .timeout_ms = 20000};
    OK(ce_kube_watch(f->c, &ref, &o, on_event_resume, &r, NULL, 0, &e));
    assert_string_equal(r.log, "ADDED first;ADDED after;");
    char *reqs = ce_test_kube_requests(&f->k);
    assert_int_equal(count(reqs, "watch=true"), 2);
    char *resumed = ce_xasprintf("resourceVersion=%s", md_str(first, "resourceVersion"));
    assert_non_null(strstr(reqs, resumed));
    ce_free(resumed);
    ce_free(reqs);
    json_decref(first);
}

static bool on_event_count(void *arg, enum ce_kube_event_type t, const json_t *obj)
{
    struct seen *s = arg;
    seen_add(s, t, obj);
    return s->n < s->stop_after;
}

static void test_watch_bookmarks(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_t *made = create_ok(f, wf("b", NULL, NULL));
    struct seen s = {.f = f, .stop_after = 1};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.resource_version = md_str(made, "resourceVersion"),
                                   .timeout_ms = 20000,
                                   .bookmarks = true};
    char rv[64];
    OK(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, rv, sizeof(rv), &e));
    assert_string_equal(s.log, "BOOKMARK (null);");
    assert_string_equal(rv, md_str(made, "resourceVersion"));
    json_decref(made);
}

static void test_watch_relists_on_gone(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_decref(create_ok(f, wf("old", NULL, NULL)));
    ce_test_kube_control(&f->k, "compact", NULL);
    struct seen s = {.f = f, .stop_after = 1};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.resource_version = "5", .timeout_ms = 20000};
    OK(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, NULL, 0, &e));
    assert_string_equal(s.log, "ADDED old;");
    char *reqs = ce_test_kube_requests(&f->k);
    assert_int_equal(count(reqs, "watch=true"), 1);
    /* the list after the 410 */
    assert_int_equal(count(reqs, "\"GET\", \"path\": \"/apis/argoproj.io/v1alpha1/namespaces/"
                                 "argo/workflows\""),
                     1);
    ce_free(reqs);
}

static void test_watch_relists_on_gone_answer(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    json_decref(create_ok(f, wf("old", NULL, NULL)));
    /* the watch request itself answered 410 (not an ERROR event): listed again too */
    ce_test_kube_inject(&f->k, "GET", "/namespaces/argo/workflows", 410, "Expired", 1);
    struct seen s = {.f = f, .stop_after = 1};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.resource_version = "5", .timeout_ms = 20000};
    OK(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, NULL, 0, &e));
    assert_string_equal(s.log, "ADDED old;");
    char *reqs = ce_test_kube_requests(&f->k);
    assert_int_equal(count(reqs, "\"GET\", \"path\": \"/apis/argoproj.io/v1alpha1/namespaces/"
                                 "argo/workflows\""),
                     1);
    ce_free(reqs);
}

static void test_watch_timeout_stop_and_errors(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    struct seen s = {.f = f, .stop_after = 100};
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    struct ce_kube_watch_opts o = {.timeout_ms = 500};
    int64_t t0 = ce_test_now_ms();
    assert_int_equal(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, NULL, 0, &e), CE_ETIMEDOUT);
    assert_true(ce_test_now_ms() - t0 < 5000);
    atomic_bool stop = true;
    o.stop = &stop;
    o.timeout_ms = 0;
    OK(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, NULL, 0, &e));
    /* 403 on the watch: permanent, with the server's message */
    ce_test_kube_inject(&f->k, "GET", "/workflows", 403, "Forbidden", -1);
    o.stop = NULL;
    o.timeout_ms = 10000;
    assert_int_equal(ce_kube_watch(f->c, &ref, &o, on_event_count, &s, NULL, 0, &e), CE_EREMOTE);
    assert_string_equal(e.reason, "Forbidden");
    assert_int_equal(s.n, 0);
}

static void test_token_file_reread_when_rotated(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    char *tok = ce_test_write_file(f->k.dir, "token", "first-token\n");
    char *kc = ce_xasprintf("current-context: t\ncontexts:\n- name: t\n  context: {cluster: t, "
                            "user: t}\nclusters:\n- name: t\n  cluster: {server: '%s'}\n"
                            "users:\n- name: t\n  user: {tokenFile: token}\n",
                            f->k.url);
    char *path = ce_test_write_file(f->k.dir, "kubeconfig-file", kc);
    struct ce_kube_client *c = client_for(path);
    ce_test_kube_control(&f->k, "token", "{\"token\":\"first-token\"}");
    struct ce_kube_ref ref = {"v1", "ConfigMap", "argo", NULL};
    json_t *list = NULL;
    OK(ce_kube_list(c, &ref, NULL, NULL, &list, &e));
    json_decref(list);
    /* rotated: the server takes only the new token, and the client reads it */
    ce_free(ce_test_write_file(f->k.dir, "token", "second-token-longer\n"));
    ce_test_kube_control(&f->k, "token", "{\"token\":\"second-token-longer\"}");
    OK(ce_kube_list(c, &ref, NULL, NULL, &list, &e));
    json_decref(list);
    char *reqs = ce_test_kube_requests(&f->k);
    assert_non_null(strstr(reqs, "Bearer second-token-longer"));
    ce_free(reqs);
    ce_kube_client_destroy(c);
    ce_free(path);
    ce_free(kc);
    ce_free(tok);
}

/* The distinct connections (client ports) the server saw. */
static size_t connections(struct fx *f)
{
    char *reqs = ce_test_kube_requests(&f->k);
    json_t *a = json_loads(reqs, 0, NULL);
    json_t *ports = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r)
    {
        char key[32];
        snprintf(key, sizeof(key), "%lld", json_integer_value(json_object_get(r, "conn")));
        json_object_set_new(ports, key, json_true());
    }
    size_t n = json_object_size(ports);
    json_decref(ports);
    json_decref(a);
    ce_free(reqs);
    return n;
}

#define CREATORS 4
#define CREATES_EACH 25

static void *creator(void *arg)
{
    struct fx *f = arg;
    for (int i = 0; i < CREATES_EACH; i++) {
        json_t *obj = wf(NULL, "many-", "many");
        struct ce_kube_error e;
        int rc = ce_kube_create(f->c, obj, "argo", NULL, &e);
        json_decref(obj);
        if (rc != CE_OK) {
            return (void *)1;
        }
    }
    return NULL;
}

static void test_one_connection_reused_and_threads(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    for (int i = 0; i < 10; i++) {
        json_decref(create_ok(f, wf(NULL, "seq-", NULL)));
    }
    assert_int_equal(connections(f), 1);
    pthread_t t[CREATORS];
    for (int i = 0; i < CREATORS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, creator, f), 0);
    }
    for (int i = 0; i < CREATORS; i++) {
        void *ret = NULL;
        pthread_join(t[i], &ret);
        assert_null(ret);
    }
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo", NULL};
    json_t *list = NULL;
    OK(ce_kube_list(f->c, &ref, "app=many", NULL, &list, &e));
    assert_int_equal(json_array_size(json_object_get(list, "items")), CREATORS * CREATES_EACH);
    json_decref(list);
    /* kept-alive connections are shared: at most one per thread that ran at once */
    assert_true(connections(f) <= 1 + CREATORS);
}

static void test_proxy_url(void **state)
{
    struct fx *f = *state;
    struct ce_kube_error e;
    /* a server name that does not resolve: only the proxy (the test server) can reach it */
    char *kc = ce_xasprintf("current-context: t\ncontexts:\n- name: t\n  context: {cluster: t, "
                            "user: t}\nclusters:\n- name: t\n  cluster: {server: "
                            "'http://kube.invalid:6443', proxy-url: '%s'}\nusers:\n- name: t\n"
                            "  user: {token: x}\n",
                            f->k.url);
    char *path = ce_test_write_file(f->k.dir, "kubeconfig-proxy", kc);
    struct ce_kube_client *c = client_for(path);
    json_t *obj = wf("via-proxy", NULL, NULL);
    OK(ce_kube_create(c, obj, "argo", NULL, &e));
    char *reqs = ce_test_kube_requests(&f->k);
    assert_non_null(strstr(reqs, "\"proxied\": true"));
    ce_free(reqs);
    json_decref(obj);
    ce_kube_client_destroy(c);
    ce_free(path);
    ce_free(kc);
}

static void tls_round_trip(const char *kubeconfig, const char *want_auth, struct ce_test_kube *k)
{
    struct ce_kube_client *c = client_for(kubeconfig);
    struct ce_kube_error e;
    json_t *obj = wf("tls", NULL, NULL);
    json_t *made = NULL;
    int rc = ce_kube_create(c, obj, NULL, &made, &e);
    if (rc != CE_OK) {
        fail_msg("create over TLS: %s", e.message);
    }
    assert_string_equal(md_str(made, "name"), "tls");
    char *reqs = ce_test_kube_requests(k);
    assert_non_null(strstr(reqs, want_auth));
    ce_free(reqs);
    json_decref(made);
    json_decref(obj);
    ce_kube_client_destroy(c);
}

static void test_tls_token_and_client_cert(void **state)
{
    struct fx *f = *state;
    struct ce_test_kube k = f->k;
    tls_round_trip(k.kubeconfig, "Bearer s3cret", &k);
    /* a client certificate (files relative to the kubeconfig), no token */
    char *text = ce_test_read_file(k.kubeconfig, NULL);
    char *cut = strstr(text, "    token:");
    assert_non_null(cut);
    memcpy(cut, "    client-certificate: client.crt\n    client-key: client.key\n",
           strlen("    client-certificate: client.crt\n    client-key: client.key\n") + 1);
    char *path = ce_test_write_file(k.dir, "kubeconfig-cert", text);
    ce_test_kube_control(&k, "token", "{\"token\":\"other\"}");
    struct ce_kube_client *c = client_for(path);
    json_t *obj = wf("cert", NULL, NULL);
    struct ce_kube_error e;
    int rc = ce_kube_create(c, obj, NULL, NULL, &e);
    if (rc != CE_OK) {
        fail_msg("create with a client certificate: %s", e.message);
    }
    char *reqs = ce_test_kube_requests(&k);
    assert_non_null(strstr(reqs, "cert:cevents-test"));
    ce_free(reqs);
    ce_kube_client_destroy(c);
    /* without the CA the server is not trusted (permanent); insecure-skip-tls-verify skips it */
    char *bare = ce_xasprintf("current-context: t\ncontexts:\n- name: t\n  context: {cluster: t, "
                              "user: t}\nclusters:\n- name: t\n  cluster: {server: '%s'%s}\n"
                              "users:\n- name: t\n  user: {token: other}\n",
                              k.url, "");
    char *bare_path = ce_test_write_file(k.dir, "kubeconfig-bare", bare);
    c = client_for(bare_path);
    assert_int_equal(ce_kube_create(c, obj, NULL, NULL, &e), CE_EINVAL);
    assert_non_null(strstr(e.message, "certificate"));
    ce_kube_client_destroy(c);
    char *insecure = ce_xasprintf("current-context: t\ncontexts:\n- name: t\n  context: {cluster: "
                                  "t, user: t}\nclusters:\n- name: t\n  cluster: {server: '%s'%s}\n"
                                  "users:\n- name: t\n  user: {token: other}\n",
                                  k.url, ", insecure-skip-tls-verify: true");
    char *insecure_path = ce_test_write_file(k.dir, "kubeconfig-insecure", insecure);
    c = client_for(insecure_path);
    json_object_set_new(json_object_get(obj, "metadata"), "name", json_string("insecure"));
    OK(ce_kube_create(c, obj, NULL, NULL, &e));
    ce_free(insecure_path);
    ce_free(insecure);
    ce_free(bare_path);
    ce_free(bare);
    json_decref(obj);
    ce_kube_client_destroy(c);
    ce_free(path);
    ce_free(text);
}

int main(int argc, char **argv)
{
    ce_test_require_kube_fixture();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_discovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discovery_refreshed_when_crd_appears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_get_generate_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retryable_classification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_by_labels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_subresource, setup, teardown),
        cmocka_unit_test(test_patch_type_names),
        cmocka_unit_test_setup_teardown(test_delete_and_finalizers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_lists_then_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_resumes_from_last_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_bookmarks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_relists_on_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_relists_on_gone_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_timeout_stop_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_file_reread_when_rotated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_connection_reused_and_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_proxy_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_token_and_client_cert, setup_tls, teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
