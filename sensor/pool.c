/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's worker pool: see pool.h. */
#include "sensor/pool.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventbus/bus.h"

#include <pthread.h>
#include <stdio.h>

#define POOL_POLL_MS 200 /* how soon a waiting thread notices the stop */

struct ce_sn_pool {
    struct ce_sn_pool_config cfg;
    pthread_mutex_t mu;
    pthread_cond_t has_work; /* a message was queued, or the pool closes */
    pthread_cond_t has_room; /* a message was taken */
    struct ce_bus_msg **ring;
    int cap, head, len;
    bool closing;
    pthread_t *threads;
    int n_threads;
    atomic_int handed_back;
};

/* The next message, or NULL once the pool closes with an empty queue. */
static struct ce_bus_msg *pool_take(struct ce_sn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->len == 0 && !p->closing) {
        pthread_cond_wait(&p->has_work, &p->mu);
    }
    struct ce_bus_msg *m = NULL;
    if (p->len > 0) {
        m = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->len--;
        pthread_cond_signal(&p->has_room);
    }
    pthread_mutex_unlock(&p->mu);
    return m;
}

static void *pool_worker(void *arg)
{
    struct ce_sn_pool *p = arg;
    struct ce_bus_msg *m;
    while ((m = pool_take(p)) != NULL) {
        if (atomic_load(p->cfg.stop)) {
            p->cfg.leave(p->cfg.arg, m);
            atomic_fetch_add(&p->handed_back, 1);
        }
        else {
            p->cfg.run(p->cfg.arg, m);
        }
        ce_bus_msg_destroy(m);
    }
    return NULL;
}

static void pool_free(struct ce_sn_pool *p)
{
    pthread_cond_destroy(&p->has_work);
    pthread_cond_destroy(&p->has_room);
    pthread_mutex_destroy(&p->mu);
    ce_free(p->threads);
    ce_free(p->ring);
    ce_free(p);
}

struct ce_sn_pool *ce_sn_pool_create(const struct ce_sn_pool_config *cfg)
{
    struct ce_sn_pool *p = ce_xcalloc(1, sizeof(*p));
    p->cfg = *cfg;
    int workers = cfg->workers < 1                        ? 1
                  : cfg->workers > CE_SN_POOL_MAX_WORKERS ? CE_SN_POOL_MAX_WORKERS
                                                          : cfg->workers;
    p->cap = workers * CE_SN_POOL_QUEUE_PER_WORKER;
    p->ring = ce_xcalloc((size_t)p->cap, sizeof(*p->ring));
    p->threads = ce_xcalloc((size_t)workers, sizeof(*p->threads));
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->has_work, NULL);
    pthread_cond_init(&p->has_room, &ca);
    pthread_condattr_destroy(&ca);
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[p->n_threads], NULL, pool_worker, p) == 0) {
            p->n_threads++;
        }
    }
    if (p->n_threads == 0) {
        ce_log_kv(CE_LOG_ERROR, "could not start the trigger's workers", "triggerName",
                  cfg->trigger_name, NULL);
        pool_free(p);
        return NULL;
    }
    return p;
}

int ce_sn_pool_room(struct ce_sn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int room = p->cap - p->len;
    pthread_mutex_unlock(&p->mu);
    return room;
}

void ce_sn_pool_wait_room(struct ce_sn_pool *p, int timeout_ms)
{
    struct timespec until;
    ce_clock_deadline(timeout_ms, &until);
    pthread_mutex_lock(&p->mu);
    if (p->len == p->cap && !p->closing) {
        (void)pthread_cond_timedwait(&p->has_room, &p->mu, &until);
    }
    pthread_mutex_unlock(&p->mu);
}

bool ce_sn_pool_push(struct ce_sn_pool *p, struct ce_bus_msg *m)
{
    pthread_mutex_lock(&p->mu);
    while (p->len == p->cap && !p->closing && !atomic_load(p->cfg.stop)) {
        struct timespec until;
        ce_clock_deadline(POOL_POLL_MS, &until);
        (void)pthread_cond_timedwait(&p->has_room, &p->mu, &until);
    }
    bool queued = p->len < p->cap && !p->closing && !atomic_load(p->cfg.stop);
    if (queued) {
        p->ring[(p->head + p->len) % p->cap] = m;
        p->len++;
        pthread_cond_signal(&p->has_work);
    }
    pthread_mutex_unlock(&p->mu);
    return queued;
}

void ce_sn_pool_destroy(struct ce_sn_pool *p)
{
    if (p == NULL) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->closing = true;
    pthread_cond_broadcast(&p->has_work);
    pthread_cond_broadcast(&p->has_room);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    int left = atomic_load(&p->handed_back);
    if (left > 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", left);
        ce_log_kv(CE_LOG_INFO, "stopping: events handed back for the next start", "triggerName",
                  p->cfg.trigger_name, "events", count, NULL);
    }
    pool_free(p);
}
