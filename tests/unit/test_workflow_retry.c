/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/argoWorkflow: the argoWorkflow trigger's retry makes the changes `argo retry` makes
 * (Argo Workflows' FormulateRetryWorkflow) to stored Workflows (tests/data/workflows/retry):
 * a failed steps Workflow loses its failed pod node and gets its failed step group and root
 * running again; a failed DAG keeps its succeeded branch, loses the attempts of a failed retried
 * task and its exit handler's nodes, and names all their pods; a failed container takes its
 * whole pod along; a Succeeded or Running Workflow is
 * refused with Argo's message; a malformed node tree is an error, not a loop. */
#include "core/base/mem.h"
#include "tests/harness/harness.h"
#include "triggers/argoWorkflow/formulate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define NOW 1770091506 /* 2026-02-03T04:05:06Z, the fixtures' restart time */

static json_t *load(const char *rel)
{
    char *text = ce_test_data(rel, NULL);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL) {
        fail_msg("%s:%d: %s", rel, je.line, je.text);
    }
    ce_free(text);
    return j;
}

static void same(const json_t *got, const json_t *want)
{
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *w = json_dumps(want, JSON_INDENT(1) | JSON_SORT_KEYS);
        fprintf(stderr, "got:\n%s\nwant:\n%s\n", g, w);
        free(g);
        free(w);
        fail();
    }
}

/* The fixture retried equals its .want.json: the Workflow and the pods to delete. */
static void retried_as_argo_does(const char *name)
{
    char in[256], out[256];
    snprintf(in, sizeof in, "workflows/retry/%s.json", name);
    snprintf(out, sizeof out, "workflows/retry/%s.want.json", name);
    json_t *wf = load(in);
    json_t *want = load(out);
    json_t *pods = NULL;
    char err[256] = "";
    assert_int_equal(aw_retry_edit(wf, NOW, &pods, err, sizeof err), CE_OK);
    same(wf, json_object_get(want, "workflow"));
    same(pods, json_object_get(want, "pods"));
    json_decref(pods);
    json_decref(want);
    json_decref(wf);
}

static void test_failed_steps(void **state)
{
    (void)state;
    retried_as_argo_does("steps-failed");
}

static void test_failed_dag_keeps_its_succeeded_branch(void **state)
{
    (void)state;
    retried_as_argo_does("dag-failed");
}

static void refused(json_t *wf, const char *want)
{
    json_t *before = json_deep_copy(wf);
    json_t *pods = NULL;
    char err[256] = "";
    assert_int_equal(aw_retry_edit(wf, NOW, &pods, err, sizeof err), CE_EINVAL);
    assert_null(pods);
    if (strstr(err, want) == NULL) {
        fail_msg("got \"%s\", want \"%s\"", err, want);
    }
    same(wf, before);
    json_decref(before);
}

static void test_not_failed_refused(void **state)
{
    (void)state;
    json_t *wf = load("workflows/retry/succeeded.json");
    refused(wf, "To retry a succeeded workflow, set the options restartSuccessful and "
                "nodeFieldSelector");
    json_object_set_new(json_object_get(wf, "status"), "phase", json_string("Running"));
    refused(wf, "Cannot retry a workflow in phase Running");
    json_object_set_new(json_object_get(wf, "status"), "phase", json_string("Failed"));
    json_object_set_new(json_object_get(wf, "status"), "offloadNodeStatusVersion",
                        json_string("v1"));
    refused(wf, "compressed or offloaded");
    json_decref(wf);
}

/* A failed container of a container set: its whole pod (with the container that succeeded) goes,
 * and the pod is deleted. */
static void test_container_set(void **state)
{
    (void)state;
    json_t *wf = json_loads(
        "{\"metadata\":{\"name\":\"cs\"},\"status\":{\"phase\":\"Error\",\"nodes\":{"
        "\"cs\":{\"name\":\"cs\",\"type\":\"Steps\",\"phase\":\"Error\",\"children\":[\"cs-1\"]},"
        "\"cs-1\":{\"name\":\"cs[0]\",\"type\":\"StepGroup\",\"phase\":\"Error\",\"boundaryID\":"
        "\"cs\",\"children\":[\"cs-2\"]},\"cs-2\":{\"name\":\"cs[0].p\",\"type\":\"Pod\",\"phase\":"
        "\"Error\",\"templateName\":\"set\",\"boundaryID\":\"cs\",\"children\":[\"cs-3\",\"cs-4\"]}"
        ","
        "\"cs-3\":{\"name\":\"cs[0].p.a\",\"type\":\"Container\",\"phase\":\"Succeeded\"},"
        "\"cs-4\":{\"name\":\"cs[0].p.b\",\"type\":\"Container\",\"phase\":\"Error\"}}}}",
        0, NULL);
    json_t *pods = NULL;
    char err[256] = "";
    assert_int_equal(aw_retry_edit(wf, NOW, &pods, err, sizeof err), CE_OK);
    json_t *want = json_loads(
        "{\"cs\":{\"name\":\"cs\",\"type\":\"Steps\",\"phase\":\"Running\",\"startedAt\":"
        "\"2026-02-03T04:05:06Z\",\"children\":[\"cs-1\"]},\"cs-1\":{\"name\":\"cs[0]\",\"type\":"
        "\"StepGroup\",\"phase\":\"Running\",\"startedAt\":\"2026-02-03T04:05:06Z\",\"boundaryID\":"
        "\"cs\"}}",
        0, NULL);
    same(json_object_get(json_object_get(wf, "status"), "nodes"), want);
    json_t *names = json_pack("[s]", "cs-set-3748783593");
    same(pods, names);
    json_decref(names);
    json_decref(pods);
    json_decref(want);
    json_decref(wf);
}

static void test_malformed_nodes(void **state)
{
    (void)state;
    json_t *wf = load("workflows/retry/steps-failed.json");
    json_t *nodes = json_object_get(json_object_get(wf, "status"), "nodes");
    json_object_set_new(json_object_get(nodes, "sf-3"), "boundaryID", json_string("sf-3"));
    refused(wf, "do not form a tree");
    json_object_set_new(json_object_get(nodes, "sf-3"), "boundaryID", json_string("sf"));
    json_object_set_new(json_object_get(nodes, "sf-4"), "children", json_pack("[s]", "nope"));
    refused(wf, "couldn't obtain child nope");
    json_object_del(json_object_get(nodes, "sf-4"), "children");
    json_object_set_new(json_object_get(nodes, "sf-1"), "children", json_array());
    refused(wf, "couldn't find parent node for sf-2");
    json_decref(wf);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_steps),
        cmocka_unit_test(test_failed_dag_keeps_its_succeeded_branch),
        cmocka_unit_test(test_container_set),
        cmocka_unit_test(test_not_failed_refused),
        cmocka_unit_test(test_malformed_nodes),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
