/* SPDX-License-Identifier: Apache-2.0 */
/* The trigger plugin contract: one plugin per action kind (the manifest key under template), one
 * directory each, registered by one line in triggers/registry.c. A plugin decodes and validates
 * its own block (manifest/plugin.h); what every trigger shares (conditions, parameters, policy,
 * retries, rate limit, dlqTrigger) is decoded by manifest/ and run by the sensor. */
#ifndef CE_TRIGGERS_TRIGGER_H
#define CE_TRIGGERS_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/plugin.h"

/* Raised when the contract below changes; the registry test holds every plugin to it. */
#define CE_TRIGGER_API_VERSION 1

struct ce_buf;
struct ce_cloudevent;
struct ce_sensor;
struct ce_trigger;

/* One event that satisfied a dependency of the firing trigger. Borrowed for the call. */
struct ce_trigger_event {
    const char *dependency_name;
    const struct ce_cloudevent *event;
};

/* What an attempt reports besides its return code. */
struct ce_trigger_result {
    char err[256];          /* a short reason when it failed */
    int64_t retry_after_ms; /* the target asked to wait this long before a retry; -1: no ask */
};

/* Where a trigger finds what the Sensor's pod would mount (core/secrets.h layout). */
struct ce_trigger_env {
    const char *secrets_dir;
    const char *config_dir;
    /* What the plugin's keep_create made for this trigger (NULL without one): it outlives every
     * state made for the trigger, also the per-firing ones of a rebuilt trigger. */
    void *kept;
};

struct ce_trigger_plugin {
    int api_version;                      /* CE_TRIGGER_API_VERSION */
    const struct ce_block_decoder *block; /* block->key: the kind, "log", "http", ... */
    /* The action is local and cannot be half done elsewhere (the log trigger): the sensor then
     * acknowledges after it even when atLeastOnce is false, so a crash can repeat the action
     * but never lose it. */
    bool ack_after_fire;
    /* execute may run on several threads at once for one state, and create/destroy of the
     * per-firing states of a rebuilt trigger may run beside it (so the plugin's state, what
     * env->kept holds and what they call are thread-safe). The sensor then fires the trigger
     * on a pool of workers (`--trigger-workers`), unless its conditions keep state (`&&`).
     * False: one firing at a time per trigger, in the order the events came. */
    bool concurrent;
    /* Prepares the trigger; spec problems were already caught by the block's decoder, whose
     * result is trigger->action. env outlives the state. */
    int (*create)(const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                  const struct ce_trigger_env *env, void **state);
    /* Runs the action once for the events of one firing. CE_OK on success, CE_RETRY for a
     * transient failure worth retrying (retryStrategy decides whether and when), anything
     * else is permanent. res comes initialised (empty err, retry_after_ms -1). May run on any
     * sensor thread; one call at a time per state unless the plugin is concurrent. */
    int (*execute)(void *state, const struct ce_trigger_event *events, int n,
                   struct ce_trigger_result *res);
    /* Appends, for people, what execute would do with these events, without doing it (each
     * line starts with indent): the log line, the request with its rendered body. */
    void (*describe)(void *state, const struct ce_trigger_event *events, int n, const char *indent,
                     struct ce_buf *out);
    void (*destroy)(void *state);
    /* Optional: what a trigger's states share and that must outlive each of them (a connection
     * pool), made once per trigger before its first state and freed after its last. */
    void *(*keep_create)(void);
    void (*keep_destroy)(void *kept);
};

/* The plugin for kind, or NULL when cevents has none yet. */
const struct ce_trigger_plugin *ce_trigger_find(const char *kind);
/* Every plugin, in registry order: *n of them. */
const struct ce_trigger_plugin *const *ce_trigger_plugins(int *n);
/* The decoder of kind's block (a ce_manifest_plugins lookup), or NULL. */
const struct ce_block_decoder *ce_trigger_decoder(const char *kind);

#endif
