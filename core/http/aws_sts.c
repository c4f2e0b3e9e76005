/* SPDX-License-Identifier: Apache-2.0 */
/* STS's AssumeRoleWithWebIdentity (unsigned: the token is the proof) and AssumeRole (signed),
 * their XML answers read for the temporary keys. */
#include "core/http/aws_sts.h"
#include "core/base/clock.h"
#include "core/base/file.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"

#include <curl/curl.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STS_TIMEOUT_MS 15000

static bool sts_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* The STS API's URL for region. Heap. */
static char *sts_url(const char *region)
{
    const char *u = getenv("AWS_ENDPOINT_URL_STS");
    if (!sts_set(u)) {
        u = getenv("AWS_ENDPOINT_URL");
    }
    if (sts_set(u)) {
        return ce_xstrdup(u);
    }
    const char *r = sts_set(region) ? region : "us-east-1";
    return ce_xasprintf("https://sts.%s.amazonaws.com%s/", r,
                        strncmp(r, "cn-", 3) == 0 ? ".cn" : "");
}

/* The text of the first <tag>..</tag> in body (heap), or NULL. */
static char *sts_xml(const char *body, const char *tag)
{
    char open[48], close[48];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *s = body ? strstr(body, open) : NULL;
    const char *e = s ? strstr(s, close) : NULL;
    if (e == NULL) {
        return NULL;
    }
    s += strlen(open);
    return ce_xstrndup(s, (size_t)(e - s));
}

/* The temporary keys of an AssumeRole* answer. */
static int sts_answer(const struct ce_aws_response *rs, const char *origin,
                      struct ce_aws_creds *out, int64_t *expires_ms, char *err, size_t errlen)
{
    char *ak = sts_xml(rs->body, "AccessKeyId");
    char *sk = sts_xml(rs->body, "SecretAccessKey");
    char *tok = sts_xml(rs->body, "SessionToken");
    char *exp = sts_xml(rs->body, "Expiration");
    int rc = CE_EPARSE;
    if (ak == NULL || sk == NULL || tok == NULL) {
        snprintf(err, errlen, "%s: the STS answer holds no credentials", origin);
    }
    else if ((rc = ce_aws_creds_resolve(ak, sk, tok, out, err, errlen)) == CE_OK) {
        out->origin = origin;
        int64_t ns = exp ? ce_clock_parse_rfc3339_ns(exp) : -1;
        *expires_ms = ns > 0 ? ns / 1000000 : 0;
    }
    ce_free(ak);
    ce_free(sk);
    ce_free(tok);
    ce_free(exp);
    return rc;
}

static size_t sts_write(char *p, size_t size, size_t n, void *arg)
{
    return ce_buf_append(arg, p, size * n) == CE_OK ? size * n : 0;
}

/* An unsigned form POST (AssumeRoleWithWebIdentity takes no signature), answered like
 * ce_aws_send. */
static int sts_post_unsigned(const struct ce_aws_request *rq, struct ce_aws_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    CURL *h = ce_curl_easy_init();
    if (h == NULL) {
        return ce_rc_fail(CE_EIO, rs->err, sizeof rs->err, "cannot make a libcurl handle");
    }
    struct ce_buf b;
    ce_buf_init(&b, CE_AWS_RESPONSE_CAP);
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)rq->timeout_ms);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sts_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
    int rc = CE_OK;
    if (cc != CURLE_OK) {
        rs->status = 0;
        rc = ce_rc_fail(cc == CURLE_OPERATION_TIMEDOUT ? CE_ETIMEDOUT : CE_EUNAVAIL, rs->err,
                        sizeof rs->err, "POST %.200s: %s", rq->url,
                        errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    else {
        rs->body = ce_buf_steal(&b, &rs->len);
        if (rs->status < 200 || rs->status > 299) {
            char why[200];
            ce_aws_error_text(rs->body, rs->len, why, sizeof why);
            snprintf(rs->err, sizeof rs->err, "POST %.100s: the server answered %ld%s%.100s",
                     rq->url, rs->status, why[0] ? ": " : "", why);
        }
    }
    ce_buf_fini(&b);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

static int sts_call(struct ce_aws_query *q, const struct ce_aws_creds *signer, const char *region,
                    const char *origin, struct ce_aws_creds *out, int64_t *expires_ms, char *err,
                    size_t errlen)
{
    ce_aws_query_add(q, "Version", "2011-06-15");
    char *body = ce_aws_query_string(q);
    char *url = sts_url(region);
    struct ce_aws_request rq = {
        .method = "POST",
        .url = url,
        .body = body,
        .body_len = strlen(body),
        .region = sts_set(region) ? region : "us-east-1",
        .service = "sts",
        .creds = signer,
        .timeout_ms = STS_TIMEOUT_MS,
    };
    struct ce_aws_response rs;
    int rc = signer ? ce_aws_send(&rq, &rs) : sts_post_unsigned(&rq, &rs);
    if (rc == CE_OK && (rs.status < 200 || rs.status > 299)) {
        rc = CE_EREMOTE;
    }
    if (rc != CE_OK) {
        snprintf(err, errlen, "%s: %s", origin, rs.err);
    }
    else {
        rc = sts_answer(&rs, origin, out, expires_ms, err, errlen);
    }
    ce_aws_response_fini(&rs);
    ce_free(url);
    ce_free(body);
    ce_aws_query_fini(q);
    return rc;
}

static int sts_web_identity(const char *region, struct ce_aws_creds *out, int64_t *expires_ms,
                            char *err, size_t errlen)
{
    const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *role = getenv("AWS_ROLE_ARN");
    const char *name = getenv("AWS_ROLE_SESSION_NAME");
    char *token = NULL;
    size_t len = 0;
    int rc = ce_file_read(file, CE_AWS_STS_MAX_TOKEN, &token, &len, NULL);
    if (rc != CE_OK) {
        snprintf(err, errlen, "cannot read the web identity token %.200s: %s", file, ce_rc_str(rc));
        return rc;
    }
    while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r')) {
        token[--len] = '\0';
    }
    char session[64];
    snprintf(session, sizeof session, "cevents-%ld", (long)getpid());
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "Action", "AssumeRoleWithWebIdentity");
    ce_aws_query_add(&q, "RoleArn", role);
    ce_aws_query_add(&q, "RoleSessionName", sts_set(name) ? name : session);
    ce_aws_query_add(&q, "WebIdentityToken", token);
    rc = sts_call(&q, NULL, region, "web identity", out, expires_ms, err, errlen);
    ce_free(token);
    return rc;
}

int ce_aws_creds_get(const char *access_key, const char *secret_key, const char *session_token,
                     const char *role_arn, const char *region, struct ce_aws_creds *out,
                     int64_t *expires_ms, char *err, size_t errlen)
{
    struct ce_aws_creds base;
    int64_t base_exp = 0;
    int rc = ce_aws_creds_resolve(access_key, secret_key, session_token, &base, err, errlen);
    if (rc == CE_ENOENT && sts_set(getenv("AWS_WEB_IDENTITY_TOKEN_FILE")) &&
        sts_set(getenv("AWS_ROLE_ARN"))) {
        rc = sts_web_identity(region, &base, &base_exp, err, errlen);
    }
    if (rc != CE_OK || !sts_set(role_arn)) {
        if (rc == CE_OK) {
            *out = base;
            *expires_ms = base_exp;
        }
        return rc;
    }
    char session[64];
    snprintf(session, sizeof session, "cevents-%ld", (long)getpid());
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "Action", "AssumeRole");
    ce_aws_query_add(&q, "RoleArn", role_arn);
    ce_aws_query_add(&q, "RoleSessionName", session);
    rc = sts_call(&q, &base, region, "roleARN", out, expires_ms, err, errlen);
    ce_aws_creds_fini(&base);
    return rc;
}
