/* SPDX-License-Identifier: Apache-2.0 */
/* See kaction_config.h. */
#include "triggers/kaction_config.h"

#include <string.h>

bool ce_kaction_param_sets(const struct ce_node *block, const char *dest)
{
    const struct ce_node *l = ce_node_get(block, "parameters");
    for (int i = 0; l != NULL && l->type == CE_NODE_SEQ && i < l->n_items; i++) {
        const struct ce_node *d = ce_node_get(l->items[i], "dest");
        if (d != NULL && d->type == CE_NODE_SCALAR && d->str && strcmp(d->str, dest) == 0) {
            return true;
        }
    }
    return false;
}

void ce_kaction_lint_source(struct ce_mdec *c, const struct ce_kobj_source *source,
                            const struct ce_wflint_opts *opts)
{
    if (source->node == NULL) {
        return;
    }
    bool inl = source->from == CE_KOBJ_INLINE;
    size_t old = ce_mdec_push(c, "source");
    size_t o2 = ce_mdec_push(c, inl ? "inline" : "resource");
    if (inl) {
        ce_wflint_check_text(c, source->node, opts);
    }
    else {
        ce_wflint_check(c, source->node, opts);
    }
    ce_mdec_pop(c, o2);
    ce_mdec_pop(c, old);
}

void ce_kaction_decode_finish(struct ce_mdec *c, struct ce_kobj_source *source)
{
    struct ce_kobj_label_policy policy;
    ce_kobj_policy_decode(c, c->owner, &policy);
    ce_kobj_policy_fini(&policy);
    source->node = NULL;
}
