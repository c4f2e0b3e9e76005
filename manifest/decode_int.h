/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to manifest/: the private part of the manifest set (interned file names, the node
 * trees the objects point into, skipped documents) and the per-kind decoders. */
#ifndef CE_MANIFEST_DECODE_INT_H
#define CE_MANIFEST_DECODE_INT_H

#include "manifest/mdec.h"
#include "manifest/plugin.h"

/* A skipped document, for lint's notes. */
struct ce_manifest_skip {
    struct ce_pos pos;
    char *what; /* "ConfigMap trigger-store" */
};

/* The set as allocated: the public part first, so the public pointer converts back. */
struct ce_manifest_set_priv {
    struct ce_manifest_set pub;
    char **files;
    int n_files;
    struct ce_node **roots; /* documents whose nodes the objects point into */
    int n_roots;
    struct ce_manifest_skip *skips;
    int n_skips;
    const struct ce_manifest_plugins *plugins;
    struct ce_mdec_refs refs;                /* every secret / config map the decoders resolved */
    const struct ce_mdec_recorder *recorder; /* NULL: nothing recorded */
};

/* Per-kind decoders: spec is the spec node (may be NULL). They fill the object, report every
 * problem, and the caller keeps the object only when no error was added. */
void ce_manifest_decode_eventsource(struct ce_mdec *c, const struct ce_node *spec,
                                    struct ce_eventsource *es);
void ce_manifest_decode_sensor(struct ce_mdec *c, const struct ce_node *spec, struct ce_sensor *sn);
void ce_manifest_decode_eventbus(struct ce_mdec *c, const struct ce_node *spec,
                                 struct ce_eventbus *eb);

/* Triggers of a Sensor spec (manifest/trigger.c); needs sn->deps for conditions. */
void ce_manifest_decode_triggers(struct ce_mdec *c, const struct ce_node *spec,
                                 struct ce_sensor *sn);
void ce_manifest_trigger_fini(struct ce_trigger *t);

void ce_manifest_eventsource_free(struct ce_eventsource *es);
void ce_manifest_sensor_free(struct ce_sensor *sn);
void ce_manifest_eventbus_free(struct ce_eventbus *eb);

#endif
