/* SPDX-License-Identifier: Apache-2.0 */
/* The seen set's records in the bus's key-value store (a bucket per source), one per name,
 * keyed by a hash of (EventSource, event, name), plus one marking that the event took its
 * first listing: before it, the files already there are recorded, not fired (as Argo starts). */
#ifndef CE_EVENTSOURCE_SEEN_STORE_H
#define CE_EVENTSOURCE_SEEN_STORE_H

#include "core/base/rc.h"
#include "eventsource/seen_set.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_bus;
struct ce_bus_kv;

struct ce_seen_store {
    struct ce_bus *bus;
    const char *bucket;
    const char *source_name;
    const char *event_name;
    struct ce_bus_kv *kv; /* opened on first use */
    char prefix[34];      /* "<32 hex of the event>." */
    int64_t next_tidy_ms; /* monotonic: when the bucket is tidied next (ce_seen_store_tidy) */
    bool tidy_failing;    /* the last tidying failed (warned once) */
};

void ce_seen_store_init(struct ce_seen_store *s, struct ce_bus *bus, const char *bucket,
                        const char *source_name, const char *event_name);
void ce_seen_store_fini(struct ce_seen_store *s);
/* Fills seen from the records; *baseline tells whether the first listing was taken. */
int ce_seen_store_load(struct ce_seen_store *s, struct ce_seen_set *seen,
                       bool *baseline) CE_MUST_CHECK;
int ce_seen_store_put(struct ce_seen_store *s, const char *name,
                      const struct ce_watch_stat *st) CE_MUST_CHECK;
int ce_seen_store_del(struct ce_seen_store *s, const char *name) CE_MUST_CHECK;
int ce_seen_store_mark_baseline(struct ce_seen_store *s) CE_MUST_CHECK;
/* Removes what the records of files gone for a while leave in the bucket (the bus keeps a
 * marker per deleted record otherwise, forever): at the first call after the load, then at most
 * once an hour. Called from the event's loop, as often as it likes. A failure is a warning,
 * tried again an hour later. */
void ce_seen_store_tidy(struct ce_seen_store *s);

#endif
