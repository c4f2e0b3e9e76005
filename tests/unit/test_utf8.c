/* SPDX-License-Identifier: Apache-2.0 */
/* core/utf8 with Go's rules: decoding refuses overlong forms and surrogates, reading goes on
 * with U+FFFD of length 1, encoding writes U+FFFD for what is not a code point, and every code
 * point round-trips. */
#include "core/base/utf8.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_decode_and_next(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(ce_utf8_decode("\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xe9);
    assert_int_equal(ce_utf8_decode("\xc0\xaf", 2, &cp), 0);     /* overlong */
    assert_int_equal(ce_utf8_decode("\xed\xa0\x80", 3, &cp), 0); /* surrogate */
    assert_int_equal(ce_utf8_decode("\xe2\x82", 2, &cp), 0);     /* cut short */
    assert_int_equal(ce_utf8_next("\xff"
                                  "a",
                                  2, &cp),
                     1);
    assert_int_equal(cp, 0xfffd);
    assert_int_equal(ce_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1f600);
    assert_int_equal(ce_utf8_next("", 0, &cp), 0);
}

static void test_encode(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        const char *want;
    } cases[] = {
        {'a', "a"},
        {0xe9, "\xc3\xa9"},
        {0x20ac, "\xe2\x82\xac"},
        {0x1f600, "\xf0\x9f\x98\x80"},
        {0xd800, "\xef\xbf\xbd"},   /* a surrogate is not a code point */
        {0x110000, "\xef\xbf\xbd"}, /* nor is anything past U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4];
        size_t n = ce_utf8_encode(cases[i].cp, out);
        assert_int_equal(n, strlen(cases[i].want));
        assert_memory_equal(out, cases[i].want, n);
    }
    for (uint32_t cp = 0; cp <= 0x10ffff; cp += (cp < 0x800 ? 1 : 97)) {
        if (cp >= 0xd800 && cp <= 0xdfff) {
            continue;
        }
        char out[4];
        uint32_t back = 0;
        size_t n = ce_utf8_encode(cp, out);
        assert_int_equal(ce_utf8_decode(out, n, &back), n);
        assert_int_equal(back, cp);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_and_next),
        cmocka_unit_test(test_encode),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
