/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver's publish connection: a second, plain NATS connection to the server the
 * cnats connection is on, used only by async publishes (the EventSources' events). With cnats,
 * an event crossed four threads before its producer was answered (the publisher, cnats' flusher,
 * its reader, the reply subscription's delivery thread). Here the publisher writes the message
 * to the socket itself, and one reader thread parses the acks and runs the callbacks: many
 * publishes are in flight at once, each ack matched to its publish by the id in its reply
 * subject. Started at the first async publish; while it is down (connecting, or a server that
 * wants TLS) publishes go through cnats as before. See docs/internals/bus.md. */
#include "eventbus/jetstream_int.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define FASTPUB_BUCKETS 4096u
#define FASTPUB_READ_MAX (1024 * 1024) /* a server frame larger than this breaks the connection */
#define FASTPUB_WRITE_MAX (64 * 1024 * 1024) /* frames waiting for the socket */
#define FASTPUB_SWEEP_MS 100
#define FASTPUB_INFO_MAX (256 * 1024) /* how often timed-out publishes are looked for */

/* One publish awaiting its ack: in the id hash and in the list by deadline (all publishes have
 * the same timeout, so the order of sending is the order of deadlines). */
struct fastpub_pending {
    uint64_t id;
    ce_bus_publish_fn *cb;
    void *arg;
    int64_t deadline_ms;
    struct fastpub_pending *hnext;
    struct fastpub_pending *prev, *next;
};

struct jsfast {
    struct jsbus *bus;
    pthread_mutex_t mu; /* the pending publishes and whether the connection is up */
    pthread_cond_t cond;
    bool up;
    bool closing;
    bool disabled; /* the server wants TLS or has no headers: cnats carries every publish */
    uint64_t gen;  /* which connection is up (each connect counts one) */
    uint64_t next_id;
    char inbox[48]; /* "_INBOX.<random>." ; an ack comes to <inbox><id> */
    size_t inbox_len;
    struct fastpub_pending *hash[FASTPUB_BUCKETS];
    struct fastpub_pending *head, *tail;
    int npending;
    pthread_t reader;
    struct ce_buf rbuf; /* the reader's alone */

    /* The write side: frames wait in wbuf while one publisher sends (flushing), and that one
     * sends them too, so publishes arriving together leave in one write. */
    pthread_mutex_t wmu;
    pthread_cond_t wcond; /* flushing ended */
    int wfd;              /* -1 while down */
    uint64_t wgen;
    bool flushing;
    bool reader_busy; /* the reader is answering acks: it sends what waits when done */
    struct ce_buf wbuf, wspare;
};

static int64_t fastpub_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the pending publishes (the lock held) ---- */

static void fastpub_link(struct jsfast *f, struct fastpub_pending *p)
{
    struct fastpub_pending **slot = &f->hash[p->id & (FASTPUB_BUCKETS - 1)];
    p->hnext = *slot;
    *slot = p;
    p->prev = f->tail;
    p->next = NULL;
    if (f->tail) {
        f->tail->next = p;
    }
    else {
        f->head = p;
    }
    f->tail = p;
    f->npending++;
}

static struct fastpub_pending *fastpub_take(struct jsfast *f, uint64_t id)
{
    struct fastpub_pending **pp = &f->hash[id & (FASTPUB_BUCKETS - 1)];
    while (*pp != NULL && (*pp)->id != id) {
        pp = &(*pp)->hnext;
    }
    struct fastpub_pending *p = *pp;
    if (p == NULL) {
        return NULL;
    }
    *pp = p->hnext;
    if (p->prev) {
        p->prev->next = p->next;
    }
    else {
        f->head = p->next;
    }
    if (p->next) {
        p->next->prev = p->prev;
    }
    else {
        f->tail = p->prev;
    }
    if (--f->npending == 0) {
        pthread_cond_broadcast(&f->cond);
    }
    return p;
}

/* Takes every publish whose deadline passed (all of them when all is set) into a list linked
 * by next. */
static struct fastpub_pending *fastpub_take_expired(struct jsfast *f, bool all)
{
    int64_t now = fastpub_now_ms();
    struct fastpub_pending *out = NULL, **end = &out;
    pthread_mutex_lock(&f->mu);
    while (f->head != NULL && (all || f->head->deadline_ms <= now)) {
        struct fastpub_pending *p = fastpub_take(f, f->head->id);
        p->next = NULL;
        *end = p;
        end = &p->next;
    }
    pthread_mutex_unlock(&f->mu);
    return out;
}

static void fastpub_fail_list(struct fastpub_pending *p, int rc, const char *why)
{
    while (p != NULL) {
        struct fastpub_pending *next = p->next;
        p->cb(p->arg, rc, why);
        ce_free(p);
        p = next;
    }
}

/* ---- writing ---- */

/* Writes all of iov (the lock held). A failure leaves a frame cut in the middle, so the
 * connection is shut: the reader then fails what is pending and reconnects. */
static int fastpub_writev(int fd, struct iovec *iov, int n)
{
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    while (mh.msg_iovlen > 0) {
        ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            shutdown(fd, SHUT_RDWR);
            return CE_EUNAVAIL;
        }
        size_t left = (size_t)w;
        while (mh.msg_iovlen > 0 && left >= mh.msg_iov[0].iov_len) {
            left -= mh.msg_iov[0].iov_len;
            mh.msg_iov++;
            mh.msg_iovlen--;
        }
        if (mh.msg_iovlen > 0) {
            mh.msg_iov[0].iov_base = (char *)mh.msg_iov[0].iov_base + left;
            mh.msg_iov[0].iov_len -= left;
        }
    }
    return CE_OK;
}

static int fastpub_write_text(int fd, const char *text)
{
    struct iovec iov = {(void *)text, strlen(text)};
    return fastpub_writev(fd, &iov, 1);
}

/* Sends what is in wbuf, and what others append meanwhile, unless another publisher is already
 * at it (wmu held on entry and on return, released while sending). */
static void fastpub_flush_locked(struct jsfast *f)
{
    if (f->flushing) {
        return;
    }
    f->flushing = true;
    while (f->wbuf.len > 0 && f->wfd >= 0) {
        struct ce_buf out = f->wbuf;
        f->wbuf = f->wspare;
        int fd = f->wfd;
        pthread_mutex_unlock(&f->wmu);
        struct iovec iov = {out.data, out.len};
        int rc = fastpub_writev(fd, &iov, 1);
        pthread_mutex_lock(&f->wmu);
        ce_buf_reset(&out);
        f->wspare = out;
        if (rc != CE_OK) {
            ce_buf_reset(&f->wbuf); /* the connection is shut: the reader answers what waits */
        }
    }
    f->flushing = false;
    pthread_cond_broadcast(&f->wcond);
}

/* Queues head, data and tail as one frame on connection gen and sends it; false when that
 * connection is gone (or the buffer is full). */
static bool fastpub_append(struct jsfast *f, uint64_t gen, const char *head, const void *data,
                           size_t len, const char *tail)
{
    pthread_mutex_lock(&f->wmu);
    bool ok = f->wfd >= 0 && f->wgen == gen;
    size_t mark = f->wbuf.len;
    if (ok &&
        (ce_buf_puts(&f->wbuf, head) != CE_OK || ce_buf_append(&f->wbuf, data, len) != CE_OK ||
         ce_buf_puts(&f->wbuf, tail) != CE_OK)) {
        f->wbuf.len = mark;
        ok = false;
    }
    if (ok && !f->reader_busy) {
        fastpub_flush_locked(f);
    }
    pthread_mutex_unlock(&f->wmu);
    return ok;
}

/* The HPUB (or PUB, without an id) line and header block of one publish into head. */
static void fastpub_frame_head(const struct jsfast *f, uint64_t id, const char *subject,
                               const char *msg_id, size_t len, char *head, size_t headlen)
{
    if (msg_id[0] == '\0') {
        snprintf(head, headlen, "PUB %s %s%llu %zu\r\n", subject, f->inbox, (unsigned long long)id,
                 len);
        return;
    }
    char hdr[160];
    int hl = snprintf(hdr, sizeof hdr, "NATS/1.0\r\nNats-Msg-Id: %s\r\n\r\n", msg_id);
    snprintf(head, headlen, "HPUB %s %s%llu %d %zu\r\n%s", subject, f->inbox,
             (unsigned long long)id, hl, (size_t)hl + len, hdr);
}

int jsbus_fast_publish(struct jsbus *b, const char *subject, const char *msg_id, const void *data,
                       size_t len, ce_bus_publish_fn *cb, void *arg)
{
    struct jsfast *f = atomic_load(&b->fast);
    /* the subject and id are the bus's own (a stream subject, a 32-character id) */
    if (f == NULL || strlen(subject) > 256 || strlen(msg_id) > 64) {
        return CE_RETRY;
    }
    struct fastpub_pending *p = ce_xcalloc(1, sizeof(*p));
    p->cb = cb;
    p->arg = arg;
    p->deadline_ms = fastpub_now_ms() + b->publish_timeout_ms;
    pthread_mutex_lock(&f->mu);
    if (!f->up || f->closing || f->npending >= b->max_pending) {
        int rc = !f->up || f->closing ? CE_RETRY : CE_ETOOBIG;
        pthread_mutex_unlock(&f->mu);
        ce_free(p);
        return rc;
    }
    uint64_t id = p->id = ++f->next_id;
    uint64_t gen = f->gen;
    fastpub_link(f, p); /* before the write: the reader may see the ack before it returns */
    pthread_mutex_unlock(&f->mu);
    char head[512];
    fastpub_frame_head(f, id, subject, msg_id, len, head, sizeof head);
    if (fastpub_append(f, gen, head, data, len, "\r\n")) {
        return CE_OK; /* queued: a lost connection is answered by the reader */
    }
    pthread_mutex_lock(&f->mu);
    p = fastpub_take(f, id);
    pthread_mutex_unlock(&f->mu);
    if (p == NULL) {
        return CE_OK; /* the reader already answered it (the connection was lost) */
    }
    ce_free(p);
    return CE_RETRY;
}

/* ---- connecting ---- */

/* host and port of the server cnats is connected to; false when it is not connected. */
static bool fastpub_server(struct jsbus *b, char *host, size_t hostlen, char *port, size_t portlen)
{
    char url[256] = "";
    pthread_mutex_lock(&b->mu);
    bool ok = b->nc != NULL && natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED &&
              natsConnection_GetConnectedUrl(b->nc, url, sizeof url) == NATS_OK;
    pthread_mutex_unlock(&b->mu);
    char h[256], pt[16];
    if (!ok || !jsbus_host_port(url, h, pt) || strlen(h) >= hostlen) {
        return false;
    }
    snprintf(host, hostlen, "%s", h);
    snprintf(port, portlen, "%s", pt);
    return true;
}

static int fastpub_dial(const char *host, const char *port, int timeout_ms)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0) {
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int one = 1;
    if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
                    connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Reads one protocol line (without its CRLF) during the handshake into line. */
static bool fastpub_read_line(int fd, char *line, size_t linelen)
{
    size_t n = 0;
    while (n + 1 < linelen) {
        ssize_t r = recv(fd, line + n, 1, 0);
        if (r <= 0) {
            return false;
        }
        if (line[n] == '\n') {
            line[n > 0 && line[n - 1] == '\r' ? n - 1 : n] = '\0';
            return true;
        }
        n++;
    }
    return false;
}

static void fastpub_connect_json(struct jsbus *b, struct ce_buf *out)
{
    int rc = ce_buf_printf(out, "CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"C\","
                                "\"version\":\"cevents\",\"protocol\":1,\"headers\":true,"
                                "\"no_responders\":true,\"name\":");
    rc |= ce_buf_json_str(out, "cevents publisher", 17);
    const char *keys[3] = {",\"user\":", ",\"pass\":", ",\"auth_token\":"};
    const char *vals[3] = {b->auth_user, b->auth_pass, b->auth_token};
    for (int i = 0; i < 3; i++) {
        if (vals[i] != NULL) {
            rc |= ce_buf_printf(out, "%s", keys[i]);
            rc |= ce_buf_json_str(out, vals[i], strlen(vals[i]));
        }
    }
    rc |= ce_buf_printf(out, "}\r\n");
    if (rc != CE_OK) {
        out->len = 0;
    }
}

/* INFO, CONNECT, the inbox subscription, then PING until PONG: the server took the client. */
static int fastpub_handshake(struct jsfast *f, int fd)
{
    char *info = ce_xmalloc(FASTPUB_INFO_MAX); /* a cluster's INFO lists its servers */
    bool ok = fastpub_read_line(fd, info, FASTPUB_INFO_MAX) && strncmp(info, "INFO ", 5) == 0;
    if (ok && (strstr(info, "\"tls_required\":true") || !strstr(info, "\"headers\":true"))) {
        /* cnats handles TLS; without headers there is no Nats-Msg-Id */
        ce_log_kv(CE_LOG_DEBUG, "the event bus takes publishes through cnats only", NULL);
        f->disabled = true;
        ok = false;
    }
    ce_free(info);
    if (!ok) {
        return CE_EIO;
    }
    char line[4096];
    struct ce_buf out;
    ce_buf_init(&out, 8192);
    fastpub_connect_json(f->bus, &out);
    int rc = ce_buf_printf(&out, "SUB %s* 1\r\nPING\r\n", f->inbox);
    rc = rc == CE_OK && out.len > 0 ? fastpub_write_text(fd, out.data) : CE_EIO;
    ce_buf_fini(&out);
    while (rc == CE_OK && fastpub_read_line(fd, line, sizeof line)) {
        if (strcmp(line, "PONG") == 0) {
            return CE_OK;
        }
        if (strncmp(line, "-ERR", 4) == 0) {
            /* the main connection got in: publishes keep going through it */
            ce_log_kv(CE_LOG_WARN,
                      "the event bus refused the publish connection; publishing "
                      "through the main connection",
                      "error", line, NULL);
            f->disabled = true;
            return CE_EREMOTE;
        }
    }
    return CE_EIO;
}

static int fastpub_connect(struct jsfast *f)
{
    char host[256], port[16];
    if (!fastpub_server(f->bus, host, sizeof host, port, sizeof port)) {
        return -1;
    }
    int fd = fastpub_dial(host, port, 2000);
    if (fd >= 0 && fastpub_handshake(f, fd) != CE_OK) {
        close(fd);
        fd = -1;
    }
    struct timeval none = {0, 0};
    if (fd >= 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    }
    return fd;
}

/* ---- reading the acks ---- */

/* The outcome an ack's header block and body say. */
static int fastpub_ack_rc(const char *hdr, size_t hlen, const char *body, size_t blen, char *why,
                          size_t whylen)
{
    why[0] = '\0';
    if (hlen >= 12 && strncmp(hdr, "NATS/1.0 503", 12) == 0) {
        snprintf(why, whylen, "no stream for this subject");
        return CE_EREMOTE;
    }
    char text[512];
    snprintf(text, sizeof text, "%.*s", (int)(blen < sizeof text ? blen : sizeof text - 1), body);
    const char *err = strstr(text, "\"error\"");
    if (err == NULL && strstr(text, "\"seq\"") != NULL) {
        return CE_OK; /* stored, or a duplicate of a stored one */
    }
    const char *d = err ? strstr(err, "\"description\":\"") : NULL;
    if (d != NULL) {
        d += 15;
        snprintf(why, whylen, "%.*s", (int)strcspn(d, "\""), d);
    }
    else {
        snprintf(why, whylen, "unexpected answer to a publish: %.*s", 200, text);
    }
    return CE_EREMOTE;
}

static void fastpub_deliver(struct jsfast *f, const char *subject, size_t slen, const char *hdr,
                            size_t hlen, const char *body, size_t blen)
{
    if (slen <= f->inbox_len || strncmp(subject, f->inbox, f->inbox_len) != 0) {
        return;
    }
    uint64_t id = strtoull(subject + f->inbox_len, NULL, 10);
    pthread_mutex_lock(&f->mu);
    struct fastpub_pending *p = fastpub_take(f, id);
    pthread_mutex_unlock(&f->mu);
    if (p == NULL) {
        return; /* already answered (timed out) */
    }
    char why[256];
    int rc = fastpub_ack_rc(hdr, hlen, body, blen, why, sizeof why);
    p->cb(p->arg, rc, why[0] ? why : NULL);
    ce_free(p);
}

/* One MSG or HMSG whose line is line (NUL-terminated, without CRLF) and whose payload starts at
 * payload with avail bytes there. Returns the bytes of payload and CRLF it used, 0 when more
 * must be read first, -1 for a line that makes no sense. */
static long fastpub_msg(struct jsfast *f, char *line, bool with_headers, const char *payload,
                        size_t avail)
{
    char *tok[6];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t != NULL && n < 6; t = strtok_r(NULL, " ", &save)) {
        tok[n++] = t;
    }
    int need = with_headers ? 5 : 4;
    if (n < need - 1 || n > need) {
        return -1;
    }
    size_t total = strtoull(tok[n - 1], NULL, 10);
    size_t hlen = with_headers ? strtoull(tok[n - 2], NULL, 10) : 0;
    if (total > FASTPUB_READ_MAX || hlen > total) {
        return -1;
    }
    if (avail < total + 2) {
        return 0;
    }
    fastpub_deliver(f, tok[1], strlen(tok[1]), payload, hlen, payload + hlen, total - hlen);
    return (long)(total + 2);
}

/* Handles the complete frames at the start of the read buffer; returns the bytes used, or -1
 * when the connection must be dropped. */
static long fastpub_parse(struct jsfast *f, char *buf, size_t len)
{
    size_t used = 0;
    for (;;) {
        char *start = buf + used;
        char *nl = memchr(start, '\n', len - used);
        if (nl == NULL) {
            return len - used > 8192 ? -1 : (long)used;
        }
        size_t line_len = (size_t)(nl - start) + 1;
        char line[8192];
        if (line_len >= sizeof line) {
            return -1;
        }
        memcpy(line, start, line_len);
        line[line_len - (line_len > 1 && start[line_len - 2] == '\r' ? 2 : 1)] = '\0';
        long body = 0;
        if (strncmp(line, "MSG ", 4) == 0 || strncmp(line, "HMSG ", 5) == 0) {
            body = fastpub_msg(f, line, line[0] == 'H', nl + 1, len - used - line_len);
            if (body <= 0) {
                return body < 0 ? -1 : (long)used;
            }
        }
        else if (strcmp(line, "PING") == 0) {
            pthread_mutex_lock(&f->mu);
            uint64_t gen = f->gen;
            pthread_mutex_unlock(&f->mu);
            if (!fastpub_append(f, gen, "PONG\r\n", "", 0, "")) {
                return -1;
            }
        }
        else if (strncmp(line, "-ERR", 4) == 0) {
            ce_log_kv(CE_LOG_WARN, "the event bus reported an error on the publish connection",
                      "error", line, NULL);
        }
        used += line_len + (size_t)body;
    }
}

/* While the reader answers a batch of acks (each resuming a request, whose producer may send
 * the next event at once), publishes wait in the buffer; the reader sends them together when
 * the batch is done: one write for many events instead of one each. */
static void fastpub_reader_busy(struct jsfast *f, bool busy)
{
    pthread_mutex_lock(&f->wmu);
    f->reader_busy = busy;
    if (!busy) {
        fastpub_flush_locked(f);
    }
    pthread_mutex_unlock(&f->wmu);
}

static bool fastpub_closing(struct jsfast *f)
{
    pthread_mutex_lock(&f->mu);
    bool closing = f->closing;
    pthread_mutex_unlock(&f->mu);
    return closing;
}

/* Reads and answers acks until the connection breaks or the bus closes. */
static void fastpub_read_loop(struct jsfast *f, int fd)
{
    struct ce_buf *rb = &f->rbuf;
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, FASTPUB_SWEEP_MS);
        fastpub_fail_list(fastpub_take_expired(f, false), CE_ETIMEDOUT,
                          "event bus did not acknowledge the event in time");
        if (pr == 0 && (fastpub_closing(f) || !atomic_load(&f->bus->up))) {
            return; /* closing, or the main connection lost the server: this one follows it */
        }
        if (pr == 0 || (pr < 0 && errno == EINTR)) {
            continue;
        }
        fastpub_reader_busy(f, true);
        char chunk[65536];
        ssize_t r = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        int err = errno;
        long used = r > 0 && ce_buf_append(rb, chunk, (size_t)r) == CE_OK
                        ? fastpub_parse(f, rb->data, rb->len)
                        : -1;
        fastpub_reader_busy(f, false);
        if (r < 0 && (err == EAGAIN || err == EINTR)) {
            continue;
        }
        if (used < 0) {
            return;
        }
        memmove(rb->data, rb->data + used, rb->len - (size_t)used);
        rb->len -= (size_t)used;
    }
}

/* Waits for the next attempt: bounded, and cut short by the close. */
static void fastpub_pause(struct jsfast *f, int ms)
{
    struct timespec dl;
    ce_clock_deadline(ms, &dl);
    pthread_mutex_lock(&f->mu);
    if (!f->closing) {
        (void)pthread_cond_timedwait(&f->cond, &f->mu, &dl);
    }
    pthread_mutex_unlock(&f->mu);
}

static void fastpub_set_up(struct jsfast *f, int fd)
{
    pthread_mutex_lock(&f->wmu);
    f->wfd = fd;
    uint64_t gen = ++f->wgen;
    ce_buf_reset(&f->wbuf);
    pthread_mutex_unlock(&f->wmu);
    pthread_mutex_lock(&f->mu);
    f->gen = gen;
    f->up = true;
    pthread_mutex_unlock(&f->mu);
    ce_log_kv(CE_LOG_DEBUG, "the publish connection to the event bus is up", NULL);
}

/* From here no publisher writes to the connection's socket: it can be closed. */
static void fastpub_set_down(struct jsfast *f)
{
    pthread_mutex_lock(&f->mu);
    f->up = false;
    pthread_mutex_unlock(&f->mu);
    pthread_mutex_lock(&f->wmu);
    while (f->flushing) {
        pthread_cond_wait(&f->wcond, &f->wmu);
    }
    f->wfd = -1;
    ce_buf_reset(&f->wbuf);
    pthread_mutex_unlock(&f->wmu);
}

static void *fastpub_main(void *arg)
{
    struct jsfast *f = arg;
    (void)prctl(PR_SET_NAME, "ce-publish"); /* not the name of the thread that started it */
    int wait_ms = f->bus->wait_min_ms;
    for (;;) {
        if (fastpub_closing(f) || f->disabled) {
            break;
        }
        int fd = fastpub_connect(f);
        if (fd < 0) {
            fastpub_pause(f, wait_ms);
            wait_ms = wait_ms * 2 > f->bus->wait_max_ms ? f->bus->wait_max_ms : wait_ms * 2;
            continue;
        }
        wait_ms = f->bus->wait_min_ms;
        fastpub_set_up(f, fd);
        fastpub_read_loop(f, fd);
        fastpub_set_down(f);
        ce_log_kv(CE_LOG_DEBUG, "the publish connection to the event bus is down", NULL);
        close(fd);
        ce_buf_reset(&f->rbuf);
        fastpub_fail_list(fastpub_take_expired(f, true), CE_EUNAVAIL,
                          "event bus connection lost before the ack");
    }
    return NULL;
}

/* ---- start / stop ---- */

static void fastpub_free(struct jsfast *f)
{
    ce_buf_fini(&f->rbuf);
    ce_buf_fini(&f->wbuf);
    ce_buf_fini(&f->wspare);
    pthread_cond_destroy(&f->wcond);
    pthread_mutex_destroy(&f->wmu);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->mu);
    ce_free(f);
}

void jsbus_fast_start(struct jsbus *b)
{
    struct jsfast *f = ce_xcalloc(1, sizeof(*f));
    f->bus = b;
    f->wfd = -1;
    pthread_mutex_init(&f->mu, NULL);
    pthread_mutex_init(&f->wmu, NULL);
    pthread_cond_init(&f->wcond, NULL);
    ce_buf_init(&f->wbuf, FASTPUB_WRITE_MAX);
    ce_buf_init(&f->wspare, FASTPUB_WRITE_MAX);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
        r = (uint64_t)fastpub_now_ms() ^ (uint64_t)(uintptr_t)f;
    }
    snprintf(f->inbox, sizeof f->inbox, "_INBOX.cevents%016llx.", (unsigned long long)r);
    f->inbox_len = strlen(f->inbox);
    ce_buf_init(&f->rbuf, FASTPUB_READ_MAX * 2);
    if (pthread_create(&f->reader, NULL, fastpub_main, f) != 0) {
        fastpub_free(f);
        return;
    }
    atomic_store(&b->fast, f);
}

void jsbus_fast_stop(struct jsbus *b)
{
    struct jsfast *f = atomic_exchange(&b->fast, NULL);
    if (f == NULL) {
        return;
    }
    struct timespec dl;
    ce_clock_deadline(b->publish_timeout_ms, &dl);
    pthread_mutex_lock(&f->mu);
    while (f->npending > 0 && pthread_cond_timedwait(&f->cond, &f->mu, &dl) == 0) {
    }
    f->closing = true;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
    pthread_mutex_lock(&f->wmu);
    if (f->wfd >= 0) {
        shutdown(f->wfd, SHUT_RDWR); /* the reader sees the end and stops */
    }
    pthread_mutex_unlock(&f->wmu);
    pthread_join(f->reader, NULL);
    fastpub_fail_list(fastpub_take_expired(f, true), CE_ETIMEDOUT,
                      "event bus closed before the ack");
    fastpub_free(f);
}
