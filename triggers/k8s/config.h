/* SPDX-License-Identifier: Apache-2.0 */
/* The decoded `k8s` block (Argo's StandardK8STrigger). */
#ifndef CE_TRIGGERS_K8S_CONFIG_H
#define CE_TRIGGERS_K8S_CONFIG_H

#include "manifest/plugin.h"
#include "triggers/kobject.h"

enum k8s_op { K8S_CREATE, K8S_UPDATE, K8S_PATCH, K8S_DELETE };

struct k8s_config {
    enum k8s_op op;
    struct ce_kobj_source source;
    char *patch_strategy; /* a Content-Type; Argo's default merge patch when not given */
    bool live_object;     /* update: start from the stored object */
};

extern const struct ce_block_decoder ce_k8s_block;
const char *k8s_op_name(enum k8s_op op);

#endif
