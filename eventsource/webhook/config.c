/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.webhook.<event>: the event is one WebhookContext, shared with the other sources
 * that receive on a webhook route. */
#include "eventsource/webhook/config.h"
#include "core/base/mem.h"
#include "manifest/plugin.h"

static void webhook_free(void *config)
{
    struct ce_webhook_config *w = config;
    ce_webhook_context_fini(w);
    ce_free(w);
}

static void *webhook_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_webhook_config *w = ce_xcalloc(1, sizeof(*w));
    ce_webhook_context_decode(c, ev, w);
    return w;
}

const struct ce_block_decoder ce_webhook_decoder = {
    .key = "webhook",
    .keys = ce_webhook_context_keys,
    .decode = webhook_decode,
    .free_config = webhook_free,
};
