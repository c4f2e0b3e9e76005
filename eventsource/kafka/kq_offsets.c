/* SPDX-License-Identifier: Apache-2.0 */
/* What the bus acknowledged, made durable: in group mode stored for librdkafka's commits (every
 * second, and on revoke and close); in partition mode recorded in the bus's key-value store,
 * which Argo does not do (it starts at the newest message every time). And the pause a refused
 * event brings: the partition is read again from that event once the bus takes events. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventbus/bus.h"
#include "eventsource/kafka/kafka_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KQ_KV_BUCKET "cevents-kafka-offsets"

static rd_kafka_topic_partition_list_t *kq_one(const struct kq_event *ke, int32_t partition,
                                               int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, ke->cfg->topic, partition)->offset = offset;
    return l;
}

void kq_pause(struct kq_event *ke, int32_t partition, bool pause)
{
    rd_kafka_topic_partition_list_t *l = kq_one(ke, partition, RD_KAFKA_OFFSET_INVALID);
    rd_kafka_resp_err_t err =
        pause ? rd_kafka_pause_partitions(ke->rk, l) : rd_kafka_resume_partitions(ke->rk, l);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ce_log_kv(CE_LOG_WARN,
                  pause ? "failed to pause a partition" : "failed to resume a partition",
                  "eventName", ke->ev->spec->name, "error", rd_kafka_err2str(err), NULL);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void kq_seek(struct kq_event *ke, int32_t partition, int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = kq_one(ke, partition, offset);
    rd_kafka_error_t *e = rd_kafka_seek_partitions(ke->rk, l, 5000);
    if (e != NULL) {
        ce_log_kv(CE_LOG_WARN, "failed to seek a partition", "eventName", ke->ev->spec->name,
                  "error", rd_kafka_error_string(e), NULL);
        rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void kq_log_pause(const struct kq_event *ke, struct kq_part *p, int64_t now)
{
    if (p->pause_logged_ms != 0 && now - p->pause_logged_ms < KQ_PAUSE_LOG_MS) {
        return;
    }
    p->pause_logged_ms = now;
    char pbuf[16];
    snprintf(pbuf, sizeof(pbuf), "%d", (int)p->partition);
    ce_log_kv(CE_LOG_WARN,
              "the event bus did not take an event: partition paused, it is read again from that "
              "message once the bus takes events",
              "eventName", ke->ev->spec->name, "partition", pbuf, NULL);
}

void kq_rewind_due(struct kq_event *ke)
{
    int64_t now = ce_clock_mono_ms();
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        if (!p->rewinding || p->revoked) {
            continue;
        }
        if (p->retry_at_ms == 0) {
            kq_pause(ke, p->partition, true);
            p->retry_at_ms = now + KQ_RETRY_MS;
            ce_metric_inc(ke->paused_gauge);
            kq_log_pause(ke, p, now);
        }
        else if (p->n_pending == 0 && now >= p->retry_at_ms) {
            kq_seek(ke, p->partition, p->rewind_to);
            kq_pause(ke, p->partition, false);
            p->rewinding = false;
            ce_metric_add(ke->paused_gauge, -1);
        }
    }
}

/* Group mode: hands the acknowledged offsets to librdkafka, which commits them. */
static void kq_store(struct kq_event *ke)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        if (p->done_upto > p->saved_upto && !p->revoked) {
            rd_kafka_topic_partition_list_add(l, ke->cfg->topic, p->partition)->offset =
                p->done_upto;
            p->saved_upto = p->done_upto;
        }
    }
    if (l->cnt > 0) {
        rd_kafka_resp_err_t err = rd_kafka_offsets_store(ke->rk, l);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ce_log_kv(CE_LOG_DEBUG, "offsets not stored", "eventName", ke->ev->spec->name, "error",
                      rd_kafka_err2str(err), NULL);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static bool kq_kv_ready(struct kq_event *ke)
{
    return ke->kv != NULL || ce_bus_kv_open(ke->env->bus, KQ_KV_BUCKET, &ke->kv) == CE_OK;
}

/* Partition mode: records the last published offset in the bus. */
static void kq_record(struct kq_event *ke, bool force)
{
    struct kq_part *p = ke->parts;
    int64_t now = ce_clock_mono_ms();
    if (p == NULL || p->done_upto <= p->saved_upto ||
        (!force && now - ke->kv_saved_ms < KQ_KV_SAVE_MS) || !kq_kv_ready(ke)) {
        return;
    }
    char v[32];
    int n = snprintf(v, sizeof(v), "%" PRId64, p->done_upto - 1);
    if (ce_bus_kv_put(ke->kv, ke->kv_key, v, (size_t)n) == CE_OK) {
        p->saved_upto = p->done_upto;
        ke->kv_saved_ms = now;
    }
}

void kq_offsets_sync(struct kq_event *ke, bool force)
{
    if (ke->cfg->group) {
        kq_store(ke);
    }
    else {
        kq_record(ke, force);
    }
}

int64_t kq_offsets_start(struct kq_event *ke)
{
    bool logged = false;
    while (!atomic_load(ke->stop)) {
        char *v = NULL;
        size_t len = 0;
        int rc = kq_kv_ready(ke) ? ce_bus_kv_get(ke->kv, ke->kv_key, &v, &len) : CE_EUNAVAIL;
        if (rc == CE_OK || rc == CE_ENOENT) {
            char *end = NULL;
            long long last = v != NULL ? strtoll(v, &end, 10) : -1;
            bool ok = v != NULL && end != v && *end == '\0' && last >= -1; /* -1: from 0 */
            ce_free(v);
            return ok ? (int64_t)last + 1 : RD_KAFKA_OFFSET_END;
        }
        if (!logged) {
            ce_log_kv(CE_LOG_WARN, "waiting for the event bus to read the partition's last offset",
                      "eventName", ke->ev->spec->name, NULL);
            logged = true;
        }
        ce_clock_sleep_ms(200);
    }
    return RD_KAFKA_OFFSET_END;
}

void kq_lag_update(struct kq_event *ke)
{
    int64_t now = ce_clock_mono_ms();
    if (now - ke->lag_at_ms < 1000) {
        return;
    }
    ke->lag_at_ms = now;
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        int64_t lo = 0, hi = 0;
        if (p->revoked || p->done_upto < 0 ||
            rd_kafka_get_watermark_offsets(ke->rk, ke->cfg->topic, p->partition, &lo, &hi) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0) {
            continue;
        }
        ce_metric_set(p->lag, (double)(hi > p->done_upto ? hi - p->done_upto : 0));
    }
}
