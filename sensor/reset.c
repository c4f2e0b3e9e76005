/* SPDX-License-Identifier: Apache-2.0 */
/* conditionsReset schedules: see reset.h. */
#include "sensor/reset.h"
#include "core/time/cron.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "manifest/model.h"
#include "manifest/tojson.h"

#include <jansson.h>
#include <stdio.h>

#define RESET_MAX 64

struct ce_sn_resets {
    struct ce_cron *crons[RESET_MAX];
    int n;
};

int ce_sn_resets_create(const struct ce_trigger *t, struct ce_sn_resets **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    json_t *j = ce_node_to_json(t->node);
    json_t *list = json_object_get(json_object_get(j, "template"), "conditionsReset");
    struct ce_sn_resets *r = NULL;
    int rc = CE_OK;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_t *by = json_object_get(item, "byTime");
        const char *spec = json_string_value(json_object_get(by, "cron"));
        const char *tz = json_string_value(json_object_get(by, "timezone"));
        if (spec == NULL) {
            continue;
        }
        if (r == NULL) {
            r = ce_xcalloc(1, sizeof(*r));
        }
        if (r->n == RESET_MAX) {
            snprintf(err, errlen, "conditionsReset: at most %d schedules", RESET_MAX);
            rc = CE_EINVAL;
            break;
        }
        rc = ce_cron_parse(spec, tz ? tz : "", &r->crons[r->n], err, errlen);
        if (rc != CE_OK) {
            break;
        }
        r->n++;
    }
    json_decref(j);
    if (rc != CE_OK) {
        ce_sn_resets_destroy(r);
        return CE_EINVAL;
    }
    *out = r;
    return CE_OK;
}

void ce_sn_resets_destroy(struct ce_sn_resets *r)
{
    if (r == NULL) {
        return;
    }
    for (int i = 0; i < r->n; i++) {
        ce_cron_destroy(r->crons[i]);
    }
    ce_free(r);
}

int64_t ce_sn_resets_next(const struct ce_sn_resets *r, int64_t now)
{
    int64_t best = -1;
    for (int i = 0; r != NULL && i < r->n; i++) {
        int64_t t = ce_cron_next(r->crons[i], now);
        if (t >= 0 && (best < 0 || t < best)) {
            best = t;
        }
    }
    return best;
}

int64_t ce_sn_resets_prev(const struct ce_sn_resets *r, int64_t now)
{
    int64_t best = -1;
    for (int i = 0; r != NULL && i < r->n; i++) {
        int64_t t = ce_cron_prev(r->crons[i], now);
        if (t > best) {
            best = t;
        }
    }
    return best;
}
