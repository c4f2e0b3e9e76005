/* SPDX-License-Identifier: Apache-2.0 */
/* SNS's query API (POST, form body, XML answers), signed with the event's keys. */
#include "eventsource/sns/api.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/http/aws_sts.h"
#include "core/service/secrets.h"
#include "eventsource/sns/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNS_API_TIMEOUT_MS 15000
#define SNS_ARN_MAX 1024
#define SNS_RENEW_BEFORE_MS (5 * 60 * 1000) /* temporary keys renewed this long before */

static int sns_secret(const struct ce_sns_api *a, const struct ce_secret_ref *ref, const char *dir,
                      char **out)
{
    size_t len = 0;
    if (!ref->set) {
        return CE_OK;
    }
    int rc = ce_secret_read(dir, ref->name, ref->key, out, &len);
    if (rc != CE_OK) {
        char *path = ce_xasprintf("%s/%s/%s", dir, ref->name, ref->key);
        ce_log_kv(CE_LOG_ERROR, "failed to read the AWS key of the sns event", "eventName", a->name,
                  "file", path, "error", ce_rc_str(rc), NULL);
        ce_free(path);
    }
    return rc;
}

static char *sns_api_url(const struct ce_sns_config *cfg)
{
    if (cfg->endpoint != NULL) {
        return ce_xstrdup(cfg->endpoint);
    }
    bool china = strncmp(cfg->region, "cn-", 3) == 0;
    return ce_xasprintf("https://sns.%s.amazonaws.com%s/", cfg->region, china ? ".cn" : "");
}

static char *sns_hook_url(const struct ce_sns_config *cfg)
{
    const char *url = cfg->webhook.url;
    if (url == NULL || url[0] == '\0') {
        return NULL;
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/') {
        n--;
    }
    const char *ep = cfg->webhook.endpoint ? cfg->webhook.endpoint : "";
    return ce_xasprintf("%.*s%s%s", (int)n, url, ep[0] == '/' ? "" : "/", ep);
}

/* (Re)reads the keys: the secrets, else the AWS environment, credentials file or web
 * identity, then roleARN's role. Called with call_mu held, or before any call. */
static int sns_load_creds(struct ce_sns_api *a)
{
    const struct ce_sns_config *cfg = a->cfg;
    char *ak = NULL, *sk = NULL, err[512] = "";
    int rc = sns_secret(a, &cfg->access_key, a->secrets_dir, &ak);
    if (rc == CE_OK) {
        rc = sns_secret(a, &cfg->secret_key, a->secrets_dir, &sk);
    }
    struct ce_aws_creds fresh;
    int64_t expires = 0;
    if (rc == CE_OK) {
        rc = ce_aws_creds_get(ak, sk, NULL, cfg->role_arn, cfg->region, &fresh, &expires, err,
                              sizeof err);
        if (rc != CE_OK) {
            ce_log_kv(CE_LOG_ERROR, "no AWS credentials for the sns event", "eventName", a->name,
                      "error", err, NULL);
        }
    }
    if (rc == CE_OK) {
        if (a->have_creds) {
            ce_aws_creds_fini(&a->creds);
        }
        a->creds = fresh;
        a->have_creds = true;
        a->expires_ms = expires;
    }
    ce_free(ak);
    ce_free(sk);
    return rc;
}

int ce_sns_api_init(struct ce_sns_api *a, const char *name, const struct ce_sns_config *cfg,
                    const char *secrets_dir)
{
    memset(a, 0, sizeof(*a));
    a->name = name;
    a->cfg = cfg;
    a->secrets_dir = secrets_dir;
    pthread_mutex_init(&a->mu, NULL);
    pthread_mutex_init(&a->call_mu, NULL);
    a->api_url = sns_api_url(cfg);
    a->hook_url = sns_hook_url(cfg);
    return sns_load_creds(a);
}

void ce_sns_api_fini(struct ce_sns_api *a)
{
    if (a->have_creds) {
        ce_aws_creds_fini(&a->creds);
    }
    ce_free(a->api_url);
    ce_free(a->hook_url);
    ce_free(a->sub_arn);
    pthread_mutex_destroy(&a->call_mu);
    pthread_mutex_destroy(&a->mu);
}

/* One call: the query's parameters as the form body. The answer's body is the caller's. */
static int sns_call(struct ce_sns_api *a, struct ce_aws_query *q, struct ce_aws_response *rs)
{
    ce_aws_query_add(q, "Version", "2010-03-31");
    char *body = ce_aws_query_string(q);
    /* one call at a time: temporary keys about to expire are renewed first */
    pthread_mutex_lock(&a->call_mu);
    if (a->expires_ms > 0 && ce_clock_wall_ms() > a->expires_ms - SNS_RENEW_BEFORE_MS &&
        sns_load_creds(a) != CE_OK) {
        /* logged; the keys held are tried */
    }
    struct ce_aws_request rq = {
        .method = "POST",
        .url = a->api_url,
        .body = body,
        .body_len = strlen(body),
        .region = a->cfg->region,
        .service = "sns",
        .creds = &a->creds,
        .timeout_ms = SNS_API_TIMEOUT_MS,
    };
    int rc = ce_aws_send(&rq, rs);
    pthread_mutex_unlock(&a->call_mu);
    if (rc == CE_OK && (rs->status < 200 || rs->status > 299)) {
        rc = CE_EREMOTE;
    }
    ce_free(body);
    ce_aws_query_fini(q);
    return rc;
}

/* The text of <SubscriptionArn> in an answer, or NULL. */
static char *sns_arn(const struct ce_aws_response *rs)
{
    static const char open[] = "<SubscriptionArn>", close[] = "</SubscriptionArn>";
    const char *s = rs->body ? strstr(rs->body, open) : NULL;
    const char *e = s ? strstr(s, close) : NULL;
    if (e == NULL || (size_t)(e - s) > SNS_ARN_MAX) {
        return NULL;
    }
    s += sizeof(open) - 1;
    return ce_xstrndup(s, (size_t)(e - s));
}

int ce_sns_api_subscribe(struct ce_sns_api *a)
{
    pthread_mutex_lock(&a->mu);
    bool done = a->requested;
    pthread_mutex_unlock(&a->mu);
    if (done || a->hook_url == NULL) {
        if (a->hook_url == NULL && !done) {
            ce_log_kv(CE_LOG_ERROR, "cannot subscribe to the sns topic: the webhook has no url",
                      "eventName", a->name, "topicArn", a->cfg->topic_arn, NULL);
            pthread_mutex_lock(&a->mu);
            a->requested = true;
            pthread_mutex_unlock(&a->mu);
        }
        return CE_OK;
    }
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "Action", "Subscribe");
    ce_aws_query_add(&q, "Endpoint", a->hook_url);
    ce_aws_query_add(&q, "Protocol", strncmp(a->hook_url, "https://", 8) == 0 ? "https" : "http");
    ce_aws_query_add(&q, "TopicArn", a->cfg->topic_arn);
    struct ce_aws_response rs;
    int rc = sns_call(a, &q, &rs);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to subscribe to the sns topic; retrying", "eventName",
                  a->name, "topicArn", a->cfg->topic_arn, "error", rs.err, NULL);
    }
    else {
        ce_log_kv(CE_LOG_INFO, "subscribed to the sns topic, waiting for its confirmation",
                  "eventName", a->name, "topicArn", a->cfg->topic_arn, "endpoint", a->hook_url,
                  NULL);
        pthread_mutex_lock(&a->mu);
        a->requested = true;
        a->requested_ms = ce_clock_mono_ms();
        pthread_mutex_unlock(&a->mu);
    }
    ce_aws_response_fini(&rs);
    return rc;
}

bool ce_sns_api_check_confirmed(struct ce_sns_api *a, int64_t now_ms)
{
    pthread_mutex_lock(&a->mu);
    bool late = a->requested && a->hook_url != NULL && a->sub_arn == NULL && !a->warned &&
                now_ms - a->requested_ms >= CE_SNS_CONFIRM_LATE_MS;
    a->warned = a->warned || late;
    bool settled = !a->requested || a->hook_url == NULL || a->sub_arn != NULL || a->warned;
    pthread_mutex_unlock(&a->mu);
    if (late) {
        ce_log_kv(CE_LOG_WARN,
                  "SNS has not confirmed the subscription yet: can it reach the webhook url?",
                  "eventName", a->name, "topicArn", a->cfg->topic_arn, "endpoint", a->hook_url,
                  NULL);
    }
    return settled;
}

int ce_sns_api_confirm(struct ce_sns_api *a, const char *token, char *err, size_t errlen)
{
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "Action", "ConfirmSubscription");
    ce_aws_query_add(&q, "Token", token);
    ce_aws_query_add(&q, "TopicArn", a->cfg->topic_arn);
    struct ce_aws_response rs;
    int rc = sns_call(a, &q, &rs);
    char *arn = rc == CE_OK ? sns_arn(&rs) : NULL;
    if (rc != CE_OK) {
        snprintf(err, errlen, "%s", rs.err);
    }
    else {
        /* Kept before it is said, so a stop after the line always unsubscribes. */
        pthread_mutex_lock(&a->mu);
        ce_free(a->sub_arn);
        a->sub_arn = arn;
        pthread_mutex_unlock(&a->mu);
        ce_log_kv(CE_LOG_INFO, "subscription successfully confirmed to aws sns", "eventName",
                  a->name, "subscriptionArn", arn ? arn : "", NULL);
    }
    ce_aws_response_fini(&rs);
    return rc;
}

void ce_sns_api_unsubscribe(struct ce_sns_api *a)
{
    pthread_mutex_lock(&a->mu);
    char *arn = a->sub_arn;
    a->sub_arn = NULL;
    pthread_mutex_unlock(&a->mu);
    if (arn == NULL || !a->have_creds) {
        ce_free(arn);
        return;
    }
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "Action", "Unsubscribe");
    ce_aws_query_add(&q, "SubscriptionArn", arn);
    struct ce_aws_response rs;
    if (sns_call(a, &q, &rs) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to unsubscribe from the sns topic", "eventName", a->name,
                  "subscriptionArn", arn, "error", rs.err, NULL);
    }
    else {
        ce_log_kv(CE_LOG_INFO, "unsubscribed from the sns topic", "eventName", a->name,
                  "subscriptionArn", arn, NULL);
    }
    ce_aws_response_fini(&rs);
    ce_free(arn);
}
