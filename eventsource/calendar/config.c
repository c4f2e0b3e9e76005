/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.calendar.<event>: schedule or interval, timezone, exclusionDates, metadata and
 * persistence, with the controller's checks and the ones Argo lacks (a schedule that never
 * fires, an interval under a second, an unknown zone) made at decode time. */
#include "eventsource/calendar/config.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/go/duration.h"
#include "core/time/cron.h"
#include "core/time/tz.h"
#include "manifest/plugin.h"

#include <stdlib.h>
#include <string.h>

static const char *const calendar_keys[] = {"schedule", "interval",    "exclusionDates", "timezone",
                                            "metadata", "persistence", "filter",         NULL};
static const char *const persistence_keys[] = {"catchup", "configMap", NULL};
static const char *const catchup_keys[] = {"enabled", "maxDuration", NULL};
static const char *const config_map_keys[] = {"name", "createIfNotExist", NULL};

static int calendar_meta_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

/* metadata: a map of strings (the YAML reader refuses a key given twice), sorted as Go's
 * json.Marshal writes a map. */
static void calendar_metadata(struct ce_mdec *c, const struct ce_node *ev,
                              struct ce_calendar_config *cfg)
{
    const struct ce_node *m = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, m)) {
        cfg->metadata = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(*cfg->metadata));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *k = m->pairs[i].key, *v = m->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            struct ce_kv *kv = &cfg->metadata[cfg->n_metadata++];
            kv->key = ce_xstrdup(k->str);
            kv->value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
        }
        qsort(cfg->metadata, (size_t)cfg->n_metadata, sizeof(*cfg->metadata), calendar_meta_cmp);
    }
    ce_mdec_pop(c, old);
}

/* timezone, loaded now so an unknown zone is refused here. The zone of eventTime and of the
 * exclusion dates; the schedule's too unless it has a CRON_TZ= prefix. */
static bool calendar_zone(struct ce_mdec *c, const struct ce_node *ev,
                          struct ce_calendar_config *cfg)
{
    cfg->timezone = ce_mdec_str(c, ev, "timezone", false);
    if (cfg->timezone == NULL || cfg->timezone[0] == '\0') {
        cfg->sched.zone = ce_tz_load_local();
        return true;
    }
    char err[256];
    if (ce_tz_load(cfg->timezone, &cfg->sched.zone, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(ev, "timezone"), "timezone",
                        "failed to load the time zone: %s", err);
        return false;
    }
    return true;
}

static void calendar_schedule(struct ce_mdec *c, const struct ce_node *ev,
                              struct ce_calendar_config *cfg, bool zone_ok)
{
    const struct ce_node *at = ce_node_get(ev, "schedule");
    char err[512];
    const char *zone = zone_ok ? cfg->timezone : "UTC";
    if (ce_cron_parse(cfg->schedule, zone, &cfg->sched.cron, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, at, "schedule", "failed to parse schedule %s: %s", cfg->schedule, err);
        return;
    }
    if (ce_node_get(ev, "interval") != NULL && !ce_node_is_null(ce_node_get(ev, "interval"))) {
        size_t old = ce_mdec_push(c, "interval");
        ce_mdec_warn(c, ce_node_get(ev, "interval"), "ignored: the schedule is used");
        ce_mdec_pop(c, old);
    }
}

static void calendar_interval(struct ce_mdec *c, const struct ce_node *ev,
                              struct ce_calendar_config *cfg)
{
    const struct ce_node *at = ce_node_get(ev, "interval");
    char err[256];
    int64_t ns = 0;
    if (ce_duration_parse(cfg->interval, &ns, err, sizeof err) != CE_OK) {
        ce_mdec_err_key(c, at, "interval", "failed to parse interval %s: %s", cfg->interval, err);
    }
    else if (ns < CE_CAL_MIN_INTERVAL_NS) {
        ce_mdec_err_key(c, at, "interval",
                        "must be at least 1s (an interval of %s would flood the event bus)",
                        cfg->interval);
    }
    else {
        cfg->sched.interval_ns = ns;
    }
}

static void calendar_exclusions(struct ce_mdec *c, const struct ce_node *ev,
                                struct ce_calendar_config *cfg)
{
    const struct ce_node *list = ce_node_get(ev, "exclusionDates");
    if (list == NULL || ce_node_is_null(list)) {
        return;
    }
    size_t old = ce_mdec_push(c, "exclusionDates");
    if (list->type != CE_NODE_SEQ) {
        ce_mdec_err(c, list, "must be a list of strings");
    }
    for (int i = 0; list->type == CE_NODE_SEQ && i < list->n_items; i++) {
        const struct ce_node *item = list->items[i];
        size_t at = ce_mdec_push_index(c, i);
        char err[160];
        if (item->type != CE_NODE_SCALAR) {
            ce_mdec_err(c, item, "must be a string");
        }
        else if (ce_cal_parse_exdate(item->str, &cfg->sched.excluded, &cfg->sched.n_excluded, err,
                                     sizeof err) != CE_OK) {
            ce_mdec_err(c, item, "%s", err);
        }
        ce_mdec_pop(c, at);
    }
    ce_mdec_pop(c, old);
}

static void calendar_catchup(struct ce_mdec *c, const struct ce_node *p,
                             struct ce_calendar_config *cfg)
{
    const struct ce_node *cu = ce_node_get(p, "catchup");
    size_t old = ce_mdec_push(c, "catchup");
    if (ce_mdec_map(c, cu)) {
        ce_mdec_known(c, cu, catchup_keys);
        cfg->catchup = ce_mdec_bool(c, cu, "enabled");
        char *max = ce_mdec_str(c, cu, "maxDuration", false);
        char err[256];
        if (max != NULL && max[0] != '\0') {
            const struct ce_node *at = ce_node_get(cu, "maxDuration");
            if (ce_duration_parse(max, &cfg->catchup_max_ns, err, sizeof err) != CE_OK) {
                ce_mdec_err_key(c, at, "maxDuration", "%s", err);
            }
            else if (cfg->catchup_max_ns < 0) {
                ce_mdec_err_key(c, at, "maxDuration", "must not be negative");
            }
        }
        ce_free(max);
    }
    ce_mdec_pop(c, old);
}

static void calendar_persistence(struct ce_mdec *c, const struct ce_node *ev,
                                 struct ce_calendar_config *cfg)
{
    const struct ce_node *p = ce_node_get(ev, "persistence");
    size_t old = ce_mdec_push(c, "persistence");
    if (ce_mdec_map(c, p)) {
        ce_mdec_known(c, p, persistence_keys);
        calendar_catchup(c, p, cfg);
        const struct ce_node *cm = ce_node_get(p, "configMap");
        size_t at = ce_mdec_push(c, "configMap");
        if (ce_mdec_map(c, cm)) {
            ce_mdec_known(c, cm, config_map_keys);
            cfg->config_map = ce_mdec_str(c, cm, "name", false);
            cfg->create_if_not_exist = ce_mdec_bool(c, cm, "createIfNotExist");
        }
        ce_mdec_pop(c, at);
    }
    ce_mdec_pop(c, old);
}

static void calendar_free(void *config)
{
    struct ce_calendar_config *cfg = config;
    ce_free(cfg->schedule);
    ce_free(cfg->interval);
    ce_free(cfg->timezone);
    ce_cal_sched_fini(&cfg->sched);
    for (int i = 0; i < cfg->n_metadata; i++) {
        ce_free(cfg->metadata[i].key);
        ce_free(cfg->metadata[i].value);
    }
    ce_free(cfg->metadata);
    ce_free(cfg->config_map);
    ce_free(cfg);
}

/* Argo's impossible schedules (`0 0 31 2 *`) fire a flood of zero-time events; here they are
 * refused. */
static void calendar_check_fires(struct ce_mdec *c, const struct ce_node *ev,
                                 struct ce_calendar_config *cfg)
{
    if ((cfg->sched.cron == NULL && cfg->sched.interval_ns == 0) || cfg->sched.zone == NULL) {
        return;
    }
    if (ce_cal_sched_next(&cfg->sched, ce_clock_wall_ms() * INT64_C(1000000)) < 0) {
        const char *key = cfg->sched.cron != NULL ? "schedule" : "interval";
        ce_mdec_err_key(c, ce_node_get(ev, key), key,
                        "the schedule never fires: no time in the next five years matches it");
    }
}

static void *calendar_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_calendar_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev, "the event has no settings (schedule or interval)");
        }
        return cfg;
    }
    bool zone_ok = calendar_zone(c, ev, cfg);
    cfg->schedule = ce_mdec_str(c, ev, "schedule", false);
    cfg->interval = ce_mdec_str(c, ev, "interval", false);
    if (cfg->schedule != NULL && cfg->schedule[0] != '\0') {
        calendar_schedule(c, ev, cfg, zone_ok);
    }
    else if (cfg->interval != NULL && cfg->interval[0] != '\0') {
        calendar_interval(c, ev, cfg);
    }
    else {
        ce_mdec_err(c, ev, "must have either schedule or interval");
    }
    calendar_exclusions(c, ev, cfg);
    calendar_check_fires(c, ev, cfg);
    calendar_metadata(c, ev, cfg);
    calendar_persistence(c, ev, cfg);
    return cfg;
}

const struct ce_block_decoder ce_calendar_decoder = {
    .key = "calendar",
    .keys = calendar_keys,
    .decode = calendar_decode,
    .free_config = calendar_free,
};
