/* SPDX-License-Identifier: Apache-2.0 */
/* The consumer threads of a Sensor: bind the durable consumer once the bus is reachable (the
 * first one also opens and reconciles the state store), fetch batches, and run each message
 * through its trigger's engine, acknowledging per DESIGN.md §4: before the first firing when
 * atLeastOnce is false (Argo's meaning), after processing otherwise; a message whose state
 * could not be saved is not acknowledged, so it comes again, and neither is one whose firing a
 * stop interrupted. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "sensor/engine.h"
#include "sensor/filter.h"
#include "sensor/fire.h"
#include "sensor/reset.h"
#include "sensor/sensor_int.h"
#include "sensor/state.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>

#define SN_FETCH_BATCH 64
#define SN_FETCH_WAIT_MS 500
#define SN_RETRY_STATE_MS 1000

/* Every drop is counted and logged with the event id: nothing disappears silently. */
static void sn_drop(struct ce_sn_consumer *c, struct ce_bus_msg *m, const char *id, const char *why)
{
    ce_metric_inc(c->rt->dropped);
    ce_log_kv(CE_LOG_WARN, "dropping a message", "triggerName", c->trig->spec->name, "eventID",
              id ? id : m->msg_id, "reason", why, NULL);
    if (ce_bus_msg_ack(m) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "failed to acknowledge a dropped message; it will come back",
                  "eventID", id ? id : m->msg_id, NULL);
    }
}

/* The process is stopping: the message is handed back for the next start, at once (a nak, so
 * it does not wait for the ack timeout). */
static void sn_leave(struct ce_bus_msg *m, const char *id)
{
    if (ce_bus_msg_nak(m, 0) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "could not hand an event back; it comes again after the ack wait",
                  "eventID", id ? id : m->msg_id, NULL);
    }
}

struct sn_ack {
    struct ce_bus_msg *m;
    const char *id;
    bool acked;
    bool failed;
    bool nowait; /* the ack before the trigger runs (atLeastOnce: false) promises nothing */
};

static void sn_ack_now(void *arg)
{
    struct sn_ack *a = arg;
    if (a->acked) {
        return;
    }
    a->acked = true;
    if ((a->nowait ? ce_bus_msg_ack_nowait(a->m) : ce_bus_msg_ack(a->m)) != CE_OK) {
        a->failed = true;
        ce_log_kv(CE_LOG_WARN,
                  "could not acknowledge the event; a redelivery will be skipped "
                  "as a duplicate",
                  "eventID", a->id, NULL);
    }
}

/* Whether any dependency the trigger listens to is this event's. */
static bool sn_wanted(const struct ce_sn_trigger *tr, const struct ce_sensor *s,
                      const struct ce_cloudevent *ev)
{
    int idx[256];
    int n = ce_sn_engine_deps(tr->engine, idx, 256);
    for (int i = 0; i < n; i++) {
        const struct ce_dependency *d = &s->deps[idx[i]];
        if (strcmp(d->event_source_name, ev->source) == 0 &&
            strcmp(d->event_name, ev->subject) == 0) {
            return true;
        }
    }
    return false;
}

static void sn_process(struct ce_sn_consumer *c, struct ce_bus_msg *m)
{
    struct ce_sn_trigger *tr = c->trig;
    struct ce_cloudevent ev;
    char err[160];
    if (ce_cloudevent_decode(m->data, m->len, &ev, err, sizeof(err)) != CE_OK) {
        sn_drop(c, m, NULL, err);
        return;
    }
    if (!sn_wanted(tr, c->rt->sensor, &ev)) {
        sn_drop(c, m, ev.id, "the event matches no dependency of this trigger");
        ce_cloudevent_fini(&ev);
        return;
    }
    ce_log_kv(CE_LOG_DEBUG, "received an event", "triggerName", tr->spec->name, "eventID", ev.id,
              "eventSourceName", ev.source, "eventName", ev.subject, NULL);
    struct sn_ack ack = {m, ev.id, false, false, false};
    pthread_mutex_lock(&tr->lock);
    if (ce_dedup_seen(&tr->dedup, ev.id, ce_clock_wall_ms())) {
        pthread_mutex_unlock(&tr->lock);
        ce_log_kv(CE_LOG_INFO, "skipping an event already processed by this trigger", "triggerName",
                  tr->spec->name, "eventID", ev.id, NULL);
        sn_ack_now(&ack);
        ce_cloudevent_fini(&ev);
        return;
    }
    bool ack_first = !tr->spec->at_least_once && !tr->plugin->ack_after_fire;
    ack.nowait = ack_first;
    struct ce_sn_msg_pos pos = {m->stream_seq, m->consumer_seq, m->timestamp_ns};
    ce_sn_firer_set_message(tr->firer, m);
    int fired = ce_sn_engine_process(tr->engine, &ev, m->data, m->len, &pos,
                                     ack_first ? sn_ack_now : NULL, &ack);
    ce_sn_firer_set_message(tr->firer, NULL);
    if (fired >= 0) {
        ce_dedup_record(&tr->dedup, ev.id, ce_clock_wall_ms());
    }
    pthread_mutex_unlock(&tr->lock);
    if (fired >= 0) {
        sn_ack_now(&ack);
    }
    else if (ack.acked) {
        /* acknowledged before the firing (atLeastOnce: false): nothing to hand back */
    }
    else if (fired == -CE_ECANCELED) {
        sn_leave(m, ev.id);
    }
    else if (ce_bus_msg_nak(m, SN_RETRY_STATE_MS) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "could not ask for a redelivery; it comes after the ack wait",
                  "eventID", ev.id, NULL);
    }
    ce_cloudevent_fini(&ev);
}

static void sn_purge_consumer(void *arg, const char *trigger, const char *dep)
{
    struct ce_sn_runtime *rt = arg;
    char durable[32];
    ce_bus_durable_name(rt->sensor->name, trigger, dep, durable, sizeof(durable));
    int rc = ce_bus_consumer_delete(rt->bus, durable);
    if (rc != CE_OK && rc != CE_ENOENT) {
        ce_log_kv(CE_LOG_WARN, "could not delete a stale durable consumer", "durable", durable,
                  "triggerName", trigger, "dependencyName", dep, NULL);
    }
}

/* The engine's check: the dependency's transform, then its filters. */
static int sn_check(void *arg, int dep, const struct ce_cloudevent *in, struct ce_cloudevent *out,
                    bool *pass, char *err, size_t errlen)
{
    struct ce_sn_runtime *rt = arg;
    return ce_sn_filter_apply(rt->filters[dep], in, out, pass, err, errlen);
}

/* Events kept from before the last conditionsReset tick (the Sensor was down at the tick) are
 * forgotten at start, as Argo does. */
static void sn_drop_stale(struct ce_sn_trigger *tr)
{
    int64_t prev = ce_sn_resets_prev(tr->resets, ce_clock_wall_ms() / 1000);
    if (prev > 0) {
        int n = ce_sn_engine_reset_older(tr->engine, prev * 1000000000LL);
        if (n > 0) {
            ce_log_kv(CE_LOG_INFO, "dropped events kept from before the last conditions reset",
                      "triggerName", tr->spec->name, NULL);
        }
    }
}

/* Opens the state store, reconciles it with the spec and makes each trigger's engine. */
static int sn_prepare_locked(struct ce_sn_runtime *rt)
{
    const struct ce_sensor *s = rt->sensor;
    int rc = rt->state ? CE_OK : ce_sn_state_open(rt->bus, s->name, &rt->state);
    if (rc == CE_OK) {
        rc = ce_sn_state_reconcile(rt->state, s, sn_purge_consumer, rt);
    }
    for (int i = 0; rc == CE_OK && i < rt->n_triggers; i++) {
        struct ce_sn_trigger *tr = &rt->triggers[i];
        if (tr->engine != NULL) {
            continue;
        }
        struct ce_sn_engine_config cfg = {
            .sensor = s,
            .trigger = tr->spec,
            .state = rt->state,
            .check = sn_check,
            .check_arg = rt,
            .fire = ce_sn_firer_fire,
            .fire_arg = tr->firer,
        };
        char err[256];
        rc = ce_sn_engine_create(&cfg, &tr->engine, err, sizeof(err));
        if (rc != CE_OK) {
            ce_log_kv(CE_LOG_ERROR, "invalid trigger conditions", "triggerName", tr->spec->name,
                      "error", err, NULL);
        }
        else {
            sn_drop_stale(tr);
        }
    }
    return rc;
}

static bool sn_prepare(struct ce_sn_runtime *rt)
{
    if (atomic_load(&rt->prepared)) {
        return true;
    }
    pthread_mutex_lock(&rt->prep_lock);
    if (!atomic_load(&rt->prepared) && sn_prepare_locked(rt) == CE_OK) {
        atomic_store(&rt->prepared, true);
    }
    pthread_mutex_unlock(&rt->prep_lock);
    return atomic_load(&rt->prepared);
}

static bool sn_bind(struct ce_sn_consumer *c)
{
    struct ce_sn_runtime *rt = c->rt;
    if (!ce_bus_connected(rt->bus)) {
        return false;
    }
    if (!atomic_load(&rt->stream_ready)) {
        if (ce_bus_ensure_stream(rt->bus) != CE_OK) {
            return false;
        }
        atomic_store(&rt->stream_ready, true);
    }
    if (!sn_prepare(rt) ||
        ce_bus_consumer_create(rt->bus, c->subject, c->durable, &c->bus_consumer) != CE_OK) {
        return false;
    }
    atomic_store(&c->ready, true);
    return true;
}

static void sn_reset_due(struct ce_sn_trigger *tr, int64_t now)
{
    if (tr->next_reset == 0) {
        tr->next_reset = ce_sn_resets_next(tr->resets, now);
    }
    if (tr->next_reset <= 0 || now < tr->next_reset) {
        return;
    }
    pthread_mutex_lock(&tr->lock);
    int rc = ce_sn_engine_reset(tr->engine);
    pthread_mutex_unlock(&tr->lock);
    ce_log_kv(rc == CE_OK ? CE_LOG_INFO : CE_LOG_ERROR,
              rc == CE_OK ? "reset conditions" : "could not reset conditions", "triggerName",
              tr->spec->name, NULL);
    tr->next_reset = ce_sn_resets_next(tr->resets, now);
}

void *ce_sn_reset_loop(void *arg)
{
    struct ce_sn_runtime *rt = arg;
    while (!atomic_load(&rt->stop)) {
        if (atomic_load(&rt->prepared)) {
            int64_t now = ce_clock_wall_ms() / 1000;
            for (int i = 0; i < rt->n_triggers; i++) {
                if (rt->triggers[i].resets != NULL) {
                    sn_reset_due(&rt->triggers[i], now);
                }
            }
        }
        ce_clock_sleep_ms(200);
    }
    return NULL;
}

void *ce_sn_consume(void *arg)
{
    struct ce_sn_consumer *c = arg;
    struct ce_bus_msg *msgs[SN_FETCH_BATCH];
    while (!atomic_load(&c->rt->stop)) {
        if (!c->bus_consumer && !sn_bind(c)) {
            ce_clock_sleep_ms(200);
            continue;
        }
        int n = 0;
        int rc = ce_bus_consumer_fetch(c->bus_consumer, SN_FETCH_BATCH, SN_FETCH_WAIT_MS, msgs, &n);
        if (rc == CE_EUNAVAIL) {
            ce_clock_sleep_ms(200);
            continue;
        }
        /* On a stop, only the message in progress is finished; the rest of the batch is
         * handed back for the next start (DESIGN.md §4.7), at once rather than after the ack
         * wait. */
        int left = 0;
        for (int i = 0; i < n; i++) {
            if (atomic_load(&c->rt->stop)) {
                sn_leave(msgs[i], NULL);
                left++;
            }
            else {
                sn_process(c, msgs[i]);
            }
            ce_bus_msg_destroy(msgs[i]);
        }
        if (left > 0) {
            char count[16];
            snprintf(count, sizeof count, "%d", left);
            ce_log_kv(CE_LOG_INFO, "stopping: events handed back for the next start", "triggerName",
                      c->trig->spec->name, "events", count, NULL);
        }
    }
    return NULL;
}
