/* SPDX-License-Identifier: Apache-2.0 */
/* The k8s trigger's calls (see ops.c). */
#ifndef CE_TRIGGERS_K8S_OPS_H
#define CE_TRIGGERS_K8S_OPS_H

#include "triggers/k8s/config.h"
#include "triggers/kaction.h"

struct ce_buf;

struct k8s_call {
    struct ce_kube_client *client; /* NULL when only describing */
    const struct k8s_config *cfg;
    const char *sensor_ns;
    struct ce_kaction_who who;
    int64_t now_ms;
    char ns[256]; /* set by k8s_prepare: the namespace the object goes to ("" cluster-wide) */
};

/* Finds the object's resource and namespace (Argo's rule: the object's, else the Sensor's; none
 * for a cluster-scoped kind), and for update with liveObject replaces *obj by the stored one. */
int k8s_prepare(struct k8s_call *a, json_t **obj, struct ce_trigger_result *res) CE_MUST_CHECK;
/* Runs the operation; *out is the resulting object (NULL after a delete). */
int k8s_run(const struct k8s_call *a, json_t *obj, json_t **out,
            struct ce_trigger_result *res) CE_MUST_CHECK;
/* For `cevents explain`: the calls the operation would make and the object it would send. */
void k8s_describe_call(const struct k8s_call *a, json_t *obj, const char *indent,
                       struct ce_buf *out);

#endif
