/* SPDX-License-Identifier: Apache-2.0 */
/* SQS's JSON protocol (POST, X-Amz-Target: AmazonSQS.<Action>, SigV4-signed): one event's
 * calls on one libcurl handle, so a long poll and the deletes after it reuse a connection.
 * A call can be cut short by setting *cancel. Used by one thread. */
#ifndef CE_EVENTSOURCE_SQS_CLIENT_H
#define CE_EVENTSOURCE_SQS_CLIENT_H

#include "core/base/rc.h"
#include "core/http/aws.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_SQS_RESPONSE_CAP (8 * 1024 * 1024) /* 10 messages of 256 KiB with attributes */

struct ce_sqs_config;

struct ce_sqs_client {
    const char *name; /* the event's */
    const struct ce_sqs_config *cfg;
    const char *secrets_dir;
    struct ce_aws_creds creds;
    bool have_creds;
    int64_t expires_ms; /* when temporary keys (STS) expire, wall clock; 0: never */
    char *api_url;
    void *curl;
    const atomic_bool *cancel;
};

/* Reads the keys: the accessKey/secretKey/sessionToken secrets, else the AWS environment,
 * credentials file or web identity; then roleARN's role (core/http/aws_sts.h). CE_OK or an
 * error (logged). Again after an ExpiredToken answer, and before temporary keys expire. */
int ce_sqs_client_init(struct ce_sqs_client *c, const char *name, const struct ce_sqs_config *cfg,
                       const char *secrets_dir, const atomic_bool *cancel) CE_MUST_CHECK;
int ce_sqs_client_reload(struct ce_sqs_client *c) CE_MUST_CHECK;
void ce_sqs_client_fini(struct ce_sqs_client *c);

/* Calls action with the JSON request req (borrowed): CE_OK with the answer in *out (json_decref
 * it), or an error with the reason in err (and *code the AWS error code, "" when none, for
 * ExpiredToken). timeout_s bounds the whole call. */
int ce_sqs_call(struct ce_sqs_client *c, const char *action, const json_t *req, int timeout_s,
                json_t **out, char *code, size_t codelen, char *err, size_t errlen) CE_MUST_CHECK;

#endif
