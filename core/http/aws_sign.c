/* SPDX-License-Identifier: Apache-2.0 */
/* SigV4-signed libcurl requests and canonical queries: see aws.h. */
#include "core/http/aws.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/http/curl_init.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool aws_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

char *ce_aws_uri_encode(const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = ce_xmalloc(n * 3 + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (aws_unreserved(c) || (keep_slash && c == '/')) {
            out[j++] = (char)c;
        }
        else {
            out[j++] = '%';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        }
    }
    out[j] = '\0';
    return out;
}

void ce_aws_query_add(struct ce_aws_query *q, const char *key, const char *value)
{
    q->params = ce_xrealloc(q->params, (size_t)(q->n + 1) * sizeof(*q->params));
    q->params[q->n].key = ce_xstrdup(key);
    q->params[q->n].value = ce_xstrdup(value ? value : "");
    q->n++;
}

void ce_aws_query_fini(struct ce_aws_query *q)
{
    for (int i = 0; i < q->n; i++) {
        ce_free(q->params[i].key);
        ce_free(q->params[i].value);
    }
    CE_FREE(q->params);
    q->n = 0;
}

char *ce_aws_query_string(const struct ce_aws_query *q)
{
    /* insertion sort by key: stable, so repeated keys keep their order; queries are short */
    int *order = ce_xcalloc((size_t)q->n + 1, sizeof(*order));
    for (int i = 0; i < q->n; i++) {
        int j = i;
        while (j > 0 && strcmp(q->params[order[j - 1]].key, q->params[i].key) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    struct ce_buf b;
    ce_buf_init(&b, 0);
    for (int i = 0; i < q->n; i++) {
        char *k = ce_aws_uri_encode(q->params[order[i]].key, false);
        char *v = ce_aws_uri_encode(q->params[order[i]].value, false);
        if (ce_buf_printf(&b, "%s%s=%s", i ? "&" : "", k, v) != CE_OK) {
            abort(); /* the buffer has no cap: it cannot refuse */
        }
        ce_free(k);
        ce_free(v);
    }
    ce_free(order);
    char *s = ce_buf_steal(&b, NULL);
    return s ? s : ce_xstrdup("");
}

static struct curl_slist *aws_append(struct curl_slist *l, const char *line)
{
    struct curl_slist *n = curl_slist_append(l, line);
    if (n == NULL) {
        curl_slist_free_all(l);
        ce_xmalloc((size_t)-1); /* out of memory: abort as ce_xmalloc does */
    }
    return n;
}

static bool aws_word_ok(const char *s)
{
    return s != NULL && *s != '\0' && strchr(s, ':') == NULL && strlen(s) < 64;
}

int ce_aws_curl_sign(CURL *h, const struct ce_aws_creds *c, const char *region, const char *service,
                     const char *payload_sha256, struct curl_slist **headers)
{
    if (!aws_word_ok(region) || !aws_word_ok(service)) {
        return CE_EINVAL;
    }
    char provider[160];
    snprintf(provider, sizeof provider, "aws:amz:%s:%s", region, service);
    curl_easy_setopt(h, CURLOPT_AWS_SIGV4, provider);
    /* USERNAME/PASSWORD rather than USERPWD: a ':' in a key cannot split it wrongly */
    curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
    if (c->session_token != NULL) {
        char *line = ce_xasprintf("X-Amz-Security-Token: %s", c->session_token);
        *headers = aws_append(*headers, line);
        ce_free(line);
    }
    if (payload_sha256 != NULL) {
        char line[128];
        snprintf(line, sizeof line, "x-amz-content-sha256: %.64s", payload_sha256);
        *headers = aws_append(*headers, line);
    }
    return CE_OK;
}

/* ---- one request with its answer in memory ---- */

struct aws_sink {
    struct ce_buf b;
    bool capped;
};

static size_t aws_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct aws_sink *s = arg;
    size_t n = size * nmemb;
    if (ce_buf_append(&s->b, data, n) != CE_OK) {
        s->capped = true;
        return 0;
    }
    return n;
}

static void aws_set_transfer(CURL *h, const struct ce_aws_request *rq, struct aws_sink *sink,
                             char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? (long)rq->timeout_ms : 30000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, aws_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
    if (strcmp(rq->method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        if (strcmp(rq->method, "POST") != 0) {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
        }
    }
    if (rq->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (rq->ca_pem != NULL) {
        struct curl_blob ca = {(void *)rq->ca_pem, rq->ca_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
}

static int aws_outcome(CURL *h, CURLcode cc, const struct ce_aws_request *rq, struct aws_sink *sink,
                       const char *errbuf, struct ce_aws_response *rs)
{
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
    if (sink->capped) {
        rs->status = 0;
        return ce_rc_fail(CE_ETOOBIG, rs->err, sizeof rs->err,
                          "%.200s: answer larger than %d bytes", rq->url, CE_AWS_RESPONSE_CAP);
    }
    if (cc != CURLE_OK || rs->status <= 0) {
        rs->status = 0;
        return ce_rc_fail(cc == CURLE_OPERATION_TIMEDOUT ? CE_ETIMEDOUT : CE_EUNAVAIL, rs->err,
                          sizeof rs->err, "%s %.200s: %s", rq->method, rq->url,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    rs->body = ce_buf_steal(&sink->b, &rs->len);
    if (rs->status < 200 || rs->status > 299) {
        char why[200];
        ce_aws_error_text(rs->body, rs->len, why, sizeof why);
        snprintf(rs->err, sizeof rs->err, "%.8s %.120s: the server answered %ld%s%.80s", rq->method,
                 rq->url, rs->status, why[0] ? ": " : "", why);
    }
    return CE_OK;
}

int ce_aws_send(const struct ce_aws_request *rq, struct ce_aws_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    CURL *h = ce_curl_easy_init();
    if (h == NULL) {
        return ce_rc_fail(CE_EIO, rs->err, sizeof rs->err, "cannot make a libcurl handle");
    }
    struct curl_slist *hdrs = NULL;
    if (rq->content_type != NULL || strcmp(rq->method, "GET") != 0) {
        char *line =
            ce_xasprintf("Content-Type: %s",
                         rq->content_type ? rq->content_type : "application/x-www-form-urlencoded");
        hdrs = aws_append(hdrs, line);
        ce_free(line);
    }
    int rc = ce_aws_curl_sign(h, rq->creds, rq->region, rq->service, NULL, &hdrs);
    if (rc != CE_OK) {
        snprintf(rs->err, sizeof rs->err, "bad region or service for signing");
    }
    else {
        /* No "Expect:" line to drop libcurl's 100-continue: libcurl would sign it as an empty
         * header it then does not send, and the server's signature would not match. */
        struct aws_sink sink = {.capped = false};
        ce_buf_init(&sink.b, CE_AWS_RESPONSE_CAP);
        char errbuf[CURL_ERROR_SIZE] = "";
        aws_set_transfer(h, rq, &sink, errbuf);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        CURLcode cc = curl_easy_perform(h);
        rc = aws_outcome(h, cc, rq, &sink, errbuf, rs);
        ce_buf_fini(&sink.b);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}

void ce_aws_response_fini(struct ce_aws_response *rs)
{
    CE_FREE(rs->body);
    rs->len = 0;
}

/* The text of the first <tag>...</tag> in body[0..len), cut to cap. */
static void aws_xml_text(const char *body, size_t len, const char *tag, char *out, size_t cap)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    out[0] = '\0';
    const char *end = body + len;
    size_t ol = strlen(open);
    for (const char *p = body; p + ol <= end; p++) {
        if (memcmp(p, open, ol) != 0) {
            continue;
        }
        const char *v = p + ol;
        size_t cl = strlen(close);
        for (const char *q = v; q + cl <= end; q++) {
            if (memcmp(q, close, cl) == 0) {
                size_t n = (size_t)(q - v) < cap - 1 ? (size_t)(q - v) : cap - 1;
                memcpy(out, v, n);
                out[n] = '\0';
                return;
            }
        }
        return;
    }
}

void ce_aws_error_text(const char *body, size_t len, char *out, size_t outlen)
{
    char code[96], msg[256];
    out[0] = '\0';
    if (body == NULL || outlen == 0) {
        return;
    }
    aws_xml_text(body, len, "Code", code, sizeof code);
    aws_xml_text(body, len, "Message", msg, sizeof msg);
    for (char *p = msg; *p; p++) {
        *p = (*p == '\n' || *p == '\r') ? ' ' : *p;
    }
    if (code[0] || msg[0]) {
        snprintf(out, outlen, "%s%s%s", code, code[0] && msg[0] ? ": " : "", msg);
    }
}
