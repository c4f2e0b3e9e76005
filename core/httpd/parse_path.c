/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded path of a request target, for routing. */
#include "core/httpd/parse.h"
#include "core/base/hex.h"

#include <string.h>

bool ce_http_path_decode(const char *target, size_t len, char *out, size_t cap)
{
    if (cap == 0) {
        return false;
    }
    const char *q = memchr(target, '?', len);
    size_t end = q ? (size_t)(q - target) : len;
    size_t n = 0;
    for (size_t i = 0; i < end; i++) {
        char ch = target[i];
        if (ch == '%') {
            if (end - i < 3 || ce_hex_digit(target[i + 1]) < 0 || ce_hex_digit(target[i + 2]) < 0) {
                return false;
            }
            ch = (char)(ce_hex_digit(target[i + 1]) * 16 + ce_hex_digit(target[i + 2]));
            i += 2;
        }
        if (ch == '\0' || n + 1 >= cap) {
            return false; /* a NUL would cut the path short; no room left for it and the NUL */
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return true;
}
