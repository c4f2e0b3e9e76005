/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded growable buffer. JSON string output follows Go's encoding/json byte for byte (HTML
 * characters and U+2028/U+2029 escaped, invalid UTF-8 replaced by U+FFFD) so that events built
 * here are identical to the ones Argo Events puts on the bus. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ce_buf_init(struct ce_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ce_buf_fini(struct ce_buf *b)
{
    CE_FREE(b->data);
    b->len = 0;
    b->cap = 0;
}

void ce_buf_reset(struct ce_buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

static int buf_reserve(struct ce_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) {
        return CE_ETOOBIG;
    }
    size_t need = b->len + extra;
    if (b->max && need > b->max) {
        return CE_ETOOBIG;
    }
    if (need + 1 <= b->cap) {
        return CE_OK;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1) {
        cap *= 2;
    }
    if (b->max && cap > b->max + 1) {
        cap = b->max + 1;
    }
    b->data = ce_xrealloc(b->data, cap);
    b->cap = cap;
    return CE_OK;
}

int ce_buf_append(struct ce_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc != CE_OK) {
        return rc;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return CE_OK;
}

int ce_buf_puts(struct ce_buf *b, const char *s)
{
    return ce_buf_append(b, s, strlen(s));
}

int ce_buf_printf(struct ce_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return CE_EINVAL;
    }
    int rc = buf_reserve(b, (size_t)n);
    if (rc != CE_OK) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CE_OK;
}

int ce_buf_json_str(struct ce_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = ce_buf_append(b, "\"", 1);
    size_t i = 0;
    while (rc == CE_OK && i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
            size_t j = i;
            while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 &&
                   s[j] != '"' && s[j] != '\\' && s[j] != '<' && s[j] != '>' && s[j] != '&') {
                j++;
            }
            rc = ce_buf_append(b, s + i, j - i);
            i = j;
            continue;
        }
        if (c < 0x80) {
            char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
            size_t elen = 2;
            switch (c) {
            case '"':
            case '\\':
                esc[1] = (char)c;
                break;
            case '\n':
                esc[1] = 'n';
                break;
            case '\r':
                esc[1] = 'r';
                break;
            case '\t':
                esc[1] = 't';
                break;
            case '\b':
                esc[1] = 'b';
                break;
            case '\f':
                esc[1] = 'f';
                break;
            default:
                memcpy(esc + 1, "u00", 3);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 0xf];
                elen = 6;
            }
            rc = ce_buf_append(b, esc, elen);
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t len = ce_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            rc = ce_buf_append(b, "\\ufffd", 6);
            i++;
            continue;
        }
        if (cp == 0x2028 || cp == 0x2029) {
            rc = ce_buf_append(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
        }
        else {
            rc = ce_buf_append(b, s + i, len);
        }
        i += len;
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(b, "\"", 1);
    }
    return rc;
}

char *ce_buf_steal(struct ce_buf *b, size_t *len)
{
    char *p = b->data;
    if (len) {
        *len = b->len;
    }
    if (!p) {
        p = ce_xstrdup("");
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
