/* SPDX-License-Identifier: Apache-2.0 */
/* Leader election on a coordination.k8s.io/v1 Lease, so that of several controller replicas
 * only one acts. The holder renews the Lease every retry period; another replica takes it once
 * it has seen the Lease unchanged for a whole lease duration (its own clock, so clocks that
 * disagree between machines do not matter). A leader that cannot renew within the renew
 * deadline has lost: it must stop acting (the controller exits and its pod restarts, as
 * Kubernetes controllers do). Stopping releases the Lease, so a successor need not wait. */
#ifndef CE_CONTROLLER_LEADER_H
#define CE_CONTROLLER_LEADER_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_kube_client;

struct ce_ctl_leader_opts {
    const char *ns;            /* the Lease's namespace */
    const char *name;          /* the Lease's name */
    const char *identity;      /* this replica (the pod name) */
    int64_t lease_ms;          /* 15 s */
    int64_t renew_deadline_ms; /* 10 s */
    int64_t retry_ms;          /* 2 s */
};

struct ce_ctl_leader;

/* Starts campaigning on a thread of its own. */
int ce_ctl_leader_start(struct ce_kube_client *c, const struct ce_ctl_leader_opts *o,
                        struct ce_ctl_leader **out) CE_MUST_CHECK;
bool ce_ctl_leader_leading(struct ce_ctl_leader *l);
/* True once this replica led and then could not renew: it must stop acting. */
bool ce_ctl_leader_lost(struct ce_ctl_leader *l);
/* Stops campaigning and, while leading, releases the Lease. Accepts NULL. */
void ce_ctl_leader_stop(struct ce_ctl_leader *l);

#endif
