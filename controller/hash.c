/* SPDX-License-Identifier: Apache-2.0 */
/* The hash that decides whether a built object changed (controller/build.h). */
#include "controller/build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void ce_ctl_hash(const json_t *obj, char out[17])
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)(text != NULL ? text : ""); *p; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    free(text);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int ce_ctl_stamp_hash(json_t *obj)
{
    json_t *md = json_object_get(obj, "metadata");
    if (!json_is_object(md)) {
        return CE_EINVAL;
    }
    json_t *ann = json_object_get(md, "annotations");
    if (json_is_object(ann)) {
        json_object_del(ann, CE_CTL_HASH_ANNOTATION);
    }
    char h[17];
    ce_ctl_hash(obj, h);
    if (!json_is_object(ann)) {
        ann = json_object();
        if (ann == NULL || json_object_set_new(md, "annotations", ann) != 0) {
            return CE_EIO;
        }
    }
    return json_object_set_new(ann, CE_CTL_HASH_ANNOTATION, json_string(h)) == 0 ? CE_OK : CE_EIO;
}

void ce_ctl_built_fini(struct ce_ctl_built *b)
{
    json_decref(b->objects);
    json_decref(b->conditions);
    json_decref(b->bus_config);
    b->objects = b->conditions = b->bus_config = NULL;
}
