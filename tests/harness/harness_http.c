/* SPDX-License-Identifier: Apache-2.0 */
/* The harness's HTTP client: one libcurl easy handle per request, no proxy and no redirects, so
 * tests see exactly what a cevents server answered. */
#include "tests/harness/harness.h"
#include "core/base/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* Response bodies and header blocks beyond this fail the request (CURLE_WRITE_ERROR). */
#define HARNESS_HTTP_CAP (64u * 1024 * 1024)

struct harness_sink {
    char *data;
    size_t len, cap;
};

static int harness_sink_add(struct harness_sink *s, const char *p, size_t n)
{
    if (n > HARNESS_HTTP_CAP - s->len) {
        return -1;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->len + n + 1) {
            cap *= 2;
        }
        s->data = ce_xrealloc(s->data, cap);
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
    return 0;
}

static size_t harness_http_body_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    return harness_sink_add(arg, p, size * nmemb) == 0 ? size * nmemb : 0;
}

static size_t harness_http_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    struct harness_sink *s = arg;
    size_t n = size * nmemb;
    /* A new status line (after "100 Continue") starts the block of the final response. */
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        s->len = 0;
    }
    return harness_sink_add(s, p, n) == 0 ? n : 0;
}

static pthread_once_t harness_curl_once = PTHREAD_ONCE_INIT;

static void harness_curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static struct curl_slist *harness_http_headers(const char *const headers[])
{
    /* No "Expect: 100-continue" pause on large bodies. */
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++) {
        list = curl_slist_append(list, headers[i]);
    }
    return list;
}

static void harness_http_method(CURL *c, const char *method, const char *body, size_t len)
{
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        return;
    }
    if (body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    }
    if (strcmp(method, "GET") != 0 || body) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
}

static char harness_http_ca[1024];

void ce_test_http_set_ca(const char *pem_path)
{
    snprintf(harness_http_ca, sizeof(harness_http_ca), "%s", pem_path ? pem_path : "");
}

int ce_test_http(const char *method, const char *url, const char *const headers[], const char *body,
                 size_t len, int timeout_ms, struct ce_test_http_resp *out)
{
    memset(out, 0, sizeof(*out));
    pthread_once(&harness_curl_once, harness_curl_init);
    CURL *c = curl_easy_init();
    if (!c) {
        return CURLE_FAILED_INIT;
    }
    struct harness_sink b = {0}, h = {0};
    struct curl_slist *list = harness_http_headers(headers);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (harness_http_ca[0]) {
        curl_easy_setopt(c, CURLOPT_CAINFO, harness_http_ca);
    }
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_http_body_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, harness_http_header_cb);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    harness_http_method(c, method, body, len);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        out->body = b.data ? b.data : ce_xstrdup("");
        out->body_len = b.len;
        out->headers = h.data ? h.data : ce_xstrdup("");
    }
    else {
        ce_free(b.data);
        ce_free(h.data);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return (int)rc;
}

char *ce_test_http_header(const struct ce_test_http_resp *r, const char *name)
{
    size_t nl = strlen(name);
    const char *line = r->headers;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t)(end - line) : strlen(line);
        if (ll > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            const char *ve = line + ll;
            while (v < ve && (*v == ' ' || *v == '\t')) {
                v++;
            }
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) {
                ve--;
            }
            return ce_xstrndup(v, (size_t)(ve - v));
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

void ce_test_http_resp_fini(struct ce_test_http_resp *r)
{
    if (!r) {
        return;
    }
    CE_FREE(r->body);
    CE_FREE(r->headers);
    r->body_len = 0;
}

bool ce_test_wait_http(const char *url, long want_status, int timeout_ms)
{
    int64_t deadline = ce_test_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - ce_test_now_ms();
        struct ce_test_http_resp r;
        int per = left > 1000 ? 1000 : (left > 50 ? (int)left : 50);
        if (ce_test_http("GET", url, NULL, NULL, 0, per, &r) == 0) {
            long st = r.status;
            ce_test_http_resp_fini(&r);
            if (st == want_status) {
                return true;
            }
        }
        if (ce_test_now_ms() >= deadline) {
            return false;
        }
        ce_test_sleep_ms(50);
    }
}
