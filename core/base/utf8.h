/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 decoding with Go's rules (no surrogates, no overlong forms). */
#ifndef CE_CORE_UTF8_H
#define CE_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (n bytes available). Returns its length, or 0 if invalid. */
size_t ce_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Go's utf8.DecodeRuneInString: the code point at s and its length; an invalid byte reads as
 * U+FFFD of length 1; 0 at the end (n == 0). */
size_t ce_utf8_next(const char *s, size_t n, uint32_t *cp);
/* Go's utf8.EncodeRune: writes cp (U+FFFD for a surrogate or past U+10FFFF) to out and returns
 * its length (1-4). */
size_t ce_utf8_encode(uint32_t cp, char out[4]);

#endif
