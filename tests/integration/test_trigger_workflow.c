/* SPDX-License-Identifier: Apache-2.0 */
/* The argoWorkflow trigger end to end: webhook → nats-server → Sensor → the test API server
 * (tests/fixtures/kube_apiserver.py), read back with the real kubectl. The webhook-workflow
 * example makes one Workflow with the posted message and Argo's three labels; the Workflow
 * shapes users submit go through unchanged, WorkflowTemplates and CronWorkflows through
 * submit-from; a 500 is retried and creates once, a 409 and a 403 are clear errors, and a Sensor
 * killed between the create and the ack does not create the Workflow twice; a failed Workflow is
 * retried as `argo retry` retries it (nodes, phase, pods); a .csv uploaded to
 * the S3 test server starts one ETL Workflow (examples/s3-etl). */
#include "core/base/mem.h"
#include "core/service/natsd.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/s3.h"
#include "tests/harness/scenario.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

struct wf_env {
    struct ce_test_kube_scene sc;
};

static int wf_setup(void **state)
{
    struct wf_env *e = ce_xcalloc(1, sizeof(*e));
    ce_test_kube_scene_start(&e->sc, "trigger-workflow");
    *state = e;
    return 0;
}

static int wf_teardown(void **state)
{
    struct wf_env *e = *state;
    ce_test_kube_scene_stop(&e->sc);
    ce_free(e);
    return 0;
}

static struct ce_test_proc *wf_sensor(struct wf_env *e, const char *path)
{
    return ce_scn_start("sensor", path, ce_natsd_url(e->sc.natsd), 0, NULL,
                        CE_SENSOR_SUBSCRIBED_MSG);
}

static struct ce_test_proc *wf_sensor_data(struct wf_env *e, const char *rel)
{
    char *file = ce_test_data_write(e->sc.dir, "sensor.yaml", rel, NULL);
    struct ce_test_proc *p = wf_sensor(e, file);
    ce_free(file);
    return p;
}

static void wf_post(struct wf_env *e, const char *body)
{
    char id[33];
    assert_int_equal(ce_scn_post(e->sc.port, "/example", body, NULL, id), 200);
}

/* kubectl's output for args (NULL-terminated); fails unless it exits 0. */
static char *wf_kubectl(struct wf_env *e, const char *a1, const char *a2, const char *a3,
                        const char *a4, const char *a5, const char *a6)
{
    char *out = NULL;
    int rc = ce_test_kubectl(&e->sc.k, &out, a1, a2, a3, a4, a5, a6, NULL);
    if (rc != 0) {
        fail_msg("kubectl %s %s: exit %d: %s", a1, a2, rc, out ? out : "");
    }
    return out;
}

/* The number of Workflows kubectl lists (with a label selector, or all). */
static int wf_count(struct wf_env *e, const char *selector)
{
    char *out = NULL;
    int rc = selector ? ce_test_kubectl(&e->sc.k, &out, "get", "workflows", "-o", "name", "-l",
                                        selector, NULL)
                      : ce_test_kubectl(&e->sc.k, &out, "get", "workflows", "-o", "name", NULL);
    if (rc != 0) {
        fail_msg("kubectl get workflows: exit %d: %s", rc, out ? out : "");
    }
    int n = 0;
    for (const char *p = out; p != NULL && *p != '\0';
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        n += strncmp(p, "workflow", 8) == 0;
    }
    ce_free(out);
    return n;
}

static void wf_has(const char *text, const char *want)
{
    if (strstr(text, want) == NULL) {
        fail_msg("missing \"%s\" in:\n%s", want, text);
    }
}

static void wf_delete_all(struct wf_env *e)
{
    ce_free(wf_kubectl(e, "delete", "workflows", "--all", NULL, NULL, NULL));
}

/* Story 1: the example as shipped; curl's message lands in the one Workflow made. */
static void test_webhook_workflow_example(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/webhook-workflow/workflow-sensor.yaml", CE_SOURCE_DIR);
    struct ce_test_proc *sn = wf_sensor(e, path);
    wf_post(e, "{\"message\":\"hello from the test\"}");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'hello-world-workflow'",
                                       1, 20000));
    char *yaml = wf_kubectl(e, "get", "workflows", "-o", "yaml", NULL, NULL);
    wf_has(yaml, "value: hello from the test");
    wf_has(yaml, "events.argoproj.io/sensor: webhook-workflow");
    wf_has(yaml, "events.argoproj.io/trigger: hello-world-workflow");
    wf_has(yaml, "events.argoproj.io/action-timestamp: \"");
    wf_has(yaml, "generateName: hello-world-");
    wf_has(yaml, "name: hello-world-");
    ce_free(yaml);
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_free(sn);
}

/* Every shape of workflows.md, and submit-from a WorkflowTemplate and a CronWorkflow. */
static void test_seed_shapes(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/workflows/templates.yaml", CE_SOURCE_DIR);
    ce_free(wf_kubectl(e, "apply", "-f", path, NULL, NULL, NULL));
    struct ce_test_proc *sn = wf_sensor_data(e, "sensors/workflow-shapes.yaml");
    wf_post(e, "{\"message\":\"shapes\"}");
    static const char *const shapes[] = {"hello-world", "steps",   "dag-diamond", "script-result",
                                         "artifacts",   "suspend", NULL};
    for (int i = 0; shapes[i] != NULL; i++) {
        char line[128];
        snprintf(line, sizeof line, "Successfully processed trigger '%s'", shapes[i]);
        assert_true(ce_test_proc_wait_line(sn, line, 1, 20000));
        char sel[128];
        snprintf(sel, sizeof sel, "events.argoproj.io/trigger=%s", shapes[i]);
        assert_int_equal(wf_count(e, sel), 1);
    }
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'from-template'", 1, 20000));
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'from-cron'", 1, 20000));
    char *out = wf_kubectl(e, "get", "workflows", "-l",
                           "workflows.argoproj.io/workflow-template=greet-template", "-o", "yaml");
    wf_has(out, "generateName: greet-template-");
    wf_has(out, "workflowTemplateRef:");
    wf_has(out, "name: greet-template");
    ce_free(out);
    out = wf_kubectl(e, "get", "workflows", "-l", "workflows.argoproj.io/cron-workflow=nightly",
                     "-o", "yaml");
    wf_has(out, "generateName: nightly-");
    wf_has(out, "workflows.argoproj.io/scheduled-time:");
    wf_has(out, "workflows.argoproj.io/controller-instanceid: team-a");
    wf_has(out, "team: data");
    wf_has(out, "kind: CronWorkflow");
    wf_has(out, "- nightly");
    ce_free(out);
    /* the steps shape went through unchanged: its script and the step's argument */
    out = wf_kubectl(e, "get", "workflows", "-l", "events.argoproj.io/trigger=steps", "-o", "yaml");
    wf_has(out, "value: '{{steps.produce.outputs.result}}'");
    wf_has(out, "source: print(\"from step one\")");
    ce_free(out);
    assert_int_equal(wf_count(e, NULL), 8);
    ce_test_proc_free(sn);
}

/* The API server answers 500 twice: retried per retryStrategy, one Workflow in the end. */
static void test_500_retried_and_created_once(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    ce_test_kube_inject(&e->sc.k, "POST", "/workflows", 500, "InternalError", 2);
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/webhook-workflow/workflow-sensor.yaml", CE_SOURCE_DIR);
    struct ce_test_proc *sn = wf_sensor(e, path);
    wf_post(e, "{\"message\":\"after two failures\"}");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'hello-world-workflow'",
                                       1, 30000));
    assert_true(ce_test_proc_count(sn, "InternalError") >= 2);
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_free(sn);
}

/* A fixed name that exists already: 409, said clearly, not retried. */
static void test_409_on_a_fixed_name(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    struct ce_test_proc *sn = wf_sensor_data(e, "sensors/workflow-fixed-name.yaml");
    wf_post(e, "{\"message\":\"first\"}");
    assert_true(
        ce_test_proc_wait_line(sn, "Successfully processed trigger 'fixed-name'", 1, 20000));
    wf_post(e, "{\"message\":\"second\"}");
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 1, 20000));
    char *line = ce_test_proc_line(sn, "the Kubernetes API refused", 0);
    assert_non_null(line);
    wf_has(line, "AlreadyExists");
    wf_has(line, "create workflows.argoproj.io default/the-one");
    wf_has(line, "\\\"the-one\\\" already exists");
    ce_free(line);
    assert_int_equal(ce_test_proc_count(sn, "the Kubernetes API refused"), 1); /* no retry */
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_free(sn);
}

/* RBAC: a 403 names the verb and the resource, and is not retried. */
static void test_403_names_verb_and_resource(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    ce_test_kube_inject(&e->sc.k, "POST", "/workflows", 403, "Forbidden", 1);
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/webhook-workflow/workflow-sensor.yaml", CE_SOURCE_DIR);
    struct ce_test_proc *sn = wf_sensor(e, path);
    wf_post(e, "{\"message\":\"not allowed\"}");
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 1, 20000));
    char *line = ce_test_proc_line(sn, "the Kubernetes API refused", 0);
    assert_non_null(line);
    wf_has(line, "\"verb\":\"create\"");
    wf_has(line, "\"resource\":\"workflows.argoproj.io\"");
    wf_has(line, "Forbidden (HTTP 403)");
    wf_has(line, "\"retryable\":\"false\"");
    ce_free(line);
    assert_int_equal(ce_test_proc_count(sn, "the Kubernetes API refused"), 1);
    assert_int_equal(wf_count(e, NULL), 0);
    ce_test_proc_free(sn);
}

/* SIGKILL after the create, before the ack (atLeastOnce): the event comes again and the
 * Workflow, named from the event, is found rather than made twice. */
static void test_kill_between_create_and_ack(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    struct ce_test_proc *sn = wf_sensor_data(e, "sensors/workflow-slow-ack.yaml");
    wf_post(e, "{\"message\":\"once\"}");
    assert_true(ce_test_proc_wait_line(sn, "the argoWorkflow trigger ran", 1, 20000));
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_kill(sn);
    ce_test_proc_free(sn);
    sn = wf_sensor_data(e, "sensors/workflow-slow-ack.yaml");
    assert_true(
        ce_test_proc_wait_line(sn, "created by an earlier attempt of this firing", 1, 90000));
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'slow-ack'", 1, 30000));
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_free(sn);
}

static struct ce_test_proc *wf_op_sensor(struct wf_env *e, const char *op, const char *args)
{
    char *file = ce_test_data_write(e->sc.dir, "sensor.yaml", "sensors/workflow-op.yaml", "OP", op,
                                    "ARGS", args, NULL);
    struct ce_test_proc *p = wf_sensor(e, file);
    ce_free(file);
    return p;
}

static void wf_apply_running(struct wf_env *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/workflows/running.yaml", CE_SOURCE_DIR);
    ce_free(wf_kubectl(e, "apply", "-f", path, NULL, NULL, NULL));
}

/* One operation on running-wf; returns kubectl's YAML of it afterwards. */
static char *wf_run_op(struct wf_env *e, const char *op, const char *args)
{
    struct ce_test_proc *sn = wf_op_sensor(e, op, args);
    wf_post(e, "{\"message\":\"op\"}");
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'op'", 1, 20000));
    ce_test_proc_free(sn);
    return wf_kubectl(e, "get", "workflow", "running-wf", "-o", "yaml", NULL);
}

/* suspend, resume, terminate and stop make the argo CLI's changes to the stored Workflow. */
static void test_operations_on_a_stored_workflow(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    wf_apply_running(e);
    char *y = wf_run_op(e, "suspend", "");
    wf_has(y, "suspend: true");
    ce_free(y);
    y = wf_run_op(e, "resume", "");
    assert_null(strstr(y, "suspend: true"));
    wf_has(y, "phase: Succeeded"); /* the waiting suspend node */
    wf_has(y, "finishedAt:");
    ce_free(y);
    y = wf_run_op(e, "terminate", "");
    wf_has(y, "shutdown: Terminate");
    ce_free(y);
    y = wf_run_op(e, "stop", "");
    wf_has(y, "shutdown: Stop");
    ce_free(y);
}

/* resubmit: a new Workflow from the stored one, as `argo resubmit -p` makes it. */
static void test_resubmit_makes_a_copy(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    wf_apply_running(e);
    ce_free(wf_run_op(e, "resubmit", "        args: [-p, who=second]"));
    char *y =
        wf_kubectl(e, "get", "workflows", "-l",
                   "workflows.argoproj.io/resubmitted-from-workflow=running-wf", "-o", "yaml");
    wf_has(y, "generateName: running-wf-");
    wf_has(y, "team: data");
    wf_has(y, "value: second");
    assert_null(strstr(y, "phase: Running")); /* no status */
    ce_free(y);
    /* the controller's labels stay behind; the user's come along */
    y = wf_kubectl(e, "get", "workflows", "-l",
                   "workflows.argoproj.io/resubmitted-from-workflow=running-wf", "-o",
                   "jsonpath={.items[0].metadata.labels}");
    wf_has(y, "\"team\":\"data\"");
    assert_null(strstr(y, "workflows.argoproj.io/phase"));
    ce_free(y);
    assert_int_equal(wf_count(e, NULL), 2);
}

/* A finished Workflow cannot be terminated: a clear error, no change. */
static void test_terminate_a_finished_workflow(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    char *path = ce_test_write_file(
        e->sc.dir, "done.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: running-wf}\n"
        "spec: {entrypoint: m, templates: [{name: m, container: {image: b}}]}\n"
        "status: {phase: Succeeded}\n");
    ce_free(wf_kubectl(e, "apply", "-f", path, NULL, NULL, NULL));
    ce_free(path);
    struct ce_test_proc *sn = wf_op_sensor(e, "terminate", "");
    wf_post(e, "{\"message\":\"op\"}");
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 1, 20000));
    char *line = ce_test_proc_line(sn, "Failed to execute a trigger", 0);
    wf_has(line, "cannot shutdown a completed workflow");
    ce_free(line);
    ce_test_proc_free(sn);
}

/* retry: the failed step's node and pod go, the failed step group and the root run again, the
 * succeeded step and its pod stay, the Workflow is no longer marked completed (as `argo retry`
 * leaves it for the controller); retrying again, now that it is not Failed, is refused. */
static void test_retry_a_failed_workflow(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/workflows/failed-steps.yaml", CE_SOURCE_DIR);
    ce_free(wf_kubectl(e, "apply", "-f", path, NULL, NULL, NULL));
    ce_free(wf_run_op(e, "retry", ""));
    char *y = wf_kubectl(e, "get", "workflow", "running-wf", "-o",
                         "jsonpath={.status.phase}|{.status.finishedAt}|{.status.nodes.running-wf."
                         "phase}|{.status.nodes.running-wf-3.phase}|{.status.nodes.running-wf-2."
                         "phase}|{.status.nodes.running-wf-4.id}|{.metadata.labels}",
                         NULL);
    wf_has(y, "||Running|Running|Succeeded||");
    assert_null(strstr(y, "workflows.argoproj.io/completed"));
    ce_free(y);
    y = wf_kubectl(e, "get", "pods", "-o", "name", NULL, NULL);
    wf_has(y, "pod/running-wf-echo-1163549553");
    assert_null(strstr(y, "running-wf-fail-"));
    ce_free(y);
    struct ce_test_proc *sn = wf_op_sensor(e, "retry", "");
    wf_post(e, "{\"message\":\"op\"}");
    assert_true(ce_test_proc_wait_line(sn, "Failed to execute a trigger", 1, 20000));
    char *line = ce_test_proc_line(sn, "Failed to execute a trigger", 0);
    wf_has(line, "Cannot retry a workflow in phase ");
    ce_free(line);
    ce_test_proc_free(sn);
}

/* `cevents explain` shows the Workflow it would create, with the event's message and the
 * three labels, and the API call, without an API server. */
static void test_explain_shows_object_and_call(void **state)
{
    struct wf_env *e = *state;
    char sensor[1024];
    snprintf(sensor, sizeof sensor, "%s/examples/webhook-workflow/workflow-sensor.yaml",
             CE_SOURCE_DIR);
    char *ev =
        ce_test_write_file(e->sc.dir, "event.json", "{\"body\":{\"message\":\"explained\"}}");
    const char *args[] = {"explain", "-f", sensor, "--event", ev, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    int status = -1;
    assert_true(ce_test_proc_wait_exit(p, 30000, &status));
    char *out = ce_test_proc_output(p);
    wf_has(out, "would create the Workflow hello-world-");
    wf_has(out, "POST /apis/argoproj.io/v1alpha1/namespaces/default/workflows");
    wf_has(out, "\n          value: explained\n"); /* YAML, as kubectl shows objects */
    wf_has(out, "\n        events.argoproj.io/sensor: webhook-workflow\n");
    wf_has(out, "\n        events.argoproj.io/trigger: hello-world-workflow\n");
    wf_has(out, "\n        events.argoproj.io/action-timestamp: \"");
    wf_has(out, "\n          - '{{inputs.parameters.message}}'");
    assert_int_equal(status, 0);
    ce_free(out);
    ce_test_proc_free(p);
    ce_free(ev);
    assert_int_equal(wf_count(e, NULL), 0); /* nothing was created */
}

/* Story 2: examples/s3-etl as shipped (only the server's port changed): a .csv uploaded with
 * curl --aws-sigv4 to the S3 test server makes exactly one ETL Workflow with that bucket and key;
 * a .txt makes none. */
static void test_s3_etl_example(void **state)
{
    struct wf_env *e = *state;
    wf_delete_all(e);
    const char *keys[] = {"etl-access:etl-secret-key", NULL};
    const char *buckets[] = {"raw", NULL};
    struct ce_test_s3 *s3 = ce_test_s3_start(keys, buckets);
    char *secrets = ce_xasprintf("%s/secrets", e->sc.dir);
    char *keydir = ce_xasprintf("%s/artifacts-minio", secrets);
    mkdir(secrets, 0700);
    mkdir(keydir, 0700);
    ce_free(ce_test_write_file(keydir, "accesskey", "etl-access"));
    ce_free(ce_test_write_file(keydir, "secretkey", "etl-secret-key"));
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/s3-etl/minio-eventsource.yaml", CE_SOURCE_DIR);
    char *text = ce_test_read_file(path, NULL);
    char *at = strstr(text, "127.0.0.1:9000");
    assert_non_null(at);
    char *es_text = ce_xasprintf("%.*s127.0.0.1:%d%s", (int)(at - text), text, ce_test_s3_port(s3),
                                 at + strlen("127.0.0.1:9000"));
    char *es_file = ce_test_write_file(e->sc.dir, "minio-es.yaml", es_text);
    const char *extra[] = {"--secrets-dir", secrets, NULL};
    struct ce_test_proc *es = ce_scn_start("eventsource", es_file, ce_natsd_url(e->sc.natsd), 0,
                                           extra, "Eventing server started.");
    assert_true(ce_test_proc_wait_line(es, "listening to bucket notifications", 1, 20000));
    snprintf(path, sizeof path, "%s/examples/s3-etl/etl-sensor.yaml", CE_SOURCE_DIR);
    struct ce_test_proc *sn = wf_sensor(e, path);
    assert_int_equal(ce_test_s3_put(s3, "etl-access", "etl-secret-key", "raw", "notes.txt", "x"),
                     200);
    assert_int_equal(ce_test_s3_put(s3, "etl-access", "etl-secret-key", "raw",
                                    "2026-12-01/orders.csv", "id,total\n1,10\n"),
                     200);
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'etl'", 1, 30000));
    char *y = wf_kubectl(e, "get", "workflows", "-o", "yaml", NULL, NULL);
    wf_has(y, "value: raw");
    wf_has(y, "value: 2026-12-01/orders.csv");
    wf_has(y, "generateName: etl-");
    ce_free(y);
    assert_int_equal(wf_count(e, NULL), 1);
    assert_int_equal(ce_test_proc_count(sn, "Successfully processed trigger 'etl'"), 1);
    ce_test_proc_free(sn);
    ce_test_proc_free(es);
    ce_test_s3_stop(s3);
    ce_free(es_file);
    ce_free(es_text);
    ce_free(text);
    ce_free(keydir);
    ce_free(secrets);
}

/* The API server down when the event comes: the create is retried per retryStrategy and the
 * Workflow made once the server is back (its objects are gone with the process: a new store). */
static void test_api_server_down_then_back(void **state)
{
    struct wf_env *e = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/webhook-workflow/workflow-sensor.yaml", CE_SOURCE_DIR);
    struct ce_test_proc *sn = wf_sensor(e, path);
    ce_test_kube_down(&e->sc.k);
    wf_post(e, "{\"message\":\"while it was down\"}");
    assert_true(ce_test_proc_wait_line(sn, "the Kubernetes API refused", 2, 20000));
    ce_test_kube_up(&e->sc.k);
    assert_true(ce_test_proc_wait_line(sn, "Successfully processed trigger 'hello-world-workflow'",
                                       1, 30000));
    char *line = ce_test_proc_line(sn, "the Kubernetes API refused", 0);
    wf_has(line, "\"retryable\":\"true\"");
    ce_free(line);
    char *yaml = wf_kubectl(e, "get", "workflows", "-o", "yaml", NULL, NULL);
    wf_has(yaml, "value: while it was down");
    ce_free(yaml);
    assert_int_equal(wf_count(e, NULL), 1);
    ce_test_proc_free(sn);
}

/* `cevents lint` on a Sensor whose Workflow has the usual mistakes: each at file:line:col. */
static void test_lint_finds_workflow_mistakes(void **state)
{
    struct wf_env *e = *state;
    char *file =
        ce_test_data_write(e->sc.dir, "mistakes.yaml", "lint/workflow-mistakes.yaml", NULL);
    const char *args[] = {"lint", file, NULL};
    struct ce_test_proc *p = ce_test_proc_start_cevents(args);
    assert_non_null(p);
    int status = -1;
    assert_true(ce_test_proc_wait_exit(p, 30000, &status));
    char *out = ce_test_proc_output(p);
    const char *const want[] = {
        "mistakes.yaml:23:27: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "entrypoint: \"mian\" names no template",
        "mistakes.yaml:30:31: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[0].steps[1][0].template: no template named \"shout\"",
        "mistakes.yaml:37:26: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[1].container.args[0]: {{inputs.parameters.mesage}}",
        "mistakes.yaml:37:58: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[1].container.args[1]: {{workflow.parameters.who}}",
        "mistakes.yaml:42:64: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[2].dag.tasks[1].dependencies[1]: no task named \"Z\"",
        "mistakes.yaml:43:55: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[2].dag.tasks[2].depends: no task named \"Q\"",
        "dependencies form a cycle: A -> D -> B -> A",
        "mistakes.yaml:45:17: error: spec.triggers[0].template.argoWorkflow.source.resource.spec."
        "templates[3]: the template \"nothing\" has no kind",
        "8 errors",
        NULL};
    for (int i = 0; want[i] != NULL; i++) {
        wf_has(out, want[i]);
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    ce_free(out);
    ce_test_proc_free(p);
    ce_free(file);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    ce_test_require_kube_fixture();
    ce_test_require_kubectl();
    ce_test_s3_require();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_workflow_example),
        cmocka_unit_test(test_seed_shapes),
        cmocka_unit_test(test_500_retried_and_created_once),
        cmocka_unit_test(test_api_server_down_then_back),
        cmocka_unit_test(test_409_on_a_fixed_name),
        cmocka_unit_test(test_403_names_verb_and_resource),
        cmocka_unit_test(test_kill_between_create_and_ack),
        cmocka_unit_test(test_operations_on_a_stored_workflow),
        cmocka_unit_test(test_resubmit_makes_a_copy),
        cmocka_unit_test(test_terminate_a_finished_workflow),
        cmocka_unit_test(test_retry_a_failed_workflow),
        cmocka_unit_test(test_explain_shows_object_and_call),
        cmocka_unit_test(test_lint_finds_workflow_mistakes),
        cmocka_unit_test(test_s3_etl_example),
    };
    return ce_test_run(argc, argv, tests, wf_setup, wf_teardown);
}
