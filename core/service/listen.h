/* SPDX-License-Identifier: Apache-2.0 */
/* TCP listening sockets the servers of cevents listen on (core/httpd), made here so a port that
 * cannot be had is reported with the system's reason ("Address already in use"), and free ports
 * for processes that need one. */
#ifndef CE_CORE_SERVICE_LISTEN_H
#define CE_CORE_SERVICE_LISTEN_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>

/* A socket listening on every IPv4 address at port (SO_REUSEADDR, so a restart does not wait
 * for old connections to time out). CE_OK with *fd; CE_EINUSE when another program holds the
 * port, CE_EIO otherwise, with the system's reason in err. */
int ce_listen_tcp(int port, int backlog, int *fd, char *err, size_t errlen) CE_MUST_CHECK;

/* Whether port can be listened on now (on every IPv4 address). */
bool ce_listen_port_free(int port);
/* A port the kernel just considered free on 127.0.0.1; 0 on failure. */
int ce_listen_free_port(void);

#endif
