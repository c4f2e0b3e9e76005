/* SPDX-License-Identifier: Apache-2.0 */
/* The signing certificate cache: a plain GET per new URL, the answer capped. */
#include "eventsource/sns/cert.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"
#include "eventsource/sns/message.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SNS_CERT_TIMEOUT_MS 10000L

struct sns_cert {
    char *url;
    char *pem;
    size_t len;
};

struct ce_sns_certs {
    pthread_mutex_t mu;
    struct sns_cert items[CE_SNS_CERT_CACHE];
    int n;
};

struct ce_sns_certs *ce_sns_certs_create(void)
{
    struct ce_sns_certs *c = ce_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void ce_sns_certs_destroy(struct ce_sns_certs *c)
{
    if (c == NULL) {
        return;
    }
    for (int i = 0; i < c->n; i++) {
        ce_free(c->items[i].url);
        ce_free(c->items[i].pem);
    }
    pthread_mutex_destroy(&c->mu);
    ce_free(c);
}

static size_t sns_cert_write(char *p, size_t size, size_t n, void *arg)
{
    struct ce_buf *b = arg;
    return ce_buf_append(b, p, size * n) == CE_OK ? size * n : 0;
}

static int sns_cert_fetch(const char *url, struct ce_buf *b, char *err, size_t errlen)
{
    CURL *h = ce_curl_easy_init();
    if (h == NULL) {
        snprintf(err, errlen, "cannot make a libcurl handle");
        return CE_EIO;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, SNS_CERT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sns_cert_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "failed to fetch the signing certificate: %s",
                 errbuf[0] ? errbuf : curl_easy_strerror(cc));
        return CE_EUNAVAIL;
    }
    if (status != 200) {
        snprintf(err, errlen, "failed to fetch the signing certificate: the server answered %ld",
                 status);
        return CE_EREMOTE;
    }
    return CE_OK;
}

static void sns_cert_keep(struct ce_sns_certs *c, const char *url, const struct ce_buf *b)
{
    if (c->n == CE_SNS_CERT_CACHE) {
        ce_free(c->items[0].url);
        ce_free(c->items[0].pem);
        memmove(&c->items[0], &c->items[1], sizeof(c->items[0]) * (CE_SNS_CERT_CACHE - 1));
        c->n--;
    }
    c->items[c->n++] = (struct sns_cert){ce_xstrdup(url), ce_xstrndup(b->data, b->len), b->len};
}

int ce_sns_certs_get(struct ce_sns_certs *c, const char *url, char **pem, size_t *len, char *err,
                     size_t errlen)
{
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->items[i].url, url) == 0) {
            *pem = ce_xstrndup(c->items[i].pem, c->items[i].len);
            *len = c->items[i].len;
            pthread_mutex_unlock(&c->mu);
            return CE_OK;
        }
    }
    pthread_mutex_unlock(&c->mu);
    struct ce_buf b;
    ce_buf_init(&b, CE_SNS_CERT_MAX_BYTES);
    int rc = sns_cert_fetch(url, &b, err, errlen);
    if (rc == CE_OK && b.len == 0) {
        snprintf(err, errlen, "the signing certificate is empty");
        rc = CE_EREMOTE;
    }
    if (rc == CE_OK) {
        pthread_mutex_lock(&c->mu);
        sns_cert_keep(c, url, &b);
        pthread_mutex_unlock(&c->mu);
        *pem = ce_xstrndup(b.data, b.len);
        *len = b.len;
    }
    ce_buf_fini(&b);
    return rc;
}
