/* SPDX-License-Identifier: Apache-2.0 */
/* Back-pressure from the bus: see backlog.h. */
#include "eventsource/backlog.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"

#include <stdio.h>

bool ce_es_backlog_full(bool was_full, const struct ce_bus_backlog *b)
{
    if (b->max_msgs <= 0) {
        return false;
    }
    uint64_t max = (uint64_t)b->max_msgs;
    if (was_full) {
        return b->behind * 100 >= max * CE_ES_BACKLOG_OPEN_PCT;
    }
    return b->behind * 100 >= max * CE_ES_BACKLOG_FULL_PCT;
}

int64_t ce_es_backlog_room(const struct ce_bus_backlog *b)
{
    int64_t room = b->max_msgs * CE_ES_BACKLOG_FULL_PCT / 100 - (int64_t)b->behind;
    return room > 0 ? room : 0;
}

void ce_es_backlog_guard_init(struct ce_es_backlog_guard *g, const char *eventsource_name)
{
    g->full = false;
    g->evicted_seen = 0;
    char *l = ce_metrics_label_append("", "eventsource_name", eventsource_name);
    g->full_gauge = ce_metrics_gauge("cevents_eventsource_bus_full",
                                     "1 while events are refused because a Sensor is too far "
                                     "behind on the stream, else 0.",
                                     l);
    g->evicted = ce_metrics_counter("cevents_eventbus_events_evicted_total",
                                    "Events the stream dropped before a Sensor consumed them.", l);
    ce_free(l);
}

static void backlog_report_eviction(struct ce_es_backlog_guard *g, const struct ce_bus_backlog *b)
{
    if (b->evicted <= g->evicted_seen) {
        g->evicted_seen = b->evicted;
        return;
    }
    char n[32], behind[32];
    snprintf(n, sizeof n, "%llu", (unsigned long long)(b->evicted - g->evicted_seen));
    snprintf(behind, sizeof behind, "%llu", (unsigned long long)b->behind);
    ce_log_kv(CE_LOG_ERROR, "the event bus dropped events a Sensor had not consumed yet",
              "consumer", b->consumer, "evicted", n, "behind", behind, NULL);
    ce_metric_add(g->evicted, (double)(b->evicted - g->evicted_seen));
    g->evicted_seen = b->evicted;
}

void ce_es_backlog_check(struct ce_es_backlog_guard *g, struct ce_bus *bus)
{
    struct ce_bus_backlog b;
    if (ce_bus_backlog(bus, &b) != CE_OK) {
        return;
    }
    backlog_report_eviction(g, &b);
    bool full = ce_es_backlog_full(g->full, &b);
    if (full == g->full) {
        return;
    }
    g->full = full;
    ce_bus_set_full(bus, full);
    ce_metric_set(g->full_gauge, full ? 1 : 0);
    char behind[32], max[32];
    snprintf(behind, sizeof behind, "%llu", (unsigned long long)b.behind);
    snprintf(max, sizeof max, "%lld", (long long)b.max_msgs);
    ce_log_kv(full ? CE_LOG_WARN : CE_LOG_INFO,
              full ? "a Sensor is too far behind: refusing events until it catches up"
                   : "Sensors caught up: accepting events again",
              "consumer", b.consumer, "behind", behind, "maxMsgs", max, NULL);
}
