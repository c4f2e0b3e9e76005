/* SPDX-License-Identifier: Apache-2.0 */
/* Group rebalances: a partition taken away first gets a few seconds for the bus to acknowledge
 * what was handed over, so its offset is committed as far as possible before another member
 * reads it; anything not acknowledged by then is read again by the new owner (and stored once by
 * the bus, by its id). */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/service/metrics.h"
#include "eventsource/kafka/kafka_int.h"

#include <string.h>
#include <time.h>

static bool kq_cooperative(rd_kafka_t *rk)
{
    return strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
}

static int kq_pending_in(struct kq_event *ke, const rd_kafka_topic_partition_list_t *parts)
{
    int n = 0;
    for (int i = 0; i < parts->cnt; i++) {
        struct kq_part *p = kq_part_get(ke, parts->elems[i].partition, false);
        n += p != NULL ? p->n_pending : 0;
    }
    return n;
}

static void kq_revoke(struct kq_event *ke, rd_kafka_topic_partition_list_t *parts)
{
    struct timespec dl;
    ce_clock_deadline(KQ_REVOKE_WAIT_MS, &dl);
    pthread_mutex_lock(&ke->mu);
    kq_advance(ke);
    while (kq_pending_in(ke, parts) > 0 && pthread_cond_timedwait(&ke->cv, &ke->mu, &dl) == 0) {
        kq_advance(ke);
    }
    pthread_mutex_unlock(&ke->mu);
    kq_offsets_sync(ke, true);
    rd_kafka_resp_err_t err = rd_kafka_commit(ke->rk, NULL, 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        ce_log_kv(CE_LOG_WARN, "failed to commit offsets on rebalance", "eventName",
                  ke->ev->spec->name, "error", rd_kafka_err2str(err), NULL);
    }
    pthread_mutex_lock(&ke->mu);
    for (int i = 0; i < parts->cnt; i++) {
        struct kq_part *p = kq_part_get(ke, parts->elems[i].partition, false);
        if (p != NULL) {
            if (p->rewinding && p->retry_at_ms != 0) {
                ce_metric_add(ke->paused_gauge, -1);
            }
            p->revoked = true; /* acks still coming find it; freed once its list is empty */
        }
    }
    kq_reap(ke);
    pthread_mutex_unlock(&ke->mu);
}

static void kq_log_parts(const char *msg, const struct kq_event *ke,
                         const rd_kafka_topic_partition_list_t *parts)
{
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; i < parts->cnt && len < sizeof(list) - 16; i++) {
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", i ? "," : "",
                                (int)parts->elems[i].partition);
    }
    ce_log_kv(CE_LOG_INFO, msg, "eventName", ke->ev->spec->name, "partitions", list, NULL);
}

static void kq_assign(struct kq_event *ke, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      bool coop)
{
    pthread_mutex_lock(&ke->mu);
    for (int i = 0; i < parts->cnt; i++) {
        (void)kq_part_get(ke, parts->elems[i].partition, true);
    }
    pthread_mutex_unlock(&ke->mu);
    kq_log_parts("partitions assigned", ke, parts);
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
        if (e != NULL) {
            rd_kafka_error_destroy(e);
        }
    }
    else {
        rd_kafka_assign(rk, parts);
    }
}

void kq_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct kq_event *ke = opaque;
    bool coop = kq_cooperative(rk);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        kq_assign(ke, rk, parts, coop);
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        kq_log_parts("partitions revoked", ke, parts);
        kq_revoke(ke, parts);
    }
    if (coop) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e != NULL) {
            rd_kafka_error_destroy(e);
        }
    }
    else {
        rd_kafka_assign(rk, NULL);
    }
}
