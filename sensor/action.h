/* SPDX-License-Identifier: Apache-2.0 */
/* A trigger's action as a firing sees it. A trigger without template-level `parameters` is
 * prepared by its plugin once, at start. A trigger with them is rebuilt at every firing, as Argo
 * Events does: the parameters edit the template with the firing's events, the edited trigger is
 * decoded again (by the kind's plugin, as at load) and the plugin prepares it for this firing
 * only. So an edit reaches every part of any kind's block (its url, its own parameters, its
 * payload, its headers), and no plugin needs to know about template-level parameters. */
#ifndef CE_SENSOR_ACTION_H
#define CE_SENSOR_ACTION_H

#include "core/base/rc.h"

#include <stddef.h>

struct ce_sensor;
struct ce_trigger;
struct ce_trigger_env;
struct ce_trigger_event;
struct ce_trigger_plugin;
struct ce_sn_action;

/* Prepares t (plugin is its kind's); env is copied. CE_OK, or an error already logged. */
int ce_sn_action_create(const struct ce_sensor *s, const struct ce_trigger *t,
                        const struct ce_trigger_plugin *plugin, const struct ce_trigger_env *env,
                        struct ce_sn_action **out) CE_MUST_CHECK;
void ce_sn_action_destroy(struct ce_sn_action *a);

/* One firing's prepared action. */
struct ce_sn_act {
    void *state;               /* the plugin's, for execute and describe */
    struct ce_trigger *edited; /* the rebuilt trigger, NULL when the one prepared at start serves */
};

/* The action for one firing with these events: the one made at start, or one made from the
 * edited trigger. CE_EINVAL with the reason in err when the edit cannot be applied or leaves an
 * invalid trigger (a permanent failure of this firing). Pair with ce_sn_action_end. */
int ce_sn_action_begin(struct ce_sn_action *a, const struct ce_trigger_event *events, int n,
                       struct ce_sn_act *act, char *err, size_t errlen) CE_MUST_CHECK;
void ce_sn_action_end(struct ce_sn_action *a, struct ce_sn_act *act);

const struct ce_trigger_plugin *ce_sn_action_plugin(const struct ce_sn_action *a);

#endif
