/* SPDX-License-Identifier: Apache-2.0 */
/* Character classes and comma-list walking for the request parser. */
#include "core/httpd/parse_int.h"

#include <string.h>

bool ce_httpd_is_tchar(unsigned char ch)
{
    if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
        return true;
    }
    return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

bool ce_httpd_is_value_byte(unsigned char ch)
{
    return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

static unsigned char ascii_lower(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

bool ce_httpd_ieq(const char *s, size_t len, const char *lit)
{
    if (strlen(lit) != len) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)lit[i])) {
            return false;
        }
    }
    return true;
}

static bool is_ows(char ch)
{
    return ch == ' ' || ch == '\t';
}

bool ce_httpd_list_next(const char *v, size_t len, size_t *pos, const char **item, size_t *item_len)
{
    if (*pos > len) {
        return false;
    }
    size_t start = *pos;
    const char *comma = memchr(v + start, ',', len - start);
    size_t end = comma ? (size_t)(comma - v) : len;
    *pos = end + 1; /* past the comma; past len when this was the last element */
    while (start < end && is_ows(v[start])) {
        start++;
    }
    while (end > start && is_ows(v[end - 1])) {
        end--;
    }
    *item = v + start;
    *item_len = end - start;
    return true;
}
