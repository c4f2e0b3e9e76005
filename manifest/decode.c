/* SPDX-License-Identifier: Apache-2.0 */
/* Field getters for the manifest decoders: each reads one field with Argo's decoding habits
 * (numbers as strings, case-insensitive keys) and reports what is wrong at the exact node, with
 * the manifest path, so that every decoder reports problems the same way. */
#include "manifest/decode_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base/mem.h"

size_t ce_mdec_push(struct ce_mdec *c, const char *key)
{
    size_t old = c->path_len;
    int n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);
    if (n > 0) {
        c->path_len = old + (size_t)n;
        if (c->path_len >= sizeof(c->path)) {
            c->path_len = sizeof(c->path) - 1;
        }
    }
    return old;
}

size_t ce_mdec_push_index(struct ce_mdec *c, int i)
{
    size_t old = c->path_len;
    int n = snprintf(c->path + old, sizeof(c->path) - old, "[%d]", i);
    if (n > 0) {
        c->path_len = old + (size_t)n;
        if (c->path_len >= sizeof(c->path)) {
            c->path_len = sizeof(c->path) - 1;
        }
    }
    return old;
}

void ce_mdec_pop(struct ce_mdec *c, size_t len)
{
    c->path_len = len;
    c->path[len] = '\0';
}

struct ce_pos ce_mdec_pos(const struct ce_mdec *c, const struct ce_node *n)
{
    struct ce_pos p = {c->file, n ? n->line : 0, n ? n->col : 0};
    return p;
}

static void mdec_vadd(struct ce_mdec *c, enum ce_diag_severity sev, const struct ce_node *n,
                      const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    struct ce_pos p = ce_mdec_pos(c, n);
    ce_diag_add(c->diag, sev, &p, c->path, "%s", msg);
}

void ce_mdec_err(struct ce_mdec *c, const struct ce_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mdec_vadd(c, CE_DIAG_ERROR, n, fmt, ap);
    va_end(ap);
}

void ce_mdec_warn(struct ce_mdec *c, const struct ce_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mdec_vadd(c, CE_DIAG_WARNING, n, fmt, ap);
    va_end(ap);
}

void ce_mdec_err_key(struct ce_mdec *c, const struct ce_node *n, const char *key, const char *fmt,
                     ...)
{
    size_t old = ce_mdec_push(c, key);
    va_list ap;
    va_start(ap, fmt);
    mdec_vadd(c, CE_DIAG_ERROR, n, fmt, ap);
    va_end(ap);
    ce_mdec_pop(c, old);
}

bool ce_mdec_map(struct ce_mdec *c, const struct ce_node *n)
{
    if (n == NULL || ce_node_is_null(n)) {
        return false;
    }
    if (n->type != CE_NODE_MAP) {
        ce_mdec_err(c, n, "expected a map, got %s", ce_node_type_name(n));
        return false;
    }
    return true;
}

const struct ce_node *ce_mdec_near_key(const struct ce_node *map, const char *key)
{
    for (int i = 0; map != NULL && map->type == CE_NODE_MAP && i < map->n_pairs; i++) {
        const struct ce_node *k = map->pairs[i].key;
        if (k->type == CE_NODE_SCALAR && strcasecmp(k->str, key) != 0 &&
            ce_mdec_distance(k->str, key, 2) <= 2) {
            return k;
        }
    }
    return NULL;
}

void ce_mdec_err_missing(struct ce_mdec *c, const struct ce_node *map, const struct ce_node *at,
                         const char *key, const char *what)
{
    const struct ce_node *near = ce_mdec_near_key(map, key);
    if (near != NULL) {
        ce_mdec_err_key(c, at, key, "%s; is \"%s\" (line %d) a misspelling of \"%s\"?", what,
                        near->str, near->line, key);
    }
    else {
        ce_mdec_err_key(c, at, key, "%s", what);
    }
}

static void mdec_note(const struct ce_mdec *c, const struct ce_node *map, const char *key,
                      enum ce_mdec_kind kind)
{
    if (c->recorder != NULL && map != NULL && map->type == CE_NODE_MAP) {
        c->recorder->field(c->recorder->arg, map, key, kind);
    }
}

char *ce_mdec_str(struct ce_mdec *c, const struct ce_node *map, const char *key, bool required)
{
    mdec_note(c, map, key, CE_MDEC_STRING);
    const struct ce_node *v = ce_node_get(map, key);
    if (v == NULL || ce_node_is_null(v) || (v->type == CE_NODE_SCALAR && v->len == 0)) {
        if (required) {
            ce_mdec_err_missing(c, map, v ? v : map, key, "required field is missing");
        }
        return NULL;
    }
    if (v->type != CE_NODE_SCALAR) {
        ce_mdec_err_key(c, v, key, "expected a string, got %s", ce_node_type_name(v));
        return NULL;
    }
    if (strlen(v->str) != v->len) {
        ce_mdec_err_key(c, v, key, "string contains a NUL byte");
        return NULL;
    }
    return ce_xstrdup(v->str);
}

bool ce_mdec_int(struct ce_mdec *c, const struct ce_node *map, const char *key, int64_t *out)
{
    mdec_note(c, map, key, CE_MDEC_INT);
    const struct ce_node *v = ce_node_get(map, key);
    if (v == NULL || ce_node_is_null(v)) {
        return false;
    }
    if (!ce_node_int(v, out)) {
        ce_mdec_err_key(c, v, key, "not an integer");
        return false;
    }
    return true;
}

bool ce_mdec_bool(struct ce_mdec *c, const struct ce_node *map, const char *key)
{
    mdec_note(c, map, key, CE_MDEC_BOOL);
    const struct ce_node *v = ce_node_get(map, key);
    bool b = false;
    if (v == NULL || ce_node_is_null(v)) {
        return false;
    }
    if (!ce_node_bool(v, &b)) {
        ce_mdec_err_key(c, v, key, "expected true or false");
        return false;
    }
    return b;
}

void ce_mdec_secret_free(struct ce_secret_ref *s)
{
    CE_FREE(s->name);
    CE_FREE(s->key);
    s->set = false;
}

void ce_mdec_ref(struct ce_mdec *c, enum ce_mdec_ref_kind kind, const char *name)
{
    struct ce_mdec_refs *r = c->refs;
    if (r == NULL || name == NULL || name[0] == '\0') {
        return;
    }
    for (int i = 0; i < r->n[kind]; i++) {
        if (strcmp(r->names[kind][i], name) == 0) {
            return;
        }
    }
    if (r->n[kind] >= CE_MDEC_MAX_REFS) {
        r->overflow = true;
        return;
    }
    r->names[kind] = ce_xrealloc(r->names[kind], ((size_t)r->n[kind] + 1) * sizeof(char *));
    r->names[kind][r->n[kind]++] = ce_xstrdup(name);
}

void ce_mdec_refs_fini(struct ce_mdec_refs *r)
{
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < r->n[k]; i++) {
            ce_free(r->names[k][i]);
        }
        ce_free(r->names[k]);
    }
    memset(r, 0, sizeof(*r));
}

static void mdec_key_selector(struct ce_mdec *c, const struct ce_node *map, const char *key,
                              enum ce_mdec_ref_kind kind, struct ce_secret_ref *out)
{
    static const char *const known[] = {"name", "key", "optional", NULL};
    mdec_note(c, map, key, CE_MDEC_SECRET);
    memset(out, 0, sizeof(*out));
    const struct ce_node *v = ce_node_get(map, key);
    size_t old = ce_mdec_push(c, key);
    if (ce_mdec_map(c, v)) {
        out->pos = ce_mdec_pos(c, v);
        out->name = ce_mdec_str(c, v, "name", true);
        out->key = ce_mdec_str(c, v, "key", true);
        out->optional = ce_mdec_bool(c, v, "optional");
        out->set = true;
        ce_mdec_known(c, v, known);
        ce_mdec_ref(c, kind, out->name);
    }
    ce_mdec_pop(c, old);
}

void ce_mdec_secret(struct ce_mdec *c, const struct ce_node *map, const char *key,
                    struct ce_secret_ref *out)
{
    mdec_key_selector(c, map, key, CE_MDEC_REF_SECRET, out);
}

void ce_mdec_config_map(struct ce_mdec *c, const struct ce_node *map, const char *key,
                        struct ce_secret_ref *out)
{
    mdec_key_selector(c, map, key, CE_MDEC_REF_CONFIG_MAP, out);
}

bool ce_mdec_nonempty(const struct ce_node *map, const char *key)
{
    const struct ce_node *v = ce_node_get(map, key);
    if (v == NULL || ce_node_is_null(v)) {
        return false;
    }
    switch (v->type) {
    case CE_NODE_MAP:
        return v->n_pairs > 0;
    case CE_NODE_SEQ:
        return v->n_items > 0;
    default:
        return v->len > 0;
    }
}

static char mdec_lower(char ch)
{
    return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

int ce_mdec_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > 64 || lb > 64) {
        return cap + 1;
    }
    if ((la > lb ? la - lb : lb - la) > (size_t)cap) {
        return cap + 1;
    }
    int prev[65];
    int cur[65];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cost = mdec_lower(a[i - 1]) == mdec_lower(b[j - 1]) ? 0 : 1;
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) {
                best = prev[j] + 1;
            }
            if (cur[j - 1] + 1 < best) {
                best = cur[j - 1] + 1;
            }
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof(int) * (lb + 1));
    }
    return prev[lb] > cap ? cap + 1 : prev[lb];
}

static bool mdec_is_known(const char *key, const char *const *known)
{
    for (int i = 0; known[i] != NULL; i++) {
        if (strcasecmp(key, known[i]) == 0) {
            return true;
        }
    }
    return false;
}

void ce_mdec_known(struct ce_mdec *c, const struct ce_node *map, const char *const *known)
{
    if (c->recorder != NULL && map != NULL && map->type == CE_NODE_MAP) {
        c->recorder->known(c->recorder->arg, map, known);
    }
    if (!c->strict || map == NULL || map->type != CE_NODE_MAP) {
        return;
    }
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node *k = map->pairs[i].key;
        if (k->type != CE_NODE_SCALAR || mdec_is_known(k->str, known)) {
            continue;
        }
        const char *best = NULL;
        int best_d = 3;
        for (int j = 0; known[j] != NULL; j++) {
            int d = ce_mdec_distance(k->str, known[j], 2);
            if (d < best_d) {
                best_d = d;
                best = known[j];
            }
        }
        if (best != NULL) {
            ce_mdec_err_key(c, k, k->str, "unknown field \"%s\"; did you mean \"%s\"?", k->str,
                            best);
        }
        else {
            ce_mdec_err_key(c, k, k->str, "unknown field \"%s\"", k->str);
        }
    }
}
