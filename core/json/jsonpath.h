/* SPDX-License-Identifier: Apache-2.0 */
/* JSONPath queries over jansson values, with the dialect and result rules that EventSource
 * `filter.expression` users get from `jsonpath(jsonString, path)` in Argo Events: `$`, `@`,
 * `.key`, `['key']`, `[n]` (negative counts from the end), `[*]` / `.*`, `..` recursive
 * descent, `[a:b:c]` ranges, `[0,1]` / `['a','b']` unions, `[?(filter)]`, `[(script)]` and
 * `.length`. A query on a single key or index gives that value; wildcard, recursive, range,
 * union and filter steps give a list. A missing key, an index out of range or a step on the
 * wrong type is an error (except under a list-building step, which skips such items).
 *
 * Go values map to jansson as: float64 = real, int64 (from .length, %, scripts) = integer,
 * nil = null. Callers that want encoding/json's decoding load documents with
 * JSON_DECODE_INT_AS_REAL. Pure and thread-safe. */
#ifndef CE_CORE_JSONPATH_H
#define CE_CORE_JSONPATH_H

#include <jansson.h>
#include <stddef.h>

/* Caps. Each is checked before the work it bounds. */
#define CE_JSONPATH_PATH_MAX 4096      /* bytes of a path */
#define CE_JSONPATH_TOKENS_MAX 256     /* tokens of one path or nested selector */
#define CE_JSONPATH_DEPTH_MAX 32       /* nesting of selectors inside filters/scripts */
#define CE_JSONPATH_DOC_DEPTH_MAX 64   /* nesting of the document walked by `..` */
#define CE_JSONPATH_RESULTS_MAX 100000 /* items of any list a query builds */
#define CE_JSONPATH_STEPS_MAX 2000000  /* token applications and script operations per query */

/* Runs path on doc (borrowed). On success *out holds a new reference (json null for Go's nil).
 * Errors: CE_EPARSE for an invalid path ("invalid JSONPath selector '...' ..."), CE_EINVAL for
 * a query error (e.g. "key: invalid token key 'x' not found"), CE_ETOOBIG past a cap. */
int ce_jsonpath_query(const char *path, const json_t *doc, json_t **out, char *err, size_t errlen);

#endif
