/* SPDX-License-Identifier: Apache-2.0 */
/* What manifest/ asks of a plugin: the block a source or trigger plugin owns, under its key, is
 * decoded and validated by the plugin itself. manifest/ decodes what every kind shares (metadata,
 * an event's name and filter, a trigger's template, parameters and policies), then hands the
 * plugin its node. manifest/ knows no plugin: the caller passes the lookups (the registries of
 * eventsource/ and triggers/), so a new plugin changes nothing here. */
#ifndef CE_MANIFEST_PLUGIN_H
#define CE_MANIFEST_PLUGIN_H

#include <stdbool.h>

#include "manifest/mdec.h"

/* The decoder of one plugin's block. */
struct ce_block_decoder {
    const char *key; /* the manifest key: "webhook" under an EventSource spec, "http" under a
                        trigger template */
    /* The keys the block may hold, NULL-terminated, for `lint --strict` (an event source's list
     * includes "filter", which manifest/ decodes). NULL: the block's keys are not checked. */
    const char *const *keys;
    /* Decodes and validates node (the block: one event's settings for a source, the action for a
     * trigger; present and not null, of any YAML type). Every problem goes through c, whose path
     * already names the block. Returns what the plugin keeps (its own type; NULL when it keeps
     * nothing), which the manifest set owns from then on and frees with free_config. */
    void *(*decode)(struct ce_mdec *c, const struct ce_node *node);
    void (*free_config)(void *config);
    /* A source whose block gives `filter` a meaning of its own (minio's object-key prefix and
     * suffix, as Argo's S3 artifact does): manifest/ then leaves `filter` to decode. */
    bool owns_filter;
};

/* The lookups a manifest set decodes plugin blocks with. Either may be NULL, and either may
 * answer NULL for a key cevents has no plugin for: such a block is kept as its node only. */
struct ce_manifest_plugins {
    const struct ce_block_decoder *(*source)(const char *key);
    const struct ce_block_decoder *(*trigger)(const char *key);
};

#endif
