/* SPDX-License-Identifier: Apache-2.0 */
/* How a Sensor shows an event to people and to triggers, as Argo Events does: the context as
 * its one-line text form and the data as text (JSON and plain text) or base64. Pure. */
#ifndef CE_EVENTBUS_EVENT_CONTEXT_H
#define CE_EVENTBUS_EVENT_CONTEXT_H

#include <stddef.h>

struct ce_cloudevent;

/* `{"id": "…", "source": "…", "specversion": "…", "type": "…", "datacontenttype": "…",
 * "subject": "…", "time": "2026-11-22 14:54:00.123 +0000 UTC"}`; heap string. */
char *ce_event_context_string(const struct ce_cloudevent *ev);
/* Data as text for application/json and text/plain (parameters allowed), else base64. */
char *ce_event_data_string(const struct ce_cloudevent *ev);
/* RFC 3339 time → Go's time.String() form. Writes at most outlen bytes; returns CE_OK or
 * CE_EPARSE (then out holds the input unchanged). */
int ce_event_time_go_string(const char *rfc3339, char *out, size_t outlen);

#endif
