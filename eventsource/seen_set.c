/* SPDX-License-Identifier: Apache-2.0 */
/* The set of delivered names (see seen_set.h): a chained hash table, its records and its diff. */
#include "eventsource/seen_set.h"
#include "core/base/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static size_t seen_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)h;
}

void ce_seen_set_init(struct ce_seen_set *s)
{
    s->n_heads = 64;
    s->heads = ce_xcalloc(s->n_heads, sizeof(*s->heads));
    s->n = 0;
}

void ce_seen_set_fini(struct ce_seen_set *s)
{
    for (size_t i = 0; i < s->n_heads; i++) {
        for (struct ce_seen_entry *e = s->heads[i], *next; e != NULL; e = next) {
            next = e->next;
            ce_free(e->name);
            ce_free(e);
        }
    }
    ce_free(s->heads);
    s->heads = NULL;
    s->n_heads = s->n = 0;
}

struct ce_seen_entry *ce_seen_set_get(const struct ce_seen_set *s, const char *name)
{
    for (struct ce_seen_entry *e = s->heads[seen_hash(name) % s->n_heads]; e != NULL; e = e->next) {
        if (strcmp(e->name, name) == 0) {
            return e;
        }
    }
    return NULL;
}

static void seen_grow(struct ce_seen_set *s)
{
    size_t n_heads = s->n_heads * 2;
    struct ce_seen_entry **heads = ce_xcalloc(n_heads, sizeof(*heads));
    for (size_t i = 0; i < s->n_heads; i++) {
        for (struct ce_seen_entry *e = s->heads[i], *next; e != NULL; e = next) {
            next = e->next;
            size_t h = seen_hash(e->name) % n_heads;
            e->next = heads[h];
            heads[h] = e;
        }
    }
    ce_free(s->heads);
    s->heads = heads;
    s->n_heads = n_heads;
}

bool ce_seen_set_put(struct ce_seen_set *s, const char *name, const struct ce_watch_stat *st)
{
    struct ce_seen_entry *e = ce_seen_set_get(s, name);
    if (e == NULL) {
        if (s->n >= CE_SEEN_MAX) {
            return false;
        }
        if (s->n >= s->n_heads) {
            seen_grow(s);
        }
        e = ce_xcalloc(1, sizeof(*e));
        e->name = ce_xstrdup(name);
        size_t h = seen_hash(name) % s->n_heads;
        e->next = s->heads[h];
        s->heads[h] = e;
        s->n++;
    }
    e->st = *st;
    return true;
}

void ce_seen_set_del(struct ce_seen_set *s, const char *name)
{
    for (struct ce_seen_entry **p = &s->heads[seen_hash(name) % s->n_heads]; *p != NULL;
         p = &(*p)->next) {
        if (strcmp((*p)->name, name) == 0) {
            struct ce_seen_entry *e = *p;
            *p = e->next;
            ce_free(e->name);
            ce_free(e);
            s->n--;
            return;
        }
    }
}

void ce_seen_record_format(const char *name, const struct ce_watch_stat *st, struct ce_buf *out)
{
    if (ce_buf_printf(out, "%" PRIu64 " %" PRId64 " %" PRId64 " %" PRIu32 "\n%s", st->ino, st->size,
                      st->mtime_ns, st->mode, name) != CE_OK) {
        return; /* the buffer has no cap */
    }
}

bool ce_seen_record_parse(const char *text, char **name, struct ce_watch_stat *st)
{
    int used = 0;
    *name = NULL;
    if (sscanf(text, "%" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNu32 "%n", &st->ino, &st->size,
               &st->mtime_ns, &st->mode, &used) != 4 ||
        text[used] != '\n' || text[used + 1] == '\0' ||
        strlen(text + used + 1) >= CE_SEEN_NAME_MAX) {
        return false;
    }
    *name = ce_xstrdup(text + used + 1);
    return true;
}

static void diff_add(struct ce_seen_change **out, size_t *n, size_t *cap, const char *name,
                     unsigned op, const struct ce_watch_stat *st)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *out = ce_xrealloc(*out, *cap * sizeof(**out));
    }
    (*out)[*n] = (struct ce_seen_change){.name = ce_xstrdup(name), .op = op, .st = *st};
    (*n)++;
}

void ce_seen_diff(struct ce_seen_set *s, char *const *names, const struct ce_watch_stat *sts,
                  size_t n_names, unsigned changed_op, bool track_mode, struct ce_seen_change **out,
                  size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < s->n_heads; i++) {
        for (struct ce_seen_entry *e = s->heads[i]; e != NULL; e = e->next) {
            e->listed = false;
        }
    }
    for (size_t i = 0; i < n_names; i++) {
        struct ce_seen_entry *e = ce_seen_set_get(s, names[i]);
        if (e == NULL) {
            diff_add(out, n, &cap, names[i], CE_WATCH_CREATE, &sts[i]);
            continue;
        }
        e->listed = true;
        if (e->st.size != sts[i].size || e->st.mtime_ns != sts[i].mtime_ns) {
            diff_add(out, n, &cap, names[i], changed_op, &sts[i]);
        }
        else if (track_mode && e->st.mode != sts[i].mode) {
            diff_add(out, n, &cap, names[i], CE_WATCH_CHMOD, &sts[i]);
        }
    }
    for (size_t i = 0; i < s->n_heads; i++) {
        for (struct ce_seen_entry *e = s->heads[i]; e != NULL; e = e->next) {
            if (!e->listed) {
                diff_add(out, n, &cap, e->name, CE_WATCH_REMOVE, &e->st);
            }
        }
    }
}

void ce_seen_changes_free(struct ce_seen_change *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ce_free(c[i].name);
    }
    ce_free(c);
}
