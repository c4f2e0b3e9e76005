/* SPDX-License-Identifier: Apache-2.0 */
/* Path component splitting for the lookup module (gjson_path.c). */
#ifndef CE_CORE_GJSON_PATH_H
#define CE_CORE_GJSON_PATH_H

#include "core/json/gjson_int.h"

struct gj_objpath {
    struct gj_sl part, path, pipe;
    bool piped, wild, more;
};

struct gj_arrpath {
    struct gj_sl part, path, pipe, alogkey;
    bool piped, more, alogok, arrch;
    struct {
        bool on, all;
        struct gj_sl path, op, value;
    } query;
};

void gj_object_path(struct gj_ctx *c, struct gj_sl path, struct gj_objpath *r);
void gj_array_path(struct gj_ctx *c, struct gj_sl path, struct gj_arrpath *r);
/* Splits at the first `|` outside selectors and escapes. */
bool gj_split_pipe(struct gj_sl path, struct gj_sl *left, struct gj_sl *right);

#endif
