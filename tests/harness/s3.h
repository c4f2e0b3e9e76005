/* SPDX-License-Identifier: Apache-2.0 */
/* The S3 test server (tests/fixtures/s3_server.py) started on a free port, its test hooks, and
 * uploads made with the real curl tool (`curl --aws-sigv4 ... -T file`), as a user would. */
#ifndef CE_TESTS_HARNESS_S3_H
#define CE_TESTS_HARNESS_S3_H

#include <stdbool.h>

struct ce_test_s3;

/* ce_test_skip unless python3 and curl are installed: call from main, before ce_test_run. */
void ce_test_s3_require(void);
/* Starts the server with the keys ("ACCESS:SECRET", NULL-terminated) and buckets
 * (NULL-terminated). Fails the test when it does not come up within 10 s. */
struct ce_test_s3 *ce_test_s3_start(const char *const keys[], const char *const buckets[]);
/* Stops the server and frees s; accepts NULL. */
void ce_test_s3_stop(struct ce_test_s3 *s);
int ce_test_s3_port(const struct ce_test_s3 *s);

/* PUT content as bucket/key with curl, signed with access:secret; the HTTP status curl saw (0
 * when curl failed). */
long ce_test_s3_put(const struct ce_test_s3 *s, const char *access, const char *secret,
                    const char *bucket, const char *key, const char *content);
/* DELETE bucket/key the same way. */
long ce_test_s3_delete(const struct ce_test_s3 *s, const char *access, const char *secret,
                       const char *bucket, const char *key);
/* POST /_control/<what> (e.g. "drop", "stall", "fail?status=403&count=2"); the status. */
long ce_test_s3_control(const struct ce_test_s3 *s, const char *what);
/* A counter of GET /_control/stats: listens, active, puts, denied, failed; -1 on error. */
long ce_test_s3_stat(const struct ce_test_s3 *s, const char *name);

#endif
