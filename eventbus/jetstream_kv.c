/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver's key-value store, where Sensors keep their condition state (see
 * jetstream_int.h). */
#include "eventbus/jetstream_int.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <limits.h>
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
int jsbus_kv_purge_deletes(struct ce_bus_kv *kvb, int64_t older_than_ms)
{
    struct jsbus_kv *k = (struct jsbus_kv *)kvb;
    kvPurgeOptions po;
    kvPurgeOptions_Init(&po);
    /* in nanoseconds; 0 would mean cnats' own default (30 min): a negative value is "every
     * marker" */
    po.DeleteMarkersOlderThan = -1;
    if (older_than_ms > 0) {
        po.DeleteMarkersOlderThan =
            older_than_ms < INT64_MAX / 1000000 ? older_than_ms * 1000000 : INT64_MAX;
    }
    natsStatus s = kvStore_PurgeDeletes(k->kv, &po);
    if (s == NATS_NOT_FOUND) {
        return CE_OK; /* an empty bucket */
    }
    return jsbus_rc(s, 0);
}
