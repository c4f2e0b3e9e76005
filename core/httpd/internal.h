/* SPDX-License-Identifier: Apache-2.0 */
/* What the parts of the HTTP server (core/httpd/server.h) share: loops, connections, requests. */
#ifndef CE_CORE_HTTPD_INTERNAL_H
#define CE_CORE_HTTPD_INTERNAL_H

#include "core/base/buf.h"
#include "core/httpd/server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* A body past its limit is drained up to this much more so the client reads its answer; past
 * that the connection is closed. */
#define HTTPD_DRAIN_SLACK (16u * 1024 * 1024)
#define HTTPD_READ_CHUNK (16 * 1024)
/* Input buffers and request structs a loop keeps for reuse (spare.c). */
#define HTTPD_SPARES 16

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
struct httpd_loop;

/* HEAD: in on_head; BODY: reading it; WAIT: in the application's hands; ANSWERED: its answer is
 * built; SENDING: the answer is in the connection's output. */
enum httpd_req_phase { REQ_HEAD, REQ_BODY, REQ_WAIT, REQ_ANSWERED, REQ_SENDING };

struct ce_httpd_req {
    struct httpd_loop *loop;
    struct httpd_conn *conn;
    char *head_buf; /* a copy of the head, parsed and NUL-terminated in place */
    struct ce_http_head head;
    char *path;
    const char *query;
    enum httpd_req_phase phase;
    bool body_wanted;
    bool body_over;
    size_t drained;
    struct ce_buf body;
    size_t body_max;    /* 0: nothing is kept */
    uint64_t body_left; /* Content-Length still to read */
    struct ce_http_chunked chunked;
    void *ctx;
    struct ce_buf answer; /* the whole response, set by ce_httpd_answer */
    bool answer_closes;   /* the connection ends after this answer */
    struct ce_httpd_req *next_ready;
};

struct httpd_conn {
    struct httpd_loop *loop;
    int fd;
    SSL *ssl;
    char *in; /* bytes read, not yet consumed */
    size_t in_len;
    size_t in_cap;
    size_t head_scanned; /* input bytes already known to hold no end of a head */
    struct ce_buf out;   /* bytes to write */
    size_t out_off;
    struct ce_httpd_req *req; /* the request being read or answered */
    bool must_close;          /* close once out is written */
    bool readable;            /* edge-triggered: the socket may still hold bytes */
    bool lingering;           /* answered and closing: reading only to drop */
    bool closed;              /* its socket is closed; the struct waits for the end of the batch */
    int64_t last_io_ms;
    struct httpd_conn *prev, *next;
};

struct httpd_loop {
    struct ce_httpd *srv;
    pthread_t thread;
    bool started;
    int epfd;
    int wake_fd; /* eventfd: answers from other threads */
    pthread_mutex_t ready_lock;
    struct ce_httpd_req *ready; /* answered off the loop, to be written */
    struct httpd_conn *conns;
    struct httpd_conn *dead; /* closed during this batch of events */
    char *scratch;           /* HTTPD_READ_CHUNK bytes: where a connection without input reads */
    char *spare_in[HTTPD_SPARES];
    int n_spare_in;
    struct ce_httpd_req *spare_req[HTTPD_SPARES];
    int n_spare_req;
    int64_t accept_paused_ms; /* when accepting failed (0: watching the listening socket) */
};

struct ce_httpd {
    struct ce_httpd_config cfg;
    const struct ce_httpd_ops *ops;
    void *arg;
    SSL_CTX *tls;
    struct httpd_loop *loops;
    int n_loops;
    atomic_bool stopping;
    atomic_int n_conns;
};

/* conn.c */
void httpd_conn_accept(struct httpd_loop *loop, int fd);
void httpd_conn_event(struct httpd_conn *c, uint32_t events);
void httpd_conn_close(struct httpd_conn *c);
void httpd_conns_free_dead(struct httpd_loop *loop);
void httpd_conn_answered(struct ce_httpd_req *r);
void httpd_conns_expire(struct httpd_loop *loop, int64_t now_ms);
void httpd_conns_take_ready(struct httpd_loop *loop);

/* server.c */
bool httpd_on_loop(const struct httpd_loop *loop);

/* answer.c */
void httpd_answer_refusal(struct httpd_conn *c, unsigned int status, const char *why);
void httpd_req_free(struct ce_httpd_req *r);

/* spare.c */
char *httpd_spare_take_in(struct httpd_loop *loop);
void httpd_spare_give_in(struct httpd_loop *loop, char *in, size_t cap);
struct ce_httpd_req *httpd_spare_take_req(struct httpd_loop *loop);
void httpd_spare_give_req(struct httpd_loop *loop, struct ce_httpd_req *r);
void httpd_spares_free(struct httpd_loop *loop);

/* io.c: >0 bytes, 0 the peer closed, -1 try later, -2 failed */
long httpd_io_recv(struct httpd_conn *c, char *buf, size_t n);
long httpd_io_send(struct httpd_conn *c, const char *buf, size_t n);
int httpd_tls_setup(struct ce_httpd *h, char *err, size_t errlen) CE_MUST_CHECK;
int httpd_tls_conn(struct httpd_conn *c) CE_MUST_CHECK;
void httpd_tls_free(struct ce_httpd *h);

#endif
