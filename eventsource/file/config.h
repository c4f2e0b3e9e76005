/* SPDX-License-Identifier: Apache-2.0 */
/* One file event's settings (Argo's FileEventSource), decoded and checked from
 * spec.file.<event>: the regexp is compiled here, so a bad one is refused by `cevents lint`. */
#ifndef CE_EVENTSOURCE_FILE_CONFIG_H
#define CE_EVENTSOURCE_FILE_CONFIG_H

#include "eventsource/watch_path.h"
#include "manifest/model.h"

#include <stdbool.h>

struct ce_block_decoder;

struct ce_file_config {
    struct ce_watch_path watch;
    char *event_type; /* as written: CREATE, WRITE, REMOVE, RENAME or CHMOD */
    unsigned op;      /* its bit (eventsource/watch_path.h) */
    bool polling;
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
};

extern const struct ce_block_decoder ce_file_decoder;

#endif
