/* SPDX-License-Identifier: Apache-2.0 */
/* The names of a watched directory (local for the file source, remote for sftp) an event has
 * delivered, with the state each was in: kept in memory and, one record per name, in the bus's
 * key-value store (seen_store.h), so a restart tells the files that came, changed or went
 * while it was down from the ones already delivered. */
#ifndef CE_EVENTSOURCE_SEEN_SET_H
#define CE_EVENTSOURCE_SEEN_SET_H

#include "core/base/buf.h"
#include "eventsource/watch_path.h"

#include <stdbool.h>
#include <stddef.h>

/* Names tracked per event at most: a directory with more is watched for the first ones only. */
#define CE_SEEN_MAX 200000
/* The longest name tracked (NAME_MAX of Linux, with room). */
#define CE_SEEN_NAME_MAX 1024

struct ce_seen_entry {
    char *name;
    struct ce_watch_stat st;
    bool listed; /* in the latest listing (ce_seen_diff) */
    struct ce_seen_entry *next;
};

struct ce_seen_set {
    struct ce_seen_entry **heads;
    size_t n_heads;
    size_t n;
};

void ce_seen_set_init(struct ce_seen_set *s);
void ce_seen_set_fini(struct ce_seen_set *s);
struct ce_seen_entry *ce_seen_set_get(const struct ce_seen_set *s, const char *name);
/* Adds or updates name; false when the set is full (CE_SEEN_MAX). */
bool ce_seen_set_put(struct ce_seen_set *s, const char *name, const struct ce_watch_stat *st);
void ce_seen_set_del(struct ce_seen_set *s, const char *name);

/* A record's text: "<ino> <size> <mtime_ns> <mode>\n<name>". */
void ce_seen_record_format(const char *name, const struct ce_watch_stat *st, struct ce_buf *out);
/* Parses a record into *st and a heap copy of the name; false when it is not one. */
bool ce_seen_record_parse(const char *text, char **name, struct ce_watch_stat *st);

/* One difference between a listing and the set. */
struct ce_seen_change {
    char *name;
    unsigned op;
    struct ce_watch_stat st; /* the new state; the last known one for REMOVE */
};

/* The changes from s to the listing (names[i] in state sts[i]): new names are CREATE, names
 * gone are REMOVE, a changed size or mtime is changed_op, a changed mode CHMOD when
 * track_mode. *out is a heap array of *n changes (free with ce_seen_changes_free); s is not
 * modified but for the entries' listed flags. */
void ce_seen_diff(struct ce_seen_set *s, char *const *names, const struct ce_watch_stat *sts,
                  size_t n_names, unsigned changed_op, bool track_mode, struct ce_seen_change **out,
                  size_t *n);
void ce_seen_changes_free(struct ce_seen_change *c, size_t n);

#endif
