/* SPDX-License-Identifier: Apache-2.0 */
/* The log trigger plugin (Argo's `log` action): its decoded block. */
#ifndef CE_TRIGGERS_LOG_LOG_H
#define CE_TRIGGERS_LOG_LOG_H

#include <stdint.h>

/* template.log, as the plugin decodes it (trigger->action). */
struct ce_log_trigger_config {
    int64_t interval_seconds; /* intervalSeconds: accepted, inert as in Argo */
};

#endif
