/* SPDX-License-Identifier: Apache-2.0 */
/* A real OpenSSH sshd for the sftp tests: internal-sftp on 127.0.0.1 and a port of its own, a
 * host key and a client key made for the test (ssh-keygen), the client key authorized for the
 * user running the test. Stopping it ends its sessions too, as a server going down would. */
#ifndef CE_TESTS_HARNESS_SSHD_H
#define CE_TESTS_HARNESS_SSHD_H

#include <stdbool.h>

struct ce_test_proc;

struct ce_test_sshd {
    char *dir;              /* keys, config and pid file live here */
    int port;               /* fixed for the server's life, so a restart answers on it again */
    char *user;             /* the user running the test: the login */
    char *client_key;       /* the client's private key (OpenSSH text) */
    char *known_hosts;      /* "[127.0.0.1]:<port> <host public key>" */
    struct ce_test_proc *p; /* NULL while stopped */
};

/* Skips the test (77) when sshd or ssh-keygen is missing. */
void ce_test_require_sshd(void);
/* Makes keys and config under dir and starts the server; fails the test when it does not
 * answer within 10 s. */
struct ce_test_sshd *ce_test_sshd_start(const char *dir);
/* Stops the server and ends its sessions (SIGKILL), keeping keys and port. */
void ce_test_sshd_stop(struct ce_test_sshd *s);
/* Starts it again on the same port. */
void ce_test_sshd_restart(struct ce_test_sshd *s);
void ce_test_sshd_free(struct ce_test_sshd *s);

#endif
