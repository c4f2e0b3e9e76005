/* SPDX-License-Identifier: Apache-2.0 */
/* Chunked bodies (RFC 9112 7.1), one byte at a time outside chunk data, so that input split
 * anywhere decodes the same. The size line is capped, and so are the trailers (read and
 * dropped): a peer cannot make the server hold or scan without end. */
#include "core/httpd/parse.h"
#include "core/httpd/parse_int.h"
#include "core/base/hex.h"

/* A state of zero is the start: a zeroed struct ce_http_chunked is ready to use. */
enum {
    ST_SIZE = 0,   /* hex digits of the chunk size (line_len: the digits so far) */
    ST_SIZE_WS,    /* whitespace after the size, before a ';' */
    ST_EXT,        /* a chunk extension, ignored up to the line end */
    ST_SIZE_LF,    /* a CR ended the size line: LF must follow */
    ST_DATA,       /* left bytes of chunk data to come */
    ST_DATA_CR,    /* the line end after chunk data */
    ST_DATA_LF,    /* its LF after a CR */
    ST_TRAILER,    /* a trailer line (line_len: its bytes so far; 0 at a line start) */
    ST_TRAILER_LF, /* a CR ended a trailer line: LF must follow */
    ST_DONE,
    ST_BAD,
};

#define SIZE_DIGITS_MAX 15
#define SIZE_LINE_MAX 4096 /* the size and its extensions, line end not counted */
#define TRAILERS_MAX (64 * 1024)

enum byte_result { BYTE_OK, BYTE_DONE, BYTE_BAD };

static enum byte_result bad(struct ce_http_chunked *c, const char **why, const char *reason)
{
    c->state = ST_BAD;
    *why = reason;
    return BYTE_BAD;
}

/* The size line is over: data follows, or the trailers after the last chunk. */
static enum byte_result size_line_end(struct ce_http_chunked *c)
{
    c->line_len = 0;
    c->state = c->left > 0 ? ST_DATA : ST_TRAILER;
    return BYTE_OK;
}

/* A byte after the size's digits: whitespace, a ';' starting an extension, or the line end. */
static enum byte_result size_line_rest(struct ce_http_chunked *c, unsigned char ch,
                                       const char **why)
{
    if (ch == ';') {
        c->state = ST_EXT;
        return BYTE_OK;
    }
    if (ch == ' ' || ch == '\t') {
        c->state = ST_SIZE_WS;
        return BYTE_OK;
    }
    if (c->state == ST_SIZE && ch == '\r') {
        c->state = ST_SIZE_LF;
        return BYTE_OK;
    }
    if (c->state == ST_SIZE && ch == '\n') {
        return size_line_end(c);
    }
    return bad(c, why, "invalid chunk size");
}

static enum byte_result size_byte(struct ce_http_chunked *c, unsigned char ch, const char **why)
{
    bool line_end = ch == '\r' || ch == '\n'; /* not counted against the cap */
    if (!line_end && ++c->line_len > SIZE_LINE_MAX) {
        return bad(c, why, "chunk size line too long");
    }
    if (c->state == ST_SIZE) {
        int d = ce_hex_digit(ch);
        if (d >= 0) {
            if (c->line_len > SIZE_DIGITS_MAX) {
                return bad(c, why, "chunk size too large");
            }
            c->left = c->left * 16 + (uint64_t)d;
            return BYTE_OK;
        }
        size_t digits = line_end ? c->line_len : c->line_len - 1;
        if (digits == 0) {
            return bad(c, why, "invalid chunk size");
        }
        return size_line_rest(c, ch, why);
    }
    if (c->state == ST_SIZE_WS) {
        return size_line_rest(c, ch, why);
    }
    /* ST_EXT: ignored up to the line end; control bytes other than HTAB are refused */
    if (ch == '\r') {
        c->state = ST_SIZE_LF;
        return BYTE_OK;
    }
    if (ch == '\n') {
        return size_line_end(c);
    }
    return ce_httpd_is_value_byte(ch) ? BYTE_OK : bad(c, why, "invalid chunk extension");
}

static enum byte_result trailer_byte(struct ce_http_chunked *c, unsigned char ch, const char **why)
{
    if (++c->trailers > TRAILERS_MAX) {
        return bad(c, why, "trailers too large");
    }
    if (c->state == ST_TRAILER_LF) {
        if (ch != '\n') {
            return bad(c, why, "bare CR in the trailers");
        }
        if (c->line_len == 0) {
            c->state = ST_DONE;
            return BYTE_DONE;
        }
        c->line_len = 0;
        c->state = ST_TRAILER;
        return BYTE_OK;
    }
    if (ch == '\r') {
        c->state = ST_TRAILER_LF;
        return BYTE_OK;
    }
    if (ch == '\n') {
        if (c->line_len == 0) {
            c->state = ST_DONE;
            return BYTE_DONE;
        }
        c->line_len = 0;
        return BYTE_OK;
    }
    if (!ce_httpd_is_value_byte(ch)) {
        return bad(c, why, "invalid trailer");
    }
    c->line_len++;
    return BYTE_OK;
}

static enum byte_result data_end_byte(struct ce_http_chunked *c, unsigned char ch, const char **why)
{
    if (c->state == ST_DATA_CR && ch == '\r') {
        c->state = ST_DATA_LF;
        return BYTE_OK;
    }
    if (ch != '\n') {
        return bad(c, why, "missing CRLF after chunk data");
    }
    c->state = ST_SIZE;
    c->line_len = 0;
    c->left = 0;
    return BYTE_OK;
}

static enum byte_result one_byte(struct ce_http_chunked *c, unsigned char ch, const char **why)
{
    switch (c->state) {
    case ST_SIZE:
    case ST_SIZE_WS:
    case ST_EXT:
        return size_byte(c, ch, why);
    case ST_SIZE_LF:
        return ch == '\n' ? size_line_end(c) : bad(c, why, "bare CR in the chunk size line");
    case ST_DATA_CR:
    case ST_DATA_LF:
        return data_end_byte(c, ch, why);
    case ST_TRAILER:
    case ST_TRAILER_LF:
        return trailer_byte(c, ch, why);
    default:
        return bad(c, why, "malformed chunked body");
    }
}

enum ce_http_chunk_step ce_http_chunked_step(struct ce_http_chunked *c, const char *in, size_t len,
                                             size_t *used, const char **data, size_t *data_len,
                                             const char **why)
{
    *used = 0;
    *data = NULL;
    *data_len = 0;
    *why = "";
    if (c->state == ST_DONE) {
        return CE_HTTP_CHUNK_DONE;
    }
    if (c->state == ST_BAD) {
        *why = "malformed chunked body";
        return CE_HTTP_CHUNK_BAD;
    }
    for (size_t i = 0; i < len;) {
        if (c->state == ST_DATA) {
            size_t n = c->left < len - i ? (size_t)c->left : len - i;
            c->left -= n;
            if (c->left == 0) {
                c->state = ST_DATA_CR;
            }
            *data = in + i;
            *data_len = n;
            *used = i + n;
            return CE_HTTP_CHUNK_DATA;
        }
        enum byte_result r = one_byte(c, (unsigned char)in[i++], why);
        if (r != BYTE_OK) {
            *used = i;
            return r == BYTE_DONE ? CE_HTTP_CHUNK_DONE : CE_HTTP_CHUNK_BAD;
        }
    }
    *used = len;
    return CE_HTTP_CHUNK_MORE;
}
