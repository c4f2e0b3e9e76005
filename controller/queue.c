/* SPDX-License-Identifier: Apache-2.0 */
/* The work queue (controller/queue.h). A plain array scanned in full: a controller holds as many
 * keys as objects it manages, and a scan per reconcile is nothing beside the API calls. */
#include "controller/queue.h"

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct ctl_entry {
    char *key;
    int64_t due_ms;  /* when queued: monotonic time it may be taken */
    int failures;    /* in a row, for the backoff */
    bool queued;     /* waiting to be taken */
    bool processing; /* taken, not done */
    bool again;      /* added while processing: queue again when done */
};

struct ce_ctl_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ctl_entry *e;
    size_t n, cap;
    bool shut;
};

struct ce_ctl_queue *ce_ctl_queue_create(void)
{
    struct ce_ctl_queue *q = ce_xcalloc(1, sizeof(*q));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&q->mu, NULL);
    return q;
}

void ce_ctl_queue_destroy(struct ce_ctl_queue *q)
{
    if (q == NULL) {
        return;
    }
    for (size_t i = 0; i < q->n; i++) {
        ce_free(q->e[i].key);
    }
    ce_free(q->e);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    ce_free(q);
}

static struct ctl_entry *queue_find(struct ce_ctl_queue *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->e[i].key, key) == 0) {
            return &q->e[i];
        }
    }
    return NULL;
}

static struct ctl_entry *queue_entry(struct ce_ctl_queue *q, const char *key)
{
    struct ctl_entry *e = queue_find(q, key);
    if (e != NULL) {
        return e;
    }
    if (q->n >= CE_CTL_QUEUE_MAX) {
        ce_log_kv(CE_LOG_ERROR, "The work queue is full; a change is dropped until the next resync",
                  "key", key, NULL);
        return NULL;
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 32;
        q->e = ce_xrealloc(q->e, q->cap * sizeof(*q->e));
    }
    e = &q->e[q->n++];
    memset(e, 0, sizeof(*e));
    e->key = ce_xstrdup(key);
    return e;
}

static void queue_at(struct ctl_entry *e, int64_t due)
{
    if (!e->queued || due < e->due_ms) {
        e->due_ms = due;
    }
    e->queued = true;
}

void ce_ctl_queue_add(struct ce_ctl_queue *q, const char *key, int64_t delay_ms)
{
    pthread_mutex_lock(&q->mu);
    struct ctl_entry *e = queue_entry(q, key);
    if (e != NULL && e->processing) {
        e->again = true;
    }
    else if (e != NULL) {
        queue_at(e, ce_clock_mono_ms() + (delay_ms > 0 ? delay_ms : 0));
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

/* The queued entry due first, or NULL. */
static struct ctl_entry *queue_first(struct ce_ctl_queue *q)
{
    struct ctl_entry *best = NULL;
    for (size_t i = 0; i < q->n; i++) {
        if (q->e[i].queued && (best == NULL || q->e[i].due_ms < best->due_ms)) {
            best = &q->e[i];
        }
    }
    return best;
}

bool ce_ctl_queue_get(struct ce_ctl_queue *q, char *key, size_t keylen, int64_t timeout_ms)
{
    int64_t end = ce_clock_mono_ms() + timeout_ms;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        int64_t now = ce_clock_mono_ms();
        struct ctl_entry *e = q->shut ? NULL : queue_first(q);
        if (e != NULL && e->due_ms <= now) {
            e->queued = false;
            e->processing = true;
            snprintf(key, keylen, "%s", e->key);
            pthread_mutex_unlock(&q->mu);
            return true;
        }
        if (q->shut || now >= end) {
            pthread_mutex_unlock(&q->mu);
            return false;
        }
        int64_t wake = e != NULL && e->due_ms < end ? e->due_ms : end;
        struct timespec ts;
        ce_clock_deadline(wake - now, &ts);
        pthread_cond_timedwait(&q->cv, &q->mu, &ts);
    }
}

static int64_t queue_backoff_ms(int failures)
{
    int64_t d = CE_CTL_BACKOFF_MIN_MS;
    for (int i = 1; i < failures && d < CE_CTL_BACKOFF_MAX_MS; i++) {
        d *= 2;
    }
    return d < CE_CTL_BACKOFF_MAX_MS ? d : CE_CTL_BACKOFF_MAX_MS;
}

void ce_ctl_queue_done(struct ce_ctl_queue *q, const char *key, bool ok)
{
    pthread_mutex_lock(&q->mu);
    struct ctl_entry *e = queue_find(q, key);
    if (e != NULL) {
        e->processing = false;
        e->failures = ok ? 0 : e->failures + 1;
        int64_t now = ce_clock_mono_ms();
        if (!ok) {
            queue_at(e, now + queue_backoff_ms(e->failures));
        }
        if (e->again) {
            e->again = false;
            queue_at(e, now);
        }
        if (!e->queued && e->failures == 0) {
            ce_free(e->key);
            *e = q->e[--q->n];
        }
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

void ce_ctl_queue_shutdown(struct ce_ctl_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->shut = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

size_t ce_ctl_queue_len(struct ce_ctl_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}
