/* SPDX-License-Identifier: Apache-2.0 */
/* The file source's decisions without a file system: Argo's operation numbers and names, the
 * directory cleaned of trailing slashes, path and pathRegexp matching, the event data exactly
 * as Argo marshals it, ids that change with the file's state and only with it, the records of
 * the seen set and the listing diff that turns them into CREATE, WRITE, CHMOD and REMOVE. */
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "eventsource/seen_set.h"
#include "eventsource/file/watch.h"
#include "eventsource/watch_path.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_ops(void **state)
{
    (void)state;
    assert_int_equal(ce_watch_op_parse("CREATE"), 1);
    assert_int_equal(ce_watch_op_parse("WRITE"), 2);
    assert_int_equal(ce_watch_op_parse("REMOVE"), 4);
    assert_int_equal(ce_watch_op_parse("RENAME"), 8);
    assert_int_equal(ce_watch_op_parse("CHMOD"), 16);
    assert_int_equal(ce_watch_op_parse("CREATE|WRITE"), 3);
    assert_int_equal(ce_watch_op_parse("create"), 0); /* Argo's names are upper case */
    assert_int_equal(ce_watch_op_parse("|"), 0);
    assert_int_equal(ce_watch_op_parse(""), 0);
    assert_string_equal(ce_watch_op_name(8), "RENAME");
    assert_string_equal(ce_watch_op_name(3), "");
}

static void test_remote_fs(void **state)
{
    (void)state;
    assert_string_equal(ce_fsw_remote_fs(0x6969), "nfs");
    assert_string_equal(ce_fsw_remote_fs((long)(int32_t)0xFF534D42), "cifs"); /* sign-extended */
    assert_string_equal(ce_fsw_remote_fs(0xFF534D42L), "cifs");
    assert_string_equal(ce_fsw_remote_fs(0x65735546), "fuse");
    assert_null(ce_fsw_remote_fs(0xEF53));     /* ext4 */
    assert_null(ce_fsw_remote_fs(0x01021994)); /* tmpfs */
}

static void test_clean_dir(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"/data/", "/data"}, {"/data", "/data"}, {"/", "/"}, {"///", "/"}, {"/a//", "/a"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = ce_watch_clean_dir(cases[i][0]);
        assert_string_equal(d, cases[i][1]);
        ce_free(d);
    }
}

static void test_matches(void **state)
{
    (void)state;
    struct ce_watch_match by_path = {.dir = "/d", .path = "x.txt"};
    assert_true(ce_watch_matches(&by_path, "x.txt"));
    assert_false(ce_watch_matches(&by_path, "x.txt.swp"));
    struct ce_regex *re = NULL;
    char err[128];
    const char *pat = "([a-z]+).txt";
    assert_int_equal(ce_regex_compile(pat, strlen(pat), &re, err, sizeof err), CE_OK);
    struct ce_watch_match by_re = {.dir = "/d", .re = re};
    assert_true(ce_watch_matches(&by_re, "abc.txt"));
    assert_true(ce_watch_matches(&by_re, "1abc.txt.bak")); /* unanchored, as Go's MatchString */
    assert_false(ce_watch_matches(&by_re, "123.csv"));
    ce_regex_destroy(re);
    struct ce_watch_match none = {.dir = "/d"};
    assert_false(ce_watch_matches(&none, "x"));
}

static void test_event_data(void **state)
{
    (void)state;
    struct ce_buf b;
    ce_buf_init(&b, 0);
    assert_int_equal(ce_watch_event_data("/d/a\"b.csv", 1, NULL, 0, &b), CE_OK);
    assert_string_equal(b.data, "{\"name\":\"/d/a\\\"b.csv\",\"op\":1,\"metadata\":null}");
    ce_buf_reset(&b);
    struct ce_kv meta[] = {{.key = "a", .value = "1"}, {.key = "b", .value = "x y"}};
    assert_int_equal(ce_watch_event_data("f", 16, meta, 2, &b), CE_OK);
    assert_string_equal(b.data,
                        "{\"name\":\"f\",\"op\":16,\"metadata\":{\"a\":\"1\",\"b\":\"x y\"}}");
    ce_buf_fini(&b);
}

static char *tw_key(const char *name, unsigned op, struct ce_watch_stat st)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    ce_watch_event_key(name, op, &st, &b);
    return ce_buf_steal(&b, NULL);
}

static void test_event_key(void **state)
{
    (void)state;
    struct ce_watch_stat st = {.ino = 7, .size = 10, .mtime_ns = 99};
    char *a = tw_key("/d/f", 1, st), *same = tw_key("/d/f", 1, st);
    assert_string_equal(a, same);
    struct ce_watch_stat other[] = {{.ino = 8, .size = 10, .mtime_ns = 99},
                                    {.ino = 7, .size = 11, .mtime_ns = 99},
                                    {.ino = 7, .size = 10, .mtime_ns = 98}};
    for (size_t i = 0; i < 3; i++) {
        char *k = tw_key("/d/f", 1, other[i]);
        assert_string_not_equal(a, k);
        ce_free(k);
    }
    char *op = tw_key("/d/f", 2, st), *name = tw_key("/d/g", 1, st);
    assert_string_not_equal(a, op);
    assert_string_not_equal(a, name);
    ce_free(a);
    ce_free(same);
    ce_free(op);
    ce_free(name);
}

static void test_records(void **state)
{
    (void)state;
    struct ce_watch_stat st = {.ino = 12345678901ULL, .size = 42, .mtime_ns = -5, .mode = 0100644};
    struct ce_buf b;
    ce_buf_init(&b, 0);
    ce_seen_record_format("a name\nwith a newline", &st, &b);
    char *name = NULL;
    struct ce_watch_stat back;
    assert_true(ce_seen_record_parse(b.data, &name, &back));
    assert_string_equal(name, "a name\nwith a newline");
    assert_true(back.ino == st.ino && back.size == st.size && back.mtime_ns == st.mtime_ns &&
                back.mode == st.mode);
    ce_free(name);
    ce_buf_fini(&b);
    const char *bad[] = {"", "1 2 3\nx", "1 2 3 4", "1 2 3 4\n", "a 2 3 4\nx", "1 2 3 4 x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(ce_seen_record_parse(bad[i], &name, &back));
        assert_null(name);
    }
}

static void test_seen_set(void **state)
{
    (void)state;
    struct ce_seen_set s;
    ce_seen_set_init(&s);
    for (int i = 0; i < 1000; i++) {
        char n[16];
        snprintf(n, sizeof n, "f%d", i);
        struct ce_watch_stat st = {.ino = (uint64_t)i};
        assert_true(ce_seen_set_put(&s, n, &st));
    }
    assert_int_equal(s.n, 1000);
    assert_int_equal(ce_seen_set_get(&s, "f777")->st.ino, 777);
    ce_seen_set_del(&s, "f777");
    ce_seen_set_del(&s, "f777");
    assert_null(ce_seen_set_get(&s, "f777"));
    assert_int_equal(s.n, 999);
    ce_seen_set_fini(&s);
}

static const struct ce_seen_change *tw_find(const struct ce_seen_change *c, size_t n,
                                            const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(c[i].name, name) == 0) {
            return &c[i];
        }
    }
    return NULL;
}

static void test_diff(void **state)
{
    (void)state;
    struct ce_seen_set s;
    ce_seen_set_init(&s);
    struct ce_watch_stat old = {.ino = 1, .size = 5, .mtime_ns = 10, .mode = 0644};
    const char *kept[] = {"same", "grown", "chmod", "gone"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(ce_seen_set_put(&s, kept[i], &old));
    }
    char *names[] = {"same", "grown", "chmod", "new"};
    struct ce_watch_stat sts[] = {old,
                                  {.ino = 1, .size = 6, .mtime_ns = 10, .mode = 0644},
                                  {.ino = 1, .size = 5, .mtime_ns = 10, .mode = 0600},
                                  {.ino = 2}};
    struct ce_seen_change *c = NULL;
    size_t n = 0;
    ce_seen_diff(&s, names, sts, 4, CE_WATCH_WRITE, true, &c, &n);
    assert_int_equal(n, 4);
    assert_null(tw_find(c, n, "same"));
    assert_int_equal(tw_find(c, n, "grown")->op, CE_WATCH_WRITE);
    assert_int_equal(tw_find(c, n, "chmod")->op, CE_WATCH_CHMOD);
    assert_int_equal(tw_find(c, n, "new")->op, CE_WATCH_CREATE);
    assert_int_equal(tw_find(c, n, "gone")->op, CE_WATCH_REMOVE);
    assert_int_equal(tw_find(c, n, "gone")->st.size, 5); /* the last known state */
    ce_seen_changes_free(c, n);
    /* the sftp way: a change is CREATE again, a mode change is nothing */
    ce_seen_diff(&s, names, sts, 3, CE_WATCH_CREATE, false, &c, &n);
    assert_int_equal(n, 2);
    assert_int_equal(tw_find(c, n, "grown")->op, CE_WATCH_CREATE);
    assert_int_equal(tw_find(c, n, "gone")->op, CE_WATCH_REMOVE);
    ce_seen_changes_free(c, n);
    ce_seen_set_fini(&s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops),       cmocka_unit_test(test_clean_dir),
        cmocka_unit_test(test_matches),   cmocka_unit_test(test_event_data),
        cmocka_unit_test(test_event_key), cmocka_unit_test(test_records),
        cmocka_unit_test(test_seen_set),  cmocka_unit_test(test_diff),
        cmocka_unit_test(test_remote_fs),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
