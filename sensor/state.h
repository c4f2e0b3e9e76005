/* SPDX-License-Identifier: Apache-2.0 */
/* A Sensor's condition state in its JetStream KV bucket (named after the Sensor), with Argo's
 * keys, so a partly satisfied condition survives restarts and Argo and cevents Sensors read the
 * same state: `Triggers`, `Deps`, `<trigger>/Expression` and `<trigger>/<dep>` holding
 * {"StreamSeq","ConsumerSeq","Timestamp","Event"} for the latest event of that dependency. */
#ifndef CE_SENSOR_STATE_H
#define CE_SENSOR_STATE_H

#include "core/base/rc.h"

#include <stddef.h>
#include <stdint.h>

struct ce_bus;
struct ce_sensor;
struct ce_sn_state;

/* Opens (creating it if missing) the bucket of the Sensor. */
int ce_sn_state_open(struct ce_bus *bus, const char *sensor_name,
                     struct ce_sn_state **out) CE_MUST_CHECK;
void ce_sn_state_close(struct ce_sn_state *st);

/* One saved dependency event. */
struct ce_sn_saved {
    char *event; /* CloudEvent JSON text (heap) */
    size_t len;
    int64_t timestamp_ns; /* when the bus stored the message */
};

/* Saves event as the latest event of dep for trigger (an older one is replaced). */
int ce_sn_state_save(struct ce_sn_state *st, const char *trigger, const char *dep,
                     uint64_t stream_seq, uint64_t consumer_seq, int64_t timestamp_ns,
                     const char *event, size_t len) CE_MUST_CHECK;
/* Loads the saved events of trigger for deps[0..n): out[i].event is NULL when none is saved.
 * Release with ce_sn_saved_fini. A stored entry that cannot be read is deleted and reported. */
int ce_sn_state_load(struct ce_sn_state *st, const char *trigger, const char *const *deps, int n,
                     struct ce_sn_saved *out) CE_MUST_CHECK;
void ce_sn_saved_fini(struct ce_sn_saved *saved, int n);
/* Deletes the saved events of trigger for deps[0..n). */
int ce_sn_state_clear(struct ce_sn_state *st, const char *trigger, const char *const *deps,
                      int n) CE_MUST_CHECK;
/* Deletes those stored before before_ns (conditionsReset at start). Returns how many. */
int ce_sn_state_clear_older(struct ce_sn_state *st, const char *trigger, const char *const *deps,
                            int n, int64_t before_ns);

/* Called for every (trigger, dependency) whose durable consumer must go because the spec
 * changed. */
typedef void ce_sn_purge_fn(void *arg, const char *trigger, const char *dep);

/* Brings the bucket in line with the Sensor's spec, as Argo does at start: state of changed or
 * removed dependencies is purged for every trigger, all state of removed triggers or of
 * triggers whose conditions changed is purged, then `Triggers`, `Deps` and each
 * `<trigger>/Expression` are rewritten. purge is told which durable consumers to delete. */
int ce_sn_state_reconcile(struct ce_sn_state *st, const struct ce_sensor *s, ce_sn_purge_fn *purge,
                          void *arg) CE_MUST_CHECK;

#endif
