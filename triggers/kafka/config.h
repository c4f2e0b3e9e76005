/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka trigger's block (template.kafka, Argo's KafkaTrigger) as its decoder leaves it: the
 * producer's settings. What each message is made of (topic, partitioningKey, headers,
 * secureHeaders, payload) is read from the block at each firing, after the block's own
 * parameters edited it, as Argo does. */
#ifndef CE_TRIGGERS_KAFKA_CONFIG_H
#define CE_TRIGGERS_KAFKA_CONFIG_H

#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_block_decoder;

#define CE_KAFKA_TRIGGER_FLUSH_DEFAULT 500 /* flushFrequency when 0, read as nanoseconds */

struct ce_kafka_trigger_config {
    char *url; /* bootstrap servers, comma-separated */
    char *topic;
    int required_acks;       /* -1 (all; also for 0, unset) or 1 */
    bool compress;           /* snappy */
    int64_t flush_frequency; /* nanoseconds, as Argo's code reads it */
    char *version;           /* NULL: not given */
    bool tls, tls_insecure;
    struct ce_secret_ref ca, cert, key;
    bool sasl;
    char *sasl_mechanism; /* "" for PLAIN */
    struct ce_secret_ref sasl_user, sasl_password;
};

extern const struct ce_block_decoder ce_kafka_trigger_decoder;

#endif
