/* SPDX-License-Identifier: Apache-2.0 */
/* The minio source's publisher: notifications from a bounded in-memory queue to the bus, up to
 * MINIO_PUBLISH_WINDOW at once, each retried with backoff until the bus stores it (or refuses it
 * for good). See minio_int.h for why memory is the only buffer. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventsource/emit.h"
#include "eventsource/minio/minio_int.h"
#include "manifest/model.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MINIO_RETRY_MIN_MS 100
#define MINIO_RETRY_MAX_MS 5000

static void minio_deadline(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

bool minio_sleep(struct minio_source *src, int64_t ms)
{
    int64_t end = ce_clock_mono_ms() + ms;
    pthread_mutex_lock(&src->mu);
    while (!atomic_load(&src->stopping) && !atomic_load(&src->quiescing)) {
        int64_t left = end - ce_clock_mono_ms();
        if (left <= 0) {
            break;
        }
        struct timespec ts;
        minio_deadline(&ts, left < 200 ? left : 200);
        pthread_cond_timedwait(&src->cv, &src->mu, &ts);
    }
    bool go_on = !atomic_load(&src->stopping) && !atomic_load(&src->quiescing);
    pthread_mutex_unlock(&src->mu);
    return go_on;
}

static void minio_pending_free(struct minio_pending *p)
{
    ce_free(p->data);
    ce_free(p);
}

static void minio_lost(struct minio_listener *l, const char *id, const char *why)
{
    ce_metric_inc(l->src->m_lost);
    ce_log_kv(CE_LOG_ERROR, "a MinIO notification is lost: the listen API cannot replay it",
              "eventName", l->ev->spec->name, "eventID", id, "reason", why, NULL);
}

void minio_enqueue(struct minio_listener *l, char *data, size_t len, const char *id)
{
    struct minio_source *src = l->src;
    struct minio_pending *p = ce_xcalloc(1, sizeof(*p));
    p->src = src;
    p->l = l;
    p->data = data;
    p->len = len;
    p->state = MINIO_QUEUED;
    memcpy(p->id, id, sizeof p->id);
    pthread_mutex_lock(&src->mu);
    bool full =
        src->n_pending >= src->pending_max || src->pending_bytes + len > MINIO_PENDING_MAX_BYTES;
    if (!full) {
        if (src->tail) {
            src->tail->next = p;
        }
        else {
            src->head = p;
        }
        src->tail = p;
        src->n_pending++;
        src->pending_bytes += len;
        pthread_cond_broadcast(&src->cv);
    }
    pthread_mutex_unlock(&src->mu);
    if (full) {
        minio_lost(l, id, "the in-memory queue for the event bus is full");
        minio_pending_free(p);
    }
}

/* The bus's answer to one publish (a bus thread). */
static void minio_on_done(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct minio_pending *p = arg;
    struct minio_source *src = p->src;
    pthread_mutex_lock(&src->mu);
    p->rc = rc;
    bool retry = rc != CE_OK && rc != CE_DROPPED && rc != CE_EMSGSIZE && rc != CE_EINVAL;
    p->state = retry ? MINIO_FAILED : MINIO_SETTLED;
    src->n_failed += retry ? 1 : 0;
    src->inflight--;
    pthread_cond_broadcast(&src->cv);
    pthread_mutex_unlock(&src->mu);
}

/* Under mu: the settled items off the head, into *done (freed by the caller, outside mu). */
static void minio_take_settled(struct minio_source *src, struct minio_pending **done)
{
    while (src->head != NULL && src->head->state == MINIO_SETTLED) {
        struct minio_pending *p = src->head;
        src->head = p->next;
        if (src->head == NULL) {
            src->tail = NULL;
        }
        src->n_pending--;
        src->pending_bytes -= p->len;
        p->next = *done;
        *done = p;
    }
}

/* Under mu: the first item to publish, or NULL. */
static struct minio_pending *minio_next_queued(struct minio_source *src)
{
    if (src->inflight >= MINIO_PUBLISH_WINDOW || src->n_failed > 0) {
        return NULL; /* after a failure, the window drains before anything is sent again */
    }
    int seen = 0;
    for (struct minio_pending *p = src->head; p != NULL && seen < 4 * MINIO_PUBLISH_WINDOW;
         p = p->next, seen++) {
        if (p->state == MINIO_QUEUED) {
            return p;
        }
    }
    return NULL;
}

/* Frees the settled items; true when one of them was stored (the bus takes events again). */
static bool minio_free_settled(struct minio_pending *done)
{
    bool stored = false;
    while (done != NULL) {
        stored = stored || done->rc == CE_OK;
        struct minio_pending *next = done->next;
        if (done->rc == CE_EMSGSIZE || done->rc == CE_EINVAL) {
            minio_lost(done->l, done->id, ce_rc_str(done->rc));
        }
        minio_pending_free(done);
        done = next;
    }
    return stored;
}

/* Once the window drained after failures: logs the first, waits, and queues them again. */
static void minio_retry_failed(struct minio_source *src, int64_t *delay)
{
    int rc = CE_OK;
    const char *ev = "", *id = "";
    for (struct minio_pending *p = src->head; p != NULL; p = p->next) {
        if (p->state == MINIO_FAILED) {
            if (rc == CE_OK) {
                rc = p->rc;
                ev = p->l->ev->spec->name;
                id = p->id;
            }
            p->state = MINIO_QUEUED;
        }
    }
    src->n_failed = 0;
    char *evc = ce_xstrdup(ev), *idc = ce_xstrdup(id);
    pthread_mutex_unlock(&src->mu);
    if (*delay == MINIO_RETRY_MIN_MS) {
        ce_log_kv(CE_LOG_WARN,
                  "the event bus did not take a MinIO notification; retrying from "
                  "memory",
                  "eventName", evc, "eventID", idc, "error", ce_rc_str(rc), NULL);
    }
    ce_free(evc);
    ce_free(idc);
    int64_t end = ce_clock_mono_ms() + *delay;
    while (!atomic_load(&src->stopping) && ce_clock_mono_ms() < end) {
        ce_clock_sleep_ms(20);
    }
    *delay = *delay * 2 > MINIO_RETRY_MAX_MS ? MINIO_RETRY_MAX_MS : *delay * 2;
    pthread_mutex_lock(&src->mu);
}

/* Publishes p (mu not held); an immediate refusal counts as a failed publish. */
static void minio_send(struct minio_pending *p)
{
    int rc = ce_emit_async(p->l->ev->em, p->data, p->len, p->id, minio_on_done, p, NULL);
    if (rc != CE_OK) {
        minio_on_done(p, rc, p->id);
    }
}

void *minio_publish_main(void *arg)
{
    struct minio_source *src = arg;
    int64_t delay = MINIO_RETRY_MIN_MS;
    pthread_mutex_lock(&src->mu);
    for (;;) {
        struct minio_pending *done = NULL;
        minio_take_settled(src, &done);
        if (done != NULL) {
            pthread_mutex_unlock(&src->mu);
            if (minio_free_settled(done)) {
                delay = MINIO_RETRY_MIN_MS;
            }
            pthread_mutex_lock(&src->mu);
            continue;
        }
        if (atomic_load(&src->stopping)) {
            if (src->inflight == 0) {
                break;
            }
        }
        else if (src->n_failed > 0 && src->inflight == 0) {
            minio_retry_failed(src, &delay);
            continue;
        }
        else {
            struct minio_pending *p = minio_next_queued(src);
            if (p != NULL) {
                p->state = MINIO_INFLIGHT;
                src->inflight++;
                pthread_mutex_unlock(&src->mu);
                minio_send(p);
                pthread_mutex_lock(&src->mu);
                continue;
            }
        }
        pthread_cond_wait(&src->cv, &src->mu);
    }
    pthread_mutex_unlock(&src->mu);
    return NULL;
}

void minio_drop_pending(struct minio_source *src)
{
    struct minio_pending *p = src->head;
    while (p != NULL) {
        struct minio_pending *next = p->next;
        if (p->state != MINIO_SETTLED) {
            minio_lost(p->l, p->id, "the source stopped before the event bus took it");
        }
        else if (p->rc == CE_EMSGSIZE || p->rc == CE_EINVAL) {
            minio_lost(p->l, p->id, ce_rc_str(p->rc));
        }
        minio_pending_free(p);
        p = next;
    }
    src->head = src->tail = NULL;
    src->n_pending = 0;
    src->pending_bytes = 0;
}
