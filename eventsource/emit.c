/* SPDX-License-Identifier: Apache-2.0 */
/* Emit path shared by every EventSource: CloudEvent wrapping, publish, outcome log and metrics. */
#include "eventsource/emit.h"
#include "core/base/clock.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "eventsource/filter.h"

#include <string.h>
#include <time.h>

/* Per-publish context, freed by the completion callback. */
struct emit_pending {
    struct ce_emitter *em;
    ce_emit_done_fn *done;
    void *arg;
    struct timespec start;
    char id[33];
};

static const double emit_duration_buckets[] = {0.5, 1,   2.5, 5,   10,   25,
                                               50,  100, 250, 500, 1000, 5000};

struct ce_emitter *ce_emitter_create(struct ce_bus *bus, const char *namespace_,
                                     const char *source_name, const char *event_name,
                                     const char *type)
{
    struct ce_emitter *em = ce_xcalloc(1, sizeof(*em));
    em->bus = bus;
    em->source_name = ce_xstrdup(source_name);
    em->event_name = ce_xstrdup(event_name);
    em->type = ce_xstrdup(type);
    em->subject = ce_bus_subject(source_name, event_name);

    char *l1 = ce_metrics_label_append("", "namespace", namespace_ ? namespace_ : "");
    char *l2 = ce_metrics_label_append(l1, "eventsource_name", source_name);
    char *labels = ce_metrics_label_append(l2, "event_name", event_name);
    em->sent = ce_metrics_counter("argo_events_events_sent_total",
                                  "How many events have been sent successfully.", labels);
    em->sent_failed = ce_metrics_counter("argo_events_events_sent_failed_total",
                                         "How many events failed to send to the EventBus.", labels);
    em->processing_failed = ce_metrics_counter(
        "argo_events_events_processing_failed_total",
        "Number of events that failed to process, including the ones that failed to send.", labels);
    em->filtered = ce_metrics_counter(
        "cevents_eventsource_events_filtered_total",
        "Events the event's filter.expression turned down (or could not evaluate): not published.",
        labels);
    em->duration = ce_metrics_histogram(
        "argo_events_event_processing_duration_milliseconds",
        "Time from receiving an event to the bus acknowledging it, in milliseconds.", labels,
        emit_duration_buckets, (int)(sizeof(emit_duration_buckets) / sizeof(double)));
    ce_free(l1);
    ce_free(l2);
    ce_free(labels);
    return em;
}

void ce_emitter_destroy(struct ce_emitter *em)
{
    if (!em) {
        return;
    }
    ce_free(em->source_name);
    ce_free(em->event_name);
    ce_free(em->type);
    ce_free(em->subject);
    ce_es_filter_destroy(em->filter);
    ce_free(em);
}

void ce_emitter_set_filter(struct ce_emitter *em, struct ce_es_filter *f)
{
    ce_es_filter_destroy(em->filter);
    em->filter = f;
}

/* Whether the event goes on; a turned-down event is logged and counted, never silent. */
static bool emit_passes(struct ce_emitter *em, const char *data, size_t len, const char *id)
{
    bool pass = false;
    char err[512];
    if (ce_es_filter_eval(em->filter, data, len, &pass, err, sizeof err) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "Failed to evaluate the event filter; the event is dropped",
                  "eventName", em->event_name, "eventSourceType", em->type, "eventID", id, "error",
                  err, NULL);
        ce_metric_inc(em->filtered);
        ce_metric_inc(em->processing_failed);
        return false;
    }
    if (!pass) {
        ce_log_kv(CE_LOG_INFO, "Event dropped by the event filter", "eventName", em->event_name,
                  "eventSourceType", em->type, "eventID", id, "expression",
                  ce_es_filter_source(em->filter), NULL);
        ce_metric_inc(em->filtered);
    }
    return pass;
}

void ce_emitter_count_processing_failed(struct ce_emitter *em)
{
    ce_metric_inc(em->processing_failed);
}

static void emit_log_outcome(const struct ce_emitter *em, const char *id, int rc, const char *err)
{
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Succeeded to publish an event", "eventName", em->event_name,
                  "eventSourceType", em->type, "eventID", id, NULL);
        return;
    }
    ce_log_kv(CE_LOG_ERROR, "Failed to publish an event", "eventName", em->event_name,
              "eventSourceType", em->type, "eventID", id, "error", err ? err : ce_rc_str(rc), NULL);
}

static void emit_on_ack(void *arg, int rc, const char *err)
{
    struct emit_pending *p = arg;
    struct ce_emitter *em = p->em;
    emit_log_outcome(em, p->id, rc, err);
    if (rc == CE_OK) {
        ce_metric_inc(em->sent);
    }
    else {
        ce_metric_inc(em->sent_failed);
        ce_metric_inc(em->processing_failed);
    }
    ce_metric_observe(em->duration, ce_clock_ms_since(&p->start));
    p->done(p->arg, rc, p->id);
    ce_free(p);
}

static int emit_encode(const struct ce_emitter *em, const char *id, const char *data, size_t len,
                       struct ce_buf *out)
{
    struct timespec now;
    char ts[40];
    clock_gettime(CLOCK_REALTIME, &now);
    ce_cloudevent_format_time(&now, ts);
    struct ce_cloudevent ev = {
        .specversion = "1.0",
        .id = (char *)id,
        .source = em->source_name,
        .type = em->type,
        .subject = em->event_name,
        .datacontenttype = "application/json",
        .time = ts,
        .data = (char *)data,
        .data_len = len,
    };
    return ce_cloudevent_encode_argo(&ev, out);
}

int ce_emit_async(struct ce_emitter *em, const char *data, size_t len, const char *id,
                  ce_emit_done_fn *done, void *arg, char *id_out)
{
    struct emit_pending *p = ce_xcalloc(1, sizeof(*p));
    struct ce_buf payload;
    ce_buf_init(&payload, 0);
    p->em = em;
    p->done = done;
    p->arg = arg;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    if (id && strlen(id) < sizeof(p->id)) {
        memcpy(p->id, id, strlen(id) + 1);
    }
    else {
        ce_cloudevent_new_id(p->id);
    }
    if (id_out) {
        memcpy(id_out, p->id, sizeof(p->id));
    }
    if (em->filter != NULL && !emit_passes(em, data, len, p->id)) {
        ce_free(p);
        return CE_DROPPED;
    }
    int rc = emit_encode(em, p->id, data, len, &payload);
    if (rc == CE_OK) {
        rc = ce_bus_publish_async(em->bus, em->subject, p->id, payload.data, payload.len,
                                  emit_on_ack, p);
    }
    ce_buf_fini(&payload);
    if (rc != CE_OK) {
        /* Refused before the bus took it: the caller answers its producer, we count it. */
        emit_log_outcome(em, p->id, rc,
                         rc == CE_EUNAVAIL   ? "event bus not connected"
                         : rc == CE_EFULL    ? "event bus full: a Sensor is too far behind"
                         : rc == CE_EMSGSIZE ? "event larger than the event bus takes"
                                             : NULL);
        ce_metric_inc(em->sent_failed);
        ce_metric_inc(em->processing_failed);
        ce_free(p);
    }
    return rc;
}

/* 128-bit FNV-1a over a scoped key: two 64-bit lanes with different offsets. Not a security
 * boundary (the key comes from the producer, who can pick any id anyway). */
void ce_emit_id_from_key(const char *source_name, const char *event_name, const char *key,
                         size_t key_len, char out[33])
{
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    const char *parts[3] = {source_name, event_name, key};
    size_t lens[3] = {strlen(source_name), strlen(event_name), key_len};
    for (int lane = 0; lane < 2; lane++) {
        for (int i = 0; i < 3; i++) {
            for (size_t j = 0; j < lens[i]; j++) {
                h[lane] ^= (unsigned char)parts[i][j];
                h[lane] *= 0x100000001b3ULL;
            }
            h[lane] ^= 0xff; /* separator that cannot appear in UTF-8 text */
            h[lane] *= 0x100000001b3ULL;
        }
    }
    static const char hex[] = "0123456789abcdef";
    for (int lane = 0; lane < 2; lane++) {
        for (int i = 0; i < 16; i++) {
            out[lane * 16 + i] = hex[(h[lane] >> (60 - 4 * i)) & 0xf];
        }
    }
    out[32] = '\0';
}
