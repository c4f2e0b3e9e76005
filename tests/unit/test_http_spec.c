/* SPDX-License-Identifier: Apache-2.0 */
/* triggers/http/request without a network: clear errors for bad http blocks (url, method,
 * headers, secrets that cannot be read, tls rules), defaults and caps, policy.status.allow,
 * the classification table with and without an allow list, and Retry-After in its
 * delta-seconds and three date forms. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "core/http/request.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

struct th_ctx {
    char *dir, *secrets, *config;
};

static int th_setup(void **state)
{
    struct th_ctx *c = ce_xcalloc(1, sizeof(*c));
    c->dir = ce_test_tmpdir("http-spec");
    c->secrets = ce_xasprintf("%s/secrets", c->dir);
    c->config = ce_xasprintf("%s/config", c->dir);
    char *api = ce_xasprintf("%s/api", c->secrets);
    char *auth = ce_xasprintf("%s/auth", c->secrets);
    assert_int_equal(mkdir(c->secrets, 0700), 0);
    assert_int_equal(mkdir(c->config, 0700), 0);
    assert_int_equal(mkdir(api, 0700), 0);
    assert_int_equal(mkdir(auth, 0700), 0);
    ce_free(ce_test_write_file(api, "token", "Bearer s3cret\n"));
    ce_free(ce_test_write_file(auth, "user", "alice"));
    ce_free(api);
    ce_free(auth);
    *state = c;
    return 0;
}

static int th_teardown(void **state)
{
    struct th_ctx *c = *state;
    ce_test_rmtree(c->dir);
    ce_free(c->dir);
    ce_free(c->secrets);
    ce_free(c->config);
    ce_free(c);
    return 0;
}

static void test_classify_allow_list(void **state)
{
    (void)state;
    static const int allow[] = {200, 404};
    static const int empty[1] = {0};
    static const struct {
        int status, failure;
        const int *allow;
        int n;
        int want;
    } cases[] = {
        {404, 0, allow, 2, CE_OK},
        {200, 0, allow, 2, CE_OK},
        {201, 0, allow, 2, CE_EREMOTE}, /* a 2xx outside the list fails */
        {400, 0, allow, 2, CE_EREMOTE},
        {503, 0, allow, 2, CE_RETRY}, /* still "not now" */
        {429, 0, allow, 2, CE_RETRY},
        {200, 0, empty, 0, CE_EREMOTE}, /* allow: [] allows nothing */
        {0, CE_HTTP_FAIL_TIMEOUT, allow, 2, CE_RETRY},
        {0, CE_HTTP_FAIL_TRANSPORT, NULL, 0, CE_RETRY},
        {0, CE_HTTP_FAIL_LOCAL, NULL, 0, CE_EINVAL},
        {102, 0, NULL, 0, CE_EREMOTE},
        {299, 0, NULL, 0, CE_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ce_http_outcome o = {.status = cases[i].status, .failure = cases[i].failure};
        assert_int_equal(ce_http_classify(&o, cases[i].allow, cases[i].n), cases[i].want);
    }
    /* what the trigger reports for a status the policy does not allow */
    char why[128];
    ce_http_not_allowed(202, allow, 2, why, sizeof why);
    assert_string_equal(why, "http response status 202 is not allowed (policy.status.allow: 200, "
                             "404)");
    ce_http_not_allowed(200, empty, 0, why, sizeof why);
    assert_string_equal(why, "http response status 200 is not allowed (policy.status.allow: none)");
    ce_http_not_allowed(202, allow, 2, why, 20); /* cut, still a string */
    assert_string_equal(why, "http response statu");
}

static void test_allow_from_json(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc;
        int n;
        bool non_null;
    } cases[] = {
        {"null", CE_OK, 0, false},
        {"{}", CE_OK, 0, false},
        {"{\"status\":{}}", CE_OK, 0, false},
        {"{\"status\":{\"allow\":[]}}", CE_OK, 0, true},
        {"{\"status\":{\"allow\":[200,201,404]}}", CE_OK, 3, true},
        {"{\"status\":{\"allow\":200}}", CE_EINVAL, 0, false},
        {"{\"status\":{\"allow\":[\"200\"]}}", CE_EINVAL, 0, false},
        {"{\"status\":{\"allow\":[99]}}", CE_EINVAL, 0, false},
        {"{\"status\":{\"allow\":[1000]}}", CE_EINVAL, 0, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        int *allow = NULL;
        int n = -1;
        char err[256] = "";
        assert_int_equal(ce_http_allow_from_json(j, &allow, &n, err, sizeof(err)), cases[i].rc);
        assert_int_equal(n, cases[i].n);
        assert_int_equal(allow != NULL, cases[i].non_null);
        if (cases[i].rc != CE_OK) {
            assert_non_null(strstr(err, "policy.status.allow"));
        }
        ce_free(allow);
        json_decref(j);
    }
    /* the cap on entries */
    json_t *big = json_array();
    for (int i = 0; i <= CE_HTTP_MAX_ALLOW; i++) {
        json_array_append_new(big, json_integer(200));
    }
    json_t *p = json_pack("{s:{s:o}}", "status", "allow", big);
    int *allow = NULL;
    int n = 0;
    char err[256] = "";
    assert_int_equal(ce_http_allow_from_json(p, &allow, &n, err, sizeof(err)), CE_EINVAL);
    assert_null(allow);
    json_decref(p);
}

static void test_retry_after_parse(void **state)
{
    (void)state;
    /* Wed, 21 Oct 2015 07:28:00 GMT */
    const int64_t now = (int64_t)1445412480 * 1000;
    static const struct {
        const char *value;
        int64_t want;
    } cases[] = {
        {"120", 120000},
        {" 5 ", 5000},
        {"0", 0},
        {"600", 600000},
        {"601", CE_HTTP_RETRY_AFTER_MAX_MS},
        {"99999999999999999999999999", CE_HTTP_RETRY_AFTER_MAX_MS},
        {"Wed, 21 Oct 2015 07:28:30 GMT", 30000},
        {"Wednesday, 21-Oct-15 07:29:00 GMT", 60000}, /* RFC 850 */
        {"Wed Oct 21 07:28:10 2015", 10000},          /* asctime */
        {"Wed, 21 Oct 2015 07:27:00 GMT", 0},         /* past */
        {"Thu, 22 Oct 2015 07:28:00 GMT", CE_HTTP_RETRY_AFTER_MAX_MS},
        {"d1 Oct2000000000", CE_HTTP_RETRY_AFTER_MAX_MS}, /* a fuzz finding: a year far off */
        {"Wed, 21 Oct 1970 07:28:00 GMT", 0},             /* long past */
        {"-5", -1},
        {"1.5", -1},
        {"", -1},
        {"soon", -1},
        {"12abc", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got = ce_http_retry_after_ms(cases[i].value, now);
        if (got != cases[i].want) {
            fail_msg("Retry-After \"%s\": got %lld, want %lld", cases[i].value, (long long)got,
                     (long long)cases[i].want);
        }
    }
    assert_int_equal(ce_http_retry_after_ms(NULL, now), -1);
}

static void test_spec_errors(void **state)
{
    struct th_ctx *c = *state;
    static const struct {
        const char *json;
        int rc;
        const char *err;
    } cases[] = {
        {"{}", CE_EINVAL, "url: required"},
        {"{\"url\":\"\"}", CE_EINVAL, "url: required"},
        {"{\"url\":5}", CE_EINVAL, "url: must be a string"},
        {"{\"url\":\"ftp://h/x\"}", CE_EINVAL, "http or https"},
        {"{\"url\":\"file:///etc/passwd\"}", CE_EINVAL, "url"},
        {"{\"url\":\"example.com/x\"}", CE_EINVAL, "url"},
        {"{\"url\":\"http://exa mple.com/\"}", CE_EINVAL, "url"},
        {"{\"url\":\"http:/ple.com/x\"}", CE_EINVAL, "no host"}, /* a fuzz finding */
        {"{\"url\":\"HTTP:/Example.com\"}", CE_EINVAL, "no host"},
        {"{\"url\":\"http://h/\",\"method\":\"post\"}", CE_EINVAL, "only GET, DELETE"},
        {"{\"url\":\"http://h/\",\"method\":\"HEAD\"}", CE_EINVAL, "only GET, DELETE"},
        {"{\"url\":\"http://h/\",\"timeout\":\"5\"}", CE_EINVAL, "timeout"},
        {"{\"url\":\"http://h/\",\"headers\":[]}", CE_EINVAL, "headers"},
        {"{\"url\":\"http://h/\",\"headers\":{\"X\":1}}", CE_EINVAL, "headers.X"},
        {"{\"url\":\"http://h/\",\"headers\":{\"Bad Name\":\"v\"}}", CE_EINVAL,
         "invalid header name"},
        {"{\"url\":\"http://h/\",\"headers\":{\"X\":\"a\\nb\"}}", CE_EINVAL, "control character"},
        {"{\"url\":\"http://h/\",\"host\":\"a b\"}", CE_EINVAL, "host"},
        {"{\"url\":\"http://h/\",\"secureHeaders\":[{\"name\":\"X\"}]}", CE_EINVAL,
         "secureHeaders[0]"},
        {"{\"url\":\"http://h/\",\"secureHeaders\":[{\"name\":\"X\",\"valueFrom\":{}}]}", CE_EINVAL,
         "secretKeyRef or configMapKeyRef"},
        {"{\"url\":\"http://h/\",\"secureHeaders\":[{\"name\":\"X\",\"valueFrom\":"
         "{\"secretKeyRef\":{\"name\":\"nope\",\"key\":\"k\"}}}]}",
         CE_ENOENT, "\"nope\" key \"k\""},
        {"{\"url\":\"http://h/\",\"secureHeaders\":[{\"name\":\"X\",\"valueFrom\":"
         "{\"secretKeyRef\":{\"name\":\"../api\",\"key\":\"token\"}}}]}",
         CE_EINVAL, "secureHeaders[0]"},
        {"{\"url\":\"http://h/\",\"basicAuth\":{\"username\":{\"name\":\"auth\",\"key\":\"x\"}}}",
         CE_ENOENT, "basicAuth.username"},
        {"{\"url\":\"http://h/\",\"tls\":{}}", CE_EINVAL, "tls: configure"},
        {"{\"url\":\"http://h/\",\"tls\":{\"clientCertSecret\":{\"name\":\"api\",\"key\":"
         "\"token\"}}}",
         CE_EINVAL, "go together"},
        {"[]", CE_EINVAL, "http: must be an object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_error_t jerr;
        json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, &jerr);
        assert_non_null(j);
        struct ce_http_target *t = (struct ce_http_target *)1;
        char err[256] = "";
        int rc = ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err));
        if (rc != cases[i].rc || strstr(err, cases[i].err) == NULL) {
            fail_msg("%s: rc %d err \"%s\", want rc %d with \"%s\"", cases[i].json, rc, err,
                     cases[i].rc, cases[i].err);
        }
        assert_null(t);
        json_decref(j);
    }
}

static void test_spec_defaults_and_caps(void **state)
{
    struct th_ctx *c = *state;
    /* timeout 0 or negative is the default; tls with enabled alone is accepted */
    static const char *const ok[] = {
        "{\"url\":\"HTTPS://h:8443/p?q#f\",\"timeout\":0}",
        "{\"url\":\"http://h/\",\"timeout\":-3,\"method\":\"\"}",
        "{\"url\":\"http://h/\",\"tls\":{\"enabled\":true}}",
        "{\"url\":\"http://h/\",\"tls\":{\"insecureSkipVerify\":true}}",
        "{\"url\":\"http://h/\",\"timeout\":99999999999}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *j = json_loads(ok[i], 0, NULL);
        struct ce_http_target *t = NULL;
        char err[256] = "";
        if (ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)) != CE_OK) {
            fail_msg("%s: %s", ok[i], err);
        }
        assert_string_equal(ce_http_target_method(t), "POST");
        ce_http_target_destroy(t);
        json_decref(j);
    }
    /* the URL length cap */
    char *long_url = ce_xmalloc(CE_HTTP_MAX_URL_BYTES + 32);
    int n = snprintf(long_url, 32, "http://h/");
    memset(long_url + n, 'a', CE_HTTP_MAX_URL_BYTES);
    long_url[n + CE_HTTP_MAX_URL_BYTES] = '\0';
    json_t *j = json_pack("{s:s}", "url", long_url);
    struct ce_http_target *t = NULL;
    char err[256] = "";
    assert_int_equal(ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)),
                     CE_EINVAL);
    assert_non_null(strstr(err, "longer than"));
    json_decref(j);
    ce_free(long_url);
    /* the header count cap */
    json_t *h = json_object();
    for (int i = 0; i <= CE_HTTP_MAX_HEADERS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "X-%d", i);
        json_object_set_new(h, name, json_string("v"));
    }
    j = json_pack("{s:s,s:o}", "url", "http://h/", "headers", h);
    assert_int_equal(ce_http_target_from_json(j, c->secrets, c->config, &t, err, sizeof(err)),
                     CE_EINVAL);
    assert_non_null(strstr(err, "more than"));
    json_decref(j);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_allow_list),
        cmocka_unit_test(test_allow_from_json),
        cmocka_unit_test(test_retry_after_parse),
        cmocka_unit_test_setup_teardown(test_spec_errors, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_spec_defaults_and_caps, th_setup, th_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
