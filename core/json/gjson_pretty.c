/* SPDX-License-Identifier: Apache-2.0 */
/* The @pretty modifier: one member or element per line, indented, short arrays of scalars kept
 * on one line when they fit the width, keys optionally sorted. Options come as
 * @pretty:{"sortKeys":true,"indent":"\t","prefix":"","width":80}. */
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/json/gjson_int.h"
#include "core/json/gjson_mod_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <string.h>

struct pretty_opts {
    long width;
    struct gj_sl prefix, indent;
    bool sort;
};

struct pretty {
    struct gj_ctx *g;
    struct gj_sl js;
    struct ce_buf b;
    int rc;
};

/* A member of an object being sorted: key text in js, member text in the output. */
struct ppair {
    size_t kstart, kend, vstart, vend;
};

static void put(struct pretty *p, const char *s, size_t n)
{
    if (p->rc == CE_OK) {
        p->rc = ce_buf_append(&p->b, s, n);
    }
}

static void put_tabs(struct pretty *p, const struct pretty_opts *o, struct gj_sl indent, long tabs)
{
    put(p, o->prefix.p, o->prefix.n);
    for (long t = 0; t < tabs; t++) {
        put(p, indent.p, indent.n);
    }
}

static size_t pretty_string(struct pretty *p, size_t i)
{
    size_t s = i;
    for (i++; i < p->js.n; i++) {
        if (p->js.p[i] != '"') {
            continue;
        }
        size_t sc = 0;
        for (size_t j = i - 1; j > s && p->js.p[j] == '\\'; j--) {
            sc++;
        }
        if (sc % 2 == 1) {
            continue;
        }
        i++;
        break;
    }
    if (i > p->js.n) {
        i = p->js.n;
    }
    put(p, p->js.p + s, i - s);
    return i;
}

static size_t pretty_number(struct pretty *p, size_t i)
{
    size_t s = i;
    for (i++; i < p->js.n; i++) {
        char ch = p->js.p[i];
        if ((unsigned char)ch <= ' ' || ch == ',' || ch == ':' || ch == ']' || ch == '}') {
            break;
        }
    }
    put(p, p->js.p + s, i - s);
    return i;
}

static bool nan_or_inf(struct gj_sl js, size_t i)
{
    char ch = js.p[i];
    return ch == 'i' || ch == 'I' || ch == '+' || ch == 'N' ||
           (ch == 'n' && i + 1 < js.n && js.p[i + 1] != 'u');
}

static size_t pretty_object(struct pretty *p, const struct pretty_opts *o, size_t i, char open,
                            bool pretty, struct gj_sl indent, long tabs, size_t *nl, long max,
                            bool *ok);

static size_t pretty_any(struct pretty *p, const struct pretty_opts *o, size_t i, bool pretty,
                         struct gj_sl indent, long tabs, size_t *nl, long max, bool *ok)
{
    *ok = true;
    for (; i < p->js.n; i++) {
        char ch = p->js.p[i];
        if ((unsigned char)ch <= ' ') {
            continue;
        }
        if (ch == '"') {
            return pretty_string(p, i);
        }
        if ((ch >= '0' && ch <= '9') || ch == '-' || nan_or_inf(p->js, i)) {
            return pretty_number(p, i);
        }
        if (ch == '{' || ch == '[') {
            return pretty_object(p, o, i, ch, pretty, indent, tabs, nl, max, ok);
        }
        if (ch == 't') {
            put(p, "true", 4);
            return i + 4;
        }
        if (ch == 'f') {
            put(p, "false", 5);
            return i + 5;
        }
        if (ch == 'n') {
            put(p, "null", 4);
            return i + 4;
        }
    }
    return i;
}

static struct gj_sl trim_ws(struct gj_sl s)
{
    while (s.n && strchr(" \t\n\v\f\r", s.p[0]) && s.p[0]) {
        s = gj_sl_from(s, 1);
    }
    while (s.n && strchr(" \t\n\v\f\r", s.p[s.n - 1]) && s.p[s.n - 1]) {
        s.n--;
    }
    return s;
}

static int jtype(struct gj_sl v)
{
    if (v.n == 0) {
        return 0;
    }
    switch (v.p[0]) {
    case '"':
        return 3;
    case 'f':
        return 1;
    case 't':
        return 4;
    case 'n':
        return 0;
    case '[':
    case '{':
        return 5;
    default:
        return 2;
    }
}

static struct gj_sl plain_string(struct gj_ctx *g, struct gj_sl s)
{
    for (size_t i = 1; i < s.n; i++) {
        if (s.p[i] == '\\') {
            if (!gj_valid(s, 1)) {
                return gj_sl_make("", 0);
            }
            return gj_unescape(g, gj_sl_sub(s, 1, s.n - 1));
        }
        if (s.p[i] == '"') {
            return gj_sl_sub(s, 1, i);
        }
    }
    return gj_sl_make("", 0);
}

static bool pair_less_by(struct pretty *p, const struct ppair *a, const struct ppair *b,
                         bool by_key)
{
    struct gj_sl k1 = gj_sl_sub(p->js, a->kstart, a->kend);
    struct gj_sl k2 = gj_sl_sub(p->js, b->kstart, b->kend);
    struct gj_sl v1 = k1, v2 = k2;
    if (!by_key) {
        v1 = trim_ws(gj_sl_make(p->b.data + a->vstart, a->vend - a->vstart));
        v2 = trim_ws(gj_sl_make(p->b.data + b->vstart, b->vend - b->vstart));
        if (v1.n >= k1.n + 1) {
            v1 = trim_ws(gj_sl_from(v1, k1.n + 1));
        }
        if (v2.n >= k2.n + 1) {
            v2 = trim_ws(gj_sl_from(v2, k2.n + 1));
        }
    }
    int t1 = jtype(v1), t2 = jtype(v2);
    if (t1 != t2) {
        return t1 < t2;
    }
    if (t1 == 3) {
        return gj_sl_cmp(plain_string(p->g, v1), plain_string(p->g, v2)) < 0;
    }
    if (t1 == 2) {
        double n1 = 0, n2 = 0;
        (void)gj_parse_float(v1, &n1);
        (void)gj_parse_float(v2, &n2);
        return n1 < n2;
    }
    return gj_sl_cmp(v1, v2) < 0;
}

static bool pair_less(struct pretty *p, const struct ppair *a, const struct ppair *b)
{
    if (pair_less_by(p, a, b, true)) {
        return true;
    }
    if (pair_less_by(p, b, a, true)) {
        return false;
    }
    return pair_less_by(p, a, b, false);
}

/* Stable insertion-merge sort of the members, then the object body is rewritten in order. */
static void sort_pairs(struct pretty *p, struct ppair *pairs, size_t n)
{
    if (n == 0 || p->rc != CE_OK) {
        return;
    }
    struct ppair *tmp = ce_xmalloc(n * sizeof *tmp);
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) {
                tmp[k++] = pair_less(p, &pairs[b], &pairs[a]) ? pairs[b++] : pairs[a++];
            }
            while (a < mid) {
                tmp[k++] = pairs[a++];
            }
            while (b < hi) {
                tmp[k++] = pairs[b++];
            }
        }
        memcpy(pairs, tmp, n * sizeof *tmp);
    }
    ce_free(tmp);
    size_t vstart = SIZE_MAX, vend = 0;
    for (size_t k = 0; k < n; k++) {
        vstart = pairs[k].vstart < vstart ? pairs[k].vstart : vstart;
        vend = pairs[k].vend > vend ? pairs[k].vend : vend;
    }
    struct ce_buf nb;
    ce_buf_init(&nb, CE_GJ_JSON_MAX);
    int rc = CE_OK;
    for (size_t k = 0; k < n; k++) {
        rc |= ce_buf_append(&nb, p->b.data + pairs[k].vstart, pairs[k].vend - pairs[k].vstart);
        if (k + 1 < n) {
            rc |= ce_buf_append(&nb, ",\n", 2);
        }
    }
    p->b.len = vstart;
    put(p, nb.data, nb.len);
    if (rc != CE_OK) {
        p->rc = rc;
    }
    ce_buf_fini(&nb);
}

static void newline(struct pretty *p, size_t *nl)
{
    *nl = p->b.len;
    if (p->rc == CE_OK && p->b.len > 0 && p->b.data[p->b.len - 1] == ' ') {
        p->b.data[p->b.len - 1] = '\n';
    }
    else {
        put(p, "\n", 1);
    }
}

static size_t pretty_object(struct pretty *p, const struct pretty_opts *o, size_t i, char open,
                            bool pretty, struct gj_sl indent, long tabs, size_t *nl, long max,
                            bool *ok)
{
    char close = open == '{' ? '}' : ']';
    *ok = true;
    if (o->width > 0) {
        if (pretty && open == '[' && max == -1) {
            long m = o->width - (long)(p->b.len - *nl);
            if (m > 3) {
                size_t s1 = p->b.len, s2 = i, nl2 = 0;
                bool ok2 = false;
                i = pretty_object(p, o, i, '[', false, gj_sl_make("", 0), 0, &nl2, m, &ok2);
                if (ok2 && (long)(p->b.len - s1) <= m) {
                    return i;
                }
                p->b.len = s1;
                i = s2;
            }
        }
        else if (max != -1 && open == '{') {
            *ok = false;
            return i;
        }
    }
    if (!gj_enter(p->g)) {
        p->rc = CE_ETOOBIG;
        return p->js.n;
    }
    put(p, &open, 1);
    i++;
    bool sort = o->sort && open == '{';
    struct ppair *pairs = NULL;
    size_t npairs = 0, cpairs = 0, n = 0;
    for (; i < p->js.n && p->rc == CE_OK; i++) {
        char ch = p->js.p[i];
        if ((unsigned char)ch <= ' ') {
            continue;
        }
        if (ch == close) {
            if (pretty) {
                if (sort) {
                    sort_pairs(p, pairs, npairs);
                }
                if (n > 0) {
                    newline(p, nl);
                }
                if (p->rc == CE_OK && p->b.data[p->b.len - 1] != open) {
                    put_tabs(p, o, indent, tabs);
                }
            }
            put(p, &close, 1);
            ce_free(pairs);
            gj_leave(p->g);
            *ok = open != '{';
            return i + 1;
        }
        if (open != '[' && ch != '"') {
            continue;
        }
        struct ppair pr = {0, 0, 0, 0};
        if (n > 0) {
            put(p, ",", 1);
            if (o->width != -1 && open == '[') {
                put(p, " ", 1);
            }
        }
        if (pretty) {
            newline(p, nl);
            if (sort) {
                pr.kstart = i;
                pr.vstart = p->b.len;
            }
            put_tabs(p, o, indent, tabs + 1);
        }
        if (open == '{') {
            i = pretty_string(p, i);
            pr.kend = i;
            put(p, pretty ? ": " : ":", pretty ? 2 : 1);
        }
        bool vok = true;
        i = pretty_any(p, o, i, pretty, indent, tabs + 1, nl, max, &vok);
        if (max != -1 && !vok) {
            ce_free(pairs);
            gj_leave(p->g);
            *ok = false;
            return i;
        }
        if (pretty && sort) {
            pr.vend = p->b.len;
            if (pr.kstart > pr.kend || pr.vstart > pr.vend) {
                sort = false;
            }
            else {
                if (npairs == cpairs) {
                    cpairs = cpairs ? cpairs * 2 : 8;
                    pairs = ce_xrealloc(pairs, cpairs * sizeof *pairs);
                }
                pairs[npairs++] = pr;
            }
        }
        i--;
        n++;
    }
    ce_free(pairs);
    gj_leave(p->g);
    *ok = open != '{';
    return i;
}

/* Keeps only the space characters of s, as the option values are meant to be spaces. */
static struct gj_sl only_ws(struct gj_ctx *g, struct gj_sl s)
{
    bool other = false;
    for (size_t i = 0; i < s.n; i++) {
        other |= !(s.p[i] == ' ' || s.p[i] == '\t' || s.p[i] == '\n' || s.p[i] == '\r');
    }
    if (!other) {
        return s;
    }
    char *o = gj_alloc(g, s.n);
    size_t n = 0;
    if (!o) {
        return gj_sl_make("", 0);
    }
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == ' ' || s.p[i] == '\t' || s.p[i] == '\n' || s.p[i] == '\r') {
            o[n++] = s.p[i];
        }
    }
    return gj_sl_make(o, n);
}

static bool opt_each(struct gj_ctx *g, const struct gj_val *key, const struct gj_val *val,
                     void *arg)
{
    struct pretty_opts *o = arg;
    struct gj_sl k = gj_val_string(g, key);
    if (gj_sl_eqs(k, "sortKeys")) {
        o->sort = gj_val_bool(val);
    }
    else if (gj_sl_eqs(k, "indent")) {
        o->indent = only_ws(g, gj_val_string(g, val));
    }
    else if (gj_sl_eqs(k, "prefix")) {
        o->prefix = only_ws(g, gj_val_string(g, val));
    }
    else if (gj_sl_eqs(k, "width")) {
        o->width = gj_val_int(val);
    }
    return true;
}

struct gj_sl gj_mod_pretty(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg)
{
    struct pretty_opts o = {80, {"", 0}, {"  ", 2}, false};
    struct pretty p;
    size_t nl = 0;
    bool ok = true;
    if (arg.n > 0) {
        struct gj_val a = gj_parse(c, arg);
        gj_foreach(c, &a, opt_each, &o);
    }
    memset(&p, 0, sizeof p);
    p.g = c;
    p.js = json;
    ce_buf_init(&p.b, CE_GJ_JSON_MAX);
    put(&p, o.prefix.p, o.prefix.n);
    (void)pretty_any(&p, &o, 0, true, o.indent, 0, &nl, -1, &ok);
    if (p.b.len > 0) {
        put(&p, "\n", 1);
    }
    if (p.rc != CE_OK) {
        c->over = true;
    }
    return gj_adopt(c, &p.b);
}
