/* SPDX-License-Identifier: Apache-2.0 */
/* One sns event's settings (Argo's SNSEventSource): spec.sns.<event>. */
#ifndef CE_EVENTSOURCE_SNS_CONFIG_H
#define CE_EVENTSOURCE_SNS_CONFIG_H

#include "eventsource/webhook_config.h"
#include "manifest/model.h"

#include <stdbool.h>

struct ce_block_decoder;

struct ce_sns_config {
    /* the route; its metadata is the sns event's own (Argo publishes that one) */
    struct ce_webhook_config webhook;
    char *topic_arn;
    char *region;
    char *endpoint; /* the SNS API's URL; NULL: https://sns.<region>.amazonaws.com */
    char *role_arn; /* a role to assume with the keys (STS AssumeRole); NULL: none */
    struct ce_secret_ref access_key;
    struct ce_secret_ref secret_key;
    bool validate_signature;
};

extern const struct ce_block_decoder ce_sns_decoder;

#endif
