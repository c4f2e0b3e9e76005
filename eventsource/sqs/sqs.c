/* SPDX-License-Identifier: Apache-2.0 */
/* The sqs EventSource: one thread per event long-polls ReceiveMessage (10 messages, Argo's
 * 120 s visibility timeout), publishes each message and deletes it from the queue only once
 * the bus acknowledged its event. A message whose event the bus did not take is handed back
 * (visibility 0) and receiving pauses with backoff, so nothing is lost while the bus is down or
 * full: the messages wait in the queue. The SQS message id gives the event id, so a message
 * delivered twice is stored once. /readyz is false while a queue cannot be read. */
#include "eventsource/source.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventbus/bus.h"
#include "eventsource/emit.h"
#include "eventsource/sqs/client.h"
#include "eventsource/sqs/config.h"
#include "eventsource/sqs/data.h"
#include "manifest/model.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SQS_BATCH 10
#define SQS_VISIBILITY_S 120
#define SQS_RETRY_MIN_MS 1000
#define SQS_RETRY_MAX_MS 30000
#define SQS_CALL_TIMEOUT_S 30

enum sqs_fate { SQS_PENDING, SQS_DELETE, SQS_KEEP, SQS_RELEASE };

struct sqs_msg {
    struct sqs_event *ev;
    const char *receipt;
    enum sqs_fate fate; /* under ev->mu while SQS_PENDING */
};

struct sqs_event {
    struct sqs_state *st;
    const char *name;
    const struct ce_sqs_config *cfg;
    struct ce_emitter *em;
    struct ce_sqs_client client;
    char *queue_url;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pending;         /* publishes not acknowledged yet, under mu */
    atomic_int holding;  /* messages received and not yet deleted or handed back */
    atomic_bool polling; /* the queue answers (for /readyz) */
};

struct sqs_state {
    const struct ce_source_env *env;
    struct sqs_event *events;
    int n;
    atomic_bool stopping;
};

static void sqs_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
}

/* Waits ms unless the source stops first. */
static void sqs_pause(struct sqs_event *ev, int ms)
{
    struct timespec until;
    ce_clock_deadline(ms, &until);
    pthread_mutex_lock(&ev->mu);
    while (!atomic_load(&ev->st->stopping)) {
        if (pthread_cond_timedwait(&ev->cv, &ev->mu, &until) != 0) {
            break;
        }
    }
    pthread_mutex_unlock(&ev->mu);
}

/* One call; an ExpiredToken answer re-reads the keys (a rotated session token), as Argo does. */
static int sqs_call(struct sqs_event *ev, const char *action, json_t *req, int timeout_s,
                    json_t **out, char *err, size_t errlen)
{
    char code[64];
    json_t *ans = NULL;
    int rc = ce_sqs_call(&ev->client, action, req, timeout_s, &ans, code, sizeof code, err, errlen);
    json_decref(req);
    if (rc == CE_EREMOTE && strcmp(code, "ExpiredToken") == 0) {
        ce_log_kv(CE_LOG_INFO, "credentials expired, reading credentials again", "eventName",
                  ev->name, NULL);
        if (ce_sqs_client_reload(&ev->client) != CE_OK) {
            /* logged; the keys read before stay in use */
        }
    }
    if (out != NULL) {
        *out = ans;
    }
    else {
        json_decref(ans);
    }
    return rc;
}

static int sqs_queue_url(struct sqs_event *ev)
{
    json_t *req = json_pack("{ss}", "QueueName", ev->cfg->queue);
    if (ev->cfg->queue_account_id != NULL) {
        json_object_set_new(req, "QueueOwnerAWSAccountId", json_string(ev->cfg->queue_account_id));
    }
    json_t *ans = NULL;
    char err[256] = "";
    int rc = sqs_call(ev, "GetQueueUrl", req, SQS_CALL_TIMEOUT_S, &ans, err, sizeof err);
    const char *url = json_string_value(json_object_get(ans, "QueueUrl"));
    if (rc == CE_OK && url != NULL) {
        ev->queue_url = ce_xstrdup(url);
        ce_log_kv(CE_LOG_INFO, "listening for messages on the queue", "eventName", ev->name,
                  "queue", ev->cfg->queue, "queueUrl", url, NULL);
    }
    else {
        ce_log_kv(CE_LOG_ERROR, "failed to get the queue url; retrying", "eventName", ev->name,
                  "queue", ev->cfg->queue, "error", err[0] ? err : "no QueueUrl in the answer",
                  NULL);
        rc = rc == CE_OK ? CE_EPARSE : rc;
    }
    json_decref(ans);
    return rc;
}

static void sqs_on_ack(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct sqs_msg *m = arg;
    struct sqs_event *ev = m->ev;
    pthread_mutex_lock(&ev->mu);
    m->fate = rc == CE_OK ? SQS_DELETE : SQS_RELEASE;
    ev->pending--;
    pthread_cond_broadcast(&ev->cv);
    pthread_mutex_unlock(&ev->mu);
}

/* Publishes one message; its fate is known now or when the bus answers. */
static void sqs_emit(struct sqs_event *ev, const json_t *msg, struct sqs_msg *m)
{
    struct ce_buf data;
    ce_buf_init(&data, 0);
    if (ce_sqs_data_build(msg, ev->cfg->json_body, ev->cfg->metadata, ev->cfg->n_metadata, &data) !=
        CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to marshal event data, will process next message...",
                  "eventName", ev->name, "messageId",
                  json_string_value(json_object_get(msg, "MessageId")), NULL);
        ce_emitter_count_processing_failed(ev->em);
        m->fate = ev->cfg->dlq ? SQS_KEEP : SQS_DELETE; /* dlq: left for the redrive policy */
        ce_buf_fini(&data);
        return;
    }
    const char *id = json_string_value(json_object_get(msg, "MessageId"));
    char event_id[33];
    ce_emit_id_from_key(ev->em->source_name, ev->em->event_name, id, strlen(id), event_id);
    pthread_mutex_lock(&ev->mu);
    ev->pending++;
    pthread_mutex_unlock(&ev->mu);
    int rc = ce_emit_async(ev->em, data.data, data.len, event_id, sqs_on_ack, m, NULL);
    ce_buf_fini(&data);
    if (rc != CE_OK) {
        pthread_mutex_lock(&ev->mu);
        ev->pending--;
        /* a filtered event is done with, as in Argo; the bus refusing it is not */
        m->fate = rc == CE_DROPPED ? SQS_DELETE : SQS_RELEASE;
        pthread_mutex_unlock(&ev->mu);
    }
}

/* Deletes what the bus has, hands back what it refused (visible again at once, for when it is
 * back), leaves what cannot become an event to the queue's redrive. True when the bus refused
 * any. */
static bool sqs_settle(struct sqs_event *ev, struct sqs_msg *msgs, int n)
{
    bool refused = false;
    for (int i = 0; i < n; i++) {
        const char *action = msgs[i].fate == SQS_DELETE    ? "DeleteMessage"
                             : msgs[i].fate == SQS_RELEASE ? "ChangeMessageVisibility"
                                                           : NULL;
        refused = refused || msgs[i].fate == SQS_RELEASE;
        char err[256] = "";
        json_t *req =
            json_pack("{ssss}", "QueueUrl", ev->queue_url, "ReceiptHandle", msgs[i].receipt);
        if (msgs[i].fate == SQS_RELEASE) {
            json_object_set_new(req, "VisibilityTimeout", json_integer(0));
        }
        if (action != NULL &&
            sqs_call(ev, action, req, SQS_CALL_TIMEOUT_S, NULL, err, sizeof err) != CE_OK) {
            ce_log_kv(CE_LOG_ERROR,
                      msgs[i].fate == SQS_DELETE ? "Failed to delete message"
                                                 : "Failed to hand the message back to the queue",
                      "eventName", ev->name, "error", err, NULL);
        }
        if (action == NULL) {
            json_decref(req);
        }
        atomic_fetch_sub(&ev->holding, 1);
    }
    return refused;
}

static int sqs_receive(struct sqs_event *ev, json_t **ans)
{
    json_t *req =
        json_pack("{sssisisis[s]s[s]}", "QueueUrl", ev->queue_url, "MaxNumberOfMessages", SQS_BATCH,
                  "VisibilityTimeout", SQS_VISIBILITY_S, "WaitTimeSeconds", ev->cfg->wait_s,
                  "AttributeNames", "SentTimestamp", "MessageAttributeNames", "All");
    char err[256] = "";
    ev->client.cancel = &ev->st->stopping; /* a poll is cut short at shutdown, a delete not */
    int rc = sqs_call(ev, "ReceiveMessage", req, ev->cfg->wait_s + SQS_CALL_TIMEOUT_S, ans, err,
                      sizeof err);
    ev->client.cancel = NULL;
    if (rc != CE_OK && !atomic_load(&ev->st->stopping)) {
        ce_log_kv(CE_LOG_ERROR, "failed to get messages from SQS", "eventName", ev->name, "error",
                  err, NULL);
    }
    return rc;
}

/* One long poll and what it brought. CE_OK (*refused: the bus refused some) or the error. */
static int sqs_batch(struct sqs_event *ev, bool *refused)
{
    json_t *ans = NULL;
    int rc = sqs_receive(ev, &ans);
    json_t *list = json_object_get(ans, "Messages");
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    struct sqs_msg msgs[SQS_BATCH];
    int taken = 0;
    for (size_t i = 0; rc == CE_OK && i < n && taken < SQS_BATCH; i++) {
        json_t *msg = json_array_get(list, i);
        const char *receipt = json_string_value(json_object_get(msg, "ReceiptHandle"));
        if (receipt == NULL || !json_is_string(json_object_get(msg, "MessageId"))) {
            continue; /* nothing to delete it with, or no id: it comes back and is logged */
        }
        atomic_fetch_add(&ev->holding, 1);
        msgs[taken] = (struct sqs_msg){ev, receipt, SQS_PENDING};
        sqs_emit(ev, msg, &msgs[taken]);
        taken++;
    }
    pthread_mutex_lock(&ev->mu);
    while (ev->pending > 0) { /* every publish is answered, in publish_timeout at most */
        pthread_cond_wait(&ev->cv, &ev->mu);
    }
    pthread_mutex_unlock(&ev->mu);
    *refused = sqs_settle(ev, msgs, taken);
    json_decref(ans);
    return rc;
}

static void *sqs_run(void *arg)
{
    struct sqs_event *ev = arg;
    int delay = SQS_RETRY_MIN_MS;
    while (!atomic_load(&ev->st->stopping)) {
        bool refused = false;
        int rc = CE_OK;
        if (ev->queue_url == NULL) {
            rc = sqs_queue_url(ev);
        }
        else if (!ce_bus_connected(ev->st->env->bus)) {
            refused = true; /* the bus is down: the messages wait in the queue */
        }
        else {
            rc = sqs_batch(ev, &refused);
        }
        /* a wrong key, a missing queue or an unreachable SQS shows in /readyz */
        atomic_store(&ev->polling, ev->queue_url != NULL && rc == CE_OK);
        if (rc != CE_OK || refused) {
            sqs_pause(ev, delay);
            delay = delay * 2 > SQS_RETRY_MAX_MS ? SQS_RETRY_MAX_MS : delay * 2;
        }
        else {
            delay = SQS_RETRY_MIN_MS;
        }
    }
    return NULL;
}

static void sqs_quiesce(void *state)
{
    struct sqs_state *st = state;
    atomic_store(&st->stopping, true);
    for (int i = 0; i < st->n; i++) {
        pthread_mutex_lock(&st->events[i].mu);
        pthread_cond_broadcast(&st->events[i].cv);
        pthread_mutex_unlock(&st->events[i].mu);
    }
}

static int sqs_in_flight(void *state)
{
    struct sqs_state *st = state;
    int n = 0;
    for (int i = 0; i < st->n; i++) {
        n += atomic_load(&st->events[i].holding);
    }
    return n;
}

static bool sqs_ready(void *state)
{
    struct sqs_state *st = state;
    bool ready = true;
    for (int i = 0; i < st->n; i++) {
        ready = ready && atomic_load(&st->events[i].polling);
    }
    return ready;
}

static void sqs_stop(void *state)
{
    struct sqs_state *st = state;
    if (!st) {
        return;
    }
    sqs_quiesce(st);
    for (int i = 0; i < st->n; i++) {
        struct sqs_event *ev = &st->events[i];
        if (ev->started) {
            pthread_join(ev->thread, NULL);
        }
        ce_sqs_client_fini(&ev->client);
        ce_free(ev->queue_url);
        pthread_cond_destroy(&ev->cv);
        pthread_mutex_destroy(&ev->mu);
    }
    ce_free(st->events);
    ce_free(st);
}

static int sqs_start(const struct ce_source_env *env, void **state)
{
    struct sqs_state *st = ce_xcalloc(1, sizeof(*st));
    st->env = env;
    st->events = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->events));
    int rc = CE_OK;
    for (int i = 0; i < env->n_events && rc == CE_OK; i++) {
        struct sqs_event *ev = &st->events[st->n++];
        ev->st = st;
        ev->name = env->events[i].spec->name;
        ev->cfg = env->events[i].spec->config;
        ev->em = env->events[i].em;
        pthread_mutex_init(&ev->mu, NULL);
        sqs_cond_init(&ev->cv);
        rc = ce_sqs_client_init(&ev->client, ev->name, ev->cfg, env->secrets_dir, NULL);
    }
    for (int i = 0; i < st->n && rc == CE_OK; i++) {
        rc = pthread_create(&st->events[i].thread, NULL, sqs_run, &st->events[i]) == 0 ? CE_OK
                                                                                       : CE_EIO;
        st->events[i].started = rc == CE_OK;
    }
    if (rc != CE_OK) {
        sqs_stop(st);
        return rc;
    }
    *state = st;
    return CE_OK;
}

extern const struct ce_source_plugin ce_source_sqs;
const struct ce_source_plugin ce_source_sqs = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_sqs_decoder,
    .start = sqs_start,
    .quiesce = sqs_quiesce,
    .in_flight = sqs_in_flight,
    .stop = sqs_stop,
    .ready = sqs_ready,
};
