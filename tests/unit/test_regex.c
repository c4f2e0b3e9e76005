/* SPDX-License-Identifier: Apache-2.0 */
/* core/regex: unanchored search as Go's regexp.Match, UTF-8 characters, capture offsets, bad
 * patterns named, and the backtracking budget stopping a catastrophic pattern. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct search_case {
    const char *pattern;
    const char *subject;
    bool want;
};

static void test_search_table(void **state)
{
    (void)state;
    static const struct search_case cases[] = {
        {"hello", "say hello there", true}, /* unanchored */
        {"^hello$", "say hello there", false},
        {"^hello$", "hello", true},
        {"b.r", "bär", true}, /* '.' is one character, not one byte */
        {"b..r", "bär", false},
        {"b.r", "bör", true},
        {"^.{3}$", "日本語", true},
        {"(?i)HELLO", "hello", true},
        {"[0-9]+", "abc", false},
        {"a|b", "xxb", true},
        {"", "anything", true},
        {"\\d{2}-\\d{2}", "on 11-30", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ce_regex *re = NULL;
        char err[200];
        assert_int_equal(
            ce_regex_compile(cases[i].pattern, strlen(cases[i].pattern), &re, err, sizeof err),
            CE_OK);
        bool m = !cases[i].want;
        assert_int_equal(ce_regex_search(re, cases[i].subject, strlen(cases[i].subject), &m),
                         CE_OK);
        if (m != cases[i].want) {
            fail_msg("/%s/ on \"%s\": got %d", cases[i].pattern, cases[i].subject, m);
        }
        ce_regex_destroy(re);
    }
}

static void test_invalid_utf8_subject(void **state)
{
    (void)state;
    struct ce_regex *re = NULL;
    assert_int_equal(ce_regex_compile("ok", 2, &re, NULL, 0), CE_OK);
    bool m = false;
    assert_int_equal(ce_regex_search(re, "\xff\xfe ok", 5, &m), CE_OK);
    assert_true(m);
    ce_regex_destroy(re);
}

static void test_find_groups(void **state)
{
    (void)state;
    struct ce_regex *re = NULL;
    assert_int_equal(ce_regex_compile("(a+)(x)?(b)", 11, &re, NULL, 0), CE_OK);
    long g[2 * CE_REGEX_GROUPS_MAX];
    int n = 0;
    bool m = false;
    const char *s = "zzaab aab";
    assert_int_equal(ce_regex_find(re, s, strlen(s), 0, g, &n, &m), CE_OK);
    assert_true(m);
    assert_int_equal(n, 4);
    assert_int_equal(g[0], 2);
    assert_int_equal(g[1], 5);
    assert_int_equal(g[2], 2);
    assert_int_equal(g[3], 4);
    assert_int_equal(g[4], -1); /* (x)? took no part */
    assert_int_equal(g[6], 4);
    assert_int_equal(ce_regex_find(re, s, strlen(s), 5, g, &n, &m), CE_OK);
    assert_true(m);
    assert_int_equal(g[0], 6);
    assert_int_equal(ce_regex_find(re, s, strlen(s), 100, g, &n, &m), CE_OK);
    assert_false(m);
    ce_regex_destroy(re);
}

static void test_bad_patterns(void **state)
{
    (void)state;
    struct ce_regex *re = NULL;
    char err[200];
    assert_int_equal(ce_regex_compile("a(b", 3, &re, err, sizeof err), CE_EPARSE);
    assert_null(re);
    assert_string_equal(err, "error parsing regexp: missing closing ): `a(b`");
    char *big = ce_xmalloc(CE_REGEX_PATTERN_MAX + 2);
    memset(big, 'a', CE_REGEX_PATTERN_MAX + 1);
    big[CE_REGEX_PATTERN_MAX + 1] = '\0';
    assert_int_equal(ce_regex_compile(big, CE_REGEX_PATTERN_MAX + 1, &re, err, sizeof err),
                     CE_ETOOBIG);
    ce_free(big);
}

static void test_backtracking_budget(void **state)
{
    (void)state;
    struct ce_regex *re = NULL;
    const char *p = "^(a|aa)+$";
    assert_int_equal(ce_regex_compile(p, strlen(p), &re, NULL, 0), CE_OK);
    char s[64];
    memset(s, 'a', 60);
    s[60] = 'b';
    s[61] = '\0';
    bool m = true;
    assert_int_equal(ce_regex_search(re, s, strlen(s), &m), CE_ETOOBIG);
    assert_false(m);
    ce_regex_destroy(re);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_table),        cmocka_unit_test(test_invalid_utf8_subject),
        cmocka_unit_test(test_find_groups),         cmocka_unit_test(test_bad_patterns),
        cmocka_unit_test(test_backtracking_budget),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
