/* SPDX-License-Identifier: Apache-2.0 */
/* The walk state shared by the object and array walkers of the lookup module. */
#ifndef CE_CORE_GJSON_GET_H
#define CE_CORE_GJSON_GET_H

#include "core/json/gjson_int.h"

struct gj_walk {
    struct gj_ctx *g;
    struct gj_sl json;
    struct gj_val value;
    struct gj_sl pipe;
    bool piped;
};

size_t gj_walk_object(struct gj_walk *w, size_t i, struct gj_sl path, bool *hit);
size_t gj_walk_array(struct gj_walk *w, size_t i, struct gj_sl path, bool *hit);
/* Offset of v's raw text inside json, or 0 when it lies elsewhere. */
size_t gj_index_in(struct gj_sl json, const struct gj_val *v);
/* Fills a scalar value read at its raw text (string, literal or number). */
void gj_set_string(struct gj_ctx *c, struct gj_val *v, struct gj_sl raw, bool esc);
void gj_set_literal(struct gj_val *v, struct gj_sl raw);
void gj_set_number(struct gj_val *v, struct gj_sl raw);

#endif
