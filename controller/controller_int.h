/* SPDX-License-Identifier: Apache-2.0 */
/* What the controller's parts share: the running controller and its reconcile entry point. */
#ifndef CE_CONTROLLER_INT_H
#define CE_CONTROLLER_INT_H

#include "controller/controller.h"
#include "controller/queue.h"

#include <jansson.h>

#define CE_CTL_API_VERSION "argoproj.io/v1alpha1"

struct ce_metric;

struct ce_ctl {
    struct ce_kube_client *c;
    const struct ce_ctl_opts *o;
    struct ce_ctl_queue *q;
    const char *scope; /* the namespace watched, or CE_KUBE_ALL_NAMESPACES */
    struct ce_metric *m_ok, *m_failed, *m_depth;
};

/* Reconciles the object key names ("Kind/namespace/name"). CE_OK when done (also when the
 * object is gone); another code to try again after the key's backoff. */
int ce_ctl_reconcile(struct ce_ctl *ctl, const char *key) CE_MUST_CHECK;

/* Queues every EventSource and Sensor of ns that uses the EventBus bus. */
void ce_ctl_queue_bus_users(struct ce_ctl *ctl, const char *ns, const char *bus);

/* The EventBus an EventSource or Sensor uses: spec.eventBusName, else "default". */
const char *ce_ctl_bus_name(const json_t *obj);
/* Queues every object of kind in ns (CE_KUBE_ALL_NAMESPACES: every namespace) that uses the
 * EventBus bus (NULL: every object of kind): the resync, and an EventBus's users after it
 * changed. */
void ce_ctl_queue_kind(struct ce_ctl *ctl, const char *kind, const char *ns, const char *bus);

typedef void ce_ctl_object_fn(void *arg, const char *kind, const json_t *obj);
/* Calls fn for every object of kind in ns (every namespace when NULL) that uses the EventBus bus
 * (every one when bus is NULL). CE_OK, or the listing's error (logged). */
int ce_ctl_each_object(struct ce_ctl *ctl, const char *kind, const char *ns, const char *bus,
                       ce_ctl_object_fn *fn, void *arg) CE_MUST_CHECK;

/* Queues the key of an object of kind ("EventSource") as "Kind/ns/name". */
void ce_ctl_queue_object(struct ce_ctl *ctl, const char *kind, const char *ns, const char *name,
                         int64_t delay_ms);

struct ce_ctl_watches;
/* Starts one watch thread per kind the controller follows; stop ends them. */
struct ce_ctl_watches *ce_ctl_watches_start(struct ce_ctl *ctl, const atomic_bool *stop);
void ce_ctl_watches_join(struct ce_ctl_watches *w);

#endif
