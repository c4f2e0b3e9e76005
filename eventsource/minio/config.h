/* SPDX-License-Identifier: Apache-2.0 */
/* One minio event's settings (Argo's S3Artifact), decoded and checked by the minio plugin from
 * spec.minio.<event>. */
#ifndef CE_EVENTSOURCE_MINIO_CONFIG_H
#define CE_EVENTSOURCE_MINIO_CONFIG_H

#include <stdbool.h>

#include "manifest/model.h"

#define CE_MINIO_MAX_EVENTS 64 /* entries of `events` */

struct ce_block_decoder;

struct ce_minio_config {
    char *bucket;   /* bucket.name; NULL: every bucket (the listen API's "GET /") */
    char *endpoint; /* host[:port], no scheme */
    char *region;   /* signing region; NULL: us-east-1 */
    bool insecure;  /* plain HTTP */
    struct ce_secret_ref access_key, secret_key, ca_certificate;
    char **events; /* S3 event names, at least one */
    int n_events;
    char *prefix, *suffix;  /* filter.prefix / filter.suffix, "" when not set */
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
};

/* The decoder of the block (manifest/plugin.h); its configs are struct ce_minio_config. */
extern const struct ce_block_decoder ce_minio_decoder;

/* Whether name is an event name a MinIO server knows (s3:ObjectCreated:Put, s3:Replication:*,
 * ...). */
bool ce_minio_event_name_known(const char *name);

#endif
