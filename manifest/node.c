/* SPDX-License-Identifier: Apache-2.0 */
/* Builds the positioned node tree from libyaml's event stream. Events (not libyaml's document
 * API) are used so that depth, node count and alias expansion can be capped while reading, and
 * so that merge keys and duplicate keys are handled as Kubernetes' YAML decoder does. */
#include "manifest/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/model.h"

/* Alias expansion copies text: cap the bytes copied so "billion laughs" stays bounded. */
#define NODE_MAX_COPY_BYTES (64u * 1024u * 1024u)

struct node_frame {
    struct ce_node *node;
    struct ce_node *key; /* map: key waiting for its value */
    char *anchor;
    struct ce_node **merges; /* map: values of "<<" keys, merged at the end */
    int n_merges;
};

struct node_anchor {
    char *name;
    const struct ce_node *node;
};

struct node_builder {
    const char *file;
    struct ce_diag *diag;
    struct node_frame stack[CE_NODE_MAX_DEPTH + 1];
    int depth;
    struct node_anchor *anchors;
    int n_anchors;
    long n_nodes;
    size_t copied;
    int alias_line; /* the alias being expanded: where expansion errors are reported */
    int alias_col;
    struct ce_node *root;
    int rc;
};

void ce_node_free(struct ce_node *n)
{
    if (n == NULL) {
        return;
    }
    for (int i = 0; i < n->n_pairs; i++) {
        ce_node_free(n->pairs[i].key);
        ce_node_free(n->pairs[i].value);
    }
    for (int i = 0; i < n->n_items; i++) {
        ce_node_free(n->items[i]);
    }
    ce_free(n->pairs);
    ce_free(n->items);
    ce_free(n->str);
    ce_free(n->tag);
    ce_free(n);
}

void ce_node_docs_free(struct ce_node_doc *docs, int n_docs)
{
    for (int i = 0; i < n_docs; i++) {
        ce_node_free(docs[i].root);
    }
    ce_free(docs);
}

static void node_error(struct node_builder *b, int line, int col, int rc, const char *msg)
{
    struct ce_pos pos = {b->file, line, col};
    if (b->rc == CE_OK) {
        ce_diag_add(b->diag, CE_DIAG_ERROR, &pos, "", "%s", msg);
        b->rc = rc;
    }
}

static struct ce_node *node_new(struct node_builder *b, enum ce_node_type type,
                                const yaml_mark_t *mark, const yaml_char_t *tag)
{
    if (++b->n_nodes > CE_NODE_MAX_NODES) {
        node_error(b, (int)mark->line + 1, (int)mark->column + 1, CE_ETOOBIG,
                   "too many YAML nodes (aliases included)");
        return NULL;
    }
    struct ce_node *n = ce_xcalloc(1, sizeof(*n));
    n->type = type;
    n->line = (int)mark->line + 1;
    n->col = (int)mark->column + 1;
    if (tag != NULL) {
        n->tag = ce_xstrdup((const char *)tag);
    }
    return n;
}

/* depth is where the copy lands: aliases may not build a tree deeper than parsing allows. */
static struct ce_node *node_copy(struct node_builder *b, const struct ce_node *src, int depth)
{
    if (depth > CE_NODE_MAX_DEPTH || (src->type != CE_NODE_SCALAR && depth >= CE_NODE_MAX_DEPTH)) {
        node_error(b, b->alias_line, b->alias_col, CE_ETOOBIG, "YAML nested too deeply");
        return NULL;
    }
    yaml_mark_t mark = {0, (size_t)(src->line - 1), (size_t)(src->col - 1)};
    struct ce_node *n = node_new(b, src->type, &mark, (const yaml_char_t *)src->tag);
    if (n == NULL) {
        return NULL;
    }
    n->style = src->style;
    if (src->str != NULL) {
        b->copied += src->len + 1;
        if (b->copied > NODE_MAX_COPY_BYTES) {
            node_error(b, b->alias_line, b->alias_col, CE_ETOOBIG, "YAML aliases expand too much");
            ce_node_free(n);
            return NULL;
        }
        n->str = ce_xmalloc(src->len + 1);
        memcpy(n->str, src->str, src->len + 1);
        n->len = src->len;
    }
    if (src->n_pairs > 0) {
        n->pairs = ce_xcalloc((size_t)src->n_pairs, sizeof(*n->pairs));
        for (int i = 0; i < src->n_pairs; i++) {
            n->pairs[i].key = node_copy(b, src->pairs[i].key, depth + 1);
            n->pairs[i].value =
                n->pairs[i].key ? node_copy(b, src->pairs[i].value, depth + 1) : NULL;
            n->n_pairs++;
            if (n->pairs[i].value == NULL) {
                ce_node_free(n);
                return NULL;
            }
        }
    }
    if (src->n_items > 0) {
        n->items = ce_xcalloc((size_t)src->n_items, sizeof(*n->items));
        for (; n->n_items < src->n_items; n->n_items++) {
            n->items[n->n_items] = node_copy(b, src->items[n->n_items], depth + 1);
            if (n->items[n->n_items] == NULL) {
                ce_node_free(n);
                return NULL;
            }
        }
    }
    return n;
}

static bool node_key_eq(const struct ce_node *a, const struct ce_node *b)
{
    return a->type == CE_NODE_SCALAR && b->type == CE_NODE_SCALAR && a->len == b->len &&
           memcmp(a->str, b->str, a->len) == 0;
}

static bool node_is_merge_key(const struct ce_node *k)
{
    return k->type == CE_NODE_SCALAR && k->style == CE_NODE_PLAIN && k->tag == NULL &&
           strcmp(k->str, "<<") == 0;
}

static int node_map_find(const struct ce_node *map, const struct ce_node *key)
{
    for (int i = 0; i < map->n_pairs; i++) {
        if (node_key_eq(map->pairs[i].key, key)) {
            return i;
        }
    }
    return -1;
}

static void node_map_append(struct ce_node *map, struct ce_node *key, struct ce_node *value)
{
    map->pairs = ce_xrealloc(map->pairs, ((size_t)map->n_pairs + 1) * sizeof(*map->pairs));
    map->pairs[map->n_pairs].key = key;
    map->pairs[map->n_pairs].value = value;
    map->n_pairs++;
}

static void node_map_add(struct node_builder *b, struct node_frame *f, struct ce_node *value)
{
    struct ce_node *key = f->key;
    f->key = NULL;
    if (node_is_merge_key(key)) {
        ce_node_free(key);
        f->merges = ce_xrealloc(f->merges, ((size_t)f->n_merges + 1) * sizeof(*f->merges));
        f->merges[f->n_merges++] = value;
        return;
    }
    int i = node_map_find(f->node, key);
    if (i >= 0) {
        char *msg = ce_xasprintf("mapping key \"%s\" already defined at line %d", key->str,
                                 f->node->pairs[i].key->line);
        node_error(b, key->line, key->col, CE_EPARSE, msg);
        ce_free(msg);
        ce_node_free(key);
        ce_node_free(value);
        return;
    }
    node_map_append(f->node, key, value);
}

/* Merge keys: explicit keys win, then earlier merged maps win over later ones. The merged
 * nodes are owned copies (aliases are expanded), so their pairs are moved, not copied. */
static void node_merge_one(struct ce_node *map, struct ce_node *src)
{
    for (int i = 0; i < src->n_pairs; i++) {
        if (node_map_find(map, src->pairs[i].key) < 0) {
            node_map_append(map, src->pairs[i].key, src->pairs[i].value);
            src->pairs[i].key = NULL;
            src->pairs[i].value = NULL;
        }
    }
}

static void node_apply_merges(struct node_builder *b, struct node_frame *f)
{
    for (int m = 0; m < f->n_merges; m++) {
        struct ce_node *v = f->merges[m];
        if (v->type == CE_NODE_MAP) {
            node_merge_one(f->node, v);
        }
        else if (v->type == CE_NODE_SEQ) {
            for (int i = 0; i < v->n_items; i++) {
                if (v->items[i]->type != CE_NODE_MAP) {
                    node_error(b, v->items[i]->line, v->items[i]->col, CE_EPARSE,
                               "map merge requires a map or a sequence of maps");
                    break;
                }
                node_merge_one(f->node, v->items[i]);
            }
        }
        else {
            node_error(b, v->line, v->col, CE_EPARSE,
                       "map merge requires a map or a sequence of maps");
        }
        ce_node_free(v); /* frees what was not moved */
    }
    CE_FREE(f->merges);
    f->n_merges = 0;
}

static void node_anchor_add(struct node_builder *b, char *name, const struct ce_node *n)
{
    if (name == NULL) {
        return;
    }
    b->anchors = ce_xrealloc(b->anchors, ((size_t)b->n_anchors + 1) * sizeof(*b->anchors));
    b->anchors[b->n_anchors].name = name;
    b->anchors[b->n_anchors].node = n;
    b->n_anchors++;
}

static void node_anchors_clear(struct node_builder *b)
{
    for (int i = 0; i < b->n_anchors; i++) {
        ce_free(b->anchors[i].name);
    }
    CE_FREE(b->anchors);
    b->n_anchors = 0;
}

/* Hands a finished node to its parent (or makes it the document root). */
static void node_attach(struct node_builder *b, struct ce_node *n)
{
    if (b->depth == 0) {
        ce_node_free(b->root);
        b->root = n;
        return;
    }
    struct node_frame *f = &b->stack[b->depth - 1];
    if (f->node->type == CE_NODE_SEQ) {
        f->node->items =
            ce_xrealloc(f->node->items, ((size_t)f->node->n_items + 1) * sizeof(*f->node->items));
        f->node->items[f->node->n_items++] = n;
    }
    else if (f->key == NULL) {
        f->key = n;
    }
    else {
        node_map_add(b, f, n);
    }
}

static void node_on_scalar(struct node_builder *b, const yaml_event_t *ev)
{
    struct ce_node *n = node_new(b, CE_NODE_SCALAR, &ev->start_mark, ev->data.scalar.tag);
    if (n == NULL) {
        return;
    }
    size_t len = ev->data.scalar.length;
    n->str = ce_xmalloc(len + 1);
    memcpy(n->str, ev->data.scalar.value, len);
    n->str[len] = '\0';
    n->len = len;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = CE_NODE_QUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = CE_NODE_BLOCK;
        break;
    default:
        n->style = CE_NODE_PLAIN;
        break;
    }
    if (ev->data.scalar.anchor != NULL) {
        node_anchor_add(b, ce_xstrdup((const char *)ev->data.scalar.anchor), n);
    }
    node_attach(b, n);
}

static void node_on_start(struct node_builder *b, const yaml_event_t *ev, enum ce_node_type t)
{
    const yaml_char_t *tag =
        t == CE_NODE_MAP ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    const yaml_char_t *anchor =
        t == CE_NODE_MAP ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    if (b->depth >= CE_NODE_MAX_DEPTH) {
        node_error(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, CE_ETOOBIG,
                   "YAML nested too deeply");
        return;
    }
    struct ce_node *n = node_new(b, t, &ev->start_mark, tag);
    if (n == NULL) {
        return;
    }
    struct node_frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof(*f));
    f->node = n;
    f->anchor = anchor ? ce_xstrdup((const char *)anchor) : NULL;
}

static void node_on_end(struct node_builder *b)
{
    struct node_frame *f = &b->stack[--b->depth];
    node_apply_merges(b, f);
    ce_node_free(f->key); /* cannot happen with a well-formed event stream */
    node_anchor_add(b, f->anchor, f->node);
    node_attach(b, f->node);
}

static void node_on_alias(struct node_builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    for (int i = b->n_anchors - 1; i >= 0; i--) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            b->alias_line = (int)ev->start_mark.line + 1;
            b->alias_col = (int)ev->start_mark.column + 1;
            struct ce_node *n = node_copy(b, b->anchors[i].node, b->depth);
            if (n != NULL) {
                n->line = (int)ev->start_mark.line + 1;
                n->col = (int)ev->start_mark.column + 1;
                node_attach(b, n);
            }
            return;
        }
    }
    char *msg = ce_xasprintf("unknown anchor \"%s\" referenced", name);
    node_error(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, CE_EPARSE, msg);
    ce_free(msg);
}

static void node_unwind(struct node_builder *b)
{
    while (b->depth > 0) {
        struct node_frame *f = &b->stack[--b->depth];
        for (int i = 0; i < f->n_merges; i++) {
            ce_node_free(f->merges[i]);
        }
        ce_free(f->merges);
        ce_node_free(f->key);
        ce_free(f->anchor);
        ce_node_free(f->node);
    }
    ce_node_free(b->root);
    b->root = NULL;
    node_anchors_clear(b);
}

/* libyaml reader errors (bad UTF-8) carry an offset, not a mark. */
static void node_offset_pos(const char *buf, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (buf[i] == '\n') {
            (*line)++;
            *col = 1;
        }
        else {
            (*col)++;
        }
    }
}

static void node_parser_error(struct node_builder *b, const yaml_parser_t *p, const char *buf,
                              size_t len)
{
    int line;
    int col;
    const char *problem = p->problem ? p->problem : "unknown error";
    char *msg;
    if (p->error == YAML_READER_ERROR) {
        node_offset_pos(buf, len, p->problem_offset, &line, &col);
        msg = ce_xasprintf("invalid YAML: %s", problem);
    }
    else {
        line = (int)p->problem_mark.line + 1;
        col = (int)p->problem_mark.column + 1;
        if (p->context != NULL) {
            msg = ce_xasprintf("invalid YAML: %s %s", problem, p->context);
        }
        else {
            msg = ce_xasprintf("invalid YAML: %s", problem);
        }
    }
    node_error(b, line, col, CE_EPARSE, msg);
    ce_free(msg);
}

static void node_doc_push(struct node_builder *b, struct ce_node_doc **docs, int *n_docs,
                          const yaml_mark_t *start)
{
    struct ce_node *root = b->root;
    b->root = NULL;
    node_anchors_clear(b);
    if (root == NULL || ce_node_is_null(root)) {
        ce_node_free(root); /* empty documents are skipped */
        return;
    }
    if (*n_docs >= CE_NODE_MAX_DOCS) {
        node_error(b, root->line, root->col, CE_ETOOBIG, "too many YAML documents");
        ce_node_free(root);
        return;
    }
    *docs = ce_xrealloc(*docs, ((size_t)*n_docs + 1) * sizeof(**docs));
    (*docs)[*n_docs].root = root;
    (*docs)[*n_docs].line = (int)start->line + 1;
    (*docs)[*n_docs].col = (int)start->column + 1;
    (*n_docs)++;
}

/* Returns false at the end of the stream or on an error. */
static bool node_step(struct node_builder *b, yaml_parser_t *p, const char *buf, size_t len,
                      struct ce_node_doc **docs, int *n_docs, yaml_mark_t *doc_start)
{
    yaml_event_t ev;
    if (!yaml_parser_parse(p, &ev)) {
        node_parser_error(b, p, buf, len);
        return false;
    }
    bool more = true;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
        more = false;
        break;
    case YAML_DOCUMENT_START_EVENT:
        *doc_start = ev.start_mark;
        break;
    case YAML_DOCUMENT_END_EVENT:
        node_doc_push(b, docs, n_docs, doc_start);
        break;
    case YAML_SCALAR_EVENT:
        node_on_scalar(b, &ev);
        break;
    case YAML_ALIAS_EVENT:
        node_on_alias(b, &ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        node_on_start(b, &ev, CE_NODE_SEQ);
        break;
    case YAML_MAPPING_START_EVENT:
        node_on_start(b, &ev, CE_NODE_MAP);
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        node_on_end(b);
        break;
    default:
        break;
    }
    yaml_event_delete(&ev);
    return more && b->rc == CE_OK;
}

int ce_node_parse(const char *buf, size_t len, const char *file, struct ce_diag *diag,
                  struct ce_node_doc **docs, int *n_docs)
{
    struct node_builder b;
    memset(&b, 0, sizeof(b));
    b.file = file;
    b.diag = diag;
    *docs = NULL;
    *n_docs = 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        node_error(&b, 0, 0, CE_EIO, "cannot initialise the YAML parser");
        return b.rc;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    yaml_mark_t doc_start = {0, 0, 0};
    while (node_step(&b, &p, buf, len, docs, n_docs, &doc_start)) {
    }
    yaml_parser_delete(&p);
    node_unwind(&b);
    if (b.rc != CE_OK) {
        ce_node_docs_free(*docs, *n_docs);
        *docs = NULL;
        *n_docs = 0;
    }
    return b.rc;
}

const struct ce_node_pair *ce_node_get_pair(const struct ce_node *map, const char *key)
{
    if (map == NULL || map->type != CE_NODE_MAP) {
        return NULL;
    }
    size_t klen = strlen(key);
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node *k = map->pairs[i].key;
        if (k->type == CE_NODE_SCALAR && k->len == klen && memcmp(k->str, key, klen) == 0) {
            return &map->pairs[i];
        }
    }
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node *k = map->pairs[i].key;
        if (k->type == CE_NODE_SCALAR && k->len == klen && strcasecmp(k->str, key) == 0) {
            return &map->pairs[i];
        }
    }
    return NULL;
}

const struct ce_node *ce_node_get(const struct ce_node *map, const char *key)
{
    const struct ce_node_pair *p = ce_node_get_pair(map, key);
    return p ? p->value : NULL;
}

bool ce_node_is_null(const struct ce_node *n)
{
    if (n == NULL || n->type != CE_NODE_SCALAR) {
        return false;
    }
    if (n->tag != NULL) {
        return strcmp(n->tag, "tag:yaml.org,2002:null") == 0 || strcmp(n->tag, "!!null") == 0;
    }
    if (n->style != CE_NODE_PLAIN) {
        return false;
    }
    return n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
           strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0;
}

bool ce_node_is_string(const struct ce_node *n)
{
    return n != NULL && n->type == CE_NODE_SCALAR && !ce_node_is_null(n) &&
           strlen(n->str) == n->len;
}

bool ce_node_int(const struct ce_node *n, int64_t *out)
{
    if (n == NULL || n->type != CE_NODE_SCALAR || n->len == 0 || n->len > 24 ||
        strlen(n->str) != n->len) {
        return false;
    }
    const char *s = n->str;
    const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
    if (*digits < '0' || *digits > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0') {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

bool ce_node_bool(const struct ce_node *n, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
                                      "YES",  "on",   "On",   "ON"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No",
                                     "NO",    "off",   "Off",   "OFF"};
    if (n == NULL || n->type != CE_NODE_SCALAR) {
        return false;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(n->str, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(n->str, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

const char *ce_node_type_name(const struct ce_node *n)
{
    if (n == NULL) {
        return "nothing";
    }
    switch (n->type) {
    case CE_NODE_MAP:
        return "a map";
    case CE_NODE_SEQ:
        return "a list";
    default:
        return ce_node_is_null(n) ? "null" : "a scalar";
    }
}

/* One step of a path: a key up to '.' or '[', then any [index]es. */
static const struct ce_node *node_path_step(const struct ce_node *n, const char **p,
                                            const char *end)
{
    const char *s = *p;
    size_t k = 0;
    while (s + k < end && s[k] != '.' && s[k] != '[') {
        k++;
    }
    if (k > 0) {
        char key[128];
        if (k >= sizeof key) {
            return NULL;
        }
        memcpy(key, s, k);
        key[k] = '\0';
        n = ce_node_get(n, key);
    }
    s += k;
    while (n != NULL && s < end && *s == '[') {
        char *close = NULL;
        long i = strtol(s + 1, &close, 10);
        if (close == NULL || close >= end || *close != ']' || n->type != CE_NODE_SEQ || i < 0 ||
            i >= n->n_items) {
            return NULL;
        }
        n = n->items[i];
        s = close + 1;
    }
    *p = s < end && *s == '.' ? s + 1 : s;
    return n;
}

const struct ce_node *ce_node_at(const struct ce_node *root, const char *path, size_t len)
{
    const char *p = path;
    const char *end = path + len;
    const struct ce_node *n = root;
    while (n != NULL && p < end) {
        const char *before = p;
        n = node_path_step(n, &p, end);
        if (p == before) {
            return NULL; /* no progress: not a path */
        }
    }
    return n;
}
