/* SPDX-License-Identifier: Apache-2.0 */
/* Static table of trigger plugins. */
#include "triggers/trigger.h"

#include <string.h>

extern const struct ce_trigger_plugin ce_trigger_http;
extern const struct ce_trigger_plugin ce_trigger_log;

static const struct ce_trigger_plugin *const trigger_plugins[] = {
    &ce_trigger_http,
    &ce_trigger_log,
};

const struct ce_trigger_plugin *ce_trigger_find(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(trigger_plugins) / sizeof(trigger_plugins[0]); i++) {
        if (strcmp(trigger_plugins[i]->kind, kind) == 0) {
            return trigger_plugins[i];
        }
    }
    return NULL;
}
