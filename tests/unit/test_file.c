/* SPDX-License-Identifier: Apache-2.0 */
/* core/file: whole-file reads with a cap: exact bytes (NULs included), the cap's boundary,
 * missing files, directories and FIFOs refused without hanging. */
#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char *tf_put(const char *dir, const char *name, const char *content, size_t len)
{
    char *path = ce_xasprintf("%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_exact_bytes_and_cap(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("file");
    char *path = tf_put(dir, "bin", "a\0b\nc", 5);
    char *data = NULL;
    size_t len = 0;
    int err = -1;
    assert_int_equal(ce_file_read(path, 5, &data, &len, &err), CE_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "a\0b\nc", 5);
    assert_int_equal(data[5], '\0');
    assert_int_equal(err, 0);
    ce_free(data);
    assert_int_equal(ce_file_read(path, 4, &data, &len, &err), CE_ETOOBIG);
    assert_null(data);
    assert_int_equal(len, 0);
    ce_free(path);

    path = tf_put(dir, "empty", "", 0);
    assert_int_equal(ce_file_read(path, 0, &data, &len, NULL), CE_OK);
    assert_non_null(data);
    assert_string_equal(data, "");
    ce_free(data);
    ce_free(path);
    ce_test_rmtree(dir);
    ce_free(dir);
}

static void test_refusals(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("file");
    char *data = NULL;
    size_t len = 0;
    int err = 0;
    char *missing = ce_xasprintf("%s/missing", dir);
    assert_int_equal(ce_file_read(missing, 100, &data, &len, &err), CE_ENOENT);
    assert_int_equal(err, ENOENT);
    assert_int_equal(ce_file_read(dir, 100, &data, &len, &err), CE_EIO);
    assert_int_equal(err, EISDIR);
    char *fifo = ce_xasprintf("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(ce_file_read(fifo, 100, &data, &len, &err), CE_EIO); /* and returns */
    assert_null(data);
    char *file = tf_put(dir, "f", "x", 1);
    char *below = ce_xasprintf("%s/below", file);
    assert_int_equal(ce_file_read(below, 100, &data, &len, &err), CE_ENOENT);
    assert_int_equal(err, ENOTDIR);
    ce_free(below);
    ce_free(file);
    ce_free(fifo);
    ce_free(missing);
    ce_test_rmtree(dir);
    ce_free(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes_and_cap),
        cmocka_unit_test(test_refusals),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
