/* SPDX-License-Identifier: Apache-2.0 */
/* core/base64: RFC 4648's test vectors, and corrupt inputs reported at the byte offset Go's
 * StdEncoding reports (its decoder tests), newlines skipped. */
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char *e = ce_base64_encode(plain[i], strlen(plain[i]));
        assert_string_equal(e, coded[i]);
        assert_int_equal(ce_base64_encoded_len(strlen(plain[i])), strlen(coded[i]));
        ce_free(e);
        unsigned char out[16];
        size_t n = 99;
        assert_int_equal(ce_base64_decode(coded[i], strlen(coded[i]), out, &n), -1);
        assert_int_equal(n, strlen(plain[i]));
        assert_memory_equal(out, plain[i], n);
    }
    unsigned char out[16];
    size_t n = 0;
    assert_int_equal(ce_base64_decode("Zm9v\r\nYmFy\n", 11, out, &n), -1);
    assert_int_equal(n, 6);
    assert_memory_equal(out, "foobar", 6);
}

static void test_corrupt_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long at;
    } cases[] = {
        {"", -1},       {"\n", -1},         {"AAA=\n", -1}, {"AAAA\n", -1}, {"!!!!", 0},
        {"====", 0},    {"x===", 1},        {"=AAA", 0},    {"A=AA", 1},    {"AA=A", 2},
        {"AA==A", 4},   {"AAA=AAAA", 4},    {"AAAAA", 4},   {"AAAAAA", 4},  {"A=", 1},
        {"A==", 1},     {"AA=", 3},         {"AA==", -1},   {"AAA=", -1},   {"AAAA", -1},
        {"AAAAAA=", 7}, {"YWJjZA=====", 8}, {"A!\n", 1},    {"A=\n", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char out[32];
        size_t n = 0;
        long long at = ce_base64_decode(cases[i].in, strlen(cases[i].in), out, &n);
        if (at != cases[i].at) {
            fail_msg("\"%s\": error at %lld, want %lld", cases[i].in, at, cases[i].at);
        }
        assert_true(n <= ce_base64_decoded_max(strlen(cases[i].in)));
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_corrupt_offsets),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
