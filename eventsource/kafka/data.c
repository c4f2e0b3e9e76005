/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka event data, as Argo Events' Go code writes its KafkaEventData with json.Marshal. */
#include "eventsource/kafka/data.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "eventsource/emit.h"
#include "manifest/model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ce_kafka_go_time(int64_t ms, char out[CE_KAFKA_TIME_MAX])
{
    struct tm tm;
    time_t secs = (time_t)(ms / 1000);
    if (ms < 0 || gmtime_r(&secs, &tm) == NULL) {
        snprintf(out, CE_KAFKA_TIME_MAX, "0001-01-01 00:00:00 +0000 UTC");
        return;
    }
    char frac[8] = "";
    int f = (int)(ms % 1000);
    if (f != 0) {
        snprintf(frac, sizeof(frac), ".%03d", f);
        for (size_t n = strlen(frac); frac[n - 1] == '0'; n--) {
            frac[n - 1] = '\0';
        }
    }
    snprintf(out, CE_KAFKA_TIME_MAX, "%04lld-%02d-%02d %02d:%02d:%02d%s +0000 UTC",
             (long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
             tm.tm_sec, frac);
}

void ce_kafka_event_id(const char *source, const char *event, const char *url, const char *topic,
                       int32_t partition, int64_t offset, char out[33])
{
    size_t url0 = strcspn(url, ","); /* Argo: strings.Split(url, ",")[0] */
    char stack[512];
    int n = snprintf(stack, sizeof(stack), "%.*s:%s:%" PRId32 ":%" PRId64, (int)url0, url, topic,
                     partition, offset);
    char *key = n >= 0 && (size_t)n < sizeof(stack)
                    ? stack
                    : ce_xasprintf("%.*s:%s:%" PRId32 ":%" PRId64, (int)url0, url, topic, partition,
                                   offset);
    ce_emit_id_from_key(source, event, key, strlen(key), out);
    if (key != stack) {
        ce_free(key);
    }
}

/* Header order for the JSON object: by name bytewise (Go sorts map keys), a repeated name in
 * arrival order so the last one is found last. */
struct data_hdr {
    const struct ce_kafka_header *h;
    int seq;
};

static int data_hdr_cmp(const void *a, const void *b)
{
    const struct data_hdr *x = a, *y = b;
    int c = strcmp(x->h->name, y->h->name);
    return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int data_headers(const struct ce_kafka_header *hs, int n, struct ce_buf *out)
{
    struct data_hdr *sorted = ce_xcalloc((size_t)n + 1, sizeof(*sorted));
    for (int i = 0; i < n; i++) {
        sorted[i] = (struct data_hdr){&hs[i], i};
    }
    qsort(sorted, (size_t)n, sizeof(*sorted), data_hdr_cmp);
    int rc = ce_buf_puts(out, "{");
    bool first = true;
    for (int i = 0; i < n && rc == CE_OK; i++) {
        if (i + 1 < n && strcmp(sorted[i].h->name, sorted[i + 1].h->name) == 0) {
            continue; /* the last value wins */
        }
        const struct ce_kafka_header *h = sorted[i].h;
        rc = first ? CE_OK : ce_buf_puts(out, ",");
        first = false;
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, h->name, strlen(h->name));
        }
        if (rc == CE_OK) {
            rc = ce_buf_puts(out, ":");
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, h->value ? h->value : "", h->value ? h->value_len : 0);
        }
    }
    ce_free(sorted);
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

static int data_body(const struct ce_kafka_msg_view *m, bool json_body, struct ce_buf *out)
{
    if (m->value == NULL) {
        return ce_buf_puts(out, "null");
    }
    if (json_body) {
        return ce_kafka_json_compact(m->value, m->value_len, out);
    }
    size_t len = ce_base64_encoded_len(m->value_len);
    if (out->max > 0 && len > out->max - out->len) {
        return CE_ETOOBIG; /* before the encoding is allocated */
    }
    int rc = ce_buf_puts(out, "\"");
    if (rc == CE_OK && len > 0) {
        char *b64 = ce_xmalloc(len + 1);
        size_t n = ce_base64_encode_to(m->value, m->value_len, b64);
        rc = ce_buf_append(out, b64, n);
        ce_free(b64);
    }
    return rc == CE_OK ? ce_buf_puts(out, "\"") : rc;
}

static int data_metadata(const struct ce_kv *meta, int n, struct ce_buf *out)
{
    int rc = ce_buf_puts(out, ",\"metadata\":{");
    for (int i = 0; i < n && rc == CE_OK; i++) {
        rc = i > 0 ? ce_buf_puts(out, ",") : CE_OK;
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].key, strlen(meta[i].key));
        }
        if (rc == CE_OK) {
            rc = ce_buf_puts(out, ":");
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].value, strlen(meta[i].value));
        }
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

static int data_build(const struct ce_kafka_msg_view *m, bool json_body, const struct ce_kv *meta,
                      int n_meta, struct ce_buf *out)
{
    char ts[CE_KAFKA_TIME_MAX];
    ce_kafka_go_time(m->timestamp_ms, ts);
    int rc = ce_buf_puts(out, "{\"topic\":");
    if (rc == CE_OK) {
        rc = ce_buf_json_str(out, m->topic, strlen(m->topic));
    }
    if (rc == CE_OK) {
        rc = ce_buf_puts(out, ",\"key\":");
    }
    if (rc == CE_OK) {
        rc = ce_buf_json_str(out, m->key ? m->key : "", m->key ? m->key_len : 0);
    }
    if (rc == CE_OK) {
        rc = ce_buf_printf(out, ",\"partition\":%" PRId32 ",\"body\":", m->partition);
    }
    if (rc == CE_OK) {
        rc = data_body(m, json_body, out);
    }
    if (rc == CE_OK) {
        rc = ce_buf_printf(out, ",\"timestamp\":\"%s\",\"headers\":", ts);
    }
    if (rc == CE_OK) {
        rc = data_headers(m->headers, m->n_headers, out);
    }
    if (rc == CE_OK && n_meta > 0) {
        rc = data_metadata(meta, n_meta, out);
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

int ce_kafka_event_data(const struct ce_kafka_msg_view *m, bool json_body, const struct ce_kv *meta,
                        int n_meta, struct ce_buf *out)
{
    size_t start = out->len;
    int rc = data_build(m, json_body, meta, n_meta, out);
    if (rc != CE_OK && out->data != NULL) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
