/* SPDX-License-Identifier: Apache-2.0 */
/* Events as parameter documents: see event_doc.h. */
#include "eventbus/event_doc.h"
#include "core/base/base64.h"
#include "core/base/clock.h"
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/diag.h"
#include "manifest/node.h"
#include "manifest/tojson.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#define EVENT_DOC_MAX (64u * 1024u * 1024u)

static int doc_str(struct ce_buf *b, const char *key, const char *v, bool comma)
{
    int rc = ce_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
    return rc | ce_buf_json_str(b, v ? v : "", v ? strlen(v) : 0); /* json.Marshal: <>& escaped */
}

/* metav1.Time marshals as RFC 3339 in UTC with whole seconds; the zero time as null. */
static int doc_time(struct ce_buf *b, const char *rfc3339)
{
    int64_t ns = rfc3339 ? ce_clock_parse_rfc3339_ns(rfc3339) : -1;
    if (ns < 0) {
        return ce_buf_puts(b, ",\"time\":null");
    }
    time_t secs = (time_t)(ns / 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return ce_buf_printf(b, ",\"time\":\"%s\"", when);
}

static int doc_context(struct ce_buf *b, const struct ce_cloudevent *ev)
{
    int rc = ce_buf_puts(b, "{");
    rc |= doc_str(b, "id", ev->id, false);
    rc |= doc_str(b, "source", ev->source, true);
    rc |= doc_str(b, "specversion", ev->specversion, true);
    rc |= doc_str(b, "type", ev->type, true);
    rc |= doc_str(b, "datacontenttype", ev->datacontenttype, true);
    rc |= doc_str(b, "subject", ev->subject, true);
    rc |= doc_time(b, ev->time);
    return rc | ce_buf_puts(b, "}");
}

int ce_event_doc_context_json(const struct ce_cloudevent *ev, char **out, size_t *len)
{
    struct ce_buf b;
    ce_buf_init(&b, EVENT_DOC_MAX);
    int rc = doc_context(&b, ev) == CE_OK ? CE_OK : CE_ETOOBIG;
    *out = ce_buf_steal(&b, len);
    return rc;
}

char *ce_event_doc_json(const struct ce_cloudevent *ev, size_t *len)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_buf_puts(&b, "{\"context\":");
    rc |= doc_context(&b, ev);
    if (ev->data == NULL) {
        rc |= ce_buf_puts(&b, ",\"data\":null}");
    }
    else {
        char *b64 = ce_base64_encode(ev->data, ev->data_len);
        rc |= ce_buf_printf(&b, ",\"data\":\"%s\"}", b64);
        ce_free(b64);
    }
    (void)rc; /* an uncapped buffer only fails by aborting */
    return ce_buf_steal(&b, len);
}

/* YAML data as the JSON Go's YAML-to-JSON conversion gives: the first document, keys sorted. */
static int doc_yaml(const struct ce_cloudevent *ev, char **out, size_t *len, char *err,
                    size_t errlen)
{
    struct ce_diag diag;
    struct ce_node_doc *docs = NULL;
    int n = 0;
    ce_diag_init(&diag);
    int rc = ce_node_parse(ev->data, ev->data_len, "event", &diag, &docs, &n);
    json_t *j = rc == CE_OK && n > 0 ? ce_node_to_json(docs[0].root) : NULL;
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    ce_node_docs_free(docs, n);
    ce_diag_fini(&diag);
    if (text == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "failed converting yaml event data to JSON");
    }
    *out = ce_xstrdup(text);
    *len = strlen(text);
    free(text);
    return CE_OK;
}

int ce_event_doc_data_json(const struct ce_cloudevent *ev, const char **doc, size_t *len,
                           char **owned, char *err, size_t errlen)
{
    *doc = NULL;
    *owned = NULL;
    *len = 0;
    const char *ct = ev->datacontenttype ? ev->datacontenttype : "";
    if (strcmp(ct, "application/json") == 0) {
        if (ev->data == NULL || !ce_gj_valid(ev->data, ev->data_len)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "event data is not valid JSON");
        }
        *doc = ev->data; /* as it is: no copy */
        *len = ev->data_len;
        return CE_OK;
    }
    if (strcmp(ct, "application/yaml") == 0) {
        int rc = doc_yaml(ev, owned, len, err, errlen);
        *doc = *owned;
        return rc;
    }
    return ce_rc_fail(CE_EINVAL, err, errlen, "unsupported event content type: %s", ct);
}
