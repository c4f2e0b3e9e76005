/* SPDX-License-Identifier: Apache-2.0 */
/* One webhook event's settings (Argo's WebhookContext), decoded and validated by the webhook
 * plugin from its block of the EventSource: spec.webhook.<event>. */
#ifndef CE_EVENTSOURCE_WEBHOOK_CONFIG_H
#define CE_EVENTSOURCE_WEBHOOK_CONFIG_H

#include <stdint.h>

#include "manifest/model.h"

#define CE_WEBHOOK_DEFAULT_MAX_PAYLOAD 1048576

struct ce_block_decoder;

struct ce_webhook_config {
    int port;       /* 1..65535 */
    char *endpoint; /* starts with "/" */
    char *method;   /* upper-case HTTP method */
    char *url;      /* optional, informational */
    struct ce_secret_ref server_cert_secret;
    struct ce_secret_ref server_key_secret;
    struct ce_secret_ref auth_secret;
    int64_t max_payload_size; /* bytes; default CE_WEBHOOK_DEFAULT_MAX_PAYLOAD */
    struct ce_kv *metadata;   /* sorted by key */
    int n_metadata;
};

/* The decoder of the block (manifest/plugin.h); its configs are struct ce_webhook_config. */
extern const struct ce_block_decoder ce_webhook_decoder;

#endif
