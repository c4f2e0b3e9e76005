/* SPDX-License-Identifier: Apache-2.0 */
/* JSON event data to Lua tables and back, with Argo Events' conversion rules (see luajson.h). */
#include "core/script/luajson.h"

#include "core/go/gojson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <lauxlib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON to Lua ---- */

/* mt is the stack index of the array marker metatable. */
static int lj_push_at(lua_State *L, const json_t *v, int mt, int depth, char *err, size_t errlen)
{
    if ((json_is_object(v) || json_is_array(v)) &&
        (depth >= CE_GOJSON_MAX_DEPTH || !lua_checkstack(L, 4))) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "event data is nested deeper than %d levels",
                          CE_GOJSON_MAX_DEPTH);
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(v));
        const char *key;
        json_t *m;
        json_object_foreach((json_t *)v, key, m)
        {
            if (json_is_null(m)) {
                continue; /* null is nil: the member is absent */
            }
            lua_pushlstring(L, key, json_object_iter_key_len(json_object_key_to_iter(key)));
            int rc = lj_push_at(L, m, mt, depth + 1, err, errlen);
            if (rc != CE_OK) {
                lua_pop(L, 2);
                return rc;
            }
            lua_rawset(L, -3);
        }
        return CE_OK;
    }
    case JSON_ARRAY: {
        lua_createtable(L, (int)json_array_size(v), 0);
        int n = 0;
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *m = json_array_get(v, i);
            if (json_is_null(m)) {
                continue; /* as Argo: a null element is dropped, the rest close up */
            }
            int rc = lj_push_at(L, m, mt, depth + 1, err, errlen);
            if (rc != CE_OK) {
                lua_pop(L, 1);
                return rc;
            }
            lua_rawseti(L, -2, ++n);
        }
        lua_pushvalue(L, mt);
        lua_setmetatable(L, -2);
        return CE_OK;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        return CE_OK;
    case JSON_INTEGER:
    case JSON_REAL:
        lua_pushnumber(L, json_number_value(v));
        return CE_OK;
    case JSON_TRUE:
    case JSON_FALSE:
        lua_pushboolean(L, json_is_true(v));
        return CE_OK;
    case JSON_NULL:
        break;
    }
    lua_pushnil(L);
    return CE_OK;
}

int ce_luajson_push(lua_State *L, const json_t *v, char *err, size_t errlen)
{
    if (!lua_checkstack(L, 4)) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "Lua stack exhausted");
    }
    /* A fresh marker per conversion: a script that edits it cannot change later events. */
    lua_createtable(L, 0, 1);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "__is_array");
    int mt = lua_gettop(L);
    int rc = lj_push_at(L, v, mt, 0, err, errlen);
    if (rc != CE_OK) {
        lua_pop(L, 1);
        return rc;
    }
    lua_remove(L, mt);
    return CE_OK;
}

/* ---- Lua to JSON ---- */

struct lj_out {
    lua_State *L;
    struct ce_buf *out;
    size_t nodes;
    char *err;
    size_t errlen;
};

/* One member of a table written as an object: its key as the object key text, and how to find
 * the value again once the keys are sorted. */
struct lj_member {
    const char *str; /* a string key: the Lua string itself */
    size_t len;
    int type;   /* LUA_TSTRING, LUA_TNUMBER or LUA_TBOOLEAN */
    double num; /* the number, or the boolean as 0/1 */
    char buf[CE_GOJSON_NUM_MAX];
};

static int lj_value(struct lj_out *o, int idx, int depth);

static int lj_full(struct lj_out *o, int rc)
{
    if (rc == CE_ETOOBIG) {
        return ce_rc_fail(rc, o->err, o->errlen, "JSON output longer than %zu bytes", o->out->max);
    }
    return rc;
}

/* The key's text: buf moves with the member when the array is sorted, so it is found anew. */
static const char *lj_text(const struct lj_member *e)
{
    return e->type == LUA_TSTRING ? e->str : e->buf;
}

static int lj_member_cmp(const void *a, const void *b)
{
    const struct lj_member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(lj_text(x), lj_text(y), n);
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : (x->len > y->len ? 1 : 0);
}

/* Reads the keys of the table at idx into a fresh array; *n gets their count. */
static int lj_keys(struct lj_out *o, int idx, struct lj_member **out, size_t *n)
{
    lua_State *L = o->L;
    size_t cap = 8, k = 0;
    struct lj_member *m = ce_xmalloc(cap * sizeof *m);
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        lua_pop(L, 1);
        if (k == cap) {
            cap *= 2;
            m = ce_xrealloc(m, cap * sizeof *m);
        }
        struct lj_member *e = &m[k];
        e->type = lua_type(L, -1);
        if (e->type == LUA_TSTRING) {
            e->str = lua_tolstring(L, -1, &e->len);
        }
        else if (e->type == LUA_TNUMBER) {
            e->num = lua_tonumber(L, -1);
            e->len = (size_t)ce_gojson_fmt_key_number(e->num, e->buf);
        }
        else if (e->type == LUA_TBOOLEAN) {
            e->num = lua_toboolean(L, -1);
            const char *word = e->num != 0 ? "true" : "false";
            e->len = strlen(word);
            memcpy(e->buf, word, e->len + 1);
        }
        else {
            const char *tn = lua_typename(L, e->type);
            lua_pop(L, 1);
            ce_free(m);
            return ce_rc_fail(CE_EINVAL, o->err, o->errlen,
                              "a table key of type %s cannot become a JSON object key", tn);
        }
        k++;
    }
    *out = m;
    *n = k;
    return CE_OK;
}

static void lj_push_key(lua_State *L, const struct lj_member *e)
{
    if (e->type == LUA_TSTRING) {
        lua_pushlstring(L, e->str, e->len);
    }
    else if (e->type == LUA_TNUMBER) {
        lua_pushnumber(L, e->num);
    }
    else {
        lua_pushboolean(L, e->num != 0);
    }
}

static int lj_object(struct lj_out *o, int idx, int depth)
{
    struct lj_member *m = NULL;
    size_t n = 0;
    int rc = lj_keys(o, idx, &m, &n);
    if (rc != CE_OK) {
        return rc;
    }
    qsort(m, n, sizeof *m, lj_member_cmp);
    rc = ce_buf_append(o->out, "{", 1);
    bool first = true;
    for (size_t i = 0; rc == CE_OK && i < n; i++) {
        if (i > 0 && lj_member_cmp(&m[i], &m[i - 1]) == 0) {
            continue; /* "1" and 1 name one Go map key */
        }
        if (!first) {
            rc = ce_buf_append(o->out, ",", 1);
        }
        first = false;
        if (rc == CE_OK) {
            rc = ce_buf_json_str(o->out, lj_text(&m[i]), m[i].len);
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(o->out, ":", 1);
        }
        if (rc != CE_OK) {
            rc = lj_full(o, rc);
            break;
        }
        lj_push_key(o->L, &m[i]);
        lua_rawget(o->L, idx);
        rc = lj_value(o, lua_gettop(o->L), depth + 1);
        lua_pop(o->L, 1);
    }
    ce_free(m);
    if (rc == CE_OK) {
        rc = lj_full(o, ce_buf_append(o->out, "}", 1));
    }
    return rc;
}

/* True when the table at idx has a metatable whose raw __is_array is the boolean true. */
static bool lj_marked_array(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) {
        return false;
    }
    lua_pushliteral(L, "__is_array");
    lua_rawget(L, -2);
    bool yes = lua_isboolean(L, -1) && lua_toboolean(L, -1);
    lua_pop(L, 2);
    return yes;
}

static int lj_table(struct lj_out *o, int idx, int depth)
{
    lua_State *L = o->L;
    if (depth >= CE_GOJSON_MAX_DEPTH || !lua_checkstack(L, 6)) {
        return ce_rc_fail(CE_ETOOBIG, o->err, o->errlen,
                          "table nested deeper than %d levels (or cyclic)", CE_GOJSON_MAX_DEPTH);
    }
    size_t n = lua_objlen(L, idx);
    if (n == 0 && !lj_marked_array(L, idx)) {
        return lj_object(o, idx, depth);
    }
    /* keys 1..n: an array, and any other key is dropped, as Argo does */
    int rc = lj_full(o, ce_buf_append(o->out, "[", 1));
    for (size_t i = 1; rc == CE_OK && i <= n; i++) {
        if (i > 1) {
            rc = lj_full(o, ce_buf_append(o->out, ",", 1));
            if (rc != CE_OK) {
                break;
            }
        }
        lua_rawgeti(L, idx, (int)i);
        rc = lj_value(o, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    if (rc == CE_OK) {
        rc = lj_full(o, ce_buf_append(o->out, "]", 1));
    }
    return rc;
}

static int lj_value(struct lj_out *o, int idx, int depth)
{
    lua_State *L = o->L;
    if (++o->nodes > CE_LUAJSON_MAX_NODES) {
        return ce_rc_fail(CE_ETOOBIG, o->err, o->errlen, "more than %u values to write as JSON",
                          CE_LUAJSON_MAX_NODES);
    }
    int t = lua_type(L, idx);
    switch (t) {
    case LUA_TNIL:
        return lj_full(o, ce_buf_append(o->out, "null", 4));
    case LUA_TBOOLEAN:
        return lua_toboolean(L, idx) ? lj_full(o, ce_buf_append(o->out, "true", 4))
                                     : lj_full(o, ce_buf_append(o->out, "false", 5));
    case LUA_TNUMBER: {
        char num[CE_GOJSON_NUM_MAX];
        int len = ce_gojson_fmt_float(lua_tonumber(L, idx), num);
        if (len < 0) {
            return ce_rc_fail(CE_EINVAL, o->err, o->errlen,
                              "a NaN or infinite number cannot be written as JSON");
        }
        return lj_full(o, ce_buf_append(o->out, num, (size_t)len));
    }
    case LUA_TSTRING: {
        size_t len = 0;
        const char *s = lua_tolstring(L, idx, &len);
        return lj_full(o, ce_buf_json_str(o->out, s, len));
    }
    case LUA_TTABLE:
        return lj_table(o, idx, depth);
    default:
        return ce_rc_fail(CE_EINVAL, o->err, o->errlen, "a Lua %s cannot be written as JSON",
                          lua_typename(L, t));
    }
}

int ce_luajson_to_json(lua_State *L, int idx, struct ce_buf *out, char *err, size_t errlen)
{
    struct lj_out o = {L, out, 0, err, errlen};
    if (idx < 0 && idx > LUA_REGISTRYINDEX) {
        idx = lua_gettop(L) + idx + 1;
    }
    return lj_value(&o, idx, 0);
}
