/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook plugin's block decoder: spec.webhook.<event> is one WebhookContext
 * (eventsource/webhook_config.h). */
#ifndef CE_EVENTSOURCE_WEBHOOK_PLUGIN_CONFIG_H
#define CE_EVENTSOURCE_WEBHOOK_PLUGIN_CONFIG_H

#include "eventsource/webhook_config.h"

struct ce_block_decoder;

/* The decoder of the block (manifest/plugin.h); its configs are struct ce_webhook_config. */
extern const struct ce_block_decoder ce_webhook_decoder;

#endif
