/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the webhook event data: every input goes through the query decoder, the JSON
 * compactor and the data builder. Whatever they accept must be JSON the compactor accepts and
 * leaves unchanged (compaction is idempotent), or the target aborts. */
#include "core/base/buf.h"
#include "core/base/rc.h"
#include "eventsource/webhook_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* out[from..] must be valid JSON that compacts to itself. */
static void fuzz_check_stable(const struct ce_buf *b, size_t from)
{
    struct ce_buf again;
    ce_buf_init(&again, 0);
    if (ce_webhook_body_json_compact(b->data + from, b->len - from, &again) != CE_OK ||
        again.len != b->len - from || memcmp(again.data, b->data + from, again.len) != 0) {
        abort();
    }
    ce_buf_fini(&again);
}

/* Splits the input into a few headers: "name:value" lines up to the first empty line. */
static int fuzz_headers(const char *s, size_t n, struct ce_webhook_header *h, int max)
{
    int count = 0;
    size_t i = 0;
    while (i < n && count < max) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        if (end == i) {
            break;
        }
        const char *colon = memchr(s + i, ':', end - i);
        size_t nlen = colon ? (size_t)(colon - (s + i)) : end - i;
        h[count].name = s + i;
        h[count].name_len = nlen;
        h[count].value = colon ? colon + 1 : s + end;
        h[count].value_len = colon ? end - nlen - i - 1 : 0;
        count++;
        i = end + 1;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct ce_buf q, j, d;
    ce_buf_init(&q, 0);
    ce_buf_init(&j, 0);
    ce_buf_init(&d, 0);

    /* The query decoder writes JSON even when it reports bad pairs. */
    if (ce_buf_append(&q, "#", 1) != CE_OK) {
        abort();
    }
    int rc = ce_webhook_body_from_query(s, size, &q);
    if (rc != CE_OK && rc != CE_EPARSE) {
        abort();
    }
    fuzz_check_stable(&q, 1);

    rc = ce_webhook_body_json_compact(s, size, &j);
    if (rc == CE_OK) {
        fuzz_check_stable(&j, 0);
    }
    else if (rc != CE_EPARSE || j.len != 0) {
        abort();
    }

    struct ce_webhook_header h[8];
    int nh = fuzz_headers(s, size, h, 8);
    const struct ce_kv_pair meta[] = {{"k", "v"}, {"<a>", "\xe2\x80\xa8"}};
    const char *body = rc == CE_OK ? j.data : q.data + 1;
    size_t blen = rc == CE_OK ? j.len : q.len - 1;
    if (ce_webhook_data_build(h, nh, body, blen, meta, size % 3, size % 2 == 0, &d) != CE_OK) {
        abort();
    }
    fuzz_check_stable(&d, 0);

    ce_buf_fini(&q);
    ce_buf_fini(&j);
    ce_buf_fini(&d);
    return 0;
}
