/* SPDX-License-Identifier: Apache-2.0 */
/* The Sensor process's shared state, between runtime.c (life cycle) and consume.c (the
 * consumer threads). Not for other modules. */
#ifndef CE_SENSOR_SENSOR_INT_H
#define CE_SENSOR_SENSOR_INT_H

#include "sensor/dedup.h"
#include "triggers/trigger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct ce_bus;
struct ce_bus_consumer;
struct ce_bus_msg;
struct ce_metric;
struct ce_sensor;
struct ce_sn_engine;
struct ce_sn_filter;
struct ce_sn_firer;
struct ce_sn_pool;
struct ce_sn_resets;
struct ce_sn_runtime;
struct ce_sn_state;
struct ce_trigger;
struct ce_trigger_plugin;

struct ce_sn_trigger {
    struct ce_sn_runtime *rt;
    const struct ce_trigger *spec;
    const struct ce_trigger_plugin *plugin;
    struct ce_sn_firer *firer;
    struct ce_sn_engine *engine; /* made once the bus is reachable: it needs the state store */
    struct ce_sn_resets *resets; /* conditionsReset schedules, or NULL */
    int64_t next_reset;          /* Unix seconds; 0: not computed yet */
    /* Serial triggers: one event at a time, and guards dedup. Pooled ones: guards dedup and
     * inflight only. */
    pthread_mutex_t lock;
    struct ce_dedup dedup;
    /* A trigger run by a worker pool (its plugin is concurrent and its conditions keep no
     * state): the pool, and the event ids its workers have in hand, one slot per worker (""
     * free), so a redelivery that overtakes its first delivery waits for it. NULL: serial,
     * run on the consumer threads. */
    struct ce_sn_pool *pool;
    char (*inflight)[CE_DEDUP_ID_MAX];
    int n_inflight;
};

/* One durable consumer: a trigger and one distinct subject among its dependencies. */
struct ce_sn_consumer {
    struct ce_sn_runtime *rt;
    struct ce_sn_trigger *trig;
    char durable[32];
    char *subject;
    struct ce_bus_consumer *bus_consumer;
    atomic_bool ready;
    pthread_t thread;
    bool started;
};

struct ce_sn_runtime {
    const struct ce_sensor *sensor;
    struct ce_trigger_env env; /* secrets and config maps for the triggers */
    struct ce_bus *bus;
    atomic_bool stop;
    atomic_bool stream_ready;
    pthread_mutex_t prep_lock;
    atomic_bool prepared; /* state store open, reconciled, engines made */
    struct ce_sn_state *state;
    struct ce_sn_filter **filters; /* per dependency, NULL entries for none */
    struct ce_sn_trigger *triggers;
    int n_triggers;
    struct ce_sn_consumer *consumers;
    int n_consumers;
    int workers; /* a pooled trigger's worker count */
    struct ce_metric *dropped;
    pthread_t reset_thread;
    bool reset_started;
};

/* Consumer thread body (arg: struct ce_sn_consumer). */
void *ce_sn_consume(void *arg);
/* A pooled trigger's worker pool: processes (arg: struct ce_sn_trigger) or hands back m. */
void ce_sn_run_pooled(void *arg, struct ce_bus_msg *m);
void ce_sn_hand_back(void *arg, struct ce_bus_msg *m);
/* conditionsReset thread body (arg: struct ce_sn_runtime). */
void *ce_sn_reset_loop(void *arg);

#endif
