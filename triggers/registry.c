/* SPDX-License-Identifier: Apache-2.0 */
/* The trigger plugins. */
#include "triggers/trigger.h"

#include <string.h>

/* One line per plugin: its directory under triggers/, which exports ce_trigger_<name>. */
#define TRIGGER_PLUGINS(X) X(argoWorkflow) X(http) X(k8s) X(kafka) X(log) X(nats)

#define TRIGGER_DECLARE(name) extern const struct ce_trigger_plugin ce_trigger_##name;
#define TRIGGER_ENTRY(name) &ce_trigger_##name,
TRIGGER_PLUGINS(TRIGGER_DECLARE)
static const struct ce_trigger_plugin *const trigger_plugins[] = {TRIGGER_PLUGINS(TRIGGER_ENTRY)};

#define TRIGGER_N_PLUGINS ((int)(sizeof(trigger_plugins) / sizeof(trigger_plugins[0])))

const struct ce_trigger_plugin *ce_trigger_find(const char *kind)
{
    for (int i = 0; kind != NULL && i < TRIGGER_N_PLUGINS; i++) {
        if (strcmp(trigger_plugins[i]->block->key, kind) == 0) {
            return trigger_plugins[i];
        }
    }
    return NULL;
}

const struct ce_trigger_plugin *const *ce_trigger_plugins(int *n)
{
    *n = TRIGGER_N_PLUGINS;
    return trigger_plugins;
}

const struct ce_block_decoder *ce_trigger_decoder(const char *kind)
{
    const struct ce_trigger_plugin *p = ce_trigger_find(kind);
    return p != NULL ? p->block : NULL;
}
