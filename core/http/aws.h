/* SPDX-License-Identifier: Apache-2.0 */
/* What every AWS-speaking source shares (S3 listen, SNS, SQS): the credentials, found as the AWS
 * SDKs find them, and SigV4-signed libcurl requests.
 *
 * Signing is libcurl's (CURLOPT_AWS_SIGV4). libcurl 7.88 signs the URL's query exactly as given,
 * neither sorted nor re-encoded, so a query must be built with ce_aws_query_*, which writes it
 * canonical (keys sorted, values percent-encoded with upper-case hex, nothing but A-Z a-z 0-9
 * - _ . ~ left bare). Newer libcurl normalise the query themselves; a canonical one is left as
 * it is. Every header given to libcurl is signed, the session token's included. */
#ifndef CE_CORE_HTTP_AWS_H
#define CE_CORE_HTTP_AWS_H

#include "core/base/rc.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_AWS_MAX_CRED_BYTES 4096         /* one key, secret or token */
#define CE_AWS_MAX_CRED_FILE (1024 * 1024) /* the shared credentials file */
#define CE_AWS_RESPONSE_CAP (1024 * 1024)  /* a ce_aws_request answer body */
/* SHA-256 of an empty payload, the x-amz-content-sha256 of a GET. */
#define CE_AWS_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct ce_aws_creds {
    char *access_key;
    char *secret_key;
    char *session_token; /* NULL when there is none */
    const char *origin;  /* where they came from, for logs: "given", "environment", a file */
};

/* Resolves credentials, first match wins:
 *  1. access_key and secret_key as given (both non-empty), with session_token (may be NULL);
 *  2. AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) + AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY), with
 *     AWS_SESSION_TOKEN;
 *  3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials),
 *     profile AWS_PROFILE (else "default"): aws_access_key_id, aws_secret_access_key,
 *     aws_session_token.
 * CE_ENOENT with the places looked at in err when none has keys; CE_EINVAL for a value that
 * cannot be sent (too long, a control character); CE_ETOOBIG/CE_EIO for an unreadable file.
 * out is filled only on CE_OK; free it with ce_aws_creds_fini. */
int ce_aws_creds_resolve(const char *access_key, const char *secret_key, const char *session_token,
                         struct ce_aws_creds *out, char *err, size_t errlen) CE_MUST_CHECK;
void ce_aws_creds_fini(struct ce_aws_creds *c);

/* The profile's keys from credentials-file text (INI: "[name]" sections, "key = value" lines,
 * '#'/';' comments). CE_ENOENT when the profile or its two keys are missing. */
int ce_aws_creds_parse_file(const char *text, const char *profile, struct ce_aws_creds *out,
                            char *err, size_t errlen) CE_MUST_CHECK;

/* s percent-encoded as SigV4 wants: everything but A-Z a-z 0-9 - _ . ~ (and '/' when
 * keep_slash, for paths) as upper-case %XX. Heap. */
char *ce_aws_uri_encode(const char *s, bool keep_slash);

/* A query under construction; zero-initialise it. */
struct ce_aws_query {
    struct ce_aws_param {
        char *key;
        char *value;
    } * params;
    int n;
};

/* Adds key=value (repeated keys keep their order). */
void ce_aws_query_add(struct ce_aws_query *q, const char *key, const char *value);
/* The canonical query text ("" when empty): keys sorted by bytes, stable for repeats, keys and
 * values encoded with ce_aws_uri_encode, "k=" kept for an empty value. Heap. */
char *ce_aws_query_string(const struct ce_aws_query *q);
void ce_aws_query_fini(struct ce_aws_query *q);

/* Makes the transfer on h SigV4-signed for region and service ("aws:amz:<region>:<service>",
 * the keys as user name and password) and appends to *headers what the signature needs: the
 * session token as X-Amz-Security-Token, and x-amz-content-sha256 when payload_sha256 is not
 * NULL (S3 wants it; CE_AWS_EMPTY_SHA256 for a GET). Set *headers with CURLOPT_HTTPHEADER after
 * this call; the caller frees it. CE_EINVAL for a region or service that is empty or holds a
 * ':' (libcurl would misread it). */
int ce_aws_curl_sign(CURL *h, const struct ce_aws_creds *c, const char *region, const char *service,
                     const char *payload_sha256, struct curl_slist **headers) CE_MUST_CHECK;

/* One signed request with its answer read into memory: the AWS query APIs (SNS, SQS, STS). */
struct ce_aws_request {
    const char *method; /* "GET" or "POST" */
    const char *url;    /* with its query already canonical (ce_aws_query_string) */
    const char *body;   /* POST body (may be NULL) */
    size_t body_len;
    const char *content_type; /* NULL: none (POST: application/x-www-form-urlencoded) */
    const char *region;
    const char *service;
    const struct ce_aws_creds *creds;
    const char *ca_pem; /* trusted CAs replacing the system's, NULL: the system's */
    size_t ca_len;
    bool insecure;      /* no TLS verification */
    int64_t timeout_ms; /* whole request; <= 0: 30 s */
};

struct ce_aws_response {
    long status; /* 0: no answer (err says why) */
    char *body;  /* heap, NUL-terminated, at most CE_AWS_RESPONSE_CAP bytes; NULL if none */
    size_t len;
    char err[256];
};

/* CE_OK when an answer arrived (any status; rs->err is set for a non-2xx), CE_ETIMEDOUT,
 * CE_EUNAVAIL (no answer), CE_ETOOBIG (answer larger than the cap) or CE_EINVAL. Free rs with
 * ce_aws_response_fini. */
int ce_aws_send(const struct ce_aws_request *rq, struct ce_aws_response *rs) CE_MUST_CHECK;
void ce_aws_response_fini(struct ce_aws_response *rs);

/* The <Code> and <Message> of an AWS/S3 XML error body, "Code: Message" into out ("" when the
 * body has neither). */
void ce_aws_error_text(const char *body, size_t len, char *out, size_t outlen);

#endif
