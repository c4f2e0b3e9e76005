/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents sensor`: one Sensor process. Checks what cevents can run, lays out one durable pull
 * consumer per trigger and distinct dependency subject (Argo's JetStream layout), runs their
 * threads (consume.c) until a stop signal, and serves metrics and readiness. */
#include "sensor/runtime.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/service/opsserver.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "manifest/model.h"
#include "manifest/diag.h"
#include "sensor/check.h"
#include "sensor/engine.h"
#include "sensor/filter.h"
#include "sensor/fire.h"
#include "sensor/pool.h"
#include "sensor/reset.h"
#include "sensor/sensor_int.h"
#include "sensor/state.h"
#include "triggers/trigger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define SN_DEDUP_WINDOW_MS (5 * 60 * 1000)

static void sn_unsupported(struct ce_diag *diag, const struct ce_pos *pos, const char *path,
                           const char *what)
{
    ce_diag_add(diag, CE_DIAG_ERROR, pos, path, "%s not supported yet", what);
}

/* Trigger types cevents has no plugin for yet, and conditions the engine cannot compile. */
static void sn_check_triggers(const struct ce_sensor *s, struct ce_diag *diag)
{
    char path[96];
    int *idx = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*idx));
    for (int i = 0; i < s->n_triggers; i++) {
        const struct ce_trigger *t = &s->triggers[i];
        snprintf(path, sizeof(path), "spec.triggers[%d]", i);
        if (!ce_trigger_find(t->kind)) {
            char what[64];
            snprintf(what, sizeof(what), "the %s trigger is", t->kind ? t->kind : "(none)");
            sn_unsupported(diag, &t->pos, path, what);
        }
        char err[256];
        int n = 0;
        if (ce_sn_trigger_deps(s, t, idx, &n, err, sizeof(err)) != CE_OK) {
            snprintf(path, sizeof(path), "spec.triggers[%d].template.conditions", i);
            ce_diag_add(diag, CE_DIAG_ERROR, &t->pos, path, "%s", err);
        }
        if (t->dlq != NULL && !ce_trigger_find(t->dlq->kind)) {
            char what[80];
            snprintf(what, sizeof(what), "the %s trigger (in dlqTrigger) is",
                     t->dlq->kind ? t->dlq->kind : "(none)");
            snprintf(path, sizeof(path), "spec.triggers[%d]", i);
            sn_unsupported(diag, &t->dlq->pos, path, what);
        }
    }
    ce_free(idx);
}

int ce_sensor_check_supported(const struct ce_sensor *s)
{
    struct ce_diag diag;
    ce_diag_init(&diag);
    (void)ce_sensor_check_embedded(s, &diag);
    sn_check_triggers(s, &diag);
    ce_diag_print(&diag, stderr);
    int rc = ce_diag_errors(&diag) > 0 ? CE_EINVAL : CE_OK;
    ce_diag_fini(&diag);
    return rc;
}

/* One consumer per distinct subject among the trigger's dependencies, named after the first
 * dependency with that subject, as Argo names them. */
static void sn_add_consumers(struct ce_sn_runtime *rt, struct ce_sn_trigger *tr, const int *idx,
                             int n)
{
    const struct ce_sensor *s = rt->sensor;
    for (int i = 0; i < n; i++) {
        const struct ce_dependency *d = &s->deps[idx[i]];
        char *subject = ce_bus_subject(d->event_source_name, d->event_name);
        bool seen = false;
        for (int j = 0; j < rt->n_consumers && !seen; j++) {
            seen = rt->consumers[j].trig == tr && strcmp(rt->consumers[j].subject, subject) == 0;
        }
        if (seen) {
            ce_free(subject);
            continue;
        }
        struct ce_sn_consumer *c = &rt->consumers[rt->n_consumers++];
        c->rt = rt;
        c->trig = tr;
        c->subject = subject;
        ce_bus_durable_name(s->name, tr->spec->name, d->name, c->durable, sizeof(c->durable));
    }
}

/* Whether trigger t may fire on several workers: its plugin (and dlqTrigger plugin) may run
 * concurrently and its conditions keep no state (an `&&` needs its events one at a time, in
 * order). */
static bool sn_trigger_poolable(const struct ce_sensor *s, const struct ce_trigger *t)
{
    const struct ce_trigger_plugin *p = ce_trigger_find(t->kind);
    const struct ce_trigger_plugin *dlq = t->dlq ? ce_trigger_find(t->dlq->kind) : NULL;
    return p != NULL && p->concurrent && (t->dlq == NULL || (dlq != NULL && dlq->concurrent)) &&
           !ce_sn_trigger_stateful(s, t);
}

/* How many workers fire a poolable trigger: the setting, shared out so that a Sensor holds at
 * most CE_SN_SENSOR_MAX_WORKERS in all (a hundred triggers must not mean eight hundred
 * threads); at least one. */
static int sn_trigger_workers(const struct ce_sn_runtime *rt, const struct ce_sn_trigger *tr)
{
    const struct ce_sensor *s = rt->sensor;
    if (!sn_trigger_poolable(s, tr->spec)) {
        return 1;
    }
    int pooled = 0;
    for (int i = 0; i < s->n_triggers; i++) {
        pooled += sn_trigger_poolable(s, &s->triggers[i]) ? 1 : 0;
    }
    int share = CE_SN_SENSOR_MAX_WORKERS / (pooled > 0 ? pooled : 1);
    return rt->workers < share ? rt->workers : share > 1 ? share : 1;
}

/* A trigger with more than one worker gets its pool; the others run on the consumer
 * threads. */
static int sn_start_pool(struct ce_sn_runtime *rt, struct ce_sn_trigger *tr)
{
    int workers = sn_trigger_workers(rt, tr);
    if (workers <= 1) {
        return CE_OK;
    }
    tr->inflight = ce_xcalloc((size_t)workers, sizeof(*tr->inflight));
    tr->n_inflight = workers;
    struct ce_sn_pool_config cfg = {
        .workers = workers,
        .run = ce_sn_run_pooled,
        .leave = ce_sn_hand_back,
        .arg = tr,
        .stop = &rt->stop,
        .trigger_name = tr->spec->name,
    };
    tr->pool = ce_sn_pool_create(&cfg);
    if (tr->pool == NULL) {
        return CE_EIO;
    }
    char n[16];
    snprintf(n, sizeof n, "%d", workers);
    ce_log_kv(CE_LOG_INFO, "the trigger fires on several workers at once", "triggerName",
              tr->spec->name, "workers", n, NULL);
    return CE_OK;
}

static int sn_setup(struct ce_sn_runtime *rt)
{
    const struct ce_sensor *s = rt->sensor;
    rt->triggers = ce_xcalloc((size_t)s->n_triggers + 1, sizeof(*rt->triggers));
    rt->consumers = ce_xcalloc((size_t)(s->n_triggers * s->n_deps) + 1, sizeof(*rt->consumers));
    pthread_mutex_init(&rt->prep_lock, NULL);
    char *l = ce_metrics_label_append("", "sensor_name", s->name);
    rt->dropped = ce_metrics_counter("cevents_sensor_messages_dropped_total",
                                     "Messages acknowledged without firing a trigger (not an "
                                     "event of the dependency, or undecodable).",
                                     l);
    ce_free(l);
    int *idx = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*idx));
    int rc = CE_OK;
    rt->filters = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*rt->filters));
    for (int i = 0; rc == CE_OK && i < s->n_deps; i++) {
        char err[4096];
        rc = ce_sn_filter_compile(&s->deps[i], &rt->filters[i], err, sizeof(err));
    }
    for (int i = 0; rc == CE_OK && i < s->n_triggers; i++) {
        struct ce_sn_trigger *tr = &rt->triggers[rt->n_triggers];
        tr->rt = rt;
        tr->spec = &s->triggers[i];
        tr->plugin = ce_trigger_find(tr->spec->kind);
        char err[256];
        int n = 0;
        rc = ce_sn_trigger_deps(s, tr->spec, idx, &n, err, sizeof(err));
        if (rc == CE_OK) {
            rc = ce_sn_resets_create(tr->spec, &tr->resets, err, sizeof(err));
            if (rc != CE_OK) {
                ce_log_kv(CE_LOG_ERROR, "invalid conditionsReset", "triggerName", tr->spec->name,
                          "error", err, NULL);
            }
        }
        if (rc == CE_OK) {
            rc = ce_sn_firer_create(s, tr->spec, tr->plugin, &rt->env, &rt->stop, &tr->firer);
            if (rc != CE_OK) {
                ce_sn_resets_destroy(tr->resets);
            }
        }
        if (rc == CE_OK) {
            pthread_mutex_init(&tr->lock, NULL);
            ce_dedup_init(&tr->dedup, SN_DEDUP_WINDOW_MS);
            rt->n_triggers++;
            sn_add_consumers(rt, tr, idx, n);
            rc = sn_start_pool(rt, tr);
        }
    }
    ce_free(idx);
    return rc;
}

static void sn_teardown(struct ce_sn_runtime *rt)
{
    atomic_store(&rt->stop, true);
    if (rt->reset_started) {
        pthread_join(rt->reset_thread, NULL);
    }
    for (int i = 0; i < rt->n_consumers; i++) {
        if (rt->consumers[i].started) {
            pthread_join(rt->consumers[i].thread, NULL);
        }
    }
    /* Nothing pushes any more: the workers finish what they hold and hand back the queue,
     * while the messages' subscriptions still exist. */
    for (int i = 0; i < rt->n_triggers; i++) {
        ce_sn_pool_destroy(rt->triggers[i].pool);
    }
    for (int i = 0; i < rt->n_consumers; i++) {
        ce_bus_consumer_destroy(rt->consumers[i].bus_consumer);
        ce_free(rt->consumers[i].subject);
    }
    for (int i = 0; i < rt->n_triggers; i++) {
        struct ce_sn_trigger *tr = &rt->triggers[i];
        ce_free(tr->inflight);
        ce_sn_engine_destroy(tr->engine);
        ce_sn_firer_destroy(tr->firer);
        ce_sn_resets_destroy(tr->resets);
        ce_dedup_fini(&tr->dedup);
        pthread_mutex_destroy(&tr->lock);
    }
    ce_sn_state_close(rt->state);
    for (int i = 0; rt->filters != NULL && i < rt->sensor->n_deps; i++) {
        ce_sn_filter_destroy(rt->filters[i]);
    }
    ce_free(rt->filters);
    pthread_mutex_destroy(&rt->prep_lock);
    ce_free(rt->consumers);
    ce_free(rt->triggers);
}

static bool sn_ready(void *arg)
{
    struct ce_sn_runtime *rt = arg;
    if (!ce_bus_connected(rt->bus)) {
        return false;
    }
    for (int i = 0; i < rt->n_consumers; i++) {
        if (!atomic_load(&rt->consumers[i].ready)) {
            return false;
        }
    }
    return true;
}

static void sn_on_bus_state(void *arg, bool connected)
{
    struct ce_sn_runtime *rt = arg;
    /* The bus driver logs the change; a reconnect re-checks the stream before binding. */
    if (!connected) {
        atomic_store(&rt->stream_ready, false);
    }
}

int ce_sensor_run(const struct ce_sensor *s, const struct ce_sensor_options *opt)
{
    struct ce_sn_runtime rt = {
        .sensor = s, .env = {.secrets_dir = opt->secrets_dir, .config_dir = opt->config_dir}};
    struct ce_opsserver *ops = NULL;
    struct ce_bus_config cfg = opt->bus;
    cfg.name = s->name;
    if (ce_bus_create(&cfg, sn_on_bus_state, &rt, &rt.bus) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "invalid event bus configuration", "url", cfg.url, NULL);
        return 1;
    }
    rt.workers = opt->trigger_workers > 0 ? opt->trigger_workers : CE_SENSOR_DEFAULT_WORKERS;
    int rc = sn_setup(&rt);
    if (rc == CE_OK && opt->metrics_port > 0) {
        rc = ce_opsserver_start(opt->metrics_port, sn_ready, &rt, &ops); /* logs why not */
    }
    for (int i = 0; rc == CE_OK && i < rt.n_consumers; i++) {
        rt.consumers[i].started =
            pthread_create(&rt.consumers[i].thread, NULL, ce_sn_consume, &rt.consumers[i]) == 0;
    }
    if (rc == CE_OK) {
        rt.reset_started = pthread_create(&rt.reset_thread, NULL, ce_sn_reset_loop, &rt) == 0;
    }
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Sensor started.", NULL);
        bool subscribed = false;
        while (opt->wait_stop(subscribed ? 500 : 50) == 0) {
            if (!subscribed && sn_ready(&rt)) {
                /* `cevents run` waits for this line before it starts the event sources, so
                 * the first events already find the durable consumers (Argo's DeliverNew). */
                ce_log_kv(CE_LOG_INFO, CE_SENSOR_SUBSCRIBED_MSG, NULL);
                subscribed = true;
            }
        }
        ce_log_kv(CE_LOG_INFO, "shutting down", NULL);
    }
    sn_teardown(&rt);
    ce_opsserver_stop(ops);
    ce_bus_destroy(rt.bus);
    return ce_rc_exit_status(rc);
}
