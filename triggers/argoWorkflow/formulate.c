/* SPDX-License-Identifier: Apache-2.0 */
/* The Workflows the argo CLI makes, made here from the same rules (Argo Workflows'
 * workflow/util and workflow/common): the submit options applied to a Workflow, a Workflow from
 * a (Cluster)WorkflowTemplate or a CronWorkflow, a resubmitted copy of a Workflow, and the
 * changes `argo resume` makes. */
#include "triggers/argoWorkflow/formulate.h"
#include "core/base/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define AW_LABEL "workflows.argoproj.io/"

static json_t *aw_obj(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(parent, key, o);
    }
    return o;
}

/* "a=b,c=d" into metadata.<field> (checked at decode time). */
static void aw_set_pairs(json_t *wf, const char *field, const char *pairs)
{
    for (const char *p = pairs; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (eq != NULL) {
            char *k = ce_xstrndup(p, (size_t)(eq - p));
            char *v = ce_xstrndup(eq + 1, n - (size_t)(eq - p) - 1);
            ce_kobj_set_meta_map(wf, field, k, v);
            ce_free(k);
            ce_free(v);
        }
        p += n + (comma ? 1 : 0);
    }
}

/* overrideParameters: the given ones first, then the old ones not given. */
static void aw_override_params(const struct aw_submit_opts *o, json_t *wf)
{
    if (o->n_params == 0) {
        return;
    }
    json_t *args = aw_obj(aw_obj(wf, "spec"), "arguments");
    json_t *old = json_object_get(args, "parameters");
    json_t *list = json_array();
    for (int i = 0; i < o->n_params; i++) {
        json_array_append_new(
            list, json_pack("{s:s,s:s}", "name", o->param_names[i], "value", o->param_values[i]));
    }
    size_t i;
    json_t *p;
    json_array_foreach(old, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        bool given = false;
        for (int j = 0; name != NULL && j < o->n_params && !given; j++) {
            given = strcmp(o->param_names[j], name) == 0;
        }
        if (!given) {
            json_array_append(list, p);
        }
    }
    json_object_set_new(args, "parameters", list);
}

void aw_submit_opts_apply(const struct aw_submit_opts *o, json_t *wf)
{
    json_t *spec = aw_obj(wf, "spec");
    if (o->entrypoint != NULL) {
        json_object_set_new(spec, "entrypoint", json_string(o->entrypoint));
    }
    if (o->service_account != NULL) {
        json_object_set_new(spec, "serviceAccountName", json_string(o->service_account));
    }
    if (o->has_priority) {
        json_object_set_new(spec, "priority", json_integer(o->priority));
    }
    aw_set_pairs(wf, "labels", o->labels);
    aw_override_params(o, wf);
    if (o->generate_name != NULL) {
        ce_kobj_set_meta(wf, "generateName", o->generate_name);
    }
    if (o->name != NULL) {
        ce_kobj_set_meta(wf, "name", o->name);
    }
    if (o->instance_id != NULL) {
        ce_kobj_set_meta_map(wf, "labels", AW_LABEL "controller-instanceid", o->instance_id);
    }
}

json_t *aw_from_template(const char *name, bool cluster_scope)
{
    char gen[300];
    snprintf(gen, sizeof gen, "%s-", name);
    json_t *wf = json_pack("{s:s,s:s,s:{s:s},s:{s:{s:s}}}", "apiVersion", "argoproj.io/v1alpha1",
                           "kind", "Workflow", "metadata", "generateName", gen, "spec",
                           "workflowTemplateRef", "name", name);
    if (cluster_scope) {
        json_object_set_new(json_object_get(json_object_get(wf, "spec"), "workflowTemplateRef"),
                            "clusterScope", json_true());
    }
    ce_kobj_set_meta_map(
        wf, "labels",
        cluster_scope ? AW_LABEL "cluster-workflow-template" : AW_LABEL "workflow-template", name);
    return wf;
}

static void aw_copy_map(json_t *wf, const char *field, const json_t *from)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)from, k, v)
    {
        if (json_is_string(v)) {
            ce_kobj_set_meta_map(wf, field, k, json_string_value(v));
        }
    }
}

static const char *aw_str_or(const json_t *obj, const char *key, const char *fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

/* The owner reference a CronWorkflow puts on its Workflows (NewControllerRef); NULL without a
 * name and uid (an object never stored). */
static json_t *aw_cron_owner(const json_t *cron)
{
    const json_t *meta = json_object_get(cron, "metadata");
    return json_pack("{s:s,s:s,s:O,s:O,s:b,s:b}", "apiVersion", "argoproj.io/v1alpha1", "kind",
                     "CronWorkflow", "name", json_object_get(meta, "name"), "uid",
                     json_object_get(meta, "uid"), "controller", 1, "blockOwnerDeletion", 1);
}

json_t *aw_from_cron(const json_t *cron, time_t now)
{
    const char *name = ce_kobj_meta(cron, "name");
    char gen[300], when[40];
    snprintf(gen, sizeof gen, "%s-", name ? name : "");
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const json_t *cspec = json_object_get(cron, "spec");
    const json_t *ws = json_object_get(cspec, "workflowSpec");
    json_t *wf = json_pack("{s:s,s:s,s:{s:s,s:{},s:{s:s}},s:O}", "apiVersion",
                           aw_str_or(cron, "apiVersion", "argoproj.io/v1alpha1"), "kind",
                           "Workflow", "metadata", "generateName", gen, "labels", "annotations",
                           AW_LABEL "scheduled-time", when, "spec", ws ? ws : json_object());
    const json_t *labels = json_object_get(json_object_get(cron, "metadata"), "labels");
    const json_t *iid = json_object_get(labels, AW_LABEL "controller-instanceid");
    if (json_is_string(iid)) {
        ce_kobj_set_meta_map(wf, "labels", AW_LABEL "controller-instanceid",
                             json_string_value(iid));
    }
    ce_kobj_set_meta_map(wf, "labels", AW_LABEL "cron-workflow", name ? name : "");
    const json_t *wm = json_object_get(cspec, "workflowMetadata");
    aw_copy_map(wf, "labels", json_object_get(wm, "labels"));
    aw_copy_map(wf, "annotations", json_object_get(wm, "annotations"));
    const json_t *fin = json_object_get(wm, "finalizers");
    if (json_is_array(fin) && json_array_size(fin) > 0) {
        json_object_set(json_object_get(wf, "metadata"), "finalizers", (json_t *)fin);
    }
    json_t *owner = aw_cron_owner(cron);
    if (owner != NULL) {
        json_object_set_new(json_object_get(wf, "metadata"), "ownerReferences",
                            json_pack("[o]", owner));
    }
    return wf;
}

static bool aw_resubmit_drops(const char *label)
{
    static const char *const dropped[] = {AW_LABEL "creator",
                                          AW_LABEL "creator-email",
                                          AW_LABEL "creator-preferred-username",
                                          AW_LABEL "phase",
                                          AW_LABEL "completed",
                                          AW_LABEL "workflow-archiving-status",
                                          NULL};
    for (int i = 0; dropped[i] != NULL; i++) {
        if (strcmp(label, dropped[i]) == 0) {
            return true;
        }
    }
    return false;
}

json_t *aw_resubmit(const json_t *wf, const struct aw_submit_opts *o)
{
    const char *name = ce_kobj_meta(wf, "name");
    const char *gen = ce_kobj_meta(wf, "generateName");
    char made[300];
    snprintf(made, sizeof made, "%s-", name ? name : "");
    json_t *spec = json_deep_copy(json_object_get(wf, "spec"));
    const json_t *ads = json_object_get(spec, "activeDeadlineSeconds");
    if (json_is_integer(ads) && json_integer_value(ads) == 0) {
        json_object_del(spec, "activeDeadlineSeconds"); /* it was terminated */
    }
    json_object_del(spec, "shutdown");
    json_t *out =
        json_pack("{s:O,s:O,s:{s:s},s:o}", "apiVersion", json_object_get(wf, "apiVersion"), "kind",
                  json_object_get(wf, "kind"), "metadata", "generateName", gen ? gen : made, "spec",
                  spec ? spec : json_object());
    const json_t *meta = json_object_get(wf, "metadata");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(meta, "labels"), k, v)
    {
        if (json_is_string(v) && !aw_resubmit_drops(k)) {
            ce_kobj_set_meta_map(out, "labels", k, json_string_value(v));
        }
    }
    ce_kobj_set_meta_map(out, "labels", AW_LABEL "resubmitted-from-workflow", name ? name : "");
    aw_copy_map(out, "annotations", json_object_get(meta, "annotations"));
    const json_t *owners = json_object_get(meta, "ownerReferences");
    if (json_is_array(owners) && json_array_size(owners) > 0) {
        json_object_set(json_object_get(out, "metadata"), "ownerReferences", (json_t *)owners);
    }
    struct aw_submit_opts params = {0};
    memcpy(params.param_names, o->param_names, sizeof(params.param_names));
    memcpy(params.param_values, o->param_values, sizeof(params.param_values));
    params.n_params = o->n_params;
    aw_override_params(&params, out);
    return out;
}

/* A suspend node's supplied output parameters take their defaults, as the CLI does. */
static int aw_resume_outputs(json_t *node, char *err, size_t errlen)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(json_object_get(node, "outputs"), "parameters"), i, p)
    {
        json_t *vf = json_object_get(p, "valueFrom");
        if (json_object_get(vf, "supplied") == NULL) {
            continue;
        }
        json_t *def = json_object_get(vf, "default");
        if (def == NULL) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "raw output parameter '%s' has not been set and does not have a "
                              "default value",
                              json_string_value(json_object_get(p, "name")));
        }
        json_object_set(p, "value", def);
        json_object_del(p, "valueFrom");
    }
    return CE_OK;
}

int aw_resume_edit(json_t *wf, time_t now, bool *updated, char *err, size_t errlen)
{
    *updated = false;
    json_t *spec = json_object_get(wf, "spec");
    json_t *status = json_object_get(wf, "status");
    if (json_object_get(status, "compressedNodes") != NULL ||
        json_object_get(status, "offloadNodeStatusVersion") != NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "the Workflow's node status is compressed or offloaded; resume it "
                          "with the argo CLI");
    }
    if (json_is_true(json_object_get(spec, "suspend"))) {
        json_object_del(spec, "suspend");
        *updated = true;
    }
    char when[40];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *id;
    json_t *node;
    json_object_foreach(json_object_get(status, "nodes"), id, node)
    {
        const char *type = json_string_value(json_object_get(node, "type"));
        const char *phase = json_string_value(json_object_get(node, "phase"));
        if (type == NULL || phase == NULL || strcmp(type, "Suspend") != 0 ||
            strcmp(phase, "Running") != 0) {
            continue;
        }
        int rc = aw_resume_outputs(node, err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
        json_object_set_new(node, "phase", json_string("Succeeded"));
        const char *msg = json_string_value(json_object_get(node, "message"));
        char joined[600];
        snprintf(joined, sizeof joined, "%s%s", msg && *msg ? msg : "", msg && *msg ? "; " : "");
        json_object_set_new(node, "message", json_string(joined));
        json_object_set_new(node, "finishedAt", json_string(when));
        *updated = true;
    }
    return CE_OK;
}
