/* SPDX-License-Identifier: Apache-2.0 */
/* One calendar event's settings (Argo's CalendarEventSource), decoded and validated by the
 * calendar plugin from spec.calendar.<event>: the schedule is parsed here, so a schedule that
 * cannot run is refused by `cevents lint` and at start, never discovered at the first tick. */
#ifndef CE_EVENTSOURCE_CALENDAR_CONFIG_H
#define CE_EVENTSOURCE_CALENDAR_CONFIG_H

#include "eventsource/calendar/sched.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_block_decoder;

struct ce_calendar_config {
    char *schedule; /* the cron text, NULL when the event uses interval */
    char *interval; /* the Go duration text, NULL when absent */
    char *timezone; /* IANA name, NULL: the local zone */
    struct ce_cal_sched sched;
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
    bool catchup;           /* persistence.catchup.enabled */
    int64_t catchup_max_ns; /* persistence.catchup.maxDuration; 0: no bound */
    char *config_map;       /* persistence.configMap.name (the record is kept in the bus) */
    bool create_if_not_exist;
};

/* The decoder of the block (manifest/plugin.h); its configs are struct ce_calendar_config. */
extern const struct ce_block_decoder ce_calendar_decoder;

#endif
