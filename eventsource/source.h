/* SPDX-License-Identifier: Apache-2.0 */
/* The EventSource plugin contract: one plugin per source type (the manifest key under spec), one
 * directory each, one exported const struct registered by one line in eventsource/registry.c.
 * A plugin decodes and validates its own block (manifest/plugin.h) and runs its events; the
 * runtime gives it, per event, an emitter that already applies the event's filter, publishes to
 * the bus and counts. */
#ifndef CE_EVENTSOURCE_SOURCE_H
#define CE_EVENTSOURCE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "manifest/plugin.h"

/* Raised when the contract below changes; the registry test holds every plugin to it. */
#define CE_SOURCE_API_VERSION 1

struct ce_bus;
struct ce_emitter;
struct ce_es_event;
struct ce_eventsource;

/* One event of the plugin's type: spec->config is the plugin's decoded block. */
struct ce_source_event {
    const struct ce_es_event *spec;
    struct ce_emitter *em;
};

/* What the runtime gives a plugin; borrowed for the plugin's whole life. */
struct ce_source_env {
    struct ce_bus *bus;
    const struct ce_eventsource *es;
    const struct ce_source_event *events; /* the events of this plugin's type, sorted by name */
    int n_events;
    const char *secrets_dir;
    int retry_after_s; /* Retry-After sent with 503s when the bus is down */
};

struct ce_source_plugin {
    int api_version;                      /* CE_SOURCE_API_VERSION */
    const struct ce_block_decoder *block; /* block->key: the type key, also the CloudEvent type */
    /* Starts every event in env. CE_OK or an error (already logged). */
    int (*start)(const struct ce_source_env *env, void **state);
    /* Stops taking new events; events already accepted keep going. */
    void (*quiesce)(void *state);
    /* Events accepted but not yet answered. */
    int (*in_flight)(void *state);
    /* Stops and frees everything; accepts NULL. */
    void (*stop)(void *state);
    /* Optional: an upper bound of the CloudEvent (bytes, as published) one event of ev can make
     * (a webhook's from its maxPayloadSize), so the bus can be sized for it. */
    int64_t (*max_event_bytes)(const struct ce_es_event *ev);
    /* Optional: whether the plugin's events are taking events now (a listener that lost its
     * stream is not); /readyz answers 503 while any plugin says no. Called from another thread. */
    bool (*ready)(void *state);
};

/* The plugin for type, or NULL when cevents has none yet. */
const struct ce_source_plugin *ce_source_find(const char *type);
/* Every plugin, in registry order: *n of them. */
const struct ce_source_plugin *const *ce_source_plugins(int *n);
/* The largest CloudEvent any event of es can make (max_event_bytes over its events; events
 * whose plugin gives no bound count as 0); *which is that event. */
int64_t ce_source_max_event_bytes(const struct ce_eventsource *es,
                                  const struct ce_es_event **which);
/* The decoder of type's block (a ce_manifest_plugins lookup), or NULL. */
const struct ce_block_decoder *ce_source_decoder(const char *type);

#endif
