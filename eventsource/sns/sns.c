/* SPDX-License-Identifier: Apache-2.0 */
/* The sns EventSource: each event is a webhook route (eventsource/webhook_server.h) that SNS
 * posts to. On start the route's URL is subscribed to the topic (retried with backoff until it
 * is), a SubscriptionConfirmation is confirmed with the SNS API, each Notification is published
 * (answered 200 after the bus ack, 503 while the bus is down, so SNS delivers it again), and on
 * stop the subscription is cancelled. With validateSignature, a message whose signature does
 * not check out is answered 400 and not published. */
#include "eventsource/source.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/http/aws.h"
#include "core/service/secrets.h"
#include "eventsource/emit.h"
#include "eventsource/sns/api.h"
#include "eventsource/sns/cert.h"
#include "eventsource/sns/config.h"
#include "eventsource/sns/message.h"
#include "eventsource/webhook_server.h"
#include "manifest/model.h"

#include "core/base/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SNS_RETRY_MIN_MS 1000
#define SNS_RETRY_MAX_MS 30000
#define SNS_CONFIRM_POLL_MS 5000

struct sns_state {
    const struct ce_source_env *env;
    struct ce_sns_api *apis; /* one per event */
    struct ce_webhook_route *routes;
    int n;
    struct ce_webhook_servers *servers;
    struct ce_sns_certs *certs;
    pthread_t subscriber;
    bool subscriber_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping; /* under mu */
};

struct sns_ctx {
    struct sns_state *st;
    struct ce_sns_api *api;
    struct ce_emitter *em;
};

static int sns_check(struct sns_ctx *x, const struct ce_sns_message *m, char *err, size_t errlen)
{
    int rc = ce_sns_cert_url_check(m->signing_cert_url, x->api->cfg->endpoint, err, errlen);
    char *pem = NULL;
    size_t len = 0;
    if (rc == CE_OK && m->signature[0] != '\0') {
        rc = ce_sns_certs_get(x->st->certs, m->signing_cert_url, &pem, &len, err, errlen);
    }
    if (rc == CE_OK) {
        rc = ce_sns_verify(m, pem, len, err, errlen);
    }
    ce_free(pem);
    return rc;
}

static void sns_refuse(struct sns_ctx *x, struct ce_webhook_verdict *v, const char *what,
                       const char *err)
{
    ce_log_kv(CE_LOG_ERROR, what, "eventName", x->api->name, "error", err, NULL);
    ce_emitter_count_processing_failed(x->em);
    v->status = 400;
    snprintf(v->text, sizeof v->text, "%s", err);
}

/* The route's body hook: what Argo's SNS handler does before (and instead of) publishing. */
static void sns_on_body(void *arg, const char *body, size_t len, struct ce_webhook_verdict *v)
{
    struct sns_ctx *x = arg;
    struct ce_sns_message m;
    char err[256] = "";
    if (ce_sns_message_parse(body, len, &m, err, sizeof err) != CE_OK) {
        sns_refuse(x, v, "failed to convert request payload into sns notification", err);
        return;
    }
    if (x->api->cfg->validate_signature && sns_check(x, &m, err, sizeof err) != CE_OK) {
        sns_refuse(x, v, "failed to verify sns message", err);
    }
    else if (strcmp(m.type, "SubscriptionConfirmation") == 0) {
        if (ce_sns_api_confirm(x->api, m.token, err, sizeof err) != CE_OK) {
            sns_refuse(x, v, "failed to send confirmation response to aws sns", err);
            v->status = 503; /* SNS sends the confirmation again */
        }
        else {
            v->status = 200;
            snprintf(v->text, sizeof v->text, "subscription confirmed");
        }
    }
    else if (strcmp(m.type, "Notification") == 0) {
        /* published; SNS delivers again until it hears 2xx, so its id makes one event */
        snprintf(v->key, sizeof v->key, "%s", m.message_id);
    }
    else {
        v->status = 200; /* an UnsubscribeConfirmation or another kind: nothing to publish */
        snprintf(v->text, sizeof v->text, "ignored");
    }
    ce_sns_message_fini(&m);
}

/* Waits ms unless the source stops first; mu held. */
static void sns_wait(struct sns_state *st, int ms)
{
    struct timespec until;
    ce_clock_deadline(ms, &until);
    pthread_cond_timedwait(&st->cv, &st->mu, &until);
}

/* Subscribes every event that is not yet, with backoff between rounds, then watches for
 * confirmations that do not come, until the source stops. */
static void *sns_subscriber(void *arg)
{
    struct sns_state *st = arg;
    int delay = SNS_RETRY_MIN_MS;
    bool subscribed = false, settled = false;
    pthread_mutex_lock(&st->mu);
    while (!st->stopping && !settled) {
        bool all = true;
        pthread_mutex_unlock(&st->mu);
        for (int i = 0; i < st->n; i++) {
            if (!subscribed) {
                all = ce_sns_api_subscribe(&st->apis[i]) == CE_OK && all;
            }
            else {
                all = ce_sns_api_check_confirmed(&st->apis[i], ce_clock_mono_ms()) && all;
            }
        }
        pthread_mutex_lock(&st->mu);
        settled = subscribed && all;
        subscribed = subscribed || all;
        if (!st->stopping && !settled) {
            sns_wait(st, subscribed ? SNS_CONFIRM_POLL_MS : delay);
        }
        delay = delay * 2 > SNS_RETRY_MAX_MS ? SNS_RETRY_MAX_MS : delay * 2;
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

static void sns_stop(void *state)
{
    struct sns_state *st = state;
    if (!st) {
        return;
    }
    pthread_mutex_lock(&st->mu);
    st->stopping = true;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    if (st->subscriber_started) {
        pthread_join(st->subscriber, NULL);
    }
    for (int i = 0; i < st->n; i++) {
        ce_sns_api_unsubscribe(&st->apis[i]);
    }
    ce_webhook_servers_stop(st->servers);
    for (int i = 0; i < st->n; i++) {
        ce_sns_api_fini(&st->apis[i]);
        ce_free(st->routes[i].on_body_arg);
    }
    ce_sns_certs_destroy(st->certs);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    ce_free(st->apis);
    ce_free(st->routes);
    ce_free(st);
}

static struct sns_state *sns_state_new(const struct ce_source_env *env)
{
    struct sns_state *st = ce_xcalloc(1, sizeof(*st));
    st->env = env;
    st->apis = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->apis));
    st->routes = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->routes));
    st->certs = ce_sns_certs_create();
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cv, &attr);
    pthread_condattr_destroy(&attr);
    return st;
}

static int sns_start(const struct ce_source_env *env, void **state)
{
    struct sns_state *st = sns_state_new(env);
    int rc = CE_OK;
    for (int i = 0; i < env->n_events && rc == CE_OK; i++) {
        const struct ce_sns_config *cfg = env->events[i].spec->config;
        rc = ce_sns_api_init(&st->apis[i], env->events[i].spec->name, cfg, env->secrets_dir);
        st->n++;
        struct sns_ctx *x = ce_xcalloc(1, sizeof(*x));
        *x = (struct sns_ctx){st, &st->apis[i], env->events[i].em};
        st->routes[i] = (struct ce_webhook_route){
            .name = env->events[i].spec->name,
            .spec = &cfg->webhook,
            .em = env->events[i].em,
            .keep_auth = true,
            .on_body = sns_on_body,
            .on_body_arg = x,
        };
    }
    if (rc == CE_OK) {
        rc = ce_webhook_servers_start(env, st->routes, st->n, &st->servers);
    }
    if (rc == CE_OK && pthread_create(&st->subscriber, NULL, sns_subscriber, st) == 0) {
        st->subscriber_started = true;
    }
    else if (rc == CE_OK) {
        rc = CE_EIO;
    }
    if (rc != CE_OK) {
        sns_stop(st);
        return rc;
    }
    *state = st;
    return CE_OK;
}

static void sns_quiesce(void *state)
{
    struct sns_state *st = state;
    ce_webhook_servers_quiesce(st->servers);
}

static int sns_in_flight(void *state)
{
    struct sns_state *st = state;
    return ce_webhook_servers_in_flight(st->servers);
}

static int64_t sns_max_event_bytes(const struct ce_es_event *ev)
{
    const struct ce_sns_config *cfg = ev->config;
    return cfg != NULL ? ce_webhook_max_event_bytes(&cfg->webhook) : 0;
}

extern const struct ce_source_plugin ce_source_sns;
const struct ce_source_plugin ce_source_sns = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_sns_decoder,
    .start = sns_start,
    .quiesce = sns_quiesce,
    .in_flight = sns_in_flight,
    .stop = sns_stop,
    .max_event_bytes = sns_max_event_bytes,
};
