/* SPDX-License-Identifier: Apache-2.0 */
/* The typed view of Argo Events manifests that the runtimes use: EventSource, Sensor and
 * EventBus, each field decoded with Argo's habits (numbers as strings, case-insensitive keys)
 * and each object carrying the position it came from, for errors that point at the file. */
#ifndef CE_MANIFEST_MODEL_H
#define CE_MANIFEST_MODEL_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_diag;
struct ce_node; /* the YAML node tree with positions, manifest/node.h */

/* Where something was written. file is owned by the manifest set and lives as long as it. */
struct ce_pos {
    const char *file;
    int line; /* 1-based */
    int col;  /* 1-based */
};

/* A Kubernetes SecretKeySelector: {name, key, optional}. set is false when absent. */
struct ce_secret_ref {
    char *name;
    char *key;
    bool optional;
    bool set;
    struct ce_pos pos;
};

struct ce_kv {
    char *key;
    char *value;
};

struct ce_block_decoder;

/* One event of an EventSource: spec.<type>.<name>. What every type shares is decoded here; the
 * rest is the plugin's (config, decoded by the type's plugin, manifest/plugin.h). */
struct ce_es_event {
    char *name;              /* the map key under spec.<type> */
    const char *type;        /* the type key as Argo spells it ("webhook", "calendar") */
    char *filter_expression; /* filter.expression, NULL when absent */
    void *config;            /* the plugin's decoded block; NULL without a plugin */
    const struct ce_block_decoder *decoder; /* the plugin's decoder, NULL without a plugin */
    struct ce_pos pos;                      /* of the event's map key */
    const struct ce_node *node;             /* the event's settings */
};

struct ce_eventsource {
    char *name;
    char *namespace_; /* metadata.namespace or NULL */
    char *event_bus_name;
    int replicas;
    struct ce_es_event *events; /* sorted by type (as in source_types), then name */
    int n_events;
    char **source_types; /* every event source type key present under spec (webhook, kafka...) */
    int n_source_types;
    struct ce_pos pos; /* of the document */
    const struct ce_node *spec;
};

struct ce_dependency {
    char *name;
    char *event_source_name;
    char *event_name;
    bool has_filters;
    bool has_transform;
    char *filters_logical_operator; /* "and" (default) or "or" */
    struct ce_pos pos;
    const struct ce_node *node;
};

struct ce_trigger {
    char *name;       /* template.name */
    char *conditions; /* template.conditions or NULL */
    char *kind;       /* the trigger type key in the template: log, http, k8s, argoWorkflow... */
    bool at_least_once;
    bool has_template_parameters; /* parameters of the trigger (not of its action) */
    bool has_action_parameters;   /* e.g. template.http.parameters */
    bool has_payload;             /* e.g. template.http.payload, a non-empty list */
    bool has_retry_strategy;
    bool has_rate_limit;
    bool has_dlq_trigger;
    bool has_policy;
    bool has_conditions_reset;
    void *action; /* the action block as its plugin decoded it; NULL without a plugin */
    const struct ce_block_decoder *action_decoder; /* NULL without a plugin */
    const struct ce_node *action_node;             /* template.<kind>, or NULL */
    struct ce_trigger *dlq;                        /* dlqTrigger, or NULL */
    struct ce_pos pos;
    const struct ce_node *node;
};

struct ce_sensor {
    char *name;
    char *namespace_;
    char *event_bus_name;
    int replicas;
    struct ce_dependency *deps;
    int n_deps;
    struct ce_trigger *triggers;
    int n_triggers;
    struct ce_pos pos;
    const struct ce_node *spec;
};

struct ce_eventbus {
    char *name;
    char *kind; /* "jetstream", "jetstreamExotic" or "nats" */
    char *url;  /* jetstreamExotic.url, or NULL */
    const struct ce_node *stream_config;
    struct ce_secret_ref access_secret;
    struct ce_pos pos;
    const struct ce_node *spec;
};

/* Everything loaded from the files and directories given. Owns every object in it. */
struct ce_manifest_set {
    struct ce_eventsource **eventsources;
    int n_eventsources;
    struct ce_sensor **sensors;
    int n_sensors;
    struct ce_eventbus **eventbuses;
    int n_eventbuses;
    char **skipped; /* "file:line:col: kind Name" of documents of other kinds */
    int n_skipped;
};

struct ce_manifest_plugins;
/* A set whose plugin blocks are decoded by the plugins that plugins finds (manifest/plugin.h;
 * borrowed, must outlive the set; NULL: no plugin, every block stays a node). */
int ce_manifest_set_create(const struct ce_manifest_plugins *plugins,
                           struct ce_manifest_set **out) CE_MUST_CHECK;
void ce_manifest_set_destroy(struct ce_manifest_set *set);
struct ce_mdec_recorder;
/* Every decode into set from now on tells recorder what it reads (manifest/mdec.h; borrowed,
 * must outlive the loads; NULL stops it). */
void ce_manifest_set_record(struct ce_manifest_set *set, const struct ce_mdec_recorder *recorder);

/* Loads every document of buf (filename is used in positions). Valid objects are added to set;
 * every problem is added to diag (strict adds unknown-key findings as errors). Returns CE_OK
 * when the YAML could be read at all (look at ce_diag_errors for validity), CE_EPARSE or
 * CE_ETOOBIG otherwise (also reported in diag). */
int ce_manifest_load_buf(struct ce_manifest_set *set, const char *buf, size_t len,
                         const char *filename, bool strict, struct ce_diag *diag) CE_MUST_CHECK;
/* How many files were read into set. */
int ce_manifest_set_files(const struct ce_manifest_set *set);
/* Adds a note to diag for each document skipped since the first `from` (not an Argo object);
 * returns how many have been skipped in all, the `from` of the next call. */
int ce_manifest_note_skipped(const struct ce_manifest_set *set, int from, struct ce_diag *diag);
/* Whether a directory entry named name is one ce_manifest_load_path reads: not hidden, *.yaml,
 * *.yml or *.json. */
bool ce_manifest_is_file_name(const char *name);
/* A file, or every *.yaml / *.yml / *.json file of a directory and its subdirectories (in name
 * order, hidden ones left out). */
int ce_manifest_load_path(struct ce_manifest_set *set, const char *path, bool strict,
                          struct ce_diag *diag) CE_MUST_CHECK;

/* Decodes one trigger (an item of spec.triggers) from its JSON or YAML text, outside any Sensor
 * (its conditions are not checked): the trigger a firing rebuilds from its edited template.
 * origin names the text in diag's findings and must outlive *out. CE_OK, or CE_EINVAL with the
 * findings in diag. *out owns what it points into; free it with ce_manifest_trigger_free. */
int ce_manifest_trigger_from_text(const struct ce_manifest_plugins *plugins, const char *text,
                                  size_t len, const char *origin, struct ce_diag *diag,
                                  struct ce_trigger **out) CE_MUST_CHECK;
void ce_manifest_trigger_free(struct ce_trigger *t);

#define CE_MANIFEST_MAX_FILE_BYTES (16 * 1024 * 1024)

#endif
