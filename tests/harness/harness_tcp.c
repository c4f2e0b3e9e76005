/* SPDX-License-Identifier: Apache-2.0 */
/* Raw TCP for tests that check a server's bytes on the wire (HTTP framing): no client library
 * between the test and the server, so malformed or pipelined requests go out exactly as
 * written and every byte of the answer comes back. */
#include "tests/harness/harness.h"
#include "core/base/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

/* What ce_test_tcp_read_all keeps of an answer. */
#define HARNESS_TCP_CAP (1024u * 1024)

int ce_test_tcp_connect(int port, bool nodelay)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail_msg("socket: %s", strerror(errno));
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = errno;
        close(fd);
        fail_msg("connect 127.0.0.1:%d: %s", port, strerror(err));
    }
    /* A server that stops reading fails the test instead of blocking it until CTest's timeout. */
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    if (nodelay && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
        int err = errno;
        close(fd);
        fail_msg("TCP_NODELAY: %s", strerror(err));
    }
    return fd;
}

bool ce_test_tcp_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

char *ce_test_tcp_read_all(int fd, int timeout_ms, size_t *len, bool *closed)
{
    char *buf = ce_xmalloc(HARNESS_TCP_CAP + 1);
    size_t got = 0;
    bool eof = false;
    int64_t deadline = ce_test_now_ms() + timeout_ms;
    while (!eof && got < HARNESS_TCP_CAP) {
        int64_t left = deadline - ce_test_now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
            break;
        }
        ssize_t n = recv(fd, buf + got, HARNESS_TCP_CAP - got, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        /* A reset after the answer (the server closed with request bytes unread) is a close. */
        eof = n <= 0;
        got += n > 0 ? (size_t)n : 0;
    }
    buf[got] = '\0';
    if (len) {
        *len = got;
    }
    if (closed) {
        *closed = eof;
    }
    return buf;
}

char *ce_test_tcp_exchange(int port, const void *req, size_t len, int timeout_ms, size_t *out_len,
                           bool *closed)
{
    int fd = ce_test_tcp_connect(port, false);
    bool sent = ce_test_tcp_send(fd, req, len);
    char *answer = ce_test_tcp_read_all(fd, timeout_ms, out_len, closed);
    close(fd);
    if (!sent && out_len && *out_len == 0) {
        fail_msg("send to 127.0.0.1:%d failed and nothing came back", port);
    }
    return answer;
}
