/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource process: bus connection (kept alive and re-checked), the source plugins, the
 * operations endpoint, and an orderly shutdown that answers every accepted event first. */
#include "eventsource/runtime.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/service/opsserver.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventsource/backlog.h"
#include "eventsource/emit.h"
#include "eventsource/filter.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* One source type of the EventSource, its plugin and what the plugin was given. */
struct es_plugin_run {
    const struct ce_source_plugin *plugin;
    void *state;
    struct ce_source_env env;
    struct ce_source_event *events;
};

struct es_runtime {
    struct ce_bus *bus;
    struct ce_es_backlog_guard backlog;
    atomic_bool stream_ready;
    struct es_plugin_run *runs; /* one per source type */
    int n_runs;
    atomic_bool plugins_up;   /* runs may be read by the readiness check */
    pthread_mutex_t ready_mu; /* held by the readiness check while it reads runs */
};

static bool es_plugins_ready(struct es_runtime *rt)
{
    pthread_mutex_lock(&rt->ready_mu);
    bool ready = atomic_load(&rt->plugins_up);
    for (int i = 0; ready && i < rt->n_runs; i++) {
        const struct es_plugin_run *run = &rt->runs[i];
        ready = run->plugin->ready == NULL || run->state == NULL || run->plugin->ready(run->state);
    }
    pthread_mutex_unlock(&rt->ready_mu);
    return ready;
}

static bool es_ready(void *arg)
{
    struct es_runtime *rt = arg;
    return ce_bus_connected(rt->bus) && atomic_load(&rt->stream_ready) && es_plugins_ready(rt);
}

int ce_eventsource_check_embedded(const struct ce_eventsource *es, struct ce_diag *diag)
{
    int rc = CE_OK;
    for (int i = 0; i < es->n_events; i++) {
        const struct ce_es_event *ev = &es->events[i];
        struct ce_es_filter *f = NULL;
        char err[512];
        if (ev->filter_expression &&
            ce_es_filter_compile(ev->filter_expression, &f, err, sizeof err) != CE_OK) {
            char path[160];
            snprintf(path, sizeof path, "spec.%s.%s", ev->type, ev->name);
            char *text = ce_xasprintf("filter.expression: %s", err);
            ce_diag_add_found(diag, CE_DIAG_ERROR, &ev->pos, ev->node, path, text);
            ce_free(text);
            rc = CE_EINVAL;
        }
        ce_es_filter_destroy(f);
    }
    return rc;
}

int ce_eventsource_check_supported(const struct ce_eventsource *es)
{
    struct ce_diag diag;
    ce_diag_init(&diag);
    for (int i = 0; i < es->n_source_types; i++) {
        if (!ce_source_find(es->source_types[i])) {
            char path[96];
            snprintf(path, sizeof path, "spec.%s", es->source_types[i]);
            ce_diag_add(&diag, CE_DIAG_ERROR, &es->pos, path,
                        "event source type not supported yet");
        }
    }
    (void)ce_eventsource_check_embedded(es, &diag);
    if (es->n_source_types == 0) {
        ce_diag_add(&diag, CE_DIAG_ERROR, &es->pos, "spec", "the EventSource defines no events");
    }
    ce_diag_print(&diag, stderr);
    int rc = ce_diag_errors(&diag) > 0 ? CE_EINVAL : CE_OK;
    ce_diag_fini(&diag);
    return rc;
}

/* Re-creates the stream after every reconnect: a restarted server may have lost it. */
static void es_keep_stream(struct es_runtime *rt)
{
    if (!ce_bus_connected(rt->bus)) {
        atomic_store(&rt->stream_ready, false);
        return;
    }
    if (!atomic_load(&rt->stream_ready) && ce_bus_ensure_stream(rt->bus) == CE_OK) {
        atomic_store(&rt->stream_ready, true);
    }
}

static void es_on_bus_state(void *arg, bool connected)
{
    struct es_runtime *rt = arg;
    /* The bus driver logs the change; a reconnect re-checks the stream before publishing. */
    if (!connected) {
        atomic_store(&rt->stream_ready, false);
    }
}

/* The emitters of one type's events, each with its filter. CE_OK or CE_EINVAL (logged). */
static int es_make_emitters(const struct ce_eventsource *es, struct es_plugin_run *run,
                            const char *type)
{
    run->events = ce_xcalloc((size_t)es->n_events + 1, sizeof(*run->events));
    for (int i = 0; i < es->n_events; i++) {
        const struct ce_es_event *ev = &es->events[i];
        if (strcmp(ev->type, type) != 0) {
            continue;
        }
        struct ce_source_event *se = &run->events[run->env.n_events++];
        se->spec = ev;
        se->em = ce_emitter_create(run->env.bus, es->namespace_, es->name, ev->name, type);
        if (ev->filter_expression != NULL) {
            struct ce_es_filter *f = NULL;
            char err[512];
            if (ce_es_filter_compile(ev->filter_expression, &f, err, sizeof err) != CE_OK) {
                ce_log_kv(CE_LOG_ERROR, "invalid filter expression", "eventName", ev->name, "error",
                          err, NULL);
                return CE_EINVAL;
            }
            ce_emitter_set_filter(se->em, f);
        }
    }
    return CE_OK;
}

static int es_start_plugins(struct es_runtime *rt, const struct ce_source_env *base)
{
    const struct ce_eventsource *es = base->es;
    rt->runs = ce_xcalloc((size_t)es->n_source_types + 1, sizeof(*rt->runs));
    for (int i = 0; i < es->n_source_types; i++) {
        struct es_plugin_run *run = &rt->runs[rt->n_runs++];
        run->plugin = ce_source_find(es->source_types[i]);
        run->env = *base;
        int rc = es_make_emitters(es, run, es->source_types[i]);
        run->env.events = run->events;
        if (rc == CE_OK) {
            rc = run->plugin->start(&run->env, &run->state);
        }
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

static int es_in_flight(const struct es_runtime *rt)
{
    int n = 0;
    for (int i = 0; i < rt->n_runs; i++) {
        if (rt->runs[i].state != NULL) {
            n += rt->runs[i].plugin->in_flight(rt->runs[i].state);
        }
    }
    return n;
}

/* Stops taking events, then waits (bounded) until every accepted one has its answer. */
static void es_shutdown(struct es_runtime *rt, int bound_ms)
{
    for (int i = 0; i < rt->n_runs; i++) {
        if (rt->runs[i].state != NULL) {
            rt->runs[i].plugin->quiesce(rt->runs[i].state);
        }
    }
    int64_t start = ce_clock_mono_ms();
    while (es_in_flight(rt) > 0) {
        if (ce_clock_mono_ms() - start > bound_ms) {
            ce_log_kv(CE_LOG_WARN, "stopping with events still in flight", NULL);
            break;
        }
        ce_clock_sleep_ms(5);
    }
    for (int i = rt->n_runs - 1; i >= 0; i--) {
        struct es_plugin_run *run = &rt->runs[i];
        run->plugin->stop(run->state);
        for (int j = 0; j < run->env.n_events; j++) {
            ce_emitter_destroy(run->events[j].em);
        }
        ce_free(run->events);
    }
    ce_free(rt->runs);
}

/* An event the bus cannot take would be refused with 413 at every try: say so at start. */
static void es_check_event_size(const struct ce_eventsource *es, struct ce_bus *bus)
{
    const struct ce_es_event *ev = NULL;
    int64_t need = ce_source_max_event_bytes(es, &ev);
    int64_t max = ce_bus_max_payload(bus);
    if (max > 0 && need > max) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%lld", (long long)need);
        snprintf(b, sizeof b, "%lld", (long long)max);
        ce_log_kv(CE_LOG_WARN,
                  "events of this size may not fit the event bus: larger requests will be "
                  "answered 413; raise the bus's max_payload or lower maxPayloadSize",
                  "eventName", ev->name, "eventBytes", a, "busMaxPayload", b, NULL);
    }
}

static void es_register_running(const struct ce_eventsource *es)
{
    char *l1 = ce_metrics_label_append("", "namespace", es->namespace_ ? es->namespace_ : "");
    char *labels = ce_metrics_label_append(l1, "eventsource_name", es->name);
    struct ce_metric *running = ce_metrics_gauge(
        "argo_events_event_service_running_total",
        "How many configured events in the EventSource object are actively running.", labels);
    ce_metric_set(running, es->n_events);
    ce_free(l1);
    ce_free(labels);
}

int ce_eventsource_run(const struct ce_eventsource *es, const struct ce_eventsource_options *opt)
{
    struct es_runtime rt = {0};
    pthread_mutex_init(&rt.ready_mu, NULL);
    ce_es_backlog_guard_init(&rt.backlog, es->name);
    struct ce_opsserver *ops = NULL;
    struct ce_bus_config cfg = opt->bus;
    cfg.name = es->name;
    int rc = ce_bus_create(&cfg, es_on_bus_state, &rt, &rt.bus);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "invalid event bus configuration", "url", cfg.url, NULL);
        return 1;
    }
    rc = opt->metrics_port > 0 ? ce_opsserver_start(opt->metrics_port, es_ready, &rt, &ops) : CE_OK;
    if (rc != CE_OK) {
        ce_bus_destroy(rt.bus);
        return ce_rc_exit_status(rc);
    }
    es_register_running(es);
    struct ce_source_env env = {.bus = rt.bus,
                                .es = es,
                                .secrets_dir = opt->secrets_dir,
                                .retry_after_s = opt->retry_after_s};
    /* Start serving even when the bus is late: requests get 503 until it is up. */
    if (ce_bus_wait_connected(rt.bus, 2000) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "event bus not reachable yet; answering 503 until it is", "url",
                  cfg.url, NULL);
    }
    es_keep_stream(&rt);
    es_check_event_size(es, rt.bus);
    rc = es_start_plugins(&rt, &env);
    if (rc == CE_OK) {
        atomic_store(&rt.plugins_up, true);
        ce_log_kv(CE_LOG_INFO, "Eventing server started.", NULL);
        while (opt->wait_stop(200) == 0) {
            es_keep_stream(&rt);
            if (atomic_load(&rt.stream_ready)) {
                ce_es_backlog_check(&rt.backlog, rt.bus);
            }
        }
        ce_log_kv(CE_LOG_INFO, "shutting down: finishing events in flight", NULL);
    }
    pthread_mutex_lock(&rt.ready_mu); /* no readiness check reads the runs past this */
    atomic_store(&rt.plugins_up, false);
    pthread_mutex_unlock(&rt.ready_mu);
    es_shutdown(&rt, opt->publish_timeout_ms + 2000);
    ce_opsserver_stop(ops);
    ce_bus_destroy(rt.bus);
    pthread_mutex_destroy(&rt.ready_mu);
    return ce_rc_exit_status(rc);
}
