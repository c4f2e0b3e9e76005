/* SPDX-License-Identifier: Apache-2.0 */
/* The functions an EventSource `filter.expression` can call besides the expr-lang builtins, as
 * Argo Events offers them: `jsonpath(jsonString, path)` and `sprig.<name>(...)` for every sprig
 * function cevents implements (env and expandenv are not offered). toJson, asInt and asFloat
 * are built into core/expr itself. */
#ifndef CE_CORE_EXPR_FUNCS_H
#define CE_CORE_EXPR_FUNCS_H

#include "core/expr/expr.h"

#define CE_EXPR_FUNCS_DEPTH_MAX 64 /* nesting of values converted to and from sprig values */

/* A static, immutable table (thread-safe) for ce_expr_eval / ce_expr_eval_bool. */
const struct ce_expr_funcs *ce_expr_funcs_argo(void);

#endif
