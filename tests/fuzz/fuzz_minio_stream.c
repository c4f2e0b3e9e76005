/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzzes the minio source's notification stream: the input is fed whole and then in pieces cut
 * where its bytes say, with a small line cap; both feeds must see the same lines (records, bad
 * lines, keep-alives) or hit the cap alike, and every notification must become event data that
 * is JSON with the same records, and an idempotency key. Otherwise the target aborts. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/minio/stream.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_LINE 512

struct fuzz_seen {
    unsigned long records, bad, hash;
};

static int fuzz_on_line(void *arg, json_t *records, const char *line, size_t len, const char *why)
{
    struct fuzz_seen *s = arg;
    for (size_t i = 0; i < len; i++) {
        s->hash = s->hash * 31 + (unsigned char)line[i];
    }
    if (records == NULL) {
        if (why == NULL || why[0] == '\0') {
            abort();
        }
        s->bad++;
        return CE_OK;
    }
    s->records++;
    const struct ce_kv md[] = {{"k", "v"}};
    size_t dlen = 0, klen = 0;
    char *d = ce_minio_event_data(records, md, 1, &dlen);
    json_t *doc = json_loadb(d, dlen, 0, NULL);
    if (doc == NULL ||
        json_array_size(json_object_get(doc, "notification")) != json_array_size(records)) {
        abort();
    }
    json_decref(doc);
    ce_free(d);
    ce_free(ce_minio_event_key(records, &klen));
    return CE_OK;
}

/* Feeds data[0..size) cut at the positions the input's own bytes give. */
static int fuzz_feed(const uint8_t *data, size_t size, bool pieces, struct fuzz_seen *seen,
                     long *keepalives)
{
    struct ce_minio_stream s;
    ce_minio_stream_init(&s, FUZZ_MAX_LINE);
    int rc = CE_OK;
    size_t i = 0;
    while (i < size && rc == CE_OK) {
        size_t n = pieces ? (size_t)(1 + data[i] % 17) : size;
        if (n > size - i) {
            n = size - i;
        }
        rc = ce_minio_stream_feed(&s, (const char *)data + i, n, fuzz_on_line, seen);
        i += n;
    }
    *keepalives = s.keepalives;
    ce_minio_stream_fini(&s);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_seen a = {0, 0, 0}, b = {0, 0, 0};
    long ka = 0, kb = 0;
    int ra = fuzz_feed(data, size, false, &a, &ka);
    int rb = fuzz_feed(data, size, true, &b, &kb);
    if ((ra != CE_OK && ra != CE_ETOOBIG) || ra != rb) {
        abort();
    }
    if (ra == CE_OK && (a.records != b.records || a.bad != b.bad || a.hash != b.hash || ka != kb)) {
        abort();
    }
    return 0;
}
