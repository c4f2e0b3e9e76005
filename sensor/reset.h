/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's conditionsReset: the byTime schedules (5-field cron and a time zone) at which its
 * kept events are forgotten. */
#ifndef CE_SENSOR_RESET_H
#define CE_SENSOR_RESET_H

#include "core/base/rc.h"

#include <stddef.h>
#include <stdint.h>

struct ce_trigger;
struct ce_sn_resets;

/* Reads the trigger's conditionsReset; *out stays NULL when it has none. CE_EINVAL with the
 * reason in err for a schedule or zone that does not parse. */
int ce_sn_resets_create(const struct ce_trigger *t, struct ce_sn_resets **out, char *err,
                        size_t errlen) CE_MUST_CHECK;
void ce_sn_resets_destroy(struct ce_sn_resets *r);
/* The first reset strictly after now (Unix seconds), or -1 for none. */
int64_t ce_sn_resets_next(const struct ce_sn_resets *r, int64_t now);
/* The last reset strictly before now, or -1: kept events older than it are stale at start. */
int64_t ce_sn_resets_prev(const struct ce_sn_resets *r, int64_t now);

#endif
