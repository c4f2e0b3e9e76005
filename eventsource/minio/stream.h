/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the minio source: the listen API's response body (newline-delimited JSON,
 * {"Records":[...]} per line, {"Records":null} keep-alives, and blanks from servers that predate
 * `ping`) cut into lines of bounded length as bytes arrive, and a notification turned into the
 * event Argo Events publishes. No I/O, so tests and the fuzzer call it directly. */
#ifndef CE_EVENTSOURCE_MINIO_STREAM_H
#define CE_EVENTSOURCE_MINIO_STREAM_H

#include "core/base/buf.h"
#include "core/base/rc.h"
#include "manifest/model.h"

#include <jansson.h>
#include <stddef.h>

/* minio-go's own limit for one notification line. */
#define CE_MINIO_MAX_LINE (4 * 1024 * 1024)

/* Called per line that holds records (records: a non-empty JSON array, borrowed), or per line
 * that is not a notification (records NULL, why says what is wrong). A non-zero return stops
 * the feed with that code. */
typedef int ce_minio_line_fn(void *arg, json_t *records, const char *line, size_t len,
                             const char *why);

struct ce_minio_stream {
    struct ce_buf line; /* the partial line so far */
    size_t max_line;
    long keepalives; /* lines without records so far */
};

void ce_minio_stream_init(struct ce_minio_stream *s, size_t max_line);
void ce_minio_stream_fini(struct ce_minio_stream *s);
/* Feeds the next bytes of the body: every complete line goes to fn. CE_OK; CE_ETOOBIG when a
 * line grows past max_line (the stream cannot be followed further: reconnect); or fn's code. */
int ce_minio_stream_feed(struct ce_minio_stream *s, const char *data, size_t len,
                         ce_minio_line_fn *fn, void *arg) CE_MUST_CHECK;

/* One line: CE_OK with *records a new reference to its non-empty Records array, or NULL for a
 * keep-alive (blank, {"Records":null}, {"Records":[]}); CE_EPARSE with the reason in why. */
int ce_minio_line_parse(const char *line, size_t len, json_t **records, char *why,
                        size_t whylen) CE_MUST_CHECK;

/* The event data: {"notification":[records],"metadata":{...}} ("metadata" only when n_md > 0),
 * compact; heap (ce_free), its length in *len. */
char *ce_minio_event_data(const json_t *records, const struct ce_kv *md, int n_md, size_t *len);

/* The idempotency key of a notification (bucket, key, eventName and sequencer of every record,
 * so the same notification delivered again gets the same event id); heap. */
char *ce_minio_event_key(const json_t *records, size_t *len);

#endif
