/* SPDX-License-Identifier: Apache-2.0 */
/* An EventBus's `streamConfig`, a string of YAML as in Argo Events (`maxMsgs`, `maxAge`,
 * `maxBytes`, `replicas`, `duplicates`, `retention` 0/1/2, `discard` 0/1), merged over the
 * defaults the way Argo's controller merges it: keys present replace, the rest stay. */
#ifndef CE_MANIFEST_STREAMCONFIG_H
#define CE_MANIFEST_STREAMCONFIG_H

#include <stdint.h>

/* Stream settings, Argo's EventBus streamConfig keys; defaults as Argo's except replicas
 * (eventbus/bus.h's ce_bus_config_defaults). */
struct ce_stream_config {
    int64_t max_msgs;   /* maxMsgs, default 50000 */
    int64_t max_age_ms; /* maxAge, default 168h */
    int64_t max_bytes;  /* maxBytes, default -1 */
    int replicas;       /* replicas, default 0 = follow the number of servers (1 on one server) */
    int64_t duplicates_ms; /* duplicates window, default 300s */
    int retention;         /* 0 limits, 1 interest, 2 workqueue */
    int discard;           /* 0 old, 1 new */
};

struct ce_diag;
struct ce_eventbus;

/* Applies eb's streamConfig (if any) to cfg. Every problem goes to diag at its place in the
 * manifest (file:line:col inside the string); a key with a bad value leaves cfg's value. Returns
 * CE_OK or CE_EINVAL when anything was wrong. */
int ce_stream_config_apply(const struct ce_eventbus *eb, struct ce_stream_config *cfg,
                           struct ce_diag *diag);

#endif
