/* SPDX-License-Identifier: Apache-2.0 */
/* The data and exprs groups of a dependency's filters, on the event data as JSON text, with
 * Argo's semantics: every path must exist (else an error), `dataLogicalOperator` /
 * `exprLogicalOperator` `or` passes on the first passing item and errors only when nothing
 * passed, `and` fails on the first failing item and errors on the first error. Values, regular
 * expressions, templates and expressions are checked once at compile time, so a typo stops the
 * Sensor at start with its place instead of failing every event. Immutable after compile. */
#ifndef CE_SENSOR_FILTER_DATA_H
#define CE_SENSOR_FILTER_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ce_buf;
struct ce_sn_data_group;
struct ce_sn_exprs_group;

/* list: the `filters.data` array; op: dataLogicalOperator (NULL, "", "and" or "or").
 * CE_EINVAL with "filters.data[i].field: reason" in err. */
int ce_sn_data_compile(const json_t *list, const char *op, struct ce_sn_data_group **out, char *err,
                       size_t errlen);
/* data: the event data (NULL/0 when the event has none: the group passes, as in Argo).
 * CE_OK with *pass, or CE_EINVAL with Argo's text ("data filter error (path 'x' does not
 * exist)"). why (may be NULL) gets one line per item evaluated, each starting with indent. */
int ce_sn_data_eval(const struct ce_sn_data_group *g, const char *data, size_t len, bool *pass,
                    char *err, size_t errlen, struct ce_buf *why, const char *indent);
void ce_sn_data_destroy(struct ce_sn_data_group *g);

/* The same for `filters.exprs` and exprLogicalOperator: each item's fields are looked up in
 * the data and bound by name, then its govaluate expression must give exactly true. */
int ce_sn_exprs_compile(const json_t *list, const char *op, struct ce_sn_exprs_group **out,
                        char *err, size_t errlen);
int ce_sn_exprs_eval(const struct ce_sn_exprs_group *g, const char *data, size_t len, bool *pass,
                     char *err, size_t errlen, struct ce_buf *why, const char *indent);
void ce_sn_exprs_destroy(struct ce_sn_exprs_group *g);

#endif
