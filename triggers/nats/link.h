/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS trigger's connection: one per trigger, made at its first firing (so `cevents lint`
 * and `cevents explain` never connect), reused by every firing and by every state of a trigger
 * rebuilt per firing, reconnecting by itself for as long as the Sensor runs. Made again when
 * the settings it was made with change (a trigger whose parameters edit its url). */
#ifndef CE_TRIGGERS_NATS_LINK_H
#define CE_TRIGGERS_NATS_LINK_H

#include "core/base/rc.h"

#include <stddef.h>

struct ce_nats_link;
struct ce_nats_trigger_config;

#define CE_NATS_FLUSH_TIMEOUT_MS 5000  /* the server's answer to the flush after a publish */
#define CE_NATS_RECONNECT_WAIT_MS 1000 /* between reconnection attempts to one server */

struct ce_nats_link *ce_nats_link_create(void);
/* Closes the connection; no publish may be running. Accepts NULL. */
void ce_nats_link_destroy(struct ce_nats_link *l);

/* Publishes data[0..len) to subject and waits until the server has processed it (a flush
 * answered), connecting first with cfg's settings and the secrets under secrets_dir when there
 * is no connection yet. CE_OK; CE_RETRY when the server is unreachable, the connection is
 * down, or the flush was not answered in time (a retry may publish the message a second time);
 * a permanent code for what a retry cannot fix: CE_ENOENT/CE_EINVAL (a secret that cannot be
 * read or is not valid), CE_EMSGSIZE (larger than the server takes). Thread-safe: publishes on
 * one link are serialised. */
int ce_nats_link_publish(struct ce_nats_link *l, const struct ce_nats_trigger_config *cfg,
                         const char *secrets_dir, const char *subject, const char *data, size_t len,
                         char *err, size_t errlen) CE_MUST_CHECK;

#endif
