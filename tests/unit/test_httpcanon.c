/* SPDX-License-Identifier: Apache-2.0 */
/* core/httpcanon: a table of header names and their canonical forms, including the cases of
 * Go's own textproto tests (non-token bytes and spaces leave the name unchanged). */
#include "core/go/httpcanon.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_table(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"content-type", "Content-Type"},
        {"CONTENT-TYPE", "Content-Type"},
        {"Content-Type", "Content-Type"},
        {"x-github-event", "X-Github-Event"},
        {"a-b-c", "A-B-C"},
        {"a-1-c", "A-1-C"},
        {"x-1a", "X-1a"},
        {"1abc", "1abc"},
        {"uSER-aGENT", "User-Agent"},
        {"foo-bar_baz", "Foo-Bar_baz"},
        {"foo-bar$baz", "Foo-Bar$baz"},
        {"foo-bar~baz", "Foo-Bar~baz"},
        {"foo-bar*baz", "Foo-Bar*baz"},
        {"a.b", "A.b"},
        {"-foo", "-Foo"},
        {"foo-", "Foo-"},
        {"foo--bar", "Foo--Bar"},
        {"www-authenticate", "Www-Authenticate"},
        {"x-b3-traceid", "X-B3-Traceid"},
        {"a", "A"},
        {"", ""},
        {"\xc3\xbcser-agenT", "\xc3\xbcser-agenT"},
        {"a B", "a B"},
        {"C Ontent-Transfer-Encoding", "C Ontent-Transfer-Encoding"},
        {"foo bar", "foo bar"},
        {"foo:bar", "foo:bar"},
        {"foo\tbar", "foo\tbar"},
        {"x-(comment)", "x-(comment)"},
        {"x-\"q\"", "x-\"q\""},
        {"x-a\x7f", "x-a\x7f"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        memset(out, 'Z', sizeof out);
        ce_http_canonical_header(cases[i][0], strlen(cases[i][0]), out);
        assert_string_equal(out, cases[i][1]);
    }
}

/* Only name[0..len) is read, and out is terminated right after it. */
static void test_length_bounded(void **state)
{
    (void)state;
    char out[16];
    ce_http_canonical_header("x-forwarded-for garbage", 11, out);
    assert_string_equal(out, "X-Forwarded");
    ce_http_canonical_header("x-a b", 3, out);
    assert_string_equal(out, "X-A");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_length_bounded),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
