/* SPDX-License-Identifier: Apache-2.0 */
/* Checks of a Workflow (or the workflow spec of a WorkflowTemplate, ClusterWorkflowTemplate or
 * CronWorkflow) that a trigger will create, made at decode time so `cevents lint` reports what
 * users otherwise find only when the run fails in the cluster: an entrypoint naming no
 * template, a step or task naming a missing template, a DAG dependency on a missing task or a
 * cycle, `{{inputs.parameters.x}}` / `{{workflow.parameters.x}}` naming an undeclared
 * parameter, a template with no kind or two. Each error is at the value's file:line:col. */
#ifndef CE_TRIGGERS_WFLINT_H
#define CE_TRIGGERS_WFLINT_H

#include "manifest/mdec.h"

#include <stdbool.h>

struct ce_wflint_opts {
    /* What the trigger changes at submission, which the object alone does not show. */
    bool entrypoint_given;        /* --entrypoint, or a parameter whose dest is spec.entrypoint */
    const char *const *wf_params; /* -p names added at submission (NULL-terminated) or NULL */
};

/* obj is the object node; c's path names it (e.g. template.argoWorkflow.source.resource).
 * Objects of other kinds are left alone. */
void ce_wflint_check(struct ce_mdec *c, const struct ce_node *obj,
                     const struct ce_wflint_opts *opts);

/* The same for an object given as YAML or JSON text (an `inline` source) held by the scalar
 * node at; c's path names at. Each finding is reported at `at`, naming its line and column in
 * the text. */
void ce_wflint_check_text(struct ce_mdec *c, const struct ce_node *at,
                          const struct ce_wflint_opts *opts);
/* The checks of one DAG (c's path names it): task names unique, each task's template (by
 * call_ok), `dependencies` and `depends` naming tasks of this DAG, not both on one task, and no
 * cycle. */
void ce_wflint_dag(struct ce_mdec *c, const struct ce_node *dag,
                   bool (*call_ok)(void *ud, const struct ce_node *task), void *ud);

#endif
