/* SPDX-License-Identifier: Apache-2.0 */
/* One SFTP connection through libssh2: TCP, the SSH handshake, the host key checked against a
 * known_hosts text (unless the event accepts any key), a password or key login, and listings
 * of a directory. Blocking with a timeout on every step; owned by one thread. */
#ifndef CE_EVENTSOURCE_SFTP_SESSION_H
#define CE_EVENTSOURCE_SFTP_SESSION_H

#include "core/base/rc.h"
#include "eventsource/watch_path.h"

#include <stdbool.h>
#include <stddef.h>

/* Entries of one listing at most (outsider-sized: a server may list anything). */
#define CE_SFTP_LIST_MAX 200000

struct ce_sftp_conn;

/* What a login needs, read from the secrets. */
struct ce_sftp_login {
    const char *address; /* host:port, [v6]:port, or host (port 22) */
    const char *username;
    const char *password;    /* NULL when key is used */
    const char *key;         /* a private key text, NULL when password is used */
    const char *known_hosts; /* NULL: accept any host key */
};

/* libssh2's global state, once per process (not thread-safe: call from the main thread). */
int ce_sftp_lib_init(void) CE_MUST_CHECK;
void ce_sftp_lib_exit(void);

int ce_sftp_connect(const struct ce_sftp_login *login, int timeout_ms, struct ce_sftp_conn **out,
                    char *err, size_t errlen) CE_MUST_CHECK;
void ce_sftp_close(struct ce_sftp_conn *c);

/* The non-directory entries of dir: *names (heap strings) and *sts, *n of them; *truncated
 * when there were more than CE_SFTP_LIST_MAX. An error means the connection is unusable
 * (CE_EIO, with err) or the directory cannot be read (CE_ENOENT). */
int ce_sftp_list(struct ce_sftp_conn *c, const char *dir, char ***names, struct ce_watch_stat **sts,
                 size_t *n, bool *truncated, char *err, size_t errlen) CE_MUST_CHECK;
void ce_sftp_list_free(char **names, struct ce_watch_stat *sts, size_t n);

#endif
