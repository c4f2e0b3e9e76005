/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads with a size cap: see file.h. */
#include "core/base/file.h"

#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_READ_CHUNK 65536

static int file_fail(int rc, int err, int *sys_errno)
{
    if (sys_errno != NULL) {
        *sys_errno = err;
    }
    return rc;
}

static int file_read_fd(int fd, struct ce_buf *b, int *sys_errno)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return file_fail(CE_EIO, errno, sys_errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return file_fail(CE_EIO, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, sys_errno);
    }
    if (b->max != 0 && (size_t)st.st_size > b->max) {
        return file_fail(CE_ETOOBIG, EFBIG, sys_errno);
    }
    char *chunk = ce_xmalloc(FILE_READ_CHUNK);
    int rc = CE_OK;
    for (;;) {
        ssize_t n = read(fd, chunk, FILE_READ_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            rc = n < 0 ? file_fail(CE_EIO, errno, sys_errno) : CE_OK;
            break;
        }
        /* the file may grow after fstat: the buffer's cap still holds */
        if (ce_buf_append(b, chunk, (size_t)n) != CE_OK) {
            rc = file_fail(CE_ETOOBIG, EFBIG, sys_errno);
            break;
        }
    }
    ce_free(chunk);
    return rc;
}

int ce_file_read(const char *path, size_t max, char **out, size_t *len, int *sys_errno)
{
    *out = NULL;
    *len = 0;
    (void)file_fail(CE_OK, 0, sys_errno);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        return file_fail(err == ENOENT || err == ENOTDIR ? CE_ENOENT : CE_EIO, err, sys_errno);
    }
    struct ce_buf b;
    ce_buf_init(&b, max);
    int rc = file_read_fd(fd, &b, sys_errno);
    close(fd);
    if (rc != CE_OK) {
        ce_buf_fini(&b);
        return rc;
    }
    *out = ce_buf_steal(&b, len);
    return CE_OK;
}
