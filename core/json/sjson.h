/* SPDX-License-Identifier: Apache-2.0 */
/* Setting a value at a path inside raw JSON text, as Argo Events applies trigger parameters to
 * their `dest`: dotted keys, numeric keys on arrays, `-1` to append, `:` to force an object key,
 * `\` escapes; missing objects/arrays on the way are created. The rest of the document keeps its
 * bytes exactly. Pure functions, thread-safe. */
#ifndef CE_CORE_SJSON_H
#define CE_CORE_SJSON_H

#include <stddef.h>

/* Longest accepted path, in bytes. */
#define CE_SJ_PATH_MAX 4096
/* Most path components, and so the deepest nesting a set creates or walks into. */
#define CE_SJ_DEPTH_MAX 512
/* Largest input document and largest output document. */
#define CE_SJ_JSON_MAX (64u * 1024u * 1024u)
/* Largest array index a set may pad up to (each pad costs output bytes). */
#define CE_SJ_INDEX_MAX 1000000

/* Sets the raw JSON text raw[0..raw_len) at path inside json[0..len), writing a fresh document
 * to *out (NUL-terminated, *out_len bytes, freed with ce_free). raw is inserted as given, not
 * checked. Returns CE_OK; CE_EINVAL for an empty or malformed path, or when the path leads
 * through a value that is not an object or array; CE_ETOOBIG when a cap is passed. */
int ce_sj_set_raw(const char *json, size_t len, const char *path, const char *raw, size_t raw_len,
                  char **out, size_t *out_len, char *err, size_t errlen);

/* As ce_sj_set_raw with s[0..s_len) inserted as a JSON string literal. */
int ce_sj_set_string(const char *json, size_t len, const char *path, const char *s, size_t s_len,
                     char **out, size_t *out_len, char *err, size_t errlen);

/* Appends s[0..n) as a JSON string literal (quotes included) the way the setter quotes string
 * values: text of printable ASCII without `"` and `\` is quoted as is (so `<`, `>`, `&` stay);
 * any other text is encoded like Go's encoding/json: `"` `\` escaped, \b \f \n \r \t, other
 * control bytes as \u00XX, `<` `>` `&` as \u003c \u003e \u0026, invalid UTF-8 bytes as
 * \ufffd, U+2028/U+2029 as \u2028/\u2029. Returns CE_OK or CE_ETOOBIG (the buffer's cap). */
struct ce_buf;
int ce_sj_quote(struct ce_buf *b, const char *s, size_t n);

#endif
