/* SPDX-License-Identifier: Apache-2.0 */
/* The S3 test server and curl uploads: see s3.h. */
#include "tests/harness/s3.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

struct ce_test_s3 {
    struct ce_test_proc *proc;
    int port;
    char *dir; /* upload files */
};

void ce_test_s3_require(void)
{
    ce_test_require_program("python3");
    ce_test_require_program("curl");
}

struct ce_test_s3 *ce_test_s3_start(const char *const keys[], const char *const buckets[])
{
    char *argv[64];
    int n = 0;
    char *script = ce_xasprintf("%s/tests/fixtures/s3_server.py", CE_SOURCE_DIR);
    argv[n++] = "python3";
    argv[n++] = script;
    for (int i = 0; keys[i] != NULL && n < 56; i++) {
        argv[n++] = "--key";
        argv[n++] = (char *)keys[i];
    }
    for (int i = 0; buckets[i] != NULL && n < 60; i++) {
        argv[n++] = "--bucket";
        argv[n++] = (char *)buckets[i];
    }
    argv[n] = NULL;
    struct ce_test_s3 *s = ce_xcalloc(1, sizeof(*s));
    s->proc = ce_test_proc_start(argv);
    ce_free(script);
    assert_non_null(s->proc);
    if (!ce_test_proc_wait_line(s->proc, "PORT ", 1, 10000)) {
        char *out = ce_test_proc_output(s->proc);
        fail_msg("the S3 test server did not start:\n%s", out ? out : "");
    }
    char *line = ce_test_proc_line(s->proc, "PORT ", 0);
    s->port = (int)strtol(strstr(line, "PORT ") + 5, NULL, 10);
    ce_free(line);
    assert_true(s->port > 0);
    s->dir = ce_test_tmpdir("s3up");
    return s;
}

void ce_test_s3_stop(struct ce_test_s3 *s)
{
    if (s == NULL) {
        return;
    }
    ce_test_proc_stop(s->proc, 5000);
    ce_test_proc_free(s->proc);
    ce_test_rmtree(s->dir);
    free(s->dir);
    ce_free(s);
}

int ce_test_s3_port(const struct ce_test_s3 *s)
{
    return s->port;
}

/* Runs curl with args after the common ones; the status it printed. */
static long s3_curl(const struct ce_test_s3 *s, const char *access, const char *secret,
                    const char *method, const char *path, const char *file)
{
    char url[512], user[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    snprintf(user, sizeof user, "%s:%s", access, secret);
    char *argv[20];
    int n = 0;
    argv[n++] = "curl";
    argv[n++] = "-s";
    argv[n++] = "-o";
    argv[n++] = "/dev/null";
    argv[n++] = "-w";
    argv[n++] = "STATUS %{http_code}\\n";
    argv[n++] = "--aws-sigv4";
    argv[n++] = "aws:amz:us-east-1:s3";
    argv[n++] = "--user";
    argv[n++] = user;
    argv[n++] = "-X";
    argv[n++] = (char *)method;
    if (file != NULL) {
        argv[n++] = "-T";
        argv[n++] = (char *)file;
    }
    argv[n++] = url;
    argv[n] = NULL;
    struct ce_test_proc *p = ce_test_proc_start(argv);
    assert_non_null(p);
    long status = 0;
    if (ce_test_proc_wait_line(p, "STATUS ", 1, 20000)) {
        char *line = ce_test_proc_line(p, "STATUS ", 0);
        status = strtol(strstr(line, "STATUS ") + 7, NULL, 10);
        ce_free(line);
    }
    ce_test_proc_stop(p, 5000);
    ce_test_proc_free(p);
    return status;
}

long ce_test_s3_put(const struct ce_test_s3 *s, const char *access, const char *secret,
                    const char *bucket, const char *key, const char *content)
{
    char *file = ce_test_write_file(s->dir, "upload", content);
    char *path = ce_xasprintf("/%s/%s", bucket, key);
    long status = s3_curl(s, access, secret, "PUT", path, file);
    ce_free(path);
    ce_free(file);
    return status;
}

long ce_test_s3_delete(const struct ce_test_s3 *s, const char *access, const char *secret,
                       const char *bucket, const char *key)
{
    char *path = ce_xasprintf("/%s/%s", bucket, key);
    long status = s3_curl(s, access, secret, "DELETE", path, NULL);
    ce_free(path);
    return status;
}

long ce_test_s3_control(const struct ce_test_s3 *s, const char *what)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_control/%s", s->port, what);
    struct ce_test_http_resp r;
    if (ce_test_http("POST", url, NULL, "", 0, 10000, &r) != 0) {
        return 0;
    }
    long status = r.status;
    ce_test_http_resp_fini(&r);
    return status;
}

long ce_test_s3_stat(const struct ce_test_s3 *s, const char *name)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_control/stats", s->port);
    struct ce_test_http_resp r;
    if (ce_test_http("GET", url, NULL, NULL, 0, 10000, &r) != 0) {
        return -1;
    }
    long v = -1;
    json_t *doc = json_loads(r.body, 0, NULL);
    if (json_is_integer(json_object_get(doc, name))) {
        v = (long)json_integer_value(json_object_get(doc, name));
    }
    json_decref(doc);
    ce_test_http_resp_fini(&r);
    return v;
}
