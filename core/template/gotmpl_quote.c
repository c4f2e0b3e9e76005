/* SPDX-License-Identifier: Apache-2.0 */
/* Template literals: Go's strconv.Unquote for string, raw string and character literals, and
 * the number rules of text/template/parse (int, uint and float readings of one constant). */
#include "core/template/gotmpl_int.h"
#include "core/base/hex.h"

#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmpl_unquote(struct ce_tv_ctx *a, const char *s, size_t n, const char **out, size_t *outlen)
{
    if (n < 2 || s[0] != s[n - 1]) {
        return CE_EPARSE;
    }
    char q = s[0];
    char *o = ce_tv_alloc(a, n + 1);
    size_t len = 0;
    if (q == '`') {
        for (size_t i = 1; i + 1 < n; i++) {
            if (s[i] != '\r') {
                o[len++] = s[i];
            }
        }
        *out = o;
        *outlen = len;
        return CE_OK;
    }
    for (size_t i = 1; i + 1 < n;) {
        char c = s[i];
        if (c == q || c == '\n') {
            return CE_EPARSE;
        }
        if (c != '\\') {
            o[len++] = c;
            i++;
            continue;
        }
        if (i + 2 >= n) {
            return CE_EPARSE;
        }
        char e = s[i + 1];
        i += 2;
        switch (e) {
        case 'a':
            o[len++] = '\a';
            break;
        case 'b':
            o[len++] = '\b';
            break;
        case 'f':
            o[len++] = '\f';
            break;
        case 'n':
            o[len++] = '\n';
            break;
        case 'r':
            o[len++] = '\r';
            break;
        case 't':
            o[len++] = '\t';
            break;
        case 'v':
            o[len++] = '\v';
            break;
        case '\\':
            o[len++] = '\\';
            break;
        case '\'':
        case '"':
            if (e != q) {
                return CE_EPARSE;
            }
            o[len++] = e;
            break;
        case 'x':
        case 'u':
        case 'U': {
            size_t k = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t v = 0;
            if (i + k >= n) {
                return CE_EPARSE;
            }
            for (size_t j = 0; j < k; j++) {
                int h = ce_hex_digit(s[i + j]);
                if (h < 0) {
                    return CE_EPARSE;
                }
                v = v << 4 | (uint32_t)h;
            }
            i += k;
            if (e == 'x') {
                if (q == '\'') {
                    len += ce_utf8_encode(v, o + len);
                }
                else {
                    o[len++] = (char)v;
                }
            }
            else {
                if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) {
                    return CE_EPARSE;
                }
                len += ce_utf8_encode(v, o + len);
            }
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                if (i + 2 >= n) {
                    return CE_EPARSE;
                }
                uint32_t v = (uint32_t)(e - '0');
                for (int j = 0; j < 2; j++) {
                    char d = s[i + (size_t)j];
                    if (d < '0' || d > '7') {
                        return CE_EPARSE;
                    }
                    v = v * 8 + (uint32_t)(d - '0');
                }
                if (v > 255) {
                    return CE_EPARSE;
                }
                i += 2;
                o[len++] = (char)v;
                break;
            }
            return CE_EPARSE;
        }
    }
    *out = o;
    *outlen = len;
    return CE_OK;
}

int tmpl_number(struct ce_tv_ctx *a, const char *text, size_t len, bool charconst,
                struct tmpl_node *n, char *msg, size_t msglen)
{
    if (charconst) {
        const char *s;
        size_t slen = 0;
        uint32_t cp = 0;
        if (tmpl_unquote(a, text, len, &s, &slen) != CE_OK || slen == 0) {
            snprintf(msg, msglen, "malformed character constant: %.*s", (int)len, text);
            return CE_EPARSE;
        }
        /* exactly one code point */
        unsigned char c0 = (unsigned char)s[0];
        size_t want = c0 < 0x80 ? 1 : c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
        if (slen != want) {
            snprintf(msg, msglen, "malformed character constant: %.*s", (int)len, text);
            return CE_EPARSE;
        }
        cp = want == 1 ? c0 : (uint32_t)(c0 & (0x7f >> want));
        for (size_t i = 1; i < want; i++) {
            cp = cp << 6 | ((unsigned char)s[i] & 0x3f);
        }
        n->is_char = n->is_int = n->is_uint = n->is_float = true;
        n->i = cp;
        n->f = cp;
        return CE_OK;
    }
    char buf[128];
    size_t bl = 0;
    for (size_t i = 0; i < len && bl + 1 < sizeof buf; i++) {
        if (text[i] != '_') {
            buf[bl++] = text[i];
        }
    }
    buf[bl] = '\0';
    const char *s = buf;
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    int base = 10;
    const char *digits = s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16, digits = s + 2;
        n->is_hex = true;
    }
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8, digits = s + 2;
    }
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2, digits = s + 2;
    }
    else if (s[0] == '0' && s[1]) {
        base = 8, digits = s + 1;
    }
    bool intsyntax = *digits != '\0';
    uint64_t u = 0;
    bool overflow = false;
    for (const char *d = digits; *d && intsyntax; d++) {
        int v = ce_hex_digit(*d);
        v = v < 0 ? 99 : v;
        if (v >= base) {
            intsyntax = false;
            break;
        }
        if (u > (UINT64_MAX - (uint64_t)v) / (uint64_t)base) {
            overflow = true;
        }
        u = u * (uint64_t)base + (uint64_t)v;
    }
    if (intsyntax && !overflow) {
        if (!neg) {
            n->is_uint = true;
            if (u <= (uint64_t)INT64_MAX) {
                n->is_int = true;
                n->i = (int64_t)u;
            }
        }
        else if (u <= (uint64_t)INT64_MAX + 1) {
            n->is_int = true;
            n->i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
        }
        if (n->is_int) {
            n->is_float = true;
            n->f = (double)n->i;
        }
        else if (n->is_uint) {
            n->is_float = true;
            n->f = (double)u;
        }
    }
    if (!n->is_float) {
        bool floaty = strpbrk(buf, ".eEpP") != NULL;
        char *end = NULL;
        errno = 0;
        bool prefixed = s[0] == '0' && s[1] && strchr("oObB", s[1]);
        double f = prefixed ? 0 : strtod(buf, &end);
        bool ok = end && *end == '\0' && end != buf && !isinf(f);
        if (ok) {
            if (!floaty) {
                snprintf(msg, msglen, "integer overflow: \"%.*s\"", (int)len, text);
                return CE_EPARSE;
            }
            n->is_float = true;
            n->f = f;
            if (!n->is_int && f >= -9223372036854775808.0 && f < 9223372036854775808.0 &&
                (double)(int64_t)f == f) {
                n->is_int = true;
                n->i = (int64_t)f;
            }
            if (!n->is_uint && f >= 0 && f < 18446744073709551616.0 && (double)(uint64_t)f == f) {
                n->is_uint = true;
            }
        }
    }
    if (!n->is_int && !n->is_uint && !n->is_float) {
        snprintf(msg, msglen, "illegal number syntax: \"%.*s\"", (int)len, text);
        return CE_EPARSE;
    }
    return CE_OK;
}
