/* SPDX-License-Identifier: Apache-2.0 */
/* Static table of EventSource plugins. */
#include "eventsource/source.h"

#include <string.h>

extern const struct ce_source_plugin ce_source_webhook;

static const struct ce_source_plugin *const source_plugins[] = {
    &ce_source_webhook,
};

const struct ce_source_plugin *ce_source_find(const char *type)
{
    for (size_t i = 0; i < sizeof(source_plugins) / sizeof(source_plugins[0]); i++) {
        if (strcmp(source_plugins[i]->type, type) == 0) {
            return source_plugins[i];
        }
    }
    return NULL;
}
