/* SPDX-License-Identifier: Apache-2.0 */
/* Makes the cluster hold what a build wants (controller/build.h): creates what is missing,
 * writes what changed (by the hash annotation only, so an unchanged object costs one read and no
 * write), and deletes what the owner's labels select that the build no longer wants. */
#ifndef CE_CONTROLLER_APPLY_H
#define CE_CONTROLLER_APPLY_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stddef.h>

struct ce_kube_client;

/* What went wrong, in the words of Argo's status reasons: reason is "<Verb><Kind>Failed"
 * (CreateDeploymentFailed, UpdateDeploymentFailed, DeleteServiceFailed ...), message the
 * server's. */
struct ce_ctl_apply_error {
    char reason[96];
    char message[600];
};

/* Applies built->objects (an array of {object, mode}) in ns; owner_selector selects every
 * object built for the same owner. CE_OK, CE_RETRY (worth retrying) or another error, with e
 * filled. */
int ce_ctl_apply(struct ce_kube_client *c, const char *ns, const json_t *objects,
                 const char *owner_selector, struct ce_ctl_apply_error *e) CE_MUST_CHECK;
/* Deletes every object owner_selector selects in ns (the owner is being deleted), persistent
 * volume claims too. */
int ce_ctl_apply_delete_all(struct ce_kube_client *c, const char *ns, const char *owner_selector,
                            struct ce_ctl_apply_error *e) CE_MUST_CHECK;

#endif
