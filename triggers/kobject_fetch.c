/* SPDX-License-Identifier: Apache-2.0 */
/* A `source.url` object: one GET, the body capped at CE_KOBJ_MAX_BYTES, retried as Argo's
 * fetch is (5 attempts, 1 s apart) when the server cannot be reached or answers 5xx. */
#include "triggers/kobject.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"

#include <curl/curl.h>
#include <stdio.h>
#include <time.h>

#define KOBJ_FETCH_ATTEMPTS 5

static size_t kobj_fetch_write(char *p, size_t size, size_t nmemb, void *ud)
{
    struct ce_buf *b = ud;
    return ce_buf_append(b, p, size * nmemb) == CE_OK ? size * nmemb : 0;
}

/* One GET: CE_OK, CE_RETRY (unreachable, 5xx) or CE_EINVAL. */
static int kobj_fetch_once(const char *url, bool verify_cert, struct ce_buf *body, char *err,
                           size_t errlen)
{
    CURL *h = ce_curl_easy_init();
    if (h == NULL) {
        return ce_rc_fail(CE_EIO, err, errlen, "source.url: cannot start a request");
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify_cert ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify_cert ? 2L : 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, kobj_fetch_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (cc == CURLE_WRITE_ERROR) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "source.url %s: larger than 4 MiB", url);
    }
    if (cc != CURLE_OK) {
        return ce_rc_fail(CE_RETRY, err, errlen, "source.url %s: %s", url,
                          cerr[0] ? cerr : curl_easy_strerror(cc));
    }
    if (status < 200 || status > 299) {
        return ce_rc_fail(status >= 500 ? CE_RETRY : CE_EINVAL, err, errlen,
                          "source.url %s: HTTP %ld", url, status);
    }
    return CE_OK;
}

int ce_kobj_fetch_url(const char *url, bool verify_cert, char **out, size_t *len, char *err,
                      size_t errlen)
{
    int rc = CE_RETRY;
    for (int i = 0; i < KOBJ_FETCH_ATTEMPTS && rc == CE_RETRY; i++) {
        if (i > 0) {
            struct timespec pause = {1, 0};
            nanosleep(&pause, NULL);
        }
        struct ce_buf body;
        ce_buf_init(&body, CE_KOBJ_MAX_BYTES);
        rc = kobj_fetch_once(url, verify_cert, &body, err, errlen);
        if (rc == CE_OK) {
            *out = ce_buf_steal(&body, len);
            if (*out == NULL) {
                *out = ce_xstrdup("");
                *len = 0;
            }
        }
        ce_buf_fini(&body);
    }
    return rc;
}
