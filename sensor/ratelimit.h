/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's rateLimit, exact over any window: with N per unit, no window of one unit ever
 * holds more than N firings (a token bucket would let a burst plus a refill through). Keeps the
 * times of the last N firings. Thread-safe: a trigger's workers share one. */
#ifndef CE_SENSOR_RATELIMIT_H
#define CE_SENSOR_RATELIMIT_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CE_RATELIMIT_MAX_PER_UNIT 100000

struct ce_ratelimit;

/* Reads {unit: Second|Minute|Hour, requestsPerUnit}; *out stays NULL for no limit (j NULL or
 * null). CE_EINVAL with a reason in err for a bad value. */
int ce_ratelimit_from_json(const json_t *j, struct ce_ratelimit **out, char *err,
                           size_t errlen) CE_MUST_CHECK;
void ce_ratelimit_destroy(struct ce_ratelimit *rl);
/* How long to wait before a firing at now_ms may go (0: now, and it is recorded). Call again
 * after waiting. NULL rl: always 0. now_ms is a monotonic clock reading. */
int64_t ce_ratelimit_take(struct ce_ratelimit *rl, int64_t now_ms);

#endif
