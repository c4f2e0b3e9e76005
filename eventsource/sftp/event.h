/* SPDX-License-Identifier: Apache-2.0 */
/* One running sftp event: its thread's state, and the delivery of one change (event.c). */
#ifndef CE_EVENTSOURCE_SFTP_EVENT_H
#define CE_EVENTSOURCE_SFTP_EVENT_H

#include "eventsource/seen_deliver.h"
#include "eventsource/seen_set.h"
#include "eventsource/seen_store.h"
#include "eventsource/sftp/config.h"
#include "eventsource/sftp/session.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* The bus's key-value bucket of the sftp events' records (seen_store.h). */
#define CE_SFTPW_BUCKET "cevents-sftp"

struct ce_emitter;
struct ce_metric;

struct sftp_shared {
    struct ce_seen_run run;
    pthread_mutex_t mu; /* with cv: the threads' sleeps, cut short by a stop */
    pthread_cond_t cv;  /* CLOCK_MONOTONIC */
};

struct sftp_event {
    struct sftp_shared *sh;
    const struct ce_sftp_config *cfg;
    struct ce_emitter *em;
    const char *name; /* the event's */
    const char *secrets_dir;
    struct ce_watch_match match;
    struct ce_seen_set seen;
    struct ce_seen_store store;
    bool loaded;   /* the records were read */
    bool baseline; /* the first listing was taken */
    bool told_missing;
    int load_failures; /* reads of the records failed so far (logged once) */
    struct ce_sftp_conn *conn;
    atomic_bool connected; /* read by the readiness check */
    int failures;          /* connection attempts failed in a row */
    bool tried;            /* a connection was attempted before */
    struct ce_metric *reconnects;
    pthread_t thread;
    bool running;
    struct ce_seen_ack ack; /* the publish under way */
};

void sftp_wait(struct sftp_event *ev, int64_t ms);
bool sftp_halted(const struct sftp_event *ev);
/* Delivers one change: publishes it when it is the event's type, then records it. false when
 * the bus refused or the record could not be written: the next poll finds it again. */
bool sftp_deliver(struct sftp_event *ev, const char *name, unsigned op,
                  const struct ce_watch_stat *st);

#endif
