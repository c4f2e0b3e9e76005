/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS trigger's NKey public key from a user seed: the test fixture's pair (generated
 * independently), a seed inside other lines, and seeds that are not valid user seeds. */
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "triggers/nats/nkey.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_fixture_pair(void **state)
{
    (void)state;
    char *seed = ce_test_data("nats/user.nk", NULL);
    char *want = ce_test_data("nats/user.pub", NULL);
    want[strcspn(want, "\n")] = '\0';
    char pub[CE_NKEY_PUBLIC_LEN + 1];
    char err[128];
    assert_int_equal(ce_nkey_user_public(seed, strlen(seed), pub, err, sizeof err), CE_OK);
    assert_string_equal(pub, want);
    /* the seed as one line of a larger file */
    char *framed = ce_xasprintf("-----BEGIN USER NKEY SEED-----\n%s------END-----\n", seed);
    assert_int_equal(ce_nkey_user_public(framed, strlen(framed), pub, err, sizeof err), CE_OK);
    assert_string_equal(pub, want);
    ce_free(framed);
    ce_free(want);
    ce_free(seed);
}

static void test_bad_seeds(void **state)
{
    (void)state;
    char *seed = ce_test_data("nats/user.nk", NULL);
    char pub[CE_NKEY_PUBLIC_LEN + 1];
    char err[128];
    const char *cases[] = {"", "not a seed", "SU",
                           "SUAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ce_nkey_user_public(cases[i], strlen(cases[i]), pub, err, sizeof err),
                         CE_EINVAL);
    }
    /* one character changed: the checksum no longer matches */
    seed[10] = seed[10] == 'A' ? 'B' : 'A';
    assert_int_equal(ce_nkey_user_public(seed, strlen(seed), pub, err, sizeof err), CE_EINVAL);
    assert_non_null(strstr(err, "not valid"));
    /* a lower-case character is not base32 */
    seed[10] = 'a';
    assert_int_equal(ce_nkey_user_public(seed, strlen(seed), pub, err, sizeof err), CE_EINVAL);
    ce_free(seed);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_pair),
        cmocka_unit_test(test_bad_seeds),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
