/* SPDX-License-Identifier: Apache-2.0 */
/* A dependency's filters, compiled once from the manifest and evaluated per event with Argo's
 * exact semantics: each configured group (context, time, and data, exprs, script as they are
 * built) passes or fails or errors; `filtersLogicalOperator: and` (default) needs every
 * configured group to pass and the first error fails the dependency; `or` needs one to pass,
 * and any error still fails it (Argo's runtime turns "pass with error" into a failure). */
#ifndef CE_SENSOR_FILTER_H
#define CE_SENSOR_FILTER_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>

struct ce_buf;
struct ce_cloudevent;
struct ce_dependency;
struct ce_sn_filter;

/* Compiles d's filters (*out stays NULL when it has none). CE_EINVAL with the reason in err
 * for a filter cevents cannot evaluate (a bad time, an unknown zone, a group not built yet). */
int ce_sn_filter_compile(const struct ce_dependency *d, struct ce_sn_filter **out, char *err,
                         size_t errlen) CE_MUST_CHECK;
void ce_sn_filter_destroy(struct ce_sn_filter *f);
/* ce_sn_filter_apply for people: appends the transform's result and one line per configured
 * group saying whether the event passes it and why (each line starts with indent), then the
 * combined verdict. The transformed event goes to *copy as ce_sn_filter_apply gives it. */
int ce_sn_filter_explain(const struct ce_sn_filter *f, const struct ce_cloudevent *ev,
                         struct ce_cloudevent *copy, const char *indent, struct ce_buf *out,
                         bool *pass);
/* The whole check of a dependency: its transform (when it has one, the result goes to *out, a
 * fresh event the caller releases with ce_cloudevent_fini; out->id stays NULL otherwise), then
 * its filters on the result. */
int ce_sn_filter_apply(const struct ce_sn_filter *f, const struct ce_cloudevent *in,
                       struct ce_cloudevent *out, bool *pass, char *err, size_t errlen);
/* *pass for ev; CE_OK, or CE_EINVAL with Argo's error text ("time filter error (...)") in
 * err, which means the dependency is not satisfied. A NULL filter passes everything. */
int ce_sn_filter_eval(const struct ce_sn_filter *f, const struct ce_cloudevent *ev, bool *pass,
                      char *err, size_t errlen);

#endif
