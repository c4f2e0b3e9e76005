/* SPDX-License-Identifier: Apache-2.0 */
/* The argoWorkflow operations on the API server (see ops.c). Each returns CE_OK, CE_RETRY
 * (5xx, 429, no response) or a permanent code, with the reason in res and a log line. *out is
 * the resulting Workflow. */
#ifndef CE_TRIGGERS_ARGOWORKFLOW_OPS_H
#define CE_TRIGGERS_ARGOWORKFLOW_OPS_H

#include "triggers/argoWorkflow/config.h"
#include "triggers/kaction.h"

struct aw_call {
    struct ce_kube_client *client;
    const char *ns;
    const struct aw_submit_opts *opts;
    struct ce_kaction_who who;
    int64_t now_ms;
};

/* Creates wf with the three labels and the submit options. */
int aw_submit(const struct aw_call *a, json_t *wf, json_t **out,
              struct ce_trigger_result *res) CE_MUST_CHECK;
/* obj names a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow. */
int aw_submit_from(const struct aw_call *a, const json_t *obj, json_t **out,
                   struct ce_trigger_result *res) CE_MUST_CHECK;
/* resubmit, resume, suspend, terminate, stop on the Workflow name. */
int aw_on_workflow(const struct aw_call *a, enum aw_op op, const char *name, json_t **out,
                   struct ce_trigger_result *res) CE_MUST_CHECK;

struct ce_buf;
/* For `cevents explain`: the calls op would make with obj, and what it would send. */
void aw_describe_call(const struct aw_call *a, enum aw_op op, json_t *obj, const char *indent,
                      struct ce_buf *out);

#endif
