/* SPDX-License-Identifier: Apache-2.0 */
/* Argo Events' `config` field of Kafka sources and triggers is YAML for Go's Sarama client
 * (`consumer: {fetch: {min: 1}}`, keys matched case-insensitively). cevents speaks librdkafka,
 * so each Sarama setting it knows becomes the librdkafka property that does the same job; a key
 * it does not know is an error naming the key, never silently ignored. Pure, thread-safe. */
#ifndef CE_CORE_KAFKA_SARAMA_H
#define CE_CORE_KAFKA_SARAMA_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>

#define CE_KAFKA_PROP_VALUE_MAX 64

/* One librdkafka property. name is static; NULL when the Sarama key is accepted but has no
 * librdkafka counterpart (it tunes Go-side internals, e.g. channelBufferSize). */
struct ce_kafka_prop {
    const char *name;
    char value[CE_KAFKA_PROP_VALUE_MAX];
};

/* Maps one Sarama setting: key is the dotted path of the leaf ("consumer.fetch.min", any case),
 * value its YAML scalar text, quoted whether it was written as a quoted string (a duration
 * written as a bare integer is nanoseconds, as Sarama's decoder reads it; a string is a Go
 * duration such as "10s"). CE_OK and *out; CE_ENOENT for a key cevents does not know (err names
 * it and the nearest known key); CE_EINVAL for a value of the wrong kind (err says why). */
int ce_kafka_sarama_map(const char *key, const char *value, bool quoted, struct ce_kafka_prop *out,
                        char *err, size_t errlen) CE_MUST_CHECK;

/* The ith Sarama key cevents knows (lower case, dotted), or NULL past the last: for docs and
 * tests. */
const char *ce_kafka_sarama_key(int i);

/* Checks a `version` field the way Sarama parses it: "x.y.z" or "x.y.z.w" with decimal
 * numbers ("2.5.0", "0.10.2.1"). CE_OK, or CE_EINVAL with the reason in err. */
int ce_kafka_version_check(const char *version, char *err, size_t errlen) CE_MUST_CHECK;

#endif
