/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka source's runtime, shared by its files: one consumer thread per event, and per
 * partition the messages handed to the bus in offset order, so that only the prefix the bus
 * acknowledged is committed (group mode) or recorded (partition mode). */
#ifndef CE_EVENTSOURCE_KAFKA_KAFKA_INT_H
#define CE_EVENTSOURCE_KAFKA_KAFKA_INT_H

#include "core/base/buf.h"
#include "eventsource/kafka/config.h"
#include "eventsource/source.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ce_bus_kv;
struct ce_metric;

/* At most this many messages of one event wait for the bus's ack at a time. */
#define KQ_WINDOW 1024
/* A partition whose event the bus refused waits this long before it is read again. */
#define KQ_RETRY_MS 1000
/* How long a revoked partition's messages may take to be acknowledged before it is let go. */
#define KQ_REVOKE_WAIT_MS 5000
/* Events published without reading the bus's backlog when it has no limit or no consumer. */
#define KQ_CREDIT_MAX 10000
/* How often the backlog of a stream without room is read again. */
#define KQ_FULL_WAIT_MS 100
/* The largest event data built from one message (a value the brokers took, in base64), and the
 * room kept between messages. */
#define KQ_DATA_MAX (256u * 1024 * 1024)
#define KQ_DATA_KEEP (1024u * 1024)
/* A partition paused again within this time is not logged again. */
#define KQ_PAUSE_LOG_MS 30000
/* Partition mode records its offset in the bus at most this often. */
#define KQ_KV_SAVE_MS 250

enum kq_state { KQ_PENDING = 0, KQ_DONE, KQ_FAILED };

struct kq_part;

/* One message handed to the emitter; freed once it leaves the head of its partition's list. */
struct kq_msg {
    struct kq_msg *next;
    struct kq_part *part;
    int64_t offset;
    enum kq_state state;
};

struct kq_part {
    struct kq_part *next;
    struct kq_event *owner;
    int32_t partition;
    struct kq_msg *head, *tail; /* in offset order */
    int n_pending;              /* entries in the list */
    int64_t done_upto;          /* next offset after the acknowledged prefix; -1 none yet */
    int64_t saved_upto;         /* what was last committed/stored/recorded */
    bool rewinding;             /* the bus refused an event: paused, read again from rewind_to */
    int64_t rewind_to, retry_at_ms;
    bool revoked;            /* no longer ours: freed once its list is empty */
    int64_t pause_logged_ms; /* a bus outage is logged once, not at every retry */
    struct ce_metric *lag;
};

struct kq_event {
    const struct ce_source_event *ev;
    const struct ce_kafka_es_config *cfg;
    const struct ce_source_env *env;
    rd_kafka_t *rk;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu; /* parts, their lists and states */
    pthread_cond_t cv;  /* an ack arrived */
    struct kq_part *parts;
    atomic_int in_flight; /* messages waiting for the bus */
    atomic_bool *stop;
    struct ce_bus_kv *kv; /* partition mode: the offsets bucket */
    char kv_key[33];
    int64_t kv_saved_ms;
    int64_t lag_at_ms;
    int64_t credit; /* events that may still be published before the backlog is read again */
    int64_t credit_at_ms;
    struct ce_buf data; /* the event data being built (consumer thread) */
    struct ce_metric *paused_gauge;
};

/* kq_client.c: the librdkafka handle for ke's mode, configured from its settings and secrets.
 * CE_OK or an error (logged). */
int kq_client_create(struct kq_event *ke) CE_MUST_CHECK;

/* kq_track.c (mu held unless said otherwise) */
struct kq_part *kq_part_get(struct kq_event *ke, int32_t partition, bool create);
struct kq_msg *kq_msg_add(struct kq_part *p, int64_t offset);
/* The ack callback (arg: the kq_msg; takes mu): marks the message, wakes the consumer
 * thread. */
void kq_on_ack(void *arg, int rc, const char *event_id);
/* Pops the acknowledged prefix of every partition; a refused message starts the partition's
 * rewind. Returns the number of partitions that started rewinding. */
int kq_advance(struct kq_event *ke);
/* Frees revoked partitions whose lists are empty. */
void kq_reap(struct kq_event *ke);

/* kq_offsets.c: commit/record what was acknowledged, pause, rewind and resume. Consumer thread,
 * mu not held. */
void kq_offsets_sync(struct kq_event *ke, bool force);
void kq_rewind_due(struct kq_event *ke);
void kq_pause(struct kq_event *ke, int32_t partition, bool pause);
/* Partition mode: the offset to start from (the one after the last recorded, or the end). */
int64_t kq_offsets_start(struct kq_event *ke);
void kq_lag_update(struct kq_event *ke);

/* kq_rebalance.c: the group's rebalance callback. */
void kq_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t *parts, void *opaque);

/* kq_start.c: subscribes (group mode) or assigns the partition from its recorded offset
 * (partition mode; waits for the bus and the partition, until stopped). False when stopped or
 * failed (logged). */
bool kq_begin(struct kq_event *ke);

/* kq_consume.c: the consumer thread. */
void *kq_thread(void *arg);

#endif
