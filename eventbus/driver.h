/* SPDX-License-Identifier: Apache-2.0 */
/* The internal vtable behind eventbus/bus.h: bus.c picks a driver by URL scheme and forwards
 * every call. Every driver object starts with the common header below so bus.c can find the
 * driver from any handle. Not for use outside eventbus/. */
#ifndef CE_EVENTBUS_DRIVER_H
#define CE_EVENTBUS_DRIVER_H

#include "eventbus/bus.h"
#include <stdatomic.h>
#include <stdbool.h>

struct ce_bus_driver;

/* First member of every driver's bus, consumer and kv object. */
struct ce_bus {
    const struct ce_bus_driver *drv;
    atomic_bool full; /* ce_bus_set_full: publishes are refused */
};
struct ce_bus_consumer {
    const struct ce_bus_driver *drv;
};
struct ce_bus_kv {
    const struct ce_bus_driver *drv;
};
/* First member of every driver's message object; pub is what callers see. */
struct ce_bus_msg_base {
    struct ce_bus_msg pub;
    const struct ce_bus_driver *drv;
};

struct ce_bus_driver {
    const char *name;
    int (*create)(const struct ce_bus_config *cfg, ce_bus_state_fn *state_fn, void *state_arg,
                  struct ce_bus **out);
    void (*destroy)(struct ce_bus *bus);
    void (*shutdown)(void); /* process exit: stops the client library's threads; may be NULL */
    bool (*connected)(struct ce_bus *bus);
    int (*wait_connected)(struct ce_bus *bus, int timeout_ms);
    int (*ensure_stream)(struct ce_bus *bus);
    int (*backlog)(struct ce_bus *bus, struct ce_bus_backlog *out);
    int64_t (*max_payload)(struct ce_bus *bus); /* may be NULL: no limit */
    int (*publish_async)(struct ce_bus *bus, const char *subject, const char *msg_id,
                         const void *data, size_t len, ce_bus_publish_fn *cb, void *arg);
    int (*publish)(struct ce_bus *bus, const char *subject, const char *msg_id, const void *data,
                   size_t len);
    int (*consumer_create)(struct ce_bus *bus, const char *subject, const char *durable,
                           struct ce_bus_consumer **out);
    void (*consumer_destroy)(struct ce_bus_consumer *c);
    int (*consumer_delete)(struct ce_bus *bus, const char *durable);
    int (*consumer_fetch)(struct ce_bus_consumer *c, int max, int timeout_ms,
                          struct ce_bus_msg **msgs, int *n);
    int (*msg_ack)(struct ce_bus_msg *m, bool wait);
    int (*msg_nak)(struct ce_bus_msg *m, int64_t delay_ms);
    int (*msg_in_progress)(struct ce_bus_msg *m);
    int (*msg_term)(struct ce_bus_msg *m);
    void (*msg_destroy)(struct ce_bus_msg *m);
    int (*kv_open)(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out);
    void (*kv_close)(struct ce_bus_kv *kv);
    int (*kv_get)(struct ce_bus_kv *kv, const char *key, char **val, size_t *len);
    int (*kv_put)(struct ce_bus_kv *kv, const char *key, const void *val, size_t len);
    int (*kv_delete)(struct ce_bus_kv *kv, const char *key);
    int (*kv_keys)(struct ce_bus_kv *kv, char ***keys, int *n);
    int (*kv_purge_deletes)(struct ce_bus_kv *kv, int64_t older_than_ms);
};

extern const struct ce_bus_driver ce_bus_jetstream_driver;
extern const struct ce_bus_driver ce_bus_memory_driver;

/* Shared publish-synchronously helper: runs publish_async and waits for its callback. */
int ce_bus_publish_wait(struct ce_bus *bus, const char *subject, const char *msg_id,
                        const void *data, size_t len, int timeout_ms);

#endif
