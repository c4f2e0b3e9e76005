/* SPDX-License-Identifier: Apache-2.0 */
/* Firing a trigger: see fire.h. */
#include "sensor/fire.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "manifest/tojson.h"
#include "sensor/action.h"
#include "sensor/ratelimit.h"
#include "sensor/retry.h"
#include "triggers/trigger.h"
#include "eventbus/bus.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define FIRE_KEEPALIVE_MS 5000

struct ce_sn_firer {
    const struct ce_trigger *spec;
    struct ce_sn_action *action;
    struct ce_backoff backoff;
    struct ce_ratelimit *ratelimit;
    const atomic_bool *stop; /* the process is stopping: waits end early */
    pthread_mutex_t rnd_mu;  /* firings run on several threads at once */
    uint64_t rnd;            /* jitter */
    struct ce_sn_firer *dlq; /* fired with the same events when every attempt failed */
    struct ce_metric *triggered, *failed, *retries_failed, *duration;
};

static void fire_metrics(struct ce_sn_firer *f, const struct ce_sensor *s)
{
    static const double buckets[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    char *l1 = ce_metrics_label_append("", "namespace", s->namespace_ ? s->namespace_ : "");
    char *l2 = ce_metrics_label_append(l1, "sensor_name", s->name);
    char *labels = ce_metrics_label_append(l2, "trigger_name", f->spec->name);
    f->triggered = ce_metrics_counter("argo_events_action_triggered_total",
                                      "How many actions have been triggered successfully.", labels);
    f->failed =
        ce_metrics_counter("argo_events_action_failed_total", "How many actions failed.", labels);
    f->retries_failed = ce_metrics_counter(
        "argo_events_action_retries_failed_total",
        "How many actions failed after the retries have been exhausted.", labels);
    f->duration = ce_metrics_histogram("argo_events_action_duration_milliseconds",
                                       "Durations of triggering actions, in milliseconds.", labels,
                                       buckets, 12);
    ce_free(l1);
    ce_free(l2);
    ce_free(labels);
}

/* retryStrategy and rateLimit from the trigger's JSON. */
static int fire_policies(struct ce_sn_firer *f, const struct ce_trigger *t)
{
    json_t *j = ce_node_to_json(t->node);
    char err[256] = "";
    int rc =
        ce_backoff_from_json(json_object_get(j, "retryStrategy"), &f->backoff, err, sizeof(err));
    if (rc == CE_OK) {
        rc = ce_ratelimit_from_json(json_object_get(j, "rateLimit"), &f->ratelimit, err,
                                    sizeof(err));
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "invalid trigger settings", "triggerName", t->name, "error", err,
                  NULL);
    }
    json_decref(j);
    return rc;
}

int ce_sn_firer_create(const struct ce_sensor *s, const struct ce_trigger *t,
                       const struct ce_trigger_plugin *plugin, const struct ce_trigger_env *env,
                       const atomic_bool *stop, struct ce_sn_firer **out)
{
    struct ce_sn_firer *f = ce_xcalloc(1, sizeof(*f));
    f->spec = t;
    f->stop = stop;
    f->rnd = (uint64_t)ce_clock_wall_ms() * 0x9E3779B97F4A7C15ULL | 1;
    pthread_mutex_init(&f->rnd_mu, NULL);
    if (fire_policies(f, t) != CE_OK) {
        pthread_mutex_destroy(&f->rnd_mu);
        ce_free(f);
        return CE_EINVAL;
    }
    if (ce_sn_action_create(s, t, plugin, env, &f->action) != CE_OK) {
        ce_ratelimit_destroy(f->ratelimit);
        pthread_mutex_destroy(&f->rnd_mu);
        ce_free(f);
        return CE_EINVAL;
    }
    fire_metrics(f, s);
    const struct ce_trigger_plugin *dlq_plugin = t->dlq ? ce_trigger_find(t->dlq->kind) : NULL;
    if (t->dlq != NULL && (dlq_plugin == NULL || ce_sn_firer_create(s, t->dlq, dlq_plugin, env,
                                                                    stop, &f->dlq) != CE_OK)) {
        ce_log_kv(CE_LOG_ERROR, "failed to create the dlqTrigger", "triggerName", t->name, NULL);
        ce_sn_firer_destroy(f);
        return CE_EINVAL;
    }
    *out = f;
    return CE_OK;
}

void ce_sn_firer_destroy(struct ce_sn_firer *f)
{
    if (f != NULL) {
        ce_sn_firer_destroy(f->dlq);
        ce_sn_action_destroy(f->action);
        ce_ratelimit_destroy(f->ratelimit);
        pthread_mutex_destroy(&f->rnd_mu);
        ce_free(f);
    }
}

/* JSON arrays of the dependency names and event ids of a firing, for the success line. */
static int fire_lists(const struct ce_trigger_event *events, int n, struct ce_buf *deps,
                      struct ce_buf *ids)
{
    int rc = ce_buf_puts(deps, "[");
    rc |= ce_buf_puts(ids, "[");
    for (int i = 0; i < n; i++) {
        rc |= ce_buf_puts(deps, i ? "," : "");
        rc |= ce_buf_json_str(deps, events[i].dependency_name, strlen(events[i].dependency_name));
        rc |= ce_buf_puts(ids, i ? "," : "");
        rc |= ce_buf_json_str(ids, events[i].event->id, strlen(events[i].event->id));
    }
    rc |= ce_buf_puts(deps, "]");
    rc |= ce_buf_puts(ids, "]");
    return rc;
}

static void fire_log_outcome(const struct ce_sn_firer *f, const struct ce_trigger_event *events,
                             int n, int rc, const char *err)
{
    struct ce_buf deps, ids;
    ce_buf_init(&deps, 0);
    ce_buf_init(&ids, 0);
    bool lists = fire_lists(events, n, &deps, &ids) == CE_OK;
    if (rc == CE_OK) {
        char *msg = ce_xasprintf("Successfully processed trigger '%s'", f->spec->name);
        struct ce_log_field fields[] = {
            {"triggerName", f->spec->name, false},
            {"triggeredBy", lists ? deps.data : "[]", true},
            {"triggeredByEvents", lists ? ids.data : "[]", true},
        };
        ce_log_fields(CE_LOG_INFO, msg, fields, 3);
        ce_free(msg);
    }
    else {
        struct ce_log_field fields[] = {
            {"triggerName", f->spec->name, false},
            {"error", err && err[0] ? err : ce_rc_str(rc), false},
            {"triggeredByEvents", lists ? ids.data : "[]", true},
        };
        ce_log_fields(CE_LOG_ERROR, "Failed to execute a trigger", fields, 3);
    }
    ce_buf_fini(&deps);
    ce_buf_fini(&ids);
}

/* Waits ms, telling the bus every few seconds that the message m (may be NULL) is still being
 * worked on so it is not redelivered meanwhile. False when the process is stopping. */
static bool fire_wait(struct ce_sn_firer *f, struct ce_bus_msg *m, int64_t ms)
{
    int64_t until = ce_clock_mono_ms() + ms;
    int64_t now;
    while ((now = ce_clock_mono_ms()) < until) {
        if (f->stop != NULL && atomic_load(f->stop)) {
            return false;
        }
        if (m != NULL && ce_bus_msg_in_progress(m) != CE_OK) {
            ce_log_kv(CE_LOG_DEBUG, "could not extend the ack wait", NULL);
        }
        int64_t step = until - now < 200 ? until - now : 200;
        for (int64_t slept = 0; slept < FIRE_KEEPALIVE_MS && ce_clock_mono_ms() < until;
             slept += step) {
            if (f->stop != NULL && atomic_load(f->stop)) {
                return false;
            }
            ce_clock_sleep_ms(step);
        }
    }
    return true;
}

static double fire_random(struct ce_sn_firer *f)
{
    pthread_mutex_lock(&f->rnd_mu);
    f->rnd ^= f->rnd << 13;
    f->rnd ^= f->rnd >> 7;
    f->rnd ^= f->rnd << 17;
    uint64_t r = f->rnd;
    pthread_mutex_unlock(&f->rnd_mu);
    return (double)(r >> 11) / 9007199254740992.0;
}

/* One attempt: the plugin's action, its metrics and its log line. */
static int fire_attempt(struct ce_sn_firer *f, const struct ce_sn_act *act,
                        const struct ce_trigger_event *events, int n, struct ce_trigger_result *res)
{
    memset(res->err, 0, sizeof(res->err));
    res->retry_after_ms = -1;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = ce_sn_action_plugin(f->action)->execute(act->state, events, n, res);
    ce_metric_observe(f->duration, ce_clock_ms_since(&start));
    ce_metric_inc(rc == CE_OK ? f->triggered : f->failed);
    fire_log_outcome(f, events, n, rc, res->err);
    return rc;
}

int ce_sn_firer_fire(void *firer, void *call, const struct ce_trigger_event *events, int n)
{
    struct ce_sn_firer *f = firer;
    struct ce_bus_msg *m = call;
    int64_t wait;
    while ((wait = ce_ratelimit_take(f->ratelimit, ce_clock_mono_ms())) > 0) {
        if (!fire_wait(f, m, wait)) {
            return CE_ECANCELED; /* stopping: the event waits for the next start */
        }
    }
    struct ce_trigger_result res = {.retry_after_ms = -1};
    struct ce_sn_act act;
    int rc = ce_sn_action_begin(f->action, events, n, &act, res.err, sizeof res.err);
    if (rc != CE_OK) {
        /* the edit cannot give a valid trigger with these events: no attempt can succeed */
        ce_metric_inc(f->failed);
        fire_log_outcome(f, events, n, rc, res.err);
    }
    bool ready = rc == CE_OK;
    rc = ready ? CE_RETRY : rc; /* what no attempt at all would leave */
    int attempt = 0;
    while (ready && attempt < f->backoff.steps) {
        rc = fire_attempt(f, &act, events, n, &res);
        attempt++;
        if (rc != CE_RETRY || attempt == f->backoff.steps) {
            break;
        }
        int64_t ms = ce_backoff_wait_ns(&f->backoff, attempt, fire_random(f)) / 1000000;
        ms = res.retry_after_ms > ms ? res.retry_after_ms : ms;
        if (!fire_wait(f, m, ms)) {
            rc = CE_ECANCELED; /* stopping between attempts: the next start tries again */
            break;
        }
    }
    ce_sn_action_end(f->action, &act);
    if (rc == CE_ECANCELED) {
        return rc;
    }
    if (rc != CE_OK && attempt > 1) {
        char tries[16];
        snprintf(tries, sizeof(tries), "%d", attempt);
        ce_metric_inc(f->retries_failed);
        ce_log_kv(CE_LOG_ERROR, "trigger failed after its retries", "triggerName", f->spec->name,
                  "attempts", tries, "error", res.err[0] ? res.err : ce_rc_str(rc), NULL);
    }
    if (rc != CE_OK && f->dlq != NULL) {
        ce_log_kv(CE_LOG_INFO, "firing the dlqTrigger", "triggerName", f->spec->name,
                  "dlqTriggerName", f->dlq->spec->name, NULL);
        /* Delivered to the dead-letter target: the event is handled, whatever the main
         * trigger did. */
        return ce_sn_firer_fire(f->dlq, call, events, n);
    }
    return rc;
}
