/* SPDX-License-Identifier: Apache-2.0 */
/* The consumer threads of a Sensor: bind the durable consumer once the bus is reachable (the
 * first one also opens and reconciles the state store), fetch batches, and run each message
 * through its trigger's engine, on the consumer thread for a serial trigger, on the trigger's
 * worker pool otherwise (pool.h). Acknowledging per DESIGN.md §4: before the first firing when
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
#include "sensor/pool.h"
#include "sensor/reset.h"
#include "sensor/sensor_int.h"
#include "sensor/state.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>

#define SN_FETCH_BATCH 64     /* a serial trigger's fetch */
#define SN_POOL_FETCH_MAX 256 /* a pooled trigger's, at most (the room in its queue) */
#define SN_FETCH_WAIT_MS 500
#define SN_RETRY_STATE_MS 1000

/* Every drop is counted and logged with the event id: nothing disappears silently. */
static void sn_drop(struct ce_sn_trigger *tr, struct ce_bus_msg *m, const char *id, const char *why)
{
    ce_metric_inc(tr->rt->dropped);
    ce_log_kv(CE_LOG_WARN, "dropping a message", "triggerName", tr->spec->name, "eventID",
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

/* Decodes m into *ev when it is an event of one of the trigger's dependencies; drops it
 * otherwise (false). */
static bool sn_decode(struct ce_sn_trigger *tr, struct ce_bus_msg *m, struct ce_cloudevent *ev)
{
    char err[160];
    if (ce_cloudevent_decode(m->data, m->len, ev, err, sizeof(err)) != CE_OK) {
        sn_drop(tr, m, NULL, err);
        return false;
    }
    if (!sn_wanted(tr, tr->rt->sensor, ev)) {
        sn_drop(tr, m, ev->id, "the event matches no dependency of this trigger");
        ce_cloudevent_fini(ev);
        return false;
    }
    ce_log_kv(CE_LOG_DEBUG, "received an event", "triggerName", tr->spec->name, "eventID", ev->id,
              "eventSourceName", ev->source, "eventName", ev->subject, NULL);
    return true;
}

static void sn_skip_seen(struct ce_sn_trigger *tr, struct sn_ack *ack)
{
    ce_log_kv(CE_LOG_INFO, "skipping an event already processed by this trigger", "triggerName",
              tr->spec->name, "eventID", ack->id, NULL);
    sn_ack_now(ack);
}

/* Runs the engine for the decoded event; the ack goes out before the first firing when the
 * trigger promises nothing more (atLeastOnce: false). */
static int sn_engine(struct ce_sn_trigger *tr, struct ce_bus_msg *m, const struct ce_cloudevent *ev,
                     struct sn_ack *ack)
{
    bool ack_first = !tr->spec->at_least_once && !tr->plugin->ack_after_fire;
    ack->nowait = ack->nowait || ack_first;
    struct ce_sn_msg_pos pos = {m->stream_seq, m->consumer_seq, m->timestamp_ns};
    struct ce_sn_call call = {ack_first ? sn_ack_now : NULL, ack, m};
    return ce_sn_engine_process(tr->engine, ev, m->data, m->len, &pos, &call);
}

/* After the engine: acknowledged when it is done with the message, handed back when a stop
 * cut it short, asked again later when its state could not be saved. */
static void sn_settle(struct ce_bus_msg *m, int fired, struct sn_ack *ack)
{
    if (fired >= 0) {
        sn_ack_now(ack);
    }
    else if (ack->acked) {
        /* acknowledged before the firing (atLeastOnce: false): nothing to hand back */
    }
    else if (fired == -CE_ECANCELED) {
        sn_leave(m, ack->id);
    }
    else if (ce_bus_msg_nak(m, SN_RETRY_STATE_MS) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "could not ask for a redelivery; it comes after the ack wait",
                  "eventID", ack->id, NULL);
    }
}

/* A serial trigger: one event at a time, under the trigger's lock, on the consumer thread. */
static void sn_process(struct ce_sn_trigger *tr, struct ce_bus_msg *m)
{
    struct ce_cloudevent ev;
    if (!sn_decode(tr, m, &ev)) {
        return;
    }
    struct sn_ack ack = {m, ev.id, false, false, false};
    pthread_mutex_lock(&tr->lock);
    if (ce_dedup_seen(&tr->dedup, ev.id, ce_clock_wall_ms())) {
        pthread_mutex_unlock(&tr->lock);
        sn_skip_seen(tr, &ack);
        ce_cloudevent_fini(&ev);
        return;
    }
    int fired = sn_engine(tr, m, &ev, &ack);
    if (fired >= 0) {
        ce_dedup_record(&tr->dedup, ev.id, ce_clock_wall_ms());
    }
    pthread_mutex_unlock(&tr->lock);
    sn_settle(m, fired, &ack);
    ce_cloudevent_fini(&ev);
}

enum sn_claim { SN_CLAIMED, SN_SEEN, SN_BUSY };

/* A pooled trigger: whether the event was processed already, is in another worker's hands (a
 * redelivery that overtook its first delivery), or is now this worker's (*slot: where it is
 * noted, -1 for an id too long to note, which dedup does not know either). */
static enum sn_claim sn_claim(struct ce_sn_trigger *tr, const char *id, int *slot)
{
    *slot = -1;
    size_t len = id ? strlen(id) : 0;
    bool noted = len > 0 && len < CE_DEDUP_ID_MAX;
    enum sn_claim r = SN_CLAIMED;
    int free_slot = -1;
    pthread_mutex_lock(&tr->lock);
    if (ce_dedup_seen(&tr->dedup, id, ce_clock_wall_ms())) {
        r = SN_SEEN;
    }
    for (int i = 0; r == SN_CLAIMED && noted && i < tr->n_inflight; i++) {
        if (tr->inflight[i][0] == '\0') {
            free_slot = free_slot < 0 ? i : free_slot;
        }
        else if (strcmp(tr->inflight[i], id) == 0) {
            r = SN_BUSY;
        }
    }
    if (r == SN_CLAIMED && free_slot >= 0) {
        memcpy(tr->inflight[free_slot], id, len + 1);
        *slot = free_slot;
    }
    pthread_mutex_unlock(&tr->lock);
    return r;
}

static void sn_release(struct ce_sn_trigger *tr, int slot, const char *id, bool done)
{
    pthread_mutex_lock(&tr->lock);
    if (slot >= 0) {
        tr->inflight[slot][0] = '\0';
    }
    if (done) {
        ce_dedup_record(&tr->dedup, id, ce_clock_wall_ms());
    }
    pthread_mutex_unlock(&tr->lock);
}

void ce_sn_run_pooled(void *arg, struct ce_bus_msg *m)
{
    struct ce_sn_trigger *tr = arg;
    struct ce_cloudevent ev;
    if (!sn_decode(tr, m, &ev)) {
        return;
    }
    /* Acknowledgements do not wait for the server's confirmation here: the promise of
     * atLeastOnce is that the ack leaves only after the trigger succeeded, and a lost one
     * brings a redelivery, as a lost confirmation would. The workers do not wait a round
     * trip per event, and cnats sends the acks of many events in one write. */
    struct sn_ack ack = {m, ev.id, false, false, true};
    int slot;
    enum sn_claim claim = sn_claim(tr, ev.id, &slot);
    if (claim == SN_SEEN) {
        sn_skip_seen(tr, &ack);
    }
    else if (claim == SN_BUSY) {
        if (ce_bus_msg_nak(m, SN_RETRY_STATE_MS) != CE_OK) {
            ce_log_kv(CE_LOG_DEBUG, "could not ask for a redelivery; it comes after the ack wait",
                      "eventID", ev.id, NULL);
        }
    }
    else {
        int fired = sn_engine(tr, m, &ev, &ack);
        sn_release(tr, slot, ev.id, fired >= 0);
        sn_settle(m, fired, &ack);
    }
    ce_cloudevent_fini(&ev);
}

void ce_sn_hand_back(void *arg, struct ce_bus_msg *m)
{
    (void)arg;
    sn_leave(m, NULL);
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

/* How many messages to fetch now: a serial trigger's batch, or the room in the pool's queue
 * (0 after waiting a while for some). */
static int sn_fetch_size(struct ce_sn_consumer *c)
{
    struct ce_sn_pool *pool = c->trig->pool;
    if (pool == NULL) {
        return SN_FETCH_BATCH;
    }
    int room = ce_sn_pool_room(pool);
    if (room == 0) {
        ce_sn_pool_wait_room(pool, SN_FETCH_WAIT_MS);
    }
    return room < SN_POOL_FETCH_MAX ? room : SN_POOL_FETCH_MAX;
}

/* Runs or queues a fetched message; false when the process is stopping and m was handed back
 * instead. m is released unless the pool took it. */
static bool sn_dispatch(struct ce_sn_consumer *c, struct ce_bus_msg *m)
{
    bool run = !atomic_load(&c->rt->stop);
    if (run && c->trig->pool != NULL) {
        if (ce_sn_pool_push(c->trig->pool, m)) {
            return true;
        }
        run = false; /* stopping while the queue was full */
    }
    if (run) {
        sn_process(c->trig, m);
    }
    else {
        sn_leave(m, NULL);
    }
    ce_bus_msg_destroy(m);
    return run;
}

void *ce_sn_consume(void *arg)
{
    struct ce_sn_consumer *c = arg;
    struct ce_bus_msg *msgs[SN_POOL_FETCH_MAX];
    while (!atomic_load(&c->rt->stop)) {
        if (!c->bus_consumer && !sn_bind(c)) {
            ce_clock_sleep_ms(200);
            continue;
        }
        int want = sn_fetch_size(c);
        if (want == 0) {
            continue;
        }
        int n = 0;
        int rc = ce_bus_consumer_fetch(c->bus_consumer, want, SN_FETCH_WAIT_MS, msgs, &n);
        if (rc == CE_EUNAVAIL) {
            ce_clock_sleep_ms(200);
            continue;
        }
        /* On a stop, only the message in progress is finished; the rest of the batch is
         * handed back for the next start (DESIGN.md §4.7), at once rather than after the ack
         * wait. */
        int left = 0;
        for (int i = 0; i < n; i++) {
            left += sn_dispatch(c, msgs[i]) ? 0 : 1;
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
