/* SPDX-License-Identifier: Apache-2.0 */
/* Canonical HTTP header names with the rules of Go's textproto.CanonicalMIMEHeaderKey, which
 * Argo Events' webhook uses for the header map in event data: the first letter and every
 * letter after '-' upper case, the rest lower case; a name with any byte outside the RFC 7230
 * token set (a space included) is returned unchanged. */
#include "core/go/httpcanon.h"

#include <stdbool.h>
#include <string.h>

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
 * "~" / DIGIT / ALPHA */
static bool httpcanon_token_byte(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return true;
    }
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

void ce_http_canonical_header(const char *name, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        if (!httpcanon_token_byte((unsigned char)name[i])) {
            memcpy(out, name, len);
            out[len] = '\0';
            return;
        }
    }
    bool upper = true;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (upper && c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        else if (!upper && c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        out[i] = c;
        upper = c == '-';
    }
    out[len] = '\0';
}
