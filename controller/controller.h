/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents controller`: turns EventSources, Sensors and EventBuses in a Kubernetes cluster into
 * the Deployments, Services, ConfigMaps and StatefulSets that run them (docs/kubernetes.md).
 * Watches the three kinds and what it made for them, reconciles each changed object from a work
 * queue with per-object backoff, resyncs everything periodically, and acts only while it holds
 * the leader Lease (when leader election is on). */
#ifndef CE_CONTROLLER_CONTROLLER_H
#define CE_CONTROLLER_CONTROLLER_H

#include "controller/build.h"
#include "core/base/rc.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ce_kube_client;

struct ce_ctl_opts {
    const char *ns;  /* the managed namespace (where the Lease lives) */
    bool namespaced; /* watch only ns; else every namespace */
    bool leader_election;
    const char *lease_name;
    const char *identity; /* this replica, for the Lease */
    int64_t lease_ms, renew_deadline_ms, retry_ms;
    int64_t resync_ms; /* every object is reconciled again this often */
    struct ce_ctl_env env;
    atomic_bool *ready; /* set once the controller watches (for /readyz); may be NULL */
};

/* Runs until stop is set (CE_OK) or the leader Lease is lost (CE_EAUTH: the process should exit
 * and be restarted, as Kubernetes controllers do). */
int ce_controller_run(struct ce_kube_client *c, const struct ce_ctl_opts *o,
                      const atomic_bool *stop) CE_MUST_CHECK;

#endif
