/* SPDX-License-Identifier: Apache-2.0 */
/* What the k8s and argoWorkflow triggers share when they call the Kubernetes API (kube/): the
 * client each trigger keeps, failures turned into a log line naming the verb, the resource and
 * the API's reason (retryable only for 5xx, 429 and network errors), a create that a redelivered
 * firing cannot repeat, and the `policy.k8s` label wait. */
#ifndef CE_TRIGGERS_KACTION_H
#define CE_TRIGGERS_KACTION_H

#include "kube/client.h"
#include "triggers/kobject.h"
#include "triggers/trigger.h"

#include <jansson.h>

/* The trigger's client, made once from the configuration every Kubernetes tool finds (a pod's
 * service account, KUBECONFIG, ~/.kube/config). client NULL: err says why. */
struct ce_kaction_keep {
    struct ce_kube_client *client;
    char err[256];
};

void *ce_kaction_keep_create(void);
void ce_kaction_keep_destroy(void *kept);
/* The kept client, or CE_EINVAL with the reason in res. */
int ce_kaction_client(const struct ce_trigger_env *env, struct ce_kube_client **out,
                      struct ce_trigger_result *res) CE_MUST_CHECK;

/* Logs a failed call and fills res: "<verb> <resource> <ns>/<name>: <reason>: <message>".
 * Returns CE_RETRY for a retryable failure, else rc (CE_EREMOTE, CE_ENOENT ...). */
int ce_kaction_fail(struct ce_kube_client *c, const char *trigger, const char *verb,
                    const json_t *obj, const char *ns, int rc, const struct ce_kube_error *e,
                    struct ce_trigger_result *res);

/* The name an object with only generateName gets for this firing: generateName followed by 10
 * characters derived from the sensor, the trigger and the firing's events (source, subject, id),
 * so a redelivered firing names the same object. */
void ce_kaction_firing_name(const char *generate_name, const char *sensor, const char *trigger,
                            const struct ce_trigger_event *ev, int n, char *out, size_t outlen);

struct ce_kaction_who {
    const char *sensor, *trigger;
    const struct ce_trigger_event *ev;
    int n;
};

/* Creates obj in ns. An object with only generateName is named by ce_kaction_firing_name, and
 * an AlreadyExists for that name is the same firing's earlier create (a retry, or a redelivery
 * after a crash): the existing object is the result. *created (may be NULL) is the object. */
int ce_kaction_create_once(struct ce_kube_client *c, json_t *obj, const char *ns,
                           const struct ce_kaction_who *who, json_t **created,
                           struct ce_kube_error *e) CE_MUST_CHECK;

/* policy.k8s: GETs the object until its labels match (see kobject.h). CE_OK when they do or the
 * backoff ran out without errorOnBackoffTimeout; CE_ETIMEDOUT with it; a failed GET fails. */
int ce_kaction_policy_wait(struct ce_kube_client *c, const struct ce_kobj_label_policy *p,
                           const json_t *obj, struct ce_kube_error *e) CE_MUST_CHECK;

#endif
