/* SPDX-License-Identifier: Apache-2.0 */
/* The client's transport: a pool of libcurl handles, each keeping its connection alive, so
 * consecutive requests reuse one connection and concurrent ones each have their own (libcurl
 * does not support sharing one connection cache between threads); TLS and bearer-token auth (a
 * token file re-read when it changes); one request with its response read whole and capped. */
#include "kube/client.h"

#include "core/base/file.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"
#include "core/http/request.h"
#include "kube/kube_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define KUBE_USER_AGENT "cevents/" CE_VERSION

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *arg)
{
    (void)h;
    (void)access;
    struct ce_kube_client *c = arg;
    pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
    (void)h;
    struct ce_kube_client *c = arg;
    pthread_mutex_unlock(&c->share_locks[data]);
}

/* The hosts reached directly whatever the proxy variables say: loopback (as Go's
 * ProxyFromEnvironment, which Kubernetes tools use, never proxies it) and NO_PROXY's. */
static char *client_noproxy(void)
{
    const char *env = getenv("NO_PROXY");
    if (env == NULL || env[0] == '\0') {
        env = getenv("no_proxy");
    }
    return ce_xasprintf("localhost,127.0.0.1,::1%s%s", env && env[0] ? "," : "",
                        env && env[0] ? env : "");
}

static void pem_copy(struct ce_kube_pem *dst, const struct ce_kube_pem *src)
{
    dst->data = src->data ? ce_xstrndup(src->data, src->len) : NULL;
    dst->len = src->len;
}

int ce_kube_client_create(const struct ce_kube_config *cfg, struct ce_kube_client **out, char *err,
                          size_t errlen)
{
    *out = NULL;
    if (cfg == NULL || cfg->server == NULL ||
        (strncmp(cfg->server, "https://", 8) != 0 && strncmp(cfg->server, "http://", 7) != 0)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "the API server URL must be http(s)://host: %s",
                          cfg && cfg->server ? cfg->server : "(none)");
    }
    ce_curl_global_init(); /* before curl_share_init, which does not make it */
    struct ce_kube_client *c = ce_xcalloc(1, sizeof(*c));
    c->server = ce_xstrdup(cfg->server);
    c->ns = ce_xstrdup(cfg->ns ? cfg->ns : "default");
    c->insecure = cfg->insecure;
    c->proxy = cfg->proxy ? ce_xstrdup(cfg->proxy) : NULL;
    c->noproxy = client_noproxy();
    pem_copy(&c->ca, &cfg->ca);
    pem_copy(&c->cert, &cfg->cert);
    pem_copy(&c->key, &cfg->key);
    c->token = cfg->token ? ce_xstrdup(cfg->token) : NULL;
    c->token_file = cfg->token_file ? ce_xstrdup(cfg->token_file) : NULL;
    pthread_mutex_init(&c->lock, NULL);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_init(&c->share_locks[i], NULL);
    }
    c->share = curl_share_init();
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    *out = c;
    return CE_OK;
}

void ce_kube_client_destroy(struct ce_kube_client *c)
{
    if (c == NULL) {
        return;
    }
    for (int i = 0; i < c->n_idle; i++) {
        curl_easy_cleanup(c->idle[i]);
    }
    curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) {
        pthread_mutex_destroy(&c->share_locks[i]);
    }
    pthread_mutex_destroy(&c->lock);
    ce_free(c->server);
    ce_free(c->ns);
    ce_free(c->proxy);
    ce_free(c->noproxy);
    ce_free(c->ca.data);
    ce_free(c->cert.data);
    ce_free(c->key.data);
    ce_free(c->token);
    ce_free(c->token_file);
    ce_free(c->disc);
    ce_free(c);
}

const char *ce_kube_client_namespace(const struct ce_kube_client *c)
{
    return c->ns;
}

bool ce_kube_rc_retryable(int rc)
{
    return rc == CE_RETRY;
}

int kube_fail(struct ce_kube_error *e, int rc, int status, const char *reason, const char *fmt, ...)
{
    if (e != NULL) {
        e->status = status;
        e->retry_after_ms = -1;
        snprintf(e->reason, sizeof(e->reason), "%s", reason ? reason : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof(e->message), fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* The bearer token now: a token file is re-read when its modification time or size changed
 * (the kubelet replaces a projected token before it expires). Heap copy or NULL. */
static char *client_token(struct ce_kube_client *c)
{
    pthread_mutex_lock(&c->lock);
    struct stat st;
    if (c->token_file != NULL && stat(c->token_file, &st) == 0 &&
        (st.st_mtim.tv_sec != c->token_mtime.tv_sec ||
         st.st_mtim.tv_nsec != c->token_mtime.tv_nsec || st.st_size != c->token_size ||
         c->token == NULL)) {
        char *t = NULL;
        size_t len = 0;
        if (ce_file_read(c->token_file, CE_KUBE_CONFIG_MAX_BYTES, &t, &len, NULL) == CE_OK) {
            while (len > 0 && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' ')) {
                t[--len] = '\0';
            }
            ce_free(c->token);
            c->token = t;
            c->token_mtime = st.st_mtim;
            c->token_size = st.st_size;
        }
    }
    char *out = c->token && c->token[0] ? ce_xstrdup(c->token) : NULL;
    pthread_mutex_unlock(&c->lock);
    return out;
}

static void client_tls(struct ce_kube_client *c, CURL *h)
{
    if (c->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->ca.data != NULL) {
        struct curl_blob b = {c->ca.data, c->ca.len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    if (c->cert.data != NULL && c->key.data != NULL) {
        struct curl_blob cb = {c->cert.data, c->cert.len, CURL_BLOB_COPY};
        struct curl_blob kb = {c->key.data, c->key.len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
}

CURL *kube_handle(struct ce_kube_client *c, const char *path, int64_t timeout_ms,
                  struct curl_slist **hdrs, char *errbuf)
{
    pthread_mutex_lock(&c->lock);
    CURL *h = c->n_idle > 0 ? c->idle[--c->n_idle] : NULL;
    pthread_mutex_unlock(&c->lock);
    if (h == NULL && (h = ce_curl_easy_init()) == NULL) {
        return NULL;
    }
    char *url = ce_xasprintf("%s%s", c->server, path);
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, url);
    ce_free(url);
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (timeout_ms > 0) {
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    }
    curl_easy_setopt(h, CURLOPT_USERAGENT, KUBE_USER_AGENT);
    if (c->proxy != NULL) {
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy);
    }
    curl_easy_setopt(h, CURLOPT_NOPROXY, c->noproxy);
    client_tls(c, h);
    char *tok = client_token(c);
    if (tok != NULL) {
        char *line = ce_xasprintf("Authorization: Bearer %s", tok);
        *hdrs = curl_slist_append(*hdrs, line);
        ce_free(line);
        ce_free(tok);
    }
    *hdrs = curl_slist_append(*hdrs, "Accept: application/json");
    return h;
}

void kube_release(struct ce_kube_client *c, CURL *h)
{
    /* the options point at the finished request's buffers: forget them, keep the connection */
    curl_easy_reset(h);
    pthread_mutex_lock(&c->lock);
    if (c->n_idle < KUBE_POOL_MAX) {
        c->idle[c->n_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    curl_easy_cleanup(h); /* accepts NULL */
}

static size_t send_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct ce_buf *b = arg;
    size_t n = size * nmemb;
    return ce_buf_append(b, data, n) == CE_OK ? n : 0;
}

/* Keeps the Retry-After header's value. */
static size_t send_header(char *data, size_t size, size_t nmemb, void *arg)
{
    struct kube_resp *resp = arg;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
        const char *v = data + sizeof(name) - 1;
        size_t len = n - (sizeof(name) - 1);
        while (len > 0 && (*v == ' ' || *v == '\t')) {
            v++, len--;
        }
        while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ')) {
            len--;
        }
        snprintf(resp->retry_after, sizeof(resp->retry_after), "%.*s", (int)len, v);
    }
    return n;
}

int kube_curl_rc(CURLcode cc)
{
    switch (cc) {
    case CURLE_PEER_FAILED_VERIFICATION: /* the server's certificate is not trusted */
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM: /* our client certificate or key is unusable */
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_URL_MALFORMAT:
        return CE_EINVAL; /* the configuration is wrong: retrying cannot help */
    default:
        return CE_RETRY;
    }
}

int kube_resp_outcome(const struct kube_resp *resp, const char *what, struct ce_kube_error *e)
{
    int rc = kube_outcome(resp->status, resp->body.data, resp->body.len, what, e);
    if (e != NULL && resp->retry_after[0]) {
        e->retry_after_ms = ce_http_retry_after_ms(resp->retry_after, ce_clock_wall_ms());
    }
    return rc;
}

static void send_body(CURL *h, const struct kube_req *q, struct curl_slist **hdrs)
{
    if (strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        return;
    }
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
    if (strcmp(q->method, "POST") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    }
    char *ct = ce_xasprintf("Content-Type: %s", q->ctype ? q->ctype : "application/json");
    *hdrs = curl_slist_append(*hdrs, ct);
    ce_free(ct);
    *hdrs = curl_slist_append(*hdrs, "Expect:");
}

int kube_send(struct ce_kube_client *c, const struct kube_req *q, struct kube_resp *resp,
              struct ce_kube_error *e)
{
    ce_buf_init(&resp->body, CE_KUBE_RESPONSE_MAX);
    resp->status = 0;
    resp->retry_after[0] = '\0';
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = NULL;
    CURL *h =
        kube_handle(c, q->path, q->timeout_ms ? q->timeout_ms : CE_KUBE_TIMEOUT_MS, &hdrs, errbuf);
    if (h == NULL) {
        return kube_fail(e, CE_RETRY, 0, NULL, "%s %s: cannot start a transfer", q->method,
                         q->path);
    }
    send_body(h, q, &hdrs);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, send_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, send_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    kube_release(c, h);
    curl_slist_free_all(hdrs);
    if (cc == CURLE_WRITE_ERROR) { /* send_write refuses only what passes the cap */
        return kube_fail(e, CE_EREMOTE, (int)resp->status, NULL,
                         "%s %s: the response is larger than %d bytes", q->method, q->path,
                         CE_KUBE_RESPONSE_MAX);
    }
    if (cc != CURLE_OK) {
        return kube_fail(e, kube_curl_rc(cc), 0, NULL, "%s %s%s: %s", q->method, c->server, q->path,
                         errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    return CE_OK;
}

/* ---- errors ---- */

static int outcome_rc(long status)
{
    if (status >= 200 && status < 300) {
        return CE_OK;
    }
    if (status == 404) {
        return CE_ENOENT;
    }
    if (status == 429 || status >= 500 || status < 200) {
        return CE_RETRY;
    }
    return CE_EREMOTE;
}

static const char *status_reason(long status)
{
    switch (status) {
    case 400:
        return "BadRequest";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "NotFound";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 422:
        return "Invalid";
    case 429:
        return "TooManyRequests";
    case 500:
        return "InternalError";
    case 503:
        return "ServiceUnavailable";
    case 504:
        return "Timeout";
    default:
        return "";
    }
}

int kube_outcome(long status, const char *body, size_t len, const char *what,
                 struct ce_kube_error *e)
{
    int rc = outcome_rc(status);
    if (rc == CE_OK) {
        if (e != NULL) {
            memset(e, 0, sizeof(*e));
            e->status = (int)status;
            e->retry_after_ms = -1;
        }
        return rc;
    }
    json_t *st = body && len ? json_loadb(body, len, 0, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(st, "kind"));
    const char *msg = json_string_value(json_object_get(st, "message"));
    const char *reason = json_string_value(json_object_get(st, "reason"));
    if (kind != NULL && strcmp(kind, "Status") == 0 && msg != NULL && msg[0]) {
        kube_fail(e, rc, (int)status, reason && reason[0] ? reason : status_reason(status), "%s",
                  msg);
    }
    else {
        kube_fail(e, rc, (int)status, status_reason(status), "%s: the server answered %ld%s%.*s",
                  what, status, len ? ": " : "", (int)(len > 200 ? 200 : len), body ? body : "");
    }
    json_decref(st);
    return rc;
}
