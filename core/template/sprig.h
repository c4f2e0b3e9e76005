/* SPDX-License-Identifier: Apache-2.0 */
/* The sprig template functions (as Argo Events' templates see them) over core/tvalue values,
 * callable by any evaluator: a name lookup gives the function and its Go signature, which the
 * caller uses to check and convert arguments the way Go's reflection would. */
#ifndef CE_CORE_SPRIG_H
#define CE_CORE_SPRIG_H

#include "core/template/tvalue.h"

#include <stddef.h>

/* Go parameter types that matter for argument checking. */
enum ce_fn_type {
    CE_FT_ANY,    /* interface{}: anything; an invalid value becomes nil */
    CE_FT_STRING, /* string */
    CE_FT_INT,    /* int (int64 or float64 values are refused, as Go does) */
    CE_FT_FLOAT,  /* float64 */
    CE_FT_BOOL,   /* bool */
    CE_FT_MAP,    /* map[string]interface {} */
    CE_FT_TIME,   /* time.Time */
    CE_FT_VALUE,  /* reflect.Value: the value as it is, invalid included */
};

/* Returns CE_OK with *out set, or an error code with a message in c->err (Go's "error calling
 * X: <message>" is added by the caller). */
typedef int (*ce_fn_impl)(struct ce_tv_ctx *c, struct ce_tv *args, size_t nargs, struct ce_tv *out);

#define CE_FN_MAX_PARAMS 4

struct ce_fn {
    const char *name;
    ce_fn_impl fn;
    unsigned char nfixed;   /* fixed parameters */
    unsigned char variadic; /* 1: more arguments of type params[nfixed] may follow */
    unsigned char params[CE_FN_MAX_PARAMS + 1];
};

/* The sprig function called name (env/expandenv/getHostByName are not offered), or NULL. */
const struct ce_fn *ce_sprig_lookup(const char *name, size_t len);

/* The time.Time method called name (args[0] is the receiver), or NULL. */
const struct ce_fn *ce_sprig_time_method(const char *name);

/* Helpers shared with other evaluators, following sprig's conversions. */
int64_t ce_sprig_to_int64(const struct ce_tv *v);  /* cast.ToInt64 */
double ce_sprig_to_float64(const struct ce_tv *v); /* cast.ToFloat64 */

#endif
