/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials from AWS STS, as the AWS SDKs get them where keys are not given: web identity
 * (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, what EKS gives a pod's service account:
 * AssumeRoleWithWebIdentity) and a role to assume (a manifest's roleARN: AssumeRole, signed
 * with the keys found first). The STS endpoint is AWS_ENDPOINT_URL_STS (else AWS_ENDPOINT_URL,
 * else https://sts.<region>.amazonaws.com), as in the SDKs. */
#ifndef CE_CORE_HTTP_AWS_STS_H
#define CE_CORE_HTTP_AWS_STS_H

#include "core/base/rc.h"
#include "core/http/aws.h"

#include <stddef.h>
#include <stdint.h>

#define CE_AWS_STS_MAX_TOKEN (64 * 1024) /* a web identity token file read */

/* ce_aws_creds_resolve, then, when that finds no keys and the web identity variables are set,
 * AssumeRoleWithWebIdentity; then, when role_arn is not NULL or empty, AssumeRole with those
 * keys. *expires_ms: when the keys stop working (wall clock ms), 0 when they do not expire.
 * CE_OK, or an error with the reason in err (out then holds nothing). */
int ce_aws_creds_get(const char *access_key, const char *secret_key, const char *session_token,
                     const char *role_arn, const char *region, struct ce_aws_creds *out,
                     int64_t *expires_ms, char *err, size_t errlen) CE_MUST_CHECK;

#endif
