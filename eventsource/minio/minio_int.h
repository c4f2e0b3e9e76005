/* SPDX-License-Identifier: Apache-2.0 */
/* The minio source's running state, shared by its listeners (listen.c), its publisher
 * (publish.c) and the plugin (minio.c).
 *
 * One listener thread per event holds one ListenBucketNotification stream open and re-opens it
 * whenever it ends, fails or goes quiet. Notifications go to one in-memory queue, and one
 * publisher thread puts them on the bus in order, retrying with backoff while the bus is down:
 * the listen API cannot replay what the source did not take, so memory is the only place they
 * can wait. The queue is bounded; what does not fit is logged and counted as lost. Up to
 * MINIO_PUBLISH_WINDOW publishes await the bus's answer at once; the ones it did not take are
 * published again after a backoff, so events keep their order except around an outage. */
#ifndef CE_EVENTSOURCE_MINIO_INT_H
#define CE_EVENTSOURCE_MINIO_INT_H

#include "eventsource/minio/config.h"
#include "eventsource/minio/stream.h"
#include "eventsource/source.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MINIO_PENDING_MAX 10000                    /* notifications waiting for the bus */
#define MINIO_PENDING_MAX_BYTES (64 * 1024 * 1024) /* and their bytes */
#define MINIO_ERRBODY_MAX 16384                    /* an error answer kept for the log */

struct ce_metric;
struct minio_source;

struct minio_listener {
    struct minio_source *src;
    const struct ce_source_event *ev;
    const struct ce_minio_config *cfg;
    pthread_t thread;
    bool started;
    atomic_bool listening;
    struct ce_metric *m_listening, *m_reconnects;
    /* the current transfer, touched by the listener thread only */
    struct ce_minio_stream stream;
    int64_t last_byte_ms;
    long status;
    bool idle;   /* ended for want of bytes */
    int feed_rc; /* why the body was refused (CE_ETOOBIG: a line too long) */
    struct ce_buf errbody;
};

#define MINIO_PUBLISH_WINDOW 64 /* publishes awaiting the bus's answer at once */

enum minio_pending_state {
    MINIO_QUEUED,   /* to be published (again) */
    MINIO_INFLIGHT, /* published, the bus's answer not yet in */
    MINIO_FAILED,   /* the bus did not take it: to be retried after a backoff */
    MINIO_SETTLED,  /* stored, turned down by the filter, or lost for good (logged) */
};

struct minio_pending {
    struct minio_pending *next;
    struct minio_source *src;
    struct minio_listener *l;
    char *data;
    size_t len;
    char id[33];
    enum minio_pending_state state;
    int rc; /* the last publish's outcome */
};

struct minio_source {
    const struct ce_source_env *env;
    struct minio_listener *ls;
    int n;
    int ping_s;      /* keep-alive interval asked of the server */
    int64_t idle_ms; /* silence after which a stream is taken for dead */
    int64_t backoff_max_ms;
    int pending_max; /* notifications the queue holds */
    pthread_mutex_t mu;
    pthread_cond_t cv;                 /* queue changes, publish outcomes, stop */
    struct minio_pending *head, *tail; /* arrival order; taken off the head once settled */
    int n_pending;
    size_t pending_bytes;
    int inflight; /* MINIO_INFLIGHT items */
    int n_failed; /* MINIO_FAILED items */
    pthread_t publisher;
    bool publisher_started;
    atomic_bool quiescing, stopping;
    struct ce_metric *m_lost;
};

/* listen.c: the listener thread. */
void *minio_listen_main(void *arg);
/* publish.c */
void *minio_publish_main(void *arg);
/* Queues a notification of l for the bus (takes data); a full queue loses it (logged, counted). */
void minio_enqueue(struct minio_listener *l, char *data, size_t len, const char *id);
/* Frees what is still queued at stop, logging it as lost. */
void minio_drop_pending(struct minio_source *src);
/* Sleeps ms unless the source stops first; false when it stops. */
bool minio_sleep(struct minio_source *src, int64_t ms);

#endif
