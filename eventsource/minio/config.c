/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.minio.<event>: bucket, endpoint, region, insecure, the key and CA secrets,
 * events, the object-key filter and metadata, with the checks Argo's controller makes and the
 * one it misses (an empty `events`, which a MinIO server takes for a bucket listing). */
#include "eventsource/minio/config.h"
#include "core/base/mem.h"
#include "manifest/plugin.h"

#include <stdlib.h>
#include <string.h>

static const char *const minio_keys[] = {"bucket",        "endpoint",  "events",    "filter",
                                         "insecure",      "accessKey", "secretKey", "region",
                                         "caCertificate", "metadata",  NULL};
static const char *const minio_bucket_keys[] = {"name", "key", NULL};
static const char *const minio_filter_keys[] = {"prefix", "suffix", NULL};

/* The event names of MinIO's notification package; a "*" form matches a family. */
static const char *const minio_event_names[] = {
    "s3:ObjectAccessed:*",
    "s3:ObjectAccessed:Get",
    "s3:ObjectAccessed:GetRetention",
    "s3:ObjectAccessed:GetLegalHold",
    "s3:ObjectAccessed:Head",
    "s3:ObjectAccessed:Attributes",
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:PutRetention",
    "s3:ObjectCreated:PutLegalHold",
    "s3:ObjectCreated:PutTagging",
    "s3:ObjectCreated:DeleteTagging",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRemoved:NoOP",
    "s3:ObjectRemoved:DeleteAllVersions",
    "s3:LifecycleDelMarkerExpiration:Delete",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationCompletedReplication",
    "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectTransition:*",
    "s3:ObjectTransition:Failed",
    "s3:ObjectTransition:Complete",
    "s3:Scanner:*",
    "s3:Scanner:ManyVersions",
    "s3:Scanner:BigPrefix",
    "s3:BucketCreated:*",
    "s3:BucketRemoved:*",
    NULL,
};

bool ce_minio_event_name_known(const char *name)
{
    for (int i = 0; minio_event_names[i] != NULL; i++) {
        if (strcmp(name, minio_event_names[i]) == 0) {
            return true;
        }
    }
    return false;
}

static int minio_kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

static void minio_metadata(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    const struct ce_node *md = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, md)) {
        m->metadata = ce_xcalloc((size_t)md->n_pairs + 1, sizeof(*m->metadata));
        for (int i = 0; i < md->n_pairs; i++) {
            const struct ce_node *k = md->pairs[i].key;
            const struct ce_node *v = md->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            m->metadata[m->n_metadata].key = ce_xstrdup(k->str);
            m->metadata[m->n_metadata].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            m->n_metadata++;
        }
        qsort(m->metadata, (size_t)m->n_metadata, sizeof(*m->metadata), minio_kv_cmp);
    }
    ce_mdec_pop(c, old);
}

static void minio_bucket(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    const struct ce_node *b = ce_node_get(ev, "bucket");
    size_t old = ce_mdec_push(c, "bucket");
    if (ce_mdec_map(c, b)) {
        m->bucket = ce_mdec_str(c, b, "name", false);
        if (m->bucket == NULL || m->bucket[0] == '\0') {
            ce_mdec_err_missing(c, b, ce_node_get(b, "name") ? ce_node_get(b, "name") : b, "name",
                                "bucket name can't be empty");
        }
        char *key = ce_mdec_str(c, b, "key", false); /* a trigger's field: unused here */
        ce_free(key);
        ce_mdec_known(c, b, minio_bucket_keys);
    }
    ce_mdec_pop(c, old);
}

static void minio_endpoint(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    m->endpoint = ce_mdec_str(c, ev, "endpoint", true);
    const struct ce_node *at = ce_node_get(ev, "endpoint");
    if (m->endpoint == NULL) {
        return;
    }
    if (m->endpoint[0] == '\0') {
        ce_mdec_err_key(c, at, "endpoint", "endpoint url can't be empty");
    }
    else if (strstr(m->endpoint, "://") != NULL || strpbrk(m->endpoint, "/?# ") != NULL) {
        ce_mdec_err_key(c, at, "endpoint",
                        "must be host or host:port, without a scheme or a path (insecure: true "
                        "selects plain HTTP)");
    }
    m->region = ce_mdec_str(c, ev, "region", false);
    if (m->region != NULL && (m->region[0] == '\0' || strchr(m->region, ':') != NULL)) {
        if (m->region[0] != '\0') {
            ce_mdec_err_key(c, ce_node_get(ev, "region"), "region", "not a region name");
        }
        CE_FREE(m->region);
    }
}

static void minio_events(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    const struct ce_node *list = ce_node_get(ev, "events");
    if (list == NULL || ce_node_is_null(list) || (list->type == CE_NODE_SEQ && !list->n_items)) {
        ce_mdec_err_missing(c, ev, list ? list : ev, "events",
                            "at least one event name is required (s3:ObjectCreated:* ...)");
        return;
    }
    if (list->type != CE_NODE_SEQ || list->n_items > CE_MINIO_MAX_EVENTS) {
        ce_mdec_err_key(c, list, "events", "must be a list of at most %d event names",
                        CE_MINIO_MAX_EVENTS);
        return;
    }
    m->events = ce_xcalloc((size_t)list->n_items + 1, sizeof(*m->events));
    size_t old = ce_mdec_push(c, "events");
    for (int i = 0; i < list->n_items; i++) {
        const struct ce_node *it = list->items[i];
        size_t o2 = ce_mdec_push_index(c, i);
        if (!ce_node_is_string(it) || it->len == 0) {
            ce_mdec_err(c, it, "unknown event \"\": an S3 event name is required");
        }
        else {
            if (!ce_minio_event_name_known(it->str)) {
                ce_mdec_warn(c, it,
                             "\"%s\" is not an event name MinIO knows; the server will "
                             "refuse the listen request (400)",
                             it->str);
            }
            m->events[m->n_events++] = ce_xstrdup(it->str);
        }
        ce_mdec_pop(c, o2);
    }
    ce_mdec_pop(c, old);
}

static void minio_filter(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    const struct ce_node *f = ce_node_get(ev, "filter");
    size_t old = ce_mdec_push(c, "filter");
    if (ce_mdec_map(c, f)) {
        m->prefix = ce_mdec_str(c, f, "prefix", false);
        m->suffix = ce_mdec_str(c, f, "suffix", false);
        ce_mdec_known(c, f, minio_filter_keys);
    }
    ce_mdec_pop(c, old);
    if (m->prefix == NULL) {
        m->prefix = ce_xstrdup("");
    }
    if (m->suffix == NULL) {
        m->suffix = ce_xstrdup("");
    }
}

static void minio_secrets(struct ce_mdec *c, const struct ce_node *ev, struct ce_minio_config *m)
{
    ce_mdec_secret(c, ev, "accessKey", &m->access_key);
    ce_mdec_secret(c, ev, "secretKey", &m->secret_key);
    ce_mdec_secret(c, ev, "caCertificate", &m->ca_certificate);
    if (!m->access_key.set) {
        ce_mdec_err_missing(c, ev, ev, "accessKey", "access key can't be empty");
    }
    if (!m->secret_key.set) {
        ce_mdec_err_missing(c, ev, ev, "secretKey", "secret key can't be empty");
    }
}

static void minio_free(void *config)
{
    struct ce_minio_config *m = config;
    ce_free(m->bucket);
    ce_free(m->endpoint);
    ce_free(m->region);
    ce_mdec_secret_free(&m->access_key);
    ce_mdec_secret_free(&m->secret_key);
    ce_mdec_secret_free(&m->ca_certificate);
    for (int i = 0; i < m->n_events; i++) {
        ce_free(m->events[i]);
    }
    ce_free(m->events);
    ce_free(m->prefix);
    ce_free(m->suffix);
    for (int i = 0; i < m->n_metadata; i++) {
        ce_free(m->metadata[i].key);
        ce_free(m->metadata[i].value);
    }
    ce_free(m->metadata);
    ce_free(m);
}

static void *minio_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_minio_config *m = ce_xcalloc(1, sizeof(*m));
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev, "the event has no settings (endpoint, bucket, events, keys)");
        }
        return m;
    }
    minio_bucket(c, ev, m);
    minio_endpoint(c, ev, m);
    m->insecure = ce_mdec_bool(c, ev, "insecure");
    minio_secrets(c, ev, m);
    minio_events(c, ev, m);
    minio_filter(c, ev, m);
    minio_metadata(c, ev, m);
    return m;
}

const struct ce_block_decoder ce_minio_decoder = {
    .key = "minio",
    .keys = minio_keys,
    .decode = minio_decode,
    .free_config = minio_free,
    .owns_filter = true,
};
