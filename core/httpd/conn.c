/* SPDX-License-Identifier: Apache-2.0 */
/* One connection's life on its loop: read a head, hand it to the application, read the body,
 * wait for the answer without holding the thread, write it, then the next request (keep-alive,
 * pipelining) or close. Edge-triggered: each event runs the connection until it would block. */
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/httpd/internal.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A closing connection reads and drops what the client still sends for this long, so the
 * client reads its answer instead of a reset. */
#define HTTPD_LINGER_MS 2000

enum httpd_step { STEP_MORE_INPUT, STEP_PROGRESS, STEP_CLOSED };

static void httpd_conn_progress(struct httpd_conn *c);

static void httpd_conn_problem(struct httpd_conn *c, const char *what, const char *why)
{
    const struct ce_httpd *h = c->loop->srv;
    if (h->ops->on_problem) {
        h->ops->on_problem(h->arg, what, why);
    }
}

static void httpd_req_end(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    c->req = NULL;
    const struct ce_httpd *h = c->loop->srv;
    if (h->ops->on_done) {
        h->ops->on_done(h->arg, r);
    }
    httpd_req_free(r);
}

void httpd_conn_close(struct httpd_conn *c)
{
    struct httpd_loop *loop = c->loop;
    if (c->req) {
        httpd_req_end(c);
    }
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl) {
        SSL_free(c->ssl);
    }
    close(c->fd);
    if (c->prev) {
        c->prev->next = c->next;
    }
    else {
        loop->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    atomic_fetch_sub(&loop->srv->n_conns, 1);
    ce_buf_fini(&c->out);
    httpd_spare_give_in(loop, c->in, c->in_cap);
    c->in = NULL;
    /* Freed after the current batch of events: a later event of that batch may still name it
     * (an answer handed in by another thread can close a connection whose event is queued). */
    c->closed = true;
    c->next = loop->dead;
    loop->dead = c;
}

void httpd_conns_free_dead(struct httpd_loop *loop)
{
    while (loop->dead) {
        struct httpd_conn *c = loop->dead;
        loop->dead = c->next;
        ce_free(c);
    }
}

void httpd_conn_accept(struct httpd_loop *loop, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct httpd_conn *c = ce_xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->fd = fd;
    c->readable = true;
    c->last_io_ms = ce_clock_mono_ms();
    ce_buf_init(&c->out, 0);
    c->next = loop->conns;
    if (loop->conns) {
        loop->conns->prev = c;
    }
    loop->conns = c;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (httpd_tls_conn(c) != CE_OK || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        httpd_conn_problem(c, "cannot take a connection", "TLS or epoll setup failed");
        httpd_conn_close(c);
    }
}

static void httpd_conn_consumed(struct httpd_conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->head_scanned = 0;
}

/* Whether the bytes that came since the last look may complete a head (a line end followed by
 * an empty line): a head sent a byte at a time is then not parsed again for every byte. */
static bool httpd_conn_head_may_end(struct httpd_conn *c)
{
    size_t from = c->head_scanned > 2 ? c->head_scanned - 2 : 0;
    c->head_scanned = c->in_len;
    for (size_t i = from; i + 1 < c->in_len; i++) {
        if (c->in[i] == '\n' &&
            (c->in[i + 1] == '\n' ||
             (c->in[i + 1] == '\r' && i + 2 < c->in_len && c->in[i + 2] == '\n'))) {
            return true;
        }
    }
    return false;
}

static void httpd_conn_refuse(struct httpd_conn *c, unsigned int status, const char *why)
{
    char detail[160];
    snprintf(detail, sizeof detail, "%u %s", status, why);
    httpd_conn_problem(c, "refused a malformed request", detail);
    httpd_answer_refusal(c, status, why);
}

/* Makes the head's strings C strings: each ends where the parser said, inside the copy. */
static void httpd_terminate(struct ce_httpd_req *r, size_t len)
{
    char *lo = r->head_buf;
    char *hi = lo + len;
#define HTTPD_END(p, n)                                                                            \
    do {                                                                                           \
        char *e_ = (char *)(p) + (n);                                                              \
        if ((char *)(p) >= lo && e_ < hi) {                                                        \
            *e_ = '\0';                                                                            \
        }                                                                                          \
    } while (0)
    HTTPD_END(r->head.method, r->head.method_len);
    HTTPD_END(r->head.target, r->head.target_len);
    for (int i = 0; i < r->head.n_fields; i++) {
        HTTPD_END(r->head.fields[i].name, r->head.fields[i].name_len);
        HTTPD_END(r->head.fields[i].value, r->head.fields[i].value_len);
    }
#undef HTTPD_END
}

/* Parses a complete head of len bytes at the start of the input into a new request. Returns the
 * request, or NULL after a refusal has been queued. */
static struct ce_httpd_req *httpd_conn_new_req(struct httpd_conn *c, size_t len)
{
    struct ce_httpd_req *r = httpd_spare_take_req(c->loop);
    r->loop = c->loop;
    r->conn = c;
    r->head_buf = ce_xmalloc(len + 1);
    memcpy(r->head_buf, c->in, len);
    r->head_buf[len] = '\0';
    httpd_conn_consumed(c, len);
    const char *why = NULL;
    unsigned int status = ce_http_head_parse(r->head_buf, len, &r->head, &why);
    if (status == 0) {
        httpd_terminate(r, len);
        r->path = ce_xmalloc(r->head.target_len + 1);
        if (!ce_http_path_decode(r->head.target, r->head.target_len, r->path,
                                 r->head.target_len + 1)) {
            status = 400;
            why = "invalid escape in the request path";
        }
    }
    if (status != 0) {
        httpd_conn_refuse(c, status, why ? why : "malformed request");
        httpd_req_free(r);
        return NULL;
    }
    const char *q = strchr(r->head.target, '?');
    r->query = q ? q + 1 : "";
    return r;
}

static enum httpd_step httpd_conn_take_head(struct httpd_conn *c)
{
    size_t end = httpd_conn_head_may_end(c) ? ce_http_head_end(c->in, c->in_len) : 0;
    if (end == 0 || end > CE_HTTPD_MAX_HEAD) {
        if (end == 0 && c->in_len < CE_HTTPD_MAX_HEAD) {
            return STEP_MORE_INPUT;
        }
        httpd_conn_refuse(c, 431, "request header fields too large");
        return STEP_PROGRESS;
    }
    struct ce_httpd_req *r = httpd_conn_new_req(c, end);
    if (!r) {
        return STEP_PROGRESS;
    }
    const struct ce_httpd *h = c->loop->srv;
    c->req = r;
    h->ops->on_head(h->arg, r);
    if (r->phase == REQ_ANSWERED) {
        return STEP_PROGRESS;
    }
    if (!r->body_wanted) {
        static const char none[] = "the request was not answered";
        ce_httpd_answer(r, 500, NULL, 0, none, sizeof none - 1);
        return STEP_PROGRESS;
    }
    r->phase = REQ_BODY;
    r->body_left = r->head.chunked ? 0 : r->head.content_length;
    bool has_body = r->head.chunked || r->head.content_length > 0;
    if (r->head.expect_continue && has_body) {
        int rc = ce_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
        (void)rc; /* no cap */
    }
    return STEP_PROGRESS;
}

/* Keeps body bytes up to the request's limit; past it they are counted and dropped. False when
 * the client sent far more than the limit: the connection is closed then. */
static bool httpd_req_keep(struct ce_httpd_req *r, const char *data, size_t n)
{
    if (!r->body_over && (r->body_max == 0 || ce_buf_append(&r->body, data, n) != CE_OK)) {
        r->body_over = true;
        ce_buf_fini(&r->body);
    }
    if (r->body_over) {
        r->drained += n;
    }
    return r->drained <= HTTPD_DRAIN_SLACK;
}

static enum httpd_step httpd_body_complete(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    const struct ce_httpd *h = c->loop->srv;
    r->phase = REQ_WAIT;
    h->ops->on_body(h->arg, r);
    return STEP_PROGRESS;
}

static enum httpd_step httpd_body_refused(struct httpd_conn *c, const char *why)
{
    struct ce_httpd_req *r = c->req;
    r->head.keep_alive = false; /* the rest of the stream cannot be framed */
    httpd_conn_problem(c, "refused a malformed request", why);
    static const struct ce_httpd_field_out type = {"Content-Type", "text/plain; charset=utf-8"};
    ce_httpd_answer(r, 400, &type, 1, why, strlen(why));
    return STEP_PROGRESS;
}

static enum httpd_step httpd_take_chunked(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    size_t off = 0;
    for (;;) {
        size_t used = 0;
        size_t dlen = 0;
        const char *data = NULL;
        const char *why = NULL;
        enum ce_http_chunk_step s = ce_http_chunked_step(&r->chunked, c->in + off, c->in_len - off,
                                                         &used, &data, &dlen, &why);
        off += used;
        if (s == CE_HTTP_CHUNK_DATA) {
            if (!httpd_req_keep(r, data, dlen)) {
                httpd_conn_close(c);
                return STEP_CLOSED;
            }
            continue;
        }
        httpd_conn_consumed(c, off);
        if (s == CE_HTTP_CHUNK_MORE) {
            return STEP_MORE_INPUT;
        }
        if (s == CE_HTTP_CHUNK_BAD) {
            return httpd_body_refused(c, why ? why : "malformed chunked body");
        }
        return httpd_body_complete(c);
    }
}

static enum httpd_step httpd_conn_take_body(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    if (r->head.chunked) {
        return httpd_take_chunked(c);
    }
    size_t take = r->body_left < c->in_len ? (size_t)r->body_left : c->in_len;
    if (take > 0) {
        if (!httpd_req_keep(r, c->in, take)) {
            httpd_conn_close(c);
            return STEP_CLOSED;
        }
        httpd_conn_consumed(c, take);
        r->body_left -= take;
    }
    return r->body_left == 0 ? httpd_body_complete(c) : STEP_MORE_INPUT;
}

/* Moves a ready answer to the output. */
static void httpd_conn_take_answer(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    if (c->out.len == 0) {
        /* the usual case: the built answer becomes the output, no copy */
        struct ce_buf spare = c->out;
        c->out = r->answer;
        r->answer = spare;
    }
    else {
        int rc = ce_buf_append(&c->out, r->answer.data, r->answer.len);
        (void)rc; /* no cap */
    }
    c->must_close = c->must_close || r->answer_closes;
    r->phase = REQ_SENDING;
}

/* Writes what is queued. False when the connection was closed. */
static bool httpd_conn_flush(struct httpd_conn *c)
{
    while (c->out_off < c->out.len) {
        long n = httpd_io_send(c, c->out.data + c->out_off, c->out.len - c->out_off);
        if (n == -1) {
            return true;
        }
        if (n <= 0) {
            httpd_conn_close(c);
            return false;
        }
        c->out_off += (size_t)n;
        c->last_io_ms = ce_clock_mono_ms();
    }
    ce_buf_reset(&c->out);
    c->out_off = 0;
    return true;
}

/* Reads what the socket holds into the input. */
static enum httpd_step httpd_conn_read(struct httpd_conn *c)
{
    if (!c->readable) {
        return STEP_MORE_INPUT;
    }
    struct httpd_loop *loop = c->loop;
    bool scratch = c->in == NULL;
    if (!scratch && c->in_cap - c->in_len < HTTPD_READ_CHUNK) {
        c->in_cap = c->in_len + HTTPD_READ_CHUNK;
        c->in = ce_xrealloc(c->in, c->in_cap);
    }
    /* A connection without input reads into the loop's scratch buffer, and keeps it only when
     * bytes came: an idle connection's read attempt holds no memory. */
    long n = scratch ? httpd_io_recv(c, loop->scratch, HTTPD_READ_CHUNK)
                     : httpd_io_recv(c, c->in + c->in_len, c->in_cap - c->in_len);
    if (scratch && n > 0) {
        c->in = loop->scratch;
        c->in_cap = HTTPD_READ_CHUNK;
        loop->scratch = httpd_spare_take_in(loop);
    }
    if (n == -1) {
        c->readable = false;
        return STEP_MORE_INPUT;
    }
    if (n <= 0) {
        httpd_conn_close(c); /* the client left, or the connection failed */
        return STEP_CLOSED;
    }
    c->in_len += (size_t)n;
    c->last_io_ms = ce_clock_mono_ms();
    return STEP_PROGRESS;
}

/* After a closing answer: no more writes, drop what still comes until the client closes. */
static void httpd_conn_linger(struct httpd_conn *c)
{
    if (!c->lingering) {
        c->lingering = true;
        c->last_io_ms = ce_clock_mono_ms();
        shutdown(c->fd, SHUT_WR);
    }
    char sink[4096];
    for (;;) {
        long n = c->readable ? httpd_io_recv(c, sink, sizeof sink) : -1;
        if (n == -1) {
            c->readable = false;
            return;
        }
        if (n <= 0) {
            httpd_conn_close(c);
            return;
        }
    }
}

/* One step of a connection between writes; false when nothing more can happen now. */
static bool httpd_conn_step(struct httpd_conn *c)
{
    struct ce_httpd_req *r = c->req;
    if (r && r->phase == REQ_SENDING) {
        httpd_req_end(c); /* its answer is written */
        r = NULL;
        if (c->in_len == 0) {
            /* an idle kept-alive connection holds no buffers: thousands may wait */
            httpd_spare_give_in(c->loop, c->in, c->in_cap);
            c->in = NULL;
            c->in_cap = 0;
            ce_buf_fini(&c->out);
            ce_buf_init(&c->out, 0);
        }
    }
    if (c->must_close && !r) {
        httpd_conn_linger(c);
        return false;
    }
    if (r && r->phase == REQ_ANSWERED) {
        httpd_conn_take_answer(c);
        return true;
    }
    if (r && r->phase == REQ_WAIT) {
        return false;
    }
    enum httpd_step s = r ? httpd_conn_take_body(c) : httpd_conn_take_head(c);
    if (s == STEP_MORE_INPUT) {
        s = httpd_conn_read(c);
    }
    return s == STEP_PROGRESS;
}

static void httpd_conn_progress(struct httpd_conn *c)
{
    do {
        if (!httpd_conn_flush(c) || c->out.len > 0) {
            return; /* closed, or waiting until the socket takes more */
        }
    } while (httpd_conn_step(c));
}

void httpd_conn_event(struct httpd_conn *c, uint32_t events)
{
    (void)events;
    if (c->closed) {
        return;
    }
    c->readable = true; /* TLS may need a read to go on after a write event too */
    if (c->lingering) {
        httpd_conn_linger(c);
        return;
    }
    httpd_conn_progress(c);
}

void httpd_conn_answered(struct ce_httpd_req *r)
{
    struct httpd_loop *loop = r->loop;
    if (httpd_on_loop(loop)) {
        r->phase = REQ_ANSWERED;
        return;
    }
    pthread_mutex_lock(&loop->ready_lock);
    bool was_empty = loop->ready == NULL;
    r->next_ready = loop->ready;
    loop->ready = r;
    pthread_mutex_unlock(&loop->ready_lock);
    if (was_empty) {
        /* one wake-up per batch: the loop takes the whole list after reading the eventfd */
        uint64_t one = 1;
        ssize_t w = write(loop->wake_fd, &one, sizeof one);
        (void)w; /* a full eventfd is already a wake-up */
    }
}

/* Writes the answers other threads gave. */
void httpd_conns_take_ready(struct httpd_loop *loop)
{
    uint64_t v;
    ssize_t rd = read(loop->wake_fd, &v, sizeof v);
    (void)rd;
    pthread_mutex_lock(&loop->ready_lock);
    struct ce_httpd_req *r = loop->ready;
    loop->ready = NULL;
    pthread_mutex_unlock(&loop->ready_lock);
    while (r) {
        struct ce_httpd_req *next = r->next_ready;
        r->phase = REQ_ANSWERED;
        httpd_conn_progress(r->conn);
        r = next;
    }
}

void httpd_conns_expire(struct httpd_loop *loop, int64_t now_ms)
{
    int64_t idle_ms = (int64_t)loop->srv->cfg.idle_timeout_s * 1000;
    struct httpd_conn *c = loop->conns;
    while (c) {
        struct httpd_conn *next = c->next;
        bool waiting = c->req && c->req->phase == REQ_WAIT;
        int64_t limit = c->lingering ? HTTPD_LINGER_MS : idle_ms;
        if (!waiting && now_ms - c->last_io_ms > limit) {
            httpd_conn_close(c);
        }
        c = next;
    }
}
