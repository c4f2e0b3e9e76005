/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded `argoWorkflow` block: the operation, the object's source, and `args` (the argo
 * CLI arguments Argo's trigger passes on) translated into the changes the CLI makes to what it
 * submits, since cevents calls the Kubernetes API instead of running `argo`. */
#ifndef CE_TRIGGERS_ARGOWORKFLOW_CONFIG_H
#define CE_TRIGGERS_ARGOWORKFLOW_CONFIG_H

#include "manifest/plugin.h"
#include "triggers/kobject.h"

#include <stdbool.h>
#include <stdint.h>

enum aw_op {
    AW_SUBMIT,
    AW_SUBMIT_FROM,
    AW_RESUBMIT,
    AW_RETRY,
    AW_RESUME,
    AW_SUSPEND,
    AW_TERMINATE,
    AW_STOP
};

#define AW_MAX_ARGS 64

/* What `argo submit` flags change on the Workflow (ApplySubmitOpts). */
struct aw_submit_opts {
    char *param_names[AW_MAX_ARGS + 1]; /* -p name=value, in order; NULL-terminated */
    char *param_values[AW_MAX_ARGS];
    int n_params;
    char *entrypoint, *service_account, *name, *generate_name, *instance_id, *ns;
    char *labels; /* -l a=b,c=d */
    int64_t priority;
    bool has_priority;
};

struct aw_config {
    enum aw_op op;
    struct ce_kobj_source source;
    struct aw_submit_opts opts;
};

extern const struct ce_block_decoder ce_aw_block;

const char *aw_op_name(enum aw_op op);
/* Translates args (a YAML list of strings) into opts; errors at the offending item. */
void aw_args_decode(struct ce_mdec *c, const struct ce_node *block, enum aw_op op,
                    struct aw_submit_opts *opts);
void aw_submit_opts_fini(struct aw_submit_opts *o);
/* Applies opts to a Workflow as the argo CLI does. */
void aw_submit_opts_apply(const struct aw_submit_opts *o, json_t *wf);

#endif
