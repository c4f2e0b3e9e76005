/* SPDX-License-Identifier: Apache-2.0 */
/* What the kafka and nats trigger blocks decode the same way, each problem at its line and
 * column: `tls` (Argo's TLSConfig: caCertSecret, clientCertSecret, clientKeySecret,
 * insecureSkipVerify, enabled), a required string, the required payload list. */
#ifndef CE_TRIGGERS_BLOCK_CONFIG_H
#define CE_TRIGGERS_BLOCK_CONFIG_H

#include "manifest/model.h"

#include <stdbool.h>

struct ce_mdec;
struct ce_node;

struct ce_trigger_tls {
    bool present;  /* a tls block is there */
    bool insecure; /* insecureSkipVerify */
    struct ce_secret_ref ca, cert, key;
};

/* Where the triggers' checks differ: the "configure ..." error names `enabled` too (kafka); a
 * lone clientCertSecret or clientKeySecret is refused even with insecureSkipVerify (kafka). */
#define CE_TRIGGER_TLS_HINT_ENABLED 1u
#define CE_TRIGGER_TLS_PAIR_INSECURE 2u

/* block's `tls` (absent: nothing present). The refs in the result are the caller's to free
 * (ce_mdec_secret_free). checks: CE_TRIGGER_TLS_* bits. */
struct ce_trigger_tls ce_trigger_tls_decode(struct ce_mdec *c, const struct ce_node *block,
                                            unsigned checks);

/* block's key, a string that must be there and not be empty (heap; NULL when it is not). */
char *ce_trigger_required_str(struct ce_mdec *c, const struct ce_node *block, const char *key);
/* block's `secureHeaders` (kafka, http): each {name, valueFrom: {secretKeyRef | configMapKeyRef}}.
 */
void ce_trigger_secure_headers_decode(struct ce_mdec *c, const struct ce_node *block);
/* block's `payload`, a parameter list that must be there. */
void ce_trigger_required_payload(struct ce_mdec *c, const struct ce_node *block);

#endif
