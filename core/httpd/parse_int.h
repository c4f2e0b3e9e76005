/* SPDX-License-Identifier: Apache-2.0 */
/* Character classes and list helpers shared by core/httpd's parser files. */
#ifndef CE_CORE_HTTPD_PARSE_INT_H
#define CE_CORE_HTTPD_PARSE_INT_H

#include "core/httpd/parse.h"

#include <stdbool.h>
#include <stddef.h>

/* RFC 9110 tchar: the bytes of a token (method, field name, list item). */
bool ce_httpd_is_tchar(unsigned char ch);

/* A field value byte: HTAB, SP, visible ASCII or obs-text (>= 0x80). */
bool ce_httpd_is_value_byte(unsigned char ch);

/* s[0..len) equals the NUL-terminated lit, ASCII case-insensitively. */
bool ce_httpd_ieq(const char *s, size_t len, const char *lit);

/* Walks a comma-separated field value: sets *item and *item_len to the next element with OWS
 * trimmed (possibly empty) and advances *pos. Returns false when the value is used up. */
bool ce_httpd_list_next(const char *v, size_t len, size_t *pos, const char **item,
                        size_t *item_len);

/* Decides h's framing members (chunked, content_length, keep_alive, expect_continue) from its
 * fields and checks Host. Returns 0 or the status to answer, with *why set. */
unsigned int ce_httpd_head_framing(struct ce_http_head *h, const char **why);

#endif
