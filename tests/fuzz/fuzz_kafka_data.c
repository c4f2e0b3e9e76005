/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the Kafka event data: the input becomes a message (its first byte picks jsonBody and a
 * tombstone, then a key line, "name=value" header lines up to an empty line, and the value).
 * Whatever the builder writes must be JSON that the compactor takes and leaves unchanged; with
 * jsonBody it fails only with CE_EPARSE and then writes nothing; or the target aborts. */
#include "core/base/buf.h"
#include "core/base/rc.h"
#include "eventsource/kafka/data.h"
#include "manifest/model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_HEADERS 16

static void fuzz_check_stable(const struct ce_buf *b)
{
    struct ce_buf again;
    ce_buf_init(&again, 0);
    if (ce_kafka_json_compact(b->data, b->len, &again) != CE_OK || again.len != b->len ||
        memcmp(again.data, b->data, b->len) != 0) {
        abort();
    }
    ce_buf_fini(&again);
}

/* The line at s[*i..], without its '\n'; *i moves past it. */
static const char *fuzz_line(const char *s, size_t n, size_t *i, size_t *len)
{
    const char *start = s + *i;
    const char *nl = memchr(start, '\n', n - *i);
    *len = nl ? (size_t)(nl - start) : n - *i;
    *i += *len + (nl ? 1 : 0);
    return start;
}

/* Header lines as NUL-terminated names (the builder's contract), values pointing into s. */
static int fuzz_headers(const char *s, size_t n, size_t *i, struct ce_kafka_header *h,
                        char names[][32])
{
    int count = 0;
    while (*i < n && count < FUZZ_MAX_HEADERS) {
        size_t len;
        const char *line = fuzz_line(s, n, i, &len);
        if (len == 0) {
            break;
        }
        const char *eq = memchr(line, '=', len);
        size_t nlen = eq ? (size_t)(eq - line) : len;
        nlen = nlen < 31 ? nlen : 31;
        memcpy(names[count], line, nlen);
        names[count][nlen] = '\0';
        h[count] = (struct ce_kafka_header){names[count], eq ? eq + 1 : NULL,
                                            eq ? len - (size_t)(eq - line) - 1 : 0};
        count++;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *s = (const char *)data + 1;
    size_t n = size - 1, i = 0, key_len;
    bool json_body = data[0] & 1, tombstone = data[0] & 2;
    const char *key = fuzz_line(s, n, &i, &key_len);
    struct ce_kafka_header h[FUZZ_MAX_HEADERS];
    char names[FUZZ_MAX_HEADERS][32];
    int nh = fuzz_headers(s, n, &i, h, names);
    struct ce_kafka_msg_view m = {.topic = "t<>",
                                  .partition = data[0],
                                  .key = key,
                                  .key_len = key_len,
                                  .value = tombstone ? NULL : s + i,
                                  .value_len = n - i,
                                  .timestamp_ms = (int64_t)size * 1234567 - 1000,
                                  .headers = h,
                                  .n_headers = nh};
    const struct ce_kv meta[] = {{"k", "v"}, {"z", "\xe2\x80\xa8"}};
    struct ce_buf out;
    ce_buf_init(&out, 0);
    int rc = ce_kafka_event_data(&m, json_body, meta, data[0] % 3, &out);
    if (rc == CE_OK) {
        fuzz_check_stable(&out);
    }
    else if (rc != CE_EPARSE || !json_body || tombstone || out.len != 0) {
        abort();
    }
    ce_buf_fini(&out);
    return 0;
}
