/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the Kafka source: one Kafka message turned into the event data Argo Events
 * publishes for it, byte for byte ({"topic","key","partition","body","timestamp","headers",
 * "metadata"}), and the event's deterministic id. No I/O, so tests and fuzzers call it
 * directly. */
#ifndef CE_EVENTSOURCE_KAFKA_DATA_H
#define CE_EVENTSOURCE_KAFKA_DATA_H

#include "core/base/buf.h"
#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_kv;

/* Longest Go time.String() of a Kafka timestamp, NUL included. */
#define CE_KAFKA_TIME_MAX 64

struct ce_kafka_header {
    const char *name; /* NUL-terminated */
    const char *value;
    size_t value_len; /* value NULL: a header without a value, read as "" */
};

/* What the data is made of; pointers are borrowed. */
struct ce_kafka_msg_view {
    const char *topic;
    int32_t partition;
    const char *key; /* NULL: no key */
    size_t key_len;
    const char *value; /* NULL: a null value (tombstone) */
    size_t value_len;
    int64_t timestamp_ms; /* < 0: none */
    const struct ce_kafka_header *headers;
    int n_headers;
};

/* Appends the event data of m. The key and header texts are JSON strings (invalid UTF-8 as
 * U+FFFD); the headers are an object, always present, a repeated name keeping its last value;
 * "body" is the value in base64 (null for a tombstone) or, with json_body, the value itself as
 * compact JSON; "metadata" only when n_meta > 0. CE_OK, CE_EPARSE when json_body and the value
 * is not one JSON value (nothing appended), CE_ETOOBIG past out's cap (nothing appended). */
int ce_kafka_event_data(const struct ce_kafka_msg_view *m, bool json_body, const struct ce_kv *meta,
                        int n_meta, struct ce_buf *out) CE_MUST_CHECK;

/* Go's time.Time.String() of a Kafka timestamp in UTC: "2025-07-18 12:00:10.123 +0000 UTC",
 * no fraction for whole seconds, and Go's zero time for a negative (absent) one. */
void ce_kafka_go_time(int64_t ms, char out[CE_KAFKA_TIME_MAX]);

/* The event id: Argo's "<eventSource>:<event>:<first url entry>:<topic>:<partition>:<offset>",
 * hashed to 32 hex characters (the bus's id size), so a message read twice has one id and the
 * bus stores it once. */
void ce_kafka_event_id(const char *source, const char *event, const char *url, const char *topic,
                       int32_t partition, int64_t offset, char out[33]);

/* Validates body as one JSON value and appends it as Go's json.Marshal writes a
 * json.RawMessage: whitespace removed, '<' '>' '&' and U+2028/U+2029 escaped inside strings.
 * CE_OK, CE_EPARSE (nothing appended) or CE_ETOOBIG. */
int ce_kafka_json_compact(const char *body, size_t len, struct ce_buf *out) CE_MUST_CHECK;

#endif
