/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.file.<event>: watchPathConfig (eventsource/watch_path.c), eventType, polling
 * and metadata (as a webhook's). */
#include "eventsource/file/config.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/webhook_config.h"
#include "manifest/plugin.h"

#include <string.h>

static const char *const file_keys[] = {"eventType", "watchPathConfig", "polling",
                                        "metadata",  "filter",          NULL};

static void file_event_type(struct ce_mdec *c, const struct ce_node *ev, struct ce_file_config *cfg,
                            unsigned allowed)
{
    cfg->event_type = ce_mdec_str(c, ev, "eventType", false);
    if (cfg->event_type == NULL || cfg->event_type[0] == '\0') {
        ce_mdec_err_missing(c, ev, ev, "eventType", "type must be specified");
        return;
    }
    cfg->op = ce_watch_op_parse(cfg->event_type);
    if (strcmp(ce_watch_op_name(cfg->op), cfg->event_type) != 0 || (cfg->op & allowed) == 0) {
        /* Argo compares the name with each notification's: such a value never fires */
        ce_mdec_err_key(c, ce_node_get(ev, "eventType"), "eventType",
                        "%s never fires: it must be one of %s", cfg->event_type,
                        allowed == CE_WATCH_CREATE + CE_WATCH_REMOVE
                            ? "CREATE, REMOVE"
                            : "CREATE, WRITE, REMOVE, RENAME, CHMOD");
    }
}

static void file_free(void *config)
{
    struct ce_file_config *cfg = config;
    ce_watch_path_free(&cfg->watch);
    ce_free(cfg->event_type);
    for (int i = 0; i < cfg->n_metadata; i++) {
        ce_free(cfg->metadata[i].key);
        ce_free(cfg->metadata[i].value);
    }
    ce_free(cfg->metadata);
    ce_free(cfg);
}

static void *file_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_file_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, ev)) {
        ce_mdec_err(c, ev, "the event has no settings (watchPathConfig and eventType)");
        return cfg;
    }
    ce_watch_path_decode(c, ev, &cfg->watch);
    file_event_type(c, ev, cfg, 31u);
    cfg->polling = ce_mdec_bool(c, ev, "polling");
    ce_webhook_metadata_decode(c, ev, &cfg->metadata, &cfg->n_metadata);
    return cfg;
}

const struct ce_block_decoder ce_file_decoder = {
    .key = "file",
    .keys = file_keys,
    .decode = file_decode,
    .free_config = file_free,
};
