/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource process: bus connection (kept alive and re-checked), the source plugins, the
 * operations endpoint, and an orderly shutdown that answers every accepted event first. */
#include "eventsource/runtime.h"
#include "core/base/clock.h"
#include "cmd/cli.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/service/opsserver.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventsource/backlog.h"
#include "eventsource/filter.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct es_runtime {
    struct ce_bus *bus;
    struct ce_es_backlog_guard backlog;
    atomic_bool stream_ready;
    const struct ce_source_plugin *plugins[8];
    void *states[8];
    int n_plugins;
};

static bool es_ready(void *arg)
{
    struct es_runtime *rt = arg;
    return ce_bus_connected(rt->bus) && atomic_load(&rt->stream_ready);
}

int ce_eventsource_check_embedded(const struct ce_eventsource *es, struct ce_diag *diag)
{
    int rc = CE_OK;
    for (int i = 0; i < es->n_webhooks; i++) {
        const struct ce_webhook_event *ev = &es->webhooks[i];
        struct ce_es_filter *f = NULL;
        char err[512];
        if (ev->filter_expression &&
            ce_es_filter_compile(ev->filter_expression, &f, err, sizeof err) != CE_OK) {
            char path[160];
            snprintf(path, sizeof path, "spec.webhook.%s.filter.expression", ev->event_name);
            ce_diag_add(diag, CE_DIAG_ERROR, &ev->pos, path, "%s", err);
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

static const struct ce_eventsource *es_pick(const struct ce_manifest_set *set, const char *name)
{
    const struct ce_eventsource *found = NULL;
    for (int i = 0; i < set->n_eventsources; i++) {
        if (!name || strcmp(set->eventsources[i]->name, name) == 0) {
            if (found) {
                fprintf(stderr, "cevents: several EventSources found: pick one with --name\n");
                return NULL;
            }
            found = set->eventsources[i];
        }
    }
    if (!found) {
        fprintf(stderr, "cevents: no EventSource%s%s found\n", name ? " named " : "",
                name ? name : "");
    }
    return found;
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

static int es_start_plugins(struct es_runtime *rt, const struct ce_source_env *env)
{
    const struct ce_eventsource *es = env->es;
    for (int i = 0; i < es->n_source_types && rt->n_plugins < 8; i++) {
        const struct ce_source_plugin *p = ce_source_find(es->source_types[i]);
        int rc = p->start(env, &rt->states[rt->n_plugins]);
        if (rc != CE_OK) {
            return rc;
        }
        rt->plugins[rt->n_plugins++] = p;
    }
    return CE_OK;
}

static int es_in_flight(const struct es_runtime *rt)
{
    int n = 0;
    for (int i = 0; i < rt->n_plugins; i++) {
        n += rt->plugins[i]->in_flight(rt->states[i]);
    }
    return n;
}

/* Stops taking events, then waits (bounded) until every accepted one has its answer. */
static void es_shutdown(struct es_runtime *rt, int bound_ms)
{
    for (int i = 0; i < rt->n_plugins; i++) {
        rt->plugins[i]->quiesce(rt->states[i]);
    }
    int64_t start = ce_clock_mono_ms();
    while (es_in_flight(rt) > 0) {
        if (ce_clock_mono_ms() - start > bound_ms) {
            ce_log_kv(CE_LOG_WARN, "stopping with events still in flight", NULL);
            break;
        }
        ce_clock_sleep_ms(5);
    }
    for (int i = rt->n_plugins - 1; i >= 0; i--) {
        rt->plugins[i]->stop(rt->states[i]);
    }
}

static void es_register_running(const struct ce_eventsource *es)
{
    char *l1 = ce_metrics_label_append("", "namespace", es->namespace_ ? es->namespace_ : "");
    char *labels = ce_metrics_label_append(l1, "eventsource_name", es->name);
    struct ce_metric *running = ce_metrics_gauge(
        "argo_events_event_service_running_total",
        "How many configured events in the EventSource object are actively running.", labels);
    ce_metric_set(running, es->n_webhooks);
    ce_free(l1);
    ce_free(labels);
}

static int es_run(const struct ce_cli *cli, const struct ce_manifest_set *set,
                  const struct ce_eventsource *es)
{
    struct es_runtime rt = {0};
    ce_es_backlog_guard_init(&rt.backlog, es->name);
    struct ce_opsserver *ops = NULL;
    struct ce_bus_config cfg;
    ce_cli_bus_config(cli, set, &cfg);
    cfg.name = es->name;
    int rc = ce_bus_create(&cfg, es_on_bus_state, &rt, &rt.bus);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "invalid event bus configuration", "url", cfg.url, NULL);
        return 1;
    }
    if (cli->metrics_port > 0 &&
        ce_opsserver_start(cli->metrics_port, es_ready, &rt, &ops) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to serve metrics", NULL);
        ce_bus_destroy(rt.bus);
        return 1;
    }
    es_register_running(es);
    struct ce_source_env env = {rt.bus, es, cli->secrets_dir, cli->retry_after_s};
    /* Start serving even when the bus is late: requests get 503 until it is up. */
    if (ce_bus_wait_connected(rt.bus, 2000) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "event bus not reachable yet; answering 503 until it is", "url",
                  cfg.url, NULL);
    }
    es_keep_stream(&rt);
    rc = es_start_plugins(&rt, &env);
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Eventing server started.", NULL);
        while (ce_cli_wait_signal(200) == 0) {
            es_keep_stream(&rt);
            if (atomic_load(&rt.stream_ready)) {
                ce_es_backlog_check(&rt.backlog, rt.bus);
            }
        }
        ce_log_kv(CE_LOG_INFO, "shutting down: finishing events in flight", NULL);
    }
    es_shutdown(&rt, cli->publish_timeout_ms + 2000);
    ce_opsserver_stop(ops);
    ce_bus_destroy(rt.bus);
    return rc == CE_OK ? 0 : 1;
}

int ce_eventsource_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    int begun = ce_cli_begin("eventsource", argc, argv, &cli, &set);
    if (begun != 0) {
        return begun;
    }
    const struct ce_eventsource *es = es_pick(set, cli.name);
    if (!es || ce_eventsource_check_supported(es) != CE_OK) {
        ce_manifest_set_destroy(set);
        return 1;
    }
    ce_log_init("argo-events.eventsource", cli.log_format, cli.log_level, 1);
    ce_log_add_base_field("eventSourceName", es->name);
    int code = es_run(&cli, set, es);
    ce_manifest_set_destroy(set);
    return code;
}
