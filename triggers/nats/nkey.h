/* SPDX-License-Identifier: Apache-2.0 */
/* A NATS user NKey: the public key ("U...") that goes with a seed ("SU..."), which the NATS
 * client library needs besides the seed file to answer the server's challenge. */
#ifndef CE_TRIGGERS_NATS_NKEY_H
#define CE_TRIGGERS_NATS_NKEY_H

#include "core/base/rc.h"

#include <stddef.h>

#define CE_NKEY_PUBLIC_LEN 56 /* characters of an encoded public key */

/* The public key of the user seed in text[0..len) (surrounding white space and other lines
 * ignored: the first line that starts with "SU" is the seed). pub receives the key and a NUL.
 * CE_EINVAL with the reason in err when there is no valid user seed. */
int ce_nkey_user_public(const char *text, size_t len, char pub[CE_NKEY_PUBLIC_LEN + 1], char *err,
                        size_t errlen) CE_MUST_CHECK;

#endif
