/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's worker pool: a bounded queue of fetched messages and a fixed number of threads
 * that take them in fetch order and run them. The consumer threads push what they fetch and
 * fetch only as much as the queue has room for, so a slow target holds messages on the bus
 * (where another Sensor or a restart can have them), not in memory. Once the process is
 * stopping, a worker hands back what it takes instead of running it. */
#ifndef CE_SENSOR_POOL_H
#define CE_SENSOR_POOL_H

#include <stdatomic.h>
#include <stdbool.h>

#define CE_SN_POOL_MAX_WORKERS 64
/* Workers of all a Sensor's pooled triggers together (each trigger keeps at least one). */
#define CE_SN_SENSOR_MAX_WORKERS 64
#define CE_SN_POOL_QUEUE_PER_WORKER 16 /* queued messages per worker: the fetch window */

struct ce_bus_msg;
struct ce_sn_pool;

/* Runs (or hands back) one message; the pool destroys the message afterwards. */
typedef void ce_sn_pool_fn(void *arg, struct ce_bus_msg *m);

struct ce_sn_pool_config {
    int workers;              /* 1..CE_SN_POOL_MAX_WORKERS */
    ce_sn_pool_fn *run;       /* a message taken while running */
    ce_sn_pool_fn *leave;     /* a message taken once *stop is set: hand it back */
    void *arg;                /* for run and leave */
    const atomic_bool *stop;  /* the process is stopping */
    const char *trigger_name; /* for the hand-back log line */
};

/* Starts the workers. NULL when no thread could be started (logged). */
struct ce_sn_pool *ce_sn_pool_create(const struct ce_sn_pool_config *cfg);
/* How many messages the queue can take now (0: wait with ce_sn_pool_wait_room). */
int ce_sn_pool_room(struct ce_sn_pool *p);
/* Waits up to timeout_ms for room in the queue. */
void ce_sn_pool_wait_room(struct ce_sn_pool *p, int timeout_ms);
/* Queues m (the pool owns it from now on), waiting for room; false once the process is
 * stopping and nothing was queued (m stays the caller's). */
bool ce_sn_pool_push(struct ce_sn_pool *p, struct ce_bus_msg *m);
/* Call once *stop is set and nothing pushes any more: the workers finish the message each has
 * in hand, hand back the queued ones, and are joined. Accepts NULL. */
void ce_sn_pool_destroy(struct ce_sn_pool *p);

#endif
