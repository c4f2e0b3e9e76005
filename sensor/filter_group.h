/* SPDX-License-Identifier: Apache-2.0 */
/* What the data and exprs filter groups share: running their items with Argo's and/or rules,
 * the errors collected under `or` and reported together in Argo's form ("data filter errors
 * [a / b]") when no item passed. */
#ifndef CE_SENSOR_FILTER_GROUP_H
#define CE_SENSOR_FILTER_GROUP_H

#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>

struct ce_sn_filter_errs {
    struct ce_buf text; /* messages joined by " / " */
    int n;
};

void ce_sn_filter_errs_init(struct ce_sn_filter_errs *e);
void ce_sn_filter_errs_add(struct ce_sn_filter_errs *e, const char *msg);
/* Frees e; CE_OK when nothing was collected, else CE_EINVAL with
 * "<group> filter errors [...]" in err. */
int ce_sn_filter_errs_finish(struct ce_sn_filter_errs *e, const char *group, char *err,
                             size_t errlen);
void ce_sn_filter_errs_fini(struct ce_sn_filter_errs *e);

/* Adds a compile finding to err, one per line, so that every finding of a dependency is
 * reported (each at its own node) instead of only the first. Returns CE_EINVAL. */
int ce_sn_compile_note(char *err, size_t errlen, const char *finding);

/* One item of a group: CE_OK with *pass, or an error with its bare message in err. It adds its
 * own explanation line to why (may be NULL). */
typedef int ce_sn_item_fn(const void *group, int i, const char *data, size_t len, bool *pass,
                          char *err, size_t errlen, struct ce_buf *why, const char *indent);

/* Runs items 0..n-1 of group on the event data: no data passes; data that is not JSON is an
 * error; `and` (op_or false) fails on the first failing item and errs on the first error; `or`
 * passes on the first passing item and errs (every message collected) when nothing passed.
 * Errors read "<name> filter error (...)" / "<name> filter errors [...]". */
int ce_sn_group_run(const char *name, bool op_or, int n, ce_sn_item_fn *item, const void *group,
                    const char *data, size_t len, bool *pass, char *err, size_t errlen,
                    struct ce_buf *why, const char *indent);

#endif
