/* SPDX-License-Identifier: Apache-2.0 */
/* What the controller wants to exist for one EventSource, Sensor or EventBus: pure functions
 * from the object (as the API server returns it) to the objects to create or keep up to date,
 * and the status conditions its spec earns. The reconciler (controller/reconcile.c) applies
 * them; nothing here talks to the API server, so every rule is testable on its own. */
#ifndef CE_CONTROLLER_BUILD_H
#define CE_CONTROLLER_BUILD_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ce_manifest_plugins;

/* The annotation holding a built object's hash: the reconciler writes an object only when it
 * differs from the one on the existing object (Argo's rule, so an unchanged spec causes no
 * write and no rollout). */
#define CE_CTL_HASH_ANNOTATION "resource-spec-hash"

/* Where the pods find the manifest the controller wrote into a ConfigMap. */
#define CE_CTL_MANIFEST_DIR "/etc/cevents/manifest"

/* What every build needs to know about the installation. */
struct ce_ctl_env {
    const char *image;       /* the cevents image for generated pods (CEVENTS_IMAGE) */
    const char *pull_policy; /* NULL: not set (the cluster's default) */
    const struct ce_manifest_plugins *plugins; /* decode the plugin blocks when linting */
};

/* How the reconciler treats one desired object. */
enum ce_ctl_apply_mode {
    CE_CTL_APPLY_UPDATE = 0,  /* create, or replace when its hash annotation changed */
    CE_CTL_APPLY_CREATE_ONLY, /* create when missing, never change (generated credentials) */
    CE_CTL_APPLY_RECREATE,    /* create, or delete and create again when the hash changed
                               * (a Service, as Argo does) */
};

/* The result of one build. objects is an array of {"object": {...}, "mode": <int
 * ce_ctl_apply_mode>}; each object carries apiVersion, kind, metadata (namespace, name or
 * generateName, labels, the owner reference, the hash annotation) and its body. An object
 * named by generateName is matched to the existing one by kind and the owner's labels (one per
 * kind and owner); a named one by kind and name. Objects the owner's labels select that are not
 * in the array are deleted.
 * conditions is an array of {type, status ("True"/"False"), reason, message} for the spec's own
 * conditions (SourcesProvided; DependenciesProvided and TriggersProvided; Configured ...); the
 * reconciler adds Deployed and the transition times. objects is NULL when the spec is invalid
 * (a False condition says why, with the lint message as its message). */
struct ce_ctl_built {
    json_t *objects;
    json_t *conditions;
    json_t *bus_config;       /* EventBus builds only: its status.config, NULL when not ready */
    char owner_selector[512]; /* the label selector that finds every object built for it */
};

void ce_ctl_built_fini(struct ce_ctl_built *b);

/* bus_config is the EventBus's status.config ({"jetstream": {url, accessSecret, streamConfig}});
 * NULL builds only the conditions. CE_OK, or CE_EIO when memory runs out; an invalid spec is CE_OK
 * with a False condition. */
int ce_ctl_build_eventsource(const struct ce_ctl_env *env, const json_t *es,
                             const json_t *bus_config, struct ce_ctl_built *out) CE_MUST_CHECK;
int ce_ctl_build_sensor(const struct ce_ctl_env *env, const json_t *sensor,
                        const json_t *bus_config, struct ce_ctl_built *out) CE_MUST_CHECK;
/* The StatefulSet, Services, ConfigMap and Secrets of a `jetstream:` bus (nothing for
 * `jetstreamExotic:`), its conditions, and its status.config. */
int ce_ctl_build_eventbus(const struct ce_ctl_env *env, const json_t *eb,
                          struct ce_ctl_built *out) CE_MUST_CHECK;

/* The hash of obj as the reconciler compares it: 16 hex digits of FNV-1a 64 over obj's compact
 * JSON with sorted keys. out holds at least 17 bytes. */
void ce_ctl_hash(const json_t *obj, char out[17]);
/* Sets metadata.annotations[CE_CTL_HASH_ANNOTATION] of obj to the hash of obj without it. */
int ce_ctl_stamp_hash(json_t *obj) CE_MUST_CHECK;

#endif
