/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook EventSource plugin (Argo's `webhook` type). */
#ifndef CE_EVENTSOURCE_WEBHOOK_WEBHOOK_H
#define CE_EVENTSOURCE_WEBHOOK_WEBHOOK_H

#include "eventsource/source.h"

extern const struct ce_source_plugin ce_source_webhook;

#endif
