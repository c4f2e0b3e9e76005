/* SPDX-License-Identifier: Apache-2.0 */
/* core/httpd's request framing: where the head ends, the request line, header fields and the
 * framing decided from them (Host, Transfer-Encoding, Content-Length, Connection, Expect),
 * chunked bodies fed whole, byte by byte and split at every point, and path decoding. Each
 * refused form sits next to its accepted neighbour, so a parser too lenient or too strict
 * fails here. */
#include "core/httpd/parse.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A literal with its length, NUL bytes inside included. */
#define REQ(s) s, sizeof(s) - 1
#define H11 " HTTP/1.1\r\nHost: x\r\n"

struct head_case {
    const char *req;
    size_t len;
    unsigned int status; /* 0: accepted */
    const char *why;     /* the reason when refused */
};

static struct ce_http_head head; /* 8 KiB of fields: not on the stack */

/* Parses c->req (a complete head) and checks the status and reason. */
static void run_head_cases(const struct head_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct head_case *c = &cases[i];
        const char *why = NULL;
        unsigned int st = ce_http_head_parse(c->req, c->len, &head, &why);
        if (st != c->status || (c->why != NULL && strcmp(why, c->why) != 0)) {
            fail_msg("case %zu %.*s: status %u (%s), want %u (%s)", i, (int)c->len, c->req, st, why,
                     c->status, c->why ? c->why : "");
        }
    }
}

static void parse_ok(const char *req, size_t len)
{
    const char *why = NULL;
    assert_int_equal(ce_http_head_end(req, len), len);
    unsigned int st = ce_http_head_parse(req, len, &head, &why);
    if (st != 0) {
        fail_msg("%.*s: status %u (%s)", (int)len, req, st, why);
    }
}

static void test_head_end(void **state)
{
    (void)state;
    static const struct {
        const char *buf;
        size_t len;
        size_t want;
    } cases[] = {
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 27},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST"), 27},
        {REQ("GET / HTTP/1.1\nHost: x\n\n"), 24},
        {REQ("GET / HTTP/1.1\r\nHost: x\n\r\n"), 26},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n\n"), 26},
        {REQ("\r\n\r\nGET / HTTP/1.0\r\n\r\n"), 22}, /* leading empty lines are skipped */
        {REQ("\n\nGET / HTTP/1.0\n\n"), 18},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n\r"), 0},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n"), 0},
        {REQ("GET / HTTP/1.1\r\nHost: x"), 0},
        {REQ("\r\n\r\n"), 0},
        {REQ("\r"), 0},
        {REQ(""), 0},
        {REQ("GET / HTTP/1.1\r\nA: b\r\r\n\r\n"), 25}, /* a bare CR is no line end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = ce_http_head_end(cases[i].buf, cases[i].len);
        if (got != cases[i].want) {
            fail_msg("case %zu: head end %zu, want %zu", i, got, cases[i].want);
        }
    }
}

static void test_request_line(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("GET /" H11 "\r\n"), 0, NULL},
        {REQ("\r\n\r\nGET /" H11 "\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.1\nHost: x\n\n"), 0, NULL},
        {REQ("M-._~!#$%&'*+^`|0123456789abcdefghijklmnopqrstuv /" H11 "\r\n"), 400,
         "invalid method"},
        {REQ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef /" H11 "\r\n"), 0, NULL}, /* 32 chars */
        {REQ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg /" H11 "\r\n"), 400, "invalid method"},
        {REQ("G@T /" H11 "\r\n"), 400, "invalid method"},
        {REQ(" GET /" H11 "\r\n"), 400, "invalid method"},
        {REQ("GET  /" H11 "\r\n"), 400, "malformed request line"},
        {REQ("GET /  HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET /\r\nHost: x\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET\t/" H11 "\r\n"), 400, "invalid method"},
        {REQ("GET /\rx" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET / HTTP/1.1\rHost: x\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/1.1"), 400, "incomplete request head"},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n"), 400, "incomplete request head"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("POST /a/b?c=d" H11 "\r\n"));
    assert_int_equal(head.method_len, 4);
    assert_memory_equal(head.method, "POST", 4);
    assert_int_equal(head.target_len, 8);
    assert_memory_equal(head.target, "/a/b?c=d", 8);
    assert_int_equal(head.minor, 1);
}

static void test_target_forms(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("GET /a%20b?x=\x80\xff" H11 "\r\n"), 0, NULL},
        {REQ("GET /a\0b" H11 "\r\n"), 400, "NUL byte in the request target"},
        {REQ("GET /a\tb" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET /a\x7f" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET /a\x01" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET a/b" H11 "\r\n"), 400, "invalid request target"},
        {REQ("OPTIONS *" H11 "\r\n"), 0, NULL},
        {REQ("GET *" H11 "\r\n"), 400, "invalid request target"},
        {REQ("options *" H11 "\r\n"), 400, "invalid request target"},
        {REQ("OPTIONS *x" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET http://h/p" H11 "\r\n"), 0, NULL},
        {REQ("GET HTTPS://h:8443/p?q" H11 "\r\n"), 0, NULL},
        {REQ("GET http://h" H11 "\r\n"), 0, NULL},
        {REQ("GET http:///p" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET http://h?q" H11 "\r\n"), 400, "invalid request target"},
        {REQ("GET ftp://h/p" H11 "\r\n"), 400, "invalid request target"},
        {REQ("CONNECT h:443" H11 "\r\n"), 400, "invalid request target"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("GET Http://example.com:8080/hooks/a?x=1" H11 "\r\n"));
    assert_int_equal(head.target_len, 12);
    assert_memory_equal(head.target, "/hooks/a?x=1", 12);
    parse_ok(REQ("POST https://example.com" H11 "\r\n"));
    assert_int_equal(head.target_len, 1);
    assert_memory_equal(head.target, "/", 1);
}

static void test_version(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("GET / HTTP/1.0\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.7\r\nHost: x\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.7\r\n\r\n"), 400, "missing or repeated Host header"},
        {REQ("GET / HTTP/2.0\r\n\r\n"), 505, "HTTP version not supported"},
        {REQ("GET / HTTP/0.9\r\n\r\n"), 505, "HTTP version not supported"},
        {REQ("GET / HTTP/1.10\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/1\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / http/1.1\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/1,1\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/a.1\r\n\r\n"), 400, "malformed request line"},
        {REQ("GET / HTTP/1.x\r\n\r\n"), 400, "malformed request line"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("GET / HTTP/1.0\r\n\r\n"));
    assert_int_equal(head.minor, 0);
    parse_ok(REQ("GET / HTTP/1.9\r\nHost: x\r\n\r\n"));
    assert_int_equal(head.minor, 1);
}

static void test_fields(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("GET /" H11 "A: b\r\n\r\n"), 0, NULL},
        {REQ("GET /" H11 "A:\r\n\r\n"), 0, NULL},
        {REQ("GET /" H11 "A: b \t\r\n\r\n"), 0, NULL},
        {REQ("GET /" H11 "A: b\x80\xfe c\r\n\r\n"), 0, NULL},
        {REQ("GET /" H11 "A : b\r\n\r\n"), 400, "whitespace before colon"},
        {REQ("GET /" H11 "A\t: b\r\n\r\n"), 400, "whitespace before colon"},
        {REQ("GET /" H11 "A: b\r\n c\r\n\r\n"), 400, "folded header line"},
        {REQ("GET /" H11 "A: b\r\n\tc\r\n\r\n"), 400, "folded header line"},
        {REQ("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), 400, "folded header line"},
        {REQ("GET /" H11 "A: b\0c\r\n\r\n"), 400, "invalid header value"},
        {REQ("GET /" H11 "A: b\rc\r\n\r\n"), 400, "invalid header value"},
        {REQ("GET /" H11 "A: b\r\r\n\r\n"), 400, "invalid header value"},
        {REQ("GET /" H11 "A: b\x01\r\n\r\n"), 400, "invalid header value"},
        {REQ("GET /" H11 "A: b\x7f\r\n\r\n"), 400, "invalid header value"},
        {REQ("GET /" H11 ": b\r\n\r\n"), 400, "invalid header name"},
        {REQ("GET /" H11 "A(b: c\r\n\r\n"), 400, "invalid header name"},
        {REQ("GET /" H11 "A\rb: c\r\n\r\n"), 400, "invalid header name"},
        {REQ("GET /" H11 "Ab\r\n\r\n"), 400, "malformed header line"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Pad: \t a b \t\r\n"
                 "x-pad: second\r\n\r\n"));
    assert_int_equal(head.n_fields, 4);
    assert_int_equal(head.fields[1].name_len, 7);
    assert_memory_equal(head.fields[1].name, "X-Empty", 7);
    assert_int_equal(head.fields[1].value_len, 0);
    size_t len = 99;
    const char *v = ce_http_head_field(&head, "X-PAD", &len);
    assert_non_null(v);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "a b", 3);
    v = ce_http_head_field(&head, "x-empty", &len);
    assert_non_null(v);
    assert_int_equal(len, 0);
    assert_null(ce_http_head_field(&head, "X-Pa", &len));
    assert_null(ce_http_head_field(&head, "X-Missing", &len));
    assert_int_equal(len, 0);
}

/* A request with n fields "F<i>: v" after Host. */
static size_t many_fields(char *buf, size_t cap, int n)
{
    size_t len = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, cap - len, "F%d: v\r\n", i);
    }
    len += (size_t)snprintf(buf + len, cap - len, "\r\n");
    assert_true(len < cap);
    return len;
}

static void test_field_count(void **state)
{
    (void)state;
    static char buf[8192];
    const char *why = NULL;
    size_t len = many_fields(buf, sizeof buf, CE_HTTP_MAX_HEADERS - 1);
    assert_int_equal(ce_http_head_parse(buf, len, &head, &why), 0);
    assert_int_equal(head.n_fields, CE_HTTP_MAX_HEADERS);
    len = many_fields(buf, sizeof buf, CE_HTTP_MAX_HEADERS);
    assert_int_equal(ce_http_head_parse(buf, len, &head, &why), 431);
    assert_string_equal(why, "too many header fields");
}

static void test_host(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("GET / HTTP/1.1\r\n\r\n"), 400, "missing or repeated Host header"},
        {REQ("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400,
         "missing or repeated Host header"},
        {REQ("GET / HTTP/1.1\r\nHOST: a\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0, NULL},
        {REQ("GET http://h/ HTTP/1.1\r\n\r\n"), 400, "missing or repeated Host header"},
        {REQ("GET / HTTP/1.0\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.0\r\nHost: a\r\n\r\n"), 0, NULL},
        {REQ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400,
         "missing or repeated Host header"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_transfer_encoding(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "transfer-encoding:  CHUNKED \r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Transfer-Encoding: gzip\r\n\r\n"), 501, "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: chunked, gzip\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: identity\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: chunked, chunked\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding:\r\n\r\n"), 400, "invalid Transfer-Encoding"},
        {REQ("POST /" H11 "Transfer-Encoding: chunked,\r\n\r\n"), 400, "invalid Transfer-Encoding"},
        {REQ("POST /" H11 "Transfer-Encoding: chunk\r\n\r\n"), 501,
         "transfer coding not supported"},
        {REQ("POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), 400,
         "both Transfer-Encoding and Content-Length"},
        {REQ("POST /" H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), 400,
         "both Transfer-Encoding and Content-Length"},
        {REQ("POST /" H11 "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n"), 400,
         "both Transfer-Encoding and Content-Length"},
        {REQ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400,
         "Transfer-Encoding on an HTTP/1.0 request"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("POST /" H11 "Transfer-Encoding: chunked\r\n\r\n"));
    assert_true(head.chunked);
    assert_int_equal(head.content_length, 0);
    parse_ok(REQ("POST /" H11 "\r\n"));
    assert_false(head.chunked);
}

static void test_content_length(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("POST /" H11 "Content-Length: 7\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Content-Length: -1\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length: +7\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length: 0x10\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length: 1 0\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length:\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length: 7,\r\n\r\n"), 400, "invalid Content-Length"},
        {REQ("POST /" H11 "Content-Length: 99999999999999999999\r\n\r\n"), 413,
         "Content-Length too large"},
        {REQ("POST /" H11 "Content-Length: 9223372036854775808\r\n\r\n"), 413,
         "Content-Length too large"},
        {REQ("POST /" H11 "Content-Length: 9223372036854775807\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Content-Length: 7\r\nContent-Length: 3\r\n\r\n"), 400,
         "conflicting Content-Length headers"},
        {REQ("POST /" H11 "Content-Length: 7\r\nContent-Length: 7\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Content-Length: 7, 7\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Content-Length: 7,3\r\n\r\n"), 400,
         "conflicting Content-Length headers"},
        {REQ("POST /" H11 "Content-Length: 7\r\nContent-Length: 07\r\n\r\n"), 0, NULL},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("POST /" H11 "Content-Length: 7, 7\r\nContent-Length: 007\r\n\r\n"));
    assert_int_equal(head.content_length, 7);
    parse_ok(REQ("POST /" H11 "Content-Length: 9223372036854775807\r\n\r\n"));
    assert_true(head.content_length == (uint64_t)INT64_MAX);
    parse_ok(REQ("GET /" H11 "\r\n"));
    assert_int_equal(head.content_length, 0);
}

static void test_connection(void **state)
{
    (void)state;
    static const struct {
        const char *req;
        size_t len;
        bool keep_alive;
    } cases[] = {
        {REQ("GET /" H11 "\r\n"), true},
        {REQ("GET /" H11 "Connection: close\r\n\r\n"), false},
        {REQ("GET /" H11 "Connection: Upgrade, CLOSE\r\n\r\n"), false},
        {REQ("GET /" H11 "Connection: keep-alive\r\nConnection: close\r\n\r\n"), false},
        {REQ("GET /" H11 "Connection: closed\r\n\r\n"), true},
        {REQ("GET / HTTP/1.0\r\n\r\n"), false},
        {REQ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), true},
        {REQ("GET / HTTP/1.0\r\nConnection: foo,keep-alive\r\n\r\n"), true},
        {REQ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        parse_ok(cases[i].req, cases[i].len);
        if (head.keep_alive != cases[i].keep_alive) {
            fail_msg("case %zu: keep_alive %d", i, head.keep_alive);
        }
    }
}

static void test_expect(void **state)
{
    (void)state;
    static const struct head_case cases[] = {
        {REQ("POST /" H11 "Expect: 100-continue\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Expect: 100-Continue\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Expect:\r\n\r\n"), 0, NULL},
        {REQ("POST /" H11 "Expect: 100-continue, foo\r\n\r\n"), 417, "unsupported expectation"},
        {REQ("POST /" H11 "Expect: 200-ok\r\n\r\n"), 417, "unsupported expectation"},
        {REQ("POST / HTTP/1.0\r\nExpect: 200-ok\r\n\r\n"), 417, "unsupported expectation"},
    };
    run_head_cases(cases, sizeof cases / sizeof cases[0]);
    parse_ok(REQ("POST /" H11 "Expect: 100-CONTINUE\r\nContent-Length: 3\r\n\r\n"));
    assert_true(head.expect_continue);
    parse_ok(REQ("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
    assert_false(head.expect_continue);
    parse_ok(REQ("POST /" H11 "Content-Length: 3\r\n\r\n"));
    assert_false(head.expect_continue);
}

/* ---- chunked bodies ---- */

struct chunk_out {
    char data[1024];
    size_t len;
    size_t used; /* input consumed in all */
    enum ce_http_chunk_step last;
    const char *why;
};

/* Feeds in[from..to) to c until it is used up or the body ends. Returns false once ended. */
static bool chunk_feed(struct ce_http_chunked *c, const char *in, size_t from, size_t to,
                       struct chunk_out *o)
{
    while (from < to || o->last == CE_HTTP_CHUNK_DATA) {
        size_t used = 0, dlen = 0;
        const char *data = NULL;
        o->last = ce_http_chunked_step(c, in + from, to - from, &used, &data, &dlen, &o->why);
        assert_true(used <= to - from);
        from += used;
        o->used += used;
        if (o->last == CE_HTTP_CHUNK_DATA) {
            assert_true(data >= in && data + dlen <= in + to && dlen > 0);
            assert_true(o->len + dlen <= sizeof o->data);
            memcpy(o->data + o->len, data, dlen);
            o->len += dlen;
            continue;
        }
        if (o->last != CE_HTTP_CHUNK_MORE) {
            return false;
        }
        assert_int_equal(from, to); /* MORE uses all of the input */
    }
    return true;
}

/* Decodes in[0..len) fed in pieces of at most step bytes (0: whole), or split once at split. */
static void chunk_decode(const char *in, size_t len, size_t step, size_t split, struct chunk_out *o)
{
    struct ce_http_chunked c = {0};
    memset(o, 0, sizeof *o);
    if (step == 0) {
        if (chunk_feed(&c, in, 0, split, o)) {
            chunk_feed(&c, in, split, len, o);
        }
        return;
    }
    for (size_t from = 0; from < len; from += step) {
        size_t to = from + step < len ? from + step : len;
        if (!chunk_feed(&c, in, from, to, o)) {
            return;
        }
    }
}

static const char chunked_body[] = "5;name=value;x=\"q;\"\r\nhello\r\n"
                                   "19\r\n, this is a chunked body \r\n"
                                   "3 ; ext\r\nabc\n"
                                   "0000000000000a\r\n0123456789\r\n"
                                   "0;last\r\nTrailer-A: 1\r\nTrailer-B:  two\r\n\r\n";
static const char chunked_data[] = "hello, this is a chunked body abc0123456789";

static void expect_body(const struct chunk_out *o, size_t used, const char *what)
{
    if (o->last != CE_HTTP_CHUNK_DONE || o->len != strlen(chunked_data) ||
        memcmp(o->data, chunked_data, o->len) != 0 || o->used != used) {
        fail_msg("%s: step %d (%s), %zu bytes used of %zu, data %.*s", what, o->last,
                 o->why ? o->why : "", o->used, used, (int)o->len, o->data);
    }
}

static void test_chunked_splits(void **state)
{
    (void)state;
    size_t len = sizeof chunked_body - 1;
    struct chunk_out o;
    chunk_decode(chunked_body, len, 0, len, &o);
    expect_body(&o, len, "whole");
    chunk_decode(chunked_body, len, 1, 0, &o);
    expect_body(&o, len, "one byte at a time");
    chunk_decode(chunked_body, len, 7, 0, &o);
    expect_body(&o, len, "seven bytes at a time");
    for (size_t split = 0; split <= len; split++) {
        chunk_decode(chunked_body, len, 0, split, &o);
        char what[32];
        snprintf(what, sizeof what, "split at %zu", split);
        expect_body(&o, len, what);
    }
    /* LF-only line ends and no trailers */
    static const char lf[] = "3\nabc\n0\n\n";
    chunk_decode(lf, sizeof lf - 1, 1, 0, &o);
    assert_int_equal(o.last, CE_HTTP_CHUNK_DONE);
    assert_int_equal(o.len, 3);
    assert_int_equal(o.used, sizeof lf - 1);
    /* an empty body; 15 digits is the most a size may have */
    static const char empty[] = "000000000000000\r\n\r\n";
    chunk_decode(empty, sizeof empty - 1, 0, 5, &o);
    assert_int_equal(o.last, CE_HTTP_CHUNK_DONE);
    assert_int_equal(o.len, 0);
}

static void test_chunked_pipelined(void **state)
{
    (void)state;
    static const char in[] = "3\r\nabc\r\n0\r\nT: 1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t body = strlen("3\r\nabc\r\n0\r\nT: 1\r\n\r\n");
    struct chunk_out o;
    for (size_t split = 0; split <= sizeof in - 1; split++) {
        chunk_decode(in, sizeof in - 1, 0, split, &o);
        assert_int_equal(o.last, CE_HTTP_CHUNK_DONE);
        assert_int_equal(o.used, body);
        assert_int_equal(o.len, 3);
    }
    chunk_decode(in, sizeof in - 1, 1, 0, &o);
    assert_int_equal(o.used, body);
    /* DONE is sticky and uses nothing more */
    struct ce_http_chunked c = {0};
    size_t used, dlen;
    const char *data, *why;
    assert_int_equal(ce_http_chunked_step(&c, REQ("0\r\n\r\n"), &used, &data, &dlen, &why),
                     CE_HTTP_CHUNK_DONE);
    assert_int_equal(used, 5);
    assert_int_equal(ce_http_chunked_step(&c, REQ("0\r\n\r\n"), &used, &data, &dlen, &why),
                     CE_HTTP_CHUNK_DONE);
    assert_int_equal(used, 0);
}

static void test_chunked_errors(void **state)
{
    (void)state;
    static char big_ext[5000], big_trailer[70000];
    size_t n = (size_t)snprintf(big_ext, sizeof big_ext, "1;");
    memset(big_ext + n, 'x', 4100);
    memcpy(big_ext + n + 4100, "\r\na\r\n0\r\n\r\n", 10);
    n = (size_t)snprintf(big_trailer, sizeof big_trailer, "0\r\nT: ");
    memset(big_trailer + n, 'y', 65540);
    memcpy(big_trailer + n + 65540, "\r\n\r\n", 4);
    static const struct {
        const char *in;
        size_t len;
        const char *why;
    } cases[] = {
        {REQ("1234567890abcdef\r\n"), "chunk size too large"},
        {REQ("\r\n"), "invalid chunk size"},
        {REQ(";x\r\n"), "invalid chunk size"},
        {REQ("-1\r\n"), "invalid chunk size"},
        {REQ("0x5\r\nhello\r\n"), "invalid chunk size"},
        {REQ("5 \r\nhello\r\n"), "invalid chunk size"},
        {REQ("5\rhello\r\n"), "bare CR in the chunk size line"},
        {REQ("5;a\rb\r\nhello\r\n"), "bare CR in the chunk size line"},
        {REQ("5;a\0\r\nhello\r\n"), "invalid chunk extension"},
        {REQ("5\r\nhelloX\r\n"), "missing CRLF after chunk data"},
        {REQ("5\r\nhello\rX"), "missing CRLF after chunk data"},
        {REQ("5\r\nhello0\r\n\r\n"), "missing CRLF after chunk data"},
        {REQ("0\r\nT: 1\rX\r\n\r\n"), "bare CR in the trailers"},
        {REQ("0\r\n\rX"), "bare CR in the trailers"},
        {REQ("0\r\nT: \x01\r\n\r\n"), "invalid trailer"},
        {big_ext, 0, "chunk size line too long"},
        {big_trailer, 0, "trailers too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        struct chunk_out whole, bytes;
        chunk_decode(cases[i].in, len, 0, len, &whole);
        chunk_decode(cases[i].in, len, 1, 0, &bytes);
        if (whole.last != CE_HTTP_CHUNK_BAD || strcmp(whole.why, cases[i].why) != 0 ||
            bytes.last != CE_HTTP_CHUNK_BAD || strcmp(bytes.why, cases[i].why) != 0 ||
            whole.used != bytes.used) {
            fail_msg("case %zu: %d (%s) / %d (%s), want BAD (%s)", i, whole.last, whole.why,
                     bytes.last, bytes.why, cases[i].why);
        }
    }
    /* the limits themselves are accepted: 4096 bytes of size line, 64 KiB of trailers */
    n = (size_t)snprintf(big_ext, sizeof big_ext, "1;");
    memset(big_ext + n, 'x', 4096 - n);
    memcpy(big_ext + 4096, "\r\na\r\n0\r\n\r\n", 10);
    struct chunk_out o;
    chunk_decode(big_ext, 4106, 0, 4106, &o);
    assert_int_equal(o.last, CE_HTTP_CHUNK_DONE);
    n = (size_t)snprintf(big_trailer, sizeof big_trailer, "0\r\nT: ");
    size_t fill = 64 * 1024 - (n - 3) - 4;
    memset(big_trailer + n, 'y', fill);
    memcpy(big_trailer + n + fill, "\r\n\r\n", 4);
    chunk_decode(big_trailer, n + fill + 4, 0, 3, &o);
    assert_int_equal(o.last, CE_HTTP_CHUNK_DONE);
    /* BAD is sticky */
    struct ce_http_chunked c = {0};
    size_t used, dlen;
    const char *data, *why;
    assert_int_equal(ce_http_chunked_step(&c, REQ("x"), &used, &data, &dlen, &why),
                     CE_HTTP_CHUNK_BAD);
    assert_int_equal(ce_http_chunked_step(&c, REQ("0\r\n\r\n"), &used, &data, &dlen, &why),
                     CE_HTTP_CHUNK_BAD);
    assert_int_equal(used, 0);
}

static void test_path_decode(void **state)
{
    (void)state;
    static const struct {
        const char *target;
        size_t len;
        size_t cap;
        const char *want; /* NULL: refused */
    } cases[] = {
        {REQ("/a/b?c=%zz"), 64, "/a/b"},
        {REQ("/a%20b%2Fc%2f"), 64, "/a b/c/"},
        {REQ("/a+b"), 64, "/a+b"},
        {REQ("/%C3%A9"), 64, "/\xc3\xa9"},
        {REQ("/a%2"), 64, NULL},
        {REQ("/a%2?x"), 64, NULL},
        {REQ("/a%"), 64, NULL},
        {REQ("/a%g0"), 64, NULL},
        {REQ("/a%0g"), 64, NULL},
        {REQ("/a%00b"), 64, NULL},
        {REQ("/abc"), 5, "/abc"},
        {REQ("/abcd"), 5, NULL},
        {REQ("/a%41"), 4, "/aA"},
        {REQ(""), 1, ""},
        {REQ("/"), 0, NULL},
        {REQ("?q"), 8, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        memset(out, 'Z', sizeof out);
        bool ok = ce_http_path_decode(cases[i].target, cases[i].len, out, cases[i].cap);
        if (ok != (cases[i].want != NULL) || (ok && strcmp(out, cases[i].want) != 0)) {
            fail_msg("case %zu %s: %d %s", i, cases[i].target, ok, ok ? out : "");
        }
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_end),
        cmocka_unit_test(test_request_line),
        cmocka_unit_test(test_target_forms),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_field_count),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_transfer_encoding),
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_connection),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_chunked_splits),
        cmocka_unit_test(test_chunked_pipelined),
        cmocka_unit_test(test_chunked_errors),
        cmocka_unit_test(test_path_decode),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
