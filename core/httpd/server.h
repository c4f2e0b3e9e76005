/* SPDX-License-Identifier: Apache-2.0 */
/* cevents' own HTTP/1.1 server for the routes that take events (webhook, SNS): a few event loops
 * on epoll sharing one listening socket, keep-alive and pipelining, chunked bodies,
 * 100-continue, TLS through OpenSSL. A request may be answered later from any thread (after the
 * bus acknowledged its event) without pinning a thread. Framing is strict (core/httpd/parse.h):
 * whatever could end a request in two places is refused with one clear answer. */
#ifndef CE_CORE_HTTPD_SERVER_H
#define CE_CORE_HTTPD_SERVER_H

#include "core/base/rc.h"
#include "core/httpd/parse.h"

#include <stdbool.h>
#include <stddef.h>

/* The request line and header block: more is answered 431. */
#define CE_HTTPD_MAX_HEAD (64 * 1024)

struct ce_httpd;
struct ce_httpd_req; /* one request: from on_head until on_done */

struct ce_httpd_ops {
    /* The head is in. Either answer (ce_httpd_answer) or ask for the body (ce_httpd_read_body);
     * doing neither answers 500. Runs on a loop thread. */
    void (*on_head)(void *arg, struct ce_httpd_req *r);
    /* The whole body is in (or went past its limit: ce_httpd_body_over). Answer now or later,
     * from any thread. Needed only when on_head asks for bodies. */
    void (*on_body)(void *arg, struct ce_httpd_req *r);
    /* The request is over (its answer written, or its connection gone): forget r. Runs on a loop
     * thread, after the answer when there is one. May be NULL (nothing kept per request). */
    void (*on_done)(void *arg, struct ce_httpd_req *r);
    /* A request refused before it reached on_head, or a failing accept: for the log. */
    void (*on_problem)(void *arg, const char *what, const char *detail);
};

struct ce_httpd_config {
    int listen_fd; /* listening, taken over (closed by ce_httpd_stop or a failed start) */
    int threads;   /* event loops; <= 0: one per CPU */
    const char *tls_cert_pem; /* both set: HTTPS */
    const char *tls_key_pem;
    int idle_timeout_s;  /* a connection reading nothing for this long is closed; 0: 120 */
    int max_connections; /* more are accepted and closed at once; 0: 16384 */
};

/* Starts the loops. CE_OK, or an error with err set. */
int ce_httpd_start(const struct ce_httpd_config *cfg, const struct ce_httpd_ops *ops, void *arg,
                   struct ce_httpd **out, char *err, size_t errlen) CE_MUST_CHECK;
/* Stops the loops and closes every connection; a request still waiting for its answer ends with
 * on_done, so the caller must have stopped whatever answers late. Accepts NULL. */
void ce_httpd_stop(struct ce_httpd *h);

/* The parsed head; its method, target and field names and values are NUL-terminated. */
const struct ce_http_head *ce_httpd_req_head(const struct ce_httpd_req *r);
/* The request path, percent-decoded, and the query after '?' ("" without one). */
const char *ce_httpd_req_path(const struct ce_httpd_req *r);
const char *ce_httpd_req_query(const struct ce_httpd_req *r);
/* The first field of that name (case-insensitive), NUL-terminated, or NULL. */
const char *ce_httpd_req_field(const struct ce_httpd_req *r, const char *name);
/* The body read so far (NUL-terminated; "" before any), and whether it went past its limit. */
const char *ce_httpd_req_body(const struct ce_httpd_req *r, size_t *len);
bool ce_httpd_body_over(const struct ce_httpd_req *r);
/* The caller's per-request pointer. */
void ce_httpd_req_set_ctx(struct ce_httpd_req *r, void *ctx);
void *ce_httpd_req_ctx(const struct ce_httpd_req *r);

/* Reads the body, keeping at most max bytes (beyond that it is drained and dropped, and
 * ce_httpd_body_over says so). Only from on_head. */
void ce_httpd_read_body(struct ce_httpd_req *r, size_t max);

struct ce_httpd_field_out {
    const char *name;
    const char *value;
};

/* Answers r once: status, extra fields (Content-Type among them) and a body, all copied. From
 * on_head, on_body, or any thread afterwards. */
void ce_httpd_answer(struct ce_httpd_req *r, unsigned int status,
                     const struct ce_httpd_field_out *fields, int n_fields, const char *body,
                     size_t len);

#endif
