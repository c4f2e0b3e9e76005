/* SPDX-License-Identifier: Apache-2.0 */
/* The decoding context every manifest decoder uses, manifest/'s own and the plugins': field
 * getters that report type errors with the file's positions and the field's path, and the strict
 * unknown-key check. A plugin decodes its block with these, so its messages read like the rest. */
#ifndef CE_MANIFEST_MDEC_H
#define CE_MANIFEST_MDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/node.h"

#define CE_MDEC_PATH_MAX 512

struct ce_manifest_plugins;

/* The most distinct secret (or config map) names one set records; a pod could not mount more. */
#define CE_MDEC_MAX_REFS 256

enum ce_mdec_ref_kind { CE_MDEC_REF_SECRET = 0, CE_MDEC_REF_CONFIG_MAP };

/* The secrets and config maps the decoders resolved, each name once in the order first met:
 * what a pod running the decoded objects must have mounted (at <secrets-dir>/<name> and
 * <config-dir>/<name>). Recorded by the decoders themselves, so it cannot drift from what the
 * processes read. */
struct ce_mdec_refs {
    char **names[2]; /* by enum ce_mdec_ref_kind */
    int n[2];
    bool overflow; /* a name beyond CE_MDEC_MAX_REFS was met and not recorded */
};

/* What a getter asked a field to be. */
enum ce_mdec_kind { CE_MDEC_STRING = 0, CE_MDEC_INT, CE_MDEC_BOOL, CE_MDEC_SECRET };

/* A listener told what the decoders ask of each map node: the fields they read (and as what)
 * and the keys they know. Tools that describe the manifest model from the decoders themselves
 * (the CRD schema generator) set one on a manifest set; decoding is the same with or without.
 * What the calls point to lives as long as the set's nodes (map) or only during the call (key,
 * keys): a recorder copies what it keeps. */
struct ce_mdec_recorder {
    void (*field)(void *arg, const struct ce_node *map, const char *key, enum ce_mdec_kind kind);
    void (*known)(void *arg, const struct ce_node *map, const char *const *keys);
    void *arg;
};

struct ce_mdec {
    const char *file; /* interned in the set */
    struct ce_diag *diag;
    bool strict;
    const struct ce_manifest_plugins *plugins; /* may be NULL: no plugin decodes its block */
    /* While a plugin decodes a block: the object the block belongs to (the whole trigger, for
     * its action block; the event's settings are the block itself), for checks that depend on
     * it. NULL otherwise. */
    const struct ce_node *owner;
    struct ce_mdec_refs *refs; /* where resolved references go; NULL: not recorded */
    char path[CE_MDEC_PATH_MAX];
    size_t path_len;
    const struct ce_mdec_recorder *recorder; /* NULL (the usual): nothing is recorded */
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
/* ConfigMapKeySelector at map.key (the same fields; recorded as a config map). */
void ce_mdec_config_map(struct ce_mdec *c, const struct ce_node *map, const char *key,
                        struct ce_secret_ref *out);
/* Records that the object being decoded reads secret or config map name (c->refs). */
void ce_mdec_ref(struct ce_mdec *c, enum ce_mdec_ref_kind kind, const char *name);
void ce_mdec_refs_fini(struct ce_mdec_refs *r);
/* The names of the secrets or config maps that the objects decoded into set reference (each
 * once, in the order first met): their count, or -1 when there were more than CE_MDEC_MAX_REFS. */
int ce_manifest_set_refs(const struct ce_manifest_set *set, enum ce_mdec_ref_kind kind,
                         const char *const **names);
/* Present and not null/empty (empty map, empty list, empty string). */
bool ce_mdec_nonempty(const struct ce_node *map, const char *key);
/* A key of map that looks like a misspelling of key (close, but not it), or NULL: the did-you-mean
 * for a required field that is missing, given without --strict. */
const struct ce_node *ce_mdec_near_key(const struct ce_node *map, const char *key);
/* The error for a missing required key of map, at node at (path = current path + key): what,
 * and the misspelling that is probably it. */
void ce_mdec_err_missing(struct ce_mdec *c, const struct ce_node *map, const struct ce_node *at,
                         const char *key, const char *what);
/* Strict mode: every key of map must match known (case-insensitively); NULL-terminated. */
void ce_mdec_known(struct ce_mdec *c, const struct ce_node *map, const char *const *known);
/* Edit distance, ASCII case-insensitive, capped at cap+1. */
int ce_mdec_distance(const char *a, const char *b, int cap);

void ce_mdec_secret_free(struct ce_secret_ref *s);

/* A list of TriggerParameters at map.key (src.dependencyName required, dest required unless
 * dest_optional, operation one of overwrite/append/prepend). True when it is a non-empty list. */
bool ce_mdec_parameters(struct ce_mdec *c, const struct ce_node *map, const char *key,
                        bool dest_optional);

#endif
