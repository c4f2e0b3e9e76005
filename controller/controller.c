/* SPDX-License-Identifier: Apache-2.0 */
/* The controller's main loop (controller/controller.h): leader election first, then the watches
 * and one worker that reconciles the queued keys in turn (one worker, so no two reconciles of
 * the same object ever race). */
#include "controller/controller_int.h"
#include "controller/leader.h"

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/service/metrics.h"
#include "kube/client.h"

#include <stdio.h>
#include <string.h>

/* Queues every object of the three kinds: the periodic resync, which also repairs anything a
 * lost watch event left behind. */
static void ctl_resync(struct ce_ctl *ctl)
{
    static const char *const kinds[] = {"EventBus", "EventSource", "Sensor"};
    for (size_t i = 0; i < 3; i++) {
        ce_ctl_queue_kind(ctl, kinds[i], ctl->scope, NULL);
    }
}

static void ctl_work_one(struct ce_ctl *ctl, const char *key)
{
    int rc = ce_ctl_reconcile(ctl, key);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "Reconcile failed; trying again after a backoff", "key", key,
                  "error", ce_rc_str(rc), NULL);
    }
    ce_metric_inc(rc == CE_OK ? ctl->m_ok : ctl->m_failed);
    ce_ctl_queue_done(ctl->q, key, rc == CE_OK);
}

/* Reconciles until stop or a lost leadership. */
static void ctl_work(struct ce_ctl *ctl, const atomic_bool *stop, struct ce_ctl_leader *leader)
{
    int64_t next_resync = ce_clock_mono_ms() + ctl->o->resync_ms;
    char key[CE_CTL_KEY_MAX];
    while (!atomic_load(stop) && (leader == NULL || !ce_ctl_leader_lost(leader))) {
        if (ce_ctl_queue_get(ctl->q, key, sizeof(key), 500)) {
            ctl_work_one(ctl, key);
        }
        ce_metric_set(ctl->m_depth, (double)ce_ctl_queue_len(ctl->q));
        if (ctl->o->resync_ms > 0 && ce_clock_mono_ms() >= next_resync) {
            ctl_resync(ctl);
            next_resync = ce_clock_mono_ms() + ctl->o->resync_ms;
        }
    }
}

/* Waits until this replica leads (true) or stop is set (false). */
static bool ctl_await_leadership(struct ce_ctl_leader *leader, const atomic_bool *stop,
                                 struct ce_metric *m_leader)
{
    while (!atomic_load(stop) && !ce_ctl_leader_leading(leader)) {
        ce_clock_sleep_ms(100);
    }
    ce_metric_set(m_leader, atomic_load(stop) ? 0 : 1);
    return !atomic_load(stop);
}

static void ctl_metrics(struct ce_ctl *ctl)
{
    ctl->m_ok = ce_metrics_counter("cevents_controller_reconciles_total",
                                   "Reconciles of EventSources, Sensors and EventBuses.",
                                   "result=\"success\"");
    ctl->m_failed = ce_metrics_counter("cevents_controller_reconciles_total",
                                       "Reconciles of EventSources, Sensors and EventBuses.",
                                       "result=\"error\"");
    ctl->m_depth = ce_metrics_gauge("cevents_controller_work_queue_depth",
                                    "Objects waiting to be reconciled or being reconciled.", "");
}

static int ctl_lead_and_work(struct ce_ctl *ctl, const atomic_bool *stop,
                             struct ce_ctl_leader *leader)
{
    struct ce_metric *m_leader = ce_metrics_gauge(
        "cevents_controller_is_leader", "1 while this replica holds the leader lease.", "");
    if (leader != NULL && !ctl_await_leadership(leader, stop, m_leader)) {
        return CE_OK;
    }
    atomic_bool stop_watches = false;
    struct ce_ctl_watches *ws = ce_ctl_watches_start(ctl, &stop_watches);
    if (ctl->o->ready != NULL) {
        atomic_store(ctl->o->ready, true);
    }
    ce_log_kv(CE_LOG_INFO, "The controller is reconciling", "namespace", ctl->scope, NULL);
    ctl_work(ctl, stop, leader);
    atomic_store(&stop_watches, true);
    ce_ctl_queue_shutdown(ctl->q);
    ce_ctl_watches_join(ws);
    ce_metric_set(m_leader, 0);
    return leader != NULL && ce_ctl_leader_lost(leader) ? CE_EAUTH : CE_OK;
}

int ce_controller_run(struct ce_kube_client *c, const struct ce_ctl_opts *o,
                      const atomic_bool *stop)
{
    struct ce_ctl ctl = {.c = c, .o = o, .scope = o->namespaced ? o->ns : CE_KUBE_ALL_NAMESPACES};
    ctl.q = ce_ctl_queue_create();
    ctl_metrics(&ctl);
    struct ce_ctl_leader *leader = NULL;
    if (o->leader_election) {
        struct ce_ctl_leader_opts lo = {o->ns,       o->lease_name,        o->identity,
                                        o->lease_ms, o->renew_deadline_ms, o->retry_ms};
        if (ce_ctl_leader_start(c, &lo, &leader) != CE_OK) {
            ce_ctl_queue_destroy(ctl.q);
            return CE_EIO;
        }
        ce_log_kv(CE_LOG_INFO, "Waiting for the leader lease", "lease", o->lease_name, "identity",
                  o->identity, NULL);
    }
    int rc = ctl_lead_and_work(&ctl, stop, leader);
    ce_ctl_leader_stop(leader);
    ce_ctl_queue_destroy(ctl.q);
    return rc;
}
