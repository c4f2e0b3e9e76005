/* SPDX-License-Identifier: Apache-2.0 */
/* What the file and sftp sources decide without touching a file system: an event's
 * watchPathConfig (decoded with Argo's checks), the operation names and bit values of its
 * events (Argo's, which are fsnotify's), which names of the directory it watches, the event's
 * data and the key its id is derived from. */
#ifndef CE_EVENTSOURCE_WATCH_PATH_H
#define CE_EVENTSOURCE_WATCH_PATH_H

#include "core/base/buf.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

/* The operations, as Argo numbers them in an event's "op". */
#define CE_WATCH_CREATE 1u
#define CE_WATCH_WRITE 2u
#define CE_WATCH_REMOVE 4u
#define CE_WATCH_RENAME 8u
#define CE_WATCH_CHMOD 16u

struct ce_mdec;
struct ce_node;
struct ce_regex;

/* watchPathConfig: the directory, and a relative path or a regexp (compiled). */
struct ce_watch_path {
    char *directory; /* as written (absolute) */
    char *dir;       /* directory without its trailing '/' */
    char *path;      /* relative; NULL when pathRegexp is used */
    char *path_regexp;
    struct ce_regex *re;
};

/* What the file system says about one name; ino 0: unknown (gone). */
struct ce_watch_stat {
    uint64_t ino;
    int64_t size;
    int64_t mtime_ns;
    uint32_t mode;
};

/* One event's watch, as ce_watch_matches reads it (a view of a struct ce_watch_path). */
struct ce_watch_match {
    const char *dir; /* cleaned: no trailing '/' unless it is "/" */
    const char *path;
    const struct ce_regex *re;
};

/* Decodes ev's watchPathConfig into *wp with Argo's checks: an absolute directory, exactly one
 * of a relative path or a regexp that compiles. Errors go to c. */
void ce_watch_path_decode(struct ce_mdec *c, const struct ce_node *ev, struct ce_watch_path *wp);
void ce_watch_path_free(struct ce_watch_path *wp);
/* "CREATE|WRITE" to its bits, Argo's way: unknown parts count as nothing. */
unsigned ce_watch_op_parse(const char *s);
/* The single operation's name, "" for none or several. */
const char *ce_watch_op_name(unsigned op);
/* directory without its trailing slashes ("/" stays "/"), as a fresh heap string. */
char *ce_watch_clean_dir(const char *directory);
/* Whether the entry name of m's directory is watched: equal to path, or matched by the regexp
 * (which sees the name relative to the directory, without a leading '/'). */
bool ce_watch_matches(const struct ce_watch_match *m, const char *name);
/* The event's data: {"name":name,"op":op,"metadata":{...} or null}, as Argo marshals it. */
int ce_watch_event_data(const char *name, unsigned op, const struct ce_kv *meta, int n_meta,
                        struct ce_buf *out) CE_MUST_CHECK;
/* The key an event's id is derived from: the same file in the same state for the same
 * operation gives the same id, so a rescan after a restart is stored once. */
void ce_watch_event_key(const char *name, unsigned op, const struct ce_watch_stat *st,
                        struct ce_buf *out);

#endif
