/* SPDX-License-Identifier: Apache-2.0 */
/* The request head: where it ends, the request line and the header fields. Line ends are CRLF
 * or a bare LF (as Go's server reads them); a CR anywhere else is refused, since a peer that
 * takes a bare CR as a line end would see different fields. */
#include "core/httpd/parse.h"
#include "core/httpd/parse_int.h"

#include <string.h>

#define METHOD_MAX 32

/* Length of the empty line at buf[i] ("\n" or "\r\n"), 0 when there is none; *partial when
 * buf ends in the middle of one. */
static size_t empty_line_at(const char *buf, size_t len, size_t i, bool *partial)
{
    *partial = false;
    if (i >= len) {
        *partial = true;
        return 0;
    }
    if (buf[i] == '\n') {
        return 1;
    }
    if (buf[i] == '\r') {
        if (i + 1 >= len) {
            *partial = true;
            return 0;
        }
        return buf[i + 1] == '\n' ? 2 : 0;
    }
    return 0;
}

size_t ce_http_head_end(const char *buf, size_t len)
{
    size_t i = 0;
    bool partial;
    size_t n;
    while ((n = empty_line_at(buf, len, i, &partial)) > 0) {
        i += n; /* empty lines before the request line */
    }
    if (partial) {
        return 0;
    }
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (nl == NULL) {
            return 0;
        }
        i = (size_t)(nl - buf) + 1;
        n = empty_line_at(buf, len, i, &partial);
        if (n > 0) {
            return i + n;
        }
        if (partial) {
            return 0;
        }
    }
    return 0;
}

/* The next line from *pos: its content (line end excluded) in *line and *line_len. A CR before
 * the LF belongs to the line end; other CRs stay in the content for the caller to refuse.
 * Returns false when no complete line is left. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *line_len)
{
    if (*pos >= len) {
        return false;
    }
    const char *nl = memchr(buf + *pos, '\n', len - *pos);
    if (nl == NULL) {
        return false;
    }
    size_t end = (size_t)(nl - buf);
    *line = buf + *pos;
    *line_len = end - *pos;
    if (*line_len > 0 && buf[end - 1] == '\r') {
        (*line_len)--;
    }
    *pos = end + 1;
    return true;
}

static unsigned int fail(const char **why, unsigned int status, const char *reason)
{
    *why = reason;
    return status;
}

static unsigned int check_method(const char *m, size_t len, const char **why)
{
    if (len == 0 || len > METHOD_MAX) {
        return fail(why, 400, "invalid method");
    }
    for (size_t i = 0; i < len; i++) {
        if (!ce_httpd_is_tchar((unsigned char)m[i])) {
            return fail(why, 400, "invalid method");
        }
    }
    return 0;
}

static unsigned int check_version(const char *v, size_t len, int *minor, const char **why)
{
    bool digits = len == 8 && v[5] >= '0' && v[5] <= '9' && v[7] >= '0' && v[7] <= '9';
    if (!digits || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.') {
        return fail(why, 400, "malformed request line");
    }
    if (v[5] != '1') {
        return fail(why, 505, "HTTP version not supported");
    }
    *minor = v[7] == '0' ? 0 : 1; /* a later 1.x is read as 1.1 */
    return 0;
}

/* Points h->target at the path of an absolute-form target ("http://host/p?q"), or at a static
 * "/" when the authority has no path. Returns false when t is not absolute-form. */
static bool absolute_form_path(const char *t, size_t len, struct ce_http_head *h)
{
    size_t skip;
    if (len >= 7 && ce_httpd_ieq(t, 7, "http://")) {
        skip = 7;
    }
    else if (len >= 8 && ce_httpd_ieq(t, 8, "https://")) {
        skip = 8;
    }
    else {
        return false;
    }
    size_t i = skip;
    while (i < len && t[i] != '/' && t[i] != '?' && t[i] != '#') {
        i++;
    }
    if (i == skip) {
        return false; /* no authority */
    }
    if (i == len) {
        h->target = "/";
        h->target_len = 1;
        return true;
    }
    if (t[i] != '/') {
        return false; /* a query or fragment right after the authority: refused, not guessed */
    }
    h->target = t + i;
    h->target_len = len - i;
    return true;
}

static unsigned int check_target(const char *t, size_t len, struct ce_http_head *h,
                                 const char **why)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (ch == '\0') {
            return fail(why, 400, "NUL byte in the request target");
        }
        if (ch <= 0x20 || ch == 0x7f) {
            return fail(why, 400, "invalid request target");
        }
    }
    h->target = t;
    h->target_len = len;
    if (t[0] == '/') {
        return 0;
    }
    /* "*" only for OPTIONS (methods are case-sensitive) */
    if (len == 1 && t[0] == '*' && h->method_len == 7 && memcmp(h->method, "OPTIONS", 7) == 0) {
        return 0;
    }
    if (absolute_form_path(t, len, h)) {
        return 0;
    }
    return fail(why, 400, "invalid request target");
}

/* "method SP target SP version", exactly one SP between the parts. */
static unsigned int parse_request_line(const char *line, size_t len, struct ce_http_head *h,
                                       const char **why)
{
    const char *sp1 = memchr(line, ' ', len);
    if (sp1 == NULL) {
        return fail(why, 400, "malformed request line");
    }
    h->method = line;
    h->method_len = (size_t)(sp1 - line);
    unsigned int st = check_method(h->method, h->method_len, why);
    if (st != 0) {
        return st;
    }
    const char *t = sp1 + 1;
    size_t rest = len - h->method_len - 1;
    const char *sp2 = memchr(t, ' ', rest);
    if (sp2 == NULL || sp2 == t) {
        return fail(why, 400, "malformed request line");
    }
    size_t tlen = (size_t)(sp2 - t);
    st = check_version(sp2 + 1, rest - tlen - 1, &h->minor, why);
    if (st != 0) {
        return st;
    }
    return check_target(t, tlen, h, why);
}

static unsigned int parse_field(const char *line, size_t len, struct ce_http_head *h,
                                const char **why)
{
    if (line[0] == ' ' || line[0] == '\t') {
        return fail(why, 400, "folded header line");
    }
    const char *colon = memchr(line, ':', len);
    if (colon == NULL) {
        return fail(why, 400, "malformed header line");
    }
    size_t nlen = (size_t)(colon - line);
    if (nlen == 0) {
        return fail(why, 400, "invalid header name");
    }
    if (line[nlen - 1] == ' ' || line[nlen - 1] == '\t') {
        return fail(why, 400, "whitespace before colon");
    }
    for (size_t i = 0; i < nlen; i++) {
        if (!ce_httpd_is_tchar((unsigned char)line[i])) {
            return fail(why, 400, "invalid header name");
        }
    }
    const char *v = colon + 1;
    size_t vlen = len - nlen - 1;
    for (size_t i = 0; i < vlen; i++) {
        if (!ce_httpd_is_value_byte((unsigned char)v[i])) {
            return fail(why, 400, "invalid header value");
        }
    }
    while (vlen > 0 && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        vlen--;
    }
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) {
        vlen--;
    }
    if (h->n_fields >= CE_HTTP_MAX_HEADERS) {
        return fail(why, 431, "too many header fields");
    }
    h->fields[h->n_fields++] = (struct ce_http_field){line, nlen, v, vlen};
    return 0;
}

/* The request line at *pos, after any empty lines before it. */
static unsigned int parse_first_line(const char *buf, size_t len, size_t *pos,
                                     struct ce_http_head *h, const char **why)
{
    const char *line;
    size_t line_len;
    do {
        if (!next_line(buf, len, pos, &line, &line_len)) {
            return fail(why, 400, "incomplete request head");
        }
    } while (line_len == 0);
    return parse_request_line(line, line_len, h, why);
}

unsigned int ce_http_head_parse(const char *buf, size_t len, struct ce_http_head *h,
                                const char **why)
{
    memset(h, 0, sizeof *h);
    *why = "";
    size_t pos = 0;
    unsigned int st = parse_first_line(buf, len, &pos, h, why);
    if (st != 0) {
        return st;
    }
    for (;;) {
        const char *line;
        size_t line_len;
        if (!next_line(buf, len, &pos, &line, &line_len)) {
            return fail(why, 400, "incomplete request head");
        }
        if (line_len == 0) {
            break; /* the blank line; bytes after it are not the head's */
        }
        st = parse_field(line, line_len, h, why);
        if (st != 0) {
            return st;
        }
    }
    return ce_httpd_head_framing(h, why);
}

const char *ce_http_head_field(const struct ce_http_head *h, const char *name, size_t *len)
{
    for (int i = 0; i < h->n_fields; i++) {
        const struct ce_http_field *f = &h->fields[i];
        if (ce_httpd_ieq(f->name, f->name_len, name)) {
            *len = f->value_len;
            return f->value;
        }
    }
    *len = 0;
    return NULL;
}
