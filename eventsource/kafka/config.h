/* SPDX-License-Identifier: Apache-2.0 */
/* One Kafka event's settings (Argo's KafkaEventSource), decoded and validated by the kafka
 * plugin from spec.kafka.<event>. */
#ifndef CE_EVENTSOURCE_KAFKA_CONFIG_H
#define CE_EVENTSOURCE_KAFKA_CONFIG_H

#include "core/kafka/sarama.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_block_decoder;
struct ce_mdec;
struct ce_node;

/* connectionBackoff (Argo's Backoff): tries of the first connection. */
struct ce_kafka_backoff {
    int64_t duration_ns; /* default 1 s */
    int steps;           /* default 5 */
    double factor;       /* default 1 */
    double jitter;       /* default 0 */
};

struct ce_kafka_es_config {
    char *url; /* comma list, as written */
    char *topic;
    bool group; /* consumerGroup mode; otherwise partition mode */
    int32_t partition;
    char *group_name;
    bool oldest;
    const char *assignor; /* librdkafka's partition.assignment.strategy */
    int64_t limit_per_second;
    char *version;
    bool tls, tls_insecure;
    struct ce_secret_ref tls_ca, tls_cert, tls_key;
    char *sasl_mechanism; /* NULL: no SASL */
    struct ce_secret_ref sasl_user, sasl_password;
    struct ce_kafka_prop *props; /* the mapped `config` */
    int n_props;
    bool json_body;
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
    struct ce_kafka_backoff backoff;
};

/* The decoder of the block (manifest/plugin.h); its configs are struct ce_kafka_es_config. */
extern const struct ce_block_decoder ce_kafka_decoder;

/* Decodes the `config` string at map.config (Sarama YAML) into cfg->props; every unknown key or
 * bad value is an error at its line, naming its path. */
void ce_kafka_decode_sarama(struct ce_mdec *c, const struct ce_node *map,
                            struct ce_kafka_es_config *cfg);

#endif
