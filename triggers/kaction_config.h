/* SPDX-License-Identifier: Apache-2.0 */
/* What the k8s and argoWorkflow block decoders share: whether a parameter sets a field the
 * object alone does not show, the Workflow checks of wflint.h on the source, and the end of a
 * decode (the `policy.k8s` lint, the source's node let go). */
#ifndef CE_TRIGGERS_KACTION_CONFIG_H
#define CE_TRIGGERS_KACTION_CONFIG_H

#include "manifest/mdec.h"
#include "triggers/kobject.h"
#include "triggers/wflint.h"

#include <stdbool.h>

/* Whether an item of the block's `parameters` has dest as its dest. */
bool ce_kaction_param_sets(const struct ce_node *block, const char *dest);

/* The Workflow checks on the source's object (resource) or text (inline), c's path at
 * source.resource or source.inline. Nothing for a source without a node. */
void ce_kaction_lint_source(struct ce_mdec *c, const struct ce_kobj_source *source,
                            const struct ce_wflint_opts *opts);

/* Checks the trigger's `policy.k8s` (made again at start) and lets go of source->node, which
 * is borrowed for decoding only. */
void ce_kaction_decode_finish(struct ce_mdec *c, struct ce_kobj_source *source);

#endif
