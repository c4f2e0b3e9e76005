/* SPDX-License-Identifier: Apache-2.0 */
/* The seen set's records in the bus's key-value store (see seen_store.h). */
#include "eventsource/seen_store.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventbus/bus.h"
#include "eventsource/emit.h"

#include <string.h>

#define STORE_BASELINE "baseline"
/* A record deleted this long ago loses its delete marker, younger ones keep theirs (the age NATS'
 * own clients keep by default): a replica still reading an older listing sees the deletion. The
 * purge stops at each marker, so a record put again meanwhile stays. */
#define STORE_GONE_KEEP_MS (30 * 60 * 1000)
/* The tidying reads every key: once an hour is enough for a bucket that grows a key per file. */
#define STORE_TIDY_EVERY_MS (60 * 60 * 1000)

void ce_seen_store_init(struct ce_seen_store *s, struct ce_bus *bus, const char *bucket,
                        const char *source_name, const char *event_name)
{
    memset(s, 0, sizeof(*s));
    s->bus = bus;
    s->bucket = bucket;
    s->source_name = source_name;
    s->event_name = event_name;
    ce_emit_id_from_key(source_name, event_name, "", 0, s->prefix);
    s->prefix[32] = '.';
    s->prefix[33] = '\0';
}

void ce_seen_store_fini(struct ce_seen_store *s)
{
    if (s->kv != NULL) {
        ce_bus_kv_close(s->kv);
        s->kv = NULL;
    }
}

static struct ce_bus_kv *store_kv(struct ce_seen_store *s)
{
    if (s->kv == NULL && ce_bus_connected(s->bus) &&
        ce_bus_kv_open(s->bus, s->bucket, &s->kv) != CE_OK) {
        s->kv = NULL;
    }
    return s->kv;
}

/* prefix + the name's hash (or a fixed word), in key (66 bytes). */
static void store_key(const struct ce_seen_store *s, const char *name, const char *word,
                      char key[66])
{
    memcpy(key, s->prefix, 33);
    if (word != NULL) {
        memcpy(key + 33, word, strlen(word) + 1);
        return;
    }
    ce_emit_id_from_key(s->source_name, s->event_name, name, strlen(name), key + 33);
}

static void store_load_one(struct ce_seen_store *s, const char *key, struct ce_seen_set *seen,
                           int *rc)
{
    char *value = NULL, *name = NULL;
    struct ce_watch_stat st;
    int r = ce_bus_kv_get(s->kv, key, &value, NULL);
    if (r == CE_OK && ce_seen_record_parse(value, &name, &st)) {
        if (!ce_seen_set_put(seen, name, &st)) {
            ce_log_kv(CE_LOG_WARN, "too many files recorded: the rest are ignored", "eventName",
                      s->event_name, NULL);
        }
    }
    else if (r != CE_OK && r != CE_ENOENT) {
        *rc = r;
    }
    ce_free(name);
    ce_free(value);
}

static void store_tidy_now(struct ce_seen_store *s)
{
    s->next_tidy_ms = ce_clock_mono_ms() + STORE_TIDY_EVERY_MS;
    int rc = ce_bus_kv_purge_deletes(s->kv, STORE_GONE_KEEP_MS);
    if (rc == CE_OK) {
        /* the bus does not say how many it removed */
        ce_log_kv(CE_LOG_DEBUG, "removed the records of files gone for 30 minutes", "bucket",
                  s->bucket, "eventName", s->event_name, NULL);
    }
    else if (!s->tidy_failing) {
        ce_log_kv(CE_LOG_WARN,
                  "could not remove the records of files gone; trying again in an hour", "bucket",
                  s->bucket, "eventName", s->event_name, "error", ce_rc_str(rc), NULL);
    }
    s->tidy_failing = rc != CE_OK;
}

/* The first call after the load tidies at once: after the records were read and the directory
 * listed, not before, since the bus is asked once per deleted key, which takes a while in a
 * bucket that was never tidied; the changes meanwhile wait in the kernel's queue or the next
 * listing. */
void ce_seen_store_tidy(struct ce_seen_store *s)
{
    if (s->kv != NULL && ce_clock_mono_ms() >= s->next_tidy_ms) {
        store_tidy_now(s);
    }
}

int ce_seen_store_load(struct ce_seen_store *s, struct ce_seen_set *seen, bool *baseline)
{
    *baseline = false;
    if (store_kv(s) == NULL) {
        return CE_EUNAVAIL;
    }
    char **keys = NULL;
    int n = 0;
    int rc = ce_bus_kv_keys(s->kv, &keys, &n);
    for (int i = 0; rc == CE_OK && i < n; i++) {
        if (strncmp(keys[i], s->prefix, 33) != 0) {
            continue; /* another event's */
        }
        if (strcmp(keys[i] + 33, STORE_BASELINE) == 0) {
            *baseline = true;
            continue;
        }
        store_load_one(s, keys[i], seen, &rc);
    }
    ce_bus_kv_keys_free(keys, n);
    return rc;
}

int ce_seen_store_put(struct ce_seen_store *s, const char *name, const struct ce_watch_stat *st)
{
    if (store_kv(s) == NULL) {
        return CE_EUNAVAIL;
    }
    char key[66];
    store_key(s, name, NULL, key);
    struct ce_buf rec;
    ce_buf_init(&rec, 0);
    ce_seen_record_format(name, st, &rec);
    int rc = ce_bus_kv_put(s->kv, key, rec.data, rec.len);
    ce_buf_fini(&rec);
    return rc;
}

int ce_seen_store_del(struct ce_seen_store *s, const char *name)
{
    if (store_kv(s) == NULL) {
        return CE_EUNAVAIL;
    }
    char key[66];
    store_key(s, name, NULL, key);
    int rc = ce_bus_kv_delete(s->kv, key);
    return rc == CE_ENOENT ? CE_OK : rc;
}

int ce_seen_store_mark_baseline(struct ce_seen_store *s)
{
    if (store_kv(s) == NULL) {
        return CE_EUNAVAIL;
    }
    char key[66];
    store_key(s, NULL, STORE_BASELINE, key);
    return ce_bus_kv_put(s->kv, key, "1", 1);
}
