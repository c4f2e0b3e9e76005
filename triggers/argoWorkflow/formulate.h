/* SPDX-License-Identifier: Apache-2.0 */
/* The objects the argo CLI would make or change, built from the same rules (see formulate.c). */
#ifndef CE_TRIGGERS_ARGOWORKFLOW_FORMULATE_H
#define CE_TRIGGERS_ARGOWORKFLOW_FORMULATE_H

#include "triggers/argoWorkflow/config.h"

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

/* A Workflow running a (Cluster)WorkflowTemplate (NewWorkflowFromWorkflowTemplate). */
json_t *aw_from_template(const char *name, bool cluster_scope);
/* A Workflow from a CronWorkflow as stored (ConvertCronWorkflowToWorkflow). */
json_t *aw_from_cron(const json_t *cron, time_t now);
/* A new Workflow from a stored one (FormulateResubmitWorkflow, not memoized), with -p applied. */
json_t *aw_resubmit(const json_t *wf, const struct aw_submit_opts *o);
/* `argo resume` on a stored Workflow: spec.suspend cleared, running suspend nodes Succeeded.
 * *updated: something changed (else there is nothing to update). */
int aw_resume_edit(json_t *wf, time_t now, bool *updated, char *err, size_t errlen) CE_MUST_CHECK;

/* `argo retry` on a stored Failed or Error Workflow (FormulateRetryWorkflow, no node selector):
 * wf becomes the Workflow to update; *pods (an array of names) the pods to delete first. now is
 * when the reset nodes start again. */
int aw_retry_edit(json_t *wf, time_t now, json_t **pods, char *err, size_t errlen) CE_MUST_CHECK;

#endif
