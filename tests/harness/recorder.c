/* SPDX-License-Identifier: Apache-2.0 */
/* The recording HTTP test server: see recorder.h. */
#include "tests/harness/recorder.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <cmocka.h>

#define REC_START_TRIES 5

struct rec_reply {
    int status;
    char *headers[CE_REC_REPLY_HEADERS];
    int n_headers;
    char *body;
    int delay_ms;
};

struct ce_recorder {
    struct MHD_Daemon *daemon;
    int port;
    char *cert, *key; /* kept for the daemon's lifetime */
    pthread_mutex_t mu;
    struct rec_reply script[CE_REC_SCRIPT_MAX];
    int script_head, script_len;
    struct rec_reply def;
    struct ce_rec_request **reqs;
    int n_reqs, cap_reqs;
    int count;
    int conns;
    atomic_bool stopping;
};

/* A request being received. */
struct rec_pending {
    struct ce_rec_request *q;
    bool started;
};

/* ---- answers ---- */

static void rec_reply_copy(struct rec_reply *dst, const struct ce_rec_reply *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->status = src->status;
    dst->delay_ms = src->delay_ms;
    dst->body = src->body ? ce_xstrdup(src->body) : NULL;
    for (int i = 0; i < CE_REC_REPLY_HEADERS && src->headers[i] != NULL; i++) {
        dst->headers[dst->n_headers++] = ce_xstrdup(src->headers[i]);
    }
}

static void rec_reply_fini(struct rec_reply *rp)
{
    for (int i = 0; i < rp->n_headers; i++) {
        ce_free(rp->headers[i]);
    }
    ce_free(rp->body);
    memset(rp, 0, sizeof(*rp));
}

/* The next answer, copied (the caller finis it). */
static void rec_next_reply(struct ce_recorder *r, struct rec_reply *out)
{
    pthread_mutex_lock(&r->mu);
    if (r->script_len > 0) {
        *out = r->script[r->script_head]; /* moved out of the queue */
        memset(&r->script[r->script_head], 0, sizeof(r->script[0]));
        r->script_head = (r->script_head + 1) % CE_REC_SCRIPT_MAX;
        r->script_len--;
    }
    else {
        struct ce_rec_reply d = {
            .status = r->def.status, .body = r->def.body, .delay_ms = r->def.delay_ms};
        for (int i = 0; i < r->def.n_headers; i++) {
            d.headers[i] = r->def.headers[i];
        }
        rec_reply_copy(out, &d);
    }
    pthread_mutex_unlock(&r->mu);
}

void ce_recorder_script(struct ce_recorder *r, const struct ce_rec_reply *replies, int n)
{
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < n; i++) {
        if (r->script_len == CE_REC_SCRIPT_MAX) {
            pthread_mutex_unlock(&r->mu);
            fail_msg("recorder: more than %d scripted answers", CE_REC_SCRIPT_MAX);
        }
        int at = (r->script_head + r->script_len) % CE_REC_SCRIPT_MAX;
        rec_reply_copy(&r->script[at], &replies[i]);
        r->script_len++;
    }
    pthread_mutex_unlock(&r->mu);
}

void ce_recorder_script_statuses(struct ce_recorder *r, const int *statuses, int n)
{
    for (int i = 0; i < n; i++) {
        struct ce_rec_reply rp = {.status = statuses[i]};
        ce_recorder_script(r, &rp, 1);
    }
}

void ce_recorder_set_default(struct ce_recorder *r, const struct ce_rec_reply *reply)
{
    pthread_mutex_lock(&r->mu);
    rec_reply_fini(&r->def);
    rec_reply_copy(&r->def, reply);
    pthread_mutex_unlock(&r->mu);
}

/* ---- recorded requests ---- */

void ce_rec_request_free(struct ce_rec_request *q)
{
    if (q == NULL) {
        return;
    }
    for (int i = 0; i < q->n_headers; i++) {
        ce_free(q->headers[i].name);
        ce_free(q->headers[i].value);
    }
    ce_free(q->headers);
    ce_free(q->method);
    ce_free(q->target);
    ce_free(q->path);
    ce_free(q->body);
    ce_free(q);
}

static struct ce_rec_request *rec_request_copy(const struct ce_rec_request *q)
{
    struct ce_rec_request *c = ce_xcalloc(1, sizeof(*c));
    *c = *q;
    c->method = ce_xstrdup(q->method);
    c->target = ce_xstrdup(q->target);
    c->path = ce_xstrdup(q->path);
    c->body = ce_xmalloc(q->body_len + 1);
    memcpy(c->body, q->body, q->body_len + 1);
    c->headers = ce_xcalloc((size_t)q->n_headers + 1, sizeof(*c->headers));
    for (int i = 0; i < q->n_headers; i++) {
        c->headers[i].name = ce_xstrdup(q->headers[i].name);
        c->headers[i].value = ce_xstrdup(q->headers[i].value);
    }
    return c;
}

static void rec_store(struct ce_recorder *r, struct ce_rec_request *q)
{
    pthread_mutex_lock(&r->mu);
    r->count++;
    if (r->n_reqs < CE_REC_REQUESTS_MAX) {
        if (r->n_reqs == r->cap_reqs) {
            r->cap_reqs = r->cap_reqs ? r->cap_reqs * 2 : 64;
            r->reqs = ce_xrealloc(r->reqs, (size_t)r->cap_reqs * sizeof(*r->reqs));
        }
        r->reqs[r->n_reqs++] = q;
        q = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    ce_rec_request_free(q);
}

int ce_recorder_count(struct ce_recorder *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->count;
    pthread_mutex_unlock(&r->mu);
    return n;
}

int ce_recorder_connections(struct ce_recorder *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->conns;
    pthread_mutex_unlock(&r->mu);
    return n;
}

bool ce_recorder_wait(struct ce_recorder *r, int count, int timeout_ms)
{
    return CE_TEST_WAIT_UNTIL(ce_recorder_count(r) >= count, timeout_ms);
}

struct ce_rec_request *ce_recorder_request(struct ce_recorder *r, int i)
{
    struct ce_rec_request *c = NULL;
    pthread_mutex_lock(&r->mu);
    if (i >= 0 && i < r->n_reqs) {
        c = rec_request_copy(r->reqs[i]);
    }
    pthread_mutex_unlock(&r->mu);
    return c;
}

void ce_recorder_reset(struct ce_recorder *r)
{
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->n_reqs; i++) {
        ce_rec_request_free(r->reqs[i]);
    }
    r->n_reqs = 0;
    r->count = 0;
    while (r->script_len > 0) {
        rec_reply_fini(&r->script[r->script_head]);
        r->script_head = (r->script_head + 1) % CE_REC_SCRIPT_MAX;
        r->script_len--;
    }
    pthread_mutex_unlock(&r->mu);
}

const char *ce_rec_header(const struct ce_rec_request *q, const char *name)
{
    for (int i = 0; i < q->n_headers; i++) {
        if (strcasecmp(q->headers[i].name, name) == 0) {
            return q->headers[i].value;
        }
    }
    return NULL;
}

int ce_rec_header_count(const struct ce_rec_request *q, const char *name)
{
    int n = 0;
    for (int i = 0; i < q->n_headers; i++) {
        n += strcasecmp(q->headers[i].name, name) == 0;
    }
    return n;
}

/* ---- the server ---- */

static enum MHD_Result rec_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                          size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct ce_rec_request *q = cls;
    q->headers = ce_xrealloc(q->headers, (size_t)(q->n_headers + 1) * sizeof(*q->headers));
    q->headers[q->n_headers].name = ce_xstrndup(key, key_size);
    q->headers[q->n_headers].value = ce_xstrndup(value ? value : "", value ? value_size : 0);
    q->n_headers++;
    return MHD_YES;
}

static void rec_begin(struct rec_pending *p, struct MHD_Connection *conn, const char *method)
{
    struct ce_rec_request *q = p->q;
    q->method = ce_xstrdup(method);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, rec_collect_header, q);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci != NULL && ci->client_addr != NULL && ci->client_addr->sa_family == AF_INET) {
        q->client_port =
            ntohs(((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_port);
    }
    q->body = ce_xcalloc(1, 1);
}

static void rec_take_body(struct ce_rec_request *q, const char *data, size_t n)
{
    q->body_total += n;
    size_t keep = q->body_len + n > CE_REC_BODY_MAX ? CE_REC_BODY_MAX - q->body_len : n;
    if (keep > 0) {
        q->body = ce_xrealloc(q->body, q->body_len + keep + 1);
        memcpy(q->body + q->body_len, data, keep);
        q->body_len += keep;
        q->body[q->body_len] = '\0';
    }
}

/* Waits ms, cut short when the server stops. */
static void rec_delay(struct ce_recorder *r, int ms)
{
    int64_t until = ce_test_now_ms() + ms;
    while (!atomic_load(&r->stopping) && ce_test_now_ms() < until) {
        ce_test_sleep_ms(5);
    }
}

static enum MHD_Result rec_answer(struct ce_recorder *r, struct MHD_Connection *conn)
{
    struct rec_reply rp;
    rec_next_reply(r, &rp);
    rec_delay(r, rp.delay_ms);
    if (rp.status == 0 || atomic_load(&r->stopping)) {
        rec_reply_fini(&rp);
        return MHD_NO;
    }
    const char *body = rp.body ? rp.body : "";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    for (int i = 0; i < rp.n_headers; i++) {
        char *colon = strchr(rp.headers[i], ':');
        if (colon != NULL) {
            *colon = '\0';
            const char *v = colon + 1;
            v += strspn(v, " \t");
            MHD_add_response_header(resp, rp.headers[i], v);
        }
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)rp.status, resp);
    MHD_destroy_response(resp);
    rec_reply_fini(&rp);
    return ret;
}

static enum MHD_Result rec_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
    (void)url;
    (void)version;
    struct ce_recorder *r = cls;
    struct rec_pending *p = *req_cls;
    if (p == NULL) {
        return MHD_NO;
    }
    if (!p->started) {
        p->started = true;
        rec_begin(p, conn, method);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        rec_take_body(p->q, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (p->q != NULL) {
        p->q->at_ms = ce_test_now_ms();
        rec_store(r, p->q);
        p->q = NULL;
    }
    return rec_answer(r, conn);
}

/* Called first for every request, with the target as it came: becomes *req_cls. */
static void *rec_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct rec_pending *p = ce_xcalloc(1, sizeof(*p));
    p->q = ce_xcalloc(1, sizeof(*p->q));
    p->q->target = ce_xstrdup(uri ? uri : "");
    p->q->path = ce_xstrndup(p->q->target, strcspn(p->q->target, "?"));
    return p;
}

static void rec_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct rec_pending *p = *req_cls;
    if (p != NULL) {
        ce_rec_request_free(p->q);
        ce_free(p);
        *req_cls = NULL;
    }
}

static void rec_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    (void)socket_context;
    struct ce_recorder *r = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&r->mu);
        r->conns++;
        pthread_mutex_unlock(&r->mu);
    }
}

static struct MHD_Daemon *rec_daemon(struct ce_recorder *r, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (r->cert != NULL) {
        return MHD_start_daemon(flags | MHD_USE_TLS, (uint16_t)port, NULL, NULL, rec_handler, r,
                                MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_URI_LOG_CALLBACK, rec_uri, r,
                                MHD_OPTION_NOTIFY_COMPLETED, rec_completed, r,
                                MHD_OPTION_NOTIFY_CONNECTION, rec_connection, r,
                                MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_HTTPS_MEM_CERT,
                                r->cert, MHD_OPTION_HTTPS_MEM_KEY, r->key, MHD_OPTION_END);
    }
    return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, rec_handler, r, MHD_OPTION_SOCK_ADDR,
                            &sa, MHD_OPTION_URI_LOG_CALLBACK, rec_uri, r,
                            MHD_OPTION_NOTIFY_COMPLETED, rec_completed, r,
                            MHD_OPTION_NOTIFY_CONNECTION, rec_connection, r,
                            MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
}

struct ce_recorder *ce_recorder_start(const char *tls_cert_pem, const char *tls_key_pem)
{
    struct ce_recorder *r = ce_xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    atomic_init(&r->stopping, false);
    r->def.status = 200;
    if (tls_cert_pem != NULL) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fail_msg("recorder: libmicrohttpd was built without TLS");
        }
        r->cert = ce_xstrdup(tls_cert_pem);
        r->key = ce_xstrdup(tls_key_pem ? tls_key_pem : "");
    }
    /* another process may take the free port before the bind: try a few */
    for (int i = 0; i < REC_START_TRIES && r->daemon == NULL; i++) {
        r->port = ce_test_free_port();
        r->daemon = rec_daemon(r, r->port);
    }
    if (r->daemon == NULL) {
        fail_msg("recorder: cannot start an HTTP server on 127.0.0.1");
    }
    return r;
}

void ce_recorder_stop(struct ce_recorder *r)
{
    if (r == NULL) {
        return;
    }
    atomic_store(&r->stopping, true);
    MHD_stop_daemon(r->daemon);
    ce_recorder_reset(r);
    rec_reply_fini(&r->def);
    ce_free(r->reqs);
    ce_free(r->cert);
    ce_free(r->key);
    pthread_mutex_destroy(&r->mu);
    ce_free(r);
}

int ce_recorder_port(const struct ce_recorder *r)
{
    return r->port;
}

char *ce_recorder_url(const struct ce_recorder *r, const char *path)
{
    return ce_xasprintf("%s://127.0.0.1:%d%s", r->cert ? "https" : "http", r->port,
                        path ? path : "");
}
