/* SPDX-License-Identifier: Apache-2.0 */
/* An SFTP connection through libssh2 (see session.h). */
#include "eventsource/sftp/session.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"

#include <libssh2.h>
#include <libssh2_sftp.h>

#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ce_sftp_conn {
    int fd;
    LIBSSH2_SESSION *ssh;
    LIBSSH2_SFTP *sftp;
};

int ce_sftp_lib_init(void)
{
    /* libcurl's global init calls libssh2_init too, and neither is thread-safe: libcurl's goes
     * first, once, so another source's first libcurl handle never races this one. */
    ce_curl_global_init();
    return libssh2_init(0) == 0 ? CE_OK : CE_EIO;
}

void ce_sftp_lib_exit(void)
{
    libssh2_exit();
}

/* "host:port", "[v6]:port" or "host" into host (heap) and port. */
static bool sftp_split_address(const char *addr, char **host, char port[8])
{
    const char *colon = strrchr(addr, ':');
    snprintf(port, 8, "22");
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
            return false;
        }
        *host = ce_xstrndup(addr + 1, (size_t)(end - addr - 1));
        colon = end[1] == ':' ? end + 1 : NULL;
    }
    else {
        if (colon != NULL && strchr(addr, ':') != colon) {
            colon = NULL; /* a bare IPv6 address */
        }
        *host = ce_xstrndup(addr, colon != NULL ? (size_t)(colon - addr) : strlen(addr));
    }
    if (colon != NULL && (strlen(colon + 1) == 0 || strlen(colon + 1) > 5 ||
                          strspn(colon + 1, "0123456789") != strlen(colon + 1))) {
        ce_free(*host);
        return false;
    }
    if (colon != NULL) {
        snprintf(port, 8, "%s", colon + 1);
    }
    return (*host)[0] != '\0';
}

static int sftp_tcp(const char *host, const char *port, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0) {
        return ce_rc_fail(-1, err, errlen, "cannot resolve %s: %s", host, gai_strerror(g));
    }
    int fd = -1;
    for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
        if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
                        connect(fd, a->ai_addr, a->ai_addrlen) != 0)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        (void)ce_rc_fail(-1, err, errlen, "cannot connect to %s port %s", host, port);
    }
    return fd;
}

static const char *sftp_ssh_error(LIBSSH2_SESSION *ssh)
{
    char *msg = NULL;
    (void)libssh2_session_last_error(ssh, &msg, NULL, 0);
    return msg != NULL ? msg : "unknown error";
}

/* The server's key must be in known_hosts (a known_hosts file's text). */
static int sftp_check_host(LIBSSH2_SESSION *ssh, const char *known_hosts, const char *host,
                           int port, char *err, size_t errlen)
{
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(ssh);
    size_t klen = 0;
    int ktype = 0;
    const char *key = libssh2_session_hostkey(ssh, &klen, &ktype);
    int rc = kh != NULL && key != NULL ? CE_OK : CE_EIO;
    for (const char *p = known_hosts; rc == CE_OK && *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (n > 0 && p[0] != '#') {
            /* a line it cannot read (a marker, another key type) is skipped, as ssh does */
            (void)libssh2_knownhost_readline(kh, p, n, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
        }
        p += n + (p[n] == '\n');
    }
    int check = rc == CE_OK ? libssh2_knownhost_checkp(
                                  kh, host, port, key, klen,
                                  LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW, NULL)
                            : LIBSSH2_KNOWNHOST_CHECK_FAILURE;
    if (kh != NULL) {
        libssh2_knownhost_free(kh);
    }
    if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        return CE_OK;
    }
    return ce_rc_fail(CE_EAUTH, err, errlen, "the server's host key %s the known hosts",
                      check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH ? "differs from the one in"
                                                                : "is not in");
}

static int sftp_login(struct ce_sftp_conn *c, const struct ce_sftp_login *l, char *err,
                      size_t errlen)
{
    int r;
    if (l->key != NULL) {
        r = libssh2_userauth_publickey_frommemory(c->ssh, l->username, strlen(l->username), NULL, 0,
                                                  l->key, strlen(l->key), NULL);
    }
    else {
        r = libssh2_userauth_password(c->ssh, l->username, l->password);
    }
    if (r != 0) {
        return ce_rc_fail(CE_EAUTH, err, errlen, "login as %s refused: %s", l->username,
                          sftp_ssh_error(c->ssh));
    }
    c->sftp = libssh2_sftp_init(c->ssh);
    if (c->sftp == NULL) {
        return ce_rc_fail(CE_EIO, err, errlen, "the server has no SFTP subsystem: %s",
                          sftp_ssh_error(c->ssh));
    }
    return CE_OK;
}

static int sftp_handshake(struct ce_sftp_conn *c, const struct ce_sftp_login *l, const char *host,
                          const char *port, int timeout_ms, char *err, size_t errlen)
{
    c->ssh = libssh2_session_init();
    if (c->ssh == NULL) {
        return ce_rc_fail(CE_EIO, err, errlen, "cannot start an SSH session");
    }
    libssh2_session_set_blocking(c->ssh, 1);
    libssh2_session_set_timeout(c->ssh, timeout_ms);
    if (libssh2_session_handshake(c->ssh, c->fd) != 0) {
        return ce_rc_fail(CE_EIO, err, errlen, "SSH handshake failed: %s", sftp_ssh_error(c->ssh));
    }
    if (l->known_hosts != NULL) {
        int rc =
            sftp_check_host(c->ssh, l->known_hosts, host, (int)strtol(port, NULL, 10), err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    return sftp_login(c, l, err, errlen);
}

int ce_sftp_connect(const struct ce_sftp_login *login, int timeout_ms, struct ce_sftp_conn **out,
                    char *err, size_t errlen)
{
    char *host = NULL, port[8];
    *out = NULL;
    if (!sftp_split_address(login->address, &host, port)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "the address is not host:port");
    }
    struct ce_sftp_conn *c = ce_xcalloc(1, sizeof(*c));
    c->fd = sftp_tcp(host, port, timeout_ms, err, errlen);
    int rc = c->fd < 0 ? CE_EIO : sftp_handshake(c, login, host, port, timeout_ms, err, errlen);
    ce_free(host);
    if (rc != CE_OK) {
        ce_sftp_close(c);
        return rc;
    }
    *out = c;
    return CE_OK;
}

void ce_sftp_close(struct ce_sftp_conn *c)
{
    if (c == NULL) {
        return;
    }
    if (c->sftp != NULL) {
        libssh2_sftp_shutdown(c->sftp);
    }
    if (c->ssh != NULL) {
        libssh2_session_disconnect(c->ssh, "bye");
        libssh2_session_free(c->ssh);
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    ce_free(c);
}

void ce_sftp_list_free(char **names, struct ce_watch_stat *sts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ce_free(names[i]);
    }
    ce_free(names);
    ce_free(sts);
}

static void sftp_list_add(char ***names, struct ce_watch_stat **sts, size_t *n, size_t *cap,
                          const char *name, size_t len, const LIBSSH2_SFTP_ATTRIBUTES *a)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *names = ce_xrealloc(*names, *cap * sizeof(**names));
        *sts = ce_xrealloc(*sts, *cap * sizeof(**sts));
    }
    (*names)[*n] = ce_xstrndup(name, len);
    (*sts)[*n] = (struct ce_watch_stat){
        .size = (a->flags & LIBSSH2_SFTP_ATTR_SIZE) ? (int64_t)a->filesize : 0,
        .mtime_ns = (a->flags & LIBSSH2_SFTP_ATTR_ACMODTIME) ? (int64_t)a->mtime * 1000000000 : 0,
        .mode = (a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) ? (uint32_t)a->permissions : 0,
    };
    (*n)++;
}

int ce_sftp_list(struct ce_sftp_conn *c, const char *dir, char ***names, struct ce_watch_stat **sts,
                 size_t *n, bool *truncated, char *err, size_t errlen)
{
    *truncated = false;
    *names = NULL;
    *sts = NULL;
    *n = 0;
    LIBSSH2_SFTP_HANDLE *h = libssh2_sftp_opendir(c->sftp, dir);
    if (h == NULL) {
        bool gone = libssh2_session_last_errno(c->ssh) == LIBSSH2_ERROR_SFTP_PROTOCOL;
        return ce_rc_fail(gone ? CE_ENOENT : CE_EIO, err, errlen, "cannot open %s: %s", dir,
                          sftp_ssh_error(c->ssh));
    }
    size_t cap = 0;
    char name[4096]; /* longer names than any file system keeps */
    LIBSSH2_SFTP_ATTRIBUTES a;
    int r;
    while ((r = libssh2_sftp_readdir(h, name, sizeof name, &a)) > 0) {
        if (*n == CE_SFTP_LIST_MAX) {
            *truncated = true;
            break;
        }
        bool is_dir =
            (a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) && LIBSSH2_SFTP_S_ISDIR(a.permissions);
        if (!is_dir) {
            sftp_list_add(names, sts, n, &cap, name, (size_t)r, &a);
        }
    }
    libssh2_sftp_closedir(h);
    if (r < 0) {
        ce_sftp_list_free(*names, *sts, *n);
        *names = NULL;
        *sts = NULL;
        *n = 0;
        return ce_rc_fail(CE_EIO, err, errlen, "cannot list %s: %s", dir, sftp_ssh_error(c->ssh));
    }
    return CE_OK;
}
