/* SPDX-License-Identifier: Apache-2.0 */
/* Path lookup over raw JSON text, as Argo Events' sensors resolve filter paths, expression
 * fields and parameter keys: the entry point, object walking, value coercions and iteration.
 * Arrays and queries are in gjson_arr.c, modifiers and multipaths in gjson_mod.c. */
#include "core/json/gjson.h"
#include "core/go/gofloat.h"

#include "core/base/buf.h"
#include "core/json/gjson_get_int.h"
#include "core/json/gjson_int.h"
#include "core/json/gjson_path_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>
#include <string.h>

size_t gj_index_in(struct gj_sl json, const struct gj_val *v)
{
    uintptr_t a = (uintptr_t)json.p, r = (uintptr_t)v->raw.p;
    if (v->raw.n == 0 || v->calcd || r < a || r >= a + json.n) {
        return 0;
    }
    return (size_t)(r - a);
}

void gj_set_string(struct gj_ctx *c, struct gj_val *v, struct gj_sl raw, bool esc)
{
    struct gj_sl in = gj_sl_sub(raw, 1, raw.n - 1);
    v->kind = GK_STRING;
    v->raw = raw;
    v->str = esc ? gj_unescape(c, in) : in;
}

void gj_set_literal(struct gj_val *v, struct gj_sl raw)
{
    v->raw = raw;
    v->kind = raw.p[0] == 't' ? GK_TRUE : raw.p[0] == 'f' ? GK_FALSE : GK_NULL;
}

void gj_set_number(struct gj_val *v, struct gj_sl raw)
{
    v->raw = raw;
    v->kind = GK_NUMBER;
    (void)gj_parse_float(raw, &v->num);
}

/* Whether the key text matches the path component. */
static bool key_matches(struct gj_ctx *c, const struct gj_objpath *rp, struct gj_sl key, bool kesc)
{
    struct gj_sl k = kesc ? gj_unescape(c, key) : key;
    return rp->wild ? gj_match(k, rp->part) : gj_sl_eq(rp->part, k);
}

/* Reads the next key; *ok false when the text ends first. Returns -1 via *closed on '}'. */
static size_t next_key(struct gj_sl js, size_t i, struct gj_sl *key, bool *kesc, bool *ok,
                       bool *closed)
{
    *closed = false;
    for (; i < js.n; i++) {
        if (js.p[i] == '}') {
            *closed = true;
            return i + 1;
        }
        if (js.p[i] != '"') {
            continue;
        }
        struct gj_sl raw;
        size_t e = gj_parse_string(js, i + 1, &raw, kesc, ok);
        *key = *ok ? gj_sl_sub(raw, 1, raw.n - 1) : gj_sl_from(raw, 1);
        if (!*ok) {
            *kesc = false;
        }
        return e;
    }
    return i;
}

size_t gj_walk_object(struct gj_walk *w, size_t i, struct gj_sl path, bool *hitp)
{
    struct gj_sl js = w->json, key = {0}, val;
    bool kesc = false, vesc = false, ok = false, closed = false;
    struct gj_objpath rp;
    *hitp = false;
    if (!gj_enter(w->g)) {
        return js.n;
    }
    gj_object_path(w->g, path, &rp);
    if (!rp.more && rp.piped) {
        w->pipe = rp.pipe;
        w->piped = true;
    }
    while (i < js.n) {
        i = next_key(js, i, &key, &kesc, &ok, &closed);
        if (closed || !ok) {
            break;
        }
        bool pmatch = key_matches(w->g, &rp, key, kesc);
        bool hit = pmatch && !rp.more;
        for (; i < js.n; i++) {
            char ch = js.p[i];
            if (ch == '"') {
                i = gj_parse_string(js, i + 1, &val, &vesc, &ok);
                if (!ok) {
                    goto out;
                }
                if (hit) {
                    gj_set_string(w->g, &w->value, val, vesc);
                    *hitp = true;
                    goto out;
                }
            }
            else if (ch == '{' || ch == '[') {
                if (pmatch && !hit) {
                    i = ch == '{' ? gj_walk_object(w, i + 1, rp.path, &hit)
                                  : gj_walk_array(w, i + 1, rp.path, &hit);
                    if (hit) {
                        *hitp = true;
                        goto out;
                    }
                }
                else {
                    i = gj_parse_squash(js, i, &val);
                    if (hit) {
                        w->value.raw = val;
                        w->value.kind = GK_JSON;
                        *hitp = true;
                        goto out;
                    }
                }
            }
            else if (ch == 't' || ch == 'f' ||
                     (ch == 'n' && !(i + 1 < js.n && js.p[i + 1] != 'u'))) {
                i = gj_parse_literal(js, i, &val);
                if (hit) {
                    gj_set_literal(&w->value, val);
                    *hitp = true;
                    goto out;
                }
            }
            else if (ch == 'n' || strchr("+-0123456789iIN", ch) != NULL) {
                if (ch == '\0') {
                    continue;
                }
                i = gj_parse_number(js, i, &val);
                if (hit) {
                    gj_set_number(&w->value, val);
                    *hitp = true;
                    goto out;
                }
            }
            else {
                continue;
            }
            break;
        }
    }
out:
    gj_leave(w->g);
    return i;
}

size_t gj_parse_any(struct gj_ctx *c, struct gj_sl js, size_t i, struct gj_val *res, bool *ok)
{
    struct gj_sl val;
    bool esc = false;
    memset(res, 0, sizeof *res);
    *ok = false;
    for (; i < js.n; i++) {
        char ch = js.p[i];
        if (ch == '{' || ch == '[') {
            i = gj_parse_squash(js, i, &val);
            res->raw = val;
            res->kind = GK_JSON;
            res->index = gj_index_in(js, res);
            *ok = true;
            return i;
        }
        if ((unsigned char)ch <= ' ') {
            continue;
        }
        if (ch == '"') {
            i = gj_parse_string(js, i + 1, &val, &esc, ok);
            if (*ok) {
                gj_set_string(c, res, val, esc);
            }
            return i;
        }
        if (ch == 't' || ch == 'f' || (ch == 'n' && !(i + 1 < js.n && js.p[i + 1] != 'u'))) {
            i = gj_parse_literal(js, i, &val);
            gj_set_literal(res, val);
            *ok = true;
            return i;
        }
        if (ch == 'n' || (ch != '\0' && strchr("+-0123456789iIN", ch) != NULL)) {
            i = gj_parse_number(js, i, &val);
            gj_set_number(res, val);
            *ok = true;
            return i;
        }
    }
    return i;
}

struct gj_val gj_parse(struct gj_ctx *c, struct gj_sl js)
{
    struct gj_val v;
    size_t i = 0;
    memset(&v, 0, sizeof v);
    for (; i < js.n; i++) {
        char ch = js.p[i];
        struct gj_sl rest = gj_sl_from(js, i);
        if (ch == '{' || ch == '[') {
            v.kind = GK_JSON;
            v.raw = rest;
            break;
        }
        if ((unsigned char)ch <= ' ') {
            continue;
        }
        if ((ch == 'n' && i + 1 < js.n && js.p[i + 1] != 'u') ||
            (ch != '\0' && strchr("+-0123456789iIN", ch) != NULL)) {
            gj_set_number(&v, gj_tonum(rest));
        }
        else if (ch == 'n' || ch == 't' || ch == 'f') {
            gj_set_literal(&v, gj_tolit(rest));
        }
        else if (ch == '"') {
            v.kind = GK_STRING;
            v.raw = gj_tostr(c, rest, &v.str);
        }
        else {
            memset(&v, 0, sizeof v);
            return v;
        }
        break;
    }
    if (gj_exists(&v)) {
        v.index = i;
    }
    return v;
}

struct gj_val gj_val_get(struct gj_ctx *c, const struct gj_val *v, struct gj_sl path)
{
    struct gj_val r = gj_get(c, v->raw, path);
    r.index += v->index;
    return r;
}

static bool path_prefix_pipes(struct gj_sl p)
{
    return p.n > 0 && (p.p[0] == '|' || p.p[0] == '.');
}

struct gj_val gj_get(struct gj_ctx *c, struct gj_sl json, struct gj_sl path)
{
    struct gj_val none;
    memset(&none, 0, sizeof none);
    if (!gj_enter(c)) {
        return none;
    }
    struct gj_walk w;
    memset(&w, 0, sizeof w);
    w.g = c;
    w.json = json;
    bool hit = false;
    if (path.n > 1 && (path.p[0] == '@' || path.p[0] == '!')) {
        struct gj_sl npath, rjson;
        bool ok = path.p[0] == '@' ? gj_exec_modifier(c, json, path, &npath, &rjson)
                                   : gj_exec_static(path, &npath, &rjson);
        if (ok) {
            struct gj_val r;
            if (path_prefix_pipes(npath)) {
                r = gj_get(c, rjson, gj_sl_from(npath, 1));
                r.index = 0;
            }
            else {
                r = gj_parse(c, rjson);
            }
            gj_leave(c);
            return r;
        }
    }
    if (path.n > 1 && (path.p[0] == '[' || path.p[0] == '{')) {
        struct gj_val r;
        if (gj_multipath(c, json, &path, &r)) {
            gj_leave(c);
            return r;
        }
    }
    if (path.n >= 2 && path.p[0] == '.' && path.p[1] == '.') {
        gj_walk_array(&w, 0, gj_sl_from(path, 2), &hit);
    }
    else {
        for (size_t i = 0; i < json.n; i++) {
            if (json.p[i] == '{') {
                gj_walk_object(&w, i + 1, path, &hit);
                break;
            }
            if (json.p[i] == '[') {
                gj_walk_array(&w, i + 1, path, &hit);
                break;
            }
        }
    }
    struct gj_val r = w.value;
    if (w.piped) {
        r = gj_val_get(c, &w.value, w.pipe);
        r.index = 0;
    }
    else {
        size_t idx = gj_index_in(json, &r);
        if (r.raw.n > 0 && !r.calcd) {
            r.index = idx;
        }
    }
    gj_leave(c);
    return r;
}

struct gj_sl gj_val_string(struct gj_ctx *c, const struct gj_val *v)
{
    switch (v->kind) {
    case GK_FALSE:
        return gj_sl_make("false", 5);
    case GK_TRUE:
        return gj_sl_make("true", 4);
    case GK_STRING:
        return v->str;
    case GK_JSON:
        return v->raw;
    case GK_NUMBER: {
        size_t i = v->raw.n > 0 && v->raw.p[0] == '-' ? 1 : 0;
        bool digits = v->raw.n > 0;
        for (; i < v->raw.n && digits; i++) {
            digits = v->raw.p[i] >= '0' && v->raw.p[i] <= '9';
        }
        if (digits) {
            return v->raw;
        }
        char *o = gj_alloc(c, 400);
        if (!o) {
            return gj_sl_make("", 0);
        }
        return gj_sl_make(o, ce_gofloat_format(v->num, 'f', -1, o, 400));
    }
    default:
        return gj_sl_make("", 0);
    }
}

double gj_val_float(const struct gj_val *v)
{
    double d = 0;
    switch (v->kind) {
    case GK_TRUE:
        return 1;
    case GK_STRING:
        (void)gj_parse_float(v->str, &d);
        return d;
    case GK_NUMBER:
        return v->num;
    default:
        return 0;
    }
}

/* Parses [-]digits as an integer (wrapping like the upstream loop); false otherwise. */
static bool parse_int(struct gj_sl s, long long *out)
{
    unsigned long long n = 0;
    size_t i = s.n > 0 && s.p[0] == '-' ? 1 : 0;
    if (i == s.n) {
        return false;
    }
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
        n = n * 10 + (unsigned long long)(s.p[i] - '0');
    }
    *out = s.p[0] == '-' ? (long long)(0 - n) : (long long)n;
    return true;
}

long long gj_val_int(const struct gj_val *v)
{
    long long n = 0;
    switch (v->kind) {
    case GK_TRUE:
        return 1;
    case GK_STRING:
        return parse_int(v->str, &n) ? n : 0;
    case GK_NUMBER:
        if (v->num >= -9007199254740991.0 && v->num <= 9007199254740991.0) {
            return (long long)v->num;
        }
        if (parse_int(v->raw, &n)) {
            return n;
        }
        if (v->num != v->num || v->num >= 9223372036854775808.0 ||
            v->num < -9223372036854775808.0) {
            return (long long)0x8000000000000000ULL; /* what the conversion gives on amd64 */
        }
        return (long long)v->num;
    default:
        return 0;
    }
}

bool gj_val_bool(const struct gj_val *v)
{
    bool b = false;
    switch (v->kind) {
    case GK_TRUE:
        return true;
    case GK_STRING:
        return gj_parse_bool_lower(v->str, &b) && b;
    case GK_NUMBER:
        return v->num != 0;
    default:
        return false;
    }
}

void gj_foreach(struct gj_ctx *c, const struct gj_val *v, gj_each_fn fn, void *arg)
{
    struct gj_sl js = v->raw;
    struct gj_val key, val;
    bool obj = false, ok = false, esc = false;
    size_t i = 0;
    if (!gj_exists(v)) {
        return;
    }
    if (v->kind != GK_JSON) {
        memset(&key, 0, sizeof key);
        fn(c, &key, v, arg);
        return;
    }
    for (; i < js.n; i++) {
        if (js.p[i] == '{' || js.p[i] == '[') {
            obj = js.p[i] == '{';
            i++;
            break;
        }
        if ((unsigned char)js.p[i] > ' ') {
            return;
        }
    }
    memset(&key, 0, sizeof key);
    for (; i < js.n; i++) {
        if (obj) {
            if (js.p[i] != '"') {
                continue;
            }
            struct gj_sl raw;
            i = gj_parse_string(js, i + 1, &raw, &esc, &ok);
            if (!ok) {
                return;
            }
            gj_set_string(c, &key, raw, esc);
        }
        while (i < js.n && ((unsigned char)js.p[i] <= ' ' || js.p[i] == ',' || js.p[i] == ':')) {
            i++;
        }
        size_t s = i;
        i = gj_parse_any(c, js, i, &val, &ok);
        if (!ok) {
            return;
        }
        val.index = s + v->index;
        if (!fn(c, &key, &val, arg)) {
            return;
        }
        if (i >= js.n) {
            return;
        }
    }
}

/* Public API */

static void result_from(struct ce_gj_result *out, struct gj_ctx *c, const struct gj_val *v,
                        struct gj_sl json)
{
    static const enum ce_gj_type kinds[] = {CE_GJ_NULL,   CE_GJ_FALSE, CE_GJ_NUMBER,
                                            CE_GJ_STRING, CE_GJ_TRUE,  CE_GJ_JSON};
    struct gj_sl s = gj_val_string(c, v);
    uintptr_t a = (uintptr_t)json.p, r = (uintptr_t)v->raw.p;
    bool inside = v->raw.n == 0 || (r >= a && r - a <= json.n && v->raw.n <= json.n - (r - a));
    out->type = gj_exists(v) ? kinds[v->kind] : CE_GJ_NONE;
    out->str = ce_xstrndup(s.p ? s.p : "", s.n);
    out->str_len = s.n;
    out->num = gj_val_float(v);
    if (inside) {
        out->raw = v->raw.n ? v->raw.p : "";
        out->owned = NULL;
    }
    else {
        out->owned = ce_xstrndup(v->raw.p, v->raw.n);
        out->raw = out->owned;
    }
    out->raw_len = v->raw.n;
}

int ce_gj_get(const char *json, size_t len, const char *path, struct ce_gj_result *out, char *err,
              size_t errlen)
{
    if (!out) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "lookup: no result");
    }
    memset(out, 0, sizeof *out);
    out->str = ce_xstrdup("");
    out->raw = "";
    if (!json || !path) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "lookup: no document or path");
    }
    size_t plen = strnlen(path, CE_GJ_PATH_MAX + 1);
    if (plen > CE_GJ_PATH_MAX) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "lookup: path longer than %d bytes",
                          CE_GJ_PATH_MAX);
    }
    if (len > CE_GJ_JSON_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "lookup: document larger than %u bytes",
                          CE_GJ_JSON_MAX);
    }
    struct gj_ctx c;
    gj_ctx_init(&c);
    struct gj_sl js = gj_sl_make(json, len);
    struct gj_val v = gj_get(&c, js, gj_sl_make(path, plen));
    int rc = CE_OK;
    if (c.over) {
        rc = ce_rc_fail(CE_ETOOBIG, err, errlen, "lookup: result or nesting over the limit");
    }
    else {
        ce_free(out->str);
        result_from(out, &c, &v, js);
    }
    gj_ctx_fini(&c);
    return rc;
}

bool ce_gj_exists(const struct ce_gj_result *r)
{
    return r && r->type != CE_GJ_NONE;
}

bool ce_gj_bool(const struct ce_gj_result *r)
{
    bool b = false;
    if (!r) {
        return false;
    }
    switch (r->type) {
    case CE_GJ_TRUE:
        return true;
    case CE_GJ_STRING:
        return gj_parse_bool_lower(gj_sl_make(r->str, r->str_len), &b) && b;
    case CE_GJ_NUMBER:
        return r->num != 0;
    default:
        return false;
    }
}

void ce_gj_result_fini(struct ce_gj_result *r)
{
    if (!r) {
        return;
    }
    ce_free(r->str);
    ce_free(r->owned);
    memset(r, 0, sizeof *r);
    r->raw = "";
}
