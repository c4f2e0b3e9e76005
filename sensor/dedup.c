/* SPDX-License-Identifier: Apache-2.0 */
#include "sensor/dedup.h"
#include "core/base/mem.h"
#include "eventbus/bus.h"

#include <string.h>

void ce_dedup_init(struct ce_dedup *d, int64_t window_ms)
{
    d->window_ms = window_ms;
    d->slots = ce_xcalloc(CE_DEDUP_SLOTS, sizeof(*d->slots));
}

void ce_dedup_fini(struct ce_dedup *d)
{
    CE_FREE(d->slots);
}

static struct ce_dedup_slot *dedup_slot(const struct ce_dedup *d, const char *id)
{
    return &d->slots[ce_fnv1a32(id, strlen(id)) % CE_DEDUP_SLOTS];
}

bool ce_dedup_seen(const struct ce_dedup *d, const char *id, int64_t now_ms)
{
    if (!id || !id[0] || strlen(id) >= CE_DEDUP_ID_MAX) {
        return false;
    }
    const struct ce_dedup_slot *s = dedup_slot(d, id);
    return s->seen_ms && now_ms - s->seen_ms <= d->window_ms && strcmp(s->id, id) == 0;
}

void ce_dedup_record(struct ce_dedup *d, const char *id, int64_t now_ms)
{
    if (!id || !id[0] || strlen(id) >= CE_DEDUP_ID_MAX) {
        return;
    }
    struct ce_dedup_slot *s = dedup_slot(d, id);
    s->seen_ms = now_ms;
    memcpy(s->id, id, strlen(id) + 1);
}
