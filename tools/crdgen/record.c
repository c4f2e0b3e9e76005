/* SPDX-License-Identifier: Apache-2.0 */
/* The recorder the generator gives a manifest set: an array of entries, sorted by node once
 * the set is loaded, so that each node of the walk finds its entries by binary search. */
#include "tools/crdgen/record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/mem.h"

static struct rec_entry *rec_push(struct rec_store *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = ce_xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    struct rec_entry *e = &r->v[r->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

static void rec_field(void *arg, const struct ce_node *map, const char *key, enum ce_mdec_kind kind)
{
    struct rec_entry *e = rec_push(arg);
    e->map = map;
    e->key = ce_xstrdup(key);
    e->kind = kind;
}

static void rec_known(void *arg, const struct ce_node *map, const char *const *keys)
{
    struct rec_entry *e = rec_push(arg);
    size_t n = 0;
    while (keys[n] != NULL) {
        n++;
    }
    e->map = map;
    e->keys = ce_xcalloc(n + 1, sizeof(*e->keys));
    for (size_t i = 0; i < n; i++) {
        e->keys[i] = ce_xstrdup(keys[i]);
    }
}

void rec_init(struct rec_store *r)
{
    memset(r, 0, sizeof(*r));
    r->recorder.field = rec_field;
    r->recorder.known = rec_known;
    r->recorder.arg = r;
}

void rec_clear(struct rec_store *r)
{
    for (size_t i = 0; i < r->n; i++) {
        ce_free(r->v[i].key);
        for (size_t k = 0; r->v[i].keys != NULL && r->v[i].keys[k] != NULL; k++) {
            ce_free(r->v[i].keys[k]);
        }
        ce_free(r->v[i].keys);
    }
    r->n = 0;
}

void rec_fini(struct rec_store *r)
{
    rec_clear(r);
    ce_free(r->v);
    r->v = NULL;
    r->cap = 0;
}

static int rec_cmp_node(const struct ce_node *a, const struct ce_node *b)
{
    uintptr_t x = (uintptr_t)a;
    uintptr_t y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

static int rec_cmp(const void *a, const void *b)
{
    /* the order of one node's entries does not matter: the schema sorts what they name */
    return rec_cmp_node(((const struct rec_entry *)a)->map, ((const struct rec_entry *)b)->map);
}

void rec_seal(struct rec_store *r)
{
    if (r->n > 1) {
        qsort(r->v, r->n, sizeof(*r->v), rec_cmp);
    }
}

const struct rec_entry *rec_find(const struct rec_store *r, const struct ce_node *map, size_t *n)
{
    size_t lo = 0;
    size_t hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rec_cmp_node(r->v[mid].map, map) < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    size_t end = lo;
    while (end < r->n && r->v[end].map == map) {
        end++;
    }
    *n = end - lo;
    return *n ? &r->v[lo] : NULL;
}
