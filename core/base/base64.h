/* SPDX-License-Identifier: Apache-2.0 */
/* Standard base64 with padding, as Go's encoding/base64.StdEncoding writes and reads it (the
 * reader skips '\r' and '\n' and reports the offset of the first bad byte, as Go's
 * CorruptInputError does). CloudEvents' data_base64, trigger parameters, HTTP basic auth and
 * the templates' b64enc/b64dec all use these. Pure functions. */
#ifndef CE_CORE_BASE64_H
#define CE_CORE_BASE64_H

#include <stddef.h>

/* Bytes the encoding of n bytes takes (without a NUL). */
size_t ce_base64_encoded_len(size_t n);
/* Writes the encoding of p[0..n) to out (ce_base64_encoded_len(n) bytes, no NUL); returns it. */
size_t ce_base64_encode_to(const void *p, size_t n, char *out);
/* The encoding as a fresh NUL-terminated heap string (ce_free). */
char *ce_base64_encode(const void *p, size_t n);
/* The most bytes decoding len characters can give. */
size_t ce_base64_decoded_max(size_t len);
/* Decodes s[0..len) into out (room for ce_base64_decoded_max(len) bytes), *out_len bytes.
 * Returns -1 when s is valid, else the offset of the first bad byte (out then holds what was
 * decoded before it, as Go's decoder leaves it). */
long long ce_base64_decode(const char *s, size_t len, unsigned char *out, size_t *out_len);

#endif
