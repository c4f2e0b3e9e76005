/* SPDX-License-Identifier: Apache-2.0 */
/* The schema of one position of a manifest, merged over every node found there in the corpus:
 * the fields the decoders read from it (and as what), the keys they know, and for what no
 * decoder describes only the YAML shape seen. Written out as a structural OpenAPI v3 schema. */
#ifndef CE_TOOLS_CRDGEN_SCHEMA_H
#define CE_TOOLS_CRDGEN_SCHEMA_H

#include <stdio.h>

#include "manifest/node.h"
#include "tools/crdgen/record.h"

struct sch;

struct sch *sch_new(void);
void sch_free(struct sch *s);
/* Merges node (a spec, say) and everything under it into s, with what r recorded. */
void sch_merge(struct sch *s, const struct ce_node *node, const struct rec_store *r);
/* Writes s as YAML mapping lines, each indented by indent spaces. */
void sch_emit(const struct sch *s, FILE *out, int indent);
/* The same for a position that is an object whatever the corpus held (a spec). */
void sch_emit_object(const struct sch *s, FILE *out, int indent);

#endif
