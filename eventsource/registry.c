/* SPDX-License-Identifier: Apache-2.0 */
/* The EventSource plugins. */
#include "eventsource/source.h"

#include "manifest/model.h"

#include <string.h>

/* One line per plugin: its directory under eventsource/, which exports ce_source_<name>. */
#define SOURCE_PLUGINS(X) X(webhook) X(calendar) X(file) X(kafka) X(minio) X(sftp) X(sns) X(sqs)

#define SOURCE_DECLARE(name) extern const struct ce_source_plugin ce_source_##name;
#define SOURCE_ENTRY(name) &ce_source_##name,
SOURCE_PLUGINS(SOURCE_DECLARE)
static const struct ce_source_plugin *const source_plugins[] = {SOURCE_PLUGINS(SOURCE_ENTRY)};

#define SOURCE_N_PLUGINS ((int)(sizeof(source_plugins) / sizeof(source_plugins[0])))

const struct ce_source_plugin *ce_source_find(const char *type)
{
    for (int i = 0; type != NULL && i < SOURCE_N_PLUGINS; i++) {
        if (strcmp(source_plugins[i]->block->key, type) == 0) {
            return source_plugins[i];
        }
    }
    return NULL;
}

const struct ce_source_plugin *const *ce_source_plugins(int *n)
{
    *n = SOURCE_N_PLUGINS;
    return source_plugins;
}

const struct ce_block_decoder *ce_source_decoder(const char *type)
{
    const struct ce_source_plugin *p = ce_source_find(type);
    return p != NULL ? p->block : NULL;
}

int64_t ce_source_max_event_bytes(const struct ce_eventsource *es, const struct ce_es_event **which)
{
    int64_t max = 0;
    *which = NULL;
    for (int i = 0; i < es->n_events; i++) {
        const struct ce_source_plugin *p = ce_source_find(es->events[i].type);
        int64_t n =
            p != NULL && p->max_event_bytes != NULL ? p->max_event_bytes(&es->events[i]) : 0;
        if (n > max) {
            max = n;
            *which = &es->events[i];
        }
    }
    return max;
}
