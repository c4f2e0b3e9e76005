/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 decoding with Go's rules (no surrogates, no overlong forms). */
#ifndef CE_CORE_UTF8_H
#define CE_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (n bytes available). Returns its length, or 0 if invalid. */
size_t ce_utf8_decode(const char *s, size_t n, uint32_t *cp);

#endif
