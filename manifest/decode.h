/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to manifest/: the decoding context shared by the per-kind decoders (field getters
 * that report type errors with positions and paths, strict unknown-key checks) and the private
 * part of the manifest set (interned file names, the node trees the objects point into). */
#ifndef CE_MANIFEST_DECODE_H
#define CE_MANIFEST_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/node.h"

#define CE_MDEC_PATH_MAX 512

struct ce_mdec {
    const char *file; /* interned in the set */
    struct ce_diag *diag;
    bool strict;
    char path[CE_MDEC_PATH_MAX];
    size_t path_len;
};

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
};

/* Path building: push returns the previous length for pop. */
size_t ce_mdec_push(struct ce_mdec *c, const char *key);
size_t ce_mdec_push_index(struct ce_mdec *c, int i);
void ce_mdec_pop(struct ce_mdec *c, size_t len);

struct ce_pos ce_mdec_pos(const struct ce_mdec *c, const struct ce_node *n);
/* Error at node n, path = current path. */
void ce_mdec_err(struct ce_mdec *c, const struct ce_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ce_mdec_warn(struct ce_mdec *c, const struct ce_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Error at node n, path = current path + "." + key. */
void ce_mdec_err_key(struct ce_mdec *c, const struct ce_node *n, const char *key, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

/* Checks that n is a map (error otherwise). NULL/null nodes count as absent: returns false. */
bool ce_mdec_map(struct ce_mdec *c, const struct ce_node *n);
/* String field: NULL when absent/null (error when required), error when not a scalar. */
char *ce_mdec_str(struct ce_mdec *c, const struct ce_node *map, const char *key, bool required);
/* Integer field (number or numeric string). Returns true when present and valid. */
bool ce_mdec_int(struct ce_mdec *c, const struct ce_node *map, const char *key, int64_t *out);
/* Bool field; false when absent. */
bool ce_mdec_bool(struct ce_mdec *c, const struct ce_node *map, const char *key);
/* SecretKeySelector at map.key. */
void ce_mdec_secret(struct ce_mdec *c, const struct ce_node *map, const char *key,
                    struct ce_secret_ref *out);
/* Present and not null/empty (empty map, empty list, empty string). */
bool ce_mdec_nonempty(const struct ce_node *map, const char *key);
/* Strict mode: every key of map must match known (case-insensitively); NULL-terminated. */
void ce_mdec_known(struct ce_mdec *c, const struct ce_node *map, const char *const *known);
/* Edit distance, ASCII case-insensitive, capped at cap+1. */
int ce_mdec_distance(const char *a, const char *b, int cap);

void ce_mdec_secret_free(struct ce_secret_ref *s);

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
