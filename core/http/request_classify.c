/* SPDX-License-Identifier: Apache-2.0 */
/* Whether an HTTP trigger attempt succeeded, should be retried or failed for good, and how long
 * the target asked to wait (Retry-After). Pure.
 *
 * Argo Events counts any response as success unless policy.status.allow is set, and then fails
 * (and retries, under retryStrategy) every status outside the list. cevents instead:
 *  - without a policy: 2xx is success; 5xx, 429 and 408 are retryable; any other status
 *    (1xx, 3xx left after following redirects, other 4xx) is a permanent failure;
 *  - with a policy: a listed status is success, whatever it is; an unlisted 5xx, 429 or 408 is
 *    still retryable, because those say "not now" rather than "never"; any other unlisted
 *    status is permanent (retrying a 400 or 404 repeats the same answer);
 *  - no response (connection refused or reset, DNS, TLS handshake, timeout) is retryable;
 *    a request that cannot be made at all (bad header, redirect loop) is permanent. */
#include "core/http/request.h"
#include "core/base/rc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool http_status_transient(int status)
{
    return status >= 500 || status == 429 || status == 408;
}

int ce_http_classify(const struct ce_http_outcome *o, const int *allow, int n_allow)
{
    if (o->status == 0) {
        return o->failure == CE_HTTP_FAIL_LOCAL ? CE_EINVAL : CE_RETRY;
    }
    if (allow != NULL) {
        for (int i = 0; i < n_allow; i++) {
            if (allow[i] == o->status) {
                return CE_OK;
            }
        }
    }
    else if (o->status >= 200 && o->status <= 299) {
        return CE_OK;
    }
    return http_status_transient(o->status) ? CE_RETRY : CE_EREMOTE;
}

void ce_http_not_allowed(int status, const int *allow, int n_allow, char *out, size_t outlen)
{
    size_t n = (size_t)snprintf(out, outlen,
                                "http response status %d is not allowed "
                                "(policy.status.allow:",
                                status);
    for (int i = 0; i < n_allow && n < outlen; i++) {
        n += (size_t)snprintf(out + n, outlen - n, "%s %d", i > 0 ? "," : "", allow[i]);
    }
    if (n < outlen) {
        snprintf(out + n, outlen - n, "%s)", n_allow == 0 ? " none" : "");
    }
}

static int64_t http_cap_ms(int64_t ms)
{
    if (ms < 0) {
        return 0;
    }
    return ms > CE_HTTP_RETRY_AFTER_MAX_MS ? CE_HTTP_RETRY_AFTER_MAX_MS : ms;
}

int64_t ce_http_retry_after_ms(const char *value, int64_t now_ms)
{
    if (value == NULL) {
        return -1;
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t')) {
        len--;
    }
    if (len == 0) {
        return -1;
    }
    size_t digits = strspn(value, "0123456789");
    if (digits == len) {
        /* delta-seconds; anything beyond the cap is the cap, so long numbers cannot overflow */
        int64_t s = 0;
        for (size_t i = 0; i < len; i++) {
            s = s * 10 + (value[i] - '0');
            if (s > CE_HTTP_RETRY_AFTER_MAX_MS / 1000) {
                return CE_HTTP_RETRY_AFTER_MAX_MS;
            }
        }
        return http_cap_ms(s * 1000);
    }
    if (len > 64 || digits > 0) {
        return -1; /* dates start with a day name: "Wed, 21 Oct 2015 07:28:00 GMT" */
    }
    char date[65];
    memcpy(date, value, len);
    date[len] = '\0';
    /* IMF-fixdate and the two obsolete forms HTTP still allows (RFC 850, asctime) */
    time_t when = curl_getdate(date, NULL);
    if (when == (time_t)-1) {
        return -1;
    }
    /* compared in seconds first: a date far off (a server's "year 2000000000") would overflow
     * in milliseconds */
    int64_t now_s = now_ms / 1000;
    if ((int64_t)when >= now_s + CE_HTTP_RETRY_AFTER_MAX_MS / 1000) {
        return CE_HTTP_RETRY_AFTER_MAX_MS;
    }
    if ((int64_t)when <= now_s - 1) {
        return 0;
    }
    return http_cap_ms((int64_t)when * 1000 - now_ms);
}
