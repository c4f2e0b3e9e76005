/* SPDX-License-Identifier: Apache-2.0 */
/* The log trigger plugin (Argo's `log` action). */
#ifndef CE_TRIGGERS_LOG_LOG_H
#define CE_TRIGGERS_LOG_LOG_H

#include "triggers/trigger.h"

extern const struct ce_trigger_plugin ce_trigger_log;

#endif
