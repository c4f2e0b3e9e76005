/* SPDX-License-Identifier: Apache-2.0 */
/* One sqs event's settings (Argo's SQSEventSource): spec.sqs.<event>. */
#ifndef CE_EVENTSOURCE_SQS_CONFIG_H
#define CE_EVENTSOURCE_SQS_CONFIG_H

#include "manifest/model.h"

#include <stdbool.h>

#define CE_SQS_DEFAULT_WAIT_S 3 /* Argo's, when waitTimeSeconds is 0 or absent */
#define CE_SQS_MAX_WAIT_S 20    /* the longest long poll SQS takes */

struct ce_block_decoder;

struct ce_sqs_config {
    char *region;
    char *queue; /* the queue's name */
    char *queue_account_id;
    char *endpoint; /* the SQS API's URL; NULL: https://sqs.<region>.amazonaws.com */
    int wait_s;
    bool json_body;
    bool dlq;       /* a message that cannot become an event stays for the queue's redrive policy */
    char *role_arn; /* a role to assume with the keys (STS AssumeRole); NULL: none */
    struct ce_secret_ref access_key, secret_key, session_token;
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
};

extern const struct ce_block_decoder ce_sqs_decoder;

#endif
