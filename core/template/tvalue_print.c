/* SPDX-License-Identifier: Apache-2.0 */
/* Template values as text: Go's fmt %v (what a template action prints) and encoding/json's
 * Marshal/MarshalIndent (what sprig's toJson/toPrettyJson give). */
#include "core/template/tvalue.h"
#include "core/go/gofloat.h"

#include "core/base/rc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put(struct ce_tv_ctx *c, struct ce_buf *out, const char *s)
{
    ce_tv_out(c, out, s, strlen(s));
}

static void print_time(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv_time *t)
{
    static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";
    ce_tv_time_format(c, out, t, layout, sizeof layout - 1);
}

static void print_depth(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *v, int depth)
{
    char num[64];
    if (depth > CE_TV_MAX_DEPTH) {
        ce_tv_abort(c, CE_ETOOBIG, "value nested deeper than %d levels", CE_TV_MAX_DEPTH);
    }
    switch (v->kind) {
    case CE_TV_INVALID:
        put(c, out, depth ? "<invalid reflect.Value>" : "<no value>");
        break;
    case CE_TV_NIL:
        put(c, out, "<nil>");
        break;
    case CE_TV_BOOL:
        put(c, out, v->u.b ? "true" : "false");
        break;
    case CE_TV_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        put(c, out, num);
        break;
    case CE_TV_FLOAT:
        ce_gofloat_format(v->u.f, 'g', -1, num, sizeof num);
        put(c, out, num);
        break;
    case CE_TV_STRING:
        ce_tv_out(c, out, v->u.s.p, v->u.s.n);
        break;
    case CE_TV_LIST:
        put(c, out, "[");
        for (size_t i = 0; i < v->u.list->len; i++) {
            if (i) {
                put(c, out, " ");
            }
            print_depth(c, out, &v->u.list->items[i], depth + 1);
        }
        put(c, out, "]");
        break;
    case CE_TV_MAP:
        put(c, out, "map[");
        for (size_t i = 0; i < v->u.map->len; i++) {
            const struct ce_tv_entry *e = &v->u.map->e[i];
            if (i) {
                put(c, out, " ");
            }
            ce_tv_out(c, out, e->key, e->keylen);
            put(c, out, ":");
            print_depth(c, out, &e->val, depth + 1);
        }
        put(c, out, "]");
        break;
    case CE_TV_TIME:
        print_time(c, out, v->u.t);
        break;
    default:
        break;
    }
}

void ce_tv_print(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *v)
{
    print_depth(c, out, v, 0);
}

static void sprint_into(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct ce_tv *v = arg;
    if (v->kind == CE_TV_INVALID) {
        put(c, b, "<nil>");
    }
    else {
        print_depth(c, b, v, 1);
    }
}

struct ce_tv ce_tv_sprint(struct ce_tv_ctx *c, const struct ce_tv *v)
{
    if (v->kind == CE_TV_STRING) {
        return *v;
    }
    return ce_tv_build_string(c, sprint_into, (void *)v);
}

struct json_state {
    struct ce_tv_ctx *c;
    struct ce_buf *out;
    bool indent;
    bool bad;
};

static void json_nl(struct json_state *st, int depth)
{
    if (!st->indent) {
        return;
    }
    put(st->c, st->out, "\n");
    for (int i = 0; i < depth; i++) {
        put(st->c, st->out, "  ");
    }
}

static void json_str(struct json_state *st, const char *p, size_t n)
{
    if (ce_buf_json_str(st->out, p, n) != CE_OK) {
        ce_tv_abort(st->c, CE_ETOOBIG, "JSON text exceeds %zu bytes", st->out->max);
    }
}

static void json_float(struct json_state *st, double f)
{
    char num[64];
    if (ce_gofloat_json(f, num, sizeof num) < 0) {
        st->bad = true;
        return;
    }
    put(st->c, st->out, num);
}

static void json_value(struct json_state *st, const struct ce_tv *v, int depth)
{
    char num[64];
    if (depth > CE_TV_MAX_DEPTH) {
        st->bad = true; /* Go reports a cycle or too deep nesting as an error */
        return;
    }
    switch (v->kind) {
    case CE_TV_BOOL:
        put(st->c, st->out, v->u.b ? "true" : "false");
        break;
    case CE_TV_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        put(st->c, st->out, num);
        break;
    case CE_TV_FLOAT:
        json_float(st, v->u.f);
        break;
    case CE_TV_STRING:
        json_str(st, v->u.s.p, v->u.s.n);
        break;
    case CE_TV_LIST:
        put(st->c, st->out, "[");
        for (size_t i = 0; i < v->u.list->len && !st->bad; i++) {
            if (i) {
                put(st->c, st->out, ",");
            }
            json_nl(st, depth + 1);
            json_value(st, &v->u.list->items[i], depth + 1);
        }
        if (v->u.list->len) {
            json_nl(st, depth);
        }
        put(st->c, st->out, "]");
        break;
    case CE_TV_MAP:
        put(st->c, st->out, "{");
        for (size_t i = 0; i < v->u.map->len && !st->bad; i++) {
            const struct ce_tv_entry *e = &v->u.map->e[i];
            if (i) {
                put(st->c, st->out, ",");
            }
            json_nl(st, depth + 1);
            json_str(st, e->key, e->keylen);
            put(st->c, st->out, st->indent ? ": " : ":");
            json_value(st, &e->val, depth + 1);
        }
        if (v->u.map->len) {
            json_nl(st, depth);
        }
        put(st->c, st->out, "}");
        break;
    case CE_TV_TIME: {
        static const char layout[] = "\"2006-01-02T15:04:05.999999999Z07:00\"";
        ce_tv_time_format(st->c, st->out, v->u.t, layout, sizeof layout - 1);
        break;
    }
    default:
        put(st->c, st->out, "null");
        break;
    }
}

int ce_tv_to_json(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *v, bool indent)
{
    struct json_state st = {c, out, indent, false};
    json_value(&st, v, 0);
    return st.bad ? CE_EINVAL : CE_OK;
}
