/* SPDX-License-Identifier: Apache-2.0 */
/* The listen API's line stream and the event a notification becomes: see stream.h. */
#include "eventsource/minio/stream.h"
#include "core/base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ce_minio_stream_init(struct ce_minio_stream *s, size_t max_line)
{
    ce_buf_init(&s->line, 0);
    s->max_line = max_line;
    s->keepalives = 0;
}

void ce_minio_stream_fini(struct ce_minio_stream *s)
{
    ce_buf_fini(&s->line);
}

static bool minio_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int ce_minio_line_parse(const char *line, size_t len, json_t **records, char *why, size_t whylen)
{
    *records = NULL;
    while (len > 0 && minio_blank(line[0])) {
        line++, len--;
    }
    while (len > 0 && minio_blank(line[len - 1])) {
        len--;
    }
    if (len == 0) {
        return CE_OK; /* a blank keep-alive of the protocol without ping */
    }
    json_error_t je;
    json_t *doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        return ce_rc_fail(CE_EPARSE, why, whylen, "not JSON: %s (column %d)", je.text, je.column);
    }
    int rc = CE_OK;
    json_t *r = json_object_get(doc, "Records");
    if (!json_is_object(doc)) {
        rc = ce_rc_fail(CE_EPARSE, why, whylen, "not a JSON object");
    }
    else if (r != NULL && !json_is_null(r) && !json_is_array(r)) {
        rc = ce_rc_fail(CE_EPARSE, why, whylen, "Records is not a list");
    }
    else if (json_is_array(r) && json_array_size(r) > 0) {
        size_t i;
        json_t *rec;
        json_array_foreach(r, i, rec)
        {
            if (!json_is_object(rec)) {
                rc = ce_rc_fail(CE_EPARSE, why, whylen, "Records[%zu] is not an object", i);
                break;
            }
        }
        if (rc == CE_OK) {
            *records = json_incref(r);
        }
    }
    json_decref(doc);
    return rc;
}

/* A complete line (without its '\n'). */
static int minio_line(struct ce_minio_stream *s, const char *line, size_t len, ce_minio_line_fn *fn,
                      void *arg)
{
    json_t *records = NULL;
    char why[200];
    if (ce_minio_line_parse(line, len, &records, why, sizeof why) != CE_OK) {
        return fn(arg, NULL, line, len, why);
    }
    if (records == NULL) {
        s->keepalives++;
        return CE_OK;
    }
    int rc = fn(arg, records, line, len, NULL);
    json_decref(records);
    return rc;
}

int ce_minio_stream_feed(struct ce_minio_stream *s, const char *data, size_t len,
                         ce_minio_line_fn *fn, void *arg)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        if (s->line.len + take > s->max_line) {
            ce_buf_reset(&s->line);
            return CE_ETOOBIG;
        }
        int rc;
        if (nl != NULL && s->line.len == 0) {
            rc = minio_line(s, data, take, fn, arg); /* a whole line: no copy */
        }
        else {
            if (ce_buf_append(&s->line, data, take) != CE_OK) {
                return CE_ETOOBIG;
            }
            rc = CE_OK;
            if (nl != NULL) {
                rc = minio_line(s, s->line.data, s->line.len, fn, arg);
                ce_buf_reset(&s->line);
            }
        }
        if (rc != CE_OK) {
            return rc;
        }
        data += take + (nl ? 1 : 0);
        len -= take + (nl ? 1 : 0);
    }
    return CE_OK;
}

char *ce_minio_event_data(const json_t *records, const struct ce_kv *md, int n_md, size_t *len)
{
    json_t *doc = json_object();
    json_object_set(doc, "notification", (json_t *)records);
    if (n_md > 0) {
        json_t *m = json_object();
        for (int i = 0; i < n_md; i++) {
            json_object_set_new(m, md[i].key, json_string(md[i].value));
        }
        json_object_set_new(doc, "metadata", m);
    }
    char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (s == NULL) {
        abort(); /* out of memory (the records are valid JSON) */
    }
    char *out = ce_xstrdup(s);
    free(s);
    *len = strlen(out);
    return out;
}

static const char *minio_str_at(const json_t *rec, const char *a, const char *b, const char *c)
{
    const json_t *j = json_object_get(rec, a);
    if (b != NULL) {
        j = json_object_get(j, b);
    }
    if (c != NULL) {
        j = json_object_get(j, c);
    }
    return json_is_string(j) ? json_string_value(j) : "";
}

char *ce_minio_event_key(const json_t *records, size_t *len)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    size_t i;
    const json_t *rec;
    json_array_foreach(records, i, rec)
    {
        const char *seq = minio_str_at(rec, "s3", "object", "sequencer");
        /* no sequencer (not a MinIO record): the event time stands in */
        const char *when = seq[0] ? seq : minio_str_at(rec, "eventTime", NULL, NULL);
        if (ce_buf_printf(&b, "%s%c%s%c%s%c%s\n", minio_str_at(rec, "s3", "bucket", "name"), 0,
                          minio_str_at(rec, "s3", "object", "key"), 0,
                          minio_str_at(rec, "eventName", NULL, NULL), 0, when) != CE_OK) {
            abort(); /* the buffer has no cap: it cannot refuse */
        }
    }
    return ce_buf_steal(&b, len);
}
