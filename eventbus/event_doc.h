/* SPDX-License-Identifier: Apache-2.0 */
/* An event as the JSON documents trigger parameters read, byte for byte as Argo Events'
 * Go code marshals them: the whole event `{"context":{...},"data":"<base64>"}`, the context
 * alone (time in RFC 3339 seconds, UTC), and the data as JSON (YAML data converted). Pure. */
#ifndef CE_EVENTBUS_EVENT_DOC_H
#define CE_EVENTBUS_EVENT_DOC_H

#include <stddef.h>

struct ce_cloudevent;

/* The whole event; heap string of *len bytes. */
char *ce_event_doc_json(const struct ce_cloudevent *ev, size_t *len);
/* The context object (id, source, specversion, type, datacontenttype, subject, time). */
int ce_event_doc_context_json(const struct ce_cloudevent *ev, char **out, size_t *len);
/* The data as JSON in *doc (*len bytes): ev's own data for application/json (which must be
 * valid JSON), or a conversion of application/yaml in *owned (ce_free it; NULL otherwise). Any
 * other content type, or invalid data, is CE_EINVAL with Argo's reason ("event data is not
 * valid JSON", "unsupported event content type: text/plain"). */
int ce_event_doc_data_json(const struct ce_cloudevent *ev, const char **doc, size_t *len,
                           char **owned, char *err, size_t errlen);

#endif
