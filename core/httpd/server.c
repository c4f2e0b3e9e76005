/* SPDX-License-Identifier: Apache-2.0 */
/* The server's loops: each has its own epoll and connections; all wait on the one listening
 * socket (EPOLLEXCLUSIVE, so one loop wakes per new connection) and on an eventfd through which
 * other threads hand in answers. */
#define _GNU_SOURCE /* accept4: a new connection non-blocking in one call */
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/httpd/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define HTTPD_EVENTS 64

/* Markers for the two descriptors every loop has besides its connections. */
static char httpd_listen_mark;
static char httpd_wake_mark;

static _Thread_local const struct httpd_loop *httpd_current_loop;

bool httpd_on_loop(const struct httpd_loop *loop)
{
    return httpd_current_loop == loop;
}

static void httpd_accept_all(struct httpd_loop *loop)
{
    struct ce_httpd *h = loop->srv;
    for (;;) {
        int fd = accept4(h->cfg.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            if (h->ops->on_problem) {
                h->ops->on_problem(h->arg, "cannot accept a connection", strerror(errno));
            }
            /* Out of descriptors (or memory): the socket stays readable, so waiting on it would
             * spin. This loop stops watching it for a moment; connections queue meanwhile. */
            epoll_ctl(loop->epfd, EPOLL_CTL_DEL, h->cfg.listen_fd, NULL);
            loop->accept_paused_ms = ce_clock_mono_ms();
            return;
        }
        if (atomic_fetch_add(&h->n_conns, 1) >= h->cfg.max_connections) {
            atomic_fetch_sub(&h->n_conns, 1);
            close(fd); /* over the limit: the client sees the connection end */
            continue;
        }
        httpd_conn_accept(loop, fd);
    }
}

static int httpd_watch_listener(struct httpd_loop *loop)
{
    struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &httpd_listen_mark};
    return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->srv->cfg.listen_fd, &lev);
}

/* Watches the listening socket again 100 ms after accepting failed. */
static void httpd_accept_resume(struct httpd_loop *loop)
{
    if (loop->accept_paused_ms && ce_clock_mono_ms() - loop->accept_paused_ms >= 100 &&
        httpd_watch_listener(loop) == 0) {
        loop->accept_paused_ms = 0;
    }
}

static void *httpd_loop_main(void *arg)
{
    struct httpd_loop *loop = arg;
    httpd_current_loop = loop;
    struct epoll_event evs[HTTPD_EVENTS];
    int64_t last_expire = ce_clock_mono_ms();
    while (!atomic_load(&loop->srv->stopping)) {
        httpd_accept_resume(loop);
        int n = epoll_wait(loop->epfd, evs, HTTPD_EVENTS, loop->accept_paused_ms ? 100 : 1000);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &httpd_listen_mark) {
                httpd_accept_all(loop);
            }
            else if (p == &httpd_wake_mark) {
                httpd_conns_take_ready(loop);
            }
            else {
                httpd_conn_event(p, evs[i].events);
            }
        }
        int64_t now = ce_clock_mono_ms();
        if (now - last_expire >= 1000) {
            httpd_conns_expire(loop, now);
            last_expire = now;
        }
        httpd_conns_free_dead(loop);
    }
    /* answers handed in but not taken belong to connections closed just below */
    pthread_mutex_lock(&loop->ready_lock);
    loop->ready = NULL;
    pthread_mutex_unlock(&loop->ready_lock);
    while (loop->conns) {
        httpd_conn_close(loop->conns);
    }
    httpd_conns_free_dead(loop);
    return NULL;
}

static int httpd_loop_init(struct ce_httpd *h, struct httpd_loop *loop, char *err, size_t errlen)
{
    loop->srv = h;
    loop->wake_fd = -1;
    loop->scratch = httpd_spare_take_in(loop);
    pthread_mutex_init(&loop->ready_lock, NULL);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event wev = {.events = EPOLLIN, .data.ptr = &httpd_wake_mark};
    if (loop->epfd < 0 || loop->wake_fd < 0 || httpd_watch_listener(loop) != 0 ||
        epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wake_fd, &wev) != 0) {
        return ce_rc_fail(CE_EIO, err, errlen, "cannot set up an event loop: %s", strerror(errno));
    }
    if (pthread_create(&loop->thread, NULL, httpd_loop_main, loop) != 0) {
        return ce_rc_fail(CE_EIO, err, errlen, "cannot start an event loop thread");
    }
    loop->started = true;
    return CE_OK;
}

static void httpd_defaults(struct ce_httpd_config *cfg)
{
    if (cfg->threads <= 0) {
        long nproc = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = nproc > 1 ? (int)(nproc < 16 ? nproc : 16) : 1;
    }
    cfg->idle_timeout_s = cfg->idle_timeout_s > 0 ? cfg->idle_timeout_s : 120;
    cfg->max_connections = cfg->max_connections > 0 ? cfg->max_connections : 16384;
}

int ce_httpd_start(const struct ce_httpd_config *cfg, const struct ce_httpd_ops *ops, void *arg,
                   struct ce_httpd **out, char *err, size_t errlen)
{
    struct ce_httpd *h = ce_xcalloc(1, sizeof(*h));
    h->cfg = *cfg;
    h->ops = ops;
    h->arg = arg;
    httpd_defaults(&h->cfg);
    h->loops = ce_xcalloc((size_t)h->cfg.threads, sizeof(*h->loops));
    int rc = httpd_tls_setup(h, err, errlen);
    int fl = fcntl(h->cfg.listen_fd, F_GETFL);
    if (rc == CE_OK && (fl < 0 || fcntl(h->cfg.listen_fd, F_SETFL, fl | O_NONBLOCK) != 0)) {
        /* a blocking accept would hold a loop when another loop took the connection */
        rc = ce_rc_fail(CE_EIO, err, errlen, "the listening socket is not usable: %s",
                        strerror(errno));
    }
    for (int i = 0; rc == CE_OK && i < h->cfg.threads; i++) {
        rc = httpd_loop_init(h, &h->loops[i], err, errlen);
        h->n_loops = i + 1;
    }
    if (rc != CE_OK) {
        ce_httpd_stop(h);
        return rc;
    }
    *out = h;
    return CE_OK;
}

void ce_httpd_stop(struct ce_httpd *h)
{
    if (!h) {
        return;
    }
    atomic_store(&h->stopping, true);
    for (int i = 0; i < h->n_loops; i++) {
        struct httpd_loop *loop = &h->loops[i];
        if (loop->started) {
            uint64_t one = 1;
            ssize_t w = write(loop->wake_fd, &one, sizeof one);
            (void)w;
            pthread_join(loop->thread, NULL);
        }
        if (loop->epfd >= 0) {
            close(loop->epfd);
        }
        if (loop->wake_fd >= 0) {
            close(loop->wake_fd);
        }
        pthread_mutex_destroy(&loop->ready_lock);
        httpd_spares_free(loop); /* the loop's thread is gone */
    }
    close(h->cfg.listen_fd);
    httpd_tls_free(h);
    ce_free(h->loops);
    ce_free(h);
}
