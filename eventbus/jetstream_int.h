/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the JetStream driver: the objects and the functions its three files share
 * (jetstream.c: connection, stream and publishing; jetstream_consume.c: consumers, messages and
 * the backlog; jetstream_kv.c: the key-value store). Not for use outside eventbus/. */
#ifndef CE_EVENTBUS_JETSTREAM_INT_H
#define CE_EVENTBUS_JETSTREAM_INT_H

#include "eventbus/driver.h"

#include <nats/nats.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSBUS_STREAM "default"
#define JSBUS_MAX_SERVERS 32 /* servers in one bus URL */

/* One accepted async publish, found again by its natsMsg pointer in the ack handler. Two
 * references: the publisher (until js_PublishMsgAsync returns) and the outcome (ack, error or
 * timeout). cnats may report a timeout while the publisher is still copying the message into a
 * stalled connection, so the message is destroyed by whichever of the two finishes last. */
struct jsbus_pending {
    natsMsg *msg;
    ce_bus_publish_fn *cb;
    void *arg;
    struct jsbus_pending *next;
    atomic_int refs;
};

struct jsfast;

struct jsbus {
    struct ce_bus base;
    ce_bus_state_fn *state_fn;
    void *state_arg;
    struct ce_stream_config scfg;
    int publish_timeout_ms;
    int max_pending;
    int wait_min_ms, wait_max_ms;
    char url_shown[256]; /* the bus URL for logs, without credentials */
    natsOptions *opts;
    pthread_t connector;
    bool connector_started;
    pthread_mutex_t mu;
    pthread_cond_t cond; /* state changes, the connector finishing, the connection closing */
    natsConnection *nc;  /* set once by the connector thread */
    jsCtx *js;
    bool connector_done;
    bool closed;
    atomic_bool closing;  /* our own Close: the state change is not news */
    bool has_credentials; /* a user or token was given (for the refusal's message) */
    atomic_bool up;
    _Atomic int64_t max_payload; /* the server's, read at each connect; 0 until then */
    atomic_int replicas;         /* the stream's, once created or read; 0 until then */
    struct jsbus_pending **pend;
    size_t npend_buckets;
    int npending;
    /* The publish connection (jetstream_fastpub.c), started at the first async publish unless
     * the URL carries TLS or credentials that only cnats handles; the credentials it sends. */
    bool fast_allowed;
    bool fast_started;
    struct jsfast *_Atomic fast; /* set once it runs */
    char *auth_user, *auth_pass, *auth_token;
};

struct jsbus_consumer {
    struct ce_bus_consumer base;
    struct jsbus *bus;
    natsSubscription *sub;
};

struct jsbus_msg {
    struct ce_bus_msg_base base;
    natsMsg *m;
};

struct jsbus_kv {
    struct ce_bus_kv base;
    kvStore *kv;
    jsCtx *js; /* the bus's, for purges the kv API does not offer */
};

/* A cnats status (and JetStream error code) as a cevents return code. */
int jsbus_rc(natsStatus s, jsErrCode jerr);
/* The host and port (default 4222) of the first server of a NATS URL list ("nats://u:p@h:4222,
 * nats://h2"); false when it names no host. */
bool jsbus_host_port(const char *url, char host[256], char port[16]);
/* Whether publishes may go out now: cnats would otherwise buffer them while reconnecting. */
bool jsbus_ready(struct jsbus *b);
/* The stream's info (destroy it with jsStreamInfo_Destroy); NATS_CONNECTION_CLOSED while the
 * connection is not up. */
natsStatus jsbus_stream_info(struct jsbus *b, jsStreamInfo **si, jsErrCode *jerr);
/* Creates the stream unless it exists (jetstream_stream.c). */
int jsbus_ensure_stream(struct ce_bus *bus);
/* The replicas the bus's KV buckets get: the stream's (1 until the stream is known). */
int jsbus_kv_replicas(struct jsbus *b);

/* Consumers and messages (jetstream_consume.c). */
int jsbus_consumer_create(struct ce_bus *bus, const char *subject, const char *durable,
                          struct ce_bus_consumer **out);
void jsbus_consumer_destroy(struct ce_bus_consumer *cons);
int jsbus_consumer_delete(struct ce_bus *bus, const char *durable);
int jsbus_consumer_fetch(struct ce_bus_consumer *cons, int max, int timeout_ms,
                         struct ce_bus_msg **msgs, int *n);
int jsbus_backlog(struct ce_bus *bus, struct ce_bus_backlog *out);
int jsbus_msg_ack(struct ce_bus_msg *pub, bool wait);
int jsbus_msg_nak(struct ce_bus_msg *pub, int64_t delay_ms);
int jsbus_msg_in_progress(struct ce_bus_msg *pub);
int jsbus_msg_term(struct ce_bus_msg *pub);
void jsbus_msg_destroy(struct ce_bus_msg *pub);

/* The key-value store (jetstream_kv.c). */
int jsbus_kv_open(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out);
void jsbus_kv_close(struct ce_bus_kv *kvb);
int jsbus_kv_get(struct ce_bus_kv *kvb, const char *key, char **val, size_t *len);
int jsbus_kv_put(struct ce_bus_kv *kvb, const char *key, const void *val, size_t len);
int jsbus_kv_delete(struct ce_bus_kv *kvb, const char *key);
int jsbus_kv_keys(struct ce_bus_kv *kvb, char ***keys, int *n);
int jsbus_kv_purge_deletes(struct ce_bus_kv *kvb, int64_t older_than_ms);

/* The publish connection (jetstream_fastpub.c). Start runs once, before the first publish on it;
 * stop waits (bounded) for its acks, then answers what is left. */
void jsbus_fast_start(struct jsbus *b);
void jsbus_fast_stop(struct jsbus *b);
/* Publishes on it: CE_OK (cb runs exactly once), CE_ETOOBIG (too many in flight), or CE_RETRY
 * when it is not up (the caller publishes through cnats; cb is not called). */
int jsbus_fast_publish(struct jsbus *b, const char *subject, const char *msg_id, const void *data,
                       size_t len, ce_bus_publish_fn *cb, void *arg);

/* cnats closed the connection without our asking. With reconnects unlimited it gives up for
 * good when the servers refuse the client's authentication (or a plain connection to a server
 * that wants TLS): then this says why and stops the
 * process, as Argo's bus clients do, so that its supervisor (Kubernetes, `cevents run`) starts
 * it again. Anything else is logged (jetstream_refused.c). */
void jsbus_refused(struct jsbus *b, natsConnection *nc);

#endif
