/* SPDX-License-Identifier: Apache-2.0 */
/* The credentials of an EventBus's accessSecret: the mounted secret file holds YAML with
 * `username` and `password`, the way Argo's bus clients read /etc/eventbus/auth/auth.yaml (a
 * JetStream bus with an accessSecret always uses basic auth there). */
#ifndef CE_EVENTBUS_BUS_AUTH_H
#define CE_EVENTBUS_BUS_AUTH_H

#include "core/base/rc.h"

#include <stddef.h>

struct ce_bus_config;

struct ce_bus_auth {
    char *username;
    char *password;
};

/* Reads cfg's accessSecret (cfg->auth_secret set) into out. CE_OK, or the reason in err:
 * CE_ENOENT (no such file), CE_EINVAL (not YAML with a username), CE_ETOOBIG. */
int ce_bus_auth_load(const struct ce_bus_config *cfg, struct ce_bus_auth *out, char *err,
                     size_t errlen) CE_MUST_CHECK;
/* Wipes and frees the credentials. */
void ce_bus_auth_fini(struct ce_bus_auth *a);

#endif
