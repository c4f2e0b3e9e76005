/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP trigger's target from its `http` block: see request.h. Secrets are read here, once
 * per target, so sending needs no file I/O. */
#include "core/http/request.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/secrets.h"
#include "core/http/request_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 token characters, which a header name must consist of. */
static bool http_is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool http_is_ws(char c)
{
    return c == ' ' || c == '\t';
}

int ce_http_hdr_make(const char *name, const char *value, struct ce_http_hdr *out, char *err,
                     size_t errlen)
{
    size_t nlen = strlen(name);
    size_t vlen = strlen(value);
    if (nlen == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "empty header name");
    }
    if (nlen + vlen + 2 > CE_HTTP_MAX_HEADER_BYTES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "header %.64s: longer than %d bytes", name,
                          CE_HTTP_MAX_HEADER_BYTES);
    }
    for (size_t i = 0; i < nlen; i++) {
        if (!http_is_tchar((unsigned char)name[i])) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "invalid header name \"%.64s\"", name);
        }
    }
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "header %.64s: the value holds a control character", name);
        }
    }
    /* Leading and trailing blanks are not part of a field value; Go's client drops them too. */
    while (http_is_ws(*value)) {
        value++;
        vlen--;
    }
    while (vlen > 0 && http_is_ws(value[vlen - 1])) {
        vlen--;
    }
    out->name = ce_xstrdup(name);
    out->value = ce_xstrndup(value, vlen);
    return CE_OK;
}

int ce_http_hdr_parse(const char *line, struct ce_http_hdr *out, char *err, size_t errlen)
{
    const char *colon = strchr(line, ':');
    if (colon == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "header \"%.64s\": no ':'", line);
    }
    if ((size_t)(colon - line) >= CE_HTTP_MAX_HEADER_BYTES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "header longer than %d bytes",
                          CE_HTTP_MAX_HEADER_BYTES);
    }
    char *name = ce_xstrndup(line, (size_t)(colon - line));
    int rc = ce_http_hdr_make(name, colon + 1, out, err, errlen);
    ce_free(name);
    return rc;
}

void ce_http_hdr_fini(struct ce_http_hdr *h)
{
    CE_FREE(h->name);
    CE_FREE(h->value);
}

static void http_hdrs_free(struct ce_http_hdr *h, int n)
{
    for (int i = 0; i < n; i++) {
        ce_http_hdr_fini(&h[i]);
    }
    ce_free(h);
}

void ce_http_target_destroy(struct ce_http_target *t)
{
    if (t == NULL) {
        return;
    }
    ce_free(t->url);
    ce_free(t->url_shown);
    ce_free(t->method);
    ce_free(t->host);
    http_hdrs_free(t->pre, t->n_pre);
    http_hdrs_free(t->post, t->n_post);
    ce_free(t->ca.data);
    ce_free(t->cert.data);
    ce_free(t->key.data);
    ce_free(t);
}

const char *ce_http_target_url(const struct ce_http_target *t)
{
    return t->url_shown;
}

char *ce_http_url_redacted(const char *url)
{
    CURLU *u = curl_url();
    char *pw = NULL;
    char *s = NULL;
    char *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, "xxxxx", 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
        out = ce_xstrdup(s);
    }
    curl_free(s);
    curl_free(pw);
    curl_url_cleanup(u);
    return out ? out : ce_xstrdup(url);
}

const char *ce_http_target_method(const struct ce_http_target *t)
{
    return t->method;
}

/* An optional string field: NULL when absent or null. */
static int http_opt_string(const json_t *obj, const char *key, const char *where, const char **out,
                           char *err, size_t errlen)
{
    const json_t *j = json_object_get(obj, key);
    *out = NULL;
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_string(j)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s%s: must be a string", where, key);
    }
    *out = json_string_value(j);
    return CE_OK;
}

/* Reads the file a {name, key} selector points at, under dir. what names the field. */
static int http_read_ref(const json_t *ref, const char *dir, const char *what, char **out,
                         size_t *len, char *err, size_t errlen)
{
    if (!json_is_object(ref)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: must be an object with name and key", what);
    }
    const json_t *name = json_object_get(ref, "name");
    const json_t *key = json_object_get(ref, "key");
    if (!json_is_string(name) || !json_is_string(key) || json_string_length(name) == 0 ||
        json_string_length(key) == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: name and key are required", what);
    }
    int rc = ce_secret_read(dir, json_string_value(name), json_string_value(key), out, len);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "%s: cannot read \"%s\" key \"%s\" from %s: %s", what,
                          json_string_value(name), json_string_value(key), dir, ce_rc_str(rc));
    }
    return CE_OK;
}

int ce_http_url_check(const char *url, char *err, size_t errlen)
{
    int rc = CE_OK;
    CURLU *u = curl_url();
    char *scheme = NULL;
    char *host = NULL;
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (uc == CURLUE_OK) {
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    }
    if (uc == CURLUE_OK) {
        uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    }
    if (uc != CURLUE_OK) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "url: %s", curl_url_strerror(uc));
    }
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        char *shown = ce_http_url_redacted(url);
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "url \"%.200s\": the scheme must be http or https",
                        shown);
        ce_free(shown);
    }
    else if (host == NULL || *host == '\0' || strncmp(url + strlen(scheme), "://", 3) != 0) {
        /* "http:/x" has no host for Go's url.Parse (and so for Argo), whatever curl guesses */
        char *shown = ce_http_url_redacted(url);
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "url \"%.200s\": no host", shown);
        ce_free(shown);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

static int http_parse_url(struct ce_http_target *t, const json_t *block, char *err, size_t errlen)
{
    const char *url = NULL;
    int rc = http_opt_string(block, "url", "", &url, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    if (url == NULL || *url == '\0') {
        return ce_rc_fail(CE_EINVAL, err, errlen, "url: required");
    }
    if (strlen(url) > CE_HTTP_MAX_URL_BYTES) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "url: longer than %d bytes",
                          CE_HTTP_MAX_URL_BYTES);
    }
    rc = ce_http_url_check(url, err, errlen);
    if (rc == CE_OK) {
        t->url = ce_xstrdup(url);
        t->url_shown = ce_http_url_redacted(url);
    }
    return rc;
}

bool ce_http_method_known(const char *method)
{
    static const char *const methods[] = {"GET", "DELETE", "PATCH", "POST", "PUT"};
    for (size_t i = 0; method != NULL && i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(method, methods[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int http_parse_method(struct ce_http_target *t, const json_t *block, char *err,
                             size_t errlen)
{
    const char *m = NULL;
    int rc = http_opt_string(block, "method", "", &m, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    if (m == NULL || *m == '\0') {
        m = "POST";
    }
    if (!ce_http_method_known(m)) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "method \"%.32s\": only GET, DELETE, PATCH, POST and PUT are supported",
                          m);
    }
    t->method = ce_xstrdup(m);
    return CE_OK;
}

/* timeout in seconds: absent, null or not positive means the default, as in Argo Events. */
static int http_parse_timeout(struct ce_http_target *t, const json_t *block, char *err,
                              size_t errlen)
{
    const json_t *j = json_object_get(block, "timeout");
    json_int_t s = 0;
    if (j != NULL && !json_is_null(j)) {
        if (!json_is_integer(j)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "timeout: must be a whole number of seconds");
        }
        s = json_integer_value(j);
    }
    if (s <= 0) {
        s = CE_HTTP_DEFAULT_TIMEOUT_S;
    }
    if (s > CE_HTTP_MAX_TIMEOUT_S) {
        s = CE_HTTP_MAX_TIMEOUT_S;
    }
    t->timeout_ms = (int64_t)s * 1000;
    return CE_OK;
}

static int http_parse_host(struct ce_http_target *t, const json_t *block, char *err, size_t errlen)
{
    const char *host = NULL;
    int rc = http_opt_string(block, "host", "", &host, err, errlen);
    if (rc != CE_OK || host == NULL || *host == '\0') {
        return rc;
    }
    for (const char *p = host; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '/' || *p == '?' || *p == '#' ||
            *p == '@') {
            return ce_rc_fail(CE_EINVAL, err, errlen, "host \"%.64s\": not a host name", host);
        }
    }
    if (strlen(host) > 1024) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "host: longer than 1024 bytes");
    }
    t->host = ce_xstrdup(host);
    return CE_OK;
}

static void http_add(struct ce_http_hdr **list, int *n, struct ce_http_hdr *h)
{
    *list = ce_xrealloc(*list, (size_t)(*n + 1) * sizeof(**list));
    (*list)[(*n)++] = *h;
}

static int http_parse_headers(struct ce_http_target *t, const json_t *block, char *err,
                              size_t errlen)
{
    const json_t *j = json_object_get(block, "headers");
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_object(j)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "headers: must be a map of names to values");
    }
    if (json_object_size(j) > CE_HTTP_MAX_HEADERS) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "headers: more than %d", CE_HTTP_MAX_HEADERS);
    }
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)j, name, v)
    {
        if (!json_is_string(v)) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "headers.%.64s: must be a string", name);
        }
        struct ce_http_hdr h;
        char why[200];
        if (ce_http_hdr_make(name, json_string_value(v), &h, why, sizeof(why)) != CE_OK) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "headers: %s", why);
        }
        http_add(&t->pre, &t->n_pre, &h);
    }
    return CE_OK;
}

static int http_secure_header(struct ce_http_target *t, const json_t *sh, int i,
                              const char *secrets_dir, const char *config_dir, char *err,
                              size_t errlen)
{
    char what[64];
    snprintf(what, sizeof(what), "secureHeaders[%d]", i);
    const json_t *name = json_object_get(sh, "name");
    const json_t *from = json_object_get(sh, "valueFrom");
    if (!json_is_string(name) || !json_is_object(from)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: name and valueFrom are required", what);
    }
    const json_t *sref = json_object_get(from, "secretKeyRef");
    const json_t *cref = json_object_get(from, "configMapKeyRef");
    bool secret = sref != NULL && !json_is_null(sref);
    if (!secret && (cref == NULL || json_is_null(cref))) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "%s.valueFrom: secretKeyRef or configMapKeyRef is required", what);
    }
    char *value = NULL;
    size_t len = 0;
    int rc = http_read_ref(secret ? sref : cref, secret ? secrets_dir : config_dir, what, &value,
                           &len, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_http_hdr h;
    char why[200];
    if (strlen(value) != len) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "%s: the value holds a NUL byte", what);
    }
    else if (ce_http_hdr_make(json_string_value(name), value, &h, why, sizeof(why)) != CE_OK) {
        rc = ce_rc_fail(CE_EINVAL, err, errlen, "%s: %s", what, why);
    }
    else {
        http_add(&t->post, &t->n_post, &h);
    }
    ce_free(value);
    return rc;
}

static int http_parse_secure_headers(struct ce_http_target *t, const json_t *block,
                                     const char *secrets_dir, const char *config_dir, char *err,
                                     size_t errlen)
{
    const json_t *j = json_object_get(block, "secureHeaders");
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_array(j)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "secureHeaders: must be a list");
    }
    if (json_array_size(j) + (size_t)t->n_pre > CE_HTTP_MAX_HEADERS) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "more than %d headers", CE_HTTP_MAX_HEADERS);
    }
    for (size_t i = 0; i < json_array_size(j); i++) {
        int rc = http_secure_header(t, json_array_get(j, i), (int)i, secrets_dir, config_dir, err,
                                    errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

/* basicAuth: username and password are each optional secret refs; an absent one is empty,
 * and the Authorization header is sent whenever the block is there, as Argo Events does. */
static int http_parse_basic_auth(struct ce_http_target *t, const json_t *block,
                                 const char *secrets_dir, char *err, size_t errlen)
{
    const json_t *j = json_object_get(block, "basicAuth");
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_object(j)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "basicAuth: must be an object");
    }
    static const char *const fields[] = {"username", "password"};
    char *parts[2] = {NULL, NULL};
    size_t lens[2] = {0, 0};
    int rc = CE_OK;
    for (int i = 0; i < 2 && rc == CE_OK; i++) {
        const json_t *ref = json_object_get(j, fields[i]);
        char what[32];
        snprintf(what, sizeof(what), "basicAuth.%s", fields[i]);
        if (ref != NULL && !json_is_null(ref)) {
            rc = http_read_ref(ref, secrets_dir, what, &parts[i], &lens[i], err, errlen);
        }
    }
    if (rc == CE_OK) {
        size_t n = lens[0] + 1 + lens[1];
        char *plain = ce_xmalloc(n + 1);
        memcpy(plain, parts[0] ? parts[0] : "", lens[0]);
        plain[lens[0]] = ':';
        memcpy(plain + lens[0] + 1, parts[1] ? parts[1] : "", lens[1]);
        plain[n] = '\0';
        char *b64 = ce_base64_encode(plain, n);
        char *value = ce_xasprintf("Basic %s", b64);
        struct ce_http_hdr h;
        rc = ce_http_hdr_make("Authorization", value, &h, err, errlen);
        if (rc == CE_OK) {
            http_add(&t->post, &t->n_post, &h);
        }
        ce_free(value);
        ce_free(b64);
        memset(plain, 0, n);
        ce_free(plain);
    }
    ce_free(parts[0]);
    ce_free(parts[1]);
    return rc;
}

static int http_tls_ref(const json_t *tls, const char *field, const char *secrets_dir,
                        struct ce_http_pem *pem, char *err, size_t errlen)
{
    const json_t *ref = json_object_get(tls, field);
    if (ref == NULL || json_is_null(ref)) {
        return CE_OK;
    }
    char what[48];
    snprintf(what, sizeof(what), "tls.%s", field);
    return http_read_ref(ref, secrets_dir, what, &pem->data, &pem->len, err, errlen);
}

/* tls: the same rules as Argo Events' client TLS settings: something must be configured
 * (unless enabled is true), and a client certificate needs its key. Unlike there, a client
 * certificate is still presented with insecureSkipVerify. */
static int http_parse_tls(struct ce_http_target *t, const json_t *block, const char *secrets_dir,
                          char *err, size_t errlen)
{
    const json_t *j = json_object_get(block, "tls");
    if (j == NULL || json_is_null(j)) {
        return CE_OK;
    }
    if (!json_is_object(j)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "tls: must be an object");
    }
    t->tls_insecure = json_is_true(json_object_get(j, "insecureSkipVerify"));
    bool enabled = json_is_true(json_object_get(j, "enabled"));
    int rc = http_tls_ref(j, "caCertSecret", secrets_dir, &t->ca, err, errlen);
    if (rc == CE_OK) {
        rc = http_tls_ref(j, "clientCertSecret", secrets_dir, &t->cert, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_tls_ref(j, "clientKeySecret", secrets_dir, &t->key, err, errlen);
    }
    if (rc != CE_OK || t->tls_insecure || enabled) {
        return rc;
    }
    if (!t->ca.data && !t->cert.data && !t->key.data) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "tls: configure caCertSecret, or clientCertSecret and clientKeySecret, "
                          "or insecureSkipVerify");
    }
    if ((t->cert.data == NULL) != (t->key.data == NULL)) {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "tls: clientCertSecret and clientKeySecret go together");
    }
    return CE_OK;
}

int ce_http_target_from_json(const json_t *block, const char *secrets_dir, const char *config_dir,
                             struct ce_http_target **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!json_is_object(block)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "http: must be an object");
    }
    secrets_dir = secrets_dir ? secrets_dir : CE_SECRETS_DIR_DEFAULT;
    config_dir = config_dir ? config_dir : CE_CONFIG_DIR_DEFAULT;
    struct ce_http_target *t = ce_xcalloc(1, sizeof(*t));
    int rc = http_parse_url(t, block, err, errlen);
    if (rc == CE_OK) {
        rc = http_parse_method(t, block, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_timeout(t, block, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_host(t, block, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_headers(t, block, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_secure_headers(t, block, secrets_dir, config_dir, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_basic_auth(t, block, secrets_dir, err, errlen);
    }
    if (rc == CE_OK) {
        rc = http_parse_tls(t, block, secrets_dir, err, errlen);
    }
    if (rc != CE_OK) {
        ce_http_target_destroy(t);
        return rc;
    }
    *out = t;
    return CE_OK;
}

int ce_http_allow_from_json(const json_t *policy, int **allow, int *n, char *err, size_t errlen)
{
    *allow = NULL;
    *n = 0;
    const json_t *status = json_object_get(policy, "status");
    const json_t *list = json_object_get(status, "allow");
    if (list == NULL || json_is_null(list)) {
        return CE_OK;
    }
    if (!json_is_array(list)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.status.allow: must be a list");
    }
    size_t count = json_array_size(list);
    if (count > CE_HTTP_MAX_ALLOW) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "policy.status.allow: more than %d entries",
                          CE_HTTP_MAX_ALLOW);
    }
    int *a = ce_xcalloc(count + 1, sizeof(int)); /* +1: non-NULL for an empty list */
    for (size_t i = 0; i < count; i++) {
        const json_t *v = json_array_get(list, i);
        json_int_t s = json_integer_value(v);
        if (!json_is_integer(v) || s < 100 || s > 999) {
            ce_free(a);
            return ce_rc_fail(CE_EINVAL, err, errlen,
                              "policy.status.allow[%zu]: not an HTTP status code", i);
        }
        a[i] = (int)s;
    }
    *allow = a;
    *n = (int)count;
    return CE_OK;
}
