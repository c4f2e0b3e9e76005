/* SPDX-License-Identifier: Apache-2.0 */
/* The servers of webhook routes (eventsource/webhook_server.h): one HTTP(S) server per port,
 * one route per event; thousands of requests can wait for their ack at once. */
#include "eventsource/webhook_server.h"
#include "eventsource/source.h"
#include "eventsource/webhook_config.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/listen.h"
#include "core/service/secrets.h"
#include "eventbus/bus.h"
#include "eventsource/emit.h"
#include "eventsource/webhook_body.h"
#include "manifest/model.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WEBHOOK_MAX_HEADERS 256
/* More than libmicrohttpd's per-connection memory (32 KiB), which bounds the request line and
 * headers */
#define WEBHOOK_HEADER_BYTES (64 * 1024)
#define WEBHOOK_EVENT_ID_HEADER "X-Cevents-Event-Id"
/* Above libmicrohttpd's whole connection buffer (32 KiB by default): no request line is longer. */
#define WEBHOOK_MAX_REQUEST_LINE (64 * 1024)
/* A chunked body past maxPayloadSize is drained up to this much more so the client gets its 413;
 * past that the connection is closed. */
#define WEBHOOK_DRAIN_SLACK (16u * 1024 * 1024)

struct webhook_server {
    struct ce_webhook_servers *owner;
    int port;
    struct MHD_Daemon *daemon;
    struct ce_webhook_route **routes;
    int n_routes;
    char *tls_cert;
    char *tls_key;
};

struct ce_webhook_servers {
    const struct ce_source_env *env;
    struct webhook_server *servers;
    int n_servers;
    atomic_int in_flight;
    atomic_bool quiescing;
};

enum webhook_phase { REQ_NEW = 0, REQ_BODY, REQ_WAIT_ACK, REQ_ANSWERED };

/* Per-request state; created by the URI callback, freed by the completion callback. Touched by
 * the MHD worker that owns the connection, and once by the bus thread that delivers the ack
 * (before it resumes the connection, which publishes the writes to the worker). */
struct webhook_req {
    struct webhook_server *srv;
    struct MHD_Connection *conn;
    char *raw_uri;
    const char *uri_at; /* the request target in libmicrohttpd's buffer, and its length then */
    size_t uri_len;
    struct ce_webhook_route *route;
    enum webhook_phase phase;
    struct ce_buf body;
    size_t drained;
    bool too_big;
    bool counted; /* included in the owner's in_flight */
    atomic_int ack_rc;
    char event_id[33];
    struct ce_webhook_verdict verdict;
};

static struct MHD_Response *webhook_text(const char *text)
{
    return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result webhook_reply(struct MHD_Connection *conn, unsigned int status,
                                     const char *text, const char *event_id, int retry_after)
{
    struct MHD_Response *resp = webhook_text(text);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    if (event_id && event_id[0]) {
        MHD_add_response_header(resp, WEBHOOK_EVENT_ID_HEADER, event_id);
    }
    if (retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static struct ce_webhook_route *webhook_find_route(struct webhook_server *srv, const char *url)
{
    for (int i = 0; i < srv->n_routes; i++) {
        if (strcmp(srv->routes[i]->spec->endpoint, url) == 0) {
            return srv->routes[i];
        }
    }
    return NULL;
}

/* Reads a secret of the event's; a failure is logged as what, naming the file, so the user sees
 * which mount or key is wrong. */
static int webhook_read_secret(const struct ce_webhook_route *route,
                               const struct ce_secret_ref *ref, const char *dir, const char *what,
                               char **out, size_t *len)
{
    int rc = ce_secret_read(dir, ref->name, ref->key, out, len);
    if (rc != CE_OK) {
        char *path = ce_xasprintf("%s/%s/%s", dir, ref->name, ref->key);
        ce_log_kv(CE_LOG_ERROR, what, "eventName", route->name, "secret", ref->name, "key",
                  ref->key, "file", path, "error", ce_rc_str(rc), NULL);
        ce_free(path);
    }
    return rc;
}

/* Bearer token check as Argo does it, with a constant-time compare. Returns 0 when allowed,
 * else the HTTP status to answer and *why. The secret is read per request so rotations apply. */
static unsigned int webhook_check_auth(struct webhook_req *req, const char **why)
{
    const struct ce_webhook_config *spec = req->route->spec;
    if (!spec->auth_secret.set) {
        return 0;
    }
    char *token = NULL;
    size_t token_len = 0;
    int rc = webhook_read_secret(req->route, &spec->auth_secret, req->srv->owner->env->secrets_dir,
                                 "failed to read the webhook auth secret", &token, &token_len);
    if (rc != CE_OK) {
        *why = "Error loading auth token";
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    const char *hdr =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    unsigned int status = 0;
    if (!hdr || strncmp(hdr, "Bearer ", 7) != 0) {
        *why = "Invalid Authorization Header";
        status = MHD_HTTP_UNAUTHORIZED;
    }
    else {
        const char *given = hdr + 7;
        size_t given_len = strlen(given);
        unsigned char diff = (unsigned char)(given_len != token_len);
        for (size_t i = 0; i < token_len; i++) {
            diff |= (unsigned char)(token[i] ^ given[i < given_len ? i : 0]);
        }
        if (diff) {
            *why = "Invalid Auth token";
            status = MHD_HTTP_UNAUTHORIZED;
        }
    }
    ce_free(token);
    return status;
}

struct webhook_lengths {
    const char *first;
    bool differ;
};

static enum MHD_Result webhook_collect_length(void *arg, enum MHD_ValueKind kind, const char *key,
                                              const char *value)
{
    (void)kind;
    struct webhook_lengths *l = arg;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0 && value != NULL) {
        l->differ = l->differ || (l->first != NULL && strcmp(l->first, value) != 0);
        l->first = l->first ? l->first : value;
    }
    return MHD_YES;
}

/* First call for a request: headers are in, no body yet. Either answers at once (health, 404,
 * wrong method, auth, declared size too big, shutting down) or prepares to read the body. */
static enum MHD_Result webhook_begin(struct webhook_req *req, const char *url, const char *method)
{
    struct MHD_Connection *conn = req->conn;
    /* Two different Content-Length headers make the body's end ambiguous (request smuggling
     * across proxies): such a request is refused rather than read by one of them. */
    struct webhook_lengths cl = {NULL, false};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, webhook_collect_length, &cl);
    if (cl.differ) {
        return webhook_reply(conn, MHD_HTTP_BAD_REQUEST, "conflicting Content-Length headers", NULL,
                             0);
    }
    if (strcmp(url, "/health") == 0) {
        return webhook_reply(conn, MHD_HTTP_OK, "OK", NULL, 0);
    }
    req->route = webhook_find_route(req->srv, url);
    if (!req->route) {
        return webhook_reply(conn, MHD_HTTP_NOT_FOUND, "404 page not found", NULL, 0);
    }
    if (atomic_load(&req->srv->owner->quiescing)) {
        return webhook_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "shutting down", NULL,
                             req->srv->owner->env->retry_after_s);
    }
    const char *why = NULL;
    unsigned int status = webhook_check_auth(req, &why);
    if (status) {
        return webhook_reply(conn, status, why, NULL, 0);
    }
    const struct ce_webhook_config *spec = req->route->spec;
    if (strcmp(spec->method, method) != 0) {
        return webhook_reply(conn, MHD_HTTP_BAD_REQUEST, "http method does not match", NULL, 0);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
        char msg[96];
        snprintf(msg, sizeof(msg), "unsupported method: %.64s", method);
        return webhook_reply(conn, MHD_HTTP_BAD_REQUEST, msg, NULL, 0);
    }
    if (cl.first && strtoull(cl.first, NULL, 10) > (unsigned long long)spec->max_payload_size) {
        ce_emitter_count_processing_failed(req->route->em);
        return webhook_reply(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large", NULL, 0);
    }
    ce_buf_init(&req->body, (size_t)spec->max_payload_size);
    req->phase = REQ_BODY;
    return MHD_YES;
}

/* Body bytes arrive in pieces; bytes past maxPayloadSize are counted and dropped, never kept. */
static enum MHD_Result webhook_take_body(struct webhook_req *req, const char *data, size_t *size)
{
    if (!req->too_big && ce_buf_append(&req->body, data, *size) != CE_OK) {
        req->too_big = true;
        ce_buf_fini(&req->body);
    }
    if (req->too_big) {
        req->drained += *size;
        if (req->drained > WEBHOOK_DRAIN_SLACK) {
            return MHD_NO; /* a producer streaming without end: close the connection */
        }
    }
    *size = 0;
    return MHD_YES;
}

struct webhook_hdrs {
    struct ce_webhook_header items[WEBHOOK_MAX_HEADERS];
    int n;
};

static enum MHD_Result webhook_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                              size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct webhook_hdrs *h = cls;
    if (h->n >= WEBHOOK_MAX_HEADERS) {
        return MHD_NO;
    }
    h->items[h->n++] = (struct ce_webhook_header){key, key_size, value, value_size};
    return MHD_YES;
}

/* Whether the request's media type is a form. Parameters (`; charset=utf-8`) and the case of
 * the type do not change the type (Argo compares the whole header and so parses such forms as
 * JSON). */
static bool webhook_is_form(struct webhook_req *req)
{
    static const char form[] = "application/x-www-form-urlencoded";
    const char *ct =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ct == NULL) {
        return false;
    }
    while (*ct == ' ' || *ct == '\t') {
        ct++;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) {
        n--;
    }
    return n == sizeof(form) - 1 && strncasecmp(ct, form, n) == 0;
}

/* Turns the request into the event's body JSON: GET query and form posts become objects of
 * string arrays, anything else must already be JSON. */
static int webhook_body_json(struct webhook_req *req, const char *method, struct ce_buf *out)
{
    if (strcmp(method, "GET") == 0) {
        const char *q = strchr(req->raw_uri, '?');
        q = q ? q + 1 : "";
        int rc = ce_webhook_body_from_query(q, strlen(q), out);
        return rc == CE_EPARSE ? CE_OK : rc; /* bad pairs of a URL are skipped, as in Argo */
    }
    const char *body = req->body.data ? req->body.data : "";
    if (webhook_is_form(req)) {
        return ce_webhook_body_from_query(body, req->body.len, out);
    }
    return ce_webhook_body_json_compact(body, req->body.len, out);
}

static int webhook_build_data(struct webhook_req *req, const char *method, struct ce_buf *data)
{
    struct ce_buf body;
    struct webhook_hdrs *hdrs = ce_xmalloc(sizeof(*hdrs));
    hdrs->n = 0;
    ce_buf_init(&body, 0);
    int rc = webhook_body_json(req, method, &body);
    if (rc == CE_OK) {
        MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, webhook_collect_header, hdrs);
        const struct ce_webhook_config *spec = req->route->spec;
        struct ce_kv_pair *meta = ce_xcalloc((size_t)spec->n_metadata + 1, sizeof(*meta));
        for (int i = 0; i < spec->n_metadata; i++) {
            meta[i] = (struct ce_kv_pair){spec->metadata[i].key, spec->metadata[i].value};
        }
        rc = ce_webhook_data_build(hdrs->items, hdrs->n, body.data, body.len, meta,
                                   spec->n_metadata, !req->route->keep_auth, data);
        ce_free(meta);
    }
    ce_buf_fini(&body);
    ce_free(hdrs);
    return rc;
}

static void webhook_on_ack(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct webhook_req *req = arg;
    atomic_store(&req->ack_rc, rc);
    MHD_resume_connection(req->conn);
}

static const char *webhook_idempotency_key(struct webhook_req *req)
{
    if (req->verdict.key[0] != '\0') {
        return req->verdict.key;
    }
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
}

/* Last call: the whole body is in. Build the event and hand it to the bus; the connection is
 * suspended until the ack (or its timeout) comes back. */
static enum MHD_Result webhook_finish(struct webhook_req *req, const char *method)
{
    struct ce_webhook_servers *st = req->srv->owner;
    struct ce_emitter *em = req->route->em;
    if (req->too_big) {
        ce_emitter_count_processing_failed(em);
        return webhook_reply(req->conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large", NULL,
                             0);
    }
    if (req->route->on_body != NULL) {
        req->route->on_body(req->route->on_body_arg, req->body.data ? req->body.data : "",
                            req->body.len, &req->verdict);
        if (req->verdict.status != 0) {
            return webhook_reply(req->conn, req->verdict.status, req->verdict.text, NULL, 0);
        }
    }
    struct ce_buf data;
    ce_buf_init(&data, 0);
    if (webhook_build_data(req, method, &data) != CE_OK) {
        ce_buf_fini(&data);
        ce_emitter_count_processing_failed(em);
        const char *why = strcmp(method, "POST") == 0 && webhook_is_form(req)
                              ? "request body is not a valid form"
                              : "request body is not valid JSON";
        ce_log_kv(CE_LOG_ERROR, "failed to get body", "eventName", req->route->name, "error", why,
                  NULL);
        return webhook_reply(req->conn, MHD_HTTP_BAD_REQUEST, why, NULL, 0);
    }
    const char *key = webhook_idempotency_key(req);
    char keyed_id[33];
    if (key && key[0]) {
        ce_emit_id_from_key(em->source_name, em->event_name, key, strlen(key), keyed_id);
    }
    /* In flight from here until the answer is sent (completion callback), so a shutdown waits
     * for the producer to hear the outcome. */
    req->phase = REQ_WAIT_ACK;
    req->counted = true;
    atomic_fetch_add(&st->in_flight, 1);
    MHD_suspend_connection(req->conn);
    int rc = ce_emit_async(em, data.data, data.len, key && key[0] ? keyed_id : NULL, webhook_on_ack,
                           req, req->event_id);
    ce_buf_fini(&data);
    if (rc != CE_OK) {
        /* a filtered event is answered as a success, as Argo Events does */
        atomic_store(&req->ack_rc, rc == CE_DROPPED ? CE_OK : rc);
        MHD_resume_connection(req->conn);
    }
    return MHD_YES;
}

static enum MHD_Result webhook_answer_ack(struct webhook_req *req)
{
    req->phase = REQ_ANSWERED;
    int rc = atomic_load(&req->ack_rc);
    if (rc == CE_OK) {
        return webhook_reply(req->conn, MHD_HTTP_OK, "success", req->event_id, 0);
    }
    if (rc == CE_EMSGSIZE) {
        /* it can never fit: no Retry-After */
        char why[160];
        snprintf(why, sizeof why,
                 "the event is larger than the event bus takes (its max_payload is %lld bytes)",
                 (long long)ce_bus_max_payload(req->srv->owner->env->bus));
        return webhook_reply(req->conn, MHD_HTTP_CONTENT_TOO_LARGE, why, req->event_id, 0);
    }
    const char *why = rc == CE_ETIMEDOUT ? "event bus did not acknowledge the event in time"
                      : rc == CE_EFULL   ? "event bus is full: a Sensor is too far behind"
                                         : "event bus unavailable";
    return webhook_reply(req->conn, MHD_HTTP_SERVICE_UNAVAILABLE, why, req->event_id,
                         req->srv->owner->env->retry_after_s);
}

/* Whether the request target held a NUL byte ("POST /in\0junk HTTP/1.1"), which libmicrohttpd
 * passes on cut at the NUL, so the request would reach the route "/in". The library splits the
 * request line in place: the target ends where the protocol version starts, one byte before
 * it, and a target that is shorter as a C string than that span held a NUL. */
static bool webhook_target_has_nul(const struct webhook_req *req, const char *version)
{
    if (req->uri_at == NULL || version == NULL || version <= req->uri_at) {
        return false;
    }
    size_t span = (size_t)(version - req->uri_at);
    return span <= WEBHOOK_MAX_REQUEST_LINE && req->uri_len + 1 < span;
}

static enum MHD_Result webhook_access(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)cls;
    struct webhook_req *req = *con_cls;
    req->conn = conn;
    switch (req->phase) {
    case REQ_NEW:
        if (webhook_target_has_nul(req, version)) {
            req->phase = REQ_ANSWERED;
            return webhook_reply(conn, MHD_HTTP_BAD_REQUEST, "NUL byte in the request target", NULL,
                                 0);
        }
        return webhook_begin(req, url, method);
    case REQ_BODY:
        if (*upload_data_size) {
            return webhook_take_body(req, upload_data, upload_data_size);
        }
        return webhook_finish(req, method);
    case REQ_WAIT_ACK:
        return webhook_answer_ack(req);
    case REQ_ANSWERED:
        break;
    }
    return MHD_NO;
}

static void *webhook_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct webhook_req *req = ce_xcalloc(1, sizeof(*req));
    req->srv = cls;
    req->conn = conn;
    req->raw_uri = ce_xstrdup(uri ? uri : "");
    req->uri_at = uri;
    req->uri_len = uri ? strlen(uri) : 0;
    atomic_init(&req->ack_rc, CE_OK);
    return req;
}

static void webhook_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                                 enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct webhook_req *req = *con_cls;
    if (!req) {
        return;
    }
    if (req->counted) {
        atomic_fetch_sub(&req->srv->owner->in_flight, 1);
    }
    ce_buf_fini(&req->body);
    ce_free(req->raw_uri);
    ce_free(req);
    *con_cls = NULL;
}

static int webhook_load_tls(struct webhook_server *srv, const struct ce_webhook_route *route,
                            const char *secrets_dir)
{
    static const char what[] = "failed to read the TLS certificate or key of the webhook server";
    const struct ce_webhook_config *spec = route->spec;
    size_t len;
    int rc = webhook_read_secret(route, &spec->server_cert_secret, secrets_dir, what,
                                 &srv->tls_cert, &len);
    if (rc == CE_OK) {
        rc = webhook_read_secret(route, &spec->server_key_secret, secrets_dir, what, &srv->tls_key,
                                 &len);
    }
    return rc;
}

static struct webhook_server *webhook_server_for(struct ce_webhook_servers *st, int port)
{
    for (int i = 0; i < st->n_servers; i++) {
        if (st->servers[i].port == port) {
            return &st->servers[i];
        }
    }
    struct webhook_server *srv = &st->servers[st->n_servers++];
    srv->owner = st;
    srv->port = port;
    return srv;
}

/* libmicrohttpd's own complaints (a malformed request, a failed accept) go through the logger,
 * as JSON like every other line and rate-limited with the other warnings. */
static void webhook_mhd_log(void *arg, const char *fmt, va_list ap)
{
    const struct webhook_server *srv = arg;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) {
        text[--n] = '\0';
    }
    char port[8];
    snprintf(port, sizeof(port), "%d", srv->port);
    ce_log_kv(CE_LOG_WARN, "the HTTP server reported a problem", "port", port, "detail", text,
              NULL);
}

static int webhook_server_start(struct webhook_server *srv)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                         MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int threads = nproc > 1 ? (unsigned int)nproc : 1;
    if (srv->tls_cert) {
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {srv->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->tls_cert},
        {srv->tls_key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, srv->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    char port[8];
    snprintf(port, sizeof(port), "%d", srv->port);
    char err[128] = "";
    int fd = -1;
    int rc = ce_listen_tcp(srv->port, 4096, &fd, err, sizeof err);
    if (rc == CE_OK) {
        srv->daemon = MHD_start_daemon(
            /* the logger first: libmicrohttpd complains about options before it otherwise */
            flags, 0, NULL, NULL, webhook_access, srv, MHD_OPTION_EXTERNAL_LOGGER, webhook_mhd_log,
            srv, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
            MHD_OPTION_URI_LOG_CALLBACK, webhook_on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED,
            webhook_on_completed, srv, MHD_OPTION_CONNECTION_LIMIT, 16384u,
            MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
        if (!srv->daemon) {
            snprintf(err, sizeof err, "the HTTP server did not start");
            rc = CE_EIO;
            close(fd);
        }
    }
    if (!srv->daemon) {
        ce_log_kv(CE_LOG_ERROR, "failed to listen and serve", "port", port, "error", err, NULL);
        return rc;
    }
    for (int i = 0; i < srv->n_routes; i++) {
        ce_log_kv(CE_LOG_INFO, "route is activated", "eventName", srv->routes[i]->name, "port",
                  port, "endpoint", srv->routes[i]->spec->endpoint, NULL);
    }
    return CE_OK;
}

void ce_webhook_servers_stop(struct ce_webhook_servers *st)
{
    if (!st) {
        return;
    }
    for (int i = 0; i < st->n_servers; i++) {
        if (st->servers[i].daemon) {
            MHD_stop_daemon(st->servers[i].daemon);
        }
        ce_free(st->servers[i].routes);
        ce_free(st->servers[i].tls_cert);
        ce_free(st->servers[i].tls_key);
    }
    ce_free(st->servers);
    ce_free(st);
}

/* The authSecret must be readable when the server starts, as the HTTP trigger's secrets are:
 * otherwise every request would get 500 with nothing saying which file is missing. It is still
 * read per request, so a rotated token applies. */
static int webhook_check_auth_secret(const struct ce_webhook_route *route, const char *secrets_dir)
{
    const struct ce_secret_ref *ref = &route->spec->auth_secret;
    if (!ref->set) {
        return CE_OK;
    }
    if (ref->optional) {
        return CE_OK; /* optional: the requests say so if it is still missing then */
    }
    char *token = NULL;
    size_t len = 0;
    int rc = webhook_read_secret(route, ref, secrets_dir, "cannot read the webhook's authSecret",
                                 &token, &len);
    ce_free(token);
    return rc;
}

int ce_webhook_servers_start(const struct ce_source_env *env, struct ce_webhook_route *routes,
                             int n, struct ce_webhook_servers **out)
{
    struct ce_webhook_servers *st = ce_xcalloc(1, sizeof(*st));
    st->env = env;
    st->servers = ce_xcalloc((size_t)n + 1, sizeof(*st->servers));
    int rc = CE_OK;
    for (int i = 0; i < n && rc == CE_OK; i++) {
        struct ce_webhook_route *route = &routes[i];
        const struct ce_webhook_config *ev = route->spec;
        rc = webhook_check_auth_secret(route, env->secrets_dir);
        if (rc != CE_OK) {
            break;
        }
        struct webhook_server *srv = webhook_server_for(st, ev->port);
        srv->routes = ce_xrealloc(srv->routes, sizeof(*srv->routes) * (size_t)(srv->n_routes + 1));
        srv->routes[srv->n_routes++] = route;
        /* As in Argo, the first event registered on a port decides whether it serves TLS. */
        if (srv->n_routes == 1 && ev->server_cert_secret.set && ev->server_key_secret.set) {
            rc = webhook_load_tls(srv, route, env->secrets_dir);
        }
    }
    for (int i = 0; i < st->n_servers && rc == CE_OK; i++) {
        rc = webhook_server_start(&st->servers[i]);
    }
    if (rc != CE_OK) {
        ce_webhook_servers_stop(st);
        return rc;
    }
    *out = st;
    return CE_OK;
}

void ce_webhook_servers_quiesce(struct ce_webhook_servers *st)
{
    atomic_store(&st->quiescing, true);
}

int ce_webhook_servers_in_flight(struct ce_webhook_servers *st)
{
    return atomic_load(&st->in_flight);
}

/* The event of a body of maxPayloadSize bytes: its data holds the headers (libmicrohttpd keeps
 * them under WEBHOOK_HEADER_BYTES) and the body, at worst twice its size once a form body is
 * turned into escaped JSON; the CloudEvent carries the data in base64 (4/3) with its context. */
int64_t ce_webhook_max_event_bytes(const struct ce_webhook_config *cfg)
{
    int64_t data = 2 * cfg->max_payload_size + WEBHOOK_HEADER_BYTES;
    return (data + 2) / 3 * 4 + 4096;
}
