/* SPDX-License-Identifier: Apache-2.0 */
/* What the sftp source decides without a connection, by the rules of eventsource/file/watch.h:
 * the operation names and bit values of its events (Argo's, which are fsnotify's), which names
 * of the directory an event watches, the event's data and the key its id is derived from. */
#ifndef CE_EVENTSOURCE_SFTP_WATCH_H
#define CE_EVENTSOURCE_SFTP_WATCH_H

#include "core/base/buf.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

/* The operations, as Argo numbers them in an event's "op". */
#define CE_SFTPW_CREATE 1u
#define CE_SFTPW_WRITE 2u
#define CE_SFTPW_REMOVE 4u
#define CE_SFTPW_RENAME 8u
#define CE_SFTPW_CHMOD 16u

struct ce_regex;

/* What the file system says about one name; ino 0: unknown (gone). */
struct ce_sftpw_stat {
    uint64_t ino;
    int64_t size;
    int64_t mtime_ns;
    uint32_t mode;
};

/* One event's watch: the directory, and path or pathRegexp (compiled elsewhere). */
struct ce_sftpw_match {
    const char *dir; /* cleaned: no trailing '/' unless it is "/" */
    const char *path;
    const struct ce_regex *re;
};

/* "CREATE|WRITE" to its bits, Argo's way: unknown parts count as nothing. */
unsigned ce_sftpw_op_parse(const char *s);
/* The single operation's name, "" for none or several. */
const char *ce_sftpw_op_name(unsigned op);
/* directory without its trailing slashes ("/" stays "/"), as a fresh heap string. */
char *ce_sftpw_clean_dir(const char *directory);
/* Whether the entry name of m's directory is watched: equal to path, or matched by the regexp
 * (which sees the name relative to the directory, without a leading '/'). */
bool ce_sftpw_matches(const struct ce_sftpw_match *m, const char *name);
/* The event's data: {"name":name,"op":op,"metadata":{...} or null}, as Argo marshals it. */
int ce_sftpw_event_data(const char *name, unsigned op, const struct ce_kv *meta, int n_meta,
                        struct ce_buf *out) CE_MUST_CHECK;
/* The key an event's id is derived from: the same file in the same state for the same
 * operation gives the same id, so a rescan after a restart is stored once. */
void ce_sftpw_event_key(const char *name, unsigned op, const struct ce_sftpw_stat *st,
                        struct ce_buf *out);

#endif
