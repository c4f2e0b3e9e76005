/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets and config maps as mounted files, Argo's layout: secret S key K is <dir>/S/K, config
 * map C key K is <config dir>/C/K. The same manifest works in a pod and on a laptop. */
#ifndef CE_CORE_SECRETS_H
#define CE_CORE_SECRETS_H

#include "core/base/rc.h"

#include <stddef.h>

#define CE_SECRETS_DIR_DEFAULT "/argo-events/secrets"
#define CE_CONFIG_DIR_DEFAULT "/argo-events/config"
#define CE_SECRET_MAX_BYTES (1024 * 1024)

/* Reads <dir>/<name>/<key> into a fresh heap string (free with ce_free). Names containing "/"
 * or ".." are refused (CE_EINVAL). CE_ENOENT when missing, CE_ETOOBIG past CE_SECRET_MAX_BYTES.
 * One trailing "\n" is removed, as Argo does (editors add one). */
int ce_secret_read(const char *dir, const char *name, const char *key, char **out,
                   size_t *len) CE_MUST_CHECK;

#endif
