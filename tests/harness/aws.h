/* SPDX-License-Identifier: Apache-2.0 */
/* The SQS/SNS test server (tests/fixtures/aws_server.py) for the AWS source tests: started on a
 * free port with known keys, driven through its unsigned /_ctl/ calls. */
#ifndef CE_TEST_HARNESS_AWS_H
#define CE_TEST_HARNESS_AWS_H

#include <jansson.h>

#define CE_TEST_AWS_ACCESS_KEY "AKIDCEVENTSTEST"
#define CE_TEST_AWS_SECRET_KEY "cevents-test-secret"

struct ce_test_aws;

/* Starts the server with extra arguments (NULL-terminated, may be NULL; e.g. "--queue", "q").
 * Exits 77 (skip) when python3 or openssl is missing; fails the test when it does not serve. */
struct ce_test_aws *ce_test_aws_start(const char *const extra[]);
/* "http://127.0.0.1:<port>" */
const char *ce_test_aws_url(const struct ce_test_aws *a);
/* GET /_ctl/<what>?k=v&... (pairs NULL-terminated, values percent-encoded): the JSON answer,
 * which the caller json_decrefs. Fails the test when there is none. */
json_t *ce_test_aws_ctl(struct ce_test_aws *a, const char *what, ...) __attribute__((sentinel));
/* Writes dir/<name>/accesskey and secretkey with the server's keys (a mounted secret). */
void ce_test_aws_write_secret(const char *dir, const char *name);
/* Stops the server; accepts NULL. */
void ce_test_aws_stop(struct ce_test_aws *a);

#endif
