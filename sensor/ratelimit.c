/* SPDX-License-Identifier: Apache-2.0 */
/* Exact sliding-window rate limit: see ratelimit.h. */
#include "sensor/ratelimit.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct ce_ratelimit {
    pthread_mutex_t mu; /* a trigger's workers take from one limit */
    int64_t unit_ms;
    int per_unit;
    int64_t *times; /* ring of the last per_unit firings */
    int next;       /* oldest entry, where the next firing goes */
    int used;
    int64_t last; /* the latest time recorded: times stay in order whatever the callers read */
};

int ce_ratelimit_from_json(const json_t *j, struct ce_ratelimit **out, char *err, size_t errlen)
{
    *out = NULL;
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    const char *unit = json_string_value(json_object_get(j, "unit"));
    int64_t unit_ms = 1000;
    if (unit == NULL || unit[0] == '\0' || strcmp(unit, "Second") == 0) {
        unit_ms = 1000;
    }
    else if (strcmp(unit, "Minute") == 0) {
        unit_ms = 60 * 1000;
    }
    else if (strcmp(unit, "Hour") == 0) {
        unit_ms = 3600 * 1000;
    }
    else {
        snprintf(err, errlen, "rateLimit.unit: \"%s\" is not Second, Minute or Hour", unit);
        return CE_EINVAL;
    }
    const json_t *n = json_object_get(j, "requestsPerUnit");
    json_int_t per = json_integer_value(n);
    if (!json_is_integer(n) || per < 1 || per > CE_RATELIMIT_MAX_PER_UNIT) {
        snprintf(err, errlen, "rateLimit.requestsPerUnit: a whole number from 1 to %d",
                 CE_RATELIMIT_MAX_PER_UNIT);
        return CE_EINVAL;
    }
    struct ce_ratelimit *rl = ce_xcalloc(1, sizeof(*rl));
    rl->unit_ms = unit_ms;
    rl->per_unit = (int)per;
    rl->times = ce_xcalloc((size_t)per, sizeof(*rl->times));
    pthread_mutex_init(&rl->mu, NULL);
    *out = rl;
    return CE_OK;
}

void ce_ratelimit_destroy(struct ce_ratelimit *rl)
{
    if (rl != NULL) {
        pthread_mutex_destroy(&rl->mu);
        ce_free(rl->times);
        ce_free(rl);
    }
}

/* The wait before a firing at now_ms may go; 0 records it. Called with rl->mu held. */
static int64_t ratelimit_take_locked(struct ce_ratelimit *rl, int64_t now_ms)
{
    /* A caller that read the clock before another one took the lock counts as late as it:
     * the ring stays oldest-first and the limit only gets stricter. */
    now_ms = now_ms < rl->last ? rl->last : now_ms;
    if (rl->used == rl->per_unit) {
        /* The oldest of the last N must be a whole unit old before another may go. */
        int64_t free_at = rl->times[rl->next] + rl->unit_ms;
        if (now_ms < free_at) {
            return free_at - now_ms;
        }
    }
    else {
        rl->used++;
    }
    rl->times[rl->next] = now_ms;
    rl->last = now_ms;
    rl->next = (rl->next + 1) % rl->per_unit;
    return 0;
}

int64_t ce_ratelimit_take(struct ce_ratelimit *rl, int64_t now_ms)
{
    if (rl == NULL) {
        return 0;
    }
    pthread_mutex_lock(&rl->mu);
    int64_t wait = ratelimit_take_locked(rl, now_ms);
    pthread_mutex_unlock(&rl->mu);
    return wait;
}
