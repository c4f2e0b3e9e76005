/* SPDX-License-Identifier: Apache-2.0 */
/* The test API server against the real kubectl (v1.32), as the tests will use it to read back
 * what triggers created: apply (create, configure with a merge patch for a custom resource and
 * a strategic merge patch that keeps the other containers of a Deployment, unchanged), get -o
 * yaml, create twice (AlreadyExists), delete (waiting for a finalizer to go), and get -w
 * seeing objects the cevents client makes. */
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
#include <sys/wait.h>

#include <cmocka.h>

static int setup(void **state)
{
    struct ce_test_kube *k = ce_xcalloc(1, sizeof(*k));
    ce_test_kube_start(k, false, NULL);
    *state = k;
    return 0;
}

static int setup_tls(void **state)
{
    struct ce_test_kube *k = ce_xcalloc(1, sizeof(*k));
    ce_test_kube_start(k, true, "tok");
    *state = k;
    return 0;
}

static int teardown(void **state)
{
    ce_test_kube_stop(*state);
    ce_free(*state);
    return 0;
}

static char *kubectl_out;

/* kubectl's exit status st must be 0 and its output (*out) hold want; returns the output. */
static char *kubectl_check(int st, char **out, const char *want)
{
    char *text = *out;
    *out = NULL;
    if (st != 0 || text == NULL || strstr(text, want) == NULL) {
        fail_msg("kubectl exited %d, wanted \"%s\":\n%s", st, want, text ? text : "");
    }
    return text;
}

/* kubectl args... must exit 0 with want in its output; returns the output (heap). */
#define KUBECTL_OK(k, want, ...)                                                                   \
    kubectl_check(ce_test_kubectl((k), &kubectl_out, __VA_ARGS__, NULL), &kubectl_out, (want))

static void test_apply_get_delete_custom_resource(void **state)
{
    struct ce_test_kube *k = *state;
    char *f1 =
        ce_test_data_write(k->dir, "es.yaml", "kube/eventsource.yaml", "PORT", "12000", NULL);
    ce_free(KUBECTL_OK(k, "eventsource.argoproj.io/webhook created", "apply", "-f", f1));
    ce_free(KUBECTL_OK(k, "eventsource.argoproj.io/webhook unchanged", "apply", "-f", f1));
    char *f2 =
        ce_test_data_write(k->dir, "es.yaml", "kube/eventsource.yaml", "PORT", "13000", NULL);
    ce_free(KUBECTL_OK(k, "eventsource.argoproj.io/webhook configured", "apply", "-f", f2));
    char *yaml = KUBECTL_OK(k, "port: \"13000\"", "get", "eventsources", "-n", "argo-events",
                            "webhook", "-o", "yaml");
    assert_non_null(strstr(yaml, "kubectl.kubernetes.io/last-applied-configuration"));
    assert_non_null(strstr(yaml, "resourceVersion:"));
    ce_free(yaml);
    char *reqs = ce_test_kube_requests(k);
    assert_non_null(strstr(reqs, "application/merge-patch+json"));
    ce_free(reqs);
    /* create of an existing one: the server's AlreadyExists */
    char *out = NULL;
    assert_int_not_equal(ce_test_kubectl(k, &out, "create", "-f", f2, NULL), 0);
    assert_non_null(strstr(out, "AlreadyExists"));
    assert_non_null(strstr(out, "eventsources.argoproj.io \"webhook\" already exists"));
    ce_free(out);
    ce_free(KUBECTL_OK(k, "eventsource.argoproj.io \"webhook\" deleted", "delete", "-f", f2));
    assert_int_not_equal(
        ce_test_kubectl(k, &out, "get", "es", "-n", "argo-events", "webhook", NULL), 0);
    assert_non_null(strstr(out, "NotFound"));
    ce_free(out);
    ce_free(f1);
    ce_free(f2);
}

static void test_apply_strategic_merge_keeps_other_containers(void **state)
{
    struct ce_test_kube *k = *state;
    char *f1 = ce_test_data_write(k->dir, "d.yaml", "kube/deployment.yaml", "IMAGE", "img:1", NULL);
    ce_free(KUBECTL_OK(k, "deployment.apps/web created", "apply", "-f", f1));
    char *f2 = ce_test_data_write(k->dir, "d.yaml", "kube/deployment.yaml", "IMAGE", "img:2", NULL);
    ce_free(KUBECTL_OK(k, "deployment.apps/web configured", "apply", "-f", f2));
    char *yaml = KUBECTL_OK(k, "image: img:2", "get", "deployment", "-n", "argo-events", "web",
                            "-o", "yaml");
    assert_non_null(strstr(yaml, "image: side:1"));
    assert_null(strstr(yaml, "image: img:1"));
    ce_free(yaml);
    char *reqs = ce_test_kube_requests(k);
    assert_non_null(strstr(reqs, "application/strategic-merge-patch+json"));
    ce_free(reqs);
    ce_free(f1);
    ce_free(f2);
}

static struct ce_kube_client *client_of(struct ce_test_kube *k)
{
    struct ce_kube_config_opts o = {.kubeconfig = k->kubeconfig};
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

static void test_get_watch_sees_client_objects(void **state)
{
    struct ce_test_kube *k = *state;
    struct ce_test_proc *w =
        ce_test_kubectl_start(k, "get", "workflows", "-n", "argo-events", "-w", "-o", "name", NULL);
    assert_non_null(w);
    struct ce_kube_client *c = client_of(k);
    /* kubectl lists first: wait for its watch request before making the object */
    assert_true(CE_TEST_WAIT_UNTIL(__extension__({
                                       char *r = ce_test_kube_requests(k);
                                       bool has = strstr(r, "watch=true") != NULL;
                                       ce_free(r);
                                       has;
                                   }),
                                   20000));
    json_t *wf = json_loads("{\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Workflow\","
                            "\"metadata\":{\"generateName\":\"seen-\"},\"spec\":{}}",
                            0, NULL);
    json_t *made = NULL;
    struct ce_kube_error e;
    assert_int_equal(ce_kube_create(c, wf, "argo-events", &made, &e), CE_OK);
    const char *name =
        json_string_value(json_object_get(json_object_get(made, "metadata"), "name"));
    char *want = ce_xasprintf("workflow.argoproj.io/%s", name);
    if (!ce_test_proc_wait_line(w, want, 1, 20000)) {
        char *out = ce_test_proc_output(w);
        fail_msg("kubectl get -w did not print %s:\n%s", want, out);
    }
    ce_free(want);
    json_decref(made);
    json_decref(wf);
    ce_kube_client_destroy(c);
    ce_test_proc_free(w);
}

static void test_delete_waits_for_finalizers(void **state)
{
    struct ce_test_kube *k = *state;
    char *f = ce_test_data_write(k->dir, "wf.yaml", "kube/workflow.yaml", "NAME", "held",
                                 "FINALIZERS", "  finalizers: [example.com/keep]", NULL);
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/held created", "apply", "-f", f));
    struct ce_test_proc *d = ce_test_kubectl_start(k, "delete", "-f", f, NULL);
    /* kubectl waits while the finalizer holds the object */
    assert_true(CE_TEST_WAIT_UNTIL(__extension__({
                                       char *r = ce_test_kube_requests(k);
                                       bool has = strstr(r, "fieldSelector=metadata.name") != NULL;
                                       ce_free(r);
                                       has;
                                   }),
                                   20000));
    int status = 0;
    assert_false(ce_test_proc_wait_exit(d, 300, &status));
    struct ce_kube_client *c = client_of(k);
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", "argo-events", "held"};
    json_t *clear = json_loads("{\"metadata\":{\"finalizers\":null}}", 0, NULL);
    struct ce_kube_error e;
    assert_int_equal(ce_kube_patch(c, &ref, CE_KUBE_PATCH_MERGE, clear, NULL, NULL, &e), CE_OK);
    assert_true(ce_test_proc_wait_exit(d, 20000, &status));
    char *out = ce_test_proc_output(d);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !strstr(out, "deleted")) {
        fail_msg("kubectl delete: %s", out);
    }
    ce_free(out);
    json_decref(clear);
    ce_kube_client_destroy(c);
    ce_test_proc_free(d);
    ce_free(f);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static void test_create_generate_name_and_server_side_apply(void **state)
{
    struct ce_test_kube *k = *state;
    char *g = ce_test_data_write(k->dir, "g.yaml", "kube/workflow-generate.yaml", NULL);
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/hello-world-", "create", "-f", g));
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/hello-world-", "create", "-f", g));
    char *names =
        KUBECTL_OK(k, "workflow.argoproj.io/hello-world-", "get", "wf", "-n", "argo-events", "-l",
                   "events.argoproj.io/sensor=webhook", "-o", "name");
    assert_int_equal(count_of(names, "workflow.argoproj.io/hello-world-"), 2);
    ce_free(names);
    char *list = KUBECTL_OK(k, "kind: List", "get", "wf", "-n", "argo-events", "-o", "yaml");
    assert_non_null(strstr(list, "value: hi"));
    ce_free(list);
    char *f = ce_test_data_write(k->dir, "wf.yaml", "kube/workflow.yaml", "NAME", "ssa",
                                 "FINALIZERS", "", NULL);
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/ssa serverside-applied", "apply", "--server-side",
                       "-f", f));
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/ssa serverside-applied", "apply", "--server-side",
                       "-f", f));
    char *reqs = ce_test_kube_requests(k);
    assert_non_null(strstr(reqs, "application/apply-patch+yaml"));
    ce_free(reqs);
    ce_free(f);
    ce_free(g);
}

static void test_apply_crd_then_its_resource(void **state)
{
    struct ce_test_kube *k = *state;
    char *f = ce_test_data_write(k->dir, "crd.yaml", "kube/crd-rollout.yaml", NULL);
    char *out = NULL;
    /* one file: the CRD, then an object of its kind (kubectl finds the kind after the CRD) */
    int st = ce_test_kubectl(k, &out, "apply", "-f", f, NULL);
    if (st != 0) {
        ce_free(out);
        /* kubectl maps every object before creating any: the second apply finds the kind */
        st = ce_test_kubectl(k, &out, "apply", "-f", f, NULL);
    }
    if (st != 0 || strstr(out, "rollout.argoproj.io/canary created") == NULL) {
        fail_msg("kubectl apply: %s", out);
    }
    ce_free(out);
    ce_free(KUBECTL_OK(k, "replicas: 2", "get", "ro", "-n", "argo-events", "canary", "-o", "yaml"));
    ce_free(f);
}

static void test_tls_with_token(void **state)
{
    struct ce_test_kube *k = *state;
    char *f = ce_test_data_write(k->dir, "wf.yaml", "kube/workflow.yaml", "NAME", "t", "FINALIZERS",
                                 "", NULL);
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/t created", "apply", "-f", f));
    ce_free(KUBECTL_OK(k, "name: t", "get", "wf", "-n", "argo-events", "t", "-o", "yaml"));
    /* restarted (empty) on the same port with the same certificates: the kubeconfig still
     * works */
    ce_test_kube_down(k);
    ce_test_kube_up(k);
    ce_free(KUBECTL_OK(k, "workflow.argoproj.io/t created", "apply", "-f", f));
    ce_free(f);
}

int main(int argc, char **argv)
{
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_get_delete_custom_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_strategic_merge_keeps_other_containers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_watch_sees_client_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_waits_for_finalizers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_generate_name_and_server_side_apply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_apply_crd_then_its_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_with_token, setup_tls, teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
