/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded NATS JetStream server: finds the nats-server binary, runs it on a free (or given)
 * loopback port with its store in a directory the caller owns, and waits until it greets a
 * client, so that callers can connect at once. */
#include "core/service/natsd.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/service/listen.h"
#include "core/service/proc.h"
#include "core/base/rc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NATSD_READY_MS 10000
#define NATSD_STOP_MS 5000
/* Tries with a fresh free port when another process took the picked one first. */
#define NATSD_PORT_TRIES 3

struct ce_natsd {
    char *bin;
    char *store;
    int port;
    bool pick_port; /* the caller asked for any port: a lost race may pick another */
    int log_fd;     /* owned: a dup of the caller's fd, or /dev/null */
    pid_t pid;      /* -1 while stopped */
    char *conf;     /* the configuration file, or NULL */
    char url[48];
};

char *ce_natsd_find_bin(void)
{
    char *found = ce_proc_find("nats-server");
    if (found != NULL) {
        return found;
    }
    static const char *const fixed[] = {"/usr/sbin/nats-server", "/usr/bin/nats-server"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (access(fixed[i], X_OK) == 0) {
            return ce_xstrdup(fixed[i]);
        }
    }
    return NULL;
}

/* True when something on the port accepts and sends the NATS greeting ("INFO {...}"). */
static bool natsd_greets(int port, int wait_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char buf[8];
        if (poll(&pfd, 1, wait_ms) == 1 && recv(fd, buf, 4, MSG_WAITALL) == 4) {
            ok = memcmp(buf, "INFO", 4) == 0;
        }
    }
    close(fd);
    return ok;
}

static int natsd_spawn(struct ce_natsd *n)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", n->port);
    char *const argv[] = {n->bin, "-js", "-a",     "127.0.0.1",           "-p",
                          port,   "-sd", n->store, n->conf ? "-c" : NULL, n->conf,
                          NULL};
    int rc = ce_proc_spawn(argv, n->log_fd, n->log_fd, &n->pid);
    if (rc != CE_OK) {
        n->pid = -1;
    }
    return rc;
}

/* Waits for the greeting; CE_EIO when the server exited (e.g. the port was taken). */
static int natsd_wait_ready(struct ce_natsd *n)
{
    int64_t deadline = ce_clock_mono_ms() + NATSD_READY_MS;
    int status;
    while (ce_clock_mono_ms() < deadline) {
        if (ce_proc_reaped(n->pid, &status)) {
            n->pid = -1;
            return CE_EIO;
        }
        if (natsd_greets(n->port, 500)) {
            /* Check again: a foreign server on a reused port must not pass for ours. */
            if (ce_proc_reaped(n->pid, &status)) {
                n->pid = -1;
                return CE_EIO;
            }
            return CE_OK;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    ce_natsd_stop(n);
    return CE_ETIMEDOUT;
}

static int natsd_run(struct ce_natsd *n)
{
    int rc = CE_EIO;
    for (int i = 0; i < NATSD_PORT_TRIES; i++) {
        if (n->pick_port && i > 0) {
            n->port = ce_listen_free_port();
        }
        if (n->port <= 0) {
            return CE_EIO;
        }
        snprintf(n->url, sizeof(n->url), "nats://127.0.0.1:%d", n->port);
        rc = natsd_spawn(n);
        if (rc == CE_OK) {
            rc = natsd_wait_ready(n);
        }
        if (rc != CE_EIO || !n->pick_port) {
            return rc;
        }
    }
    return rc;
}

/* A configuration file for what the command line cannot say (max_payload). */
static int natsd_write_conf(struct ce_natsd *n, const char *dir, int64_t max_payload)
{
    n->conf = ce_xasprintf("%s/nats-server.conf", dir);
    FILE *f = fopen(n->conf, "w");
    if (f == NULL) {
        return CE_EIO;
    }
    int w = fprintf(f,
                    "# written by cevents: events of the largest size the manifests allow\n"
                    "max_payload: %lld\n",
                    (long long)max_payload);
    return fclose(f) == 0 && w > 0 ? CE_OK : CE_EIO;
}

int ce_natsd_start(const char *dir, int port, int log_fd, struct ce_natsd **out)
{
    return ce_natsd_start_sized(dir, port, log_fd, 0, out);
}

int ce_natsd_start_sized(const char *dir, int port, int log_fd, int64_t max_payload,
                         struct ce_natsd **out)
{
    *out = NULL;
    if (!dir || port < 0 || port > 65535 || max_payload < 0 ||
        max_payload > CE_NATSD_MAX_PAYLOAD_CAP) {
        return CE_EINVAL;
    }
    char *bin = ce_natsd_find_bin();
    if (!bin) {
        return CE_ENOENT;
    }
    struct ce_natsd *n = ce_xcalloc(1, sizeof(*n));
    n->bin = bin;
    n->pid = -1;
    n->store = ce_xasprintf("%s/jetstream", dir);
    (void)mkdir(dir, 0700); /* usually exists; nats-server creates the store below it */
    n->log_fd =
        log_fd >= 0 ? fcntl(log_fd, F_DUPFD_CLOEXEC, 3) : open("/dev/null", O_WRONLY | O_CLOEXEC);
    n->pick_port = port == 0;
    n->port = port ? port : ce_listen_free_port();
    int rc = n->log_fd < 0 ? CE_EIO : CE_OK;
    if (rc == CE_OK && max_payload > 0) {
        rc = natsd_write_conf(n, dir, max_payload);
    }
    rc = rc == CE_OK ? natsd_run(n) : rc;
    if (rc != CE_OK) {
        ce_natsd_destroy(n);
        return rc;
    }
    n->pick_port = false; /* restarts keep the port clients know */
    *out = n;
    return CE_OK;
}

const char *ce_natsd_url(const struct ce_natsd *n)
{
    return n->url;
}

int ce_natsd_port(const struct ce_natsd *n)
{
    return n->port;
}

int ce_natsd_pid(const struct ce_natsd *n)
{
    return n->pid > 0 ? (int)n->pid : -1;
}

void ce_natsd_exited(struct ce_natsd *n)
{
    n->pid = -1;
}

void ce_natsd_stop(struct ce_natsd *n)
{
    if (!n || n->pid <= 0) {
        return;
    }
    (void)ce_proc_stop(n->pid, SIGTERM, NATSD_STOP_MS, NULL);
    n->pid = -1;
}

int ce_natsd_restart(struct ce_natsd *n)
{
    if (!n) {
        return CE_EINVAL;
    }
    ce_natsd_stop(n);
    return natsd_run(n);
}

void ce_natsd_destroy(struct ce_natsd *n)
{
    if (!n) {
        return;
    }
    ce_natsd_stop(n);
    if (n->log_fd >= 0) {
        close(n->log_fd);
    }
    ce_free(n->bin);
    ce_free(n->conf);
    ce_free(n->store);
    ce_free(n);
}
