/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation wrappers that abort on out-of-memory: cevents runs under at-least-once delivery, so
 * crashing is safe and a NULL check on every allocation would only double the error paths. */
#ifndef CE_CORE_MEM_H
#define CE_CORE_MEM_H

#include <stddef.h>

void *ce_xmalloc(size_t n);
void *ce_xcalloc(size_t nmemb, size_t size);
void *ce_xrealloc(void *p, size_t n);
char *ce_xstrdup(const char *s);
char *ce_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *ce_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ce_free(void *p);

#define CE_FREE(p)                                                                                 \
    do {                                                                                           \
        ce_free(p);                                                                                \
        (p) = NULL;                                                                                \
    } while (0)

#endif
