/* SPDX-License-Identifier: Apache-2.0 */
/* The SNS API calls of one sns event (SigV4-signed, core/http/aws.h): Subscribe of the route's
 * public URL to the topic, ConfirmSubscription with the token SNS sent, Unsubscribe. */
#ifndef CE_EVENTSOURCE_SNS_API_H
#define CE_EVENTSOURCE_SNS_API_H

#include "core/base/rc.h"
#include "core/http/aws.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_sns_config;

struct ce_sns_api {
    const char *name; /* the event's */
    const struct ce_sns_config *cfg;
    const char *secrets_dir;
    pthread_mutex_t call_mu; /* one API call at a time, so keys are renewed under none */
    struct ce_aws_creds creds;
    bool have_creds;
    int64_t expires_ms; /* when temporary keys (STS) expire, wall clock; 0: never */
    char *api_url;      /* the SNS API: the endpoint, or https://sns.<region>.amazonaws.com(.cn) */
    char *hook_url;     /* webhook.url + endpoint: what SNS posts to */
    pthread_mutex_t mu;
    bool requested;       /* Subscribe answered (the subscription waits for its confirmation) */
    int64_t requested_ms; /* when, on the monotonic clock */
    bool warned;          /* the confirmation was said to be late */
    char *sub_arn;        /* from ConfirmSubscription: what Unsubscribe cancels */
};

/* Reads the keys (accessKey/secretKey secrets, else the AWS environment, credentials file or
 * web identity; then roleARN's role, core/http/aws_sts.h).
 * CE_OK or an error, logged with the place that failed. */
int ce_sns_api_init(struct ce_sns_api *a, const char *name, const struct ce_sns_config *cfg,
                    const char *secrets_dir) CE_MUST_CHECK;
void ce_sns_api_fini(struct ce_sns_api *a);
/* Asks SNS to subscribe the route, unless it already answered. CE_OK, or an error (logged). */
int ce_sns_api_subscribe(struct ce_sns_api *a) CE_MUST_CHECK;
/* Confirms the subscription SNS announced with token. CE_OK, or an error in err. */
int ce_sns_api_confirm(struct ce_sns_api *a, const char *token, char *err,
                       size_t errlen) CE_MUST_CHECK;
/* Warns once when SNS has not confirmed a requested subscription CE_SNS_CONFIRM_LATE_MS after
 * the request (SNS cannot reach webhook.url, most likely): the route would otherwise wait
 * silently. Returns whether the subscription is settled (confirmed or warned about). */
#define CE_SNS_CONFIRM_LATE_MS 60000
bool ce_sns_api_check_confirmed(struct ce_sns_api *a, int64_t now_ms);
/* Cancels the confirmed subscription, if any (failures logged). */
void ce_sns_api_unsubscribe(struct ce_sns_api *a);

#endif
