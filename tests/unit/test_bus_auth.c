/* SPDX-License-Identifier: Apache-2.0 */
/* The bus credentials of an EventBus accessSecret (eventbus/bus_auth.c): the secret file is
 * YAML with username and password as Argo Events writes it; what is missing or malformed is
 * said, and nothing is half-filled. */
#include "eventbus/bus.h"
#include "eventbus/bus_auth.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* Loads secret "bus" key "auth" whose file holds content (NULL: no file). */
static int ba_load(const char *content, struct ce_bus_auth *out, char *err, size_t errlen)
{
    char *dir = ce_test_tmpdir("bus-auth");
    char *secret = ce_xasprintf("%s/bus", dir);
    assert_int_equal(mkdir(secret, 0700), 0);
    if (content != NULL) {
        ce_free(ce_test_write_file(secret, "auth", content));
    }
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.secrets_dir = dir;
    cfg.auth_secret = "bus";
    cfg.auth_key = "auth";
    int rc = ce_bus_auth_load(&cfg, out, err, errlen);
    ce_test_rmtree(dir);
    ce_free(secret);
    ce_free(dir);
    return rc;
}

static void test_argo_format(void **state)
{
    (void)state;
    struct ce_bus_auth a;
    char err[256] = "";
    /* what the controller writes: no trailing newline */
    assert_int_equal(ba_load("username: u1\npassword: p:w#1", &a, err, sizeof(err)), CE_OK);
    assert_string_equal(a.username, "u1");
    assert_string_equal(a.password, "p:w#1");
    ce_bus_auth_fini(&a);
    assert_null(a.username);
    assert_int_equal(ba_load("username: \"u 2\"\n", &a, err, sizeof(err)), CE_OK);
    assert_string_equal(a.username, "u 2");
    assert_null(a.password);
    ce_bus_auth_fini(&a);
}

static void test_bad_secrets(void **state)
{
    (void)state;
    struct ce_bus_auth a;
    char err[256] = "";
    assert_int_equal(ba_load(NULL, &a, err, sizeof(err)), CE_ENOENT);
    assert_non_null(strstr(err, "/bus/auth"));
    assert_int_equal(ba_load("password: p\n", &a, err, sizeof(err)), CE_EINVAL);
    assert_string_equal(err, "no username in it");
    assert_null(a.password); /* nothing half-filled */
    assert_int_equal(ba_load("just a token", &a, err, sizeof(err)), CE_EINVAL);
    assert_string_equal(err, "not YAML with username and password");
    assert_int_equal(ba_load("username: [a\n", &a, err, sizeof(err)), CE_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argo_format),
        cmocka_unit_test(test_bad_secrets),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
