/* SPDX-License-Identifier: Apache-2.0 */
/* Array steps of a lookup path: an index, `#` (the length), `#.rest` (collect rest from every
 * element), and the queries `#(path op value)` (first match) and `#(...)#` (all matches). */
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/json/gjson_get_int.h"
#include "core/json/gjson_int.h"
#include "core/json/gjson_path_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>

#include <stdio.h>
#include <string.h>

/* Element start offsets recorded for `#.rest`; more elements than this are not collected. */
#define GJ_ALOG_MAX (1u << 22)

/* Applies the `~true` / `~false` / `~null` / `~*` truthiness forms of a query value. */
static void query_tilde(struct gj_sl *rpv, struct gj_val *value)
{
    if (rpv->n == 0 || rpv->p[0] != '~') {
        return;
    }
    struct gj_sl w = gj_sl_from(*rpv, 1);
    bool ish = false, ok = true;
    bool b = false;
    if (gj_sl_eqs(w, "*")) {
        ish = gj_exists(value);
    }
    else if (gj_sl_eqs(w, "null")) {
        ish = value->kind == GK_NULL;
    }
    else if (gj_sl_eqs(w, "true")) {
        ish = value->kind == GK_TRUE ||
              (value->kind == GK_STRING && gj_parse_bool_lower(value->str, &b) && b) ||
              (value->kind == GK_NUMBER && value->num != 0);
    }
    else if (gj_sl_eqs(w, "false")) {
        ish = value->kind == GK_NULL || value->kind == GK_FALSE ||
              (value->kind == GK_STRING && gj_parse_bool_lower(value->str, &b) && !b) ||
              (value->kind == GK_NUMBER && value->num == 0);
    }
    else {
        ok = false;
    }
    memset(value, 0, sizeof *value);
    if (ok) {
        *rpv = gj_sl_make("true", 4);
        value->kind = ish ? GK_TRUE : GK_FALSE; /* exists without raw text */
    }
    else {
        *rpv = gj_sl_make("", 0);
    }
}

static bool cmp_op(struct gj_sl op, int cmp)
{
    if (gj_sl_eqs(op, "=")) {
        return cmp == 0;
    }
    if (gj_sl_eqs(op, "!=")) {
        return cmp != 0;
    }
    if (gj_sl_eqs(op, "<")) {
        return cmp < 0;
    }
    if (gj_sl_eqs(op, "<=")) {
        return cmp <= 0;
    }
    if (gj_sl_eqs(op, ">")) {
        return cmp > 0;
    }
    if (gj_sl_eqs(op, ">=")) {
        return cmp >= 0;
    }
    return false;
}

static bool query_matches(const struct gj_arrpath *rp, struct gj_val value)
{
    struct gj_sl rpv = rp->query.value, op = rp->query.op;
    query_tilde(&rpv, &value);
    if (!gj_exists(&value)) {
        return false;
    }
    if (op.n == 0) {
        return true;
    }
    switch (value.kind) {
    case GK_STRING:
        if (gj_sl_eqs(op, "%")) {
            return gj_match(value.str, rpv);
        }
        if (gj_sl_eqs(op, "!%")) {
            return !gj_match(value.str, rpv);
        }
        return cmp_op(op, gj_sl_cmp(value.str, rpv));
    case GK_NUMBER: {
        double n = 0;
        (void)gj_parse_float(rpv, &n);
        /* comparisons with NaN are all false except != */
        if (value.num != value.num || n != n) {
            return gj_sl_eqs(op, "!=");
        }
        return cmp_op(op, value.num < n ? -1 : value.num > n ? 1 : 0);
    }
    case GK_TRUE:
        if (gj_sl_eqs(op, "=")) {
            return gj_sl_eqs(rpv, "true");
        }
        if (gj_sl_eqs(op, "!=")) {
            return !gj_sl_eqs(rpv, "true");
        }
        if (gj_sl_eqs(op, ">")) {
            return gj_sl_eqs(rpv, "false");
        }
        return gj_sl_eqs(op, ">=");
    case GK_FALSE:
        if (gj_sl_eqs(op, "=")) {
            return gj_sl_eqs(rpv, "false");
        }
        if (gj_sl_eqs(op, "!=")) {
            return !gj_sl_eqs(rpv, "false");
        }
        if (gj_sl_eqs(op, "<")) {
            return gj_sl_eqs(rpv, "true");
        }
        return gj_sl_eqs(op, "<=");
    default:
        return false;
    }
}

struct arr_state {
    struct gj_walk *w;
    struct gj_arrpath rp;
    struct ce_buf multi; /* `#(...)#` matches so far, "[a,b" */
};

/* Tests one element against the query; true when a first-match query is done. */
static bool proc_query(struct arr_state *st, struct gj_val qval)
{
    struct gj_walk *w = st->w;
    struct gj_ctx *g = w->g;
    struct gj_val res;
    int rc = CE_OK;
    if (st->rp.query.all && st->multi.len == 0) {
        rc |= ce_buf_append(&st->multi, "[", 1);
    }
    if (qval.kind == GK_JSON) {
        res = gj_val_get(g, &qval, st->rp.query.path);
    }
    else {
        if (st->rp.query.path.n != 0) {
            return false;
        }
        res = qval;
    }
    if (!query_matches(&st->rp, res)) {
        return false;
    }
    if (st->rp.more) {
        struct gj_sl left, right;
        if (gj_split_pipe(st->rp.path, &left, &right)) {
            st->rp.path = left;
            w->pipe = right;
            w->piped = true;
        }
        res = gj_val_get(g, &qval, st->rp.path);
    }
    else {
        res = qval;
    }
    if (!st->rp.query.all) {
        w->value = res;
        return true;
    }
    struct gj_sl raw = res.raw.n ? res.raw : gj_val_string(g, &res);
    if (raw.n > 0) {
        if (st->multi.len > 1) {
            rc |= ce_buf_append(&st->multi, ",", 1);
        }
        rc |= ce_buf_append(&st->multi, raw.p, raw.n);
    }
    if (rc != CE_OK) {
        g->over = true;
    }
    return false;
}

/* `#.rest`: collects rest from every element whose start was logged. */
static void collect(struct arr_state *st, const size_t *alog, size_t nalog)
{
    struct gj_walk *w = st->w;
    struct gj_sl js = w->json, left, right, key = st->rp.alogkey;
    struct ce_buf b;
    int rc = CE_OK;
    size_t k = 0;
    if (gj_split_pipe(key, &left, &right)) {
        key = left;
        w->pipe = right;
        w->piped = true;
    }
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, "[", 1);
    for (size_t j = 0; j < nalog && rc == CE_OK; j++) {
        size_t idx = alog[j];
        while (idx < js.n && strchr(" \t\r\n", js.p[idx]) && js.p[idx] != '\0') {
            idx++;
        }
        if (idx >= js.n || js.p[idx] == ']') {
            continue;
        }
        struct gj_val el;
        bool ok = false;
        (void)gj_parse_any(w->g, js, idx, &el, &ok);
        if (!ok) {
            continue;
        }
        struct gj_val res = gj_val_get(w->g, &el, key);
        if (!gj_exists(&res)) {
            continue;
        }
        struct gj_sl raw = res.raw.n ? res.raw : gj_val_string(w->g, &res);
        if (k++ > 0) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        rc |= ce_buf_append(&b, raw.p, raw.n);
    }
    rc |= ce_buf_append(&b, "]", 1);
    if (rc != CE_OK) {
        w->g->over = true;
    }
    memset(&w->value, 0, sizeof w->value);
    w->value.kind = GK_JSON;
    w->value.raw = gj_adopt(w->g, &b);
}

/* The ']' of the array (or the end of the text): counts, collections, query results. */
static size_t array_end(struct arr_state *st, size_t i, size_t h, const size_t *alog, size_t nalog,
                        bool *hitp)
{
    struct gj_walk *w = st->w;
    if (st->rp.arrch && gj_sl_eqs(st->rp.part, "#")) {
        if (st->rp.alogok) {
            collect(st, alog, nalog);
            *hitp = true;
            return i + 1;
        }
        char num[32];
        int n = snprintf(num, sizeof num, "%zu", h - 1);
        char *o = gj_alloc(w->g, (size_t)n);
        memset(&w->value, 0, sizeof w->value);
        if (o) {
            memcpy(o, num, (size_t)n + 1);
            w->value.raw = gj_sl_make(o, (size_t)n);
        }
        w->value.kind = GK_NUMBER;
        w->value.num = (double)(h - 1);
        w->value.calcd = true;
        *hitp = true;
        return i + 1;
    }
    if (!gj_exists(&w->value)) {
        if (st->multi.len > 0) {
            int rc = ce_buf_append(&st->multi, "]", 1);
            if (rc != CE_OK) {
                w->g->over = true;
            }
            memset(&w->value, 0, sizeof w->value);
            w->value.kind = GK_JSON;
            w->value.raw = gj_adopt(w->g, &st->multi);
        }
        else if (st->rp.query.all) {
            memset(&w->value, 0, sizeof w->value);
            w->value.kind = GK_JSON;
            w->value.raw = gj_sl_make("[]", 2);
        }
    }
    return i + 1;
}

/* Reads one element at i (a value start) and reports whether the walk is done. */
static size_t array_elem(struct arr_state *st, size_t i, bool pmatch, bool *hit, bool *done)
{
    struct gj_walk *w = st->w;
    struct gj_sl js = w->json, val;
    struct gj_val q;
    bool vesc = false, ok = false;
    char ch = js.p[i];
    memset(&q, 0, sizeof q);
    *done = false;
    if (ch == '"') {
        i = gj_parse_string(js, i + 1, &val, &vesc, &ok);
        if (!ok) {
            *done = true;
            *hit = false;
            return i;
        }
        gj_set_string(w->g, &q, val, vesc);
    }
    else if (ch == '{' || ch == '[') {
        if (pmatch && !*hit) {
            i = ch == '{' ? gj_walk_object(w, i + 1, st->rp.path, hit)
                          : gj_walk_array(w, i + 1, st->rp.path, hit);
            *done = *hit && !st->rp.alogok;
            return i;
        }
        i = gj_parse_squash(js, i, &val);
        q.kind = GK_JSON;
        q.raw = val;
    }
    else if (ch == 't' || ch == 'f' || (ch == 'n' && !(i + 1 < js.n && js.p[i + 1] != 'u'))) {
        i = gj_parse_literal(js, i, &val);
        gj_set_literal(&q, val);
    }
    else {
        i = gj_parse_number(js, i, &val);
        gj_set_number(&q, val);
    }
    if (st->rp.query.on) {
        *done = proc_query(st, q);
        *hit = *done;
    }
    else if (*hit && !st->rp.alogok) {
        w->value = q;
        *done = true;
    }
    return i;
}

static bool value_start(struct gj_sl js, size_t i)
{
    char ch = js.p[i];
    return ch == '"' || ch == '{' || ch == '[' || ch == 't' || ch == 'f' || ch == 'n' ||
           (ch != '\0' && strchr("+-0123456789iIN", ch) != NULL);
}

size_t gj_walk_array(struct gj_walk *w, size_t i, struct gj_sl path, bool *hitp)
{
    struct arr_state st;
    size_t partidx = SIZE_MAX, h = 0, nalog = 0, calog = 0;
    size_t *alog = NULL;
    struct gj_sl js = w->json;
    *hitp = false;
    if (!gj_enter(w->g)) {
        return js.n;
    }
    memset(&st, 0, sizeof st);
    st.w = w;
    ce_buf_init(&st.multi, CE_GJ_JSON_MAX);
    gj_array_path(w->g, path, &st.rp);
    if (!st.rp.arrch && !gj_parse_uint(st.rp.part, &partidx)) {
        partidx = SIZE_MAX;
    }
    if (!st.rp.more && st.rp.piped) {
        w->pipe = st.rp.pipe;
        w->piped = true;
    }
    bool pmatch = false, hit = false, done = false;
    while (i < js.n + 1 && !done) {
        if (!st.rp.arrch) {
            pmatch = partidx == h;
            hit = pmatch && !st.rp.more;
        }
        h++;
        if (st.rp.alogok && nalog < GJ_ALOG_MAX) {
            if (nalog == calog) {
                calog = calog ? calog * 2 : 16;
                alog = ce_xrealloc(alog, calog * sizeof *alog);
            }
            alog[nalog++] = i;
        }
        for (;; i++) {
            if (i > js.n) {
                break;
            }
            if (i == js.n || js.p[i] == ']') {
                i = array_end(&st, i, h, alog, nalog, hitp);
                done = true;
                break;
            }
            if (!value_start(js, i)) {
                continue;
            }
            i = array_elem(&st, i, pmatch, &hit, &done);
            if (done) {
                *hitp = hit;
            }
            break;
        }
    }
    ce_free(alog);
    ce_buf_fini(&st.multi);
    gj_leave(w->g);
    return i;
}
