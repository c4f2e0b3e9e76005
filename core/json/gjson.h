/* SPDX-License-Identifier: Apache-2.0 */
/* Path lookup over raw JSON text, with the path syntax Argo Events sensors use for data filters,
 * expression fields and parameter dataKey/contextKey: dotted keys, indices, `*`/`?` wildcards,
 * `#` counts and collections, `#(...)` queries, multipaths, `|` pipes and @modifiers. The text is
 * not parsed into a tree and not validated first; lookups are lenient on malformed input but never
 * read outside [json, json+len). Pure functions, thread-safe. */
#ifndef CE_CORE_GJSON_H
#define CE_CORE_GJSON_H

#include <stdbool.h>
#include <stddef.h>

/* Longest accepted path, in bytes. */
#define CE_GJ_PATH_MAX 4096
/* Deepest nesting of objects/arrays (and of nested queries/multipaths) that is followed. */
#define CE_GJ_DEPTH_MAX 512
/* Largest document a lookup accepts, and the cap on any result text built by a lookup. */
#define CE_GJ_JSON_MAX (64u * 1024u * 1024u)

enum ce_gj_type {
    CE_GJ_NONE, /* the path does not exist */
    CE_GJ_NULL,
    CE_GJ_FALSE,
    CE_GJ_TRUE,
    CE_GJ_NUMBER,
    CE_GJ_STRING,
    CE_GJ_JSON, /* object or array */
};

struct ce_gj_result {
    enum ce_gj_type type;
    const char *raw; /* raw JSON text of the value: points into the input or into owned */
    size_t raw_len;
    char *str; /* String() form, NUL-terminated: unescaped string, number text, "true"/"false",
                  raw JSON for objects/arrays, "" for null and none */
    size_t str_len;
    double num;  /* Float() coercion: numbers, numeric strings, true = 1, else 0 */
    char *owned; /* internal: text built by the lookup (multipaths, `#`, `#(...)#`, modifiers) */
};

/* Looks path up in json[0..len). Always fills *out (type CE_GJ_NONE when the path does not
 * exist; a missing path is not an error). Returns CE_OK, CE_EINVAL for a NULL argument or a path
 * longer than CE_GJ_PATH_MAX, CE_ETOOBIG when len or a built result passes CE_GJ_JSON_MAX. The
 * caller releases *out with ce_gj_result_fini in every case. */
int ce_gj_get(const char *json, size_t len, const char *path, struct ce_gj_result *out, char *err,
              size_t errlen);

/* Whether the result exists (type != CE_GJ_NONE). */
bool ce_gj_exists(const struct ce_gj_result *r);

/* Truthiness as Argo's bool filter sees it (Result.Bool()): true; a string that reads as true
 * after lower-casing ("1", "t", "true", so also "TRUE", "True", "tRuE"); a non-zero number
 * (NaN included). Everything else, missing values included, is false. */
bool ce_gj_bool(const struct ce_gj_result *r);

void ce_gj_result_fini(struct ce_gj_result *r);

/* Whether json[0..len) is valid JSON (RFC 8259 syntax, one value with surrounding space). */
bool ce_gj_valid(const char *json, size_t len);

#endif
