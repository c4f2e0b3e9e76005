/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource decoding and validation: the list of source types present, the controller's
 * spec-level rules (unique event names, no mixing of leader-elected and all-active types) and
 * the full webhook event decoding that the webhook runtime uses. */
#include "manifest/decode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/mem.h"

#define ES_DEFAULT_MAX_PAYLOAD 1048576

/* Every source type key of Argo's EventSourceSpec; "passive" = leader-elected types, which may
 * not share a spec with the all-active (webhook-style) ones. */
static const struct es_type {
    const char *name;
    bool passive;
} es_types[] = {
    {"minio", true},
    {"calendar", true},
    {"file", true},
    {"resource", true},
    {"webhook", false},
    {"amqp", true},
    {"kafka", true},
    {"mqtt", true},
    {"nats", true},
    {"sns", false},
    {"sqs", false},
    {"pubSub", true},
    {"github", false},
    {"gitlab", false},
    {"hdfs", true},
    {"slack", false},
    {"storageGrid", false},
    {"azureEventsHub", true},
    {"stripe", false},
    {"emitter", true},
    {"redis", true},
    {"nsq", true},
    {"pulsar", true},
    {"generic", true},
    {"bitbucketserver", false},
    {"bitbucket", false},
    {"redisStream", true},
    {"azureServiceBus", true},
    {"azureQueueStorage", false},
    {"sftp", true},
    {"gerrit", false},
    {"mns", false},
};
#define ES_N_TYPES ((int)(sizeof(es_types) / sizeof(es_types[0])))

static const char *const es_spec_known[] = {"eventBusName",
                                            "template",
                                            "service",
                                            "replicas",
                                            "minio",
                                            "calendar",
                                            "file",
                                            "resource",
                                            "webhook",
                                            "amqp",
                                            "kafka",
                                            "mqtt",
                                            "nats",
                                            "sns",
                                            "sqs",
                                            "pubSub",
                                            "github",
                                            "gitlab",
                                            "hdfs",
                                            "slack",
                                            "storageGrid",
                                            "azureEventsHub",
                                            "stripe",
                                            "emitter",
                                            "redis",
                                            "nsq",
                                            "pulsar",
                                            "generic",
                                            "bitbucketserver",
                                            "bitbucket",
                                            "redisStream",
                                            "azureServiceBus",
                                            "azureQueueStorage",
                                            "sftp",
                                            "gerrit",
                                            "mns",
                                            NULL};

static const char *const es_webhook_known[] = {
    "endpoint",         "method",          "port",     "url",
    "serverCertSecret", "serverKeySecret", "metadata", "authSecret",
    "maxPayloadSize",   "filter",          NULL};

static const char *const es_filter_known[] = {"expression", NULL};

static const struct es_type *es_type_find(const char *key)
{
    for (int i = 0; i < ES_N_TYPES; i++) {
        if (strcmp(key, es_types[i].name) == 0) {
            return &es_types[i];
        }
    }
    for (int i = 0; i < ES_N_TYPES; i++) {
        if (strcasecmp(key, es_types[i].name) == 0) {
            return &es_types[i];
        }
    }
    return NULL;
}

static void es_webhook_free(struct ce_webhook_event *w)
{
    ce_free(w->event_name);
    ce_free(w->endpoint);
    ce_free(w->method);
    ce_free(w->url);
    ce_mdec_secret_free(&w->server_cert_secret);
    ce_mdec_secret_free(&w->server_key_secret);
    ce_mdec_secret_free(&w->auth_secret);
    for (int i = 0; i < w->n_metadata; i++) {
        ce_free(w->metadata[i].key);
        ce_free(w->metadata[i].value);
    }
    ce_free(w->metadata);
    ce_free(w->filter_expression);
}

void ce_manifest_eventsource_free(struct ce_eventsource *es)
{
    if (es == NULL) {
        return;
    }
    ce_free(es->name);
    ce_free(es->namespace_);
    ce_free(es->event_bus_name);
    for (int i = 0; i < es->n_webhooks; i++) {
        es_webhook_free(&es->webhooks[i]);
    }
    ce_free(es->webhooks);
    for (int i = 0; i < es->n_source_types; i++) {
        ce_free(es->source_types[i]);
    }
    ce_free(es->source_types);
    ce_free(es);
}

static int es_kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

static int es_webhook_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_webhook_event *)a)->event_name,
                  ((const struct ce_webhook_event *)b)->event_name);
}

static void es_metadata(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_event *w)
{
    const struct ce_node *m = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, m)) {
        w->metadata = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(*w->metadata));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *k = m->pairs[i].key;
            const struct ce_node *v = m->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            w->metadata[w->n_metadata].key = ce_xstrdup(k->str);
            w->metadata[w->n_metadata].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            w->n_metadata++;
        }
        qsort(w->metadata, (size_t)w->n_metadata, sizeof(*w->metadata), es_kv_cmp);
    }
    ce_mdec_pop(c, old);
}

static void es_port(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_event *w)
{
    const struct ce_node *v = ce_node_get(ev, "port");
    int64_t port = 0;
    if (v == NULL || ce_node_is_null(v) || (v->type == CE_NODE_SCALAR && v->len == 0)) {
        ce_mdec_err_key(c, v ? v : ev, "port", "required field is missing");
    }
    else if (!ce_node_int(v, &port) || port < 1 || port > 65535) {
        ce_mdec_err_key(c, v, "port", "not a port number");
    }
    else {
        w->port = (int)port;
    }
}

static void es_webhook_paths(struct ce_mdec *c, const struct ce_node *ev,
                             struct ce_webhook_event *w)
{
    w->endpoint = ce_mdec_str(c, ev, "endpoint", true);
    if (w->endpoint != NULL && w->endpoint[0] != '/') {
        ce_mdec_err_key(c, ce_node_get(ev, "endpoint"), "endpoint", "must start with \"/\"");
    }
    w->method = ce_mdec_str(c, ev, "method", true);
    if (w->method != NULL) {
        for (char *p = w->method; *p; p++) {
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
            }
        }
        if (strcmp(w->method, "GET") != 0 && strcmp(w->method, "POST") != 0) {
            size_t old = ce_mdec_push(c, "method");
            ce_mdec_warn(c, ce_node_get(ev, "method"),
                         "only GET and POST requests are accepted by a webhook; %s requests "
                         "will be answered 400",
                         w->method);
            ce_mdec_pop(c, old);
        }
    }
    w->url = ce_mdec_str(c, ev, "url", false);
}

static void es_webhook_tls(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_event *w)
{
    ce_mdec_secret(c, ev, "serverCertSecret", &w->server_cert_secret);
    ce_mdec_secret(c, ev, "serverKeySecret", &w->server_key_secret);
    ce_mdec_secret(c, ev, "authSecret", &w->auth_secret);
    if (w->server_cert_secret.set != w->server_key_secret.set) {
        const char *have = w->server_cert_secret.set ? "serverCertSecret" : "serverKeySecret";
        const char *miss = w->server_cert_secret.set ? "serverKeySecret" : "serverCertSecret";
        ce_mdec_err_key(c, ce_node_get_pair(ev, have)->key, have,
                        "%s needs %s: TLS needs both the certificate and the key", have, miss);
    }
}

static void es_webhook_filter(struct ce_mdec *c, const struct ce_node *ev,
                              struct ce_webhook_event *w)
{
    const struct ce_node *f = ce_node_get(ev, "filter");
    size_t old = ce_mdec_push(c, "filter");
    if (ce_mdec_map(c, f)) {
        w->filter_expression = ce_mdec_str(c, f, "expression", false);
        ce_mdec_known(c, f, es_filter_known);
    }
    ce_mdec_pop(c, old);
}

static void es_webhook_event(struct ce_mdec *c, const struct ce_node_pair *p,
                             struct ce_webhook_event *w)
{
    const struct ce_node *ev = p->value;
    w->event_name = ce_xstrdup(p->key->str);
    w->pos = ce_mdec_pos(c, p->key);
    w->max_payload_size = ES_DEFAULT_MAX_PAYLOAD;
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, p->key, "the event has no settings (port, endpoint, method)");
        }
        return;
    }
    es_port(c, ev, w);
    es_webhook_paths(c, ev, w);
    es_webhook_tls(c, ev, w);
    int64_t mps = 0;
    if (ce_mdec_int(c, ev, "maxPayloadSize", &mps)) {
        if (mps <= 0) {
            ce_mdec_err_key(c, ce_node_get(ev, "maxPayloadSize"), "maxPayloadSize",
                            "must be a positive number of bytes");
        }
        else {
            w->max_payload_size = mps;
        }
    }
    es_metadata(c, ev, w);
    es_webhook_filter(c, ev, w);
    ce_mdec_known(c, ev, es_webhook_known);
}

static void es_webhooks(struct ce_mdec *c, const struct ce_node *map, struct ce_eventsource *es)
{
    es->webhooks = ce_xrealloc(es->webhooks, ((size_t)es->n_webhooks + (size_t)map->n_pairs + 1) *
                                                 sizeof(*es->webhooks));
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node_pair *p = &map->pairs[i];
        if (p->key->type != CE_NODE_SCALAR) {
            continue; /* reported by the caller */
        }
        struct ce_webhook_event *w = &es->webhooks[es->n_webhooks++];
        memset(w, 0, sizeof(*w));
        size_t old = ce_mdec_push(c, p->key->str);
        es_webhook_event(c, p, w);
        ce_mdec_pop(c, old);
    }
    qsort(es->webhooks, (size_t)es->n_webhooks, sizeof(*es->webhooks), es_webhook_cmp);
}

/* Event names must be unique across the whole spec, whatever their types. */
static void es_event_names(struct ce_mdec *c, const struct ce_node *map,
                           const struct ce_node **seen, int *n_seen, int cap)
{
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node *k = map->pairs[i].key;
        if (k->type != CE_NODE_SCALAR || ce_node_is_null(k)) {
            ce_mdec_err(c, k, "event names must be strings");
            continue;
        }
        for (int j = 0; j < *n_seen; j++) {
            if (strcmp(seen[j]->str, k->str) == 0) {
                ce_mdec_err_key(c, k, k->str, "more than one \"%s\" found (first at line %d)",
                                k->str, seen[j]->line);
                break;
            }
        }
        if (*n_seen < cap) {
            seen[(*n_seen)++] = k;
        }
    }
}

static bool es_has_type(const struct ce_eventsource *es, const char *name)
{
    for (int i = 0; i < es->n_source_types; i++) {
        if (strcmp(es->source_types[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static void es_common(struct ce_mdec *c, const struct ce_node *spec, struct ce_eventsource *es)
{
    int64_t replicas = 1;
    es->event_bus_name = ce_mdec_str(c, spec, "eventBusName", false);
    if (es->event_bus_name == NULL) {
        es->event_bus_name = ce_xstrdup("default");
    }
    if (ce_mdec_int(c, spec, "replicas", &replicas) && replicas > 1) {
        es->replicas = replicas > 1000000 ? 1000000 : (int)replicas;
    }
}

void ce_manifest_decode_eventsource(struct ce_mdec *c, const struct ce_node *spec,
                                    struct ce_eventsource *es)
{
    es->replicas = 1;
    es->spec = spec;
    size_t old = ce_mdec_push(c, "spec");
    if (!ce_mdec_map(c, spec)) {
        ce_mdec_err(c, spec, "an EventSource needs a spec");
        ce_mdec_pop(c, old);
        return;
    }
    es_common(c, spec, es);
    int n_events = 0;
    for (int i = 0; i < spec->n_pairs; i++) {
        n_events += spec->pairs[i].value->type == CE_NODE_MAP ? spec->pairs[i].value->n_pairs : 0;
    }
    const struct ce_node **seen = ce_xcalloc((size_t)n_events + 1, sizeof(*seen));
    int n_seen = 0;
    const struct es_type *first = NULL;
    es->source_types = ce_xcalloc((size_t)spec->n_pairs + 1, sizeof(*es->source_types));
    for (int i = 0; i < spec->n_pairs; i++) {
        const struct ce_node_pair *p = &spec->pairs[i];
        const struct es_type *t = p->key->type == CE_NODE_SCALAR ? es_type_find(p->key->str) : NULL;
        if (t == NULL || ce_node_is_null(p->value) || es_has_type(es, t->name)) {
            continue;
        }
        es->source_types[es->n_source_types++] = ce_xstrdup(t->name);
        size_t o2 = ce_mdec_push(c, p->key->str);
        if (first != NULL && first->passive != t->passive) {
            ce_mdec_err(c, p->key,
                        "\"%s\" and \"%s\" event sources cannot be put in one spec (one kind is "
                        "leader-elected, the other runs on every replica)",
                        first->name, t->name);
        }
        else if (first == NULL) {
            first = t;
        }
        if (ce_mdec_map(c, p->value)) {
            es_event_names(c, p->value, seen, &n_seen, n_events);
            if (strcmp(t->name, "webhook") == 0) {
                es_webhooks(c, p->value, es);
            }
        }
        ce_mdec_pop(c, o2);
    }
    ce_free(seen);
    if (es->n_source_types == 0) {
        ce_mdec_warn(c, spec, "no event source is defined");
    }
    ce_mdec_known(c, spec, es_spec_known);
    ce_mdec_pop(c, old);
}
