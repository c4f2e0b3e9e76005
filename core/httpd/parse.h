/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP/1.1 request framing for cevents' own HTTP server: the head (request line and header
 * block) and chunked bodies. Strict where a lenient reading lets two parties disagree on where a
 * request ends (request smuggling): such input is refused with a status, never guessed at.
 * Pure functions over caller-owned buffers; no allocation, no I/O. */
#ifndef CE_CORE_HTTPD_PARSE_H
#define CE_CORE_HTTPD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most header fields a request may carry; more is answered 431. */
#define CE_HTTP_MAX_HEADERS 256

struct ce_http_field {
    const char *name; /* into the caller's buffer, not NUL-terminated */
    size_t name_len;
    const char *value; /* OWS trimmed both sides */
    size_t value_len;
};

struct ce_http_head {
    const char *method; /* into the buffer */
    size_t method_len;
    const char *target; /* as sent: path and query, not decoded */
    size_t target_len;
    int minor; /* HTTP/1.<minor>: 0 or 1 */
    struct ce_http_field fields[CE_HTTP_MAX_HEADERS];
    int n_fields;
    /* Framing, decided from the fields: */
    bool chunked;            /* Transfer-Encoding: chunked */
    uint64_t content_length; /* valid when !chunked; 0 when no Content-Length */
    bool keep_alive;         /* 1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
    bool expect_continue;    /* "Expect: 100-continue" */
};

/* Where the head in buf[0..len) ends: the length through the blank line ("\r\n\r\n"; a bare
 * "\n" line end is taken too), 0 when it is not complete yet. Leading empty lines before the
 * request line (RFC 9112 2.2) are part of the head. */
size_t ce_http_head_end(const char *buf, size_t len);

/* Parses the complete head buf[0..len) (len from ce_http_head_end) into *h. Returns 0, or the
 * status to answer (400, 413, 417, 431, 501, 505) with *why set to a short static reason.
 * Bytes after the blank line are not looked at. For an absolute-form target
 * ("http://host/p?q") h->target is its path and query ("/p?q", or a static "/"). */
unsigned int ce_http_head_parse(const char *buf, size_t len, struct ce_http_head *h,
                                const char **why);

/* The first field named name (case-insensitive), or NULL; its value's length in *len. */
const char *ce_http_head_field(const struct ce_http_head *h, const char *name, size_t *len);

/* Decodes a chunked body as it arrives. Zero it before the first call. */
struct ce_http_chunked {
    int state;
    uint64_t left;   /* bytes of the current chunk still to come */
    size_t line_len; /* bytes of the current size/trailer line seen (capped) */
    size_t trailers; /* trailer bytes seen (capped) */
};

enum ce_http_chunk_step {
    CE_HTTP_CHUNK_MORE = 0, /* all of the input was used; feed more */
    CE_HTTP_CHUNK_DATA,     /* *data and *data_len are body data (points into the input) */
    CE_HTTP_CHUNK_DONE,     /* the body ended (last chunk and trailers read) */
    CE_HTTP_CHUNK_BAD,      /* malformed: answer 400 with *why */
};

/* Reads from in[0..len); *used is how much was consumed (always set). Call again with the rest
 * while it returns DATA. Trailers are read and dropped. */
enum ce_http_chunk_step ce_http_chunked_step(struct ce_http_chunked *c, const char *in, size_t len,
                                             size_t *used, const char **data, size_t *data_len,
                                             const char **why);

/* Decodes the path part of a request target (up to '?') into out (capacity cap, NUL-terminated):
 * %XX escapes decoded. Returns false for a bad escape, a decoded NUL or a path longer than cap-1.
 */
bool ce_http_path_decode(const char *target, size_t len, char *out, size_t cap);

#endif
