/* SPDX-License-Identifier: Apache-2.0 */
/* CloudEvents 1.0 structured JSON, byte-compatible with what Argo Events puts on the bus: keys
 * specversion, id, source, type, subject, datacontenttype, time, data in that order, data
 * embedded as raw JSON. Pure module: no I/O. */
#ifndef CE_EVENTBUS_CLOUDEVENT_H
#define CE_EVENTBUS_CLOUDEVENT_H

#include "core/base/rc.h"

#include "core/base/buf.h"

#include <stddef.h>
#include <time.h>

/* All strings owned by the struct (heap) after decode; for encode they are borrowed. */
struct ce_cloudevent {
    char *specversion;     /* "1.0" */
    char *id;              /* 32 lowercase hex chars for random ids */
    char *source;          /* EventSource name */
    char *type;            /* source type: "webhook", "calendar", ... */
    char *subject;         /* event name */
    char *datacontenttype; /* "application/json" */
    char *time;            /* RFC 3339 with nanoseconds, UTC, trailing zeros trimmed */
    char *data;            /* raw data bytes: JSON text, or the decoded bytes of data_base64 */
    size_t data_len;
};

/* Appends the structured JSON form of ev to out. data must be valid JSON when datacontenttype
 * is JSON (it is written verbatim); otherwise it is written as "data_base64". */
int ce_cloudevent_encode(const struct ce_cloudevent *ev, struct ce_buf *out) CE_MUST_CHECK;

/* The exact bytes Argo Events (Go SDK v2.16) puts on the bus: it hands the SDK the payload as
 * []byte, which the SDK always writes as "data_base64". Same attributes as
 * ce_cloudevent_encode; use it where byte-identity with Argo matters more than a readable
 * stream. Both forms are read by Argo sensors and by ce_cloudevent_decode. */
int ce_cloudevent_encode_argo(const struct ce_cloudevent *ev, struct ce_buf *out) CE_MUST_CHECK;

/* Parses a structured CloudEvent. On failure returns CE_EPARSE and writes a reason to err.
 * On success ev owns heap copies; release with ce_cloudevent_fini. Input size is capped by the
 * caller (the bus max payload). */
int ce_cloudevent_decode(const char *json, size_t len, struct ce_cloudevent *ev, char *err,
                         size_t errlen) CE_MUST_CHECK;
void ce_cloudevent_fini(struct ce_cloudevent *ev);

/* A random UUIDv4 as 32 lowercase hex chars, NUL-terminated. */
void ce_cloudevent_new_id(char out[33]);
/* ts as RFC 3339 UTC with up to 9 fractional digits, trailing zeros trimmed (Go RFC3339Nano). */
void ce_cloudevent_format_time(const struct timespec *ts, char out[40]);

#endif
