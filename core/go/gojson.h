/* SPDX-License-Identifier: Apache-2.0 */
/* Event data the way Argo Events' Go code reads and writes it: json.Unmarshal into a
 * map[string]interface{} (every number a float64, null data an empty map) and json.Marshal of
 * the result (keys sorted bytewise, strings as ce_buf_json_str writes them, shortest float64
 * digits). The
 * transforms and the script filter share these so their output bytes match Argo's. Pure
 * functions, thread-safe. */
#ifndef CE_CORE_GOJSON_H
#define CE_CORE_GOJSON_H

#include "core/base/rc.h"

#include "core/base/buf.h"

#include <jansson.h>
#include <stddef.h>

/* Largest event data parsed, and largest JSON written by a transform. */
#define CE_GOJSON_MAX_INPUT (8u * 1024u * 1024u)
#define CE_GOJSON_MAX_OUTPUT (8u * 1024u * 1024u)
/* Deepest nesting accepted on input and written on output (the parser itself stops at 2048;
 * Go's at 10000). Conversions recurse once per level, so this also bounds the C stack. */
#define CE_GOJSON_MAX_DEPTH 512
/* Longest text ce_gojson_fmt_float/ce_gojson_fmt_key_number write, NUL included. */
#define CE_GOJSON_NUM_MAX 40

/* Parses data as Argo does before a transform or script filter: exactly one JSON value, every
 * number a double (so 1e400 is an error, 12345678901234567890 is not), invalid UTF-8 bytes
 * read as U+FFFD as Go does, a top-level null read as an empty object, anything else that is
 * not an object refused. On CE_OK *out is a new object reference (json_decref it). Errors:
 * CE_ETOOBIG (over CE_GOJSON_MAX_INPUT or CE_GOJSON_MAX_DEPTH), CE_EPARSE (not JSON, not an
 * object), each with a message. */
int ce_gojson_parse_object(const char *data, size_t len, json_t **out, char *err, size_t errlen);

/* Formats a float64 as json.Marshal does ("2", "0.5", "1e+21", "1e-7", "-0"). Returns the
 * length, or -1 for NaN and infinities (which Go refuses to marshal). */
int ce_gojson_fmt_float(double v, char out[CE_GOJSON_NUM_MAX]);

/* Formats a Lua number used as a table key as the Go side names it when the table becomes an
 * object: an integral value in int64 range as an integer, anything else as fmt's %v ("1.5",
 * "1e+06", "1e-05", "NaN", "+Inf"). Returns the length. */
int ce_gojson_fmt_key_number(double v, char out[CE_GOJSON_NUM_MAX]);

/* Appends v as json.Marshal writes the equivalent Go value (object keys sorted bytewise,
 * numbers as float64). CE_OK, CE_ETOOBIG (b's cap or CE_GOJSON_MAX_DEPTH) or CE_EINVAL (NaN or
 * infinity), with a message. */
int ce_gojson_dump(const json_t *v, struct ce_buf *b, char *err, size_t errlen) CE_MUST_CHECK;

#endif
