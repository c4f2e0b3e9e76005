/* SPDX-License-Identifier: Apache-2.0 */
/* The YAML node tree with positions: libyaml events turned into scalar/map/seq nodes that carry
 * their line and column, with aliases expanded (bounded), so that validation can point at the
 * exact place of a problem. Lookups follow Go's encoding/json: exact key, then case-insensitive. */
#ifndef CE_MANIFEST_NODE_H
#define CE_MANIFEST_NODE_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_diag;

enum ce_node_type { CE_NODE_SCALAR = 0, CE_NODE_MAP, CE_NODE_SEQ };

enum ce_node_style {
    CE_NODE_PLAIN = 0, /* unquoted scalar: may be null, bool or number */
    CE_NODE_QUOTED,    /* single or double quoted: always a string */
    CE_NODE_BLOCK      /* literal | or folded >: always a string */
};

struct ce_node_pair {
    struct ce_node *key;
    struct ce_node *value;
};

struct ce_node {
    enum ce_node_type type;
    enum ce_node_style style;
    int line;  /* 1-based */
    int col;   /* 1-based */
    char *tag; /* explicit tag (e.g. "tag:yaml.org,2002:str") or NULL */
    char *str; /* scalar text, NUL-terminated (may hold NULs: see len) */
    size_t len;
    struct ce_node_pair *pairs; /* map, in document order */
    int n_pairs;
    struct ce_node **items; /* seq */
    int n_items;
};

/* One document of a stream. */
struct ce_node_doc {
    struct ce_node *root; /* never NULL: empty documents are not returned */
    int line;             /* where the document starts */
    int col;
};

#define CE_NODE_MAX_DEPTH 64
#define CE_NODE_MAX_NODES 200000 /* per stream, alias expansions included */
#define CE_NODE_MAX_DOCS 10000

/* Parses every document of buf. On success *docs holds *n_docs documents (free with
 * ce_node_docs_free). On a YAML error (or a cap hit) one error is added to diag at libyaml's
 * position and CE_EPARSE (CE_ETOOBIG for caps) is returned; documents before it are dropped.
 * file is stored in the diagnostics only. */
int ce_node_parse(const char *buf, size_t len, const char *file, struct ce_diag *diag,
                  struct ce_node_doc **docs, int *n_docs) CE_MUST_CHECK;
void ce_node_docs_free(struct ce_node_doc *docs, int n_docs);
void ce_node_free(struct ce_node *n);

/* Map lookup: exact key first, then ASCII case-insensitive. NULL when absent or not a map. */
const struct ce_node *ce_node_get(const struct ce_node *map, const char *key);
/* The node at path[0..len) below root ("filters.data[0].value[1]": keys joined by dots, list
 * items by [index]), or NULL when the path does not lead to one. */
const struct ce_node *ce_node_at(const struct ce_node *root, const char *path, size_t len);
/* Same, also returning the key node (for positions). */
const struct ce_node_pair *ce_node_get_pair(const struct ce_node *map, const char *key);

/* A plain scalar "", "~", "null" (any case as YAML 1.1: null, Null, NULL). */
bool ce_node_is_null(const struct ce_node *n);
/* A scalar usable as a string (not null). */
bool ce_node_is_string(const struct ce_node *n);
/* Scalar (number, or numeric string as Kubernetes allows) parsed as a decimal int64. */
bool ce_node_int(const struct ce_node *n, int64_t *out);
/* true/false (YAML 1.1 forms yes/no/on/off too), plain or quoted. */
bool ce_node_bool(const struct ce_node *n, bool *out);
/* "scalar", "map", "sequence" for messages. */
const char *ce_node_type_name(const struct ce_node *n);

#endif
