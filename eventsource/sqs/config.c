/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.sqs.<event>, with Argo's defaults and checks (region and queue required). */
#include "eventsource/sqs/config.h"
#include "core/base/mem.h"
#include "eventsource/webhook_config.h"
#include "manifest/plugin.h"

static const char *const sqs_keys[] = {"accessKey",       "secretKey", "region",   "queue",
                                       "waitTimeSeconds", "roleARN",   "jsonBody", "queueAccountId",
                                       "metadata",        "dlq",       "filter",   "endpoint",
                                       "sessionToken",    NULL};

static void sqs_free(void *config)
{
    struct ce_sqs_config *s = config;
    ce_free(s->region);
    ce_free(s->queue);
    ce_free(s->queue_account_id);
    ce_free(s->endpoint);
    ce_free(s->role_arn);
    ce_mdec_secret_free(&s->access_key);
    ce_mdec_secret_free(&s->secret_key);
    ce_mdec_secret_free(&s->session_token);
    for (int i = 0; i < s->n_metadata; i++) {
        ce_free(s->metadata[i].key);
        ce_free(s->metadata[i].value);
    }
    ce_free(s->metadata);
    ce_free(s);
}

static void sqs_wait(struct ce_mdec *c, const struct ce_node *ev, struct ce_sqs_config *s)
{
    int64_t w = 0;
    s->wait_s = CE_SQS_DEFAULT_WAIT_S;
    if (!ce_mdec_int(c, ev, "waitTimeSeconds", &w) || w == 0) {
        return;
    }
    if (w < 0 || w > CE_SQS_MAX_WAIT_S) {
        ce_mdec_err_key(c, ce_node_get(ev, "waitTimeSeconds"), "waitTimeSeconds",
                        "must be between 0 and %d seconds (SQS refuses longer polls)",
                        CE_SQS_MAX_WAIT_S);
        return;
    }
    s->wait_s = (int)w;
}

static char *sqs_opt_str(struct ce_mdec *c, const struct ce_node *ev, const char *key)
{
    char *v = ce_mdec_str(c, ev, key, false);
    if (v != NULL && v[0] == '\0') {
        ce_free(v);
        v = NULL;
    }
    return v;
}

static void *sqs_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_sqs_config *s = ce_xcalloc(1, sizeof(*s));
    s->wait_s = CE_SQS_DEFAULT_WAIT_S;
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev, "the event has no settings (region, queue)");
        }
        return s;
    }
    s->region = ce_mdec_str(c, ev, "region", true);
    s->queue = ce_mdec_str(c, ev, "queue", true);
    s->queue_account_id = sqs_opt_str(c, ev, "queueAccountId");
    s->endpoint = sqs_opt_str(c, ev, "endpoint");
    sqs_wait(c, ev, s);
    s->json_body = ce_mdec_bool(c, ev, "jsonBody");
    s->dlq = ce_mdec_bool(c, ev, "dlq");
    ce_mdec_secret(c, ev, "accessKey", &s->access_key);
    ce_mdec_secret(c, ev, "secretKey", &s->secret_key);
    ce_mdec_secret(c, ev, "sessionToken", &s->session_token);
    ce_webhook_metadata_decode(c, ev, &s->metadata, &s->n_metadata);
    s->role_arn = sqs_opt_str(c, ev, "roleARN");
    return s;
}

const struct ce_block_decoder ce_sqs_decoder = {
    .key = "sqs",
    .keys = sqs_keys,
    .decode = sqs_decode,
    .free_config = sqs_free,
};
