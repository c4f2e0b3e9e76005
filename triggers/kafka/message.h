/* SPDX-License-Identifier: Apache-2.0 */
/* One firing's Kafka message as Argo builds it from the (possibly edited) kafka block: topic,
 * partitioningKey as the key, headers then secureHeaders (read from their secret or config map
 * files at each firing), and the payload list's document as the value. */
#ifndef CE_TRIGGERS_KAFKA_MESSAGE_H
#define CE_TRIGGERS_KAFKA_MESSAGE_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CE_KAFKA_TRIGGER_MAX_HEADERS 128

struct ce_kafka_msg_header {
    char *name;
    char *value;
    size_t len;
    bool secure; /* from secureHeaders: not shown by explain */
};

struct ce_kafka_msg {
    char *topic;
    char *key; /* NULL: none */
    struct ce_kafka_msg_header headers[CE_KAFKA_TRIGGER_MAX_HEADERS];
    int n_headers;
};

/* Reads topic, partitioningKey, headers and secureHeaders of block (secrets under secrets_dir,
 * config maps under config_dir). CE_EINVAL/CE_ENOENT with the reason in err. */
int ce_kafka_msg_from_block(const json_t *block, const char *secrets_dir, const char *config_dir,
                            struct ce_kafka_msg *out, char *err, size_t errlen) CE_MUST_CHECK;
void ce_kafka_msg_fini(struct ce_kafka_msg *m);

#endif
