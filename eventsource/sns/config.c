/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.sns.<event>: the webhook route SNS posts to, the topic, the keys, and Argo's
 * checks (topicArn and region required). */
#include "eventsource/sns/config.h"
#include "core/base/mem.h"
#include "manifest/plugin.h"

#include <string.h>

static const char *const sns_keys[] = {"webhook", "topicArn", "accessKey", "secretKey",
                                       "region",  "roleARN",  "metadata",  "validateSignature",
                                       "filter",  "endpoint", NULL};

static void sns_free(void *config)
{
    struct ce_sns_config *s = config;
    ce_webhook_context_fini(&s->webhook);
    ce_free(s->topic_arn);
    ce_free(s->region);
    ce_free(s->endpoint);
    ce_free(s->role_arn);
    ce_mdec_secret_free(&s->access_key);
    ce_mdec_secret_free(&s->secret_key);
    ce_free(s);
}

/* The route's settings; the webhook block's own metadata gives way to the event's. */
static void sns_webhook(struct ce_mdec *c, const struct ce_node *ev, struct ce_sns_config *s)
{
    const struct ce_node *wh = ce_node_get(ev, "webhook");
    if (wh == NULL) {
        ce_mdec_err_missing(c, ev, ev, "webhook", "required field is missing");
    }
    else {
        size_t old = ce_mdec_push(c, "webhook");
        ce_webhook_context_decode(c, wh, &s->webhook);
        if (ce_mdec_map(c, wh)) {
            ce_mdec_known(c, wh, ce_webhook_context_keys); /* --strict: a misspelt key */
            if (s->webhook.url == NULL || s->webhook.url[0] == '\0') {
                ce_mdec_warn(c, wh,
                             "no url: the route cannot be subscribed to the topic (SNS "
                             "posts to url + endpoint)");
            }
        }
        ce_mdec_pop(c, old);
    }
    for (int i = 0; i < s->webhook.n_metadata; i++) {
        ce_free(s->webhook.metadata[i].key);
        ce_free(s->webhook.metadata[i].value);
    }
    ce_free(s->webhook.metadata);
    s->webhook.metadata = NULL;
    s->webhook.n_metadata = 0;
    ce_webhook_metadata_decode(c, ev, &s->webhook.metadata, &s->webhook.n_metadata);
}

static void *sns_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_sns_config *s = ce_xcalloc(1, sizeof(*s));
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev, "the event has no settings (topicArn, region, webhook)");
        }
        return s;
    }
    sns_webhook(c, ev, s);
    s->topic_arn = ce_mdec_str(c, ev, "topicArn", true);
    s->region = ce_mdec_str(c, ev, "region", true);
    s->endpoint = ce_mdec_str(c, ev, "endpoint", false);
    if (s->endpoint != NULL && s->endpoint[0] == '\0') {
        ce_free(s->endpoint);
        s->endpoint = NULL;
    }
    ce_mdec_secret(c, ev, "accessKey", &s->access_key);
    ce_mdec_secret(c, ev, "secretKey", &s->secret_key);
    s->validate_signature = ce_mdec_bool(c, ev, "validateSignature");
    s->role_arn = ce_mdec_str(c, ev, "roleARN", false);
    return s;
}

const struct ce_block_decoder ce_sns_decoder = {
    .key = "sns",
    .keys = sns_keys,
    .decode = sns_decode,
    .free_config = sns_free,
};
