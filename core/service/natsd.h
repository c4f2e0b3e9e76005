/* SPDX-License-Identifier: Apache-2.0 */
/* An embedded NATS JetStream server: `nats-server -js` run as a child process on a free port
 * with its store under a directory. `cevents run` uses it when no bus is given; tests use it
 * as the real bus. */
#ifndef CE_CORE_NATSD_H
#define CE_CORE_NATSD_H

#include "core/base/rc.h"

#include <stdint.h>

struct ce_natsd;

/* Starts nats-server (found in PATH, /usr/sbin or /usr/bin) with JetStream, store dir
 * <dir>/jetstream, on port (0 = pick a free one), its log going to log_fd (-1 = /dev/null).
 * Waits until it accepts connections (up to 10 s). CE_OK, CE_ENOENT (no nats-server binary),
 * CE_EIO or CE_ETIMEDOUT. */
int ce_natsd_start(const char *dir, int port, int log_fd, struct ce_natsd **out) CE_MUST_CHECK;
/* The same, with the largest message the server takes (its max_payload) set to max_payload
 * bytes (0: nats-server's default, 1 MiB; at most CE_NATSD_MAX_PAYLOAD_CAP). */
int ce_natsd_start_sized(const char *dir, int port, int log_fd, int64_t max_payload,
                         struct ce_natsd **out) CE_MUST_CHECK;

/* The nats-server binary's path (PATH, /usr/sbin or /usr/bin; heap), or NULL. */
char *ce_natsd_find_bin(void);

/* The largest max_payload nats-server accepts. */
#define CE_NATSD_MAX_PAYLOAD_CAP (64 * 1024 * 1024)
/* "nats://127.0.0.1:<port>" */
const char *ce_natsd_url(const struct ce_natsd *n);
int ce_natsd_port(const struct ce_natsd *n);
/* The server's process id, or -1 while it is not running. */
int ce_natsd_pid(const struct ce_natsd *n);
/* Tells the handle its process has exited and was reaped by the caller (a supervisor that
 * waits for every child), so ce_natsd_restart starts a new one. */
void ce_natsd_exited(struct ce_natsd *n);
/* Stops the server (SIGTERM, then SIGKILL after 5 s) but keeps the handle, so that
 * ce_natsd_restart can start it again on the same port and store. */
void ce_natsd_stop(struct ce_natsd *n);
int ce_natsd_restart(struct ce_natsd *n) CE_MUST_CHECK;
/* Stops and frees; accepts NULL. */
void ce_natsd_destroy(struct ce_natsd *n);

#endif
