/* SPDX-License-Identifier: Apache-2.0 */
/* deploy/ under the real kubectl against the test API server: `kubectl apply -k deploy/`, its
 * namespaced variant and `kubectl apply -f deploy/install.yaml` create the CRDs, the RBAC, the
 * namespace, the service account and the controller's Deployment; applying again changes
 * nothing; and once the CRDs are in, an example's EventSource and Sensor apply, on a server
 * that knew no such kinds before the CRDs defined them. */
#include "core/base/mem.h"
#include "tests/harness/kube.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char forget_argo_events[] =
    "{\"resources\":[\"eventsources.argoproj.io\",\"sensors.argoproj.io\","
    "\"eventbus.argoproj.io\"]}";

/* A server that serves EventSource, Sensor and EventBus only once their CRDs are created. */
static int setup(void **state)
{
    struct ce_test_kube *k = ce_xcalloc(1, sizeof(*k));
    ce_test_kube_start(k, false, NULL);
    ce_test_kube_control(k, "forget-kinds", forget_argo_events);
    *state = k;
    return 0;
}

static int teardown(void **state)
{
    ce_test_kube_stop(*state);
    ce_free(*state);
    return 0;
}

/* kubectl args... must exit 0 with every NULL-terminated want in its output. */
static void kubectl_ok(struct ce_test_kube *k, const char *const *args, int n_args,
                       const char *const *want)
{
    char *out = NULL;
    const char *a[8] = {NULL};
    assert_true(n_args <= 7);
    memcpy(a, args, (size_t)n_args * sizeof(*a));
    int st = ce_test_kubectl(k, &out, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
    for (int i = 0; st == 0 && want[i] != NULL; i++) {
        if (out == NULL || strstr(out, want[i]) == NULL) {
            st = -1;
        }
    }
    if (st != 0) {
        fail_msg("kubectl %s %s exited %d or lacks an expected line:\n%s", a[0], a[1] ? a[1] : "",
                 st, out ? out : "");
    }
    ce_free(out);
}

#define KUBECTL_OK(k, want, ...)                                                                   \
    do {                                                                                           \
        const char *const args_[] = {__VA_ARGS__};                                                 \
        kubectl_ok((k), args_, (int)(sizeof(args_) / sizeof(args_[0])), (want));                   \
    } while (0)

static const char *const created_cluster[] = {
    "customresourcedefinition.apiextensions.k8s.io/eventsources.argoproj.io created",
    "customresourcedefinition.apiextensions.k8s.io/sensors.argoproj.io created",
    "customresourcedefinition.apiextensions.k8s.io/eventbus.argoproj.io created",
    "namespace/argo-events created",
    "serviceaccount/cevents-controller created",
    "role.rbac.authorization.k8s.io/cevents-controller-leader-election created",
    "rolebinding.rbac.authorization.k8s.io/cevents-controller-leader-election created",
    "clusterrole.rbac.authorization.k8s.io/cevents-controller created",
    "clusterrolebinding.rbac.authorization.k8s.io/cevents-controller created",
    "deployment.apps/cevents-controller created",
    NULL};

static const char *const unchanged_cluster[] = {
    "customresourcedefinition.apiextensions.k8s.io/eventsources.argoproj.io unchanged",
    "customresourcedefinition.apiextensions.k8s.io/sensors.argoproj.io unchanged",
    "customresourcedefinition.apiextensions.k8s.io/eventbus.argoproj.io unchanged",
    "namespace/argo-events unchanged",
    "serviceaccount/cevents-controller unchanged",
    "clusterrole.rbac.authorization.k8s.io/cevents-controller unchanged",
    "clusterrolebinding.rbac.authorization.k8s.io/cevents-controller unchanged",
    "deployment.apps/cevents-controller unchanged",
    NULL};

/* What an install leaves on the server, read back with kubectl get. */
static void check_installed(struct ce_test_kube *k, const char *rbac_kind)
{
    static const char *const crd[] = {"plural: eventsources",
                                      "shortNames:",
                                      "- es",
                                      "status: {}",
                                      "x-kubernetes-preserve-unknown-fields: true",
                                      NULL};
    static const char *const deploy[] = {"image: cevents:latest",
                                         "- controller",
                                         "name: CEVENTS_IMAGE",
                                         "fieldPath: metadata.namespace",
                                         "path: /healthz",
                                         "path: /readyz",
                                         "containerPort: 7777",
                                         "runAsNonRoot: true",
                                         "serviceAccountName: cevents-controller",
                                         NULL};
    static const char *const rules[] = {"eventsources/status", "persistentvolumeclaims", NULL};
    static const char *const leases[] = {"leases", NULL};
    static const char *const sa[] = {"cevents-controller", NULL};
    static const char *const ns[] = {"argo-events", NULL};
    KUBECTL_OK(k, crd, "get", "crd", "eventsources.argoproj.io", "-o", "yaml");
    KUBECTL_OK(k, deploy, "get", "deployment", "-n", "argo-events", "cevents-controller", "-o",
               "yaml");
    KUBECTL_OK(k, sa, "get", "serviceaccount", "-n", "argo-events", "cevents-controller");
    KUBECTL_OK(k, ns, "get", "namespace", "argo-events");
    KUBECTL_OK(k, rules, "get", rbac_kind, "-n", "argo-events", "cevents-controller", "-o", "yaml");
    KUBECTL_OK(k, leases, "get", "role", "-n", "argo-events", "cevents-controller-leader-election",
               "-o", "yaml");
}

static void test_apply_kustomize(void **state)
{
    struct ce_test_kube *k = *state;
    KUBECTL_OK(k, created_cluster, "apply", "-k", CE_SOURCE_DIR "/deploy");
    check_installed(k, "clusterrole");
    KUBECTL_OK(k, unchanged_cluster, "apply", "-k", CE_SOURCE_DIR "/deploy");
}

static void test_apply_install_yaml(void **state)
{
    struct ce_test_kube *k = *state;
    KUBECTL_OK(k, created_cluster, "apply", "-f", CE_SOURCE_DIR "/deploy/install.yaml");
    check_installed(k, "clusterrole");
    KUBECTL_OK(k, unchanged_cluster, "apply", "-f", CE_SOURCE_DIR "/deploy/install.yaml");
}

static void test_apply_namespaced(void **state)
{
    struct ce_test_kube *k = *state;
    static const char *const created[] = {
        "customresourcedefinition.apiextensions.k8s.io/sensors.argoproj.io created",
        "role.rbac.authorization.k8s.io/cevents-controller created",
        "rolebinding.rbac.authorization.k8s.io/cevents-controller created",
        "deployment.apps/cevents-controller created", NULL};
    static const char *const unchanged[] = {"role.rbac.authorization.k8s.io/cevents-controller "
                                            "unchanged",
                                            "deployment.apps/cevents-controller unchanged", NULL};
    static const char *const namespaced[] = {"- --namespaced", NULL};
    KUBECTL_OK(k, created, "apply", "-k", CE_SOURCE_DIR "/deploy/namespaced");
    check_installed(k, "role");
    KUBECTL_OK(k, namespaced, "get", "deployment", "-n", "argo-events", "cevents-controller", "-o",
               "yaml");
    KUBECTL_OK(k, unchanged, "apply", "-k", CE_SOURCE_DIR "/deploy/namespaced");
}

/* Before the CRDs, kubectl knows no EventSource; after them, an example applies and reads back
 * by its short names. */
static void test_example_after_crds(void **state)
{
    struct ce_test_kube *k = *state;
    char *out = NULL;
    int st = ce_test_kubectl(k, &out, "apply", "-f", CE_SOURCE_DIR "/examples/webhook-log", NULL);
    if (st == 0) {
        fail_msg("an EventSource applied before its CRD:\n%s", out ? out : "");
    }
    ce_free(out);
    static const char *const crds[] = {"eventsources.argoproj.io created", NULL};
    KUBECTL_OK(k, crds, "apply", "-f", CE_SOURCE_DIR "/deploy/install.yaml");
    static const char *const created[] = {"eventsource.argoproj.io/webhook created",
                                          "sensor.argoproj.io/log created", NULL};
    KUBECTL_OK(k, created, "apply", "-f", CE_SOURCE_DIR "/examples/webhook-log");
    static const char *const es[] = {"webhook", NULL};
    static const char *const sn[] = {"log", NULL};
    KUBECTL_OK(k, es, "get", "es", "webhook");
    KUBECTL_OK(k, sn, "get", "sn", "log");
    static const char *const unchanged[] = {"eventsource.argoproj.io/webhook unchanged", NULL};
    KUBECTL_OK(k, unchanged, "apply", "-f", CE_SOURCE_DIR "/examples/webhook-log");
}

int main(int argc, char **argv)
{
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_apply_kustomize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_install_yaml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_namespaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_example_after_crds, setup, teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
