/* SPDX-License-Identifier: Apache-2.0 */
/* Reading mounted secrets and config maps. Names come from manifests, so they are checked
 * before they become path parts, and the file size is capped before anything is allocated.
 * Symlinks are followed: Kubernetes mounts each key as a link into a ..data directory. */
#include "core/secrets.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/rc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRETS_READ_CHUNK 16384

/* A single path component: not empty, no '/', not "." or "..". */
static bool secrets_valid_part(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int secrets_errno_rc(int err)
{
    return err == ENOENT || err == ENOTDIR ? CE_ENOENT : CE_EIO;
}

static int secrets_read_fd(int fd, struct ce_buf *b)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return CE_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        return CE_EIO;
    }
    if (st.st_size > CE_SECRET_MAX_BYTES) {
        return CE_ETOOBIG;
    }
    char chunk[SECRETS_READ_CHUNK];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return CE_EIO;
        }
        if (n == 0) {
            return CE_OK;
        }
        int rc = ce_buf_append(b, chunk, (size_t)n); /* the file may grow after fstat */
        if (rc != CE_OK) {
            return rc;
        }
    }
}

int ce_secret_read(const char *dir, const char *name, const char *key, char **out, size_t *len)
{
    *out = NULL;
    if (len) {
        *len = 0;
    }
    if (!dir || !*dir || !secrets_valid_part(name) || !secrets_valid_part(key)) {
        return CE_EINVAL;
    }
    char *path = ce_xasprintf("%s/%s/%s", dir, name, key);
    /* O_NONBLOCK so that a FIFO in place of the file cannot hang the open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    int err = errno;
    ce_free(path);
    if (fd < 0) {
        return secrets_errno_rc(err);
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_SECRET_MAX_BYTES);
    int rc = secrets_read_fd(fd, &b);
    close(fd);
    if (rc != CE_OK) {
        ce_buf_fini(&b);
        return rc;
    }
    /* strings.TrimSuffix(data, "\n"), as Argo Events does: exactly one "\n", "\r" stays. */
    if (b.len > 0 && b.data[b.len - 1] == '\n') {
        b.data[--b.len] = '\0';
    }
    *out = ce_buf_steal(&b, len);
    return CE_OK;
}
