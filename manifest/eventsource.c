/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource decoding and validation: the list of source types present, the controller's
 * spec-level rules (unique event names, no mixing of leader-elected and all-active types), what
 * every event shares (its name and filter), and each event's own settings handed to its type's
 * plugin. */
#include "manifest/decode_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/mem.h"

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

static void es_event_free(struct ce_es_event *ev)
{
    ce_free(ev->name);
    ce_free(ev->filter_expression);
    if (ev->decoder != NULL && ev->config != NULL) {
        ev->decoder->free_config(ev->config);
    }
}

void ce_manifest_eventsource_free(struct ce_eventsource *es)
{
    if (es == NULL) {
        return;
    }
    ce_free(es->name);
    ce_free(es->namespace_);
    ce_free(es->event_bus_name);
    for (int i = 0; i < es->n_events; i++) {
        es_event_free(&es->events[i]);
    }
    ce_free(es->events);
    for (int i = 0; i < es->n_source_types; i++) {
        ce_free(es->source_types[i]);
    }
    ce_free(es->source_types);
    ce_free(es);
}

static int es_event_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_es_event *)a)->name, ((const struct ce_es_event *)b)->name);
}

static void es_event_filter(struct ce_mdec *c, const struct ce_node *node, struct ce_es_event *ev)
{
    const struct ce_node *f = ce_node_get(node, "filter");
    if (ev->decoder != NULL && ev->decoder->owns_filter) {
        return; /* the plugin's to decode */
    }
    size_t old = ce_mdec_push(c, "filter");
    if (ce_mdec_map(c, f)) {
        ev->filter_expression = ce_mdec_str(c, f, "expression", false);
        ce_mdec_known(c, f, es_filter_known);
    }
    ce_mdec_pop(c, old);
}

/* One event: the shared part here, its settings by the type's plugin (when cevents has one). */
static void es_event(struct ce_mdec *c, const struct ce_node_pair *p, const char *type,
                     const struct ce_block_decoder *dec, struct ce_es_event *ev)
{
    ev->name = ce_xstrdup(p->key->str);
    ev->type = type;
    ev->pos = ce_mdec_pos(c, p->key);
    ev->node = p->value;
    if (dec != NULL) {
        ev->decoder = dec;
        ev->config = dec->decode(c, p->value);
    }
    if (p->value != NULL && p->value->type == CE_NODE_MAP) {
        es_event_filter(c, p->value, ev);
    }
    if (dec != NULL && dec->keys != NULL) {
        ce_mdec_known(c, p->value, dec->keys);
    }
}

static void es_events(struct ce_mdec *c, const struct ce_node *map, const char *type,
                      struct ce_eventsource *es)
{
    const struct ce_block_decoder *dec =
        c->plugins && c->plugins->source ? c->plugins->source(type) : NULL;
    es->events = ce_xrealloc(es->events, ((size_t)es->n_events + (size_t)map->n_pairs + 1) *
                                             sizeof(*es->events));
    int first = es->n_events;
    for (int i = 0; i < map->n_pairs; i++) {
        const struct ce_node_pair *p = &map->pairs[i];
        if (p->key->type != CE_NODE_SCALAR) {
            continue; /* reported by es_event_names */
        }
        struct ce_es_event *ev = &es->events[es->n_events++];
        memset(ev, 0, sizeof(*ev));
        size_t old = ce_mdec_push(c, p->key->str);
        es_event(c, p, type, dec, ev);
        ce_mdec_pop(c, old);
    }
    qsort(es->events + first, (size_t)(es->n_events - first), sizeof(*es->events), es_event_cmp);
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
            es_events(c, p->value, t->name, es);
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
