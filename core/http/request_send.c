/* SPDX-License-Identifier: Apache-2.0 */
/* Sending one HTTP trigger request with libcurl: see request.h. What goes on the wire follows
 * Go's client as Argo Events uses it: User-Agent (cevents/<version> here), Content-Length
 * for POST, PUT, PATCH and DELETE and for any body, Accept-Encoding: gzip, then the user's
 * headers; no Accept, Content-Type or Expect is added. HTTP/1.1 always, so header names keep
 * the case they were written in. Redirects are followed here rather than by libcurl, which
 * would keep a PUT a PUT after a 302 and keep a Host header across hosts. */
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/http/curl_init.h"
#include "core/http/request.h"
#include "core/http/request_int.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HTTP_USER_AGENT "cevents/" CE_VERSION

struct ce_http_client {
    pthread_mutex_t mu;
    CURL *idle[CE_HTTP_POOL_MAX];
    int n_idle;
};

struct ce_http_client *ce_http_client_create(void)
{
    struct ce_http_client *c = ce_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void ce_http_client_destroy(struct ce_http_client *c)
{
    if (c == NULL) {
        return;
    }
    for (int i = 0; i < c->n_idle; i++) {
        curl_easy_cleanup(c->idle[i]);
    }
    pthread_mutex_destroy(&c->mu);
    ce_free(c);
}

static CURL *http_take(struct ce_http_client *c)
{
    CURL *h = NULL;
    if (c != NULL) {
        pthread_mutex_lock(&c->mu);
        if (c->n_idle > 0) {
            h = c->idle[--c->n_idle];
        }
        pthread_mutex_unlock(&c->mu);
    }
    if (h == NULL) {
        h = ce_curl_easy_init();
    }
    return h;
}

static void http_put(struct ce_http_client *c, CURL *h)
{
    if (c != NULL) {
        pthread_mutex_lock(&c->mu);
        if (c->n_idle < CE_HTTP_POOL_MAX) {
            c->idle[c->n_idle++] = h;
            h = NULL;
        }
        pthread_mutex_unlock(&c->mu);
    }
    if (h != NULL) {
        curl_easy_cleanup(h);
    }
}

/* ---- headers ---- */

/* The request's headers after merging: pointers into the target and into extra. */
struct http_hdrs {
    const struct ce_http_hdr *v[3 * CE_HTTP_MAX_HEADERS];
    int n;
};

/* Framing headers are cevents' to write: a user's Host header is ignored as in Go's client
 * (the host field sets it), Content-Length and friends would contradict the body. */
static bool http_reserved(const char *name)
{
    return strcasecmp(name, "Host") == 0 || strcasecmp(name, "Content-Length") == 0 ||
           strcasecmp(name, "Transfer-Encoding") == 0 || strcasecmp(name, "Trailer") == 0;
}

/* Adds h, replacing an earlier header of exactly the same name (Go's map semantics). */
static void http_hdrs_add(struct http_hdrs *m, const struct ce_http_hdr *h)
{
    if (http_reserved(h->name)) {
        return;
    }
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->v[i]->name, h->name) == 0) {
            m->v[i] = h;
            return;
        }
    }
    m->v[m->n++] = h;
}

static bool http_hdrs_has(const struct http_hdrs *m, const char *name)
{
    for (int i = 0; i < m->n; i++) {
        if (strcasecmp(m->v[i]->name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Credentials stay with the host they were meant for (and its subdomains), as in Go. */
static bool http_sensitive(const char *name)
{
    return strcasecmp(name, "Authorization") == 0 || strcasecmp(name, "Www-Authenticate") == 0 ||
           strcasecmp(name, "Cookie") == 0 || strcasecmp(name, "Cookie2") == 0;
}

static struct curl_slist *http_append(struct curl_slist *l, const char *line)
{
    struct curl_slist *n = curl_slist_append(l, line);
    if (n == NULL) {
        curl_slist_free_all(l);
        ce_xmalloc((size_t)-1); /* out of memory: abort as ce_xmalloc does */
    }
    return n;
}

/* One hop of a request: what changes while redirects are followed. */
struct http_hop {
    char *url;
    char *shown; /* url without its password, for errors */
    const char *method;
    const char *body;
    size_t len;
    bool has_body;   /* Go drops the body on 301/302/303 */
    bool keep_host;  /* the Host override still applies (only to relative redirects) */
    bool keep_creds; /* still on the first host or a subdomain of it */
    char *referer;
};

static struct curl_slist *http_slist(const struct ce_http_target *t, const struct http_hdrs *m,
                                     const struct http_hop *hop)
{
    struct curl_slist *l = NULL;
    for (int i = 0; i < m->n; i++) {
        const struct ce_http_hdr *h = m->v[i];
        if (!hop->keep_creds && http_sensitive(h->name)) {
            continue;
        }
        /* "Name;" is how libcurl is told to send a header with an empty value */
        char *line =
            h->value[0] ? ce_xasprintf("%s: %s", h->name, h->value) : ce_xasprintf("%s;", h->name);
        l = http_append(l, line);
        ce_free(line);
    }
    if (t->host != NULL && hop->keep_host) {
        char *line = ce_xasprintf("Host: %s", t->host);
        l = http_append(l, line);
        ce_free(line);
    }
    if (hop->referer != NULL && !http_hdrs_has(m, "Referer")) {
        char *line = ce_xasprintf("Referer: %s", hop->referer);
        l = http_append(l, line);
        ce_free(line);
    }
    /* libcurl's own defaults that Go's client does not send: removed unless the user set them */
    static const char *const removed[] = {"Accept", "Content-Type", "Expect"};
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) {
        if (!http_hdrs_has(m, removed[i])) {
            char line[32];
            snprintf(line, sizeof(line), "%s:", removed[i]);
            l = http_append(l, line);
        }
    }
    if (!http_hdrs_has(m, "Accept-Encoding") && !http_hdrs_has(m, "Range")) {
        l = http_append(l, "Accept-Encoding: gzip");
    }
    return l;
}

/* ---- one transfer ---- */

struct http_sink {
    size_t n;
    bool capped;
};

/* Counts and discards the response body; stops the transfer at the cap. */
static size_t http_write(char *data, size_t size, size_t nmemb, void *arg)
{
    (void)data;
    struct http_sink *s = arg;
    size_t n = size * nmemb;
    if (s->n + n > CE_HTTP_RESPONSE_CAP) {
        s->capped = true;
        s->n = CE_HTTP_RESPONSE_CAP;
        return 0;
    }
    s->n += n;
    return n;
}

static void http_set_tls(CURL *h, const struct ce_http_target *t)
{
    if (t->tls_insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (t->ca.data != NULL) {
        /* The given CA replaces the system's trust store, as Go's RootCAs does. */
        struct curl_blob b = {t->ca.data, t->ca.len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    if (t->cert.data != NULL && t->key.data != NULL) {
        struct curl_blob c = {t->cert.data, t->cert.len, CURL_BLOB_COPY};
        struct curl_blob k = {t->key.data, t->key.len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &c);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &k);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
}

static void http_set_body(CURL *h, const struct http_hop *hop)
{
    if (strcmp(hop->method, "GET") == 0 && (!hop->has_body || hop->len == 0)) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        return;
    }
    /* A POST-style transfer sends the body with Content-Length (0 included); the method
     * line is then replaced for the other methods. */
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(hop->has_body ? hop->len : 0));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, hop->has_body && hop->body ? hop->body : "");
    if (strcmp(hop->method, "POST") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, hop->method);
    }
}

static CURLcode http_perform(CURL *h, const struct ce_http_target *t, const struct http_hop *hop,
                             struct curl_slist *hdrs, int64_t timeout_ms, struct http_sink *sink,
                             char *errbuf)
{
    curl_easy_reset(h); /* keeps the connection, DNS and TLS session caches */
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, hop->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, HTTP_USER_AGENT);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    http_set_body(h, hop);
    http_set_tls(h, t);
    return curl_easy_perform(h);
}

/* ---- redirects ---- */

/* The host name part of url, lower case, heap; NULL when it has none. */
static char *http_hostname(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    char *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        out = ce_xstrdup(host);
        for (char *p = out; *p; p++) {
            *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return out;
}

/* dest is first or a subdomain of it. */
static bool http_same_site(const char *first, const char *dest)
{
    char *a = http_hostname(first);
    char *b = http_hostname(dest);
    bool same = false;
    if (a != NULL && b != NULL) {
        size_t la = strlen(a), lb = strlen(b);
        same =
            strcmp(a, b) == 0 || (lb > la && b[lb - la - 1] == '.' && strcmp(b + lb - la, a) == 0);
    }
    ce_free(a);
    ce_free(b);
    return same;
}

/* A Location with a scheme ("https://…"), as opposed to a path or "//host/path". */
static bool http_location_absolute(const char *loc)
{
    if (!((*loc >= 'a' && *loc <= 'z') || (*loc >= 'A' && *loc <= 'Z'))) {
        return false;
    }
    size_t n = strspn(loc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
    return loc[n] == ':';
}

/* The previous URL without credentials, for Referer; NULL going from https to http. */
static char *http_referer(const char *prev, const char *next)
{
    if (strncasecmp(prev, "https:", 6) == 0 && strncasecmp(next, "https:", 6) != 0) {
        return NULL;
    }
    CURLU *u = curl_url();
    char *out = NULL;
    char *s = NULL;
    if (curl_url_set(u, CURLUPART_URL, prev, 0) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
        if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
            out = ce_xstrdup(s);
        }
    }
    curl_free(s);
    curl_url_cleanup(u);
    return out;
}

static bool http_is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Moves hop to the redirect target. CE_ENOENT when the response is not a redirect to follow,
 * CE_EINVAL when its Location is unusable. */
static int http_next_hop(CURL *h, const char *first_url, long status, struct http_hop *hop)
{
    struct curl_header *loc = NULL;
    char *next = NULL;
    if (!http_is_redirect(status) ||
        curl_easy_header(h, "Location", 0, CURLH_HEADER, -1, &loc) != CURLHE_OK ||
        loc->value[0] == '\0') {
        return CE_ENOENT; /* a 3xx without Location is the answer, as in Go */
    }
    if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) != CURLE_OK || next == NULL) {
        return CE_EINVAL;
    }
    bool absolute = http_location_absolute(loc->value);
    char *referer = http_referer(hop->url, next);
    char *url = ce_xstrdup(next);
    ce_free(hop->referer);
    hop->referer = referer;
    ce_free(hop->url);
    hop->url = url;
    ce_free(hop->shown);
    hop->shown = ce_http_url_redacted(url);
    if (status != 307 && status != 308) {
        if (strcmp(hop->method, "GET") != 0) {
            hop->method = "GET";
        }
        hop->has_body = false;
    }
    hop->keep_host = hop->keep_host && !absolute;
    hop->keep_creds = http_same_site(first_url, url);
    return CE_OK;
}

/* ---- outcome ---- */

static int http_failure_kind(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return CE_HTTP_FAIL_TIMEOUT;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_NOT_BUILT_IN:
    case CURLE_UNKNOWN_OPTION:
        return CE_HTTP_FAIL_LOCAL;
    default:
        return CE_HTTP_FAIL_TRANSPORT;
    }
}

static int http_fail(struct ce_http_outcome *out, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int http_fail(struct ce_http_outcome *out, int kind, const char *fmt, ...)
{
    out->status = 0;
    out->failure = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->err, sizeof(out->err), fmt, ap);
    va_end(ap);
    return kind == CE_HTTP_FAIL_TIMEOUT ? CE_ETIMEDOUT
           : kind == CE_HTTP_FAIL_LOCAL ? CE_EINVAL
                                        : CE_EUNAVAIL;
}

/* Fills out from the final response. */
static void http_response(CURL *h, const struct http_hop *hop, long status,
                          const struct http_sink *sink, struct ce_http_outcome *out)
{
    out->status = (int)status;
    out->failure = CE_HTTP_FAIL_NONE;
    out->resp_bytes = sink->n;
    struct curl_header *ra = NULL;
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK) {
        out->retry_after_ms = ce_http_retry_after_ms(ra->value, ce_clock_wall_ms());
    }
    if (status < 200 || status > 299) {
        snprintf(out->err, sizeof(out->err), "%s %.200s: the server answered %ld", hop->method,
                 hop->shown, status);
    }
}

/* The transfers of one send, following redirects. */
static int http_run(CURL *h, const struct ce_http_target *t, const struct http_hdrs *m,
                    struct http_hop *hop, struct ce_http_outcome *out)
{
    int64_t deadline = ce_clock_mono_ms() + t->timeout_ms;
    char errbuf[CURL_ERROR_SIZE];
    for (;;) {
        int64_t left = deadline - ce_clock_mono_ms();
        if (left <= 0) {
            return http_fail(out, CE_HTTP_FAIL_TIMEOUT, "%s %.200s: timed out", hop->method,
                             hop->shown);
        }
        struct http_sink sink = {0, false};
        struct curl_slist *l = http_slist(t, m, hop);
        CURLcode rc = http_perform(h, t, hop, l, left, &sink, errbuf);
        curl_slist_free_all(l);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status <= 0) {
            /* no status line: nothing was answered */
            return http_fail(out, http_failure_kind(rc), "%.200s: %s", hop->shown,
                             errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
        int next = http_next_hop(h, t->url, status, hop);
        if (next == CE_ENOENT) {
            http_response(h, hop, status, &sink, out);
            return CE_OK;
        }
        if (next != CE_OK) {
            return http_fail(out, CE_HTTP_FAIL_LOCAL, "%.200s: cannot follow the redirect",
                             hop->shown);
        }
        /* Go refuses the 10th redirect: 10 requests at most */
        if (out->redirects + 1 == CE_HTTP_MAX_REDIRECTS) {
            return http_fail(out, CE_HTTP_FAIL_LOCAL, "%.200s: stopped after %d redirects",
                             t->url_shown, CE_HTTP_MAX_REDIRECTS);
        }
        out->redirects++;
    }
}

/* Merges the target's headers with the caller's; parsed extra headers go to extra_parsed. */
static int http_merge(const struct ce_http_target *t, const char *const *extra,
                      struct ce_http_hdr *extra_parsed, int *n_extra, struct http_hdrs *m,
                      struct ce_http_outcome *out)
{
    m->n = 0;
    *n_extra = 0;
    for (int i = 0; i < t->n_pre; i++) {
        http_hdrs_add(m, &t->pre[i]);
    }
    for (int i = 0; extra != NULL && extra[i] != NULL; i++) {
        char why[200];
        if (i == CE_HTTP_MAX_HEADERS) {
            return http_fail(out, CE_HTTP_FAIL_LOCAL, "more than %d dynamic headers",
                             CE_HTTP_MAX_HEADERS);
        }
        if (ce_http_hdr_parse(extra[i], &extra_parsed[i], why, sizeof(why)) != CE_OK) {
            return http_fail(out, CE_HTTP_FAIL_LOCAL, "dynamic header: %s", why);
        }
        (*n_extra)++;
        http_hdrs_add(m, &extra_parsed[i]);
    }
    for (int i = 0; i < t->n_post; i++) {
        http_hdrs_add(m, &t->post[i]);
    }
    return CE_OK;
}

int ce_http_send(struct ce_http_client *c, const struct ce_http_target *t,
                 const char *const *extra_headers, const char *body, size_t len,
                 struct ce_http_outcome *out)
{
    memset(out, 0, sizeof(*out));
    out->retry_after_ms = -1;
    struct http_hdrs *m = ce_xmalloc(sizeof(*m));
    struct ce_http_hdr *extra = ce_xcalloc(CE_HTTP_MAX_HEADERS, sizeof(*extra));
    int n_extra = 0;
    int rc = http_merge(t, extra_headers, extra, &n_extra, m, out);
    if (rc == CE_OK) {
        struct http_hop hop = {
            .url = ce_xstrdup(t->url),
            .shown = ce_xstrdup(t->url_shown),
            .method = t->method,
            .body = body,
            .len = len,
            .has_body = true,
            .keep_host = true,
            .keep_creds = true,
            .referer = NULL,
        };
        CURL *h = http_take(c);
        rc = http_run(h, t, m, &hop, out);
        http_put(c, h);
        ce_free(hop.url);
        ce_free(hop.shown);
        ce_free(hop.referer);
    }
    for (int i = 0; i < n_extra; i++) {
        ce_http_hdr_fini(&extra[i]);
    }
    ce_free(extra);
    ce_free(m);
    return rc;
}
