/* SPDX-License-Identifier: Apache-2.0 */
/* The typed view of Argo Events manifests that the runtimes use: EventSource, Sensor and
 * EventBus, each field decoded with Argo's habits (numbers as strings, case-insensitive keys)
 * and each object carrying the position it came from, for errors that point at the file. */
#ifndef CE_MANIFEST_MODEL_H
#define CE_MANIFEST_MODEL_H

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

/* One entry of spec.webhook (Argo's WebhookContext plus the event's filter). */
struct ce_webhook_event {
    char *event_name; /* the map key under spec.webhook */
    int port;         /* 1..65535 */
    char *endpoint;   /* starts with "/" */
    char *method;     /* upper-case HTTP method */
    char *url;        /* optional, informational */
    struct ce_secret_ref server_cert_secret;
    struct ce_secret_ref server_key_secret;
    struct ce_secret_ref auth_secret;
    int64_t max_payload_size; /* bytes; default 1048576 */
    struct ce_kv *metadata;   /* sorted by key */
    int n_metadata;
    char *filter_expression; /* filter.expression, NULL when absent */
    struct ce_pos pos;       /* of the event's map key */
};

struct ce_eventsource {
    char *name;
    char *namespace_; /* metadata.namespace or NULL */
    char *event_bus_name;
    int replicas;
    struct ce_webhook_event *webhooks;
    int n_webhooks;
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
    bool has_payload;             /* e.g. template.http.payload */
    bool has_retry_strategy;
    bool has_rate_limit;
    bool has_dlq_trigger;
    bool has_policy;
    bool has_conditions_reset;
    int64_t log_interval_seconds;
    struct ce_trigger *dlq; /* dlqTrigger, or NULL */
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

int ce_manifest_set_create(struct ce_manifest_set **out) __attribute__((warn_unused_result));
void ce_manifest_set_destroy(struct ce_manifest_set *set);

/* Loads every document of buf (filename is used in positions). Valid objects are added to set;
 * every problem is added to diag (strict adds unknown-key findings as errors). Returns CE_OK
 * when the YAML could be read at all (look at ce_diag_errors for validity), CE_EPARSE or
 * CE_ETOOBIG otherwise (also reported in diag). */
int ce_manifest_load_buf(struct ce_manifest_set *set, const char *buf, size_t len,
                         const char *filename, bool strict, struct ce_diag *diag)
    __attribute__((warn_unused_result));
/* A file, or every *.yaml / *.yml / *.json file of a directory (sorted, not recursive). */
int ce_manifest_load_path(struct ce_manifest_set *set, const char *path, bool strict,
                          struct ce_diag *diag) __attribute__((warn_unused_result));

#define CE_MANIFEST_MAX_FILE_BYTES (16 * 1024 * 1024)

#endif
