/* SPDX-License-Identifier: Apache-2.0 */
/* Listening sockets and free ports: see listen.h. */
#include "core/service/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_bind(int port, uint32_t addr, int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(addr);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = errno;
        close(fd);
        return err;
    }
    *fd_out = fd;
    return 0;
}

int ce_listen_tcp(int port, int backlog, int *fd, char *err, size_t errlen)
{
    int s = -1;
    int e = listen_bind(port, INADDR_ANY, &s);
    if (e == 0 && listen(s, backlog) != 0) {
        e = errno;
        close(s);
    }
    if (e != 0) {
        return ce_rc_fail(e == EADDRINUSE ? CE_EINUSE : CE_EIO, err, errlen, "%s", strerror(e));
    }
    *fd = s;
    return CE_OK;
}

bool ce_listen_port_free(int port)
{
    int s = -1;
    if (listen_bind(port, INADDR_ANY, &s) != 0) {
        return false;
    }
    close(s);
    return true;
}

int ce_listen_free_port(void)
{
    int s = -1;
    if (listen_bind(0, INADDR_LOOPBACK, &s) != 0) {
        return 0;
    }
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int port = getsockname(s, (struct sockaddr *)&sa, &sl) == 0 ? ntohs(sa.sin_port) : 0;
    close(s);
    return port;
}
