/* SPDX-License-Identifier: Apache-2.0 */
/* How an event's consumer begins: in group mode it subscribes and the group assigns; in
 * partition mode it checks that the partition exists (tried along connectionBackoff, as Argo
 * does) and reads it from the offset after the last one the bus acknowledged, or from the newest
 * message the first time. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "eventsource/kafka/kafka_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#define KQ_METADATA_TIMEOUT_MS 5000

/* CE_OK when the topic has the partition, CE_ENOENT when it has not, CE_EUNAVAIL when the
 * brokers did not answer. */
static int kq_partition_exists(struct kq_event *ke, char *why, size_t len)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(ke->rk, ke->cfg->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(ke->rk, 0, rkt, &md, KQ_METADATA_TIMEOUT_MS);
    int rc = CE_EUNAVAIL;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(why, len, "%s", rd_kafka_err2str(err));
    }
    else if (md->topic_cnt < 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(why, len, "topic %s: %s", ke->cfg->topic,
                 md->topic_cnt < 1 ? "no metadata" : rd_kafka_err2str(md->topics[0].err));
    }
    else {
        rc = CE_ENOENT;
        snprintf(why, len, "partition %d is not available", (int)ke->cfg->partition);
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            rc = md->topics[0].partitions[i].id == ke->cfg->partition ? CE_OK : rc;
        }
    }
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return rc;
}

/* The wait before try n (from 0) of connectionBackoff: duration * factor^n, with jitter. */
static int64_t kq_backoff_ms(const struct ce_kafka_backoff *b, int n)
{
    double ms = (double)b->duration_ns / 1e6 * pow(b->factor > 0 ? b->factor : 1, n);
    if (b->jitter > 0) {
        /* spreads restarts; the clock's low digits are random enough and need no shared
         * state */
        ms += ms * b->jitter * ((double)(ce_clock_wall_ms() % 1000) / 1000.0);
    }
    return ms > 3600e3 ? 3600000 : (int64_t)ms;
}

static bool kq_sleep_unless_stopped(struct kq_event *ke, int64_t ms)
{
    for (int64_t end = ce_clock_mono_ms() + ms; ce_clock_mono_ms() < end;) {
        if (atomic_load(ke->stop)) {
            return false;
        }
        ce_clock_sleep_ms(50);
    }
    return !atomic_load(ke->stop);
}

/* Tries along connectionBackoff, then keeps trying at its last interval: a partition that
 * appears later is still read. */
static bool kq_wait_partition(struct kq_event *ke)
{
    char why[256];
    for (int n = 0; !atomic_load(ke->stop); n++) {
        if (kq_partition_exists(ke, why, sizeof(why)) == CE_OK) {
            return true;
        }
        int step = n < ke->cfg->backoff.steps ? n : ke->cfg->backoff.steps - 1;
        ce_log_kv(n + 1 < ke->cfg->backoff.steps ? CE_LOG_WARN : CE_LOG_ERROR,
                  "failed to connect to the Kafka partition; trying again", "eventName",
                  ke->ev->spec->name, "error", why, NULL);
        if (!kq_sleep_unless_stopped(ke, kq_backoff_ms(&ke->cfg->backoff, step))) {
            break;
        }
    }
    return false;
}

/* The newest offset, asked now, so that everything produced after the "reading" line is read
 * (librdkafka would resolve "end" later, at its first fetch). */
static int64_t kq_newest(struct kq_event *ke)
{
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        ke->rk, ke->cfg->topic, ke->cfg->partition, &lo, &hi, KQ_METADATA_TIMEOUT_MS);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? hi : RD_KAFKA_OFFSET_END;
}

static bool kq_assign_partition(struct kq_event *ke)
{
    int64_t from = kq_offsets_start(ke);
    if (atomic_load(ke->stop) || !kq_wait_partition(ke)) {
        return false;
    }
    bool first = from == RD_KAFKA_OFFSET_END;
    if (first) {
        from = kq_newest(ke);
    }
    pthread_mutex_lock(&ke->mu);
    struct kq_part *p = kq_part_get(ke, ke->cfg->partition, true);
    if (first && from >= 0) {
        p->done_upto = from; /* recorded at once: a restart goes on from here, not the newest */
    }
    pthread_mutex_unlock(&ke->mu);
    kq_offsets_sync(ke, true);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, ke->cfg->topic, ke->cfg->partition)->offset = from;
    rd_kafka_resp_err_t err = rd_kafka_assign(ke->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    char fbuf[24];
    snprintf(fbuf, sizeof(fbuf), "%" PRId64, from);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ce_log_kv(CE_LOG_ERROR, "failed to read the Kafka partition", "eventName",
                  ke->ev->spec->name, "error", rd_kafka_err2str(err), NULL);
    }
    else {
        ce_log_kv(CE_LOG_INFO, "reading the Kafka partition", "eventName", ke->ev->spec->name,
                  "offset", from == RD_KAFKA_OFFSET_END ? "newest" : fbuf, NULL);
    }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

static bool kq_subscribe(struct kq_event *ke)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, ke->cfg->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(ke->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ce_log_kv(CE_LOG_ERROR, "failed to join the Kafka consumer group", "eventName",
                  ke->ev->spec->name, "error", rd_kafka_err2str(err), NULL);
        return false;
    }
    ce_log_kv(CE_LOG_INFO, "joined the Kafka consumer group", "eventName", ke->ev->spec->name,
              "group", ke->cfg->group_name, NULL);
    return true;
}

bool kq_begin(struct kq_event *ke)
{
    return ke->cfg->group ? kq_subscribe(ke) : kq_assign_partition(ke);
}
