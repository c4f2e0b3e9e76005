/* SPDX-License-Identifier: Apache-2.0 */
/* One running file event: its thread's state, and the steps the thread takes (event.c: deliver
 * one change and record it after the bus's ack; listing.c: list the directory and deliver the
 * difference; file.c: the thread, inotify and the plugin). */
#ifndef CE_EVENTSOURCE_FILE_EVENT_H
#define CE_EVENTSOURCE_FILE_EVENT_H

#include "eventsource/file/config.h"
#include "eventsource/file/watch.h"
#include "eventsource/seen_deliver.h"
#include "eventsource/seen_set.h"
#include "eventsource/seen_store.h"
#include "eventsource/watch_path.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* The bus's key-value bucket of the file events' records (seen_store.h). */
#define CE_FSW_BUCKET "cevents-file"

struct ce_emitter;

struct fsw_shared {
    struct ce_seen_run run;
};

struct fsw_event {
    struct fsw_shared *sh;
    const struct ce_file_config *cfg;
    struct ce_emitter *em;
    const char *name; /* the event's */
    struct ce_watch_match match;
    struct ce_seen_set seen;
    struct ce_seen_store store;
    bool loaded;   /* the records were read */
    bool baseline; /* the first listing was taken */
    bool watching; /* the directory is there and watched */
    bool told_missing;
    int load_failures; /* reads of the records failed so far (logged once) */
    int ifd;           /* inotify, -1 in polling mode */
    int wd;            /* the directory's watch, -1 none */
    int wake[2];       /* a pipe: a byte on it wakes the thread to stop */
    pthread_t thread;
    bool running;
    struct ce_seen_ack ack; /* the publish under way */
};

/* Sleeps up to ms, woken early by a stop. */
void fsw_wait(struct fsw_event *ev, int ms);
bool fsw_halted(const struct fsw_event *ev);
/* Delivers one change of a watched name: publishes it when it is the event's type (retrying
 * while the bus refuses), then records it. false when it stopped before that (quiesce). */
bool fsw_deliver(struct fsw_event *ev, const char *name, unsigned op,
                 const struct ce_watch_stat *st);
/* Lists the directory and delivers what changed since the records (the first listing is only
 * recorded). false when the directory cannot be listed. */
bool fsw_rescan(struct fsw_event *ev);

#endif
