/* SPDX-License-Identifier: Apache-2.0 */
/* The minio EventSource: MinIO's ListenBucketNotification streams turned into events, one per
 * notification line, {"notification":[records],"metadata":{...}} as Argo Events publishes them.
 * Threads: one listener per event (listen.c) and one publisher (publish.c); see minio_int.h.
 *
 * Tuning for tests and unusual servers (environment): CE_MINIO_PING_SECONDS, the keep-alive
 * interval asked of the server (default 10; a stream silent for three intervals is re-opened),
 * CE_MINIO_BACKOFF_MAX_MS, the longest wait between reconnects (default 30000), and
 * CE_MINIO_QUEUE_MAX, the notifications kept in memory while the bus is down (default 10000). */
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventsource/emit.h"
#include "eventsource/minio/minio_int.h"
#include "manifest/model.h"

#include <stdlib.h>
#include <string.h>

extern const struct ce_source_plugin ce_source_minio;

static int64_t minio_env_int(const char *name, int64_t def, int64_t lo, int64_t hi)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        return def;
    }
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    if (*end != '\0' || n < lo || n > hi) {
        ce_log_kv(CE_LOG_WARN, "ignoring an out-of-range setting", "variable", name, "value", v,
                  NULL);
        return def;
    }
    return n;
}

static void minio_metrics(struct minio_listener *l, const struct ce_source_env *env)
{
    char *a = ce_metrics_label_append("", "eventsource_name", env->es->name);
    char *b = ce_metrics_label_append(a, "event_name", l->ev->spec->name);
    char *c = ce_metrics_label_append(b, "bucket", l->cfg->bucket ? l->cfg->bucket : "*");
    l->m_listening = ce_metrics_gauge("cevents_minio_listening",
                                      "1 while the bucket's notification stream is open.", c);
    l->m_reconnects = ce_metrics_counter(
        "cevents_minio_reconnects_total",
        "Notification streams re-opened after an error, an end or a silence.", c);
    ce_free(a);
    ce_free(b);
    ce_free(c);
}

static void minio_stop(void *state);

static int minio_start(const struct ce_source_env *env, void **state)
{
    struct minio_source *src = ce_xcalloc(1, sizeof(*src));
    src->env = env;
    src->ping_s = (int)minio_env_int("CE_MINIO_PING_SECONDS", 10, 1, 3600);
    src->idle_ms = (int64_t)src->ping_s * 3000;
    src->backoff_max_ms = minio_env_int("CE_MINIO_BACKOFF_MAX_MS", 30000, 1000, 3600000);
    src->pending_max = (int)minio_env_int("CE_MINIO_QUEUE_MAX", MINIO_PENDING_MAX, 1, 1000000);
    pthread_mutex_init(&src->mu, NULL);
    pthread_cond_init(&src->cv, NULL);
    char *lbl = ce_metrics_label_append("", "eventsource_name", env->es->name);
    src->m_lost = ce_metrics_counter(
        "cevents_minio_notifications_lost_total",
        "MinIO notifications dropped because the in-memory queue for the bus was full.", lbl);
    ce_free(lbl);
    src->ls = ce_xcalloc((size_t)env->n_events + 1, sizeof(*src->ls));
    src->n = env->n_events;
    for (int i = 0; i < src->n; i++) {
        struct minio_listener *l = &src->ls[i];
        l->src = src;
        l->ev = &env->events[i];
        l->cfg = env->events[i].spec->config;
        ce_buf_init(&l->errbody, MINIO_ERRBODY_MAX);
        ce_minio_stream_init(&l->stream, CE_MINIO_MAX_LINE);
        minio_metrics(l, env);
    }
    *state = src;
    src->publisher_started = pthread_create(&src->publisher, NULL, minio_publish_main, src) == 0;
    for (int i = 0; i < src->n && src->publisher_started; i++) {
        struct minio_listener *l = &src->ls[i];
        l->started = pthread_create(&l->thread, NULL, minio_listen_main, l) == 0;
        if (!l->started) {
            ce_log_kv(CE_LOG_ERROR, "cannot start a minio listener thread", "eventName",
                      l->ev->spec->name, NULL);
            minio_stop(src);
            *state = NULL;
            return CE_EIO;
        }
    }
    return src->publisher_started ? CE_OK : CE_EIO;
}

static void minio_quiesce(void *state)
{
    struct minio_source *src = state;
    pthread_mutex_lock(&src->mu);
    atomic_store(&src->quiescing, true);
    pthread_cond_broadcast(&src->cv);
    pthread_mutex_unlock(&src->mu);
}

static int minio_in_flight(void *state)
{
    struct minio_source *src = state;
    pthread_mutex_lock(&src->mu);
    int n = src->n_pending;
    pthread_mutex_unlock(&src->mu);
    return n;
}

/* Ready while every bucket's stream is open. */
static bool minio_ready(void *state)
{
    struct minio_source *src = state;
    for (int i = 0; i < src->n; i++) {
        if (!atomic_load(&src->ls[i].listening)) {
            return false;
        }
    }
    return true;
}

static void minio_stop(void *state)
{
    struct minio_source *src = state;
    if (src == NULL) {
        return;
    }
    pthread_mutex_lock(&src->mu);
    atomic_store(&src->quiescing, true);
    atomic_store(&src->stopping, true);
    pthread_cond_broadcast(&src->cv);
    pthread_mutex_unlock(&src->mu);
    for (int i = 0; i < src->n; i++) {
        if (src->ls[i].started) {
            pthread_join(src->ls[i].thread, NULL);
        }
    }
    if (src->publisher_started) {
        pthread_join(src->publisher, NULL);
    }
    minio_drop_pending(src);
    for (int i = 0; i < src->n; i++) {
        ce_metric_set(src->ls[i].m_listening, 0);
        ce_buf_fini(&src->ls[i].errbody);
        ce_minio_stream_fini(&src->ls[i].stream);
    }
    ce_free(src->ls);
    pthread_cond_destroy(&src->cv);
    pthread_mutex_destroy(&src->mu);
    ce_free(src);
}

const struct ce_source_plugin ce_source_minio = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_minio_decoder,
    .start = minio_start,
    .quiesce = minio_quiesce,
    .in_flight = minio_in_flight,
    .stop = minio_stop,
    .ready = minio_ready,
};
