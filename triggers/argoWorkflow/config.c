/* SPDX-License-Identifier: Apache-2.0 */
/* The `argoWorkflow` block's decoder: the controller's checks (source required, operation one
 * of the eight and not empty), what Argo's trigger checks only when it fires (a name or
 * generateName; a name for every operation but submit; a kind submit-from knows), and the
 * Workflow checks of wflint.h on the object. */
#include "triggers/argoWorkflow/config.h"
#include "core/base/mem.h"
#include "triggers/kaction_config.h"

#include <string.h>
#include <strings.h>

static const char *const aw_op_names[] = {"submit",  "submit-from", "resubmit", "retry", "resume",
                                          "suspend", "terminate",   "stop",     NULL};

static const char *const aw_keys[] = {"source", "operation", "parameters", "args", NULL};

const char *aw_op_name(enum aw_op op)
{
    return aw_op_names[op];
}

static bool aw_op_decode(struct ce_mdec *c, const struct ce_node *block, enum aw_op *op)
{
    char *s = ce_mdec_str(c, block, "operation", true);
    bool ok = false;
    for (int i = 0; s != NULL && aw_op_names[i] != NULL && !ok; i++) {
        if (strcmp(s, aw_op_names[i]) == 0) {
            *op = (enum aw_op)i;
            ok = true;
        }
    }
    const struct ce_node *at = ce_node_get(block, "operation");
    if (s != NULL && !ok) {
        ce_mdec_err_key(c, at, "operation", "unknown operation \"%s\"", s);
    }
    ce_free(s);
    return ok;
}

/* The checks Argo's trigger makes on the object when it fires, made now when it is known. */
static void aw_object_checks(struct ce_mdec *c, const struct ce_node *block,
                             const struct aw_config *cfg)
{
    const json_t *obj = cfg->source.object;
    if (obj == NULL) {
        return;
    }
    const struct ce_node *src = ce_node_get(block, "source");
    size_t old = ce_mdec_push(c, "source");
    bool named = ce_kobj_meta(obj, "name") != NULL || cfg->opts.name != NULL ||
                 ce_kaction_param_sets(block, "metadata.name");
    bool gen = ce_kobj_meta(obj, "generateName") != NULL || cfg->opts.generate_name != NULL ||
               ce_kaction_param_sets(block, "metadata.generateName");
    if (cfg->op == AW_SUBMIT && !named && !gen) {
        ce_mdec_err(c, src, "the Workflow has neither metadata.name nor metadata.generateName");
    }
    else if (cfg->op != AW_SUBMIT && !named) {
        ce_mdec_err(c, src, "operation %s needs the object's metadata.name", aw_op_name(cfg->op));
    }
    const json_t *k = json_object_get(obj, "kind");
    const char *kind = json_is_string(k) ? json_string_value(k) : "";
    if (cfg->op == AW_SUBMIT_FROM && strcasecmp(kind, "WorkflowTemplate") != 0 &&
        strcasecmp(kind, "ClusterWorkflowTemplate") != 0 && strcasecmp(kind, "CronWorkflow") != 0) {
        ce_mdec_err(c, src,
                    "submit-from needs a WorkflowTemplate, ClusterWorkflowTemplate or "
                    "CronWorkflow, got kind \"%s\"",
                    kind);
    }
    ce_mdec_pop(c, old);
}

static void aw_lint(struct ce_mdec *c, const struct ce_node *block, const struct aw_config *cfg)
{
    if (cfg->source.node == NULL || cfg->op != AW_SUBMIT) {
        return;
    }
    struct ce_wflint_opts o = {
        .entrypoint_given =
            cfg->opts.entrypoint != NULL || ce_kaction_param_sets(block, "spec.entrypoint"),
        .wf_params = (const char *const *)cfg->opts.param_names,
    };
    ce_kaction_lint_source(c, &cfg->source, &o);
}

static void *aw_decode(struct ce_mdec *c, const struct ce_node *block)
{
    struct aw_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    ce_kobj_source_decode(c, block, &cfg->source);
    bool op_ok = aw_op_decode(c, block, &cfg->op);
    aw_args_decode(c, block, cfg->op, &cfg->opts);
    if (op_ok) {
        aw_object_checks(c, block, cfg);
        aw_lint(c, block, cfg);
    }
    ce_kaction_decode_finish(c, &cfg->source);
    return cfg;
}

static void aw_free(void *p)
{
    struct aw_config *cfg = p;
    if (cfg == NULL) {
        return;
    }
    ce_kobj_source_fini(&cfg->source);
    aw_submit_opts_fini(&cfg->opts);
    ce_free(cfg);
}

const struct ce_block_decoder ce_aw_block = {
    .key = "argoWorkflow",
    .keys = aw_keys,
    .decode = aw_decode,
    .free_config = aw_free,
};
