/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads with a size cap: manifests, secrets, zone files and event files all come
 * from outside, so the cap is checked while reading, before the buffer grows past it. */
#ifndef CE_CORE_FILE_H
#define CE_CORE_FILE_H

#include "core/base/rc.h"

#include <stddef.h>

/* Reads the regular file at path (at most max bytes) into a fresh NUL-terminated heap buffer
 * (free with ce_free). Returns CE_OK, CE_ENOENT (missing, or a path part is not a directory),
 * CE_ETOOBIG (larger than max) or CE_EIO (not a regular file, or a read failed); *sys_errno
 * (may be NULL) then holds the errno for the message, 0 when there was none. A FIFO in place of
 * the file cannot hang the open. */
int ce_file_read(const char *path, size_t max, char **out, size_t *len,
                 int *sys_errno) CE_MUST_CHECK;

#endif
