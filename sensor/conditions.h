/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger `conditions`: dependency names joined by &&, || and parentheses, compiled once against
 * the Sensor's dependency list and evaluated in time linear in the expression. Names resolve as
 * in Argo: every '-' counts as '_' on both sides, so `dep-1a` names a dependency `dep_1a`. */
#ifndef CE_SENSOR_CONDITIONS_H
#define CE_SENSOR_CONDITIONS_H

#include <stdbool.h>
#include <stddef.h>

struct ce_cond;

#define CE_COND_MAX_DEPTH 256       /* nesting of parentheses */
#define CE_COND_MAX_LEN (64 * 1024) /* bytes of expression */
#define CE_COND_MAX_DEPS 65536

/* Compiles expr against dep_names[0..n_deps). NULL or "" means Argo's default: every dependency
 * joined with && in spec order. && binds tighter than ||. Each name in expr is matched with '-'
 * and '_' treated alike; if two dependencies match, the later one wins (Argo builds a map).
 * On success *out is owned by the caller. Errors (CE_EPARSE, CE_ETOOBIG, CE_EINVAL) carry a
 * message naming the 1-based byte column, e.g. `unknown dependency "dep-9" at column 12`. */
int ce_cond_compile(const char *expr, const char *const *dep_names, int n_deps,
                    struct ce_cond **out, char *err, size_t errlen);

/* Evaluates with satisfied[i] telling whether dependency i (index into dep_names) has an event.
 * Iterative, no allocation; thread-safe on a shared ce_cond. */
bool ce_cond_eval(const struct ce_cond *c, const bool *satisfied);

/* True when the expression has no && (Argo's test: such a trigger fires on every matching
 * event without saving state; a single dependency is pure OR). */
bool ce_cond_is_pure_or(const struct ce_cond *c);

/* Writes the indexes of the referenced dependencies, each once, in order of first appearance,
 * into idx[0..max). Returns how many there are (which may exceed max). */
int ce_cond_deps(const struct ce_cond *c, int *idx, int max);

/* Argo's resolved dependency expression: real names, no spaces ("(dep-1&&dep-2)||dep-3"), as
 * its sensor logs it. Owned by c. */
const char *ce_cond_text(const struct ce_cond *c);

/* Accepts NULL. */
void ce_cond_destroy(struct ce_cond *c);

#endif
