/* SPDX-License-Identifier: Apache-2.0 */
/* The schema tree: merging corpus nodes into it and writing it out.
 *
 * A map some decoder read a field from or checked the keys of is described: an object whose
 * properties are those fields and keys. A map no decoder asked about but whose values are
 * described maps is keyed by names the user chose (an EventSource's events under spec.webhook):
 * an object whose additionalProperties are the merged values. Anything else is free-form (a pod
 * template, a workflow, a parameter's value) and kept whole. Every object keeps unknown fields,
 * so the API server prunes nothing a user applies; cevents' own checks report them. */
#include "tools/crdgen/schema.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/mem.h"

#define SCH_STRING (1u << CE_MDEC_STRING)
#define SCH_INT (1u << CE_MDEC_INT)
#define SCH_BOOL (1u << CE_MDEC_BOOL)
#define SCH_SECRET (1u << CE_MDEC_SECRET)

struct sch_prop {
    char *name;
    struct sch *s;
};

struct sch {
    unsigned asked; /* SCH_* bits: what the getters read this field as */
    bool described; /* a map the decoders read fields from */
    bool named;     /* a map of user-chosen names to described maps */
    unsigned seen;  /* 1 << ce_node_type of every node merged here */
    struct sch_prop *props;
    int n_props;
    struct sch *items;  /* a sequence's items */
    struct sch *values; /* a named map's values */
};

struct sch *sch_new(void)
{
    return ce_xcalloc(1, sizeof(struct sch));
}

void sch_free(struct sch *s)
{
    if (s == NULL) {
        return;
    }
    for (int i = 0; i < s->n_props; i++) {
        ce_free(s->props[i].name);
        sch_free(s->props[i].s);
    }
    ce_free(s->props);
    sch_free(s->items);
    sch_free(s->values);
    ce_free(s);
}

/* Fields match as the decoders' lookups do: case-insensitively. */
static struct sch *sch_find(const struct sch *s, const char *name)
{
    for (int i = 0; i < s->n_props; i++) {
        if (strcasecmp(s->props[i].name, name) == 0) {
            return s->props[i].s;
        }
    }
    return NULL;
}

static struct sch *sch_prop(struct sch *s, const char *name)
{
    struct sch *p = sch_find(s, name);
    if (p != NULL) {
        return p;
    }
    s->props = ce_xrealloc(s->props, ((size_t)s->n_props + 1) * sizeof(*s->props));
    s->props[s->n_props].name = ce_xstrdup(name);
    s->props[s->n_props].s = sch_new();
    return s->props[s->n_props++].s;
}

static bool sch_is_described(const struct ce_node *n, const struct rec_store *r)
{
    size_t cnt = 0;
    return n != NULL && n->type == CE_NODE_MAP && rec_find(r, n, &cnt) != NULL;
}

static void sch_merge_described(struct sch *s, const struct ce_node *n, const struct rec_entry *e,
                                size_t cnt, const struct rec_store *r)
{
    s->described = true;
    for (size_t i = 0; i < cnt; i++) {
        for (int k = 0; e[i].keys != NULL && e[i].keys[k] != NULL; k++) {
            (void)sch_prop(s, e[i].keys[k]);
        }
        if (e[i].keys == NULL) {
            sch_prop(s, e[i].key)->asked |= 1u << e[i].kind;
        }
    }
    for (int i = 0; i < n->n_pairs; i++) {
        const struct ce_node_pair *p = &n->pairs[i];
        struct sch *f = p->key->type == CE_NODE_SCALAR ? sch_find(s, p->key->str) : NULL;
        if (f != NULL) {
            sch_merge(f, p->value, r);
        }
    }
}

static void sch_merge_map(struct sch *s, const struct ce_node *n, const struct rec_store *r)
{
    size_t cnt = 0;
    const struct rec_entry *e = rec_find(r, n, &cnt);
    if (e != NULL) {
        sch_merge_described(s, n, e, cnt, r);
        return;
    }
    bool named = n->n_pairs > 0;
    for (int i = 0; named && i < n->n_pairs; i++) {
        named = sch_is_described(n->pairs[i].value, r);
    }
    if (!named) {
        return; /* free-form */
    }
    s->named = true;
    if (s->values == NULL) {
        s->values = sch_new();
    }
    for (int i = 0; i < n->n_pairs; i++) {
        sch_merge(s->values, n->pairs[i].value, r);
    }
}

void sch_merge(struct sch *s, const struct ce_node *node, const struct rec_store *r)
{
    if (node == NULL || ce_node_is_null(node)) {
        return;
    }
    s->seen |= 1u << node->type;
    if (node->type == CE_NODE_MAP) {
        sch_merge_map(s, node, r);
    }
    else if (node->type == CE_NODE_SEQ) {
        if (s->items == NULL) {
            s->items = sch_new();
        }
        for (int i = 0; i < node->n_items; i++) {
            sch_merge(s->items, node->items[i], r);
        }
    }
}

/* ---- output ----------------------------------------------------------------------------- */

static int sch_prop_cmp(const void *a, const void *b)
{
    return strcmp(((const struct sch_prop *)a)->name, ((const struct sch_prop *)b)->name);
}

/* A key as YAML 1.1 reads it back unchanged: quoted unless plain and not a bool or null word. */
static void sch_key(FILE *out, int indent, const char *key)
{
    static const char *const words[] = {"y",    "n",     "yes",  "no", "on", "off",
                                        "true", "false", "null", "~",  NULL};
    bool plain =
        key[0] != '\0' && strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_.-") == strlen(key);
    for (int i = 0; plain && words[i] != NULL; i++) {
        plain = strcasecmp(key, words[i]) != 0;
    }
    fprintf(out, plain ? "%*s%s:\n" : "%*s\"%s\":\n", indent, "", key);
}

static void sch_line(FILE *out, int indent, const char *text)
{
    fprintf(out, "%*s%s\n", indent, "", text);
}

static void sch_emit_secret(FILE *out, int indent)
{
    sch_line(out, indent, "type: object");
    sch_line(out, indent, "properties:");
    sch_line(out, indent + 2, "key:");
    sch_line(out, indent + 4, "type: string");
    sch_line(out, indent + 2, "name:");
    sch_line(out, indent + 4, "type: string");
    sch_line(out, indent + 2, "optional:");
    sch_line(out, indent + 4, "type: boolean");
    sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
}

/* A field a getter read: its type as the getters accept it. Numbers are read from numeric
 * strings too (Argo's manifests quote ports), hence int-or-string. */
static void sch_emit_asked(const struct sch *s, FILE *out, int indent)
{
    if (s->asked == SCH_STRING) {
        sch_line(out, indent, "type: string");
    }
    else if (s->asked == SCH_BOOL) {
        sch_line(out, indent, "type: boolean");
    }
    else if (s->asked == SCH_SECRET) {
        sch_emit_secret(out, indent);
    }
    else if ((s->asked & ~(SCH_INT | SCH_STRING)) == 0) {
        sch_line(out, indent, "x-kubernetes-int-or-string: true");
    }
    else {
        sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
    }
}

static void sch_emit_props(const struct sch *s, FILE *out, int indent)
{
    struct sch_prop *sorted = ce_xcalloc((size_t)s->n_props + 1, sizeof(*sorted));
    memcpy(sorted, s->props, (size_t)s->n_props * sizeof(*sorted));
    qsort(sorted, (size_t)s->n_props, sizeof(*sorted), sch_prop_cmp);
    sch_line(out, indent, "type: object");
    if (s->n_props > 0) {
        sch_line(out, indent, "properties:");
    }
    for (int i = 0; i < s->n_props; i++) {
        sch_key(out, indent + 2, sorted[i].name);
        sch_emit(sorted[i].s, out, indent + 4);
    }
    sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
    ce_free(sorted);
}

void sch_emit(const struct sch *s, FILE *out, int indent)
{
    if (s->asked != 0) {
        sch_emit_asked(s, out, indent);
    }
    else if (s->described) {
        sch_emit_props(s, out, indent);
    }
    else if (s->named && s->seen == 1u << CE_NODE_MAP) {
        sch_line(out, indent, "type: object");
        sch_line(out, indent, "additionalProperties:");
        sch_emit(s->values, out, indent + 2);
    }
    else if (s->seen == 1u << CE_NODE_SEQ) {
        sch_line(out, indent, "type: array");
        sch_line(out, indent, "items:");
        sch_emit(s->items, out, indent + 2);
    }
    else if (s->seen == 1u << CE_NODE_MAP) {
        sch_line(out, indent, "type: object");
        sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
    }
    else {
        sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
    }
}

void sch_emit_object(const struct sch *s, FILE *out, int indent)
{
    if (s->described) {
        sch_emit_props(s, out, indent);
    }
    else {
        sch_line(out, indent, "type: object");
        sch_line(out, indent, "x-kubernetes-preserve-unknown-fields: true");
    }
}
