/* SPDX-License-Identifier: Apache-2.0 */
/* Lua scripts of a Sensor's dependencies (filters.script, transform.script): compiled once into a
 * sandboxed LuaJIT state, run per event with a global `event` holding the event data as a table
 * (core/luajson.h). The sandbox opens only base (without dofile, loadfile, load, loadstring,
 * require, collectgarbage, gcinfo, getfenv, setfenv, newproxy), string (without dump), table, math,
 * coroutine and os.time, os.clock, os.date, os.difftime; print is a no-op. Each run gets fresh
 * globals (what a script assigns is gone for the next event), a budget of CE_LUA_MAX_STEPS VM
 * instructions (the JIT is off so the count hook sees every instruction) and the state a memory cap
 * of CE_LUA_MAX_MEM bytes, so a runaway loop or allocation becomes an error. A handle may be shared
 * between threads: a mutex lets one run at a time. */
#ifndef CE_CORE_LUAVM_H
#define CE_CORE_LUAVM_H

#include <stdbool.h>
#include <stddef.h>

/* Longest script source accepted. */
#define CE_LUA_MAX_SCRIPT (256u * 1024u)
/* VM instructions one run may execute (checked every CE_LUA_STEP_CHUNK instructions). */
#define CE_LUA_MAX_STEPS 10000000L
#define CE_LUA_STEP_CHUNK 1000
/* Bytes the whole state (libraries, compiled script, event table, script data) may hold. */
#define CE_LUA_MAX_MEM (64u * 1024u * 1024u)
/* Garbage past this many bytes is collected in full right after a run. */
#define CE_LUA_GC_SLACK (4u * 1024u * 1024u)

struct ce_lua;

/* Compiles script (text only: precompiled bytecode is refused) under chunkname (used in error
 * messages; NULL means "script"). CE_OK, or CE_EPARSE (syntax error), CE_ETOOBIG (source too
 * long) with a message. */
int ce_lua_compile(const char *script, const char *chunkname, struct ce_lua **out, char *err,
                   size_t errlen);

/* Runs the script on event data json (len bytes; NULL means the event has no data, which
 * passes without running, as Argo does). *pass is true only when the script returns the
 * boolean true. Errors (the dependency then fails): bad data (see ce_gojson_parse_object), a
 * runtime error, the step budget or memory cap exhausted — CE_EINVAL / CE_EPARSE / CE_ETOOBIG
 * with a message. */
int ce_lua_filter(struct ce_lua *l, const char *json, size_t len, bool *pass, char *err,
                  size_t errlen);

/* Runs the script on event data json and writes the table it returns as JSON into a fresh
 * *out (ce_free) of *out_len bytes. json NULL (no data) gives CE_OK with *out NULL: the event
 * is left as it is. A returned value that is not a table is CE_EINVAL; conversion limits are
 * those of ce_luajson_to_json, the output at most CE_GOJSON_MAX_OUTPUT bytes. */
int ce_lua_transform(struct ce_lua *l, const char *json, size_t len, char **out, size_t *out_len,
                     char *err, size_t errlen);

void ce_lua_destroy(struct ce_lua *l);

#endif
