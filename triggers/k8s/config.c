/* SPDX-License-Identifier: Apache-2.0 */
/* The `k8s` block's decoder: the controller's checks (source required, operation one of
 * create, update, patch, delete), the patch strategies the API server takes, what Argo's
 * trigger needs of the object when it fires (apiVersion, kind, a name), and the Workflow checks
 * of wflint.h when it creates an Argo Workflow object. */
#include "triggers/k8s/config.h"
#include "core/base/mem.h"
#include "triggers/kaction_config.h"

#include <string.h>

static const char *const k8s_keys[] = {"source",        "operation",  "parameters",
                                       "patchStrategy", "liveObject", NULL};
static const char *const k8s_ops[] = {"create", "update", "patch", "delete", NULL};
static const char *const k8s_patch_types[] = {
    "application/merge-patch+json", "application/json-patch+json",
    "application/strategic-merge-patch+json", "application/apply-patch+yaml", NULL};

const char *k8s_op_name(enum k8s_op op)
{
    return k8s_ops[op];
}

static bool k8s_in(const char *s, const char *const *set, int *at)
{
    for (int i = 0; set[i] != NULL; i++) {
        if (strcmp(s, set[i]) == 0) {
            *at = i;
            return true;
        }
    }
    return false;
}

static void k8s_object_checks(struct ce_mdec *c, const struct ce_node *block,
                              const struct k8s_config *cfg)
{
    const json_t *obj = cfg->source.object;
    if (obj == NULL) {
        return;
    }
    const struct ce_node *src = ce_node_get(block, "source");
    size_t old = ce_mdec_push(c, "source");
    if (!json_is_string(json_object_get(obj, "apiVersion")) ||
        !json_is_string(json_object_get(obj, "kind"))) {
        ce_mdec_err(c, src, "the object needs apiVersion and kind");
    }
    bool named = ce_kobj_meta(obj, "name") != NULL || ce_kaction_param_sets(block, "metadata.name");
    bool gen = ce_kobj_meta(obj, "generateName") != NULL ||
               ce_kaction_param_sets(block, "metadata.generateName");
    if (cfg->op == K8S_CREATE && !named && !gen) {
        ce_mdec_err(c, src, "the object has neither metadata.name nor metadata.generateName");
    }
    else if (cfg->op != K8S_CREATE && !named) {
        ce_mdec_err(c, src, "operation %s needs the object's metadata.name", k8s_op_name(cfg->op));
    }
    ce_mdec_pop(c, old);
    if (cfg->op == K8S_CREATE) {
        struct ce_wflint_opts o = {.entrypoint_given =
                                       ce_kaction_param_sets(block, "spec.entrypoint")};
        ce_kaction_lint_source(c, &cfg->source, &o);
    }
}

static void *k8s_decode(struct ce_mdec *c, const struct ce_node *block)
{
    struct k8s_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    ce_kobj_source_decode(c, block, &cfg->source);
    char *op = ce_mdec_str(c, block, "operation", false);
    int at = 0;
    if (op != NULL && op[0] != '\0' && !k8s_in(op, k8s_ops, &at)) {
        ce_mdec_err_key(c, ce_node_get(block, "operation"), "operation", "unknown operation \"%s\"",
                        op);
    }
    cfg->op = (enum k8s_op)at;
    ce_free(op);
    cfg->patch_strategy = ce_mdec_str(c, block, "patchStrategy", false);
    if (cfg->patch_strategy != NULL && !k8s_in(cfg->patch_strategy, k8s_patch_types, &at)) {
        ce_mdec_err_key(c, ce_node_get(block, "patchStrategy"), "patchStrategy",
                        "unknown patch strategy \"%s\" (application/merge-patch+json, "
                        "application/json-patch+json, application/strategic-merge-patch+json "
                        "or application/apply-patch+yaml)",
                        cfg->patch_strategy);
    }
    cfg->live_object = ce_mdec_bool(c, block, "liveObject");
    if (cfg->live_object && cfg->op != K8S_UPDATE) {
        ce_mdec_warn(c, ce_node_get(block, "liveObject"),
                     "liveObject is used with operation update only; it has no effect here");
    }
    k8s_object_checks(c, block, cfg);
    ce_kaction_decode_finish(c, &cfg->source);
    return cfg;
}

static void k8s_free(void *p)
{
    struct k8s_config *cfg = p;
    if (cfg == NULL) {
        return;
    }
    ce_kobj_source_fini(&cfg->source);
    ce_free(cfg->patch_strategy);
    ce_free(cfg);
}

const struct ce_block_decoder ce_k8s_block = {
    .key = "k8s",
    .keys = k8s_keys,
    .decode = k8s_decode,
    .free_config = k8s_free,
};
