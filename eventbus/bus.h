/* SPDX-License-Identifier: Apache-2.0 */
/* The EventBus contract every source and sensor talks to. Two drivers implement it: JetStream
 * (eventbus/jetstream.c, Argo's wire layout, see docs/internals/bus.md) and an in-memory bus for
 * tests that need no server (eventbus/membus.c), chosen by the URL scheme ("nats://" or
 * "memory://name"). All functions here are thread-safe unless noted. */
#ifndef CE_EVENTBUS_BUS_H
#define CE_EVENTBUS_BUS_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/streamconfig.h"

struct ce_bus;
struct ce_bus_consumer;
struct ce_bus_kv;

struct ce_bus_config {
    const char *url;      /* "nats://host:port[,nats://...]" or "memory://name" */
    const char *username; /* optional basic auth */
    const char *password;
    const char *token;         /* optional token auth */
    const char *name;          /* connection name shown by the server */
    int connect_timeout_ms;    /* per attempt, default 2000 */
    int publish_timeout_ms;    /* bound on waiting for a publish ack, default 5000 */
    int max_pending;           /* async publishes in flight, default 65536 */
    int reconnect_wait_min_ms; /* backoff start, default 100 */
    int reconnect_wait_max_ms; /* backoff cap, default 500 */
    struct ce_stream_config stream;

    /* The EventBus's accessSecret (optional): secret auth_secret, key auth_key under
     * secrets_dir (core/service/secrets.h), YAML with `username` and `password` as Argo's bus
     * clients read it. Read when the bus is created; it replaces username/password. */
    const char *secrets_dir;
    const char *auth_secret;
    const char *auth_key;
};

/* Fills cfg with the defaults above (url stays NULL). */
void ce_bus_config_defaults(struct ce_bus_config *cfg);

/* Called when the connection goes up or down. Runs on a bus thread; must not block. */
typedef void ce_bus_state_fn(void *arg, bool connected);

/* Creates a bus handle and starts connecting. Does not wait for the first connection: the
 * handle reconnects forever with exponential backoff (min..max wait) and reports changes
 * through state_fn (may be NULL). Returns CE_OK or CE_EINVAL for a bad URL/config. */
int ce_bus_create(const struct ce_bus_config *cfg, ce_bus_state_fn *state_fn, void *state_arg,
                  struct ce_bus **out) CE_MUST_CHECK;
/* Waits for outstanding publish acks up to the publish timeout, then closes. Accepts NULL. */
void ce_bus_destroy(struct ce_bus *bus);

/* Process exit, after every bus is destroyed: stops the client libraries' own threads, so none
 * is still running when exit handlers free what they use. */
void ce_bus_shutdown(void);
/* Tells the bus that another part of the process (a NATS trigger) opened a TLS connection with
 * the same client library, whose close at exit then has to be skipped (see jetstream.c). */
void ce_bus_nats_tls_used(void);

bool ce_bus_connected(struct ce_bus *bus);
/* Blocks until connected or timeout_ms passes. CE_OK or CE_ETIMEDOUT. */
int ce_bus_wait_connected(struct ce_bus *bus, int timeout_ms) CE_MUST_CHECK;

/* Creates stream "default" (subjects "default.*.*", file storage, the configured settings)
 * if it does not exist; an existing stream is left as it is. Idempotent.
 * CE_OK, CE_EUNAVAIL (not connected) or CE_EREMOTE (the server refused; detail logged). */
int ce_bus_ensure_stream(struct ce_bus *bus) CE_MUST_CHECK;

/* How far the slowest active durable consumer of the stream is behind, against the stream's
 * message limit: a stream with `discard: old` evicts the oldest messages once it holds more than
 * max_msgs, consumed or not, so a publisher refuses new events before that happens. A consumer
 * counts as active when it was created, delivered or had a pull waiting in the last
 * CE_BUS_ACTIVE_MS: a forgotten consumer must not stop every producer. */
#define CE_BUS_ACTIVE_MS (5 * 60 * 1000)
struct ce_bus_backlog {
    int64_t max_msgs;  /* the stream's limit; -1 none (nothing to guard) */
    uint64_t behind;   /* messages after the slowest active consumer's ack floor */
    char consumer[64]; /* that consumer's name */
    uint64_t evicted;  /* messages the stream already dropped before that consumer acked them */
};
/* The largest message the connected server takes, in bytes (its max_payload, read at connect);
 * 0 when not known yet or when the bus has no limit. A publish of an event larger than this,
 * with its subject and headers, is refused with CE_EMSGSIZE. */
int64_t ce_bus_max_payload(struct ce_bus *bus);

/* CE_OK with *out filled, CE_EUNAVAIL when not connected, CE_ENOENT without a stream. */
int ce_bus_backlog(struct ce_bus *bus, struct ce_bus_backlog *out) CE_MUST_CHECK;
/* While full is set, publishes are refused at once with CE_EFULL. */
void ce_bus_set_full(struct ce_bus *bus, bool full);

/* Outcome of one publish: rc is CE_OK once the bus acknowledged the message as stored (or as a
 * duplicate of a stored one), CE_ETIMEDOUT when no ack came within publish_timeout_ms, or
 * CE_EREMOTE/CE_EUNAVAIL. err is a short text for logs (may be NULL). Called exactly once per
 * accepted publish, on a bus thread; must not block. */
typedef void ce_bus_publish_fn(void *arg, int rc, const char *err);

/* Publishes data to subject with header "Nats-Msg-Id: msg_id" without waiting for the ack.
 * The data is copied. Returns CE_OK when queued (cb will run exactly once), CE_EUNAVAIL at once
 * when the bus is not connected, CE_ETOOBIG when too many publishes are in flight, CE_EMSGSIZE
 * when the message is larger than the server takes, CE_EFULL while the bus is marked full (cb
 * is not called for these). */
int ce_bus_publish_async(struct ce_bus *bus, const char *subject, const char *msg_id,
                         const void *data, size_t len, ce_bus_publish_fn *cb,
                         void *arg) CE_MUST_CHECK;

/* Publishes and waits for the ack (at most publish_timeout_ms). Same codes as the callback. */
int ce_bus_publish(struct ce_bus *bus, const char *subject, const char *msg_id, const void *data,
                   size_t len) CE_MUST_CHECK;

/* One delivered message. Owned by whoever fetched it; release with ce_bus_msg_destroy. */
struct ce_bus_msg {
    const char *subject;
    const char *data;
    size_t len;
    const char *msg_id;    /* Nats-Msg-Id header, or "" */
    uint64_t stream_seq;   /* position in the stream */
    uint64_t consumer_seq; /* position in the consumer */
    uint64_t num_delivered;
    int64_t timestamp_ns; /* when the bus stored it, Unix epoch ns */
};

/* Creates (or binds to) a durable pull consumer on stream "default" with filter subject
 * `subject`, durable name `durable`, explicit ack, deliver-new. Idempotent; existing consumers
 * are reused so messages published while the process was down are delivered now.
 * One consumer is used by one thread at a time. */
int ce_bus_consumer_create(struct ce_bus *bus, const char *subject, const char *durable,
                           struct ce_bus_consumer **out) CE_MUST_CHECK;
void ce_bus_consumer_destroy(struct ce_bus_consumer *c);
/* Deletes a durable consumer on the server (used when a Sensor's spec changed). */
int ce_bus_consumer_delete(struct ce_bus *bus, const char *durable) CE_MUST_CHECK;

/* Waits up to timeout_ms for up to max messages. Returns CE_OK with *n >= 1, CE_ETIMEDOUT with
 * *n == 0 when nothing came, CE_EUNAVAIL when disconnected. msgs must have room for max. */
int ce_bus_consumer_fetch(struct ce_bus_consumer *c, int max, int timeout_ms,
                          struct ce_bus_msg **msgs, int *n) CE_MUST_CHECK;

/* Acknowledges and waits for the server to confirm (AckSync). */
int ce_bus_msg_ack(struct ce_bus_msg *m) CE_MUST_CHECK;
/* Acknowledges without waiting for the confirmation: for acknowledgements that do not promise
 * anything (atLeastOnce: false acknowledges before the trigger runs), where a lost one only
 * brings a redelivery that the trigger's de-duplication skips. Saves a round trip per event. */
int ce_bus_msg_ack_nowait(struct ce_bus_msg *m) CE_MUST_CHECK;
/* Asks for redelivery after delay_ms. */
int ce_bus_msg_nak(struct ce_bus_msg *m, int64_t delay_ms) CE_MUST_CHECK;
/* Tells the server the message is still being worked on (resets the ack timer). */
int ce_bus_msg_in_progress(struct ce_bus_msg *m) CE_MUST_CHECK;
/* Stops redelivery for good. */
int ce_bus_msg_term(struct ce_bus_msg *m) CE_MUST_CHECK;
void ce_bus_msg_destroy(struct ce_bus_msg *m);

/* Key-value bucket (JetStream KV; Argo keeps Sensor condition state in one named after the
 * Sensor). Created if missing. */
int ce_bus_kv_open(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out) CE_MUST_CHECK;
void ce_bus_kv_close(struct ce_bus_kv *kv);
/* *val is a fresh NUL-terminated heap copy (free with ce_free). CE_ENOENT when absent. */
int ce_bus_kv_get(struct ce_bus_kv *kv, const char *key, char **val, size_t *len) CE_MUST_CHECK;
int ce_bus_kv_put(struct ce_bus_kv *kv, const char *key, const void *val, size_t len) CE_MUST_CHECK;
int ce_bus_kv_delete(struct ce_bus_kv *kv, const char *key) CE_MUST_CHECK;
/* *keys is a heap array of heap strings, *n entries; free with ce_bus_kv_keys_free. */
int ce_bus_kv_keys(struct ce_bus_kv *kv, char ***keys, int *n) CE_MUST_CHECK;
/* Removes the traces deleted keys leave in the bucket (JetStream keeps a delete marker per key
 * forever) when the delete is older than older_than_ms; 0 or less removes every one. Live keys
 * are untouched. */
int ce_bus_kv_purge_deletes(struct ce_bus_kv *kv, int64_t older_than_ms) CE_MUST_CHECK;
void ce_bus_kv_keys_free(char **keys, int n);

/* "default.<eventSourceName>.<eventName>" as a fresh heap string. */
char *ce_bus_subject(const char *event_source, const char *event_name);
/* FNV-1a 32-bit hash. */
uint32_t ce_fnv1a32(const void *data, size_t len);
/* Durable name "group-<fnv1a32 decimal of "<sensor>-<trigger>-<dep>">" into out (>= 24 bytes). */
void ce_bus_durable_name(const char *sensor, const char *trigger, const char *dep, char *out,
                         size_t outlen);

#endif
