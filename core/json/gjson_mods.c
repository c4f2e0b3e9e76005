/* SPDX-License-Identifier: Apache-2.0 */
/* The @modifier functions of the lookup module: each turns the current JSON text (plus an
 * optional argument) into new text, as Argo Events' path language defines them. */
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/json/gjson_int.h"
#include "core/json/gjson_mod_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>

#include <stdint.h>
#include <string.h>

struct kvlist {
    struct gj_val *k, *v;
    size_t n, cap;
};

static bool kv_push(struct gj_ctx *c, const struct gj_val *key, const struct gj_val *val, void *arg)
{
    struct kvlist *l = arg;
    (void)c;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->k = ce_xrealloc(l->k, l->cap * sizeof *l->k);
        l->v = ce_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->k[l->n] = *key;
    l->v[l->n] = *val;
    l->n++;
    return true;
}

static void kv_collect(struct gj_ctx *c, const struct gj_val *v, struct kvlist *l)
{
    memset(l, 0, sizeof *l);
    gj_foreach(c, v, kv_push, l);
}

static void kv_free(struct kvlist *l)
{
    ce_free(l->k);
    ce_free(l->v);
    memset(l, 0, sizeof *l);
}

static struct gj_sl finish(struct gj_ctx *c, struct ce_buf *b, int rc)
{
    if (rc != CE_OK) {
        c->over = true;
    }
    return gj_adopt(c, b);
}

/* The boolean option `name` of a modifier argument like {"deep":true}. */
static bool arg_flag(struct gj_ctx *c, struct gj_sl arg, const char *name)
{
    struct kvlist l;
    bool on = false;
    if (arg.n == 0) {
        return false;
    }
    struct gj_val a = gj_parse(c, arg);
    kv_collect(c, &a, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (gj_sl_eqs(gj_val_string(c, &l.k[i]), name)) {
            on = gj_val_bool(&l.v[i]);
        }
    }
    kv_free(&l);
    return on;
}

struct gj_sl gj_mod_this(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    (void)c;
    (void)arg;
    return json;
}

struct gj_sl gj_mod_reverse(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct gj_val res = gj_parse(c, json);
    struct kvlist l;
    struct ce_buf b;
    int rc = CE_OK;
    bool obj = gj_is_object(&res);
    (void)arg;
    if (!obj && !gj_is_array(&res)) {
        return json;
    }
    kv_collect(c, &res, &l);
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, obj ? "{" : "[", 1);
    for (size_t i = l.n; i-- > 0;) {
        if (i + 1 < l.n) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        if (obj) {
            rc |= ce_buf_append(&b, l.k[i].raw.p, l.k[i].raw.n);
            rc |= ce_buf_append(&b, ":", 1);
        }
        rc |= ce_buf_append(&b, l.v[i].raw.p, l.v[i].raw.n);
    }
    rc |= ce_buf_append(&b, obj ? "}" : "]", 1);
    kv_free(&l);
    return finish(c, &b, rc);
}

static struct gj_sl unwrap(struct gj_sl s)
{
    s = gj_trim(s);
    if (s.n >= 2 && (s.p[0] == '[' || s.p[0] == '{')) {
        s = gj_sl_sub(s, 1, s.n - 1);
    }
    return s;
}

static struct gj_sl trim_space(struct gj_sl s)
{
    while (s.n > 0 && strchr(" \t\n\v\f\r", s.p[0]) && s.p[0] != '\0') {
        s = gj_sl_from(s, 1);
    }
    while (s.n > 0 && strchr(" \t\n\v\f\r", s.p[s.n - 1]) && s.p[s.n - 1] != '\0') {
        s.n--;
    }
    return s;
}

static struct gj_sl flatten(struct gj_ctx *c, struct gj_sl json, bool deep)
{
    struct gj_val res = gj_parse(c, json);
    struct kvlist l;
    struct ce_buf b;
    int rc = CE_OK;
    size_t k = 0;
    if (!gj_is_array(&res) || !gj_enter(c)) {
        return json;
    }
    kv_collect(c, &res, &l);
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, "[", 1);
    for (size_t i = 0; i < l.n; i++) {
        struct gj_sl raw = l.v[i].raw;
        if (gj_is_array(&l.v[i])) {
            raw = unwrap(deep ? flatten(c, raw, deep) : raw);
        }
        raw = trim_space(raw);
        if (raw.n > 0) {
            if (k++ > 0) {
                rc |= ce_buf_append(&b, ",", 1);
            }
            rc |= ce_buf_append(&b, raw.p, raw.n);
        }
    }
    rc |= ce_buf_append(&b, "]", 1);
    kv_free(&l);
    gj_leave(c);
    return finish(c, &b, rc);
}

struct gj_sl gj_mod_flatten(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    return flatten(c, json, arg_flag(c, arg, "deep"));
}

/* @keys (keys) and @values (!keys). */
static struct gj_sl keys_or_values(struct gj_ctx *c, struct gj_sl json, bool keys)
{
    struct gj_val v = gj_parse(c, json);
    struct kvlist l;
    struct ce_buf b;
    int rc = CE_OK;
    if (!gj_exists(&v)) {
        return gj_sl_make("[]", 2);
    }
    if (!keys && gj_is_array(&v)) {
        return json;
    }
    bool obj = gj_is_object(&v);
    kv_collect(c, &v, &l);
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, "[", 1);
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        if (!keys) {
            rc |= ce_buf_append(&b, l.v[i].raw.p, l.v[i].raw.n);
        }
        else if (obj) {
            rc |= ce_buf_append(&b, l.k[i].raw.p, l.k[i].raw.n);
        }
        else {
            rc |= ce_buf_append(&b, "null", 4);
        }
    }
    rc |= ce_buf_append(&b, "]", 1);
    kv_free(&l);
    return finish(c, &b, rc);
}

struct gj_sl gj_mod_keys(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    (void)arg;
    return keys_or_values(c, json, true);
}

struct gj_sl gj_mod_values(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    (void)arg;
    return keys_or_values(c, json, false);
}

/* A small open-addressing index from key text to slot, for @join's de-duplication. */
struct keyidx {
    size_t *slot; /* 1 + index into the key list, 0 = empty */
    size_t cap;
};

static uint64_t hash_sl(struct gj_sl s)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < s.n; i++) {
        h = (h ^ (unsigned char)s.p[i]) * UINT64_C(1099511628211);
    }
    return h;
}

/* Finds key among names (via the index) or adds it; returns its position. */
static size_t keyidx_put(struct keyidx *x, struct gj_sl *names, size_t *n, struct gj_sl key)
{
    if ((*n + 1) * 2 > x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 64;
        size_t *ns = ce_xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < *n; i++) {
            size_t h = (size_t)hash_sl(names[i]) & (ncap - 1);
            while (ns[h]) {
                h = (h + 1) & (ncap - 1);
            }
            ns[h] = i + 1;
        }
        ce_free(x->slot);
        x->slot = ns;
        x->cap = ncap;
    }
    size_t h = (size_t)hash_sl(key) & (x->cap - 1);
    while (x->slot[h]) {
        if (gj_sl_eq(names[x->slot[h] - 1], key)) {
            return x->slot[h] - 1;
        }
        h = (h + 1) & (x->cap - 1);
    }
    names[*n] = key;
    x->slot[h] = ++*n;
    return *n - 1;
}

struct join_state {
    struct gj_sl *names;
    struct gj_val *keys, *vals;
    size_t n, cap;
    struct keyidx idx;
};

static bool join_member(struct gj_ctx *c, const struct gj_val *key, const struct gj_val *val,
                        void *arg)
{
    struct join_state *j = arg;
    if (j->n == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 16;
        j->names = ce_xrealloc(j->names, j->cap * sizeof *j->names);
        j->keys = ce_xrealloc(j->keys, j->cap * sizeof *j->keys);
        j->vals = ce_xrealloc(j->vals, j->cap * sizeof *j->vals);
    }
    size_t before = j->n;
    size_t at = keyidx_put(&j->idx, j->names, &j->n, gj_val_string(c, key));
    if (at == before) {
        j->keys[at] = *key;
    }
    j->vals[at] = *val;
    return true;
}

struct gj_sl gj_mod_join(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct gj_val res = gj_parse(c, json);
    struct kvlist l;
    struct ce_buf b;
    int rc = CE_OK;
    size_t k = 0;
    if (!gj_is_array(&res)) {
        return json;
    }
    bool preserve = arg_flag(c, arg, "preserve");
    kv_collect(c, &res, &l);
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, "{", 1);
    struct join_state j;
    memset(&j, 0, sizeof j);
    for (size_t i = 0; i < l.n; i++) {
        if (!gj_is_object(&l.v[i])) {
            continue;
        }
        if (preserve) {
            struct gj_sl in = unwrap(l.v[i].raw);
            if (k++ > 0) {
                rc |= ce_buf_append(&b, ",", 1);
            }
            rc |= ce_buf_append(&b, in.p, in.n);
        }
        else {
            gj_foreach(c, &l.v[i], join_member, &j);
        }
    }
    for (size_t i = 0; i < j.n; i++) {
        if (i > 0) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        rc |= ce_buf_append(&b, j.keys[i].raw.p, j.keys[i].raw.n);
        rc |= ce_buf_append(&b, ":", 1);
        rc |= ce_buf_append(&b, j.vals[i].raw.p, j.vals[i].raw.n);
    }
    rc |= ce_buf_append(&b, "}", 1);
    ce_free(j.names);
    ce_free(j.keys);
    ce_free(j.vals);
    ce_free(j.idx.slot);
    kv_free(&l);
    return finish(c, &b, rc);
}

struct gj_sl gj_mod_valid(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    (void)c;
    (void)arg;
    return gj_valid(json, CE_GJ_DEPTH_MAX) ? json : gj_sl_make("", 0);
}

/* Drops the space outside strings. */
struct gj_sl gj_mod_ugly(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    char *o = gj_alloc(c, json.n);
    size_t n = 0;
    (void)arg;
    if (!o) {
        return gj_sl_make("", 0);
    }
    for (size_t i = 0; i < json.n; i++) {
        if ((unsigned char)json.p[i] <= ' ') {
            continue;
        }
        o[n++] = json.p[i];
        if (json.p[i] != '"') {
            continue;
        }
        for (i++; i < json.n; i++) {
            o[n++] = json.p[i];
            if (json.p[i] != '"') {
                continue;
            }
            size_t bs = 0;
            while (bs < i && json.p[i - 1 - bs] == '\\') {
                bs++;
            }
            if (bs % 2 == 0) {
                break;
            }
        }
    }
    o[n] = '\0';
    return gj_sl_make(o, n);
}

struct gj_sl gj_mod_tostr(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct ce_buf b;
    (void)arg;
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    return finish(c, &b, gj_append_json_string(&b, json));
}

struct gj_sl gj_mod_fromstr(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    (void)arg;
    if (!gj_valid(json, CE_GJ_DEPTH_MAX)) {
        return gj_sl_make("", 0);
    }
    struct gj_val v = gj_parse(c, json);
    return gj_val_string(c, &v);
}

struct gj_sl gj_mod_group(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct gj_val res = gj_parse(c, json);
    struct kvlist l;
    struct ce_buf *rows = NULL;
    size_t nrows = 0;
    int rc = CE_OK;
    (void)arg;
    if (!gj_is_object(&res)) {
        return gj_sl_make("", 0);
    }
    kv_collect(c, &res, &l);
    for (size_t i = 0; i < l.n && rc == CE_OK; i++) {
        struct kvlist el;
        if (!gj_is_array(&l.v[i])) {
            continue;
        }
        kv_collect(c, &l.v[i], &el);
        if (el.n > nrows) {
            rows = ce_xrealloc(rows, el.n * sizeof *rows);
            for (size_t r = nrows; r < el.n; r++) {
                ce_buf_init(&rows[r], CE_GJ_JSON_MAX);
            }
            nrows = el.n;
        }
        for (size_t r = 0; r < el.n; r++) {
            rc |= ce_buf_append(&rows[r], ",", 1);
            rc |= ce_buf_append(&rows[r], l.k[i].raw.p, l.k[i].raw.n);
            rc |= ce_buf_append(&rows[r], ":", 1);
            rc |= ce_buf_append(&rows[r], el.v[r].raw.p, el.v[r].raw.n);
        }
        kv_free(&el);
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, "[", 1);
    for (size_t r = 0; r < nrows; r++) {
        if (r > 0) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        rc |= ce_buf_append(&b, "{", 1);
        if (rows[r].len > 0) {
            rc |= ce_buf_append(&b, rows[r].data + 1, rows[r].len - 1);
        }
        rc |= ce_buf_append(&b, "}", 1);
        ce_buf_fini(&rows[r]);
    }
    rc |= ce_buf_append(&b, "]", 1);
    ce_free(rows);
    kv_free(&l);
    return finish(c, &b, rc);
}

struct dig_state {
    struct gj_sl path;
    struct ce_buf *b;
    size_t k;
    int rc;
};

static bool dig_rec(struct gj_ctx *c, const struct gj_val *key, const struct gj_val *parent,
                    void *arg)
{
    struct dig_state *d = arg;
    (void)key;
    if (!gj_enter(c)) {
        return false;
    }
    struct gj_val res = gj_val_get(c, parent, d->path);
    if (gj_exists(&res)) {
        if (d->k++ > 0) {
            d->rc |= ce_buf_append(d->b, ",", 1);
        }
        d->rc |= ce_buf_append(d->b, res.raw.p, res.raw.n);
    }
    if (parent->kind == GK_JSON && (gj_is_array(parent) || gj_is_object(parent))) {
        gj_foreach(c, parent, dig_rec, d);
    }
    gj_leave(c);
    return d->rc == CE_OK;
}

struct gj_sl gj_mod_dig(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct ce_buf b;
    struct dig_state d = {arg, &b, 0, CE_OK};
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    d.rc |= ce_buf_append(&b, "[", 1);
    struct gj_val root = gj_parse(c, json);
    (void)dig_rec(c, NULL, &root, &d);
    d.rc |= ce_buf_append(&b, "]", 1);
    return finish(c, &b, d.rc);
}
