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
#include "core/httpd/server.h"
#include "core/service/listen.h"
#include "core/service/secrets.h"
#include "eventbus/bus.h"
#include "eventsource/emit.h"
#include "eventsource/webhook_body.h"
#include "manifest/model.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WEBHOOK_EVENT_ID_HEADER "X-Cevents-Event-Id"

struct webhook_server {
    struct ce_webhook_servers *owner;
    int port;
    char port_text[8];
    struct ce_httpd *httpd;
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

/* Per-request state; created when the head is in, freed when the request is over. Touched by
 * the server loop that owns the connection, and once by the bus thread that delivers the ack
 * (which answers; the server hands the answer to its loop). */
struct webhook_req {
    struct webhook_server *srv;
    struct ce_httpd_req *hr;
    struct ce_webhook_route *route;
    bool counted; /* included in the owner's in_flight */
    char event_id[33];
    struct ce_webhook_verdict verdict;
};

static void webhook_reply(struct ce_httpd_req *hr, unsigned int status, const char *text,
                          const char *event_id, int retry_after)
{
    struct ce_httpd_field_out fields[3] = {{"Content-Type", "text/plain; charset=utf-8"}};
    int n = 1;
    if (event_id && event_id[0]) {
        fields[n++] = (struct ce_httpd_field_out){WEBHOOK_EVENT_ID_HEADER, event_id};
    }
    char ra[16];
    if (retry_after > 0) {
        snprintf(ra, sizeof(ra), "%d", retry_after);
        fields[n++] = (struct ce_httpd_field_out){"Retry-After", ra};
    }
    ce_httpd_answer(hr, status, fields, n, text, strlen(text));
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
        return 500;
    }
    const char *hdr = ce_httpd_req_field(req->hr, "Authorization");
    unsigned int status = 0;
    if (!hdr || strncmp(hdr, "Bearer ", 7) != 0) {
        *why = "Invalid Authorization Header";
        status = 401;
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
            status = 401;
        }
    }
    ce_free(token);
    return status;
}

/* The head is in, no body yet. Either answers at once (health, 404, wrong method, auth,
 * declared size too big, shutting down) or asks for the body. Framing the server refuses
 * itself (conflicting Content-Length, a NUL in the target) never gets here. */
static void webhook_begin(struct webhook_req *req)
{
    struct ce_httpd_req *hr = req->hr;
    const struct ce_http_head *head = ce_httpd_req_head(hr);
    const char *path = ce_httpd_req_path(hr);
    if (strcmp(path, "/health") == 0) {
        webhook_reply(hr, 200, "OK", NULL, 0);
        return;
    }
    req->route = webhook_find_route(req->srv, path);
    if (!req->route) {
        webhook_reply(hr, 404, "404 page not found", NULL, 0);
        return;
    }
    if (atomic_load(&req->srv->owner->quiescing)) {
        webhook_reply(hr, 503, "shutting down", NULL, req->srv->owner->env->retry_after_s);
        return;
    }
    const char *why = NULL;
    unsigned int status = webhook_check_auth(req, &why);
    if (status) {
        webhook_reply(hr, status, why, NULL, 0);
        return;
    }
    const struct ce_webhook_config *spec = req->route->spec;
    if (strcmp(spec->method, head->method) != 0) {
        webhook_reply(hr, 400, "http method does not match", NULL, 0);
        return;
    }
    if (strcmp(head->method, "GET") != 0 && strcmp(head->method, "POST") != 0) {
        char msg[96];
        snprintf(msg, sizeof(msg), "unsupported method: %.64s", head->method);
        webhook_reply(hr, 400, msg, NULL, 0);
        return;
    }
    if (!head->chunked && head->content_length > (uint64_t)spec->max_payload_size) {
        ce_emitter_count_processing_failed(req->route->em);
        webhook_reply(hr, 413, "request body too large", NULL, 0);
        return;
    }
    ce_httpd_read_body(hr, (size_t)spec->max_payload_size);
}

/* Whether the request's media type is a form. Parameters (`; charset=utf-8`) and the case of
 * the type do not change the type (Argo compares the whole header and so parses such forms as
 * JSON). */
static bool webhook_is_form(struct webhook_req *req)
{
    static const char form[] = "application/x-www-form-urlencoded";
    const char *ct = ce_httpd_req_field(req->hr, "Content-Type");
    if (ct == NULL) {
        return false;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t')) {
        n--;
    }
    return n == sizeof(form) - 1 && strncasecmp(ct, form, n) == 0;
}

/* Turns the request into the event's body JSON: GET query and form posts become objects of
 * string arrays, anything else must already be JSON. */
static int webhook_body_json(struct webhook_req *req, struct ce_buf *out)
{
    if (strcmp(ce_httpd_req_head(req->hr)->method, "GET") == 0) {
        const char *q = ce_httpd_req_query(req->hr);
        int rc = ce_webhook_body_from_query(q, strlen(q), out);
        return rc == CE_EPARSE ? CE_OK : rc; /* bad pairs of a URL are skipped, as in Argo */
    }
    size_t len = 0;
    const char *body = ce_httpd_req_body(req->hr, &len);
    if (webhook_is_form(req)) {
        return ce_webhook_body_from_query(body, len, out);
    }
    return ce_webhook_body_json_compact(body, len, out);
}

static int webhook_build_data(struct webhook_req *req, struct ce_buf *data)
{
    struct ce_buf body;
    ce_buf_init(&body, 0);
    int rc = webhook_body_json(req, &body);
    if (rc == CE_OK) {
        const struct ce_http_head *head = ce_httpd_req_head(req->hr);
        struct ce_webhook_header *hdrs = ce_xcalloc((size_t)head->n_fields + 1, sizeof(*hdrs));
        for (int i = 0; i < head->n_fields; i++) {
            const struct ce_http_field *f = &head->fields[i];
            hdrs[i] = (struct ce_webhook_header){f->name, f->name_len, f->value, f->value_len};
        }
        const struct ce_webhook_config *spec = req->route->spec;
        struct ce_kv_pair *meta = ce_xcalloc((size_t)spec->n_metadata + 1, sizeof(*meta));
        for (int i = 0; i < spec->n_metadata; i++) {
            meta[i] = (struct ce_kv_pair){spec->metadata[i].key, spec->metadata[i].value};
        }
        rc = ce_webhook_data_build(hdrs, head->n_fields, body.data, body.len, meta,
                                   spec->n_metadata, !req->route->keep_auth, data);
        ce_free(meta);
        ce_free(hdrs);
    }
    ce_buf_fini(&body);
    return rc;
}

/* The bus's answer (any thread, or the loop when the publish failed at once). */
static void webhook_answer_ack(struct webhook_req *req, int rc)
{
    struct ce_httpd_req *hr = req->hr;
    if (rc == CE_OK || rc == CE_DROPPED) {
        /* a filtered event is answered as a success, as Argo Events does */
        webhook_reply(hr, 200, "success", req->event_id, 0);
        return;
    }
    if (rc == CE_EMSGSIZE) {
        /* it can never fit: no Retry-After */
        char why[160];
        snprintf(why, sizeof why,
                 "the event is larger than the event bus takes (its max_payload is %lld bytes)",
                 (long long)ce_bus_max_payload(req->srv->owner->env->bus));
        webhook_reply(hr, 413, why, req->event_id, 0);
        return;
    }
    const char *why = rc == CE_ETIMEDOUT ? "event bus did not acknowledge the event in time"
                      : rc == CE_EFULL   ? "event bus is full: a Sensor is too far behind"
                                         : "event bus unavailable";
    webhook_reply(hr, 503, why, req->event_id, req->srv->owner->env->retry_after_s);
}

static void webhook_on_ack(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    webhook_answer_ack(arg, rc);
}

static const char *webhook_idempotency_key(struct webhook_req *req)
{
    if (req->verdict.key[0] != '\0') {
        return req->verdict.key;
    }
    return ce_httpd_req_field(req->hr, "Idempotency-Key");
}

/* Hands the event to the bus; the answer follows its ack (or its timeout). */
static void webhook_publish(struct webhook_req *req, struct ce_buf *data)
{
    struct ce_webhook_servers *st = req->srv->owner;
    struct ce_emitter *em = req->route->em;
    const char *key = webhook_idempotency_key(req);
    char keyed_id[33];
    if (key && key[0]) {
        ce_emit_id_from_key(em->source_name, em->event_name, key, strlen(key), keyed_id);
    }
    /* In flight from here until the answer is written, so a shutdown waits for the producer to
     * hear the outcome. */
    req->counted = true;
    atomic_fetch_add(&st->in_flight, 1);
    int rc = ce_emit_async(em, data->data, data->len, key && key[0] ? keyed_id : NULL,
                           webhook_on_ack, req, req->event_id);
    if (rc != CE_OK) {
        webhook_answer_ack(req, rc);
    }
}

/* The whole body is in: check it, build the event and publish it. */
static void webhook_finish(struct webhook_req *req)
{
    struct ce_httpd_req *hr = req->hr;
    struct ce_emitter *em = req->route->em;
    if (ce_httpd_body_over(hr)) {
        ce_emitter_count_processing_failed(em);
        webhook_reply(hr, 413, "request body too large", NULL, 0);
        return;
    }
    if (req->route->on_body != NULL) {
        size_t len = 0;
        const char *body = ce_httpd_req_body(hr, &len);
        req->route->on_body(req->route->on_body_arg, body, len, &req->verdict);
        if (req->verdict.status != 0) {
            webhook_reply(hr, req->verdict.status, req->verdict.text, NULL, 0);
            return;
        }
    }
    struct ce_buf data;
    ce_buf_init(&data, 0);
    if (webhook_build_data(req, &data) != CE_OK) {
        ce_emitter_count_processing_failed(em);
        const char *method = ce_httpd_req_head(hr)->method;
        const char *why = strcmp(method, "POST") == 0 && webhook_is_form(req)
                              ? "request body is not a valid form"
                              : "request body is not valid JSON";
        ce_log_kv(CE_LOG_ERROR, "failed to get body", "eventName", req->route->name, "error", why,
                  NULL);
        webhook_reply(hr, 400, why, NULL, 0);
    }
    else {
        webhook_publish(req, &data);
    }
    ce_buf_fini(&data);
}

static void webhook_on_head(void *arg, struct ce_httpd_req *hr)
{
    struct webhook_req *req = ce_xcalloc(1, sizeof(*req));
    req->srv = arg;
    req->hr = hr;
    ce_httpd_req_set_ctx(hr, req);
    webhook_begin(req);
}

static void webhook_on_body(void *arg, struct ce_httpd_req *hr)
{
    (void)arg;
    webhook_finish(ce_httpd_req_ctx(hr));
}

static void webhook_on_done(void *arg, struct ce_httpd_req *hr)
{
    (void)arg;
    struct webhook_req *req = ce_httpd_req_ctx(hr);
    if (req->counted) {
        atomic_fetch_sub(&req->srv->owner->in_flight, 1);
    }
    ce_free(req);
}

/* The server's own refusals (malformed framing) and failing accepts go through the logger, as
 * JSON like every other line and rate-limited with the other warnings. */
static void webhook_on_problem(void *arg, const char *what, const char *detail)
{
    const struct webhook_server *srv = arg;
    ce_log_kv(CE_LOG_WARN, "the HTTP server reported a problem", "port", srv->port_text, "what",
              what, "detail", detail, NULL);
}

static const struct ce_httpd_ops webhook_ops = {
    .on_head = webhook_on_head,
    .on_body = webhook_on_body,
    .on_done = webhook_on_done,
    .on_problem = webhook_on_problem,
};

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

static int webhook_server_start(struct webhook_server *srv)
{
    snprintf(srv->port_text, sizeof(srv->port_text), "%d", srv->port);
    char err[160] = "";
    struct ce_httpd_config cfg = {
        .listen_fd = -1, .tls_cert_pem = srv->tls_cert, .tls_key_pem = srv->tls_key};
    int rc = ce_listen_tcp(srv->port, 4096, &cfg.listen_fd, err, sizeof err);
    if (rc == CE_OK) {
        rc = ce_httpd_start(&cfg, &webhook_ops, srv, &srv->httpd, err, sizeof err);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to listen and serve", "port", srv->port_text, "error", err,
                  NULL);
        return rc;
    }
    for (int i = 0; i < srv->n_routes; i++) {
        ce_log_kv(CE_LOG_INFO, "route is activated", "eventName", srv->routes[i]->name, "port",
                  srv->port_text, "endpoint", srv->routes[i]->spec->endpoint, NULL);
    }
    return CE_OK;
}

void ce_webhook_servers_stop(struct ce_webhook_servers *st)
{
    if (!st) {
        return;
    }
    for (int i = 0; i < st->n_servers; i++) {
        ce_httpd_stop(st->servers[i].httpd);
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

/* The event of a body of maxPayloadSize bytes: its data holds the headers (the HTTP server keeps
 * them under CE_HTTPD_MAX_HEAD) and the body, at worst twice its size once a form body is
 * turned into escaped JSON; the CloudEvent carries the data in base64 (4/3) with its context. */
int64_t ce_webhook_max_event_bytes(const struct ce_webhook_config *cfg)
{
    int64_t data = 2 * cfg->max_payload_size + CE_HTTPD_MAX_HEAD;
    return (data + 2) / 3 * 4 + 4096;
}
