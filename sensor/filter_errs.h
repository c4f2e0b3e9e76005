/* SPDX-License-Identifier: Apache-2.0 */
/* Errors collected by a filter group under `or`, reported together in Argo's form
 * ("data filter errors [a / b]") when no item passed. Also the Go-compatible parsing of filter
 * values shared by the groups. */
#ifndef CE_SENSOR_FILTER_ERRS_H
#define CE_SENSOR_FILTER_ERRS_H

#include "core/buf.h"

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

/* Go's strconv.ParseFloat and strconv.ParseBool on a whole string. */
bool ce_sn_go_parse_float(const char *s, double *out);
bool ce_sn_go_parse_bool(const char *s, bool *out);

#endif
