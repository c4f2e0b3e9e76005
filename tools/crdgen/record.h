/* SPDX-License-Identifier: Apache-2.0 */
/* What the decoders asked of each map node while one manifest set loaded (manifest/mdec.h's
 * recorder), kept per node so that the schema walk can look a node up. */
#ifndef CE_TOOLS_CRDGEN_RECORD_H
#define CE_TOOLS_CRDGEN_RECORD_H

#include <stddef.h>

#include "manifest/mdec.h"

/* One thing asked of a map: a field read as kind (keys NULL), or the keys it may hold. */
struct rec_entry {
    const struct ce_node *map;
    char *key;
    enum ce_mdec_kind kind;
    char **keys; /* a copy of the decoder's list, NULL-terminated */
};

struct rec_store {
    struct ce_mdec_recorder recorder; /* recorder.arg is the store */
    struct rec_entry *v;
    size_t n;
    size_t cap;
};

void rec_init(struct rec_store *r);
/* Forgets every entry (the nodes they point to are about to be freed). */
void rec_clear(struct rec_store *r);
void rec_fini(struct rec_store *r);
/* Sorts the entries by node, for rec_find; call once the loads are done. */
void rec_seal(struct rec_store *r);
/* The entries for map: *n of them from the returned one (NULL, *n 0 when none). */
const struct rec_entry *rec_find(const struct rec_store *r, const struct ce_node *map, size_t *n);

#endif
