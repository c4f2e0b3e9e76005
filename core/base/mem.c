/* SPDX-License-Identifier: Apache-2.0 */
/* The only place that calls the C allocator directly. */
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mem_oom(size_t n)
{
    fprintf(stderr, "cevents: out of memory allocating %zu bytes\n", n);
    abort();
}

void *ce_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        mem_oom(n);
    }
    return p;
}

void *ce_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p) {
        mem_oom(nmemb * size);
    }
    return p;
}

void *ce_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        mem_oom(n);
    }
    return q;
}

char *ce_xstrdup(const char *s)
{
    return ce_xstrndup(s, strlen(s));
}

char *ce_xstrndup(const char *s, size_t n)
{
    char *p = ce_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ce_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return ce_xstrdup("");
    }
    char *p = ce_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void ce_free(void *p)
{
    free(p);
}
