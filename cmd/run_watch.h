/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run --watch DIR`, shared by run_watch.c (inotify, debounce, rescans),
 * run_watch_load.c (one file read and checked as lint checks it) and run_watch_apply.c (what
 * changed, applied to the children). Internal to cmd/run_watch*.c. */
#ifndef CE_CMD_RUN_WATCH_H
#define CE_CMD_RUN_WATCH_H

#include "cmd/run_int.h"
#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WATCH_MAX_FILES 10000 /* as many as loading a directory reads */

/* One object of a watched file, as decoded. */
struct watch_obj {
    const char *kind; /* "eventsource", "sensor" or "eventbus" */
    char *name;
    char *text; /* the decoded object as compact JSON (keys sorted): equal text, no restart */
    int line;   /* where it is written, for messages */
    int col;
};

struct watch_objs {
    struct watch_obj *v;
    int n;
};

/* A manifest file under the watched directory. */
struct watch_file {
    char *path;
    char *seen; /* the bytes last read, applied or not (NULL: read it again next time) */
    size_t seen_len;
    char *good; /* the bytes the running objects came from (snapshots are written from them) */
    size_t good_len;
    struct watch_objs objs; /* the running objects of this file */
    /* During one rescan: */
    bool listed;            /* still there */
    bool has_next;          /* a new version passed the checks: next, from next_bytes */
    struct watch_objs next; /* its objects */
    char *next_bytes;       /* its bytes */
    size_t next_len;
};

struct run_watch {
    char *dir;
    char *snap_dir; /* <data-dir>/watch: the bytes each watched child was started from */
    int fd;         /* inotify */
    struct watch_file *files;
    int n_files;
    struct watch_objs buses_started; /* EventBus objects as cevents run started */
    struct watch_objs buses_last;    /* ... and as of the last reload */
    bool pending;                    /* events seen, not reloaded yet */
    int64_t first_ms;                /* the first of them */
    int64_t last_ms;                 /* the latest of them */
};

/* Checks buf (the bytes of path) as `cevents lint` does, plus what this run can take (the
 * bus's message size); prints every finding to stderr as file:line:col. CE_OK with *out filled
 * (free with ce_run_watch_objs_free), or CE_EINVAL. */
int ce_run_watch_decode(const struct run_state *st, const char *path, const char *buf, size_t len,
                        struct watch_objs *out) CE_MUST_CHECK;
void ce_run_watch_objs_free(struct watch_objs *o);
/* The object kind/name of o, or NULL. */
const struct watch_obj *ce_run_watch_objs_find(const struct watch_objs *o, const char *kind,
                                               const char *name);
/* A deep copy of from appended to to. */
void ce_run_watch_objs_append(struct watch_objs *to, const struct watch_objs *from);

/* After a rescan filled each file's listed/has_next: refuses a new version that names an object
 * another file holds, makes the rest the running version, and starts, restarts or stops the
 * children whose objects appeared, changed or went away. */
void ce_run_watch_apply(struct run_state *st);
/* Points ch (a child of an object of f) at a fresh snapshot of f's running bytes. */
int ce_run_watch_snapshot(struct run_state *st, struct run_child *ch,
                          const struct watch_file *f) CE_MUST_CHECK;
/* The file holding the running object kind/name, or NULL. */
struct watch_file *ce_run_watch_owner(struct run_watch *w, const char *kind, const char *name);
/* Frees every file's state (at the end of the run). */
void ce_run_watch_forget(struct run_watch *w);

#endif
