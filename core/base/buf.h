/* SPDX-License-Identifier: Apache-2.0 */
/* A growable byte buffer with a hard cap: appending past the cap fails with CE_ETOOBIG before
 * anything is allocated, so sizes chosen by outsiders never drive allocation. */
#ifndef CE_CORE_BUF_H
#define CE_CORE_BUF_H

#include "core/base/rc.h"

#include <stddef.h>

struct ce_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* 0 = no cap */
};

void ce_buf_init(struct ce_buf *b, size_t max);
void ce_buf_fini(struct ce_buf *b);
void ce_buf_reset(struct ce_buf *b);
/* Returns CE_OK or CE_ETOOBIG (the buffer is unchanged then). */
int ce_buf_append(struct ce_buf *b, const void *p, size_t n) CE_MUST_CHECK;
int ce_buf_puts(struct ce_buf *b, const char *s) CE_MUST_CHECK;
int ce_buf_printf(struct ce_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* Appends s as a JSON string literal, quotes included. */
int ce_buf_json_str(struct ce_buf *b, const char *s, size_t n) CE_MUST_CHECK;
/* Hands the data to the caller (who frees it with ce_free) and leaves the buffer empty. */
char *ce_buf_steal(struct ce_buf *b, size_t *len);

#endif
