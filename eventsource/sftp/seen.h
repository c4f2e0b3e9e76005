/* SPDX-License-Identifier: Apache-2.0 */
/* The names of a watched remote directory an sftp event has delivered, with the state each
 * was in (the file source keeps the same set in eventsource/file/seen.h): kept in memory and,
 * one record per name, in the bus's key-value store, so a restart tells the files that came,
 * changed or went while it was down from the ones already delivered. */
#ifndef CE_EVENTSOURCE_SFTP_SEEN_H
#define CE_EVENTSOURCE_SFTP_SEEN_H

#include "core/base/buf.h"
#include "eventsource/sftp/watch.h"

#include <stdbool.h>
#include <stddef.h>

/* Names tracked per event at most: a directory with more is watched for the first ones only. */
#define CE_SFTPW_SEEN_MAX 200000
/* The longest name tracked (NAME_MAX of Linux, with room). */
#define CE_SFTPW_NAME_MAX 1024

struct ce_sftpw_entry {
    char *name;
    struct ce_sftpw_stat st;
    bool listed; /* in the latest listing (ce_sftpw_diff) */
    struct ce_sftpw_entry *next;
};

struct ce_sftpw_seen {
    struct ce_sftpw_entry **heads;
    size_t n_heads;
    size_t n;
};

void ce_sftpw_seen_init(struct ce_sftpw_seen *s);
void ce_sftpw_seen_fini(struct ce_sftpw_seen *s);
struct ce_sftpw_entry *ce_sftpw_seen_get(const struct ce_sftpw_seen *s, const char *name);
/* Adds or updates name; false when the set is full (CE_SFTPW_SEEN_MAX). */
bool ce_sftpw_seen_put(struct ce_sftpw_seen *s, const char *name, const struct ce_sftpw_stat *st);
void ce_sftpw_seen_del(struct ce_sftpw_seen *s, const char *name);

/* A record's text: "<ino> <size> <mtime_ns> <mode>\n<name>". */
void ce_sftpw_record_format(const char *name, const struct ce_sftpw_stat *st, struct ce_buf *out);
/* Parses a record into *st and a heap copy of the name; false when it is not one. */
bool ce_sftpw_record_parse(const char *text, char **name, struct ce_sftpw_stat *st);

/* One difference between a listing and the set. */
struct ce_sftpw_change {
    char *name;
    unsigned op;
    struct ce_sftpw_stat st; /* the new state; the last known one for REMOVE */
};

/* The changes from s to the listing (names[i] in state sts[i]): new names are CREATE, names
 * gone are REMOVE, a changed size or mtime is changed_op, a changed mode CHMOD when
 * track_mode. *out is a heap array of *n changes (free with ce_sftpw_changes_free); s is not
 * modified but for the entries' listed flags. */
void ce_sftpw_diff(struct ce_sftpw_seen *s, char *const *names, const struct ce_sftpw_stat *sts,
                   size_t n_names, unsigned changed_op, bool track_mode,
                   struct ce_sftpw_change **out, size_t *n);
void ce_sftpw_changes_free(struct ce_sftpw_change *c, size_t n);

#endif
