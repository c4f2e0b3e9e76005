/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka trigger's producer: one librdkafka producer per trigger, made at its first firing
 * (so `cevents lint` and `cevents explain` never connect), reused by every firing and by every
 * state of a trigger rebuilt per firing; made again when the settings it was made with change.
 * A message counts as sent only when the broker acknowledged it (its delivery report). */
#ifndef CE_TRIGGERS_KAFKA_PRODUCER_H
#define CE_TRIGGERS_KAFKA_PRODUCER_H

#include "core/base/rc.h"

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>

/* How long librdkafka tries to deliver one message (message.timeout.ms) before the firing
 * fails, retryably. */
#define CE_KAFKA_TRIGGER_DELIVERY_TIMEOUT_MS 10000

struct ce_kafka_producer;
struct ce_kafka_trigger_config;

/* One message. headers (may be NULL) is taken over by ce_kafka_producer_send in every case. */
struct ce_kafka_message {
    const char *topic;
    const char *key; /* NULL: no key */
    size_t key_len;
    const char *value;
    size_t len;
    rd_kafka_headers_t *headers;
};

struct ce_kafka_producer *ce_kafka_producer_create(void);
/* Waits (bounded) for messages still queued, then frees. Accepts NULL. */
void ce_kafka_producer_destroy(struct ce_kafka_producer *p);

/* Sends m and waits for its delivery report, making the producer first from cfg (secrets read
 * under secrets_dir) when there is none. CE_OK once acknowledged (cfg->required_acks); CE_RETRY
 * when the broker could not be reached or did not acknowledge in time; CE_EMSGSIZE for a
 * message larger than the broker takes; CE_EINVAL/CE_ENOENT for settings or secrets a retry
 * cannot fix. err says why. Thread-safe: sends on one producer are serialised. */
int ce_kafka_producer_send(struct ce_kafka_producer *p, const struct ce_kafka_trigger_config *cfg,
                           const char *secrets_dir, struct ce_kafka_message *m, char *err,
                           size_t errlen) CE_MUST_CHECK;

#endif
