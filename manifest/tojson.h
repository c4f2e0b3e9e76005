/* SPDX-License-Identifier: Apache-2.0 */
/* A manifest node as the JSON Kubernetes stores for it: plain scalars resolve as YAML 1.1 does
 * in kubectl (null, bools including yes/no/on/off, integers, floats), quoted and block scalars
 * stay strings. Trigger templates, filters and parameters work on this JSON, as Argo's do. */
#ifndef CE_MANIFEST_TOJSON_H
#define CE_MANIFEST_TOJSON_H

#include <jansson.h>

struct ce_node;

/* A new reference (json_decref it), or NULL for a NULL node. Map keys are their scalar text;
 * a later duplicate key replaces an earlier one. */
json_t *ce_node_to_json(const struct ce_node *n);
/* Compact JSON text with keys sorted (a stable form for hashing), heap; NULL for NULL. */
char *ce_node_to_json_text(const struct ce_node *n);

#endif
