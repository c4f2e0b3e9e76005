/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes core/httpd's request framing. The head parser must point only into its input and
 * report a known status, the same with or without the bytes after the head; the chunked decoder
 * must give the same data, result and consumed length whether the input comes whole or split at a
 * point taken from the data, and must never consume more than it was given. */
#include "core/httpd/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ce_http_head head, head_all;

static void fuzz_check_span(const char *p, size_t n, const char *in, size_t len)
{
    if (n > 0 && (p == NULL || p < in || n > len || p > in + len - n)) {
        abort();
    }
}

static void fuzz_head(const char *in, size_t len)
{
    size_t end = ce_http_head_end(in, len);
    if (end > len) {
        abort();
    }
    const char *why = NULL;
    unsigned int st = ce_http_head_parse(in, end ? end : len, &head, &why);
    if (why == NULL) {
        abort();
    }
    /* the head ends where ce_http_head_end says: what follows changes nothing */
    const char *why_all = NULL;
    if (end > 0 && ce_http_head_parse(in, len, &head_all, &why_all) != st) {
        abort();
    }
    if (st != 0) {
        if (st != 400 && st != 413 && st != 417 && st != 431 && st != 501 && st != 505) {
            abort();
        }
        return;
    }
    fuzz_check_span(head.method, head.method_len, in, len);
    if (!(head.target_len == 1 && head.target[0] == '/')) {
        fuzz_check_span(head.target, head.target_len, in, len);
    }
    if (head.n_fields < 0 || head.n_fields > CE_HTTP_MAX_HEADERS) {
        abort();
    }
    for (int i = 0; i < head.n_fields; i++) {
        fuzz_check_span(head.fields[i].name, head.fields[i].name_len, in, len);
        fuzz_check_span(head.fields[i].value, head.fields[i].value_len, in, len);
    }
    char path[256];
    (void)ce_http_path_decode(head.target, head.target_len, path, sizeof path);
}

struct fuzz_body {
    uint8_t *data;
    size_t len;
    size_t used;
    enum ce_http_chunk_step last;
};

/* Feeds in[from..to); false once the body ended or failed. */
static bool fuzz_feed(struct ce_http_chunked *c, const char *in, size_t from, size_t to,
                      struct fuzz_body *b)
{
    for (;;) {
        size_t used = 0, dlen = 0;
        const char *d = NULL, *why = NULL;
        b->last = ce_http_chunked_step(c, in + from, to - from, &used, &d, &dlen, &why);
        if (used > to - from || why == NULL) {
            abort();
        }
        from += used;
        b->used += used;
        if (b->last != CE_HTTP_CHUNK_DATA) {
            if (b->last == CE_HTTP_CHUNK_MORE && from != to) {
                abort();
            }
            return b->last == CE_HTTP_CHUNK_MORE;
        }
        fuzz_check_span(d, dlen, in + from - used, used);
        memcpy(b->data + b->len, d, dlen);
        b->len += dlen;
    }
}

static void fuzz_chunked(const char *in, size_t len, size_t split, struct fuzz_body *b)
{
    struct ce_http_chunked c = {0};
    if (fuzz_feed(&c, in, 0, split, b)) {
        fuzz_feed(&c, in, split, len, b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    fuzz_head(in, size);

    /* data sizes are at most the input's, so size bytes hold all decoded data */
    struct fuzz_body whole = {malloc(size + 1), 0, 0, 0};
    struct fuzz_body split = {malloc(size + 1), 0, 0, 0};
    if (whole.data == NULL || split.data == NULL) {
        abort();
    }
    size_t at = size > 0 ? (size_t)data[0] * 257 % (size + 1) : 0;
    fuzz_chunked(in, size, size, &whole);
    fuzz_chunked(in, size, at, &split);
    if (whole.last != split.last || whole.used != split.used) {
        abort();
    }
    if (whole.len != split.len || memcmp(whole.data, split.data, whole.len) != 0) {
        abort();
    }
    free(whole.data);
    free(split.data);
    return 0;
}
