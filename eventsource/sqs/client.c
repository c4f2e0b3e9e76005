/* SPDX-License-Identifier: Apache-2.0 */
/* The SQS calls of one event. */
#include "eventsource/sqs/client.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/http/aws_sts.h"
#include "core/http/curl_init.h"
#include "core/base/mem.h"
#include "core/service/secrets.h"
#include "eventsource/sqs/config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define SQS_RENEW_BEFORE_MS (5 * 60 * 1000) /* temporary keys renewed this long before */

static int sqs_secret(const struct ce_sqs_client *c, const struct ce_secret_ref *ref, char **out)
{
    size_t len = 0;
    if (!ref->set) {
        return CE_OK;
    }
    int rc = ce_secret_read(c->secrets_dir, ref->name, ref->key, out, &len);
    if (rc != CE_OK) {
        char *path = ce_xasprintf("%s/%s/%s", c->secrets_dir, ref->name, ref->key);
        ce_log_kv(CE_LOG_ERROR, "failed to read the AWS key of the sqs event", "eventName", c->name,
                  "file", path, "error", ce_rc_str(rc), NULL);
        ce_free(path);
    }
    return rc;
}

int ce_sqs_client_reload(struct ce_sqs_client *c)
{
    char *ak = NULL, *sk = NULL, *tok = NULL, err[512] = "";
    int rc = sqs_secret(c, &c->cfg->access_key, &ak);
    rc = rc == CE_OK ? sqs_secret(c, &c->cfg->secret_key, &sk) : rc;
    rc = rc == CE_OK ? sqs_secret(c, &c->cfg->session_token, &tok) : rc;
    struct ce_aws_creds fresh;
    int64_t expires = 0;
    if (rc == CE_OK) {
        rc = ce_aws_creds_get(ak, sk, tok, c->cfg->role_arn, c->cfg->region, &fresh, &expires, err,
                              sizeof err);
        if (rc != CE_OK) {
            ce_log_kv(CE_LOG_ERROR, "no AWS credentials for the sqs event", "eventName", c->name,
                      "error", err, NULL);
        }
    }
    if (rc == CE_OK) {
        if (c->have_creds) {
            ce_aws_creds_fini(&c->creds);
        }
        c->creds = fresh;
        c->have_creds = true;
        c->expires_ms = expires;
    }
    ce_free(ak);
    ce_free(sk);
    ce_free(tok);
    return rc;
}

int ce_sqs_client_init(struct ce_sqs_client *c, const char *name, const struct ce_sqs_config *cfg,
                       const char *secrets_dir, const atomic_bool *cancel)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->cfg = cfg;
    c->secrets_dir = secrets_dir;
    c->cancel = cancel;
    bool china = strncmp(cfg->region, "cn-", 3) == 0;
    c->api_url = cfg->endpoint ? ce_xstrdup(cfg->endpoint)
                               : ce_xasprintf("https://sqs.%s.amazonaws.com%s/", cfg->region,
                                              china ? ".cn" : "");
    c->curl = ce_curl_easy_init();
    if (c->curl == NULL) {
        return CE_EIO;
    }
    return ce_sqs_client_reload(c);
}

void ce_sqs_client_fini(struct ce_sqs_client *c)
{
    if (c->have_creds) {
        ce_aws_creds_fini(&c->creds);
    }
    if (c->curl) {
        curl_easy_cleanup(c->curl);
    }
    ce_free(c->api_url);
}

static size_t sqs_write(char *p, size_t size, size_t n, void *arg)
{
    return ce_buf_append(arg, p, size * n) == CE_OK ? size * n : 0;
}

static int sqs_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    const struct ce_sqs_client *cl = arg;
    return cl->cancel != NULL && atomic_load(cl->cancel) ? 1 : 0;
}

static struct curl_slist *sqs_headers(const char *action)
{
    char target[96];
    snprintf(target, sizeof target, "X-Amz-Target: AmazonSQS.%s", action);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-amz-json-1.0");
    return curl_slist_append(h, target);
}

/* The answer of a failed call: its __type (after '#') as the code, its message. */
static void sqs_error(long status, const struct ce_buf *b, char *code, size_t codelen, char *err,
                      size_t errlen)
{
    json_t *j = b->data ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    const char *type = json_string_value(json_object_get(j, "__type"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (msg == NULL) {
        msg = json_string_value(json_object_get(j, "Message"));
    }
    const char *hash = type ? strrchr(type, '#') : NULL;
    snprintf(code, codelen, "%s", hash ? hash + 1 : type ? type : "");
    snprintf(err, errlen, "the server answered %ld%s%s%s%s", status, code[0] ? ": " : "", code,
             msg ? ": " : "", msg ? msg : "");
    json_decref(j);
}

static void sqs_setup(struct ce_sqs_client *c, const char *body, int timeout_s, struct ce_buf *b,
                      char *errbuf)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, c->api_url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sqs_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, sqs_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

int ce_sqs_call(struct ce_sqs_client *c, const char *action, const json_t *req, int timeout_s,
                json_t **out, char *code, size_t codelen, char *err, size_t errlen)
{
    code[0] = '\0';
    if (c->expires_ms > 0 && ce_clock_wall_ms() > c->expires_ms - SQS_RENEW_BEFORE_MS &&
        ce_sqs_client_reload(c) != CE_OK) {
        /* logged; the keys held are tried */
    }
    char *body = json_dumps(req, JSON_COMPACT);
    struct curl_slist *hdrs = sqs_headers(action);
    struct ce_buf b;
    ce_buf_init(&b, CE_SQS_RESPONSE_CAP);
    char errbuf[CURL_ERROR_SIZE] = "";
    sqs_setup(c, body, timeout_s, &b, errbuf);
    int rc = ce_aws_curl_sign(c->curl, &c->creds, c->cfg->region, "sqs", NULL, &hdrs);
    long status = 0;
    if (rc == CE_OK) {
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs);
        CURLcode cc = curl_easy_perform(c->curl);
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
        if (cc != CURLE_OK) {
            snprintf(err, errlen, "%s: %s", action, errbuf[0] ? errbuf : curl_easy_strerror(cc));
            rc = cc == CURLE_OPERATION_TIMEDOUT ? CE_ETIMEDOUT : CE_EUNAVAIL;
        }
    }
    if (rc == CE_OK && (status < 200 || status > 299)) {
        sqs_error(status, &b, code, codelen, err, errlen);
        rc = CE_EREMOTE;
    }
    if (rc == CE_OK) {
        *out = json_loadb(b.data ? b.data : "{}", b.data ? b.len : 2, 0, NULL);
        if (*out == NULL) {
            snprintf(err, errlen, "%s: the answer is not JSON", action);
            rc = CE_EPARSE;
        }
    }
    ce_buf_fini(&b);
    curl_slist_free_all(hdrs);
    free(body);
    return rc;
}
