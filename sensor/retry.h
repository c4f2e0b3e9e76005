/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's retryStrategy (Argo's Backoff: duration, factor, jitter, steps) and the wait
 * before each next attempt. cevents applies it whatever atLeastOnce says. */
#ifndef CE_SENSOR_RETRY_H
#define CE_SENSOR_RETRY_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CE_RETRY_MAX_STEPS 1000
/* Attempts when retryStrategy is given without steps (or with 0), as in Argo. */
#define CE_RETRY_DEFAULT_STEPS 5
/* No single wait is longer than this, whatever the factor does. */
#define CE_RETRY_MAX_WAIT_NS (INT64_C(3600) * 1000000000)

struct ce_backoff {
    int64_t duration_ns; /* first wait */
    double factor;       /* each next wait = previous * factor (when > 0) */
    double jitter;       /* a random extra of up to jitter * wait (when > 0) */
    int steps;           /* attempts in all */
};

/* One attempt and no waiting: what a trigger without retryStrategy does. */
void ce_backoff_default(struct ce_backoff *b);
/* Reads a Backoff object (NULL or JSON null: the default). Left-out fields take Argo's
 * defaults: duration 1 s, factor 1, jitter 1, steps 5 (also for steps 0). CE_EINVAL with a
 * reason in err for a bad value. */
int ce_backoff_from_json(const json_t *j, struct ce_backoff *b, char *err,
                         size_t errlen) CE_MUST_CHECK;
/* The wait after failed attempt number `attempt` (1 = after the first), with rnd in [0, 1)
 * drawn by the caller for the jitter. */
int64_t ce_backoff_wait_ns(const struct ce_backoff *b, int attempt, double rnd);

#endif
