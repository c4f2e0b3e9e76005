/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the sns source: an SNS HTTP message (the JSON envelope SNS posts), the text
 * its signature covers, the rule for where its signing certificate may come from, and the
 * signature check (SignatureVersion 1: RSA with SHA1, 2: RSA with SHA256). No I/O, so tests and
 * the fuzzer call it directly. */
#ifndef CE_EVENTSOURCE_SNS_MESSAGE_H
#define CE_EVENTSOURCE_SNS_MESSAGE_H

#include "core/base/rc.h"

#include <stddef.h>

#define CE_SNS_CERT_MAX_BYTES (65 * 1024) /* a signing certificate read, as Argo reads it */

/* The envelope's string fields; absent ones are "" (every pointer is a heap string). */
struct ce_sns_message {
    char *type, *message_id, *token, *topic_arn, *subject, *message, *subscribe_url, *timestamp;
    char *signature_version, *signature, *signing_cert_url, *unsubscribe_url;
};

/* Parses body as one JSON object whose known fields, when present, are strings. CE_OK, or
 * CE_EPARSE with the reason in err (m then holds nothing to free). */
int ce_sns_message_parse(const char *body, size_t len, struct ce_sns_message *m, char *err,
                         size_t errlen) CE_MUST_CHECK;
void ce_sns_message_fini(struct ce_sns_message *m);

/* The text SNS signs: "Key\nvalue\n" for each signed key of m's type that is not empty, in
 * SNS's order. NULL for a type that is not signed (heap otherwise, *len its length). */
char *ce_sns_string_to_sign(const struct ce_sns_message *m, size_t *len);

/* Whether a SigningCertURL may be trusted: https on sns.<region>.amazonaws.com(.cn), as AWS
 * serves them, or the same scheme, host and port as endpoint (the SNS API the manifest names,
 * e.g. a local SNS; may be NULL). CE_OK or CE_EINVAL with the reason in err. */
int ce_sns_cert_url_check(const char *url, const char *endpoint, char *err,
                          size_t errlen) CE_MUST_CHECK;

/* Checks m's signature with the certificate (PEM). CE_OK, or CE_EINVAL (unsigned, an unknown
 * SignatureVersion, a bad signature or certificate) with the reason in err. */
int ce_sns_verify(const struct ce_sns_message *m, const char *cert_pem, size_t pem_len, char *err,
                  size_t errlen) CE_MUST_CHECK;

#endif
