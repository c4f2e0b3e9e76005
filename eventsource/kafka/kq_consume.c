/* SPDX-License-Identifier: Apache-2.0 */
/* The consumer thread of one event: read a message, make its event, hand it to the bus, and
 * between messages move the committed offsets up to what the bus acknowledged. */
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventbus/bus.h"
#include "eventsource/backlog.h"
#include "eventsource/emit.h"
#include "eventsource/kafka/data.h"
#include "eventsource/kafka/kafka_int.h"
#include "manifest/model.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct ce_kafka_header *kq_headers(rd_kafka_message_t *rkm, int *n)
{
    rd_kafka_headers_t *hdrs = NULL;
    *n = 0;
    if (rd_kafka_message_headers(rkm, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR || hdrs == NULL) {
        return NULL;
    }
    size_t cnt = rd_kafka_header_cnt(hdrs); /* bounded by the message's size */
    struct ce_kafka_header *out = ce_xcalloc(cnt + 1, sizeof(*out));
    const char *name;
    const void *val;
    size_t size;
    for (size_t i = 0; i < cnt && rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                                      RD_KAFKA_RESP_ERR_NO_ERROR;
         i++) {
        out[(*n)++] = (struct ce_kafka_header){name, val, size};
    }
    return out;
}

static int kq_build(const struct kq_event *ke, rd_kafka_message_t *rkm, struct ce_buf *data)
{
    int n_headers = 0;
    struct ce_kafka_header *headers = kq_headers(rkm, &n_headers);
    struct ce_kafka_msg_view m = {
        .topic = ke->cfg->topic,
        .partition = rkm->partition,
        .key = rkm->key,
        .key_len = rkm->key_len,
        .value = rkm->payload,
        .value_len = rkm->len,
        .timestamp_ms = rd_kafka_message_timestamp(rkm, NULL),
        .headers = headers,
        .n_headers = n_headers,
    };
    int rc =
        ce_kafka_event_data(&m, ke->cfg->json_body, ke->cfg->metadata, ke->cfg->n_metadata, data);
    ce_free(headers);
    return rc;
}

static void kq_set_state(struct kq_event *ke, struct kq_msg *m, enum kq_state s)
{
    pthread_mutex_lock(&ke->mu);
    m->state = s;
    pthread_mutex_unlock(&ke->mu);
}

/* The message's event goes to the bus; its entry is settled by the ack, or here when the emit
 * ends at once. */
static void kq_emit(struct kq_event *ke, rd_kafka_message_t *rkm, struct kq_msg *m,
                    const struct ce_buf *data)
{
    struct ce_emitter *em = ke->ev->em;
    char id[33];
    ce_kafka_event_id(em->source_name, em->event_name, ke->cfg->url, ke->cfg->topic, rkm->partition,
                      rkm->offset, id);
    atomic_fetch_add(&ke->in_flight, 1);
    int rc = ce_emit_async(em, data->data, data->len, id, kq_on_ack, m, NULL);
    if (rc == CE_OK) {
        ke->credit--;
        return;
    }
    atomic_fetch_sub(&ke->in_flight, 1);
    /* turned down by the filter, or never publishable: committed (counted by the emitter) */
    bool skip = rc == CE_DROPPED || rc == CE_EMSGSIZE || rc == CE_EINVAL;
    kq_set_state(ke, m, skip ? KQ_DONE : KQ_FAILED);
}

static void kq_handle(struct kq_event *ke, rd_kafka_message_t *rkm)
{
    if (rkm->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (rkm->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            ce_log_kv(CE_LOG_WARN, "Kafka consumer error", "eventName", ke->ev->spec->name, "error",
                      rd_kafka_message_errstr(rkm), NULL);
        }
        return;
    }
    pthread_mutex_lock(&ke->mu);
    struct kq_part *p = kq_part_get(ke, rkm->partition, false);
    struct kq_msg *m = p != NULL && !p->rewinding ? kq_msg_add(p, rkm->offset) : NULL;
    pthread_mutex_unlock(&ke->mu);
    if (m == NULL) {
        return; /* paused for a rewind (read again later), or no longer ours */
    }
    if (ke->credit <= 0) {
        /* the stream has no room: read again once it has (polling goes on, so the group does
         * not take the partitions away meanwhile) */
        kq_set_state(ke, m, KQ_FAILED);
        return;
    }
    struct ce_buf *data = &ke->data; /* kept between messages: no allocation per message */
    ce_buf_reset(data);
    int rc = kq_build(ke, rkm, data);
    if (rc != CE_OK) {
        char off[24];
        snprintf(off, sizeof(off), "%" PRId64, rkm->offset);
        ce_log_kv(CE_LOG_ERROR, "failed to process a Kafka message, skip it", "eventName",
                  ke->ev->spec->name, "offset", off, "error",
                  rc == CE_EPARSE ? "the value is not JSON (jsonBody: true)"
                                  : "the event is too large",
                  NULL);
        ce_emitter_count_processing_failed(ke->ev->em);
        kq_set_state(ke, m, KQ_DONE);
    }
    else {
        kq_emit(ke, rkm, m, data);
    }
    if (data->cap > KQ_DATA_KEEP) {
        ce_buf_fini(data); /* a large message's room is not kept */
        ce_buf_init(data, KQ_DATA_MAX);
    }
}

/* Settles acks, rewinds, offsets and metrics between messages. */
static void kq_housekeeping(struct kq_event *ke, bool force)
{
    pthread_mutex_lock(&ke->mu);
    kq_advance(ke);
    kq_reap(ke);
    pthread_mutex_unlock(&ke->mu);
    kq_rewind_due(ke);
    kq_offsets_sync(ke, force);
    kq_lag_update(ke);
}

/* How many events may go to the bus before its backlog is read again. A stream with `discard:
 * old` drops its oldest events past maxMsgs, consumed or not, and a topic's backlog is read far
 * faster than the EventSource's own check (eventsource/backlog.h) looks: so the source reads the
 * backlog itself and publishes only what fits under the refusal threshold, shared among the
 * EventSource's Kafka events, less its own publishes still in flight. */
static int64_t kq_credit(struct kq_event *ke)
{
    struct ce_bus_backlog b = {0};
    int rc = ce_bus_backlog(ke->env->bus, &b);
    if (rc != CE_OK || b.max_msgs <= 0) {
        /* down: the publishes fail and pause the partition; no consumer or no limit: nothing
         * to protect */
        return rc == CE_EUNAVAIL ? KQ_WINDOW : KQ_CREDIT_MAX;
    }
    /* publishes not acknowledged yet are not in the backlog read, but will be */
    int64_t share = (ce_es_backlog_room(&b) + ke->env->n_events - 1) / ke->env->n_events;
    int64_t credit = share - (int64_t)atomic_load(&ke->in_flight);
    return credit > 0 ? credit : 0;
}

/* Waits (bounded) for an ack while the window is full. */
static void kq_wait_ack(struct kq_event *ke, int ms)
{
    struct timespec dl;
    ce_clock_deadline(ms, &dl);
    pthread_mutex_lock(&ke->mu);
    (void)pthread_cond_timedwait(&ke->cv, &ke->mu, &dl);
    pthread_mutex_unlock(&ke->mu);
}

static void kq_loop(struct kq_event *ke)
{
    int64_t pace_ms = ke->cfg->group && ke->cfg->limit_per_second > 0
                          ? (int64_t)ceil(1000.0 / (double)ke->cfg->limit_per_second)
                          : 0;
    while (!atomic_load(ke->stop)) {
        kq_housekeeping(ke, false);
        if (atomic_load(&ke->in_flight) >= KQ_WINDOW) {
            kq_wait_ack(ke, 50);
            continue;
        }
        int64_t now = ce_clock_mono_ms();
        if (ke->credit <= 0 && now - ke->credit_at_ms >= KQ_FULL_WAIT_MS) {
            ke->credit = kq_credit(ke);
            ke->credit_at_ms = now;
        }
        rd_kafka_message_t *rkm = rd_kafka_consumer_poll(ke->rk, 100);
        if (rkm != NULL) {
            kq_handle(ke, rkm);
            rd_kafka_message_destroy(rkm);
            if (pace_ms > 0) {
                ce_clock_sleep_ms(pace_ms); /* Argo: a pause of 1s/limit after each message */
            }
        }
    }
}

/* Every event handed over gets its answer before the consumer closes (the ack callbacks use
 * this event's state). */
static void kq_drain(struct kq_event *ke)
{
    while (atomic_load(&ke->in_flight) > 0) {
        kq_wait_ack(ke, 100);
    }
    kq_housekeeping(ke, true);
}

void *kq_thread(void *arg)
{
    struct kq_event *ke = arg;
    if (kq_begin(ke)) {
        kq_loop(ke);
    }
    kq_drain(ke);
    rd_kafka_consumer_close(ke->rk); /* commits what was stored (group mode) */
    return NULL;
}
