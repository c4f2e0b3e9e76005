/* SPDX-License-Identifier: Apache-2.0 */
/* SQS message → event data, byte for byte what Argo's json.Marshal of SQSEventData writes. */
#include "eventsource/sqs/data.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "eventsource/webhook_body.h"
#include "manifest/model.h"

#include <stdlib.h>
#include <string.h>

/* A string or null (absent). */
static int sqs_str_or_null(struct ce_buf *b, const json_t *v)
{
    if (v == NULL || json_is_null(v)) {
        return ce_buf_puts(b, "null");
    }
    if (!json_is_string(v)) {
        return CE_EPARSE;
    }
    return ce_buf_json_str(b, json_string_value(v), json_string_length(v));
}

/* A list of strings or null (absent). */
static int sqs_list_or_null(struct ce_buf *b, const json_t *v)
{
    if (v == NULL || json_is_null(v)) {
        return ce_buf_puts(b, "null");
    }
    if (!json_is_array(v)) {
        return CE_EPARSE;
    }
    int rc = ce_buf_puts(b, "[");
    for (size_t i = 0; rc == CE_OK && i < json_array_size(v); i++) {
        if (i > 0) {
            rc = ce_buf_puts(b, ",");
        }
        rc = rc == CE_OK ? sqs_str_or_null(b, json_array_get(v, i)) : rc;
    }
    return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
}

/* One MessageAttributeValue: the SDK struct's exported fields in declaration order. */
static int sqs_attr(struct ce_buf *b, const json_t *a)
{
    if (!json_is_object(a)) {
        return CE_EPARSE;
    }
    static const char *const fields[] = {"BinaryListValues", "BinaryValue", "DataType",
                                         "StringListValues", "StringValue"};
    int rc = ce_buf_puts(b, "{");
    for (int i = 0; rc == CE_OK && i < 5; i++) {
        rc = ce_buf_printf(b, "%s\"%s\":", i > 0 ? "," : "", fields[i]);
        const json_t *v = json_object_get(a, fields[i]);
        if (rc == CE_OK) {
            rc = strstr(fields[i], "List") ? sqs_list_or_null(b, v) : sqs_str_or_null(b, v);
        }
    }
    return rc == CE_OK ? ce_buf_puts(b, "}") : rc;
}

static int sqs_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The attributes map, keys sorted as Go sorts a map's; null when there is none. */
static int sqs_attrs(struct ce_buf *b, const json_t *attrs)
{
    if (attrs == NULL || json_is_null(attrs)) {
        return ce_buf_puts(b, "null");
    }
    if (!json_is_object(attrs)) {
        return CE_EPARSE;
    }
    size_t n = json_object_size(attrs), i = 0;
    const char **keys = ce_xcalloc(n + 1, sizeof(*keys));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)attrs, k, v)
    {
        keys[i++] = k;
    }
    qsort(keys, n, sizeof(*keys), sqs_key_cmp);
    int rc = ce_buf_puts(b, "{");
    for (i = 0; rc == CE_OK && i < n; i++) {
        rc = i > 0 ? ce_buf_puts(b, ",") : CE_OK;
        rc = rc == CE_OK ? ce_buf_json_str(b, keys[i], strlen(keys[i])) : rc;
        rc = rc == CE_OK ? ce_buf_puts(b, ":") : rc;
        rc = rc == CE_OK ? sqs_attr(b, json_object_get(attrs, keys[i])) : rc;
    }
    ce_free(keys);
    return rc == CE_OK ? ce_buf_puts(b, "}") : rc;
}

static int sqs_body(struct ce_buf *b, const char *body, size_t len, bool json_body)
{
    if (json_body) {
        return ce_webhook_body_json_compact(body, len, b);
    }
    char *enc = ce_base64_encode(body, len);
    int rc = ce_buf_printf(b, "\"%s\"", enc);
    ce_free(enc);
    return rc;
}

static int sqs_metadata(struct ce_buf *b, const struct ce_kv *meta, int n_meta)
{
    int rc = ce_buf_puts(b, ",\"metadata\":{");
    for (int i = 0; rc == CE_OK && i < n_meta; i++) {
        rc = i > 0 ? ce_buf_puts(b, ",") : CE_OK;
        rc = rc == CE_OK ? ce_buf_json_str(b, meta[i].key, strlen(meta[i].key)) : rc;
        rc = rc == CE_OK ? ce_buf_puts(b, ":") : rc;
        rc = rc == CE_OK ? ce_buf_json_str(b, meta[i].value, strlen(meta[i].value)) : rc;
    }
    return rc == CE_OK ? ce_buf_puts(b, "}") : rc;
}

int ce_sqs_data_build(const json_t *msg, bool json_body, const struct ce_kv *meta, int n_meta,
                      struct ce_buf *out)
{
    const json_t *id = json_object_get(msg, "MessageId");
    const json_t *body = json_object_get(msg, "Body");
    if (!json_is_string(id) || (body != NULL && !json_is_string(body))) {
        return CE_EPARSE;
    }
    size_t start = out->len;
    int rc = ce_buf_puts(out, "{\"messageId\":");
    rc = rc == CE_OK ? ce_buf_json_str(out, json_string_value(id), json_string_length(id)) : rc;
    rc = rc == CE_OK ? ce_buf_puts(out, ",\"messageAttributes\":") : rc;
    rc = rc == CE_OK ? sqs_attrs(out, json_object_get(msg, "MessageAttributes")) : rc;
    rc = rc == CE_OK ? ce_buf_puts(out, ",\"body\":") : rc;
    if (rc == CE_OK) {
        rc = sqs_body(out, body ? json_string_value(body) : "", body ? json_string_length(body) : 0,
                      json_body);
    }
    rc = rc == CE_OK && n_meta > 0 ? sqs_metadata(out, meta, n_meta) : rc;
    rc = rc == CE_OK ? ce_buf_puts(out, "}") : rc;
    if (rc != CE_OK) {
        out->len = start; /* nothing appended */
        if (out->data) {
            out->data[start] = '\0';
        }
    }
    return rc;
}
