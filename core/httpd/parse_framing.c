/* SPDX-License-Identifier: Apache-2.0 */
/* The request's framing from its fields: Host, Transfer-Encoding, Content-Length, Connection
 * and Expect. Every field of a name counts, not only the first: a proxy in front may read a
 * different one, so disagreeing copies are refused rather than one picked. */
#include "core/httpd/parse_int.h"

#include <stdint.h>

struct framing_seen {
    int hosts;
    bool te;
    bool cl;
    bool close;
    bool keep_alive;
};

static unsigned int fail(const char **why, unsigned int status, const char *reason)
{
    *why = reason;
    return status;
}

/* One Transfer-Encoding field: only "chunked", once over all fields. */
static unsigned int transfer_encoding(struct ce_http_head *h, const struct ce_http_field *f,
                                      const char **why)
{
    size_t pos = 0;
    const char *item;
    size_t n;
    while (ce_httpd_list_next(f->value, f->value_len, &pos, &item, &n)) {
        if (n == 0) {
            return fail(why, 400, "invalid Transfer-Encoding");
        }
        if (!ce_httpd_ieq(item, n, "chunked") || h->chunked) {
            /* another coding, or chunked applied twice */
            return fail(why, 501, "transfer coding not supported");
        }
        h->chunked = true;
    }
    return 0;
}

/* One Content-Length field, possibly a list ("7, 7"): every element equal to the others seen. */
static unsigned int content_length(struct ce_http_head *h, const struct ce_http_field *f,
                                   bool *seen, const char **why)
{
    size_t pos = 0;
    const char *item;
    size_t n;
    while (ce_httpd_list_next(f->value, f->value_len, &pos, &item, &n)) {
        if (n == 0) {
            return fail(why, 400, "invalid Content-Length");
        }
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
            if (item[i] < '0' || item[i] > '9') {
                return fail(why, 400, "invalid Content-Length");
            }
            uint64_t d = (uint64_t)(item[i] - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10) {
                return fail(why, 413, "Content-Length too large");
            }
            v = v * 10 + d;
        }
        if (*seen && v != h->content_length) {
            return fail(why, 400, "conflicting Content-Length headers");
        }
        h->content_length = v;
        *seen = true;
    }
    return 0;
}

static void connection(const struct ce_http_field *f, struct framing_seen *s)
{
    size_t pos = 0;
    const char *item;
    size_t n;
    while (ce_httpd_list_next(f->value, f->value_len, &pos, &item, &n)) {
        if (ce_httpd_ieq(item, n, "close")) {
            s->close = true;
        }
        else if (ce_httpd_ieq(item, n, "keep-alive")) {
            s->keep_alive = true;
        }
    }
}

/* "100-continue" is the only expectation; an empty Expect is no expectation (as Go's server). */
static unsigned int expect(struct ce_http_head *h, const struct ce_http_field *f, const char **why)
{
    if (f->value_len == 0) {
        return 0;
    }
    if (!ce_httpd_ieq(f->value, f->value_len, "100-continue")) {
        return fail(why, 417, "unsupported expectation");
    }
    h->expect_continue = h->minor >= 1; /* a 1.0 client does not wait for 100 */
    return 0;
}

static unsigned int one_field(struct ce_http_head *h, const struct ce_http_field *f,
                              struct framing_seen *s, const char **why)
{
    if (ce_httpd_ieq(f->name, f->name_len, "host")) {
        s->hosts++;
    }
    else if (ce_httpd_ieq(f->name, f->name_len, "transfer-encoding")) {
        s->te = true; /* read after the loop, once Content-Length is known */
    }
    else if (ce_httpd_ieq(f->name, f->name_len, "content-length")) {
        return content_length(h, f, &s->cl, why);
    }
    else if (ce_httpd_ieq(f->name, f->name_len, "connection")) {
        connection(f, s);
    }
    else if (ce_httpd_ieq(f->name, f->name_len, "expect")) {
        return expect(h, f, why);
    }
    return 0;
}

unsigned int ce_httpd_head_framing(struct ce_http_head *h, const char **why)
{
    struct framing_seen s = {0};
    for (int i = 0; i < h->n_fields; i++) {
        unsigned int st = one_field(h, &h->fields[i], &s, why);
        if (st != 0) {
            return st;
        }
    }
    if (s.hosts > 1 || (h->minor >= 1 && s.hosts == 0)) {
        return fail(why, 400, "missing or repeated Host header");
    }
    if (s.te && s.cl) {
        return fail(why, 400, "both Transfer-Encoding and Content-Length");
    }
    if (s.te && h->minor == 0) {
        return fail(why, 400, "Transfer-Encoding on an HTTP/1.0 request");
    }
    for (int i = 0; s.te && i < h->n_fields; i++) {
        const struct ce_http_field *f = &h->fields[i];
        if (ce_httpd_ieq(f->name, f->name_len, "transfer-encoding")) {
            unsigned int st = transfer_encoding(h, f, why);
            if (st != 0) {
                return st;
            }
        }
    }
    h->keep_alive = !s.close && (h->minor >= 1 || s.keep_alive);
    return 0;
}
