/* SPDX-License-Identifier: Apache-2.0 */
/* What the file source alone decides about the file system it watches (the rest of its rules,
 * shared with the sftp source, are in eventsource/watch_path.h). */
#ifndef CE_EVENTSOURCE_FILE_WATCH_H
#define CE_EVENTSOURCE_FILE_WATCH_H

/* The name of a file system type (statfs's f_type) that gives no inotify events for changes
 * made by other machines (NFS, SMB, FUSE mounts...), or NULL. */
const char *ce_fsw_remote_fs(long f_type);

#endif
