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
    json_t *o = json_pack("{s:s,s:s,s:{},s:{s:s,s:[{s:s}]}}", "apiVersion",
                          "argoproj.io/v1alpha1", "kind", "Workflow", "metadata", "spec",
                          "entrypoint", "main", "templates", "name", "main");
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
                     ce_test_kube_requests(&f->k));                          \
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
    OK(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "ClusterWorkflowTemplate",
                                      &r, &e));
    assert_string_equal(r.plural, "clusterworkflowtemplates");
    assert_false(r.namespaced);
    OK(ce_kube_discover(f->c, "v1", "ConfigMap", &r, &e));
    assert_string_equal(r.group, "");
    assert_string_equal(r.plural, "configmaps");
    OK(ce_kube_discover(f->c, "batch/v1", "Job", &r, &e));
    assert_string_equal(r.plural, "jobs");
    /* unknown kind in a known group, and an unknown group */
    assert_int_equal(ce_kube_discover(f->c, "argoproj.io/v1alpha1", "Rollout", &r, &e),
                     CE_ENOENT);
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
    assert_string_equal(e.message, "injected 500 InternalError");
    ce_test_kube_inject(&f->k, "POST", "/workflows", 429, "TooManyRequests", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_RETRY);
    ce_test_kube_inject(&f->k, "POST", "/workflows", 403, "Forbidden", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_EREMOTE);
    assert_string_equal(e.reason, "Forbidden");
    ce_test_kube_inject(&f->k, "POST", "/workflows", 409, "Conflict", 1);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_EREMOTE);
    /* the injections are used up: created now */
    OK(ce_kube_create(f->c, obj, "argo", NULL, &e));
    /* the server gone: a network error, retryable */
    ce_test_proc_stop(f->k.proc, 5000);
    assert_int_equal(ce_kube_create(f->c, obj, "argo", NULL, &e), CE_RETRY);
    assert_int_equal(e.status, 0);
    assert_non_null(strstr(e.message, "127.0.0.1"));
    json_decref(obj);
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
        cmocka_unit_test_setup_teardown(test_discovery_refreshed_when_crd_appears, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_create_get_generate_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retryable_classification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_token_and_client_cert, setup_tls, teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
