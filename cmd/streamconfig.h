/* SPDX-License-Identifier: Apache-2.0 */
/* An EventBus's `streamConfig`, a string of YAML as in Argo Events (`maxMsgs`, `maxAge`,
 * `maxBytes`, `replicas`, `duplicates`, `retention` 0/1/2, `discard` 0/1), merged over the
 * defaults the way Argo's controller merges it: keys present replace, the rest stay. */
#ifndef CE_CMD_STREAMCONFIG_H
#define CE_CMD_STREAMCONFIG_H

#include "eventbus/bus.h"

struct ce_diag;
struct ce_eventbus;

/* Applies eb's streamConfig (if any) to cfg. Every problem goes to diag at its place in the
 * manifest (file:line:col inside the string); a key with a bad value leaves cfg's value. Returns
 * CE_OK or CE_EINVAL when anything was wrong. */
int ce_stream_config_apply(const struct ce_eventbus *eb, struct ce_bus_stream_config *cfg,
                           struct ce_diag *diag);

#endif
