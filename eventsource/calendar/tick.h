/* SPDX-License-Identifier: Apache-2.0 */
/* What one calendar tick becomes: its event data (Argo's CalendarEventData), the key its event
 * id is derived from, and the record of the last tick kept in the bus's key-value store. */
#ifndef CE_EVENTSOURCE_CALENDAR_TICK_H
#define CE_EVENTSOURCE_CALENDAR_TICK_H

#include "core/base/buf.h"
#include "core/base/rc.h"

#include <stddef.h>
#include <stdint.h>

struct ce_calendar_config;

/* The key-value bucket holding every calendar event's last acknowledged tick. */
#define CE_CAL_RECORD_BUCKET "cevents-calendar"

/* {"eventTime":"<Go Time.String() of tick in the event's zone>","metadata":{...}} with
 * metadata left out when empty, byte for byte as Go's json.Marshal writes it. */
int ce_cal_tick_data(const struct ce_calendar_config *cfg, int64_t tick_ns,
                     struct ce_buf *out) CE_MUST_CHECK;

/* The idempotency key of a tick, from which its event id is derived (with the EventSource's and
 * the event's names): the scheduled instant in Unix nanoseconds, as decimal text. */
int ce_cal_tick_key(int64_t tick_ns, char out[24]);

/* The record's key in the bucket: "<eventSourceName>.<eventName>", each name with every byte
 * outside [-_/A-Za-z0-9] (the dot included) written as "=XX" (hex), so two events never share
 * a key and the key is one NATS accepts. Heap string. */
char *ce_cal_record_key(const char *source_name, const char *event_name);

/* The record's value: the tick as RFC 3339 in UTC ("2026-07-18T12:00:10Z"). Returns the
 * length. */
int ce_cal_record_format(int64_t tick_ns, char out[80]);
/* The tick a record holds, or -1 when it is not one. */
int64_t ce_cal_record_parse(const char *value);

#endif
