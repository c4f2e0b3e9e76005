/* SPDX-License-Identifier: Apache-2.0 */
/* The k8s trigger end to end: webhook → nats-server → Sensor → the test API server, read back
 * with the real kubectl. create adds Argo's three labels and the event's data; update merges
 * over the stored object (its other keys stay); patch sends the whole object; update and patch
 * create an absent object; delete removes it and is a no-op when it is absent; the label policy
 * with errorOnBackoffTimeout fails the trigger; a 403 names the verb and the resource; custom
 * resources are found by discovery (an irregular plural, a cluster-scoped kind). */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct k8s_env {
    struct ce_test_kube_scene sc;
};

static int k8s_setup(void **state)
{
    struct k8s_env *e = ce_xcalloc(1, sizeof(*e));
    ce_test_kube_scene_start(&e->sc, "trigger-k8s");
    *state = e;
    return 0;
}

static int k8s_teardown(void **state)
{
    struct k8s_env *e = *state;
    ce_test_kube_scene_stop(&e->sc);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *k8s_sensor(struct k8s_env *e, const char *op, const char *name_key,
                                       const char *policy)
{
    char *file = ce_test_data_write(e->sc.dir, "sensor.yaml", "sensors/k8s-configmap.yaml", "OP",
                                    op, "NAME_KEY", name_key, "POLICY", policy, NULL);
    struct ce_test_proc *p =
        ce_scn_start("sensor", file, ce_natsd_url(e->sc.natsd), 0, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    return p;
}

static void k8s_fire(struct k8s_env *e, struct ce_test_proc *sn, const char *message,
                     const char *want_line)
{
    char body[256], id[33];
    snprintf(body, sizeof body, "{\"message\":\"%s\"}", message);
    assert_int_equal(ce_scn_post(e->sc.port, "/example", body, NULL, id), 200);
    assert_true(ce_test_proc_wait_line(sn, want_line, 1, 20000));
}

/* kubectl get configmap settings -o yaml (NULL when it is absent). */
static char *k8s_settings(struct k8s_env *e)
{
    char *out = NULL;
    int rc = ce_test_kubectl(&e->sc.k, &out, "get", "configmap", "settings", "-o", "yaml", NULL);
    if (rc != 0) {
        ce_free(out);
        return NULL;
    }
    return out;
}

static void k8s_has(const char *text, const char *want)
{
    if (text == NULL || strstr(text, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, text ? text : "(none)");
    }
}

static void k8s_seed(struct k8s_env *e)
{
    char *path = ce_test_write_file(e->sc.dir, "settings.yaml",
                                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
                                    "settings\ndata:\n  a: \"1\"\n  b: \"2\"\n");
    char *out = NULL;
    assert_int_equal(ce_test_kubectl(&e->sc.k, &out, "apply", "-f", path, NULL), 0);
    ce_free(out);
    ce_free(path);
}

static void test_create_adds_labels_and_data(void **state)
{
    struct k8s_env *e = *state;
    struct ce_test_proc *sn = k8s_sensor(e, "create", "name", "");
    k8s_fire(e, sn, "created", "Successfully processed trigger 'settings'");
    char *y = k8s_settings(e);
    k8s_has(y, "b: created");
    k8s_has(y, "events.argoproj.io/sensor: k8s");
    k8s_has(y, "events.argoproj.io/trigger: settings");
    k8s_has(y, "events.argoproj.io/action-timestamp:");
    k8s_has(y, "namespace: default");
    ce_free(y);
    ce_test_proc_free(sn);
}

static void test_update_merges_over_the_stored_object(void **state)
{
    struct k8s_env *e = *state;
    k8s_seed(e);
    struct ce_test_proc *sn = k8s_sensor(e, "update", "name", "");
    k8s_fire(e, sn, "updated", "Successfully processed trigger 'settings'");
    char *y = k8s_settings(e);
    k8s_has(y, "a: \"1\"");
    k8s_has(y, "b: updated");
    ce_free(y);
    ce_test_proc_free(sn);
}

static void test_patch_and_create_when_absent(void **state)
{
    struct k8s_env *e = *state;
    struct ce_test_proc *sn = k8s_sensor(e, "patch", "name", "");
    k8s_fire(e, sn, "made", "Successfully processed trigger 'settings'");
    char *y = k8s_settings(e);
    k8s_has(y, "b: made"); /* absent: created */
    ce_free(y);
    k8s_fire(e, sn, "patched", "object not found"); /* the first firing's line */
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'settings'", 2, 20000));
    y = k8s_settings(e);
    k8s_has(y, "b: patched");
    ce_free(y);
    char *reqs = ce_test_kube_requests(&e->sc.k);
    k8s_has(reqs, "\"method\": \"PATCH\"");
    k8s_has(reqs, "application/merge-patch+json");
    ce_free(reqs);
    ce_test_proc_free(sn);
}

static void test_delete_and_absent_is_a_no_op(void **state)
{
    struct k8s_env *e = *state;
    k8s_seed(e);
    struct ce_test_proc *sn = k8s_sensor(e, "delete", "name", "");
    k8s_fire(e, sn, "gone", "Successfully processed trigger 'settings'");
    assert_null(k8s_settings(e));
    k8s_fire(e, sn, "again", "object not found, nothing to delete");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'settings'", 2, 20000));
    ce_test_proc_free(sn);
}

static void test_label_policy_times_out_with_error(void **state)
{
    struct k8s_env *e = *state;
    struct ce_test_proc *sn =
        k8s_sensor(e, "create", "generateName",
                   "    policy:\n      k8s:\n        labels: {ready: \"yes\"}\n        backoff: "
                   "{steps: 3, duration: 100ms, jitter: 0}\n        errorOnBackoffTimeout: true");
    k8s_fire(e, sn, "waits", "Failed to execute a trigger");
    char *line = ce_test_proc_line(sn, "Failed to execute a trigger", 0);
    k8s_has(line, "failed to determine status of the triggered resource");
    ce_free(line);
    ce_test_proc_free(sn);
}

static void test_403_names_verb_and_resource(void **state)
{
    struct k8s_env *e = *state;
    ce_test_kube_inject(&e->sc.k, "POST", "/configmaps", 403, "Forbidden", 1);
    struct ce_test_proc *sn = k8s_sensor(e, "create", "name", "");
    k8s_fire(e, sn, "denied", "Failed to execute a trigger");
    char *line = ce_test_proc_line(sn, "Failed to execute a trigger", 0);
    k8s_has(line, "create configmaps default/settings: Forbidden (HTTP 403)");
    ce_free(line);
    assert_null(k8s_settings(e));
    ce_test_proc_free(sn);
}

/* The resource comes from discovery: a CRD with an irregular plural works, and a cluster-scoped
 * kind gets no namespace (the Sensor's namespace goes to the namespaced one). */
static void test_custom_resources_by_discovery(void **state)
{
    struct k8s_env *e = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/kube/crd-octopus.yaml", CE_SOURCE_DIR);
    char *out = NULL;
    assert_int_equal(ce_test_kubectl(&e->sc.k, &out, "apply", "-f", path, NULL), 0);
    ce_free(out);
    char *file = ce_test_data_write(e->sc.dir, "custom.yaml", "sensors/k8s-custom.yaml", NULL);
    struct ce_test_proc *sn =
        ce_scn_start("sensor", file, ce_natsd_url(e->sc.natsd), 0, NULL, CE_SENSOR_SUBSCRIBED_MSG);
    ce_free(file);
    k8s_fire(e, sn, "sea", "Successfully processed trigger 'octopus'");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'reef'", 1, 20000));
    out = NULL;
    assert_int_equal(
        ce_test_kubectl(&e->sc.k, &out, "get", "octopi", "-n", "sea", "-o", "yaml", NULL), 0);
    k8s_has(out, "arms: 8");
    k8s_has(out, "namespace: sea");
    k8s_has(out, "events.argoproj.io/trigger: octopus");
    ce_free(out);
    out = NULL;
    assert_int_equal(
        ce_test_kubectl(&e->sc.k, &out, "get", "reef", "great-barrier", "-o", "yaml", NULL), 0);
    k8s_has(out, "size: large");
    assert_null(strstr(out, "namespace:"));
    ce_free(out);
    char *reqs = ce_test_kube_requests(&e->sc.k);
    k8s_has(reqs, "/apis/example.com/v1/namespaces/sea/octopi");
    k8s_has(reqs, "\"path\": \"/apis/example.com/v1/reefs");
    ce_free(reqs);
    ce_test_proc_free(sn);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_adds_labels_and_data),
        cmocka_unit_test(test_update_merges_over_the_stored_object),
        cmocka_unit_test(test_patch_and_create_when_absent),
        cmocka_unit_test(test_delete_and_absent_is_a_no_op),
        cmocka_unit_test(test_label_policy_times_out_with_error),
        cmocka_unit_test(test_403_names_verb_and_resource),
        cmocka_unit_test(test_custom_resources_by_discovery),
    };
    return ce_test_run(argc, argv, tests, k8s_setup, k8s_teardown);
}
