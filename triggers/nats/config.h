/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS trigger's block (template.nats, Argo's NATSTrigger) as its decoder leaves it: where
 * to connect and how, and the subject. payload and parameters are read from the block itself at
 * each firing (parameters may edit the payload list). */
#ifndef CE_TRIGGERS_NATS_CONFIG_H
#define CE_TRIGGERS_NATS_CONFIG_H

#include "manifest/model.h"

#include <stdbool.h>

struct ce_block_decoder;

/* auth: Argo uses the first of these that is set, in this order. */
enum ce_nats_auth {
    CE_NATS_AUTH_NONE = 0,
    CE_NATS_AUTH_BASIC,      /* auth.basic.username / password */
    CE_NATS_AUTH_TOKEN,      /* auth.token */
    CE_NATS_AUTH_NKEY,       /* auth.nkey: a file holding the user's NKey seed */
    CE_NATS_AUTH_CREDENTIAL, /* auth.credential: a .creds file (JWT and seed) */
};

struct ce_nats_trigger_config {
    char *url;     /* one server or several, comma-separated; "host:port" means nats:// */
    char *subject; /* published to as written (parameters of the block do not edit it) */
    bool tls;      /* a tls block is present */
    bool tls_insecure;
    struct ce_secret_ref ca, cert, key; /* tls.caCertSecret, clientCertSecret, clientKeySecret */
    enum ce_nats_auth auth;
    /* basic: user and secret (password); token, nkey and credential: secret */
    struct ce_secret_ref user, secret;
};

extern const struct ce_block_decoder ce_nats_trigger_decoder;

#endif
