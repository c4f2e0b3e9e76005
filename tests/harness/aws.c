/* SPDX-License-Identifier: Apache-2.0 */
/* Starting and driving tests/fixtures/aws_server.py. */
#include "tests/harness/aws.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>

struct ce_test_aws {
    struct ce_test_proc *proc;
    char url[64];
};

#define AWS_READY "aws fixture listening on 127.0.0.1:"

struct ce_test_aws *ce_test_aws_start(const char *const extra[])
{
    ce_test_require_program("python3");
    ce_test_require_program("openssl");
    const char *argv[32] = {"python3", CE_SOURCE_DIR "/tests/fixtures/aws_server.py"};
    int n = 2;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 31; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    struct ce_test_aws *a = ce_xcalloc(1, sizeof(*a));
    a->proc = ce_test_proc_start((char *const *)argv);
    assert_non_null(a->proc);
    assert_true(ce_test_proc_wait_line(a->proc, AWS_READY, 1, 20000));
    char *line = ce_test_proc_line(a->proc, AWS_READY, 0);
    long port = strtol(strstr(line, AWS_READY) + strlen(AWS_READY), NULL, 10);
    assert_true(port > 0);
    snprintf(a->url, sizeof a->url, "http://127.0.0.1:%ld", port);
    ce_free(line);
    return a;
}

const char *ce_test_aws_url(const struct ce_test_aws *a)
{
    return a->url;
}

static void aws_escape(struct ce_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-_.~", *p) != NULL;
        char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        assert_int_equal(bare ? ce_buf_append(b, p, 1) : ce_buf_append(b, esc, 3), 0);
    }
}

json_t *ce_test_aws_ctl(struct ce_test_aws *a, const char *what, ...)
{
    struct ce_buf u;
    ce_buf_init(&u, 0);
    assert_int_equal(ce_buf_printf(&u, "%s/_ctl/%s", a->url, what), 0);
    va_list ap;
    va_start(ap, what);
    const char *k;
    char sep = '?';
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        assert_int_equal(ce_buf_printf(&u, "%c%s=", sep, k), 0);
        aws_escape(&u, v);
        sep = '&';
    }
    va_end(ap);
    struct ce_test_http_resp r;
    assert_int_equal(ce_test_http("GET", u.data, NULL, NULL, 0, 60000, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *out = json_loads(r.body, 0, NULL);
    assert_non_null(out);
    ce_test_http_resp_fini(&r);
    ce_buf_fini(&u);
    return out;
}

void ce_test_aws_write_secret(const char *dir, const char *name)
{
    char *sub = ce_xasprintf("%s/%s", dir, name);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    ce_free(ce_test_write_file(sub, "accesskey", CE_TEST_AWS_ACCESS_KEY "\n"));
    ce_free(ce_test_write_file(sub, "secretkey", CE_TEST_AWS_SECRET_KEY "\n"));
    ce_free(sub);
}

void ce_test_aws_stop(struct ce_test_aws *a)
{
    if (a == NULL) {
        return;
    }
    ce_test_proc_stop(a->proc, 5000);
    ce_test_proc_free(a->proc);
    ce_free(a);
}
