/* SPDX-License-Identifier: Apache-2.0 */
/* The status the controller writes on an EventSource, Sensor or EventBus: conditions sorted by
 * type (as Argo keeps them), each with the time it last changed, and an EventBus's config.
 * Written only when something in it changed, so a reconcile that finds everything in place
 * writes nothing (and wakes no watcher). */
#ifndef CE_CONTROLLER_STATUS_H
#define CE_CONTROLLER_STATUS_H

#include "core/base/rc.h"

#include <jansson.h>

struct ce_kube_client;

/* Appends {type, status, reason, message} to conds. */
void ce_ctl_condition(json_t *conds, const char *type, const char *status, const char *reason,
                      const char *message);
/* Writes conds (and config when not NULL: json_null() removes it) as obj's status when they
 * differ from obj's current status. */
int ce_ctl_status_write(struct ce_kube_client *c, const json_t *obj, const json_t *conds,
                        const json_t *config) CE_MUST_CHECK;

#endif
