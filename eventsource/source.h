/* SPDX-License-Identifier: Apache-2.0 */
/* The EventSource plugin contract: one plugin per source type (the manifest key), one directory
 * each, one exported const struct registered in eventsource/registry.c. */
#ifndef CE_EVENTSOURCE_SOURCE_H
#define CE_EVENTSOURCE_SOURCE_H

#include <stdbool.h>

struct ce_bus;
struct ce_eventsource;

/* What the runtime gives a plugin; borrowed for the plugin's whole life. */
struct ce_source_env {
    struct ce_bus *bus;
    const struct ce_eventsource *es;
    const char *secrets_dir;
    int retry_after_s; /* Retry-After sent with 503s when the bus is down */
};

struct ce_source_plugin {
    const char *type; /* manifest key and CloudEvent type, e.g. "webhook" */
    /* Starts every event of this type in env->es. CE_OK or an error (already logged). */
    int (*start)(const struct ce_source_env *env, void **state);
    /* Stops taking new events; events already accepted keep going. */
    void (*quiesce)(void *state);
    /* Events accepted but not yet answered. */
    int (*in_flight)(void *state);
    /* Stops and frees everything; accepts NULL. */
    void (*stop)(void *state);
};

/* The plugin for type, or NULL when cevents has none yet. */
const struct ce_source_plugin *ce_source_find(const char *type);

#endif
