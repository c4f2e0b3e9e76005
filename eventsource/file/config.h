/* SPDX-License-Identifier: Apache-2.0 */
/* One file event's settings (Argo's FileEventSource), decoded and checked from
 * spec.file.<event>: the regexp is compiled here, so a bad one is refused by `cevents lint`. */
#ifndef CE_EVENTSOURCE_FILE_CONFIG_H
#define CE_EVENTSOURCE_FILE_CONFIG_H

#include "manifest/model.h"

#include <stdbool.h>

struct ce_block_decoder;
struct ce_regex;

struct ce_file_config {
    char *directory; /* as written (absolute) */
    char *dir;       /* directory without its trailing '/' */
    char *path;      /* relative; NULL when pathRegexp is used */
    char *path_regexp;
    struct ce_regex *re;
    char *event_type; /* as written: CREATE, WRITE, REMOVE, RENAME or CHMOD */
    unsigned op;      /* its bit (watch.h) */
    bool polling;
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
};

extern const struct ce_block_decoder ce_file_decoder;

/* Decoding helpers the block shares with its tests. metadata: a map of strings, sorted as Go
 * marshals a map. */
struct ce_mdec;
struct ce_node;
void ce_fsw_decode_metadata(struct ce_mdec *c, const struct ce_node *ev, struct ce_kv **out,
                            int *n);

#endif
