/* SPDX-License-Identifier: Apache-2.0 */
/* Sensor process: one durable pull consumer and one thread per (trigger, dependency), as Argo
 * lays them out on JetStream. Each message is decoded, matched to its dependency, fired at the
 * trigger and acknowledged per DESIGN.md §4: before the attempt when atLeastOnce is false
 * (Argo's meaning), after a final outcome when it is true. */
#include "sensor/runtime.h"
#include "core/clock.h"
#include "cmd/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "core/opsserver.h"
#include "core/rc.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "sensor/dedup.h"
#include "triggers/trigger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SN_FETCH_BATCH 64
#define SN_FETCH_WAIT_MS 500
#define SN_DEDUP_WINDOW_MS (5 * 60 * 1000)

struct sn_trigger {
    const struct ce_trigger *spec;
    const struct ce_trigger_plugin *plugin;
    void *state;
    pthread_mutex_t lock; /* one firing at a time per trigger, and guards dedup */
    struct ce_dedup dedup;
    struct ce_metric *triggered, *failed, *retries_failed, *duration;
};

struct sn_consumer {
    struct sn_runtime *rt;
    struct sn_trigger *trig;
    const struct ce_dependency *dep;
    char durable[32];
    char *subject;
    struct ce_bus_consumer *bus_consumer;
    atomic_bool ready;
    pthread_t thread;
    bool started;
};

struct sn_runtime {
    const struct ce_sensor *sensor;
    struct ce_bus *bus;
    atomic_bool stop;
    atomic_bool stream_ready;
    struct sn_trigger *triggers;
    int n_triggers;
    struct sn_consumer *consumers;
    int n_consumers;
    struct ce_metric *dropped;
};

/* Every drop is counted and logged with the event id: nothing disappears silently. */
static void sn_drop(struct sn_consumer *c, struct ce_bus_msg *m, const char *id, const char *why)
{
    ce_metric_inc(c->rt->dropped);
    ce_log_kv(CE_LOG_WARN, "dropping a message", "triggerName", c->trig->spec->name,
              "dependencyName", c->dep->name, "eventID", id ? id : m->msg_id, "reason", why, NULL);
    if (ce_bus_msg_ack(m) != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "failed to acknowledge a dropped message; it will come back",
                  "eventID", id ? id : m->msg_id, NULL);
    }
}

static void sn_log_outcome(struct sn_consumer *c, const struct ce_cloudevent *ev, int rc,
                           const char *err)
{
    const struct ce_trigger *t = c->trig->spec;
    if (rc == CE_OK) {
        char *msg = ce_xasprintf("Successfully processed trigger '%s'", t->name);
        struct ce_buf deps, ids;
        ce_buf_init(&deps, 0);
        ce_buf_init(&ids, 0);
        int brc = ce_buf_puts(&deps, "[");
        brc |= ce_buf_json_str(&deps, c->dep->name, strlen(c->dep->name));
        brc |= ce_buf_puts(&deps, "]");
        brc |= ce_buf_puts(&ids, "[");
        brc |= ce_buf_json_str(&ids, ev->id, strlen(ev->id));
        brc |= ce_buf_puts(&ids, "]");
        struct ce_log_field fields[] = {
            {"triggerName", t->name, false},
            {"triggeredBy", brc == CE_OK ? deps.data : "[]", true},
            {"triggeredByEvents", brc == CE_OK ? ids.data : "[]", true},
        };
        ce_log_fields(CE_LOG_INFO, msg, fields, 3);
        ce_buf_fini(&deps);
        ce_buf_fini(&ids);
        ce_free(msg);
        return;
    }
    ce_log_kv(CE_LOG_ERROR, "Failed to execute a trigger", "triggerName", t->name, "error",
              err && err[0] ? err : ce_rc_str(rc), "eventID", ev->id, NULL);
}

/* Fires the trigger once; counts and logs the outcome. */
static int sn_fire(struct sn_consumer *c, const struct ce_cloudevent *ev)
{
    struct sn_trigger *tr = c->trig;
    struct ce_trigger_event te = {c->dep->name, ev};
    char err[256] = "";
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = tr->plugin->execute(tr->state, &te, 1, err, sizeof(err));
    ce_metric_observe(tr->duration, ce_clock_ms_since(&start));
    ce_metric_inc(rc == CE_OK ? tr->triggered : tr->failed);
    sn_log_outcome(c, ev, rc, err);
    return rc;
}

static void sn_process(struct sn_consumer *c, struct ce_bus_msg *m)
{
    struct ce_cloudevent ev;
    char err[160];
    if (ce_cloudevent_decode(m->data, m->len, &ev, err, sizeof(err)) != CE_OK) {
        sn_drop(c, m, NULL, err);
        return;
    }
    if (strcmp(ev.source, c->dep->event_source_name) != 0 ||
        strcmp(ev.subject, c->dep->event_name) != 0) {
        sn_drop(c, m, ev.id, "the event matches no dependency of this trigger");
        ce_cloudevent_fini(&ev);
        return;
    }
    struct sn_trigger *tr = c->trig;
    pthread_mutex_lock(&tr->lock);
    if (ce_dedup_seen(&tr->dedup, ev.id, ce_clock_wall_ms())) {
        pthread_mutex_unlock(&tr->lock);
        ce_log_kv(CE_LOG_INFO, "skipping an event already processed by this trigger", "triggerName",
                  tr->spec->name, "eventID", ev.id, NULL);
        if (ce_bus_msg_ack(m) != CE_OK) {
            ce_log_kv(CE_LOG_WARN, "failed to acknowledge a duplicate", "eventID", ev.id, NULL);
        }
        ce_cloudevent_fini(&ev);
        return;
    }
    bool ack_first = !tr->spec->at_least_once && !tr->plugin->ack_after_fire;
    if (ack_first && ce_bus_msg_ack(m) != CE_OK) {
        /* Not acknowledged means it will be redelivered: firing now would fire twice. */
        pthread_mutex_unlock(&tr->lock);
        ce_log_kv(CE_LOG_WARN, "could not acknowledge the event; it will be redelivered", "eventID",
                  ev.id, NULL);
        ce_cloudevent_fini(&ev);
        return;
    }
    (void)sn_fire(c, &ev);
    ce_dedup_record(&tr->dedup, ev.id, ce_clock_wall_ms());
    pthread_mutex_unlock(&tr->lock);
    if (!ack_first && ce_bus_msg_ack(m) != CE_OK) {
        ce_log_kv(CE_LOG_WARN,
                  "could not acknowledge the event after the trigger; a redelivery "
                  "will be skipped as a duplicate",
                  "eventID", ev.id, NULL);
    }
    ce_cloudevent_fini(&ev);
}

static bool sn_bind(struct sn_consumer *c)
{
    struct sn_runtime *rt = c->rt;
    if (!ce_bus_connected(rt->bus)) {
        return false;
    }
    if (!atomic_load(&rt->stream_ready)) {
        if (ce_bus_ensure_stream(rt->bus) != CE_OK) {
            return false;
        }
        atomic_store(&rt->stream_ready, true);
    }
    if (ce_bus_consumer_create(rt->bus, c->subject, c->durable, &c->bus_consumer) != CE_OK) {
        return false;
    }
    atomic_store(&c->ready, true);
    return true;
}

static void *sn_consume(void *arg)
{
    struct sn_consumer *c = arg;
    struct ce_bus_msg *msgs[SN_FETCH_BATCH];
    while (!atomic_load(&c->rt->stop)) {
        if (!c->bus_consumer && !sn_bind(c)) {
            ce_clock_sleep_ms(200);
            continue;
        }
        int n = 0;
        int rc = ce_bus_consumer_fetch(c->bus_consumer, SN_FETCH_BATCH, SN_FETCH_WAIT_MS, msgs, &n);
        if (rc == CE_EUNAVAIL) {
            ce_clock_sleep_ms(200);
            continue;
        }
        /* A fetched batch is finished even when a stop comes, so nothing waits for an ack
         * timeout after a clean shutdown. */
        for (int i = 0; i < n; i++) {
            sn_process(c, msgs[i]);
            ce_bus_msg_destroy(msgs[i]);
        }
    }
    return NULL;
}

static void sn_unsupported(const struct ce_pos *pos, const char *path, const char *what, int *rc)
{
    fprintf(stderr, "%s:%d:%d: error: %s: %s not supported yet\n", pos->file, pos->line, pos->col,
            path, what);
    *rc = CE_EINVAL;
}

int ce_sensor_check_supported(const struct ce_sensor *s)
{
    int rc = CE_OK;
    char path[96];
    if (s->n_deps != 1) {
        sn_unsupported(&s->pos, "spec.dependencies", "sensors with more than one dependency are",
                       &rc);
    }
    for (int i = 0; i < s->n_deps; i++) {
        const struct ce_dependency *d = &s->deps[i];
        snprintf(path, sizeof(path), "spec.dependencies[%d]", i);
        if (d->has_filters) {
            sn_unsupported(&d->pos, path, "dependency filters are", &rc);
        }
        if (d->has_transform) {
            sn_unsupported(&d->pos, path, "dependency transforms are", &rc);
        }
    }
    for (int i = 0; i < s->n_triggers; i++) {
        const struct ce_trigger *t = &s->triggers[i];
        snprintf(path, sizeof(path), "spec.triggers[%d]", i);
        if (!ce_trigger_find(t->kind)) {
            char what[64];
            snprintf(what, sizeof(what), "the %s trigger is", t->kind ? t->kind : "(none)");
            sn_unsupported(&t->pos, path, what, &rc);
        }
        if (t->conditions && s->n_deps == 1 && strcmp(t->conditions, s->deps[0].name) != 0) {
            sn_unsupported(&t->pos, path, "conditions are", &rc);
        }
        if (t->has_template_parameters || t->has_action_parameters || t->has_payload) {
            sn_unsupported(&t->pos, path, "trigger parameters are", &rc);
        }
        if (t->has_rate_limit || t->has_dlq_trigger || t->has_policy || t->has_conditions_reset) {
            sn_unsupported(&t->pos, path, "rateLimit, dlqTrigger, policy and conditionsReset are",
                           &rc);
        }
    }
    return rc;
}

static void sn_trigger_metrics(struct sn_trigger *tr, const struct ce_sensor *s)
{
    static const double buckets[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    char *l1 = ce_metrics_label_append("", "namespace", s->namespace_ ? s->namespace_ : "");
    char *l2 = ce_metrics_label_append(l1, "sensor_name", s->name);
    char *labels = ce_metrics_label_append(l2, "trigger_name", tr->spec->name);
    tr->triggered =
        ce_metrics_counter("argo_events_action_triggered_total",
                           "How many actions have been triggered successfully.", labels);
    tr->failed =
        ce_metrics_counter("argo_events_action_failed_total", "How many actions failed.", labels);
    tr->retries_failed = ce_metrics_counter(
        "argo_events_action_retries_failed_total",
        "How many actions failed after the retries have been exhausted.", labels);
    tr->duration = ce_metrics_histogram("argo_events_action_duration_milliseconds",
                                        "Durations of triggering actions, in milliseconds.", labels,
                                        buckets, 12);
    ce_free(l1);
    ce_free(l2);
    ce_free(labels);
}

static int sn_setup(struct sn_runtime *rt)
{
    const struct ce_sensor *s = rt->sensor;
    rt->triggers = ce_xcalloc((size_t)s->n_triggers + 1, sizeof(*rt->triggers));
    rt->consumers = ce_xcalloc((size_t)(s->n_triggers * s->n_deps) + 1, sizeof(*rt->consumers));
    char *l = ce_metrics_label_append("", "sensor_name", s->name);
    rt->dropped = ce_metrics_counter("cevents_sensor_messages_dropped_total",
                                     "Messages acknowledged without firing a trigger (not an "
                                     "event of the dependency, or undecodable).",
                                     l);
    ce_free(l);
    for (int i = 0; i < s->n_triggers; i++) {
        struct sn_trigger *tr = &rt->triggers[rt->n_triggers];
        tr->spec = &s->triggers[i];
        tr->plugin = ce_trigger_find(tr->spec->kind);
        if (tr->plugin->create(s, tr->spec, &tr->state) != CE_OK) {
            ce_log_kv(CE_LOG_ERROR, "failed to create the trigger", "triggerName", tr->spec->name,
                      NULL);
            return CE_EINVAL;
        }
        pthread_mutex_init(&tr->lock, NULL);
        ce_dedup_init(&tr->dedup, SN_DEDUP_WINDOW_MS);
        sn_trigger_metrics(tr, s);
        rt->n_triggers++;
        for (int j = 0; j < s->n_deps; j++) {
            struct sn_consumer *c = &rt->consumers[rt->n_consumers++];
            c->rt = rt;
            c->trig = tr;
            c->dep = &s->deps[j];
            c->subject = ce_bus_subject(c->dep->event_source_name, c->dep->event_name);
            ce_bus_durable_name(s->name, tr->spec->name, c->dep->name, c->durable,
                                sizeof(c->durable));
        }
    }
    return CE_OK;
}

static void sn_teardown(struct sn_runtime *rt)
{
    atomic_store(&rt->stop, true);
    for (int i = 0; i < rt->n_consumers; i++) {
        struct sn_consumer *c = &rt->consumers[i];
        if (c->started) {
            pthread_join(c->thread, NULL);
        }
        ce_bus_consumer_destroy(c->bus_consumer);
        ce_free(c->subject);
    }
    for (int i = 0; i < rt->n_triggers; i++) {
        struct sn_trigger *tr = &rt->triggers[i];
        tr->plugin->destroy(tr->state);
        ce_dedup_fini(&tr->dedup);
        pthread_mutex_destroy(&tr->lock);
    }
    ce_free(rt->consumers);
    ce_free(rt->triggers);
}

static bool sn_ready(void *arg)
{
    struct sn_runtime *rt = arg;
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
    struct sn_runtime *rt = arg;
    /* The bus driver logs the change; a reconnect re-checks the stream before binding. */
    if (!connected) {
        atomic_store(&rt->stream_ready, false);
    }
}

static int sn_run(const struct ce_cli *cli, const struct ce_manifest_set *set,
                  const struct ce_sensor *s)
{
    struct sn_runtime rt = {.sensor = s};
    struct ce_opsserver *ops = NULL;
    struct ce_bus_config cfg;
    ce_cli_bus_config(cli, set, &cfg);
    cfg.name = s->name;
    if (ce_bus_create(&cfg, sn_on_bus_state, &rt, &rt.bus) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "invalid event bus configuration", "url", cfg.url, NULL);
        return 1;
    }
    int rc = sn_setup(&rt);
    if (rc == CE_OK && cli->metrics_port > 0 &&
        ce_opsserver_start(cli->metrics_port, sn_ready, &rt, &ops) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to serve metrics", NULL);
        rc = CE_EIO;
    }
    for (int i = 0; rc == CE_OK && i < rt.n_consumers; i++) {
        rt.consumers[i].started =
            pthread_create(&rt.consumers[i].thread, NULL, sn_consume, &rt.consumers[i]) == 0;
    }
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Sensor started.", NULL);
        bool subscribed = false;
        while (ce_cli_wait_signal(subscribed ? 500 : 50) == 0) {
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
    return rc == CE_OK ? 0 : 1;
}

static const struct ce_sensor *sn_pick(const struct ce_manifest_set *set, const char *name)
{
    const struct ce_sensor *found = NULL;
    for (int i = 0; i < set->n_sensors; i++) {
        if (!name || strcmp(set->sensors[i]->name, name) == 0) {
            if (found) {
                fprintf(stderr, "cevents: several Sensors found: pick one with --name\n");
                return NULL;
            }
            found = set->sensors[i];
        }
    }
    if (!found) {
        fprintf(stderr, "cevents: no Sensor%s%s found\n", name ? " named " : "", name ? name : "");
    }
    return found;
}

int ce_sensor_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    ce_cli_block_signals();
    if (ce_cli_parse(argc, argv, &cli) != CE_OK || (!cli.file && cli.n_paths == 0)) {
        fprintf(stderr, "usage: cevents sensor -f FILE [--name NAME] [--bus URL] "
                        "[--secrets-dir DIR] [--metrics-port N] [--log-format json|text]\n");
        return 2;
    }
    if (ce_cli_load(&cli, &set) != CE_OK) {
        return 1;
    }
    const struct ce_sensor *s = sn_pick(set, cli.name);
    if (!s || ce_sensor_check_supported(s) != CE_OK) {
        ce_manifest_set_destroy(set);
        return 1;
    }
    ce_log_init("argo-events.sensor", cli.log_format, cli.log_level, 1);
    ce_log_add_base_field("sensorName", s->name);
    int code = sn_run(&cli, set, s);
    ce_manifest_set_destroy(set);
    return code;
}
