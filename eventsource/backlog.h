/* SPDX-License-Identifier: Apache-2.0 */
/* Back-pressure from the bus to producers. A stream with `discard: old` (Argo Events' default)
 * evicts its oldest messages once it holds maxMsgs, whether Sensors consumed them or not. So the
 * EventSource watches how far the slowest active consumer is behind and, from 80 % of the limit
 * until it is back under 60 %, refuses new events (the webhook answers 503 with Retry-After)
 * instead of letting the stream drop unconsumed ones. Evictions that happen anyway (another
 * producer, a burst between two checks) are logged with their count, never silent. */
#ifndef CE_EVENTSOURCE_BACKLOG_H
#define CE_EVENTSOURCE_BACKLOG_H

#include <stdbool.h>
#include <stdint.h>

struct ce_bus;
struct ce_bus_backlog;
struct ce_metric;

#define CE_ES_BACKLOG_FULL_PCT 80 /* refuse from here */
#define CE_ES_BACKLOG_OPEN_PCT 60 /* accept again below here */

/* The decision alone, for tests: whether the bus is full now, given whether it was. */
bool ce_es_backlog_full(bool was_full, const struct ce_bus_backlog *b);

/* How many more events fit before the refusal threshold (0 when past it); only for a bus with a
 * limit (max_msgs > 0). A source that reads faster than the guard looks (Kafka) publishes no
 * more than this between two reads of the backlog. */
int64_t ce_es_backlog_room(const struct ce_bus_backlog *b);

struct ce_es_backlog_guard {
    bool full;
    uint64_t evicted_seen; /* evictions already reported for the current slowest consumer */
    struct ce_metric *full_gauge, *evicted;
};

void ce_es_backlog_guard_init(struct ce_es_backlog_guard *g, const char *eventsource_name);
/* Reads the backlog, updates the bus's full flag, logs changes and evictions. A bus that
 * cannot be read leaves the state as it was. */
void ce_es_backlog_check(struct ce_es_backlog_guard *g, struct ce_bus *bus);

#endif
