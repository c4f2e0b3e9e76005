/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook EventSource: every event is a route of the shared webhook servers
 * (eventsource/webhook_server.h), each request published as it came. */
#include "eventsource/source.h"
#include "core/base/mem.h"
#include "eventsource/webhook/config.h"
#include "eventsource/webhook_server.h"
#include "manifest/model.h"

struct webhook_state {
    struct ce_webhook_route *routes;
    struct ce_webhook_servers *servers;
};

static void webhook_stop(void *state)
{
    struct webhook_state *st = state;
    if (!st) {
        return;
    }
    ce_webhook_servers_stop(st->servers);
    ce_free(st->routes);
    ce_free(st);
}

static int webhook_start(const struct ce_source_env *env, void **state)
{
    struct webhook_state *st = ce_xcalloc(1, sizeof(*st));
    st->routes = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->routes));
    for (int i = 0; i < env->n_events; i++) {
        st->routes[i] = (struct ce_webhook_route){
            .name = env->events[i].spec->name,
            .spec = env->events[i].spec->config,
            .em = env->events[i].em,
        };
    }
    int rc = ce_webhook_servers_start(env, st->routes, env->n_events, &st->servers);
    if (rc != CE_OK) {
        webhook_stop(st);
        return rc;
    }
    *state = st;
    return CE_OK;
}

static void webhook_quiesce(void *state)
{
    struct webhook_state *st = state;
    ce_webhook_servers_quiesce(st->servers);
}

static int webhook_in_flight(void *state)
{
    struct webhook_state *st = state;
    return ce_webhook_servers_in_flight(st->servers);
}

static int64_t webhook_max_event_bytes(const struct ce_es_event *ev)
{
    return ev->config != NULL ? ce_webhook_max_event_bytes(ev->config) : 0;
}

extern const struct ce_source_plugin ce_source_webhook;
const struct ce_source_plugin ce_source_webhook = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_webhook_decoder,
    .start = webhook_start,
    .quiesce = webhook_quiesce,
    .in_flight = webhook_in_flight,
    .stop = webhook_stop,
    .max_event_bytes = webhook_max_event_bytes,
};
