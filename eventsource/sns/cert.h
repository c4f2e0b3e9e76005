/* SPDX-License-Identifier: Apache-2.0 */
/* SNS signing certificates, fetched once per URL and kept: SNS signs every message with the same
 * few certificates, so a check after the first costs no request. Thread-safe. */
#ifndef CE_EVENTSOURCE_SNS_CERT_H
#define CE_EVENTSOURCE_SNS_CERT_H

#include "core/base/rc.h"

#include <stddef.h>

#define CE_SNS_CERT_CACHE 16 /* URLs kept; past that the oldest is dropped */

struct ce_sns_certs;

struct ce_sns_certs *ce_sns_certs_create(void);
void ce_sns_certs_destroy(struct ce_sns_certs *c);
/* The certificate at url (PEM) as a heap copy, fetched when not cached yet. CE_OK, or an error
 * with the reason in err. */
int ce_sns_certs_get(struct ce_sns_certs *c, const char *url, char **pem, size_t *len, char *err,
                     size_t errlen) CE_MUST_CHECK;

#endif
