/* SPDX-License-Identifier: Apache-2.0 */
/* The network half of the HTTP trigger: a target parsed from the trigger's `http` block (after
 * parameters were applied), one request sent to it with libcurl, and the outcome classified as
 * success, retryable or permanent. Secrets (secureHeaders, basicAuth, tls) are read when the
 * target is created, so a target made per firing sees rotated secrets.
 *
 * Connections: a ce_http_client keeps a small pool of libcurl handles, each with its own
 * connection cache, so consecutive sends to the same host reuse a kept-alive connection (one
 * request per event at thousands per second would otherwise pay a TCP and TLS handshake each
 * time). A send takes a handle from the pool (or makes one), and puts it back afterwards: sends
 * on several threads never wait for each other. */
#ifndef CE_TRIGGERS_HTTP_REQUEST_H
#define CE_TRIGGERS_HTTP_REQUEST_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_HTTP_DEFAULT_TIMEOUT_S 60
#define CE_HTTP_MAX_TIMEOUT_S 86400 /* a day: larger values are taken as this */
#define CE_HTTP_MAX_URL_BYTES 8192
#define CE_HTTP_MAX_HEADERS 128            /* headers + secureHeaders + extra headers */
#define CE_HTTP_MAX_HEADER_BYTES 16384     /* one "Name: value" line */
#define CE_HTTP_MAX_REDIRECTS 10           /* the 10th redirect fails, as in Go's client (Argo's) */
#define CE_HTTP_RESPONSE_CAP (1024 * 1024) /* response body bytes read (and discarded) */
#define CE_HTTP_RETRY_AFTER_MAX_MS 600000  /* a Retry-After longer than 10 min is cut */
#define CE_HTTP_MAX_ALLOW 128              /* policy.status.allow entries */
#define CE_HTTP_POOL_MAX 8                 /* idle handles a client keeps */

/* Immutable after creation; may be used by several threads at once. */
struct ce_http_target;
/* A pool of libcurl handles with their kept-alive connections; thread-safe. */
struct ce_http_client;

/* Why no response was obtained (status 0). */
enum ce_http_failure {
    CE_HTTP_FAIL_NONE = 0,  /* a response arrived: see status */
    CE_HTTP_FAIL_TRANSPORT, /* connection refused or reset, DNS, TLS handshake: retryable */
    CE_HTTP_FAIL_TIMEOUT,   /* the timeout passed before a response: retryable */
    CE_HTTP_FAIL_LOCAL,     /* the request itself is wrong (bad header, too many redirects, a
                             * redirect to another scheme): retrying cannot help */
};

struct ce_http_outcome {
    int status;             /* final HTTP status after redirects; 0 = no response */
    int failure;            /* enum ce_http_failure */
    int64_t retry_after_ms; /* from Retry-After of the final response, capped; -1 none */
    size_t resp_bytes;      /* response body bytes read, at most CE_HTTP_RESPONSE_CAP */
    int redirects;          /* redirects followed */
    char err[256];          /* why it failed, for the log; empty on a 2xx */
};

/* Parses the `http` block. secrets_dir and config_dir hold the mounted secrets and config maps
 * (core/secrets.h layout); NULL takes the defaults. Reads every secret it refers to now.
 * Errors (CE_EINVAL for a bad spec, CE_ENOENT/CE_EIO for a secret that cannot be read) name
 * the field in err. Fields: url (required, http or https), method (GET, DELETE, PATCH, POST,
 * PUT; default POST), headers, secureHeaders, basicAuth, tls, timeout, host. payload,
 * parameters and dynamicHeaders are the caller's (it passes the body and extra headers). */
int ce_http_target_from_json(const json_t *http_block, const char *secrets_dir,
                             const char *config_dir, struct ce_http_target **out, char *err,
                             size_t errlen) CE_MUST_CHECK;
void ce_http_target_destroy(struct ce_http_target *t);
/* Whether method is one the HTTP trigger sends: GET, DELETE, PATCH, POST or PUT. */
bool ce_http_method_known(const char *method);
/* An http or https URL with a host ("scheme://host..."), as a target needs: CE_OK, or CE_EINVAL
 * with the reason in err. */
int ce_http_url_check(const char *url, char *err, size_t errlen);
/* The URL for logs: a password in its user info shows as "xxxxx". */
const char *ce_http_target_url(const struct ce_http_target *t);
const char *ce_http_target_method(const struct ce_http_target *t);

/* The trigger's policy.status.allow (policy may be NULL or lack it: *allow = NULL, *n = 0).
 * *allow is heap (ce_free); a present but empty list gives a non-NULL *allow with *n = 0. */
int ce_http_allow_from_json(const json_t *policy, int **allow, int *n, char *err,
                            size_t errlen) CE_MUST_CHECK;

struct ce_http_client *ce_http_client_create(void);
/* Closes the pooled connections; no send may be running. Accepts NULL. */
void ce_http_client_destroy(struct ce_http_client *c);

/* Sends one request: the target's method, URL and headers, then extra_headers ("Name: value",
 * NULL-terminated, may be NULL; dynamicHeaders, resolved by the caller) and body[0..len) (body
 * may be NULL when len is 0). Headers apply in the order headers, extra headers,
 * secureHeaders, basicAuth; a later one replaces an earlier one of exactly the same name, as
 * Argo Events does. Redirects are followed as Go's client does (9 at most: the 10th is a
 * permanent failure; 301/302/303 turn into a GET without body, 307/308 repeat the request;
 * Authorization and Cookie are not sent to another host; a Host override only survives a
 * relative Location). c may be NULL: a one-off handle without connection reuse. Returns CE_OK
 * when a response arrived (whatever its status), else CE_ETIMEDOUT, CE_EUNAVAIL or CE_EINVAL;
 * out is filled in every case. */
int ce_http_send(struct ce_http_client *c, const struct ce_http_target *t,
                 const char *const *extra_headers, const char *body, size_t len,
                 struct ce_http_outcome *out);

/* CE_OK for success, CE_RETRY for a failure worth retrying, CE_EREMOTE (a status) or
 * CE_EINVAL (a local failure) for a permanent one. allow NULL means no policy. */
int ce_http_classify(const struct ce_http_outcome *o, const int *allow, int n_allow);

/* Why a response is a failure under a policy: "http response status 202 is not allowed
 * (policy.status.allow: 200, 201)", cut to outlen. */
void ce_http_not_allowed(int status, const int *allow, int n_allow, char *out, size_t outlen);

/* A Retry-After value in milliseconds: delta-seconds, or an HTTP date compared with now
 * (wall clock, ms since the epoch); capped at CE_HTTP_RETRY_AFTER_MAX_MS, a past date is 0.
 * -1 when the value is neither. */
int64_t ce_http_retry_after_ms(const char *value, int64_t now_ms);

#endif
