/* SPDX-License-Identifier: Apache-2.0 */
/* The Kubernetes object a k8s or argoWorkflow trigger acts on, shared by both plugins: its
 * `source` (Argo's ArtifactLocation) decoded and checked, loaded at firing time into a JSON
 * object, the action's parameters applied to it, the labels Argo adds to what a trigger
 * creates, and the `policy.k8s` label policy. */
#ifndef CE_TRIGGERS_KOBJECT_H
#define CE_TRIGGERS_KOBJECT_H

#include "core/base/rc.h"
#include "manifest/mdec.h"
#include "manifest/model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_params;
struct ce_trigger_event;

#define CE_KOBJ_MAX_BYTES (4 * 1024 * 1024) /* a fetched object (file, url, config map) */

enum ce_kobj_from {
    CE_KOBJ_NONE,
    CE_KOBJ_RESOURCE,
    CE_KOBJ_INLINE,
    CE_KOBJ_FILE,
    CE_KOBJ_URL,
    CE_KOBJ_CONFIGMAP,
    CE_KOBJ_S3,
    CE_KOBJ_GIT
};

/* source.s3 (Argo's S3Artifact as a trigger source): one object, GET with a SigV4 signature. */
struct ce_kobj_s3 {
    char *bucket, *key, *endpoint, *region; /* region: NULL for us-east-1 */
    bool insecure;                          /* http instead of https */
    struct ce_secret_ref access_key, secret_key, ca_certificate;
};

/* source.git (Argo's GitArtifact): filePath read from a commit of a cloned repository. */
struct ce_kobj_git {
    char *url, *clone_dir, *file_path;
    char *branch, *tag, *ref;       /* the first given of ref, tag, branch wins; none: master */
    char *remote_name, *remote_url; /* remote: an extra remote fetched and used for branches */
    struct ce_secret_ref username, password, ssh_key;
    bool insecure_ignore_host_key;
};

struct ce_kobj_source {
    enum ce_kobj_from from;
    json_t *object; /* resource, or inline parsed at decode time */
    char *path;     /* file: its path; url: the URL */
    bool verify_cert;
    char *cm_name, *cm_key; /* configmap */
    struct ce_kobj_s3 *s3;
    struct ce_kobj_git *git;
    /* resource: the node the object came from; inline: the text's node. For the Workflow
     * checks (borrowed from the manifest while decoding only). */
    const struct ce_node *node;
};

/* Decodes block.source (required): exactly one of resource, inline, file, url, configmap, s3,
 * git. */
void ce_kobj_source_decode(struct ce_mdec *c, const struct ce_node *block,
                           struct ce_kobj_source *out);
void ce_kobj_source_fini(struct ce_kobj_source *s);
/* Where the object comes from, for people ("source.resource", "source.url https://..."). */
void ce_kobj_source_describe(const struct ce_kobj_source *s, char *out, size_t outlen);

/* The object for one firing (a fresh copy): the resource, or the text read from the file, URL,
 * config map (<config_dir>/<name>/<key>), S3 object or git file as YAML or JSON. The s3 and git
 * keys are secrets under secrets_dir (NULL: CEVENTS_SECRETS_DIR, else the default). */
int ce_kobj_source_load(const struct ce_kobj_source *s, const char *config_dir,
                        const char *secrets_dir, json_t **out, char *err,
                        size_t errlen) CE_MUST_CHECK;

/* source.s3 and source.git: decoding (c's path at the source) and reading at firing time. */
void ce_kobj_s3_decode(struct ce_mdec *c, const struct ce_node *s3, struct ce_kobj_source *out);
void ce_kobj_s3_free(struct ce_kobj_s3 *s3);
int ce_kobj_s3_read(const struct ce_kobj_s3 *s3, const char *secrets_dir, char **out, size_t *len,
                    char *err, size_t errlen) CE_MUST_CHECK;
void ce_kobj_git_decode(struct ce_mdec *c, const struct ce_node *git, struct ce_kobj_source *out);
void ce_kobj_git_free(struct ce_kobj_git *git);
int ce_kobj_git_read(const struct ce_kobj_git *git, const char *secrets_dir, char **out,
                     size_t *len, char *err, size_t errlen) CE_MUST_CHECK;
/* GETs a source.url (retried 5 times, 1 s apart, when unreachable or 5xx). */
int ce_kobj_fetch_url(const char *url, bool verify_cert, char **out, size_t *len, char *err,
                      size_t errlen) CE_MUST_CHECK;
/* One YAML or JSON document holding an object. */
int ce_kobj_parse(const char *text, size_t len, const char *origin, json_t **out, char *err,
                  size_t errlen) CE_MUST_CHECK;

/* Applies the action's parameters to *obj (replaced by the result). */
int ce_kobj_apply_params(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                         json_t **obj, char *err, size_t errlen) CE_MUST_CHECK;

/* The three labels Argo puts on what a trigger creates. */
void ce_kobj_add_labels(json_t *obj, const char *sensor, const char *trigger, int64_t now_ms);

/* metadata.<key> as a string, or NULL. */
const char *ce_kobj_meta(const json_t *obj, const char *key);
/* Sets metadata.<key> (creating metadata). */
void ce_kobj_set_meta(json_t *obj, const char *key, const char *value);
/* Sets metadata.<field>.<key> (labels or annotations). */
void ce_kobj_set_meta_map(json_t *obj, const char *field, const char *key, const char *value);

struct ce_buf;
/* obj as YAML (heap), as kubectl shows objects. */
char *ce_kobj_to_yaml(const json_t *obj);
/* Appends obj as YAML, each line after indent and two spaces (for `cevents explain`). */
void ce_kobj_describe_object(const json_t *obj, const char *indent, struct ce_buf *out);

/* policy.k8s: wait until the created object carries labels (Argo's ResourceLabels). */
struct ce_kobj_label_policy {
    json_t *labels; /* object of string values; NULL: no policy */
    int64_t duration_ns;
    double factor, jitter;
    int steps;
    bool error_on_timeout;
};

/* Decodes trigger.policy.k8s (c's path names the trigger), checking the backoff. */
void ce_kobj_policy_decode(struct ce_mdec *c, const struct ce_node *trigger,
                           struct ce_kobj_label_policy *out);
/* The same from the trigger's JSON at firing time; no policy leaves labels NULL. */
int ce_kobj_policy_from_json(const json_t *trigger, struct ce_kobj_label_policy *out, char *err,
                             size_t errlen) CE_MUST_CHECK;
void ce_kobj_policy_fini(struct ce_kobj_label_policy *p);
/* True when obj's labels hold every label of the policy. */
bool ce_kobj_policy_met(const struct ce_kobj_label_policy *p, const json_t *obj);
/* The wait before check number `step` (0 = none before the first). */
int64_t ce_kobj_policy_wait_ns(const struct ce_kobj_label_policy *p, int step, double rnd);

#endif
