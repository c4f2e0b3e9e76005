/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for the HTTP trigger's spec and header handling. The input is tried as an http
 * block (JSON), as a "Name: value" header line and as a Retry-After value. Checks that an
 * accepted block has an http(s):// URL with a host within the cap and one of
 * the five methods, that an accepted header has a token name and a value without control
 * characters or outer blanks, and that a Retry-After wait is -1 or within the cap. Nothing is
 * sent. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/http/request.h"
#include "core/http/request_int.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether url is "http(s)://" with a host, as Go (and so Argo) reads a URL, and libcurl, which
 * sends the request, reads it as http(s) to that host. (libcurl alone also takes "http:/host",
 * which has no host for Go: the target must refuse it.) */
static bool fuzz_http_url(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    bool ok = u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == 0 &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == 0 &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == 0 &&
              (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) &&
              host[0] != '\0' &&
              (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

static void fuzz_target(const char *text, size_t size)
{
    json_t *j = json_loadb(text, size, JSON_DECODE_ANY, NULL);
    if (j == NULL) {
        return;
    }
    struct ce_http_target *t = NULL;
    char err[256];
    int rc = ce_http_target_from_json(j, "/nonexistent-secrets", "/nonexistent-config", &t, err,
                                      sizeof(err));
    if (rc != CE_OK) {
        if (t != NULL || memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0') {
            abort();
        }
    }
    else {
        const char *url = ce_http_target_url(t);
        const char *m = ce_http_target_method(t);
        if (strlen(url) > CE_HTTP_MAX_URL_BYTES || !fuzz_http_url(t->url)) {
            abort();
        }
        if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0 &&
            strcmp(m, "PATCH") != 0 && strcmp(m, "DELETE") != 0) {
            abort();
        }
        if (t->timeout_ms <= 0 || t->timeout_ms > (int64_t)CE_HTTP_MAX_TIMEOUT_S * 1000 ||
            t->n_pre > CE_HTTP_MAX_HEADERS) {
            abort();
        }
        ce_http_target_destroy(t);
    }
    int *allow = NULL;
    int n = 0;
    if (ce_http_allow_from_json(j, &allow, &n, err, sizeof(err)) == CE_OK) {
        for (int i = 0; i < n; i++) {
            if (allow[i] < 100 || allow[i] > 999) {
                abort();
            }
        }
    }
    ce_free(allow);
    json_decref(j);
}

static void fuzz_header(const char *line)
{
    struct ce_http_hdr h;
    char err[256];
    if (ce_http_hdr_parse(line, &h, err, sizeof(err)) != CE_OK) {
        return;
    }
    if (h.name[0] == '\0' || strpbrk(h.name, " \t:\r\n()<>@,;\"/[]?={}") != NULL) {
        abort();
    }
    size_t vl = strlen(h.value);
    if (strpbrk(h.value, "\r\n") != NULL ||
        (vl > 0 && (h.value[0] == ' ' || h.value[0] == '\t' || h.value[vl - 1] == ' ' ||
                    h.value[vl - 1] == '\t'))) {
        abort();
    }
    ce_http_hdr_fini(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) {
        return 0;
    }
    char *text = ce_xstrndup((const char *)data, size);
    fuzz_target(text, strlen(text));
    fuzz_header(text);
    int64_t ms = ce_http_retry_after_ms(text, 1445412480000);
    if (ms < -1 || ms > CE_HTTP_RETRY_AFTER_MAX_MS) {
        abort();
    }
    ce_free(text);
    return 0;
}
