/* SPDX-License-Identifier: Apache-2.0 */
/* A webhook route's settings (Argo's WebhookContext): spec.webhook.<event>, and the `webhook`
 * block of the sources that receive on a webhook route (sns). Decoded and validated here, with
 * Argo's defaults and the controller's checks, for every plugin that serves one. */
#ifndef CE_EVENTSOURCE_WEBHOOK_CONFIG_H
#define CE_EVENTSOURCE_WEBHOOK_CONFIG_H

#include <stdint.h>

#include "manifest/model.h"

#define CE_WEBHOOK_DEFAULT_MAX_PAYLOAD 1048576

struct ce_mdec;
struct ce_node;

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

/* The keys of a WebhookContext, NULL-terminated. */
extern const char *const ce_webhook_context_keys[];

/* Decodes the WebhookContext at ev into w (zeroed by the caller); errors go to c. */
void ce_webhook_context_decode(struct ce_mdec *c, const struct ce_node *ev,
                               struct ce_webhook_config *w);
/* The `metadata` map of map (absent: nothing), sorted by key, into *out (heap) and *n. */
void ce_webhook_metadata_decode(struct ce_mdec *c, const struct ce_node *map, struct ce_kv **out,
                                int *n);
/* Frees what w holds (not w). */
void ce_webhook_context_fini(struct ce_webhook_config *w);

#endif
