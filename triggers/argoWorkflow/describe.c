/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents explain` for an argoWorkflow trigger: the API calls the operation would make and the
 * object it would send (JSON, which is YAML too), without calling anything. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "triggers/argoWorkflow/formulate.h"
#include "triggers/argoWorkflow/ops.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define AW_API "/apis/argoproj.io/v1alpha1"

static void aw_put_json(const json_t *obj, const char *indent, struct ce_buf *out)
{
    ce_kobj_describe_object(obj, indent, out);
}

static void aw_describe_submit(const struct aw_call *a, json_t *obj, const char *indent,
                               struct ce_buf *out)
{
    ce_kobj_add_labels(obj, a->who.sensor, a->who.trigger, a->now_ms);
    aw_submit_opts_apply(a->opts, obj);
    const char *gen = ce_kobj_meta(obj, "generateName");
    if (ce_kobj_meta(obj, "name") == NULL && gen != NULL) {
        char name[128];
        ce_kaction_firing_name(gen, a->who.sensor, a->who.trigger, a->who.ev, a->who.n, name,
                               sizeof name);
        ce_kobj_set_meta(obj, "name", name);
    }
    int w = ce_buf_printf(
        out, "%swould create the Workflow %s: POST " AW_API "/namespaces/%s/workflows\n", indent,
        ce_kobj_meta(obj, "name") ? ce_kobj_meta(obj, "name") : "?", a->ns);
    (void)w;
    aw_put_json(obj, indent, out);
}

static void aw_describe_from(const struct aw_call *a, const json_t *obj, const char *indent,
                             struct ce_buf *out)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    const char *name = ce_kobj_meta(obj, "name");
    name = name ? name : "?";
    bool cluster = kind && strcasecmp(kind, "ClusterWorkflowTemplate") == 0;
    bool cron = kind && strcasecmp(kind, "CronWorkflow") == 0;
    int w = 0;
    if (cluster) {
        w |= ce_buf_printf(out, "%swould read GET " AW_API "/clusterworkflowtemplates/%s\n", indent,
                           name);
    }
    else {
        w |= ce_buf_printf(out, "%swould read GET " AW_API "/namespaces/%s/%s/%s\n", indent, a->ns,
                           cron ? "cronworkflows" : "workflowtemplates", name);
    }
    w |= ce_buf_printf(
        out, "%sthen create a Workflow from it: POST " AW_API "/namespaces/%s/workflows\n", indent,
        a->ns);
    (void)w;
    if (!cron) {
        json_t *wf = aw_from_template(name, cluster);
        aw_submit_opts_apply(a->opts, wf);
        aw_put_json(wf, indent, out);
        json_decref(wf);
    }
}

void aw_describe_call(const struct aw_call *a, enum aw_op op, json_t *obj, const char *indent,
                      struct ce_buf *out)
{
    const char *name = ce_kobj_meta(obj, "name");
    name = name ? name : "?";
    int w = 0;
    switch (op) {
    case AW_SUBMIT:
        aw_describe_submit(a, obj, indent, out);
        return;
    case AW_SUBMIT_FROM:
        aw_describe_from(a, obj, indent, out);
        return;
    case AW_RESUBMIT:
        w = ce_buf_printf(out,
                          "%swould read GET " AW_API "/namespaces/%s/workflows/%s, then "
                          "create a copy: POST " AW_API "/namespaces/%s/workflows\n",
                          indent, a->ns, name, a->ns);
        break;
    case AW_RETRY:
        w = ce_buf_printf(out,
                          "%swould read GET " AW_API "/namespaces/%s/workflows/%s; if it Failed, "
                          "DELETE /api/v1/namespaces/%s/pods/<pod> for each failed node and PUT "
                          "it with those nodes removed and what leads to them Running\n",
                          indent, a->ns, name, a->ns);
        break;
    case AW_SUSPEND:
    case AW_RESUME:
        w = ce_buf_printf(out,
                          "%swould read GET " AW_API "/namespaces/%s/workflows/%s, then "
                          "PUT it with %s\n",
                          indent, a->ns, name,
                          op == AW_SUSPEND ? "spec.suspend: true"
                                           : "spec.suspend cleared and its running suspend "
                                             "nodes Succeeded");
        break;
    default:
        w = ce_buf_printf(out,
                          "%swould PATCH " AW_API "/namespaces/%s/workflows/%s "
                          "(application/merge-patch+json) {\"spec\":{\"shutdown\":\"%s\"}}\n",
                          indent, a->ns, name, op == AW_TERMINATE ? "Terminate" : "Stop");
        break;
    }
    (void)w;
}
