/* SPDX-License-Identifier: Apache-2.0 */
/* Go's standard base64: see base64.h. */
#include "core/base/base64.h"

#include "core/base/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ce_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t ce_base64_encode_to(const void *data, size_t n, char *out)
{
    const unsigned char *p = data;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= p[i + 2];
        }
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
    }
    return o;
}

char *ce_base64_encode(const void *p, size_t n)
{
    char *out = ce_xmalloc(ce_base64_encoded_len(n) + 1);
    out[ce_base64_encode_to(p, n, out)] = '\0';
    return out;
}

size_t ce_base64_decoded_max(size_t len)
{
    return len / 4 * 3 + 3;
}

static int b64_value(unsigned char ch)
{
    const char *p = ch ? strchr(b64_alphabet, ch) : NULL;
    return p ? (int)(p - b64_alphabet) : -1;
}

static size_t b64_skip_newlines(const char *s, size_t len, size_t si)
{
    while (si < len && (s[si] == '\n' || s[si] == '\r')) {
        si++;
    }
    return si;
}

/* Padding seen at position j of a quantum (*si just past the '='), as Go's decodeQuantum
 * reads it. True when the padding itself is malformed (*err: where); else false, with *err the
 * offset of anything after the padding (-1 when nothing follows). */
static bool b64_padding(const char *s, size_t len, size_t *si, int j, long long *err)
{
    if (j < 2) {
        *err = (long long)(*si - 1);
        return true;
    }
    if (j == 2) {
        *si = b64_skip_newlines(s, len, *si);
        if (*si == len) {
            *err = (long long)len;
            return true;
        }
        if (s[*si] != '=') {
            *err = (long long)(*si - 1);
            return true;
        }
        (*si)++;
    }
    *si = b64_skip_newlines(s, len, *si);
    *err = *si < len ? (long long)*si : -1;
    return false;
}

long long ce_base64_decode(const char *s, size_t len, unsigned char *out, size_t *out_len)
{
    size_t si = 0;
    *out_len = 0;
    while (si < len) {
        int dbuf[4] = {0, 0, 0, 0};
        int dlen = 4;
        long long err = -1;
        for (int j = 0; j < 4; j++) {
            if (si == len) {
                return j == 0 ? -1 : (long long)(si - (size_t)j);
            }
            unsigned char in = (unsigned char)s[si++];
            int v = b64_value(in);
            if (v >= 0) {
                dbuf[j] = v;
                continue;
            }
            if (in == '\n' || in == '\r') {
                j--;
                continue;
            }
            if (in != '=') {
                return (long long)(si - 1);
            }
            if (b64_padding(s, len, &si, j, &err)) {
                return err;
            }
            dlen = j;
            break;
        }
        uint32_t val = (uint32_t)dbuf[0] << 18 | (uint32_t)dbuf[1] << 12 | (uint32_t)dbuf[2] << 6 |
                       (uint32_t)dbuf[3];
        unsigned char o[3] = {(unsigned char)(val >> 16), (unsigned char)(val >> 8),
                              (unsigned char)val};
        if (dlen > 1) {
            memcpy(out + *out_len, o, (size_t)dlen - 1);
            *out_len += (size_t)dlen - 1;
        }
        if (err >= 0) {
            return err;
        }
        if (dlen < 4) {
            return -1;
        }
    }
    return -1;
}
