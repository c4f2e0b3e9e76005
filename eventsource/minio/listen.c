/* SPDX-License-Identifier: Apache-2.0 */
/* One event's listener: a SigV4-signed ListenBucketNotification GET held open, its lines fed to
 * the stream parser, and a reconnect with backoff whenever it ends, fails or stays silent past
 * the idle timeout. Never silently deaf: each end is logged with its cause and counted, and the
 * listening gauge and /readyz follow the stream. */
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/http/aws.h"
#include "core/http/curl_init.h"
#include "core/service/metrics.h"
#include "core/service/secrets.h"
#include "eventsource/emit.h"
#include "eventsource/minio/minio_int.h"
#include "manifest/model.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *minio_ev_name(const struct minio_listener *l)
{
    return l->ev->spec->name;
}

static const char *minio_bucket_shown(const struct minio_listener *l)
{
    return l->cfg->bucket ? l->cfg->bucket : "*";
}

/* The listen URL: scheme://endpoint/bucket?events=...&ping=N&prefix=P&suffix=S, the query
 * canonical because libcurl signs it as written. Heap. */
static char *minio_listen_url(const struct minio_listener *l)
{
    const struct ce_minio_config *c = l->cfg;
    struct ce_aws_query q = {0};
    for (int i = 0; i < c->n_events; i++) {
        ce_aws_query_add(&q, "events", c->events[i]);
    }
    char ping[16];
    snprintf(ping, sizeof ping, "%d", l->src->ping_s);
    ce_aws_query_add(&q, "ping", ping);
    ce_aws_query_add(&q, "prefix", c->prefix);
    ce_aws_query_add(&q, "suffix", c->suffix);
    char *query = ce_aws_query_string(&q);
    char *bucket = ce_aws_uri_encode(c->bucket ? c->bucket : "", false);
    char *url =
        ce_xasprintf("%s://%s/%s?%s", c->insecure ? "http" : "https", c->endpoint, bucket, query);
    ce_free(bucket);
    ce_free(query);
    ce_aws_query_fini(&q);
    return url;
}

static int minio_read_secret(const struct minio_listener *l, const struct ce_secret_ref *ref,
                             const char *field, char **out, size_t *len)
{
    const char *dir = l->src->env->secrets_dir ? l->src->env->secrets_dir : CE_SECRETS_DIR_DEFAULT;
    int rc = ce_secret_read(dir, ref->name, ref->key, out, len);
    if (rc != CE_OK) {
        char *path = ce_xasprintf("%s/%s/%s", dir, ref->name, ref->key);
        ce_log_kv(CE_LOG_ERROR, "cannot read a secret of the minio event; retrying", "eventName",
                  minio_ev_name(l), "field", field, "file", path, "error", ce_rc_str(rc), NULL);
        ce_free(path);
    }
    return rc;
}

/* The keys, read at every connect so that a rewritten secret is used by the next attempt. */
static int minio_creds(const struct minio_listener *l, struct ce_aws_creds *creds)
{
    char *ak = NULL, *sk = NULL;
    size_t n;
    int rc = minio_read_secret(l, &l->cfg->access_key, "accessKey", &ak, &n);
    if (rc == CE_OK) {
        rc = minio_read_secret(l, &l->cfg->secret_key, "secretKey", &sk, &n);
    }
    if (rc == CE_OK) {
        char err[200];
        rc = ce_aws_creds_resolve(ak, sk, NULL, creds, err, sizeof err);
        if (rc != CE_OK) {
            ce_log_kv(CE_LOG_ERROR, "unusable minio keys; retrying", "eventName", minio_ev_name(l),
                      "error", err, NULL);
        }
    }
    ce_free(ak);
    ce_free(sk);
    return rc;
}

/* ---- libcurl callbacks (listener thread) ---- */

static int minio_on_line(void *arg, json_t *records, const char *line, size_t len, const char *why)
{
    struct minio_listener *l = arg;
    if (records == NULL) {
        char shown[120];
        snprintf(shown, sizeof shown, "%.*s", (int)(len < 100 ? len : 100), line);
        ce_log_kv(CE_LOG_ERROR, "invalid notification", "eventName", minio_ev_name(l), "error", why,
                  "line", shown, NULL);
        ce_emitter_count_processing_failed(l->ev->em);
        return CE_OK;
    }
    size_t klen = 0, dlen = 0;
    char *key = ce_minio_event_key(records, &klen);
    char id[33];
    ce_emit_id_from_key(l->ev->em->source_name, l->ev->em->event_name, key, klen, id);
    ce_free(key);
    const struct ce_minio_config *c = l->cfg;
    char *data = ce_minio_event_data(records, c->metadata, c->n_metadata, &dlen);
    minio_enqueue(l, data, dlen, id);
    return CE_OK;
}

static size_t minio_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct minio_listener *l = arg;
    size_t n = size * nmemb;
    l->last_byte_ms = ce_clock_mono_ms();
    if (l->status != 200) {
        if (ce_buf_append(&l->errbody, data, n) != CE_OK) {
            return n; /* past the cap: the start is enough for the log */
        }
        return n;
    }
    l->feed_rc = ce_minio_stream_feed(&l->stream, data, n, minio_on_line, l);
    return l->feed_rc == CE_OK ? n : 0;
}

static void minio_set_listening(struct minio_listener *l, bool on)
{
    if (atomic_exchange(&l->listening, on) != on) {
        ce_metric_set(l->m_listening, on ? 1 : 0);
        if (on) {
            ce_log_kv(CE_LOG_INFO, "listening to bucket notifications", "eventName",
                      minio_ev_name(l), "bucket", minio_bucket_shown(l), "endpoint",
                      l->cfg->endpoint, NULL);
        }
    }
}

static size_t minio_on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct minio_listener *l = arg;
    size_t n = size * nmemb;
    l->last_byte_ms = ce_clock_mono_ms();
    if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        l->status = sp ? strtol(sp + 1, NULL, 10) : 0;
    }
    else if ((n == 2 && data[0] == '\r') || (n == 1 && data[0] == '\n')) {
        if (l->status == 200) {
            minio_set_listening(l, true);
        }
    }
    return n;
}

static int minio_on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    struct minio_listener *l = arg;
    if (atomic_load(&l->src->quiescing) || atomic_load(&l->src->stopping)) {
        return 1;
    }
    if (ce_clock_mono_ms() - l->last_byte_ms > l->src->idle_ms) {
        l->idle = true;
        return 1;
    }
    return 0;
}

/* ---- one attempt ---- */

static void minio_set_tls(CURL *h, const struct minio_listener *l, char *ca, size_t ca_len)
{
    if (ca != NULL) {
        struct curl_blob b = {ca, ca_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    (void)l;
}

static CURLcode minio_perform(struct minio_listener *l, CURL *h, const char *url,
                              struct curl_slist *hdrs, char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)l->src->idle_ms);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cevents minio");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, minio_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, l);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, minio_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, l);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, minio_on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, l);
    l->status = 0;
    l->idle = false;
    l->feed_rc = CE_OK;
    l->last_byte_ms = ce_clock_mono_ms();
    ce_buf_reset(&l->errbody);
    ce_minio_stream_fini(&l->stream);
    ce_minio_stream_init(&l->stream, CE_MINIO_MAX_LINE);
    return curl_easy_perform(h);
}

/* Logs why the stream ended. Returns true when it had been listening (a healthy stream). */
static bool minio_report(struct minio_listener *l, CURLcode cc, const char *errbuf)
{
    const char *ev = minio_ev_name(l), *bucket = minio_bucket_shown(l);
    char status[16];
    snprintf(status, sizeof status, "%ld", l->status);
    if (l->status == 200 && l->feed_rc == CE_ETOOBIG) {
        ce_log_kv(CE_LOG_ERROR, "a notification line is longer than 4 MiB; reconnecting",
                  "eventName", ev, "bucket", bucket, NULL);
    }
    else if (l->idle) {
        char secs[24];
        snprintf(secs, sizeof secs, "%lld", (long long)(l->src->idle_ms / 1000));
        ce_log_kv(CE_LOG_WARN,
                  "no bytes from the MinIO server within the idle timeout; "
                  "reconnecting",
                  "eventName", ev, "bucket", bucket, "idleSeconds", secs, NULL);
    }
    else if (l->status == 200) {
        ce_log_kv(CE_LOG_WARN, "the MinIO server ended the notification stream; reconnecting",
                  "eventName", ev, "bucket", bucket, "error",
                  cc == CURLE_OK ? "end of stream"
                  : errbuf[0]    ? errbuf
                                 : curl_easy_strerror(cc),
                  NULL);
    }
    else if (l->status > 0) {
        char why[300];
        ce_aws_error_text(l->errbody.data, l->errbody.len, why, sizeof why);
        ce_log_kv(CE_LOG_ERROR, "the MinIO server refused to listen to the bucket; retrying",
                  "eventName", ev, "bucket", bucket, "status", status, "error",
                  why[0] ? why : "(no S3 error in the answer)", NULL);
    }
    else {
        ce_log_kv(CE_LOG_ERROR, "cannot reach the MinIO server; retrying", "eventName", ev,
                  "endpoint", l->cfg->endpoint, "error",
                  errbuf[0] ? errbuf : curl_easy_strerror(cc), NULL);
    }
    return l->status == 200;
}

/* One connect-and-stream attempt; true when the stream got as far as listening. */
static bool minio_attempt(struct minio_listener *l)
{
    struct ce_aws_creds creds;
    if (minio_creds(l, &creds) != CE_OK) {
        return false;
    }
    char *ca = NULL;
    size_t ca_len = 0;
    if (l->cfg->ca_certificate.set &&
        minio_read_secret(l, &l->cfg->ca_certificate, "caCertificate", &ca, &ca_len) != CE_OK) {
        ce_aws_creds_fini(&creds);
        return false;
    }
    CURL *h = ce_curl_easy_init();
    struct curl_slist *hdrs = NULL;
    bool healthy = false;
    const char *region = l->cfg->region ? l->cfg->region : "us-east-1";
    if (h != NULL &&
        ce_aws_curl_sign(h, &creds, region, "s3", CE_AWS_EMPTY_SHA256, &hdrs) == CE_OK) {
        char *url = minio_listen_url(l);
        char errbuf[CURL_ERROR_SIZE] = "";
        minio_set_tls(h, l, ca, ca_len);
        CURLcode cc = minio_perform(l, h, url, hdrs, errbuf);
        if (!atomic_load(&l->src->quiescing) && !atomic_load(&l->src->stopping)) {
            healthy = minio_report(l, cc, errbuf);
        }
        ce_free(url);
    }
    minio_set_listening(l, false);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    ce_free(ca);
    ce_aws_creds_fini(&creds);
    return healthy;
}

/* Backoff before attempt n+1: 1 s doubling up to the cap, with jitter over its upper half. */
static int64_t minio_backoff_ms(const struct minio_source *src, int n)
{
    int64_t d = 1000;
    for (int i = 0; i < n && d < src->backoff_max_ms; i++) {
        d *= 2;
    }
    if (d > src->backoff_max_ms) {
        d = src->backoff_max_ms;
    }
    /* jitter from the clock: no shared random state between the listener threads */
    uint64_t mix = (uint64_t)ce_clock_mono_ms() * 2654435761u;
    return d / 2 + (int64_t)(mix % (uint64_t)(d / 2 + 1));
}

void *minio_listen_main(void *arg)
{
    struct minio_listener *l = arg;
    int failures = 0;
    while (!atomic_load(&l->src->quiescing) && !atomic_load(&l->src->stopping)) {
        bool healthy = minio_attempt(l);
        if (atomic_load(&l->src->quiescing) || atomic_load(&l->src->stopping)) {
            break;
        }
        failures = healthy ? 0 : failures + 1;
        int64_t wait = minio_backoff_ms(l->src, failures);
        ce_metric_inc(l->m_reconnects);
        char ms[24];
        snprintf(ms, sizeof ms, "%lld", (long long)wait);
        ce_log_kv(CE_LOG_INFO, "reconnecting to the MinIO server", "eventName", minio_ev_name(l),
                  "bucket", minio_bucket_shown(l), "delayMs", ms, NULL);
        if (!minio_sleep(l->src, wait)) {
            break;
        }
    }
    return NULL;
}
