/* SPDX-License-Identifier: Apache-2.0 */
/* Filter groups: see filter_group.h. */
#include "sensor/filter_group.h"
#include "core/json/gjson.h"
#include "core/base/rc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FILTER_ERRS_MAX 4096 /* bytes of collected messages: enough to read, bounded */

void ce_sn_filter_errs_init(struct ce_sn_filter_errs *e)
{
    ce_buf_init(&e->text, FILTER_ERRS_MAX);
    e->n = 0;
}

void ce_sn_filter_errs_add(struct ce_sn_filter_errs *e, const char *msg)
{
    /* past the cap the message is cut: the count still tells an error happened */
    int rc = ce_buf_puts(&e->text, e->n > 0 ? " / " : "");
    rc |= ce_buf_puts(&e->text, msg);
    (void)rc;
    e->n++;
}

int ce_sn_filter_errs_finish(struct ce_sn_filter_errs *e, const char *group, char *err,
                             size_t errlen)
{
    int rc = CE_OK;
    if (e->n > 0) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "%s filter errors [%s]", group,
                        e->text.data ? e->text.data : "");
    }
    ce_sn_filter_errs_fini(e);
    return rc;
}

int ce_sn_compile_note(char *err, size_t errlen, const char *finding)
{
    size_t used = strnlen(err, errlen);
    if (used + 1 < errlen) {
        snprintf(err + used, errlen - used, "%s%s", used > 0 ? "\n" : "", finding);
    }
    return CE_EINVAL;
}

void ce_sn_filter_errs_fini(struct ce_sn_filter_errs *e)
{
    ce_buf_fini(&e->text);
    e->n = 0;
}

int ce_sn_group_run(const char *name, bool op_or, int n, ce_sn_item_fn *item, const void *group,
                    const char *data, size_t len, bool *pass, char *err, size_t errlen,
                    struct ce_buf *why, const char *indent)
{
    *pass = true;
    if (n == 0 || data == NULL) {
        return CE_OK;
    }
    if (!ce_gj_valid(data, len)) {
        *pass = false;
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s filter error (event data not valid JSON)",
                          name);
    }
    struct ce_sn_filter_errs errs;
    ce_sn_filter_errs_init(&errs);
    for (int i = 0; i < n; i++) {
        bool ok = false;
        char e[512];
        if (item(group, i, data, len, &ok, e, sizeof e, why, indent) != CE_OK) {
            if (!op_or) {
                *pass = false;
                ce_sn_filter_errs_fini(&errs);
                return ce_rc_fail(CE_EINVAL, err, errlen, "%s filter error (%s)", name, e);
            }
            ce_sn_filter_errs_add(&errs, e);
            continue;
        }
        if (ok == op_or) { /* or: the first pass decides; and: the first failure */
            *pass = ok;
            ce_sn_filter_errs_fini(&errs);
            return CE_OK;
        }
    }
    /* and: everything passed; or: nothing did */
    *pass = !op_or;
    return ce_sn_filter_errs_finish(&errs, name, err, errlen);
}
