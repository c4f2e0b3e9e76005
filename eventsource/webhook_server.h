/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP(S) servers of webhook routes, shared by the sources that receive on one (webhook,
 * sns): one server per port (cevents' own, core/httpd: a loop per CPU on epoll), one route per
 * event. A request is answered 200 only after the bus acknowledged its event; while it waits no
 * thread is held. Bus down or no ack in time: 503 with
 * Retry-After. */
#ifndef CE_EVENTSOURCE_WEBHOOK_SERVER_H
#define CE_EVENTSOURCE_WEBHOOK_SERVER_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_emitter;
struct ce_source_env;
struct ce_webhook_config;

/* What a route's body hook decides about a request whose whole body is in. */
struct ce_webhook_verdict {
    unsigned int status; /* 0: publish the request as an event; else answer this, publish nothing */
    char text[256];      /* the answer's text when status is set */
    char key[160];       /* when set: the idempotency key the event id is derived from */
};

/* Sees the body before the event is built (a source that checks or answers messages itself).
 * Runs on a server thread; may block briefly. */
typedef void ce_webhook_body_fn(void *arg, const char *body, size_t len,
                                struct ce_webhook_verdict *v);

struct ce_webhook_route {
    const char *name; /* the event's */
    const struct ce_webhook_config *spec;
    struct ce_emitter *em;
    bool keep_auth; /* publish Authorization as sent (else masked, as a webhook does) */
    ce_webhook_body_fn *on_body; /* NULL: every request is published */
    void *on_body_arg;
};

struct ce_webhook_servers;

/* Starts the servers of routes[0..n) (borrowed until ce_webhook_servers_stop): reads their
 * secrets, groups them by port, listens. CE_OK or an error (logged). */
int ce_webhook_servers_start(const struct ce_source_env *env, struct ce_webhook_route *routes,
                             int n, struct ce_webhook_servers **out) CE_MUST_CHECK;
/* Answers new requests 503 from now on; requests already accepted keep going. */
void ce_webhook_servers_quiesce(struct ce_webhook_servers *s);
/* Requests accepted whose answer is not sent yet. */
int ce_webhook_servers_in_flight(struct ce_webhook_servers *s);
/* Stops the servers and frees them; accepts NULL. */
void ce_webhook_servers_stop(struct ce_webhook_servers *s);
/* An upper bound of the CloudEvent a request to a route with these settings makes. */
int64_t ce_webhook_max_event_bytes(const struct ce_webhook_config *cfg);

#endif
