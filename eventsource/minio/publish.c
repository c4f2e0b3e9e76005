/* SPDX-License-Identifier: Apache-2.0 */
/* The minio source's publisher: notifications in arrival order from a bounded in-memory queue to
 * the bus, one at a time, each retried with backoff until the bus stores it (or refuses it for
 * good). See minio_int.h for why memory is the only buffer. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventsource/emit.h"
#include "eventsource/minio/minio_int.h"
#include "manifest/model.h"

#include <errno.h>
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
    p->l = l;
    p->data = data;
    p->len = len;
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

static void minio_on_done(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct minio_source *src = arg;
    pthread_mutex_lock(&src->mu);
    src->done = true;
    src->done_rc = rc;
    pthread_cond_broadcast(&src->cv);
    pthread_mutex_unlock(&src->mu);
}

/* Publishes p and waits for the bus's answer (the bus always gives one, at the latest after its
 * publish timeout, so this wait is bounded even while stopping). */
static int minio_publish_one(struct minio_source *src, struct minio_pending *p)
{
    src->done = false;
    int rc = ce_emit_async(p->l->ev->em, p->data, p->len, p->id, minio_on_done, src, NULL);
    if (rc != CE_OK) {
        return rc;
    }
    pthread_mutex_lock(&src->mu);
    while (!src->done) {
        pthread_cond_wait(&src->cv, &src->mu);
    }
    rc = src->done_rc;
    pthread_mutex_unlock(&src->mu);
    return rc;
}

/* Takes the head off the queue once it is settled. */
static void minio_pop(struct minio_source *src)
{
    pthread_mutex_lock(&src->mu);
    struct minio_pending *p = src->head;
    src->head = p->next;
    if (src->head == NULL) {
        src->tail = NULL;
    }
    src->n_pending--;
    src->pending_bytes -= p->len;
    src->publishing = false;
    pthread_mutex_unlock(&src->mu);
    minio_pending_free(p);
}

static struct minio_pending *minio_next(struct minio_source *src)
{
    pthread_mutex_lock(&src->mu);
    while (src->head == NULL && !atomic_load(&src->stopping)) {
        pthread_cond_wait(&src->cv, &src->mu);
    }
    struct minio_pending *p = atomic_load(&src->stopping) ? NULL : src->head;
    src->publishing = p != NULL;
    pthread_mutex_unlock(&src->mu);
    return p;
}

void *minio_publish_main(void *arg)
{
    struct minio_source *src = arg;
    int64_t delay = MINIO_RETRY_MIN_MS;
    struct minio_pending *p;
    while ((p = minio_next(src)) != NULL) {
        int rc = minio_publish_one(src, p);
        if (rc == CE_OK || rc == CE_DROPPED) {
            delay = MINIO_RETRY_MIN_MS;
            minio_pop(src);
            continue;
        }
        if (rc == CE_EMSGSIZE || rc == CE_EINVAL) {
            minio_lost(p->l, p->id, ce_rc_str(rc));
            minio_pop(src);
            continue;
        }
        if (delay == MINIO_RETRY_MIN_MS) {
            ce_log_kv(CE_LOG_WARN,
                      "the event bus did not take a MinIO notification; retrying "
                      "from memory",
                      "eventName", p->l->ev->spec->name, "eventID", p->id, "error", ce_rc_str(rc),
                      NULL);
        }
        pthread_mutex_lock(&src->mu);
        src->publishing = false;
        pthread_mutex_unlock(&src->mu);
        int64_t end = ce_clock_mono_ms() + delay;
        while (!atomic_load(&src->stopping) && ce_clock_mono_ms() < end) {
            ce_clock_sleep_ms(20);
        }
        delay = delay * 2 > MINIO_RETRY_MAX_MS ? MINIO_RETRY_MAX_MS : delay * 2;
    }
    return NULL;
}

void minio_drop_pending(struct minio_source *src)
{
    struct minio_pending *p = src->head;
    while (p != NULL) {
        struct minio_pending *next = p->next;
        minio_lost(p->l, p->id, "the source stopped before the event bus took it");
        minio_pending_free(p);
        p = next;
    }
    src->head = src->tail = NULL;
    src->n_pending = 0;
    src->pending_bytes = 0;
}
