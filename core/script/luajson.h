/* SPDX-License-Identifier: Apache-2.0 */
/* Event data between JSON and Lua tables, with the conversions Argo Events' script filter and
 * script transform apply: objects become tables, arrays tables 1..n, numbers numbers, null nil
 * (so a null member is simply absent and a null array element is dropped, as Argo does); back
 * to JSON, a table with keys 1..n is an array, a table with a metatable whose __is_array is
 * true always is (so an empty one is []), any other table an object. Arrays read from JSON
 * carry that metatable, so they survive a round trip even when empty. Thread-safe as long as
 * each lua_State is used by one thread at a time. */
#ifndef CE_CORE_LUAJSON_H
#define CE_CORE_LUAJSON_H

#include "core/base/buf.h"

#include <jansson.h>
#include <lua.h>
#include <stddef.h>

/* Most table nodes (tables plus values) written by one conversion to JSON: a table reachable
 * along many paths is written once per path, and this stops a shared-subtable explosion before
 * the output cap is reached. */
#define CE_LUAJSON_MAX_NODES 1000000u

/* Pushes v (as read by ce_gojson_parse_object) onto L. CE_OK, or CE_ETOOBIG when v is nested
 * deeper than CE_GOJSON_MAX_DEPTH (nothing pushed then). Lua memory errors are raised as Lua
 * errors, so call this inside a protected call. */
int ce_luajson_push(lua_State *L, const json_t *v, char *err, size_t errlen);

/* Appends the value at idx as JSON the way Argo's Go code marshals it (object keys sorted,
 * numbers as float64). Errors with a message: CE_ETOOBIG (out's cap, nesting deeper than
 * CE_GOJSON_MAX_DEPTH — which is how a cyclic table ends — or more than CE_LUAJSON_MAX_NODES),
 * CE_EINVAL (a function, userdata or thread value, NaN or infinity, a key that is not a string,
 * number or boolean). May raise Lua errors (memory): call inside a protected call. */
int ce_luajson_to_json(lua_State *L, int idx, struct ce_buf *out, char *err, size_t errlen);

#endif
