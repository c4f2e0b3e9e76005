/* SPDX-License-Identifier: Apache-2.0 */
/* What a k8s or argoWorkflow trigger keeps from its start to its end, shared by both plugins:
 * the names it speaks of (trigger, sensor, the Sensor's namespace), where it reads config maps
 * and secrets, the block's compiled `parameters` and the `policy.k8s` label policy. */
#ifndef CE_TRIGGERS_KACTION_TRIGGER_H
#define CE_TRIGGERS_KACTION_TRIGGER_H

#include "core/base/rc.h"
#include "manifest/model.h"
#include "triggers/kobject.h"
#include "triggers/trigger.h"

#include <jansson.h>
#include <stddef.h>

struct ce_kaction_trigger {
    char *name, *sensor, *sensor_ns, *config_dir, *secrets_dir;
    struct ce_params *params; /* <block>.parameters: edit the object */
    struct ce_kobj_label_policy policy;
    const struct ce_trigger_env *env;
};

/* Fills t for trigger, whose action block is template.<block_key>. On failure logs why (naming
 * block_key and the trigger) and leaves t for ce_kaction_trigger_fini. */
int ce_kaction_trigger_init(struct ce_kaction_trigger *t, const char *block_key,
                            const struct ce_sensor *sensor, const struct ce_trigger *trigger,
                            const struct ce_trigger_env *env) CE_MUST_CHECK;
void ce_kaction_trigger_fini(struct ce_kaction_trigger *t);

/* The object of this firing from source, with the parameters applied. */
int ce_kaction_trigger_object(const struct ce_kaction_trigger *t,
                              const struct ce_kobj_source *source,
                              const struct ce_trigger_event *ev, int n, json_t **obj, char *err,
                              size_t errlen) CE_MUST_CHECK;

#endif
