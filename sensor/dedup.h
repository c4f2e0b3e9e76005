/* SPDX-License-Identifier: Apache-2.0 */
/* A fixed-size set of recently processed event ids, so a message the bus redelivers (an ack lost
 * in a reconnect) does not fire a trigger twice. Memory is fixed; the oldest entries are
 * forgotten first (by slot reuse) or after the window. Not thread-safe: one per trigger, used
 * under the trigger's lock. */
#ifndef CE_SENSOR_DEDUP_H
#define CE_SENSOR_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#define CE_DEDUP_SLOTS 8192
#define CE_DEDUP_ID_MAX 96

struct ce_dedup_slot {
    int64_t seen_ms;
    char id[CE_DEDUP_ID_MAX];
};

struct ce_dedup {
    int64_t window_ms;
    struct ce_dedup_slot *slots;
};

void ce_dedup_init(struct ce_dedup *d, int64_t window_ms);
void ce_dedup_fini(struct ce_dedup *d);
/* True when id was recorded within the window before now_ms. */
bool ce_dedup_seen(const struct ce_dedup *d, const char *id, int64_t now_ms);
void ce_dedup_record(struct ce_dedup *d, const char *id, int64_t now_ms);

#endif
