/* SPDX-License-Identifier: Apache-2.0 */
/* Template values: the per-evaluation arena, constructors, maps kept sorted by key, truth and
 * equality as Go's text/template and reflect define them, and JSON input conversion. */
#include "core/template/tvalue.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TV_CHUNK 65536u

struct ce_tv_chunk {
    struct ce_tv_chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void ce_tv_ctx_init(struct ce_tv_ctx *c, size_t max_memory, int64_t now_ns, char *err,
                    size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->max_memory = max_memory ? max_memory : CE_TV_MAX_MEMORY;
    c->now_ns = now_ns;
    c->err = err;
    c->errlen = errlen;
}

void ce_tv_ctx_fini(struct ce_tv_ctx *c)
{
    struct ce_tv_chunk *ch = c->chunks;
    while (ch) {
        struct ce_tv_chunk *next = ch->next;
        ce_free(ch);
        ch = next;
    }
    c->chunks = NULL;
    c->used = 0;
}

void ce_tv_abort(struct ce_tv_ctx *c, int rc, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    c->fail_rc = rc;
    longjmp(*c->fail, 1);
}

void *ce_tv_alloc(struct ce_tv_ctx *c, size_t n)
{
    n = (n + 15u) & ~(size_t)15u;
    if (n > c->max_memory || c->used > c->max_memory - n) {
        ce_tv_abort(c, CE_ETOOBIG, "template values exceed %zu bytes", c->max_memory);
    }
    struct ce_tv_chunk *ch = c->chunks;
    if (!ch || ch->size - ch->used < n) {
        size_t size = n > TV_CHUNK / 4 ? n : TV_CHUNK;
        ch = ce_xmalloc(sizeof *ch + size);
        ch->size = size;
        ch->used = 0;
        if (size == n && c->chunks) {
            /* a big block goes behind the current chunk so its free room stays usable */
            ch->next = c->chunks->next;
            c->chunks->next = ch;
        }
        else {
            ch->next = c->chunks;
            c->chunks = ch;
        }
    }
    void *p = ch->data + ch->used;
    ch->used += n;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *ce_tv_strdup(struct ce_tv_ctx *c, const char *p, size_t n)
{
    ce_tv_check_size(c, n);
    char *s = ce_tv_alloc(c, n + 1);
    if (n) {
        memcpy(s, p, n);
    }
    s[n] = '\0';
    return s;
}

void ce_tv_check_size(struct ce_tv_ctx *c, size_t n)
{
    if (n > CE_TV_MAX_STRING) {
        ce_tv_abort(c, CE_ETOOBIG, "string result exceeds %u bytes", CE_TV_MAX_STRING);
    }
}

void ce_tv_out(struct ce_tv_ctx *c, struct ce_buf *out, const void *p, size_t n)
{
    if (ce_buf_append(out, p, n) != CE_OK) {
        ce_tv_abort(c, CE_ETOOBIG, "output exceeds %zu bytes", out->max);
    }
}

struct ce_tv ce_tv_invalid(void)
{
    struct ce_tv v = {.kind = CE_TV_INVALID};
    return v;
}

struct ce_tv ce_tv_nil(void)
{
    struct ce_tv v = {.kind = CE_TV_NIL};
    return v;
}

struct ce_tv ce_tv_bool(bool b)
{
    struct ce_tv v = {.kind = CE_TV_BOOL, .u.b = b};
    return v;
}

struct ce_tv ce_tv_int(int64_t i)
{
    struct ce_tv v = {.kind = CE_TV_INT, .u.i = i};
    return v;
}

struct ce_tv ce_tv_int64(int64_t i)
{
    struct ce_tv v = {.kind = CE_TV_INT, .gotype = CE_TV_GO_INT64, .u.i = i};
    return v;
}

struct ce_tv ce_tv_float(double f)
{
    struct ce_tv v = {.kind = CE_TV_FLOAT, .u.f = f};
    return v;
}

struct ce_tv ce_tv_str(const char *p, size_t n)
{
    struct ce_tv v = {.kind = CE_TV_STRING};
    v.u.s.p = n ? p : "";
    v.u.s.n = n;
    return v;
}

struct ce_tv ce_tv_str_copy(struct ce_tv_ctx *c, const char *p, size_t n)
{
    return ce_tv_str(ce_tv_strdup(c, p, n), n);
}

struct ce_tv ce_tv_cstr(const char *s)
{
    return ce_tv_str(s, strlen(s));
}

struct ce_tv ce_tv_list_new(struct ce_tv_ctx *c, size_t cap, uint8_t gotype)
{
    struct ce_tv v = {.kind = CE_TV_LIST, .gotype = gotype};
    v.u.list = ce_tv_alloc(c, sizeof *v.u.list);
    if (cap) {
        if (cap > c->max_memory / sizeof(struct ce_tv)) {
            ce_tv_abort(c, CE_ETOOBIG, "list too long");
        }
        v.u.list->items = ce_tv_alloc(c, cap * sizeof(struct ce_tv));
        v.u.list->cap = cap;
    }
    return v;
}

struct ce_tv ce_tv_map_new(struct ce_tv_ctx *c, uint8_t gotype)
{
    struct ce_tv v = {.kind = CE_TV_MAP, .gotype = gotype};
    v.u.map = ce_tv_alloc(c, sizeof *v.u.map);
    return v;
}

struct ce_tv ce_tv_time_new(struct ce_tv_ctx *c, int64_t sec, int32_t nsec, int32_t offset,
                            const char *zone)
{
    struct ce_tv v = {.kind = CE_TV_TIME};
    v.u.t = ce_tv_alloc(c, sizeof *v.u.t);
    v.u.t->sec = sec;
    v.u.t->nsec = nsec;
    v.u.t->offset = offset;
    v.u.t->zone = zone;
    return v;
}

void ce_tv_list_push(struct ce_tv_ctx *c, struct ce_tv *list, struct ce_tv v)
{
    struct ce_tv_list *l = list->u.list;
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        if (cap > c->max_memory / sizeof(struct ce_tv)) {
            ce_tv_abort(c, CE_ETOOBIG, "list too long");
        }
        struct ce_tv *items = ce_tv_alloc(c, cap * sizeof *items);
        if (l->len) {
            memcpy(items, l->items, l->len * sizeof *items);
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->len++] = v;
}

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = n ? memcmp(a, b, n) : 0;
    if (r != 0) {
        return r;
    }
    return an < bn ? -1 : an > bn;
}

/* Index of key, or of where it would go (with *found false). */
static size_t map_find(const struct ce_tv_map *m, const char *key, size_t keylen, bool *found)
{
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = key_cmp(m->e[mid].key, m->e[mid].keylen, key, keylen);
        if (r == 0) {
            *found = true;
            return mid;
        }
        if (r < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

void ce_tv_map_set(struct ce_tv_ctx *c, struct ce_tv *map, const char *key, size_t keylen,
                   struct ce_tv v)
{
    struct ce_tv_map *m = map->u.map;
    bool found;
    size_t at = map_find(m, key, keylen, &found);
    if (found) {
        m->e[at].val = v;
        return;
    }
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        if (cap > c->max_memory / sizeof(struct ce_tv_entry)) {
            ce_tv_abort(c, CE_ETOOBIG, "map too big");
        }
        struct ce_tv_entry *e = ce_tv_alloc(c, cap * sizeof *e);
        if (m->len) {
            memcpy(e, m->e, m->len * sizeof *e);
        }
        m->e = e;
        m->cap = cap;
    }
    memmove(m->e + at + 1, m->e + at, (m->len - at) * sizeof *m->e);
    m->e[at].key = ce_tv_strdup(c, key, keylen);
    m->e[at].keylen = keylen;
    m->e[at].val = v;
    m->len++;
}

struct ce_tv *ce_tv_map_get(const struct ce_tv *map, const char *key, size_t keylen)
{
    bool found;
    size_t at = map_find(map->u.map, key, keylen, &found);
    return found ? &map->u.map->e[at].val : NULL;
}

bool ce_tv_map_del(struct ce_tv *map, const char *key, size_t keylen)
{
    struct ce_tv_map *m = map->u.map;
    bool found;
    size_t at = map_find(m, key, keylen, &found);
    if (!found) {
        return false;
    }
    memmove(m->e + at, m->e + at + 1, (m->len - at - 1) * sizeof *m->e);
    m->len--;
    return true;
}

int64_t ce_tv_len(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_STRING:
        return (int64_t)v->u.s.n;
    case CE_TV_LIST:
        return (int64_t)v->u.list->len;
    case CE_TV_MAP:
        return (int64_t)v->u.map->len;
    default:
        return -1;
    }
}

bool ce_tv_truth(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_BOOL:
        return v->u.b;
    case CE_TV_INT:
        return v->u.i != 0;
    case CE_TV_FLOAT:
        return v->u.f != 0;
    case CE_TV_STRING:
    case CE_TV_LIST:
    case CE_TV_MAP:
        return ce_tv_len(v) > 0;
    case CE_TV_TIME:
        return true; /* structs are always true */
    default:
        return false;
    }
}

bool ce_tv_empty(const struct ce_tv *v)
{
    return !ce_tv_truth(v);
}

bool ce_tv_deep_equal(const struct ce_tv *a, const struct ce_tv *b, int depth)
{
    if (depth > CE_TV_MAX_DEPTH) {
        return false;
    }
    if (a->kind != b->kind || a->gotype != b->gotype) {
        return false;
    }
    switch (a->kind) {
    case CE_TV_INVALID:
    case CE_TV_NIL:
        return true;
    case CE_TV_BOOL:
        return a->u.b == b->u.b;
    case CE_TV_INT:
        return a->u.i == b->u.i;
    case CE_TV_FLOAT:
        return a->u.f == b->u.f;
    case CE_TV_STRING:
        return key_cmp(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n) == 0;
    case CE_TV_LIST:
        if (a->u.list->len != b->u.list->len) {
            return false;
        }
        for (size_t i = 0; i < a->u.list->len; i++) {
            if (!ce_tv_deep_equal(&a->u.list->items[i], &b->u.list->items[i], depth + 1)) {
                return false;
            }
        }
        return true;
    case CE_TV_MAP:
        if (a->u.map->len != b->u.map->len) {
            return false;
        }
        for (size_t i = 0; i < a->u.map->len; i++) {
            const struct ce_tv_entry *ea = &a->u.map->e[i], *eb = &b->u.map->e[i];
            if (key_cmp(ea->key, ea->keylen, eb->key, eb->keylen) != 0 ||
                !ce_tv_deep_equal(&ea->val, &eb->val, depth + 1)) {
                return false;
            }
        }
        return true;
    case CE_TV_TIME:
        return a->u.t->sec == b->u.t->sec && a->u.t->nsec == b->u.t->nsec &&
               a->u.t->offset == b->u.t->offset;
    default:
        return false;
    }
}

const char *ce_tv_type_name(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_NIL:
        return "interface {}";
    case CE_TV_BOOL:
        return "bool";
    case CE_TV_INT:
        return v->gotype == CE_TV_GO_INT64   ? "int64"
               : v->gotype == CE_TV_GO_UINT8 ? "uint8"
                                             : "int";
    case CE_TV_FLOAT:
        return "float64";
    case CE_TV_STRING:
        return "string";
    case CE_TV_LIST:
        return v->gotype == CE_TV_GO_STRINGS ? "[]string"
               : v->gotype == CE_TV_GO_INTS  ? "[]int"
                                             : "[]interface {}";
    case CE_TV_MAP:
        return v->gotype == CE_TV_GO_STRINGS ? "map[string]string" : "map[string]interface {}";
    case CE_TV_TIME:
        return "time.Time";
    default:
        return "<nil>";
    }
}

static struct ce_tv from_json(struct ce_tv_ctx *c, const json_t *j, int depth)
{
    if (depth > CE_TV_MAX_DEPTH) {
        ce_tv_abort(c, CE_ETOOBIG, "data nested deeper than %d levels", CE_TV_MAX_DEPTH);
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
        const char *k;
        size_t klen;
        json_t *v;
        void *tmp;
        json_object_keylen_foreach_safe((json_t *)j, tmp, k, klen, v)
        {
            ce_tv_map_set(c, &m, k, klen, from_json(c, v, depth + 1));
        }
        return m;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        struct ce_tv l = ce_tv_list_new(c, n, CE_TV_GO_DEFAULT);
        for (size_t i = 0; i < n; i++) {
            ce_tv_list_push(c, &l, from_json(c, json_array_get(j, i), depth + 1));
        }
        return l;
    }
    case JSON_STRING:
        return ce_tv_str_copy(c, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return ce_tv_float((double)json_integer_value(j));
    case JSON_REAL:
        return ce_tv_float(json_real_value(j));
    case JSON_TRUE:
        return ce_tv_bool(true);
    case JSON_FALSE:
        return ce_tv_bool(false);
    default:
        return ce_tv_nil();
    }
}

struct ce_tv ce_tv_from_json(struct ce_tv_ctx *c, const json_t *j)
{
    if (!j) {
        return ce_tv_nil();
    }
    return from_json(c, j, 0);
}

struct ce_tv ce_tv_build_string(struct ce_tv_ctx *c,
                                void (*fn)(struct ce_tv_ctx *, struct ce_buf *, void *), void *arg)
{
    /* heap-held so that its state is defined after a longjmp */
    struct ce_buf *const b = ce_xmalloc(sizeof *b);
    ce_buf_init(b, CE_TV_MAX_STRING);
    jmp_buf here;
    jmp_buf *const saved = c->fail;
    if (setjmp(here) != 0) {
        ce_buf_fini(b);
        ce_free(b);
        c->fail = saved;
        longjmp(*saved, 1);
    }
    c->fail = &here;
    fn(c, b, arg);
    /* the copy may hit the arena cap too: still under this handler */
    struct ce_tv s = ce_tv_str_copy(c, b->data ? b->data : "", b->len);
    c->fail = saved;
    ce_buf_fini(b);
    ce_free(b);
    return s;
}
