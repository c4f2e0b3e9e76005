/* SPDX-License-Identifier: Apache-2.0 */
/* The EventBus front door: picks the driver from the URL scheme, forwards every call to it, and
 * holds the pieces of Argo's naming scheme that do not depend on a driver (subjects, FNV-1a
 * durable names, default settings). */
#include "eventbus/bus.h"
#include "core/base/clock.h"
#include "eventbus/driver.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void ce_bus_config_defaults(struct ce_bus_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->connect_timeout_ms = 2000;
    cfg->publish_timeout_ms = 5000;
    cfg->max_pending = 65536;
    cfg->reconnect_wait_min_ms = 100;
    cfg->reconnect_wait_max_ms = 500; /* back within half a second of the server */
    cfg->stream.max_msgs = 50000;
    cfg->stream.max_age_ms = 168LL * 3600 * 1000;
    cfg->stream.max_bytes = -1;
    cfg->stream.replicas = 0;
    cfg->stream.duplicates_ms = 300LL * 1000;
    cfg->stream.retention = 0;
    cfg->stream.discard = 0;
}

static const struct ce_bus_driver *bus_driver_for(const char *url)
{
    if (url == NULL) {
        return NULL;
    }
    if (strncmp(url, "nats://", 7) == 0 || strncmp(url, "tls://", 6) == 0) {
        return &ce_bus_jetstream_driver;
    }
    if (strncmp(url, "memory://", 9) == 0) {
        return &ce_bus_memory_driver;
    }
    return NULL;
}

int ce_bus_create(const struct ce_bus_config *cfg, ce_bus_state_fn *state_fn, void *state_arg,
                  struct ce_bus **out)
{
    *out = NULL;
    if (cfg == NULL) {
        return CE_EINVAL;
    }
    const struct ce_bus_driver *drv = bus_driver_for(cfg->url);
    if (drv == NULL || cfg->publish_timeout_ms <= 0 || cfg->connect_timeout_ms <= 0 ||
        cfg->max_pending <= 0 || cfg->reconnect_wait_min_ms <= 0 ||
        cfg->reconnect_wait_max_ms < cfg->reconnect_wait_min_ms) {
        return CE_EINVAL;
    }
    return drv->create(cfg, state_fn, state_arg, out);
}

void ce_bus_destroy(struct ce_bus *bus)
{
    if (bus != NULL) {
        bus->drv->destroy(bus);
    }
}

void ce_bus_shutdown(void)
{
    const struct ce_bus_driver *drivers[] = {&ce_bus_jetstream_driver, &ce_bus_memory_driver};
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (drivers[i]->shutdown != NULL) {
            drivers[i]->shutdown();
        }
    }
}

bool ce_bus_connected(struct ce_bus *bus)
{
    return bus->drv->connected(bus);
}

int ce_bus_wait_connected(struct ce_bus *bus, int timeout_ms)
{
    return bus->drv->wait_connected(bus, timeout_ms);
}

int ce_bus_ensure_stream(struct ce_bus *bus)
{
    return bus->drv->ensure_stream(bus);
}

int64_t ce_bus_max_payload(struct ce_bus *bus)
{
    return bus->drv->max_payload != NULL ? bus->drv->max_payload(bus) : 0;
}

int ce_bus_backlog(struct ce_bus *bus, struct ce_bus_backlog *out)
{
    memset(out, 0, sizeof(*out));
    out->max_msgs = -1;
    return bus->drv->backlog(bus, out);
}

void ce_bus_set_full(struct ce_bus *bus, bool full)
{
    atomic_store(&bus->full, full);
}

int ce_bus_publish_async(struct ce_bus *bus, const char *subject, const char *msg_id,
                         const void *data, size_t len, ce_bus_publish_fn *cb, void *arg)
{
    if (subject == NULL || *subject == '\0' || msg_id == NULL || cb == NULL ||
        (data == NULL && len > 0)) {
        return CE_EINVAL;
    }
    if (atomic_load(&bus->full)) {
        return CE_EFULL;
    }
    return bus->drv->publish_async(bus, subject, msg_id, data, len, cb, arg);
}

int ce_bus_publish(struct ce_bus *bus, const char *subject, const char *msg_id, const void *data,
                   size_t len)
{
    if (subject == NULL || *subject == '\0' || msg_id == NULL || (data == NULL && len > 0)) {
        return CE_EINVAL;
    }
    if (atomic_load(&bus->full)) {
        return CE_EFULL;
    }
    return bus->drv->publish(bus, subject, msg_id, data, len);
}

int ce_bus_consumer_create(struct ce_bus *bus, const char *subject, const char *durable,
                           struct ce_bus_consumer **out)
{
    *out = NULL;
    if (subject == NULL || *subject == '\0' || durable == NULL || *durable == '\0') {
        return CE_EINVAL;
    }
    return bus->drv->consumer_create(bus, subject, durable, out);
}

void ce_bus_consumer_destroy(struct ce_bus_consumer *c)
{
    if (c != NULL) {
        c->drv->consumer_destroy(c);
    }
}

int ce_bus_consumer_delete(struct ce_bus *bus, const char *durable)
{
    if (durable == NULL || *durable == '\0') {
        return CE_EINVAL;
    }
    return bus->drv->consumer_delete(bus, durable);
}

int ce_bus_consumer_fetch(struct ce_bus_consumer *c, int max, int timeout_ms,
                          struct ce_bus_msg **msgs, int *n)
{
    *n = 0;
    if (max <= 0 || timeout_ms < 0 || msgs == NULL) {
        return CE_EINVAL;
    }
    return c->drv->consumer_fetch(c, max, timeout_ms, msgs, n);
}

/* Messages are always the pub member at the start of a driver's message object. */
static const struct ce_bus_driver *bus_msg_driver(struct ce_bus_msg *m)
{
    return ((struct ce_bus_msg_base *)(void *)m)->drv;
}

int ce_bus_msg_ack(struct ce_bus_msg *m)
{
    return bus_msg_driver(m)->msg_ack(m, true);
}

int ce_bus_msg_ack_nowait(struct ce_bus_msg *m)
{
    return bus_msg_driver(m)->msg_ack(m, false);
}

int ce_bus_msg_nak(struct ce_bus_msg *m, int64_t delay_ms)
{
    return bus_msg_driver(m)->msg_nak(m, delay_ms < 0 ? 0 : delay_ms);
}

int ce_bus_msg_in_progress(struct ce_bus_msg *m)
{
    return bus_msg_driver(m)->msg_in_progress(m);
}

int ce_bus_msg_term(struct ce_bus_msg *m)
{
    return bus_msg_driver(m)->msg_term(m);
}

void ce_bus_msg_destroy(struct ce_bus_msg *m)
{
    if (m != NULL) {
        bus_msg_driver(m)->msg_destroy(m);
    }
}

int ce_bus_kv_open(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out)
{
    *out = NULL;
    if (bucket == NULL || *bucket == '\0') {
        return CE_EINVAL;
    }
    return bus->drv->kv_open(bus, bucket, out);
}

void ce_bus_kv_close(struct ce_bus_kv *kv)
{
    if (kv != NULL) {
        kv->drv->kv_close(kv);
    }
}

int ce_bus_kv_get(struct ce_bus_kv *kv, const char *key, char **val, size_t *len)
{
    *val = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (key == NULL || *key == '\0') {
        return CE_EINVAL;
    }
    return kv->drv->kv_get(kv, key, val, len);
}

int ce_bus_kv_put(struct ce_bus_kv *kv, const char *key, const void *val, size_t len)
{
    if (key == NULL || *key == '\0' || (val == NULL && len > 0)) {
        return CE_EINVAL;
    }
    return kv->drv->kv_put(kv, key, val, len);
}

int ce_bus_kv_delete(struct ce_bus_kv *kv, const char *key)
{
    if (key == NULL || *key == '\0') {
        return CE_EINVAL;
    }
    return kv->drv->kv_delete(kv, key);
}

int ce_bus_kv_keys(struct ce_bus_kv *kv, char ***keys, int *n)
{
    *keys = NULL;
    *n = 0;
    return kv->drv->kv_keys(kv, keys, n);
}

int ce_bus_kv_purge_deletes(struct ce_bus_kv *kv, int64_t older_than_ms)
{
    return kv->drv->kv_purge_deletes(kv, older_than_ms);
}

void ce_bus_kv_keys_free(char **keys, int n)
{
    if (keys == NULL) {
        return;
    }
    for (int i = 0; i < n; i++) {
        ce_free(keys[i]);
    }
    ce_free(keys);
}

char *ce_bus_subject(const char *event_source, const char *event_name)
{
    return ce_xasprintf("default.%s.%s", event_source, event_name);
}

uint32_t ce_fnv1a32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

void ce_bus_durable_name(const char *sensor, const char *trigger, const char *dep, char *out,
                         size_t outlen)
{
    /* Argo: fmt.Sprintf("group-%s", Hasher(sensor + "-" + trigger + "-" + dep)), the hash
     * printed with %v, i.e. unsigned decimal. */
    char *key = ce_xasprintf("%s-%s-%s", sensor, trigger, dep);
    uint32_t h = ce_fnv1a32(key, strlen(key));
    ce_free(key);
    snprintf(out, outlen, "group-%" PRIu32, h);
}

/* ---- publish-and-wait on top of publish_async (drivers without a native sync call) ---- */

struct bus_waiter {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int refs;
    bool done;
    int rc;
};

static void bus_waiter_unref(struct bus_waiter *w)
{
    pthread_mutex_lock(&w->mu);
    int left = --w->refs;
    pthread_mutex_unlock(&w->mu);
    if (left == 0) {
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->mu);
        ce_free(w);
    }
}

static void bus_waiter_done(void *arg, int rc, const char *err)
{
    (void)err;
    struct bus_waiter *w = arg;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    w->rc = rc;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
    bus_waiter_unref(w);
}

int ce_bus_publish_wait(struct ce_bus *bus, const char *subject, const char *msg_id,
                        const void *data, size_t len, int timeout_ms)
{
    struct bus_waiter *w = ce_xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    w->refs = 2; /* the caller and the callback; whoever is last frees */
    int rc = bus->drv->publish_async(bus, subject, msg_id, data, len, bus_waiter_done, w);
    if (rc != CE_OK) {
        w->refs = 1;
        bus_waiter_unref(w);
        return rc;
    }
    struct timespec dl;
    ce_clock_deadline(timeout_ms, &dl);
    pthread_mutex_lock(&w->mu);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->cond, &w->mu, &dl) != 0) {
            break;
        }
    }
    rc = w->done ? w->rc : CE_ETIMEDOUT;
    pthread_mutex_unlock(&w->mu);
    bus_waiter_unref(w);
    return rc;
}
