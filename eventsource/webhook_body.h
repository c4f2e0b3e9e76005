/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the webhook source: turning a request into the event data Argo Events
 * publishes, {"header":{...},"body":<json>,"metadata":{...}}. No I/O, so tests and fuzzers
 * call it directly. */
#ifndef CE_EVENTSOURCE_WEBHOOK_BODY_H
#define CE_EVENTSOURCE_WEBHOOK_BODY_H

#include "core/base/rc.h"

#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* A request header as received (not NUL-terminated). */
struct ce_webhook_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct ce_kv_pair {
    const char *key;
    const char *value;
};

/* A query string or form body ("a=1&b=2&a=3") as a JSON object of string arrays
 * ({"a":["1","3"],"b":["2"]}), keys sorted, values percent- and '+'-decoded, like Go's
 * url.Values marshalled by encoding/json. CE_EPARSE (a bad pair, e.g. a bad escape) still leaves
 * the object of the pairs that decoded, which is what a GET query gets (Go drops bad pairs of a
 * URL silently); a form body with a bad pair is refused by the caller. CE_ETOOBIG past out's cap
 * (nothing appended then). */
int ce_webhook_body_from_query(const char *q, size_t len, struct ce_buf *out) CE_MUST_CHECK;

/* Validates body as exactly one JSON value and appends it the way Go's encoding/json writes a
 * json.RawMessage field: insignificant whitespace removed, and inside strings '<' '>' '&'
 * written as \u003c \u003e \u0026 and U+2028/U+2029 as \u2028/\u2029; every other byte kept.
 * An empty or whitespace-only body is not JSON. CE_OK or CE_EPARSE (nothing appended). */
int ce_webhook_body_json_compact(const char *body, size_t len, struct ce_buf *out) CE_MUST_CHECK;

/* Builds the event data: "header" maps each canonical header name to the array of its values
 * in arrival order, keys sorted; Host and Transfer-Encoding are left out as in Go's request
 * (and Pragma: no-cache implies Cache-Control: no-cache as Go's server does); a non-empty
 * Authorization becomes the single value "*** Masked Auth Secret ***" when mask_auth; "body" is
 * body_json verbatim; "metadata" (keys sorted) only when n_meta > 0. Output is what Go's
 * encoding/json writes for the same map. CE_OK or CE_ETOOBIG (out's cap). */
int ce_webhook_data_build(const struct ce_webhook_header *hdrs, int n_hdrs, const char *body_json,
                          size_t body_len, const struct ce_kv_pair *meta, int n_meta,
                          bool mask_auth, struct ce_buf *out) CE_MUST_CHECK;

#endif
