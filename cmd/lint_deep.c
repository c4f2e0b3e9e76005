/* SPDX-License-Identifier: Apache-2.0 */
/* Deep lint checks: see lint_deep.h. */
#include "cmd/lint_deep.h"
#include "cmd/streamconfig.h"
#include "eventsource/runtime.h"
#include "manifest/model.h"
#include "sensor/check.h"

#include <string.h>

void ce_lint_deep(const struct ce_manifest_set *set, struct ce_diag *diag)
{
    for (int i = 0; i < set->n_eventbuses; i++) {
        struct ce_bus_stream_config cfg;
        memset(&cfg, 0, sizeof cfg);
        (void)ce_stream_config_apply(set->eventbuses[i], &cfg, diag);
    }
    for (int i = 0; i < set->n_eventsources; i++) {
        (void)ce_eventsource_check_embedded(set->eventsources[i], diag);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        (void)ce_sensor_check_embedded(set->sensors[i], diag);
    }
}
