/* SPDX-License-Identifier: Apache-2.0 */
/* A bus that refuses the client (see jsbus_refused in jetstream_int.h). cnats only reports "No
 * server available" then; the server's INFO line says whether it wants TLS and credentials at
 * all, which tells a plain nats:// URL for a TLS server, and a missing accessSecret from a wrong
 * one. */
#include "eventbus/jetstream_int.h"

#include "core/base/log.h"

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REFUSED_WAIT_MS 1000

/* Reads the first line the server at url_shown's first server sends (its INFO) into line. */
static bool refused_info(const char *url_shown, char *line, size_t len)
{
    char host[256], port[16];
    jsbus_host_port(url_shown, host, port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0) {
        return false;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
    freeaddrinfo(ai);
    size_t got = 0;
    while (ok && got + 1 < len && memchr(line, '\n', got) == NULL) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n = poll(&pfd, 1, REFUSED_WAIT_MS) == 1 ? read(fd, line + got, len - 1 - got) : -1;
        ok = n > 0;
        got += ok ? (size_t)n : 0;
    }
    if (fd >= 0) {
        close(fd);
    }
    line[got] = '\0';
    return got > 0;
}

void jsbus_refused(struct jsbus *b, natsConnection *nc)
{
    const char *last = NULL;
    (void)natsConnection_GetLastError(nc, &last);
    const char *detail = last != NULL && last[0] ? last : "";
    char info[4096];
    if (!refused_info(b->url_shown, info, sizeof(info)) ||
        (strstr(info, "\"auth_required\":true") == NULL &&
         strstr(info, "\"tls_required\":true") == NULL)) {
        /* not an authentication matter (a first connect that failed for good): said, no more */
        ce_log_kv(CE_LOG_WARN, "the event bus connection was closed", "url", b->url_shown, "detail",
                  detail, NULL);
        return;
    }
    bool plain = strncmp(b->url_shown, "tls://", 6) != 0;
    if (plain && strstr(info, "\"tls_required\":true") != NULL) {
        /* cnats set up OpenSSL for the server's TLS demand: its close at exit must be skipped
         * as after any TLS use. */
        ce_bus_nats_tls_used();
        ce_log_kv(CE_LOG_ERROR, "cannot connect to the event bus; stopping", "url", b->url_shown,
                  "error", "the event bus requires TLS: give its URL as tls://host:port", "detail",
                  detail, NULL);
        kill(getpid(), SIGTERM);
        return;
    }
    const char *why = b->has_credentials
                          ? "Authorization Violation: the event bus refused the credentials (the "
                            "EventBus accessSecret, or --bus-secret)"
                          : "Authorization Violation: the event bus requires credentials and none "
                            "are configured (set the EventBus accessSecret, or --bus-secret)";
    ce_log_kv(CE_LOG_ERROR, "cannot connect to the event bus; stopping", "url", b->url_shown,
              "error", why, "detail", detail, NULL);
    /* The process's main loop waits for this signal and shuts down in order. */
    kill(getpid(), SIGTERM);
}
