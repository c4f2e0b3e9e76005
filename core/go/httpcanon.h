/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP header names in canonical form ("content-type" -> "Content-Type"), the form Argo Events
 * users see in event data. Names with bytes outside the token set are left unchanged. */
#ifndef CE_CORE_HTTPCANON_H
#define CE_CORE_HTTPCANON_H

#include <stddef.h>

/* Writes the canonical form of name[0..len) to out (room for len + 1 bytes), NUL-terminated. */
void ce_http_canonical_header(const char *name, size_t len, char *out);

#endif
