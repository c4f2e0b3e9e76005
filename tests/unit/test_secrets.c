/* SPDX-License-Identifier: Apache-2.0 */
/* core/secrets: files under a temp dir laid out as <dir>/<name>/<key>; one trailing newline
 * removed (as Argo Events does), traversal refused, missing files, the size cap. */
#include "core/service/secrets.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct ts_ctx {
    char *dir;
};

static void ts_put(const char *dir, const char *name, const char *key, const char *content,
                   size_t len)
{
    char *sub = ce_xasprintf("%s/%s", dir, name);
    mkdir(sub, 0700);
    char *path = ce_xasprintf("%s/%s", sub, key);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    ce_free(path);
    ce_free(sub);
}

static int ts_setup(void **state)
{
    struct ts_ctx *c = ce_xcalloc(1, sizeof *c);
    c->dir = ce_test_tmpdir("secrets");
    *state = c;
    return 0;
}

static int ts_teardown(void **state)
{
    struct ts_ctx *c = *state;
    ce_test_rmtree(c->dir);
    ce_free(c->dir);
    ce_free(c);
    return 0;
}

static void ts_expect(const char *dir, const char *name, const char *key, const char *want,
                      size_t want_len)
{
    char *v = NULL;
    size_t len = 99;
    assert_int_equal(ce_secret_read(dir, name, key, &v, &len), CE_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(v, want, want_len);
    assert_int_equal(v[len], '\0');
    ce_free(v);
}

static void test_trailing_newline(void **state)
{
    struct ts_ctx *c = *state;
    ts_put(c->dir, "gh", "token", "abc\n", 4);
    ts_expect(c->dir, "gh", "token", "abc", 3);
    ts_put(c->dir, "gh", "plain", "abc", 3);
    ts_expect(c->dir, "gh", "plain", "abc", 3);
    ts_put(c->dir, "gh", "two", "abc\n\n", 5);
    ts_expect(c->dir, "gh", "two", "abc\n", 4);
    /* Argo trims "\n" only, so a CRLF file keeps its "\r". */
    ts_put(c->dir, "gh", "crlf", "abc\r\n", 5);
    ts_expect(c->dir, "gh", "crlf", "abc\r", 4);
    ts_put(c->dir, "gh", "nl", "\n", 1);
    ts_expect(c->dir, "gh", "nl", "", 0);
    ts_put(c->dir, "gh", "empty", "", 0);
    ts_expect(c->dir, "gh", "empty", "", 0);
    ts_put(c->dir, "gh", "bin", "a\0b\n", 4);
    ts_expect(c->dir, "gh", "bin", "a\0b", 3);
    /* len may be NULL */
    char *v = NULL;
    assert_int_equal(ce_secret_read(c->dir, "gh", "token", &v, NULL), CE_OK);
    assert_string_equal(v, "abc");
    ce_free(v);
}

static void test_refused_names(void **state)
{
    struct ts_ctx *c = *state;
    ts_put(c->dir, "gh", "token", "abc", 3);
    static const char *const bad[] = {"", ".", "..", "../gh", "gh/token", "/etc", "a/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *v = (char *)"untouched";
        assert_int_equal(ce_secret_read(c->dir, bad[i], "token", &v, NULL), CE_EINVAL);
        assert_null(v);
        assert_int_equal(ce_secret_read(c->dir, "gh", bad[i], &v, NULL), CE_EINVAL);
        assert_null(v);
    }
    char *v = NULL;
    assert_int_equal(ce_secret_read(NULL, "gh", "token", &v, NULL), CE_EINVAL);
    assert_int_equal(ce_secret_read("", "gh", "token", &v, NULL), CE_EINVAL);
    assert_int_equal(ce_secret_read(c->dir, NULL, "token", &v, NULL), CE_EINVAL);
    /* Names with dots inside are ordinary names. */
    ts_put(c->dir, "my.secret", "tls.crt", "x", 1);
    ts_expect(c->dir, "my.secret", "tls.crt", "x", 1);
}

static void test_missing(void **state)
{
    struct ts_ctx *c = *state;
    char *v = NULL;
    size_t len = 5;
    assert_int_equal(ce_secret_read(c->dir, "nope", "token", &v, &len), CE_ENOENT);
    assert_null(v);
    assert_int_equal(len, 0);
    ts_put(c->dir, "gh", "token", "abc", 3);
    assert_int_equal(ce_secret_read(c->dir, "gh", "other", &v, NULL), CE_ENOENT);
    /* A directory where the file should be is not a secret. */
    char *sub = ce_xasprintf("%s/gh/dirkey", c->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(ce_secret_read(c->dir, "gh", "dirkey", &v, NULL), CE_EIO);
    assert_null(v);
    ce_free(sub);
}

/* Kubernetes mounts keys as symlinks into ..data; they must be followed. */
static void test_symlink(void **state)
{
    struct ts_ctx *c = *state;
    ts_put(c->dir, "..data", "token", "linked\n", 7);
    char *sub = ce_xasprintf("%s/gh", c->dir);
    mkdir(sub, 0700);
    char *link = ce_xasprintf("%s/token", sub);
    char *target = ce_xasprintf("%s/..data/token", c->dir);
    assert_int_equal(symlink(target, link), 0);
    ts_expect(c->dir, "gh", "token", "linked", 6);
    ce_free(target);
    ce_free(link);
    ce_free(sub);
}

static void test_too_big(void **state)
{
    struct ts_ctx *c = *state;
    size_t n = CE_SECRET_MAX_BYTES;
    char *big = ce_xmalloc(n + 1);
    memset(big, 'k', n + 1);
    ts_put(c->dir, "big", "exact", big, n);
    char *v = NULL;
    size_t len = 0;
    assert_int_equal(ce_secret_read(c->dir, "big", "exact", &v, &len), CE_OK);
    assert_int_equal(len, n);
    ce_free(v);
    v = NULL;
    ts_put(c->dir, "big", "over", big, n + 1);
    assert_int_equal(ce_secret_read(c->dir, "big", "over", &v, &len), CE_ETOOBIG);
    assert_null(v);
    ce_free(big);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trailing_newline, ts_setup, ts_teardown),
        cmocka_unit_test_setup_teardown(test_refused_names, ts_setup, ts_teardown),
        cmocka_unit_test_setup_teardown(test_missing, ts_setup, ts_teardown),
        cmocka_unit_test_setup_teardown(test_symlink, ts_setup, ts_teardown),
        cmocka_unit_test_setup_teardown(test_too_big, ts_setup, ts_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
