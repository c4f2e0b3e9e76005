/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver's key-value store, where Sensors keep their condition state (see
 * jetstream_int.h). */
#include "eventbus/jetstream_int.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- KV ---- */

int jsbus_kv_open(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    kvStore *kv = NULL;
    natsStatus s = js_KeyValue(&kv, b->js, bucket);
    if (s == NATS_NOT_FOUND) {
        if (atomic_load(&b->replicas) == 0 && jsbus_ensure_stream(bus) != CE_OK) {
            return CE_EUNAVAIL; /* the replicas follow the stream's, so it comes first */
        }
        kvConfig kc;
        kvConfig_Init(&kc); /* Argo's default KV settings, replicated as the stream is */
        kc.Bucket = bucket;
        kc.Replicas = jsbus_kv_replicas(b);
        s = js_CreateKeyValue(&kv, b->js, &kc);
    }
    if (s != NATS_OK) {
        ce_log_kv(CE_LOG_ERROR, "Failed to open a KV bucket", "bucket", bucket, "error",
                  nats_GetLastError(NULL), NULL);
        int rc = jsbus_rc(s, 0);
        return rc == CE_EUNAVAIL || rc == CE_ETIMEDOUT ? CE_EUNAVAIL : CE_EREMOTE;
    }
    struct jsbus_kv *k = ce_xcalloc(1, sizeof(*k));
    k->base.drv = &ce_bus_jetstream_driver;
    k->kv = kv;
    k->js = b->js;
    *out = &k->base;
    return CE_OK;
}

void jsbus_kv_close(struct ce_bus_kv *kvb)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    kvStore_Destroy(k->kv);
    ce_free(k);
}

int jsbus_kv_get(struct ce_bus_kv *kvb, const char *key, char **val, size_t *len)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    kvEntry *e = NULL;
    natsStatus s = kvStore_Get(&e, k->kv, key);
    if (s == NATS_OK) {
        int n = kvEntry_ValueLen(e);
        const void *v = kvEntry_Value(e);
        *val = ce_xmalloc((size_t)n + 1);
        if (n > 0) {
            memcpy(*val, v, (size_t)n);
        }
        (*val)[n] = '\0';
        if (len != NULL) {
            *len = (size_t)n;
        }
    }
    kvEntry_Destroy(e);
    return jsbus_rc(s, 0);
}

int jsbus_kv_put(struct ce_bus_kv *kvb, const char *key, const void *val, size_t len)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    if (len > INT_MAX) {
        return CE_ETOOBIG;
    }
    uint64_t rev = 0;
    return jsbus_rc(kvStore_Put(&rev, k->kv, key, val, (int)len), 0);
}

int jsbus_kv_delete(struct ce_bus_kv *kvb, const char *key)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    int rc = jsbus_rc(kvStore_Delete(k->kv, key), 0);
    return rc == CE_ENOENT ? CE_OK : rc;
}

int jsbus_kv_keys(struct ce_bus_kv *kvb, char ***keys, int *n)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    kvKeysList list = {0};
    natsStatus s = kvStore_Keys(&list, k->kv, NULL);
    if (s == NATS_NOT_FOUND) {
        return CE_OK; /* an empty bucket */
    }
    if (s == NATS_OK && list.Count > 0) {
        *keys = ce_xcalloc((size_t)list.Count, sizeof(char *));
        for (int i = 0; i < list.Count; i++) {
            (*keys)[i] = ce_xstrdup(list.Keys[i]);
        }
        *n = list.Count;
    }
    kvKeysList_Destroy(&list);
    return jsbus_rc(s, 0);
}

/* cnats reads every key's latest entry, then purges the subject of each one whose latest is a
 * delete: with its marker when the delete is older than the limit, down to the marker alone
 * otherwise. It does not say how many it removed. */
/* The delete and purge markers of keys deleted before cutoff_ns (every one when 0), with their
 * sequences, read with a watcher over the bucket's latest entries. */
static int kv_old_markers(kvStore *kv, int64_t cutoff_ns, char ***keys, uint64_t **seqs, int *n)
{
    kvWatchOptions o;
    kvWatchOptions_Init(&o);
    o.MetaOnly = true;
    kvWatcher *w = NULL;
    natsStatus s = kvStore_WatchAll(&w, kv, &o);
    int cap = 0;
    for (kvEntry *e = NULL; s == NATS_OK; kvEntry_Destroy(e)) {
        s = kvWatcher_Next(&e, w, 5000);
        if (s != NATS_OK || e == NULL) {
            break; /* NULL: every key's latest entry has been seen */
        }
        kvOperation op = kvEntry_Operation(e);
        bool old = cutoff_ns == 0 || kvEntry_Created(e) < cutoff_ns;
        if ((op == kvOp_Delete || op == kvOp_Purge) && old) {
            if (*n == cap) {
                cap = cap ? 2 * cap : 16;
                *keys = ce_xrealloc(*keys, (size_t)cap * sizeof(**keys));
                *seqs = ce_xrealloc(*seqs, (size_t)cap * sizeof(**seqs));
            }
            (*keys)[*n] = ce_xstrdup(kvEntry_Key(e));
            (*seqs)[(*n)++] = kvEntry_Revision(e);
        }
    }
    kvWatcher_Destroy(w);
    return jsbus_rc(s, 0);
}

/* Removes the markers of keys deleted longer ago than older_than_ms (all of them when <= 0).
 * cnats 3.4.1's kvStore_PurgeDeletes leaks an entry per marker, and purges a key's whole
 * subject, so a value put again between its listing and its purge would go too: each key's
 * subject is purged here only up to and including its marker. */
int jsbus_kv_purge_deletes(struct ce_bus_kv *kvb, int64_t older_than_ms)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    int64_t cutoff_ns = 0;
    if (older_than_ms > 0) {
        int64_t now_ms = ce_clock_wall_ms();
        cutoff_ns = (now_ms > older_than_ms ? now_ms - older_than_ms : 0) * 1000000;
    }
    char **keys = NULL;
    uint64_t *seqs = NULL;
    int n = 0;
    int rc = kv_old_markers(k->kv, cutoff_ns, &keys, &seqs, &n);
    char stream[300];
    snprintf(stream, sizeof stream, "KV_%s", kvStore_Bucket(k->kv));
    for (int i = 0; i < n; i++) {
        char *subject = ce_xasprintf("$KV.%s.%s", kvStore_Bucket(k->kv), keys[i]);
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Stream.Purge.Subject = subject;
        jo.Stream.Purge.Sequence = seqs[i] + 1; /* up to and including the marker */
        jsErrCode jerr = 0;
        if (rc == CE_OK) {
            rc = jsbus_rc(js_PurgeStream(k->js, stream, &jo, &jerr), jerr);
        }
        ce_free(subject);
        ce_free(keys[i]);
    }
    ce_free(keys);
    ce_free(seqs);
    return rc;
}
