/* SPDX-License-Identifier: Apache-2.0 */
/* core/http/aws: the canonical query libcurl 7.88 signs as given (sorted, upper-case %XX), the
 * credentials chain (given, environment, shared credentials file and profile) and the S3/AWS
 * XML error text. Signed requests against a server are in tests/integration/test_minio.c. */
#include "core/http/aws.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_query_canonical(void **state)
{
    (void)state;
    struct ce_aws_query q = {0};
    ce_aws_query_add(&q, "suffix", "");
    ce_aws_query_add(&q, "events", "s3:ObjectCreated:*");
    ce_aws_query_add(&q, "ping", "10");
    ce_aws_query_add(&q, "events", "s3:ObjectRemoved:Delete");
    ce_aws_query_add(&q, "prefix", "a b/c~d+e");
    char *s = ce_aws_query_string(&q);
    assert_string_equal(s, "events=s3%3AObjectCreated%3A%2A&events=s3%3AObjectRemoved%3ADelete&"
                           "ping=10&prefix=a%20b%2Fc~d%2Be&suffix=");
    ce_free(s);
    ce_aws_query_fini(&q);
    s = ce_aws_query_string(&q);
    assert_string_equal(s, "");
    ce_free(s);
}

static void test_uri_encode(void **state)
{
    (void)state;
    char *s = ce_aws_uri_encode("bucket/dir/ü x.jpg", true);
    assert_string_equal(s, "bucket/dir/%C3%BC%20x.jpg");
    ce_free(s);
    s = ce_aws_uri_encode("a/b", false);
    assert_string_equal(s, "a%2Fb");
    ce_free(s);
}

static void clear_env(void)
{
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_ACCESS_KEY");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SECRET_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}

static void test_creds_given_and_env(void **state)
{
    (void)state;
    clear_env();
    struct ce_aws_creds c;
    char err[400];
    assert_int_equal(ce_aws_creds_resolve("AK", "SK", "", &c, err, sizeof err), CE_OK);
    assert_string_equal(c.access_key, "AK");
    assert_null(c.session_token);
    assert_string_equal(c.origin, "given");
    ce_aws_creds_fini(&c);

    setenv("AWS_ACCESS_KEY_ID", "EAK", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ESK", 1);
    setenv("AWS_SESSION_TOKEN", "TOK", 1);
    assert_int_equal(ce_aws_creds_resolve(NULL, "", NULL, &c, err, sizeof err), CE_OK);
    assert_string_equal(c.access_key, "EAK");
    assert_string_equal(c.secret_key, "ESK");
    assert_string_equal(c.session_token, "TOK");
    assert_string_equal(c.origin, "environment");
    ce_aws_creds_fini(&c);

    assert_int_equal(ce_aws_creds_resolve("A\nB", "SK", NULL, &c, err, sizeof err), CE_EINVAL);
    clear_env();
}

static void test_creds_file(void **state)
{
    (void)state;
    clear_env();
    char *dir = ce_test_tmpdir("aws");
    char *path = ce_xasprintf("%s/credentials", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# comment\n[default]\naws_access_key_id = DAK\naws_secret_access_key=DSK\n\n"
          "[ci] \r\n; another\naws_access_key_id\t= CAK \naws_secret_access_key = CSK\n"
          "aws_session_token = CTOK\n[empty]\naws_access_key_id = X\n",
          f);
    fclose(f);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    struct ce_aws_creds c;
    char err[400];
    assert_int_equal(ce_aws_creds_resolve(NULL, NULL, NULL, &c, err, sizeof err), CE_OK);
    assert_string_equal(c.access_key, "DAK");
    assert_string_equal(c.secret_key, "DSK");
    assert_null(c.session_token);
    ce_aws_creds_fini(&c);

    setenv("AWS_PROFILE", "ci", 1);
    assert_int_equal(ce_aws_creds_resolve(NULL, NULL, NULL, &c, err, sizeof err), CE_OK);
    assert_string_equal(c.access_key, "CAK");
    assert_string_equal(c.session_token, "CTOK");
    assert_string_equal(c.origin, "shared credentials file");
    ce_aws_creds_fini(&c);

    setenv("AWS_PROFILE", "empty", 1);
    assert_int_equal(ce_aws_creds_resolve(NULL, NULL, NULL, &c, err, sizeof err), CE_ENOENT);
    assert_non_null(strstr(err, "[empty]"));
    setenv("AWS_PROFILE", "nope", 1);
    assert_int_equal(ce_aws_creds_resolve(NULL, NULL, NULL, &c, err, sizeof err), CE_ENOENT);
    assert_non_null(strstr(err, "no profile [nope]"));

    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
    assert_int_equal(ce_aws_creds_resolve(NULL, NULL, NULL, &c, err, sizeof err), CE_ENOENT);
    assert_non_null(strstr(err, "no AWS credentials"));
    clear_env();
    ce_free(path);
    ce_test_rmtree(dir);
    free(dir);
}

static void test_error_text(void **state)
{
    (void)state;
    const char *xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The "
                      "specified bucket does not exist</Message><BucketName>b</BucketName></Error>";
    char out[200];
    ce_aws_error_text(xml, strlen(xml), out, sizeof out);
    assert_string_equal(out, "NoSuchBucket: The specified bucket does not exist");
    ce_aws_error_text("<Code>X", 7, out, sizeof out);
    assert_string_equal(out, "");
    ce_aws_error_text("plain", 5, out, sizeof out);
    assert_string_equal(out, "");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_canonical),     cmocka_unit_test(test_uri_encode),
        cmocka_unit_test(test_creds_given_and_env), cmocka_unit_test(test_creds_file),
        cmocka_unit_test(test_error_text),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
