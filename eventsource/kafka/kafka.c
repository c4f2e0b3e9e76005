/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka EventSource: one librdkafka consumer and thread per event, in Argo's two modes (a
 * consumer group, or one partition). An offset is committed only after the bus acknowledged the
 * message's event; while the bus does not take events the partition is paused, not skipped. */
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventsource/emit.h"
#include "eventsource/kafka/config.h"
#include "eventsource/kafka/data.h"
#include "eventsource/kafka/kafka_int.h"
#include "eventbus/bus.h"
#include "manifest/model.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct kafka_state {
    struct kq_event *events;
    int n_events;
    atomic_bool stop;
};

static void kafka_event_init(struct kafka_state *st, struct kq_event *ke,
                             const struct ce_source_env *env, const struct ce_source_event *ev)
{
    ke->ev = ev;
    ke->cfg = ev->spec->config;
    ke->env = env;
    ke->stop = &st->stop;
    atomic_init(&ke->in_flight, 0);
    ce_buf_init(&ke->data, KQ_DATA_MAX);
    pthread_mutex_init(&ke->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ke->cv, &ca);
    pthread_condattr_destroy(&ca);
    /* partition mode's record in the bus: one key per event, brokers, topic and partition */
    ce_kafka_event_id(ev->em->source_name, ev->em->event_name, ke->cfg->url, ke->cfg->topic,
                      ke->cfg->partition, -1, ke->kv_key);
    const char *ns = env->es->namespace_;
    char *l1 = ce_metrics_label_append("", "namespace", ns ? ns : "");
    char *l2 = ce_metrics_label_append(l1, "eventsource_name", ev->em->source_name);
    char *labels = ce_metrics_label_append(l2, "event_name", ev->em->event_name);
    ke->paused_gauge = ce_metrics_gauge(
        "cevents_eventsource_kafka_paused_partitions",
        "Partitions paused because the event bus did not take their events.", labels);
    ce_free(l1);
    ce_free(l2);
    ce_free(labels);
}

static void kafka_event_fini(struct kq_event *ke)
{
    if (ke->rk != NULL) {
        rd_kafka_destroy(ke->rk);
    }
    pthread_mutex_lock(&ke->mu);
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        p->revoked = true;
    }
    kq_advance(ke);
    kq_reap(ke);
    pthread_mutex_unlock(&ke->mu);
    ce_bus_kv_close(ke->kv);
    ce_buf_fini(&ke->data);
    pthread_cond_destroy(&ke->cv);
    pthread_mutex_destroy(&ke->mu);
}

static void kafka_stop(void *state)
{
    struct kafka_state *st = state;
    if (st == NULL) {
        return;
    }
    atomic_store(&st->stop, true);
    for (int i = 0; i < st->n_events; i++) {
        if (st->events[i].thread_started) {
            pthread_join(st->events[i].thread, NULL);
        }
    }
    for (int i = 0; i < st->n_events; i++) {
        kafka_event_fini(&st->events[i]);
    }
    ce_free(st->events);
    ce_free(st);
}

static int kafka_start(const struct ce_source_env *env, void **state)
{
    struct kafka_state *st = ce_xcalloc(1, sizeof(*st));
    atomic_init(&st->stop, false);
    st->events = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->events));
    int rc = CE_OK;
    for (int i = 0; i < env->n_events && rc == CE_OK; i++) {
        struct kq_event *ke = &st->events[st->n_events++];
        kafka_event_init(st, ke, env, &env->events[i]);
        rc = kq_client_create(ke);
        if (rc == CE_OK && pthread_create(&ke->thread, NULL, kq_thread, ke) != 0) {
            rc = CE_EIO;
        }
        ke->thread_started = rc == CE_OK;
    }
    if (rc != CE_OK) {
        kafka_stop(st);
        return rc;
    }
    ce_log_kv(CE_LOG_INFO, "Kafka consumers started", NULL);
    *state = st;
    return CE_OK;
}

static void kafka_quiesce(void *state)
{
    struct kafka_state *st = state;
    atomic_store(&st->stop, true);
}

static int kafka_in_flight(void *state)
{
    struct kafka_state *st = state;
    int n = 0;
    for (int i = 0; i < st->n_events; i++) {
        n += atomic_load(&st->events[i].in_flight);
    }
    return n;
}

extern const struct ce_source_plugin ce_source_kafka;
const struct ce_source_plugin ce_source_kafka = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_kafka_decoder,
    .start = kafka_start,
    .quiesce = kafka_quiesce,
    .in_flight = kafka_in_flight,
    .stop = kafka_stop,
};
