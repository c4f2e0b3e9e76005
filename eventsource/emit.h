/* SPDX-License-Identifier: Apache-2.0 */
/* The path every EventSource takes to put an event on the bus: wrap the data in a CloudEvent,
 * publish it with its id as Nats-Msg-Id, log and count the outcome, and tell the source when the
 * bus acknowledged it (a source answers its producer only then). Thread-safe. */
#ifndef CE_EVENTSOURCE_EMIT_H
#define CE_EVENTSOURCE_EMIT_H

#include "core/base/rc.h"

#include <stddef.h>

struct ce_bus;
struct ce_es_filter;
struct ce_metric;

/* One per (EventSource, event name). Owned by the source that created it. */
struct ce_emitter {
    struct ce_bus *bus;
    char *source_name; /* EventSource metadata.name = CloudEvent source */
    char *event_name;  /* CloudEvent subject */
    char *type;        /* CloudEvent type, e.g. "webhook" */
    char *subject;     /* default.<source>.<event> */
    struct ce_metric *sent, *sent_failed, *processing_failed, *duration, *filtered;
    struct ce_es_filter *filter; /* the event's filter.expression, NULL: none */
};

/* Called exactly once per accepted emit, on a bus thread, with CE_OK once the bus stored the
 * event, or the error. Must not block. */
typedef void ce_emit_done_fn(void *arg, int rc, const char *event_id);

struct ce_emitter *ce_emitter_create(struct ce_bus *bus, const char *namespace_,
                                     const char *source_name, const char *event_name,
                                     const char *type);
void ce_emitter_destroy(struct ce_emitter *em);
/* The event's filter (taken over by em): events it turns down are not published. */
void ce_emitter_set_filter(struct ce_emitter *em, struct ce_es_filter *f);

/* Publishes data (valid JSON) as a new event. id: a stable event id (deduplicated by the bus),
 * or NULL for a random one; the id used is copied to id_out (33 bytes) when not NULL.
 * Returns CE_OK when the publish is under way (done runs later); CE_DROPPED when the filter
 * turned the event down or could not evaluate it (logged and counted; the producer is answered
 * as for a success, as Argo Events does); or CE_EUNAVAIL / CE_ETOOBIG / CE_EMSGSIZE (larger than
 * the bus takes: retrying cannot help) / CE_EINVAL. done is not
 * called unless CE_OK. */
int ce_emit_async(struct ce_emitter *em, const char *data, size_t len, const char *id,
                  ce_emit_done_fn *done, void *arg, char *id_out) CE_MUST_CHECK;

/* Counts an event the source could not turn into data (bad request body, ...). */
void ce_emitter_count_processing_failed(struct ce_emitter *em);

/* Derives a 32-hex-char event id from a producer's idempotency key, scoped to the event, so
 * retries of one request map to one id and the bus drops the duplicates. */
void ce_emit_id_from_key(const char *source_name, const char *event_name, const char *key,
                         size_t key_len, char out[33]);

#endif
