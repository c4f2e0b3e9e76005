/* SPDX-License-Identifier: Apache-2.0 */
/* The argoWorkflow operations through the Kubernetes API, each making the changes the argo CLI
 * makes (Argo Workflows' workflow/util): submit and submit-from create a Workflow, resubmit
 * creates a copy, resume, suspend and retry update the stored Workflow (again on a Conflict;
 * retry deletes the retried nodes' pods first), terminate and stop merge-patch spec.shutdown. */
#include "triggers/argoWorkflow/ops.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "triggers/argoWorkflow/formulate.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define AW_CONFLICT_TRIES 5

static int aw_failed(const struct aw_call *a, const char *verb, const json_t *obj, int rc,
                     const struct ce_kube_error *e, struct ce_trigger_result *res)
{
    return ce_kaction_fail(a->client, a->who.trigger, verb, obj, a->ns, rc, e, res);
}

static int aw_create(const struct aw_call *a, json_t *wf, json_t **out,
                     struct ce_trigger_result *res)
{
    struct ce_kube_error e = {0};
    ce_kobj_set_meta(wf, "namespace", a->ns); /* an -n argument wins over the object's */
    int rc = ce_kaction_create_once(a->client, wf, a->ns, &a->who, out, &e);
    return rc == CE_OK ? CE_OK : aw_failed(a, "create", wf, rc, &e, res);
}

int aw_submit(const struct aw_call *a, json_t *wf, json_t **out, struct ce_trigger_result *res)
{
    ce_kobj_add_labels(wf, a->who.sensor, a->who.trigger, a->now_ms);
    aw_submit_opts_apply(a->opts, wf);
    return aw_create(a, wf, out, res);
}

static json_t *aw_ref_obj(const char *kind, const char *name)
{
    return json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "argoproj.io/v1alpha1", "kind", kind,
                     "metadata", "name", name);
}

static int aw_get(const struct aw_call *a, const char *kind, const char *name, json_t **out,
                  struct ce_trigger_result *res)
{
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", kind, a->ns, name};
    struct ce_kube_error e = {0};
    int rc = ce_kube_get(a->client, &ref, out, &e);
    if (rc != CE_OK) {
        json_t *o = aw_ref_obj(kind, name);
        rc = aw_failed(a, "get", o, rc, &e, res);
        json_decref(o);
    }
    return rc;
}

int aw_submit_from(const struct aw_call *a, const json_t *obj, json_t **out,
                   struct ce_trigger_result *res)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    const char *name = ce_kobj_meta(obj, "name");
    bool cluster = kind != NULL && strcasecmp(kind, "ClusterWorkflowTemplate") == 0;
    bool cron = kind != NULL && strcasecmp(kind, "CronWorkflow") == 0;
    if (name == NULL || (!cluster && !cron && strcasecmp(kind ? kind : "", "WorkflowTemplate"))) {
        snprintf(res->err, sizeof res->err, "submit-from: invalid kind %s or no name",
                 kind ? kind : "");
        return CE_EINVAL;
    }
    json_t *from = NULL;
    int rc = aw_get(a,
                    cron      ? "CronWorkflow"
                    : cluster ? "ClusterWorkflowTemplate"
                              : "WorkflowTemplate",
                    name, &from, res);
    if (rc != CE_OK) {
        return rc;
    }
    json_t *wf = cron ? aw_from_cron(from, time(NULL)) : aw_from_template(name, cluster);
    json_decref(from);
    aw_submit_opts_apply(a->opts, wf);
    rc = aw_create(a, wf, out, res);
    json_decref(wf);
    return rc;
}

static int aw_resubmit_op(const struct aw_call *a, const char *name, json_t **out,
                          struct ce_trigger_result *res)
{
    json_t *old = NULL;
    int rc = aw_get(a, "Workflow", name, &old, res);
    if (rc != CE_OK) {
        return rc;
    }
    json_t *wf = aw_resubmit(old, a->opts);
    json_decref(old);
    rc = aw_create(a, wf, out, res);
    json_decref(wf);
    return rc;
}

static bool aw_completed(const json_t *wf)
{
    const char *phase = json_string_value(json_object_get(json_object_get(wf, "status"), "phase"));
    return phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0 ||
                             strcmp(phase, "Error") == 0);
}

/* suspend/resume: GET, change, PUT; a Conflict (changed meanwhile) starts over. */
static int aw_update_loop(const struct aw_call *a, const char *name, enum aw_op op, json_t **out,
                          struct ce_trigger_result *res)
{
    for (int attempt = 0; attempt < AW_CONFLICT_TRIES; attempt++) {
        json_t *wf = NULL;
        int rc = aw_get(a, "Workflow", name, &wf, res);
        if (rc != CE_OK) {
            return rc;
        }
        bool updated = false;
        if (op == AW_SUSPEND) {
            const json_t *labels = json_object_get(json_object_get(wf, "metadata"), "labels");
            const char *done =
                json_string_value(json_object_get(labels, "workflows.argoproj.io/completed"));
            if (done != NULL && strcmp(done, "true") == 0) {
                json_decref(wf);
                snprintf(res->err, sizeof res->err, "cannot suspend completed workflows");
                return CE_EINVAL;
            }
            updated = !json_is_true(json_object_get(json_object_get(wf, "spec"), "suspend"));
            json_object_set_new(json_object_get(wf, "spec"), "suspend", json_true());
        }
        else if (aw_resume_edit(wf, time(NULL), &updated, res->err, sizeof res->err) != CE_OK) {
            json_decref(wf);
            return CE_EINVAL;
        }
        struct ce_kube_error e = {0};
        rc = updated ? ce_kube_update(a->client, wf, a->ns, out, &e) : CE_OK;
        if (!updated) {
            *out = json_incref(wf);
        }
        bool conflict = rc == CE_EREMOTE && strcmp(e.reason, "Conflict") == 0;
        if (rc != CE_OK && !conflict) {
            rc = aw_failed(a, "update", wf, rc, &e, res);
        }
        json_decref(wf);
        if (!conflict) {
            return rc;
        }
    }
    snprintf(res->err, sizeof res->err, "the Workflow %s kept changing; try again", name);
    return CE_RETRY;
}

/* The pods of the retried nodes go first, as Argo's server deletes them; one already gone is
 * fine. */
static int aw_delete_pods(const struct aw_call *a, const json_t *pods,
                          struct ce_trigger_result *res)
{
    size_t i;
    json_t *p;
    json_array_foreach(pods, i, p)
    {
        struct ce_kube_ref ref = {"v1", "Pod", a->ns, json_string_value(p)};
        struct ce_kube_error e = {0};
        int rc = ce_kube_delete(a->client, &ref, NULL, &e);
        if (rc != CE_OK && rc != CE_ENOENT) {
            json_t *o = json_pack("{s:s,s:s,s:{s:O}}", "apiVersion", "v1", "kind", "Pod",
                                  "metadata", "name", p);
            rc = aw_failed(a, "delete", o, rc, &e, res);
            json_decref(o);
            return rc;
        }
    }
    return CE_OK;
}

/* retry: GET, reset the failed part (formulate's aw_retry_edit), delete its pods, PUT; a
 * Conflict starts over. */
static int aw_retry_op(const struct aw_call *a, const char *name, json_t **out,
                       struct ce_trigger_result *res)
{
    for (int attempt = 0; attempt < AW_CONFLICT_TRIES; attempt++) {
        json_t *wf = NULL;
        int rc = aw_get(a, "Workflow", name, &wf, res);
        if (rc != CE_OK) {
            return rc;
        }
        json_t *pods = NULL;
        rc = aw_retry_edit(wf, time(NULL), &pods, res->err, sizeof res->err);
        if (rc == CE_OK) {
            rc = aw_delete_pods(a, pods, res);
        }
        json_decref(pods);
        struct ce_kube_error e = {0};
        bool conflict = false;
        if (rc == CE_OK) {
            rc = ce_kube_update(a->client, wf, a->ns, out, &e);
            conflict = rc == CE_EREMOTE && strcmp(e.reason, "Conflict") == 0;
            rc = rc == CE_OK || conflict ? rc : aw_failed(a, "update", wf, rc, &e, res);
        }
        json_decref(wf);
        if (!conflict) {
            return rc;
        }
    }
    snprintf(res->err, sizeof res->err, "the Workflow %s kept changing; try again", name);
    return CE_RETRY;
}

static int aw_shutdown(const struct aw_call *a, const char *name, const char *strategy,
                       json_t **out, struct ce_trigger_result *res)
{
    json_t *wf = NULL;
    int rc = aw_get(a, "Workflow", name, &wf, res);
    if (rc != CE_OK) {
        return rc;
    }
    if (aw_completed(wf)) {
        json_decref(wf);
        snprintf(res->err, sizeof res->err,
                 "cannot shutdown a completed workflow: workflow: \"%s\", namespace: \"%s\"", name,
                 a->ns);
        return CE_EINVAL;
    }
    json_t *patch = json_pack("{s:{s:s}}", "spec", "shutdown", strategy);
    struct ce_kube_ref ref = {"argoproj.io/v1alpha1", "Workflow", a->ns, name};
    struct ce_kube_error e = {0};
    rc = ce_kube_patch(a->client, &ref, CE_KUBE_PATCH_MERGE, patch, NULL, out, &e);
    if (rc != CE_OK) {
        rc = aw_failed(a, "patch", wf, rc, &e, res);
    }
    json_decref(patch);
    json_decref(wf);
    return rc;
}

int aw_on_workflow(const struct aw_call *a, enum aw_op op, const char *name, json_t **out,
                   struct ce_trigger_result *res)
{
    switch (op) {
    case AW_RESUBMIT:
        return aw_resubmit_op(a, name, out, res);
    case AW_RETRY:
        return aw_retry_op(a, name, out, res);
    case AW_SUSPEND:
    case AW_RESUME:
        return aw_update_loop(a, name, op, out, res);
    case AW_TERMINATE:
        return aw_shutdown(a, name, "Terminate", out, res);
    case AW_STOP:
        return aw_shutdown(a, name, "Stop", out, res);
    default:
        snprintf(res->err, sizeof res->err, "operation %s is not supported", aw_op_name(op));
        return CE_EINVAL;
    }
}
