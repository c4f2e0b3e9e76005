/* SPDX-License-Identifier: Apache-2.0 */
/* Sandboxed LuaJIT states for dependency scripts: one state per compiled script, fresh globals
 * and a fresh `event` table per run, an instruction budget and a memory cap (see luavm.h). */
#include "core/script/luavm.h"

#include "core/base/buf.h"
#include "core/go/gojson.h"
#include "core/script/luajson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <lauxlib.h>
#include <lua.h>
#include <luajit.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct ce_lua {
    pthread_mutex_t mu;
    lua_State *L;
    int fn_ref;    /* the compiled chunk */
    int envmt_ref; /* {__index = sandbox globals}: the metatable of each run's globals */
    size_t mem;    /* bytes the state holds now */
    size_t base;   /* bytes held right after compiling */
    long steps;    /* instructions left in this run */
};

/* The state's allocator: past CE_LUA_MAX_MEM a growth fails, which Lua turns into a memory
 * error of the running script. */
static void *lv_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    struct ce_lua *l = ud;
    if (nsize == 0) {
        ce_free(p);
        l->mem -= osize;
        return NULL;
    }
    if (nsize > osize && l->mem + (nsize - osize) > CE_LUA_MAX_MEM) {
        return NULL;
    }
    void *q = ce_xrealloc(p, nsize);
    l->mem = l->mem - osize + nsize;
    return q;
}

static void lv_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    void *ud = NULL;
    (void)lua_getallocf(L, &ud);
    struct ce_lua *l = ud;
    l->steps -= CE_LUA_STEP_CHUNK;
    if (l->steps <= 0) {
        luaL_error(L, "script ran more than %d instructions", (int)CE_LUA_MAX_STEPS);
    }
}

static int lv_noop(lua_State *L)
{
    (void)L;
    return 0;
}

static void lv_open(lua_State *L, lua_CFunction f, const char *name)
{
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

/* Sets t[name] = nil for each name, t at the top of the stack. */
static void lv_drop(lua_State *L, const char *const *names)
{
    for (; *names != NULL; names++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *names);
    }
}

/* Builds the sandbox globals and the per-run globals metatable (runs protected). */
static int lv_setup(lua_State *L)
{
    struct ce_lua *l = lua_touserdata(L, 1);
    lv_open(L, luaopen_base, "");
    lv_open(L, luaopen_table, LUA_TABLIBNAME);
    lv_open(L, luaopen_string, LUA_STRLIBNAME);
    lv_open(L, luaopen_math, LUA_MATHLIBNAME);
    lv_open(L, luaopen_os, LUA_OSLIBNAME);

    static const char *const unsafe[] = {"dofile",  "loadfile",       "load",     "loadstring",
                                         "require", "collectgarbage", "gcinfo",   "getfenv",
                                         "setfenv", "module",         "newproxy", NULL};
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lv_drop(L, unsafe);
    lua_pushcfunction(L, lv_noop);
    lua_setfield(L, -2, "print");

    /* os keeps only the clock and calendar functions */
    static const char *const os_keep[] = {"time", "clock", "date", "difftime", NULL};
    lua_getfield(L, -1, LUA_OSLIBNAME);
    lua_createtable(L, 0, 4);
    for (const char *const *k = os_keep; *k != NULL; k++) {
        lua_getfield(L, -2, *k);
        lua_setfield(L, -2, *k);
    }
    lua_setfield(L, -3, LUA_OSLIBNAME);
    lua_pop(L, 1);

    static const char *const str_unsafe[] = {"dump", NULL};
    lua_getfield(L, -1, LUA_STRLIBNAME);
    lv_drop(L, str_unsafe);
    lua_pop(L, 1);

    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    l->envmt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return 0;
}

int ce_lua_compile(const char *script, const char *chunkname, struct ce_lua **out, char *err,
                   size_t errlen)
{
    *out = NULL;
    size_t len = strlen(script);
    if (len > CE_LUA_MAX_SCRIPT) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "script is %zu bytes, more than %u", len,
                          CE_LUA_MAX_SCRIPT);
    }
    struct ce_lua *l = ce_xcalloc(1, sizeof *l);
    l->L = lua_newstate(lv_alloc, l);
    if (l->L == NULL) {
        ce_free(l);
        return ce_rc_fail(CE_EIO, err, errlen, "cannot create a Lua state");
    }
    pthread_mutex_init(&l->mu, NULL);
    /* The count hook only sees interpreted code: keep the JIT off so the budget holds. */
    luaJIT_setmode(l->L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
    if (lua_cpcall(l->L, lv_setup, l) != 0) {
        ce_lua_destroy(l);
        return ce_rc_fail(CE_EIO, err, errlen, "cannot set up the Lua sandbox");
    }
    char name[128];
    snprintf(name, sizeof name, "=%s", chunkname != NULL ? chunkname : "script");
    if (luaL_loadbufferx(l->L, script, len, name, "t") != 0) {
        const char *msg = lua_tostring(l->L, -1);
        int rc = ce_rc_fail(CE_EPARSE, err, errlen, "%s", msg != NULL ? msg : "cannot compile");
        ce_lua_destroy(l);
        return rc;
    }
    l->fn_ref = luaL_ref(l->L, LUA_REGISTRYINDEX);
    lua_gc(l->L, LUA_GCCOLLECT, 0);
    l->base = l->mem;
    *out = l;
    return CE_OK;
}

void ce_lua_destroy(struct ce_lua *l)
{
    if (l == NULL) {
        return;
    }
    lua_close(l->L);
    pthread_mutex_destroy(&l->mu);
    ce_free(l);
}

/* One run: what lv_run_protected needs and what it hands back. */
struct lv_run {
    struct ce_lua *l;
    const json_t *data;
    bool transform;
    bool pass;
    struct ce_buf out;
    int rc; /* a conversion failure, with msg */
    char msg[256];
};

static int lv_run_protected(lua_State *L)
{
    struct lv_run *r = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->l->fn_ref);
    lua_createtable(L, 0, 2); /* this run's globals */
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->l->envmt_ref);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    r->rc = ce_luajson_push(L, r->data, r->msg, sizeof r->msg);
    if (r->rc != CE_OK) {
        return 0;
    }
    lua_setfield(L, -2, "event");
    lua_setfenv(L, 1);
    r->l->steps = CE_LUA_MAX_STEPS;
    lua_sethook(L, lv_hook, LUA_MASKCOUNT, CE_LUA_STEP_CHUNK);
    lua_call(L, 0, LUA_MULTRET);
    lua_sethook(L, NULL, 0, 0);
    /* as Argo: the last value returned counts, none is nil */
    int top = lua_gettop(L);
    if (!r->transform) {
        r->pass = top > 0 && lua_isboolean(L, top) && lua_toboolean(L, top);
        return 0;
    }
    if (top == 0 || !lua_istable(L, top)) {
        r->rc = ce_rc_fail(CE_EINVAL, r->msg, sizeof r->msg,
                           "transform script returned %s, not a table",
                           top == 0 ? "nothing" : lua_typename(L, lua_type(L, top)));
        return 0;
    }
    r->rc = ce_luajson_to_json(L, top, &r->out, r->msg, sizeof r->msg);
    return 0;
}

static int lv_run(struct ce_lua *l, const char *json, size_t len, struct lv_run *r, char *err,
                  size_t errlen)
{
    json_t *data = NULL;
    int rc = ce_gojson_parse_object(json, len, &data, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    r->l = l;
    r->data = data;
    pthread_mutex_lock(&l->mu);
    int st = lua_cpcall(l->L, lv_run_protected, r);
    if (st != 0) {
        const char *msg = lua_tostring(l->L, -1);
        if (st == LUA_ERRMEM) {
            rc = ce_rc_fail(CE_ETOOBIG, err, errlen, "script needed more than %u bytes of memory",
                            CE_LUA_MAX_MEM);
        }
        else {
            rc = ce_rc_fail(CE_EINVAL, err, errlen, "script failed: %s",
                            msg != NULL ? msg : "an error value that is not a string");
        }
    }
    else if (r->rc != CE_OK) {
        rc = ce_rc_fail(r->rc, err, errlen, "%s", r->msg);
    }
    lua_sethook(l->L, NULL, 0, 0);
    lua_settop(l->L, 0);
    /* A big run leaves garbage the next run could trip over; small runs leave it to the
     * incremental collector. */
    if (st != 0 || l->mem > l->base + CE_LUA_GC_SLACK) {
        lua_gc(l->L, LUA_GCCOLLECT, 0);
    }
    pthread_mutex_unlock(&l->mu);
    json_decref(data);
    return rc;
}

int ce_lua_filter(struct ce_lua *l, const char *json, size_t len, bool *pass, char *err,
                  size_t errlen)
{
    *pass = false;
    if (json == NULL) {
        *pass = true; /* no data: Argo passes without running the script */
        return CE_OK;
    }
    struct lv_run r = {.transform = false};
    int rc = lv_run(l, json, len, &r, err, errlen);
    if (rc == CE_OK) {
        *pass = r.pass;
    }
    return rc;
}

int ce_lua_transform(struct ce_lua *l, const char *json, size_t len, char **out, size_t *out_len,
                     char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (json == NULL) {
        return CE_OK;
    }
    struct lv_run r = {.transform = true};
    ce_buf_init(&r.out, CE_GOJSON_MAX_OUTPUT);
    int rc = lv_run(l, json, len, &r, err, errlen);
    if (rc == CE_OK) {
        *out = ce_buf_steal(&r.out, out_len);
    }
    ce_buf_fini(&r.out);
    return rc;
}
