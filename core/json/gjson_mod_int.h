/* SPDX-License-Identifier: Apache-2.0 */
/* The @modifier functions of the lookup module (gjson_mods.c). Each takes the current JSON text
 * and the modifier argument and returns new text (owned by the context or a slice of json). */
#ifndef CE_CORE_GJSON_MOD_H
#define CE_CORE_GJSON_MOD_H

#include "core/json/gjson_int.h"

typedef struct gj_sl (*gj_mod_fn)(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);

struct gj_sl gj_mod_this(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_reverse(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_keys(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_values(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_flatten(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_join(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_valid(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_ugly(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_pretty(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_tostr(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_fromstr(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_group(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);
struct gj_sl gj_mod_dig(struct gj_ctx *c, struct gj_sl json, struct gj_sl arg);

#endif
