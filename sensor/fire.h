/* SPDX-License-Identifier: Apache-2.0 */
/* Firing one trigger for the events of one firing: the plugin's action, Argo's log lines
 * (`Successfully processed trigger '<name>'` with triggeredBy / triggeredByEvents, or `Failed
 * to execute a trigger`) and Argo's action metrics. */
#ifndef CE_SENSOR_FIRE_H
#define CE_SENSOR_FIRE_H

#include "core/base/rc.h"

#include <stdatomic.h>

struct ce_bus_msg;
struct ce_sensor;
struct ce_trigger;
struct ce_trigger_event;
struct ce_trigger_env;
struct ce_trigger_plugin;
struct ce_sn_firer;

/* Creates the plugin's state for trigger, with its retryStrategy and rateLimit. Waits end
 * early once *stop is set (may be NULL). CE_EINVAL (logged) for bad settings. */
int ce_sn_firer_create(const struct ce_sensor *s, const struct ce_trigger *t,
                       const struct ce_trigger_plugin *plugin, const struct ce_trigger_env *env,
                       const atomic_bool *stop, struct ce_sn_firer **out) CE_MUST_CHECK;
void ce_sn_firer_destroy(struct ce_sn_firer *f);
/* Fires for events[0..n): waits for the rate limit, then attempts the action up to
 * retryStrategy.steps times while it fails with CE_RETRY, waiting the backoff (or longer when
 * the target asked with Retry-After) in between. call is the struct ce_bus_msg being processed
 * (may be NULL): it is kept from redelivery while the firing waits. Returns the final outcome.
 * Matches ce_sn_fire_fn. Thread-safe: a trigger whose plugin may run concurrently fires on
 * several workers at once (the rate limit is shared). */
int ce_sn_firer_fire(void *firer, void *call, const struct ce_trigger_event *events, int n);

#endif
