/* SPDX-License-Identifier: Apache-2.0 */
/* The calendar EventSource: one thread runs every calendar event of the EventSource, sleeping on
 * a condition variable until the earliest tick. A tick is published with an id derived from
 * (EventSource, event, scheduled instant), so replicas and restarts store it once; the event
 * moves on to its next tick only once the bus acknowledged it, and the tick is then recorded in
 * the bus's key-value store, from which a restart with catch-up resumes. The bus down means the
 * tick is retried with a backoff and published late, never dropped. Timing decisions live in
 * sched.c; this file does the I/O. */
#include "eventsource/source.h"
#include "eventsource/calendar/config.h"
#include "eventsource/calendar/sched.h"
#include "eventsource/calendar/tick.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/go/duration.h"
#include "eventbus/bus.h"
#include "eventsource/emit.h"
#include "manifest/model.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The longest sleep between two looks at the wall clock, so a clock set forward is noticed. */
#define CAL_MAX_SLEEP_MS 1000
/* How long a stop waits for the bus to report publishes still under way. */
#define CAL_STOP_WAIT_MS 15000
/* A tick published this much after its time is logged as late. */
#define CAL_LATE_NS CE_CAL_NS

struct cal_state;

struct cal_event {
    struct cal_state *st;
    const char *name;
    const struct ce_calendar_config *cfg;
    struct ce_emitter *em;
    char *record_key;
    struct ce_cal_ticker ticker;
    bool started;       /* the resume point is known (catch-up read the record) */
    int64_t load_at;    /* catch-up: when to try reading the record again */
    int load_attempts;  /* failed reads of the record */
    bool acked;         /* set by the bus callback: the publish of ticker.due ended */
    int ack_rc;         /* its outcome */
    int64_t unrecorded; /* an acknowledged tick not in the record yet; -1 none */
    int64_t record_at;  /* when to try writing it again */
};

struct cal_state {
    const struct ce_source_env *env;
    struct cal_event *evs;
    int n_evs;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; signalled by acks, quiesce and stop */
    pthread_t thread;
    bool running;
    bool stopping;
    bool quiescing;
    int outstanding;      /* publishes whose callback has not run */
    int recording;        /* records being written right now */
    struct ce_bus_kv *kv; /* the calendar thread's only */
};

static int64_t cal_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * CE_CAL_NS + ts.tv_nsec;
}

static void cal_log_time(enum ce_log_level lvl, const char *msg, const struct cal_event *ev,
                         int64_t tick, const char *k, const char *v)
{
    char when[CE_CAL_TIME_MAX];
    ce_cal_format_rfc3339(tick, when);
    ce_log_kv(lvl, msg, "eventName", ev->name, "time", when, k, v, NULL);
}

/* ---- the bus ---- */

static void cal_on_done(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct cal_event *ev = arg;
    struct cal_state *st = ev->st;
    pthread_mutex_lock(&st->mu);
    ev->acked = true;
    ev->ack_rc = rc;
    st->outstanding--;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* Publishes tick; the outcome comes back through cal_on_done (called here at once when the
 * bus refused it). Called without the lock. */
static void cal_publish(struct cal_event *ev, int64_t tick)
{
    struct cal_state *st = ev->st;
    struct ce_buf data;
    ce_buf_init(&data, 0);
    int rc = ce_cal_tick_data(ev->cfg, tick, &data);
    char key[24], id[33];
    int key_len = ce_cal_tick_key(tick, key);
    ce_emit_id_from_key(ev->em->source_name, ev->em->event_name, key, (size_t)key_len, id);
    pthread_mutex_lock(&st->mu);
    st->outstanding++;
    pthread_mutex_unlock(&st->mu);
    if (rc == CE_OK) {
        rc = ce_emit_async(ev->em, data.data, data.len, id, cal_on_done, ev, NULL);
    }
    ce_buf_fini(&data);
    if (rc != CE_OK) {
        cal_on_done(ev, rc, id);
    }
}

static struct ce_bus_kv *cal_kv(struct cal_state *st)
{
    if (st->kv == NULL && ce_bus_connected(st->env->bus) &&
        ce_bus_kv_open(st->env->bus, CE_CAL_RECORD_BUCKET, &st->kv) != CE_OK) {
        st->kv = NULL;
    }
    return st->kv;
}

/* Writes tick as the event's record. Called without the lock. */
static int cal_record(struct cal_event *ev, int64_t tick)
{
    struct ce_bus_kv *kv = cal_kv(ev->st);
    if (kv == NULL) {
        return CE_EUNAVAIL;
    }
    char value[80];
    int n = ce_cal_record_format(tick, value);
    return ce_bus_kv_put(kv, ev->record_key, value, (size_t)n);
}

/* Reads the event's record: CE_OK with *tick (-1 when there is none yet), or an error. */
static int cal_read_record(struct cal_event *ev, int64_t *tick)
{
    struct ce_bus_kv *kv = cal_kv(ev->st);
    *tick = -1;
    if (kv == NULL) {
        return CE_EUNAVAIL;
    }
    char *value = NULL;
    int rc = ce_bus_kv_get(kv, ev->record_key, &value, NULL);
    if (rc == CE_OK) {
        *tick = ce_cal_record_parse(value);
        if (*tick < 0) {
            ce_log_kv(CE_LOG_WARN, "the last tick's record is not a time: catching up from now",
                      "eventName", ev->name, "record", value, NULL);
        }
    }
    ce_free(value);
    return rc == CE_ENOENT ? CE_OK : rc;
}

/* ---- the event's steps (with the lock held; each returns with it held) ---- */

static void cal_begin(struct cal_event *ev, int64_t start)
{
    ce_cal_ticker_init(&ev->ticker, &ev->cfg->sched, start);
    ev->started = true;
    if (ev->ticker.due < 0) {
        ce_log_kv(CE_LOG_WARN, "the schedule has no more ticks", "eventName", ev->name, NULL);
        return;
    }
    cal_log_time(CE_LOG_INFO, "expected next calendar event", ev, ev->ticker.due, NULL, NULL);
}

/* Catch-up: the resume point comes from the record, which needs the bus. */
static void cal_load(struct cal_event *ev, int64_t now)
{
    struct cal_state *st = ev->st;
    int64_t record = -1;
    pthread_mutex_unlock(&st->mu);
    int rc = cal_read_record(ev, &record);
    pthread_mutex_lock(&st->mu);
    if (rc != CE_OK) {
        if (ev->load_attempts++ == 0) {
            ce_log_kv(CE_LOG_WARN, "waiting for the event bus to read the last tick (catch-up)",
                      "eventName", ev->name, "error", ce_rc_str(rc), NULL);
        }
        ev->load_at = now + ce_cal_backoff(ev->load_attempts);
        return;
    }
    int64_t start = ce_cal_start_point(now, record, true, ev->cfg->catchup_max_ns);
    if (record >= 0) {
        cal_log_time(CE_LOG_INFO, "catching up the ticks missed since the last one", ev, start,
                     NULL, NULL);
    }
    cal_begin(ev, start);
}

static void cal_write_record(struct cal_event *ev, int64_t now)
{
    struct cal_state *st = ev->st;
    int64_t tick = ev->unrecorded;
    st->recording++;
    pthread_mutex_unlock(&st->mu);
    int rc = cal_record(ev, tick);
    pthread_mutex_lock(&st->mu);
    st->recording--;
    if (rc == CE_OK || st->quiescing) {
        if (rc != CE_OK) {
            cal_log_time(CE_LOG_WARN, "could not record the last tick", ev, tick, "error",
                         ce_rc_str(rc));
        }
        if (ev->unrecorded == tick) {
            ev->unrecorded = -1;
        }
        return;
    }
    ev->record_at = now + CE_CAL_NS; /* the next ack may bring a newer tick meanwhile */
}

/* The bus answered the publish of ticker.due. */
static void cal_finish(struct cal_event *ev, int64_t now)
{
    int rc = ev->ack_rc;
    int64_t tick = ev->ticker.due;
    ev->acked = false;
    bool published = rc == CE_OK || rc == CE_DROPPED;
    /* Too large for the bus or refused outright: trying again cannot help. */
    bool hopeless = rc == CE_EMSGSIZE || rc == CE_EINVAL;
    if (!published && !hopeless) {
        char attempt[16];
        snprintf(attempt, sizeof attempt, "%d", ev->ticker.attempts + 1);
        cal_log_time(CE_LOG_WARN, "failed to publish a tick; it will be tried again", ev, tick,
                     "attempt", attempt);
    }
    else if (hopeless) {
        cal_log_time(CE_LOG_ERROR, "the event bus refused a tick; it is skipped", ev, tick, "error",
                     ce_rc_str(rc));
    }
    else if (ev->ticker.attempts > 0 || now - tick > CAL_LATE_NS) {
        char delay[CE_DURATION_STR_MAX];
        ce_duration_format((now - tick) / 1000000 * 1000000, delay, sizeof delay);
        /* late because the bus refused it before, or a tick missed while the process was
         * down (catch-up) or the clock jumped */
        bool retried = ev->ticker.attempts > 0;
        cal_log_time(retried ? CE_LOG_WARN : CE_LOG_INFO,
                     retried ? "a tick was published late" : "triggered a missed tick (catch-up)",
                     ev, tick, "delay", delay);
    }
    ce_cal_ticker_done(&ev->ticker, &ev->cfg->sched, published || hopeless, now);
    if (published) {
        ev->unrecorded = tick;
        ev->record_at = now;
    }
}

/* One pass over ev: true when it did I/O (the clock moved: look again before sleeping). */
static bool cal_step_event(struct cal_event *ev, int64_t now, int64_t *wake)
{
    struct cal_state *st = ev->st;
    if (ev->acked) {
        cal_finish(ev, now);
    }
    if (ev->unrecorded >= 0 && ev->record_at <= now) {
        cal_write_record(ev, now);
        return true;
    }
    if (!ev->started && !st->quiescing) {
        if (ev->load_at <= now) {
            cal_load(ev, now);
            return true;
        }
        *wake = ev->load_at < *wake ? ev->load_at : *wake;
        return false;
    }
    int64_t tick;
    if (ev->started && !st->quiescing && ce_cal_ticker_take(&ev->ticker, now, &tick)) {
        pthread_mutex_unlock(&st->mu);
        cal_publish(ev, tick);
        pthread_mutex_lock(&st->mu);
        return true;
    }
    int64_t w = ev->started && !st->quiescing ? ce_cal_ticker_wake(&ev->ticker) : INT64_MAX;
    w = ev->unrecorded >= 0 && ev->record_at < w ? ev->record_at : w;
    *wake = w < *wake ? w : *wake;
    return false;
}

static void cal_sleep(struct cal_state *st, int64_t now, int64_t wake)
{
    int64_t ms = CAL_MAX_SLEEP_MS;
    if (wake != INT64_MAX && (wake - now) / 1000000 + 1 < ms) {
        ms = (wake - now) / 1000000 + 1; /* rounded up: never wake before the tick */
    }
    struct timespec dl;
    ce_clock_deadline(ms, &dl);
    (void)pthread_cond_timedwait(&st->cv, &st->mu, &dl);
}

static void *cal_main(void *arg)
{
    struct cal_state *st = arg;
    pthread_mutex_lock(&st->mu);
    while (!st->stopping) {
        int64_t now = cal_now_ns();
        int64_t wake = INT64_MAX;
        bool busy = false;
        for (int i = 0; i < st->n_evs && !st->stopping; i++) {
            busy = cal_step_event(&st->evs[i], now, &wake) || busy;
        }
        if (!busy && !st->stopping) {
            cal_sleep(st, now, wake);
        }
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* ---- the plugin ---- */

static void cal_free(struct cal_state *st)
{
    for (int i = 0; i < st->n_evs; i++) {
        ce_free(st->evs[i].record_key);
    }
    if (st->kv != NULL) {
        ce_bus_kv_close(st->kv);
    }
    ce_free(st->evs);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    ce_free(st);
}

/* The bus calls back each publish once, within its publish timeout: wait for the ones under
 * way, as their callbacks point into st. */
static bool cal_wait_callbacks(struct cal_state *st)
{
    int64_t deadline = ce_clock_mono_ms() + CAL_STOP_WAIT_MS;
    pthread_mutex_lock(&st->mu);
    while (st->outstanding > 0 && ce_clock_mono_ms() < deadline) {
        struct timespec dl;
        ce_clock_deadline(50, &dl);
        (void)pthread_cond_timedwait(&st->cv, &st->mu, &dl);
    }
    bool done = st->outstanding == 0;
    pthread_mutex_unlock(&st->mu);
    return done;
}

static void calendar_stop(void *state)
{
    struct cal_state *st = state;
    if (st == NULL) {
        return;
    }
    pthread_mutex_lock(&st->mu);
    st->stopping = true;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    if (st->running) {
        pthread_join(st->thread, NULL);
    }
    if (!cal_wait_callbacks(st)) {
        /* a callback may still come: keeping the state is safe, freeing it is not */
        ce_log_kv(CE_LOG_ERROR, "the event bus never answered a tick; its state is kept", NULL);
        return;
    }
    cal_free(st);
}

static void cal_init_event(struct cal_state *st, struct cal_event *ev,
                           const struct ce_source_event *se, int64_t now)
{
    ev->st = st;
    ev->name = se->spec->name;
    ev->cfg = se->spec->config;
    ev->em = se->em;
    ev->record_key = ce_cal_record_key(se->em->source_name, se->em->event_name);
    ev->unrecorded = -1;
    ce_log_kv(CE_LOG_INFO, "started processing the calendar event source...", "eventName", ev->name,
              "schedule", ev->cfg->schedule ? ev->cfg->schedule : "", "interval",
              ev->cfg->schedule == NULL && ev->cfg->interval ? ev->cfg->interval : "", NULL);
    if (!ev->cfg->catchup) {
        cal_begin(ev, now); /* without catch-up, missed ticks are not fired (as in Argo) */
    }
}

static int calendar_start(const struct ce_source_env *env, void **state)
{
    struct cal_state *st = ce_xcalloc(1, sizeof(*st));
    st->env = env;
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cv, &ca);
    pthread_condattr_destroy(&ca);
    st->evs = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->evs));
    int64_t now = cal_now_ns();
    for (int i = 0; i < env->n_events; i++) {
        const struct ce_calendar_config *cfg = env->events[i].spec->config;
        if (cfg == NULL || cfg->sched.zone == NULL ||
            (cfg->sched.cron == NULL && cfg->sched.interval_ns <= 0)) {
            ce_log_kv(CE_LOG_ERROR, "the calendar event has no valid schedule", "eventName",
                      env->events[i].spec->name, NULL);
            cal_free(st);
            return CE_EINVAL;
        }
        cal_init_event(st, &st->evs[st->n_evs++], &env->events[i], now);
    }
    if (pthread_create(&st->thread, NULL, cal_main, st) != 0) {
        ce_log_kv(CE_LOG_ERROR, "cannot start the calendar thread", NULL);
        cal_free(st);
        return CE_EIO;
    }
    st->running = true;
    *state = st;
    return CE_OK;
}

static void calendar_quiesce(void *state)
{
    struct cal_state *st = state;
    pthread_mutex_lock(&st->mu);
    st->quiescing = true;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* Ticks taken and not yet answered: published and awaiting the bus, or acknowledged and not
 * yet recorded. */
static int calendar_in_flight(void *state)
{
    struct cal_state *st = state;
    pthread_mutex_lock(&st->mu);
    int n = st->outstanding + st->recording;
    for (int i = 0; i < st->n_evs; i++) {
        n += st->evs[i].acked || st->evs[i].unrecorded >= 0;
    }
    pthread_mutex_unlock(&st->mu);
    return n;
}

extern const struct ce_source_plugin ce_source_calendar;
const struct ce_source_plugin ce_source_calendar = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_calendar_decoder,
    .start = calendar_start,
    .quiesce = calendar_quiesce,
    .in_flight = calendar_in_flight,
    .stop = calendar_stop,
};
