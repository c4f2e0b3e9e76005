/* SPDX-License-Identifier: Apache-2.0 */
/* Responses: one status line, one header block, one body, built in one place for the
 * application's answers and the server's own refusals alike. */
#include "core/base/mem.h"
#include "core/httpd/internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *httpd_reason(unsigned int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

static void httpd_date(char out[40])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A field value must not end the header block early: CR and LF become spaces. */
static void httpd_put_field(struct ce_buf *b, const char *name, const char *value)
{
    int rc = ce_buf_printf(b, "%s: ", name);
    for (const char *p = value; rc == CE_OK && *p;) {
        size_t n = strcspn(p, "\r\n");
        rc = ce_buf_append(b, p, n);
        p += n;
        if (rc == CE_OK && *p) {
            rc = ce_buf_append(b, " ", 1);
            p++;
        }
    }
    if (rc == CE_OK) {
        rc = ce_buf_puts(b, "\r\n");
    }
    (void)rc; /* the buffer has no cap */
}

static void httpd_build(struct ce_buf *b, unsigned int status, const char *date,
                        const char *connection, const struct ce_httpd_field_out *fields, int n,
                        const char *body, size_t len, bool head_only)
{
    ce_buf_init(b, 0);
    int rc = ce_buf_printf(b, "HTTP/1.1 %u %s\r\nDate: %s\r\nContent-Length: %zu\r\n", status,
                           httpd_reason(status), date, len);
    for (int i = 0; rc == CE_OK && i < n; i++) {
        httpd_put_field(b, fields[i].name, fields[i].value);
    }
    if (rc == CE_OK && connection != NULL) {
        rc = ce_buf_printf(b, "Connection: %s\r\n", connection);
    }
    if (rc == CE_OK) {
        rc = ce_buf_puts(b, "\r\n");
    }
    if (rc == CE_OK && !head_only && len > 0) {
        rc = ce_buf_append(b, body, len);
    }
    (void)rc; /* no cap: appends only fail by aborting on memory */
}

/* Whether the connection must end after this answer: the client asked, or a body is still
 * unread on it (what follows could not be told from the next request). */
static bool httpd_answer_closes(const struct ce_httpd_req *r)
{
    if (!r->head.keep_alive) {
        return true;
    }
    if (r->phase == REQ_HEAD) {
        return r->head.chunked || r->head.content_length > 0;
    }
    return r->body_over && r->drained > HTTPD_DRAIN_SLACK;
}

void ce_httpd_answer(struct ce_httpd_req *r, unsigned int status,
                     const struct ce_httpd_field_out *fields, int n_fields, const char *body,
                     size_t len)
{
    char date[40];
    httpd_date(date);
    r->answer_closes = httpd_answer_closes(r);
    bool head_only = strcmp(r->head.method, "HEAD") == 0;
    /* an HTTP/1.0 client keeps the connection only when the answer says so */
    const char *connection = r->answer_closes ? "close" : r->head.minor == 0 ? "keep-alive" : NULL;
    httpd_build(&r->answer, status, date, connection, fields, n_fields, body, len, head_only);
    httpd_conn_answered(r);
}

void httpd_answer_refusal(struct httpd_conn *c, unsigned int status, const char *why)
{
    static const struct ce_httpd_field_out type = {"Content-Type", "text/plain; charset=utf-8"};
    char date[40];
    httpd_date(date);
    struct ce_buf b;
    httpd_build(&b, status, date, "close", &type, 1, why, strlen(why), false);
    int rc = ce_buf_append(&c->out, b.data, b.len);
    (void)rc;
    ce_buf_fini(&b);
    c->must_close = true;
}

void httpd_req_free(struct ce_httpd_req *r)
{
    ce_buf_fini(&r->body);
    ce_buf_fini(&r->answer);
    ce_free(r->head_buf);
    ce_free(r->path);
    httpd_spare_give_req(r->loop, r);
}

const struct ce_http_head *ce_httpd_req_head(const struct ce_httpd_req *r)
{
    return &r->head;
}

const char *ce_httpd_req_path(const struct ce_httpd_req *r)
{
    return r->path;
}

const char *ce_httpd_req_query(const struct ce_httpd_req *r)
{
    return r->query;
}

const char *ce_httpd_req_field(const struct ce_httpd_req *r, const char *name)
{
    size_t len;
    return ce_http_head_field(&r->head, name, &len);
}

const char *ce_httpd_req_body(const struct ce_httpd_req *r, size_t *len)
{
    *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

bool ce_httpd_body_over(const struct ce_httpd_req *r)
{
    return r->body_over;
}

void ce_httpd_req_set_ctx(struct ce_httpd_req *r, void *ctx)
{
    r->ctx = ctx;
}

void *ce_httpd_req_ctx(const struct ce_httpd_req *r)
{
    return r->ctx;
}

void ce_httpd_read_body(struct ce_httpd_req *r, size_t max)
{
    r->body_wanted = true;
    r->body_max = max;
    ce_buf_init(&r->body, max);
}
