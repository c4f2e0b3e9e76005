/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver (cnats): Argo's wire layout on a NATS JetStream server. The connection
 * is made on a background thread and retried forever with exponential backoff; publishes are
 * refused at once while it is down instead of going to cnats' reconnect buffer, and every
 * accepted async publish gets exactly one callback, bounded by publish_timeout_ms through
 * cnats' per-message MaxWait timer (see docs/internals/bus.md). Consumers and messages are in
 * jetstream_consume.c, the key-value store in jetstream_kv.c. */
#include "eventbus/jetstream_int.h"
#include "eventbus/bus_auth.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <limits.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <poll.h>
#include <netdb.h>
#include <time.h>

/* ---- status mapping ---- */

int jsbus_rc(natsStatus s, jsErrCode jerr)
{
    switch (s) {
    case NATS_OK:
        return CE_OK;
    case NATS_TIMEOUT:
        return CE_ETIMEDOUT;
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
    case NATS_CONNECTION_AUTH_FAILED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_SERVER:
        return CE_EUNAVAIL;
    case NATS_NOT_FOUND:
        return CE_ENOENT;
    case NATS_MAX_PAYLOAD:
        return CE_ETOOBIG;
    case NATS_INVALID_ARG:
    case NATS_INVALID_SUBJECT:
    case NATS_ILLEGAL_STATE:
        return CE_EINVAL;
    default:
        return jerr == JSConsumerNotFoundErr || jerr == JSStreamNotFoundErr ? CE_ENOENT
                                                                            : CE_EREMOTE;
    }
}

/* ---- connection state ---- */

/* Reads the server's max_payload: each connect may reach another server. */
static void jsbus_read_limits(struct jsbus *b, natsConnection *nc)
{
    if (nc != NULL) {
        atomic_store(&b->max_payload, natsConnection_GetMaxPayload(nc));
    }
}

static void jsbus_set_state(struct jsbus *b, bool up)
{
    if (atomic_exchange(&b->up, up) == up) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->mu);
    if (!atomic_load(&b->closing)) {
        ce_log_kv(up ? CE_LOG_INFO : CE_LOG_WARN,
                  up ? "Connected to the event bus" : "Event bus connection lost", NULL);
    }
    if (b->state_fn != NULL) {
        b->state_fn(b->state_arg, up);
    }
}

static void jsbus_on_up(natsConnection *nc, void *closure)
{
    jsbus_read_limits(closure, nc);
    jsbus_set_state(closure, true);
}

static void jsbus_on_down(natsConnection *nc, void *closure)
{
    (void)nc;
    jsbus_set_state(closure, false);
}

static void jsbus_on_closed(natsConnection *nc, void *closure)
{
    struct jsbus *b = closure;
    if (!atomic_load(&b->closing)) {
        jsbus_refused(b, nc);
    }
    jsbus_set_state(b, false);
    pthread_mutex_lock(&b->mu);
    b->closed = true;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->mu);
}

/* Why the first server of url_shown (the URL without credentials) cannot be reached, as the system
 * says it ("Connection refused", "timed out"): cnats only says that no server answered. Heap
 * string. */
bool jsbus_host_port(const char *url, char host[256], char port[16])
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t server_len = strcspn(p, ",");
    const char *at = memchr(p, '@', server_len);
    p = at != NULL ? at + 1 : p;
    size_t hl = strcspn(p, ":/,");
    snprintf(host, 256, "%.*s", (int)(hl < 255 ? hl : 255), p);
    snprintf(port, 16, "4222");
    if (p[hl] == ':') {
        snprintf(port, 16, "%.*s", (int)strcspn(p + hl + 1, "/,"), p + hl + 1);
    }
    return hl > 0;
}

static char *jsbus_probe(const char *url_shown)
{
    char host[256], port[16];
    jsbus_host_port(url_shown, host, port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(host, port, &hints, &ai);
    if (g != 0) {
        return ce_xasprintf("%s: %s", host, gai_strerror(g));
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        socklen_t len = sizeof(err);
        if (err == EINPROGRESS) {
            err = poll(&pfd, 1, 500) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0
                      ? err
                      : ETIMEDOUT;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    freeaddrinfo(ai);
    return ce_xstrdup(err != 0 ? strerror(err)
                               : "the server took the connection but did not "
                                 "answer as a NATS server");
}

/* A bus that cannot be reached says so, and when it tries again: at the 1st, 2nd, 4th, 8th...
 * attempt, then every 32nd, so a long outage does not flood the log. */
static void jsbus_log_retry(struct jsbus *b, natsConnection *nc, int attempts, int64_t delay_ms)
{
    bool milestone = (attempts & (attempts - 1)) == 0 || attempts % 32 == 0;
    if (atomic_load(&b->closing) || !milestone) {
        return;
    }
    (void)nc;
    char *why = jsbus_probe(b->url_shown);
    char wait[32], tries[16];
    snprintf(wait, sizeof(wait), "%lldms", (long long)delay_ms);
    snprintf(tries, sizeof(tries), "%d", attempts);
    ce_log_kv(CE_LOG_WARN, "cannot connect to the event bus; retrying", "url", b->url_shown,
              "error", why, "attempts", tries, "retryIn", wait, NULL);
    ce_free(why);
}

/* Exponential backoff min..max with up to 20% jitter so restarted fleets do not reconnect in
 * lockstep. */
static int64_t jsbus_reconnect_delay(natsConnection *nc, int attempts, void *closure)
{
    (void)nc;
    struct jsbus *b = closure;
    int64_t d = b->wait_min_ms;
    for (int i = 1; i < attempts && d < b->wait_max_ms; i++) {
        d *= 2;
    }
    d = d > b->wait_max_ms ? b->wait_max_ms : d;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    d += (d / 5) * (ts.tv_nsec % 1000) / 1000;
    jsbus_log_retry(b, nc, attempts, d);
    return d;
}

/* Whether publishes may go out now: cnats would otherwise buffer them while reconnecting. */
bool jsbus_ready(struct jsbus *b)
{
    pthread_mutex_lock(&b->mu);
    natsConnection *nc = b->nc;
    pthread_mutex_unlock(&b->mu);
    return nc != NULL && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
}

/* ---- the async publish map ---- */

static size_t jsbus_slot(const struct jsbus *b, const natsMsg *m)
{
    uintptr_t v = (uintptr_t)m;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 7) & (b->npend_buckets - 1);
}

/* Removes and returns the entry of m (the lock held), or NULL. */
static struct jsbus_pending *jsbus_take(struct jsbus *b, const natsMsg *m)
{
    for (struct jsbus_pending **pp = &b->pend[jsbus_slot(b, m)]; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->msg == m) {
            struct jsbus_pending *p = *pp;
            *pp = p->next;
            b->npending--;
            return p;
        }
    }
    return NULL;
}

static void jsbus_release(struct jsbus_pending *p)
{
    if (atomic_fetch_sub(&p->refs, 1) == 1) {
        natsMsg_Destroy(p->msg);
        ce_free(p);
    }
}

static void jsbus_on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    (void)js;
    struct jsbus *b = closure;
    pthread_mutex_lock(&b->mu);
    struct jsbus_pending *p = jsbus_take(b, msg);
    pthread_mutex_unlock(&b->mu);
    if (p != NULL) {
        int rc = CE_OK;
        const char *err = NULL;
        if (pa == NULL) { /* a duplicate is a positive ack (pa->Duplicate) */
            rc = pae != NULL ? jsbus_rc(pae->Err, pae->ErrCode) : CE_EREMOTE;
            rc = rc == CE_OK || rc == CE_ENOENT || rc == CE_EINVAL ? CE_EREMOTE : rc;
            if (pae != NULL && pae->Err == NATS_NO_RESPONDERS) {
                err = "no stream for this subject";
            }
            else {
                err = pae != NULL && pae->ErrText != NULL
                          ? pae->ErrText
                          : natsStatus_GetText(pae ? pae->Err : NATS_ERR);
            }
        }
        p->cb(p->arg, rc, err);
        jsbus_release(p);
        return;
    }
    natsMsg_Destroy(msg); /* not ours any more (answered at close): cnats handed it over */
}

/* ---- create / destroy ---- */

static atomic_bool jsbus_library_used;
static atomic_bool jsbus_tls_used;

static void jsbus_shutdown(void)
{
    /* Waits (bounded) for cnats' timer, GC and delivery threads to end, so none runs while
     * exit handlers free what it uses. Not after TLS: cnats 3.4's close then frees OpenSSL
     * state that OpenSSL's own exit handler frees again, a crash at exit; its threads are left
     * to the exit instead. */
    if (atomic_load(&jsbus_library_used) && !atomic_load(&jsbus_tls_used)) {
        (void)nats_CloseAndWait(2000);
    }
}

void ce_bus_nats_tls_used(void)
{
    atomic_store(&jsbus_tls_used, true);
}

static void *jsbus_connect_main(void *arg)
{
    struct jsbus *b = arg;
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = natsConnection_Connect(&nc, b->opts);
    if (nc != NULL) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = b->publish_timeout_ms;
        jo.PublishAsync.AckHandler = jsbus_on_ack;
        jo.PublishAsync.AckHandlerClosure = b;
        jo.PublishAsync.MaxPending = 0; /* our own cap answers CE_ETOOBIG instead of stalling */
        if (natsConnection_JetStream(&js, nc, &jo) != NATS_OK) {
            ce_log_kv(CE_LOG_ERROR, "Cannot create a JetStream context", "error",
                      nats_GetLastError(NULL), NULL);
        }
    }
    else {
        ce_log_kv(CE_LOG_ERROR, "Cannot set up the event bus connection", "error",
                  natsStatus_GetText(s), NULL);
    }
    pthread_mutex_lock(&b->mu);
    b->nc = nc;
    b->js = js;
    b->connector_done = true;
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->mu);
    if (s == NATS_OK) {
        jsbus_read_limits(b, nc);
        jsbus_set_state(b, true); /* connectedCb is not called for a first-try success */
    }
    return NULL;
}

/* The servers of url, a comma-separated list as NATS clients take it, blanks around them
 * trimmed: pointers into *copy (ce_free it). Returns how many (at most JSBUS_MAX_SERVERS). */
static int jsbus_split_servers(const char *url, char **copy, const char *servers[])
{
    *copy = ce_xstrdup(url);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(*copy, ",", &save); tok != NULL && n < JSBUS_MAX_SERVERS;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') {
            tok++;
        }
        size_t len = strlen(tok);
        while (len > 0 && tok[len - 1] == ' ') {
            tok[--len] = '\0';
        }
        if (len > 0) {
            servers[n++] = tok;
        }
    }
    return n;
}

/* Each server tried in turn, in the order given (cnats' own list parsing stops at the first
 * server that does not answer). */
static natsStatus jsbus_set_servers(natsOptions *o, const char *url)
{
    if (strchr(url, ',') == NULL) {
        return natsOptions_SetURL(o, url);
    }
    char *copy = NULL;
    const char *servers[JSBUS_MAX_SERVERS];
    int n = jsbus_split_servers(url, &copy, servers);
    natsStatus s = n > 0 ? natsOptions_SetServers(o, servers, n) : NATS_INVALID_ARG;
    if (s == NATS_OK) {
        s = natsOptions_SetNoRandomize(o, true);
    }
    ce_free(copy);
    return s;
}

/* The publish connection sends the same credentials; it is left to cnats alone for TLS and for
 * credentials inside the URL. */
static void jsbus_keep_credentials(struct jsbus *b, const struct ce_bus_config *cfg)
{
    b->fast_allowed = strncmp(cfg->url, "nats://", 7) == 0 && strchr(cfg->url, '@') == NULL &&
                      strstr(cfg->url, "tls://") == NULL;
    b->auth_user = cfg->username ? ce_xstrdup(cfg->username) : NULL;
    b->auth_pass = cfg->username ? ce_xstrdup(cfg->password ? cfg->password : "") : NULL;
    b->auth_token = cfg->token ? ce_xstrdup(cfg->token) : NULL;
}

static natsStatus jsbus_options(struct jsbus *b, const struct ce_bus_config *cfg)
{
    natsOptions *o = NULL;
    atomic_store(&jsbus_library_used, true);
    natsStatus s = natsOptions_Create(&o);
    b->opts = o;
    if (s == NATS_OK) {
        s = jsbus_set_servers(o, cfg->url);
    }
    /* tls:// URLs: TLS without verifying the server certificate, as Argo's bus clients do. */
    if (s == NATS_OK && strncmp(cfg->url, "tls://", 6) == 0) {
        atomic_store(&jsbus_tls_used, true);
        s = natsOptions_SetSecure(o, true);
        if (s == NATS_OK) {
            s = natsOptions_SkipServerVerification(o, true);
        }
    }
    if (s == NATS_OK && cfg->name != NULL) {
        s = natsOptions_SetName(o, cfg->name);
    }
    if (s == NATS_OK && cfg->username != NULL) {
        s = natsOptions_SetUserInfo(o, cfg->username, cfg->password ? cfg->password : "");
    }
    if (s == NATS_OK && cfg->token != NULL) {
        s = natsOptions_SetToken(o, cfg->token);
    }
    jsbus_keep_credentials(b, cfg);
    if (s == NATS_OK) {
        s = natsOptions_SetTimeout(o, cfg->connect_timeout_ms);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetMaxReconnect(o, -1);
    }
    /* cnats otherwise holds a write up to 1 ms for company: a Sensor's fetch request waited
     * that long for an event already stored (bench/latency.sh: p99 2.6 ms → 1.4–1.7 ms). */
    if (s == NATS_OK) {
        s = natsOptions_SetSendAsap(o, true);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetCustomReconnectDelay(o, jsbus_reconnect_delay, b);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetRetryOnFailedConnect(o, true, jsbus_on_up, b);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetDisconnectedCB(o, jsbus_on_down, b);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetReconnectedCB(o, jsbus_on_up, b);
    }
    if (s == NATS_OK) {
        s = natsOptions_SetClosedCB(o, jsbus_on_closed, b);
    }
    return s;
}

/* The options, with the accessSecret's credentials when the config names one. */
static natsStatus jsbus_options_auth(struct jsbus *b, const struct ce_bus_config *cfg)
{
    b->has_credentials = cfg->username != NULL || cfg->token != NULL;
    if (cfg->auth_secret == NULL || cfg->auth_secret[0] == '\0') {
        return jsbus_options(b, cfg);
    }
    struct ce_bus_auth auth;
    char err[512];
    if (ce_bus_auth_load(cfg, &auth, err, sizeof(err)) != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot read the event bus credentials (accessSecret)", "secret",
                  cfg->auth_secret, "key", cfg->auth_key, "error", err, NULL);
        return NATS_INVALID_ARG;
    }
    struct ce_bus_config with = *cfg;
    with.username = auth.username; /* cnats keeps its own copies */
    with.password = auth.password;
    b->has_credentials = true;
    natsStatus s = jsbus_options(b, &with);
    ce_bus_auth_fini(&auth);
    return s;
}

static void jsbus_free(struct jsbus *b)
{
    natsOptions_Destroy(b->opts);
    ce_free(b->auth_user);
    ce_free(b->auth_pass);
    ce_free(b->auth_token);
    pthread_cond_destroy(&b->cond);
    pthread_mutex_destroy(&b->mu);
    ce_free(b->pend);
    ce_free(b);
}

/* url's servers without their "user:password@", for logs. */
static void jsbus_url_shown(const char *url, char *out, size_t outlen)
{
    char *copy = NULL;
    const char *servers[JSBUS_MAX_SERVERS];
    int n = jsbus_split_servers(url, &copy, servers);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n && used + 1 < outlen; i++) {
        const char *scheme_end = strstr(servers[i], "://");
        const char *host = scheme_end ? scheme_end + 3 : servers[i];
        const char *at = strchr(host, '@');
        int w = snprintf(out + used, outlen - used, "%s%.*s%s", i ? "," : "",
                         (int)(host - servers[i]), servers[i], at ? at + 1 : host);
        used = w < 0 ? used : used + (size_t)w;
        used = used >= outlen ? outlen - 1 : used;
    }
    ce_free(copy);
}

static int jsbus_create(const struct ce_bus_config *cfg, ce_bus_state_fn *state_fn, void *state_arg,
                        struct ce_bus **out)
{
    struct jsbus *b = ce_xcalloc(1, sizeof(*b));
    b->base.drv = &ce_bus_jetstream_driver;
    b->state_fn = state_fn;
    b->state_arg = state_arg;
    b->scfg = cfg->stream;
    b->publish_timeout_ms = cfg->publish_timeout_ms;
    b->max_pending = cfg->max_pending;
    b->wait_min_ms = cfg->reconnect_wait_min_ms;
    b->wait_max_ms = cfg->reconnect_wait_max_ms;
    jsbus_url_shown(cfg->url, b->url_shown, sizeof(b->url_shown));
    b->npend_buckets = 1024;
    while (b->npend_buckets < (size_t)cfg->max_pending / 2 && b->npend_buckets < 65536) {
        b->npend_buckets *= 2;
    }
    b->pend = ce_xcalloc(b->npend_buckets, sizeof(b->pend[0]));
    atomic_init(&b->up, false);
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cond, &ca);
    pthread_condattr_destroy(&ca);
    natsStatus s = jsbus_options_auth(b, cfg);
    if (s != NATS_OK) {
        ce_log_kv(CE_LOG_ERROR, "Invalid event bus settings", "url", cfg->url, "error",
                  natsStatus_GetText(s), NULL);
        jsbus_free(b);
        return CE_EINVAL;
    }
    if (pthread_create(&b->connector, NULL, jsbus_connect_main, b) != 0) {
        jsbus_free(b);
        return CE_EIO;
    }
    b->connector_started = true;
    *out = &b->base;
    return CE_OK;
}

/* Answers every publish cnats still holds (only possible when the close races the acks). */
static void jsbus_fail_leftovers(struct jsbus *b)
{
    natsMsgList list = {0};
    pthread_mutex_lock(&b->mu);
    int left = b->npending;
    pthread_mutex_unlock(&b->mu);
    /* (cnats crashes on this call before the first async publish, hence the count check) */
    if (left == 0 || js_PublishAsyncGetPendingList(&list, b->js) != NATS_OK) {
        return;
    }
    for (int i = 0; i < list.Count; i++) {
        pthread_mutex_lock(&b->mu);
        struct jsbus_pending *p = jsbus_take(b, list.Msgs[i]);
        pthread_mutex_unlock(&b->mu);
        if (p != NULL) {
            p->cb(p->arg, CE_ETIMEDOUT, "event bus closed before the ack");
            p->msg = NULL; /* the list owns it */
            jsbus_release(p);
        }
    }
    natsMsgList_Destroy(&list);
}

static void jsbus_destroy(struct ce_bus *bus)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (b->connector_started) {
        pthread_join(b->connector, NULL);
    }
    jsbus_fast_stop(b);
    if (b->js != NULL) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = b->publish_timeout_ms;
        (void)js_PublishAsyncComplete(b->js, &po);
        jsbus_fail_leftovers(b);
    }
    if (b->nc != NULL) {
        atomic_store(&b->closing, true);
        natsConnection_Close(b->nc);
        /* The closed callback runs on a cnats thread and uses b: wait for it. */
        pthread_mutex_lock(&b->mu);
        while (!b->closed) {
            pthread_cond_wait(&b->cond, &b->mu);
        }
        pthread_mutex_unlock(&b->mu);
    }
    jsCtx_Destroy(b->js);
    natsConnection_Destroy(b->nc);
    jsbus_free(b);
}

static bool jsbus_connected(struct ce_bus *bus)
{
    return atomic_load(&((struct jsbus *)bus)->up);
}

static int jsbus_wait_connected(struct ce_bus *bus, int timeout_ms)
{
    struct jsbus *b = (struct jsbus *)bus;
    struct timespec dl;
    ce_clock_deadline(timeout_ms, &dl);
    pthread_mutex_lock(&b->mu);
    while (!atomic_load(&b->up)) {
        if (pthread_cond_timedwait(&b->cond, &b->mu, &dl) != 0) {
            break;
        }
    }
    pthread_mutex_unlock(&b->mu);
    return atomic_load(&b->up) ? CE_OK : CE_ETIMEDOUT;
}

/* ---- publish ---- */

static natsStatus jsbus_new_msg(natsMsg **m, const char *subject, const char *msg_id,
                                const void *data, size_t len)
{
    natsStatus s = natsMsg_Create(m, subject, NULL, data, (int)len);
    if (s == NATS_OK && *msg_id != '\0') {
        s = natsMsgHeader_Set(*m, "Nats-Msg-Id", msg_id);
    }
    return s;
}

/* Whether a message of len data bytes, with its subject and Nats-Msg-Id header, is larger than
 * the server takes: the server would refuse it (and close the connection), so it is refused
 * here, for good. */
static bool jsbus_too_large(struct jsbus *b, const char *subject, const char *msg_id, size_t len)
{
    int64_t max = atomic_load(&b->max_payload);
    /* the header block: "NATS/1.0\r\nNats-Msg-Id: <id>\r\n\r\n" */
    size_t overhead = strlen(subject) + strlen(msg_id) + 32;
    return max > 0 && len + overhead > (size_t)max;
}

static int64_t jsbus_max_payload(struct ce_bus *bus)
{
    return atomic_load(&((struct jsbus *)bus)->max_payload);
}

/* The publish connection when it is up (started here the first time); CE_RETRY: use cnats. */
static int jsbus_fast_publish_first(struct jsbus *b, const char *subject, const char *msg_id,
                                    const void *data, size_t len, ce_bus_publish_fn *cb, void *arg)
{
    if (!b->fast_allowed) {
        return CE_RETRY;
    }
    pthread_mutex_lock(&b->mu);
    bool start = !b->fast_started && !atomic_load(&b->closing);
    b->fast_started = true;
    pthread_mutex_unlock(&b->mu);
    if (start) {
        jsbus_fast_start(b);
    }
    return jsbus_fast_publish(b, subject, msg_id, data, len, cb, arg);
}

static int jsbus_publish_async(struct ce_bus *bus, const char *subject, const char *msg_id,
                               const void *data, size_t len, ce_bus_publish_fn *cb, void *arg)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (len > INT_MAX) {
        return CE_ETOOBIG;
    }
    if (jsbus_too_large(b, subject, msg_id, len)) {
        return CE_EMSGSIZE;
    }
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    int frc = jsbus_fast_publish_first(b, subject, msg_id, data, len, cb, arg);
    if (frc != CE_RETRY) {
        return frc;
    }
    natsMsg *m = NULL;
    if (jsbus_new_msg(&m, subject, msg_id, data, len) != NATS_OK) {
        natsMsg_Destroy(m);
        return CE_EINVAL;
    }
    struct jsbus_pending *p = ce_xcalloc(1, sizeof(*p));
    p->msg = m;
    p->cb = cb;
    p->arg = arg;
    atomic_init(&p->refs, 2);
    pthread_mutex_lock(&b->mu);
    if (b->npending >= b->max_pending) {
        pthread_mutex_unlock(&b->mu);
        natsMsg_Destroy(m);
        ce_free(p);
        return CE_ETOOBIG;
    }
    /* Registered before sending: the ack may arrive before js_PublishMsgAsync returns. */
    size_t slot = jsbus_slot(b, m);
    p->next = b->pend[slot];
    b->pend[slot] = p;
    b->npending++;
    pthread_mutex_unlock(&b->mu);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = b->publish_timeout_ms;
    natsMsg *mp = m;
    natsStatus s = js_PublishMsgAsync(b->js, &mp, &po);
    if (s != NATS_OK) {
        /* cnats did not take the message: no ack handler call will come for it. */
        pthread_mutex_lock(&b->mu);
        struct jsbus_pending *q = jsbus_take(b, m);
        pthread_mutex_unlock(&b->mu);
        if (q == NULL) { /* the outcome already went to cb: nothing more to report */
            jsbus_release(p);
            return CE_OK;
        }
        ce_free(q);
        natsMsg_Destroy(mp);
        int rc = jsbus_rc(s, 0);
        return rc == CE_ETOOBIG ? rc : CE_EUNAVAIL;
    }
    jsbus_release(p);
    return CE_OK;
}

static int jsbus_publish(struct ce_bus *bus, const char *subject, const char *msg_id,
                         const void *data, size_t len)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (len > INT_MAX) {
        return CE_ETOOBIG;
    }
    if (jsbus_too_large(b, subject, msg_id, len)) {
        return CE_EMSGSIZE;
    }
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    natsMsg *m = NULL;
    natsStatus s = jsbus_new_msg(&m, subject, msg_id, data, len);
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    if (s == NATS_OK) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = b->publish_timeout_ms;
        s = js_PublishMsg(&pa, b->js, m, &po, &jerr);
    }
    jsPubAck_Destroy(pa);
    natsMsg_Destroy(m);
    int rc = jsbus_rc(s, jerr);
    return rc == CE_ENOENT || rc == CE_EINVAL ? CE_EREMOTE : rc;
}

const struct ce_bus_driver ce_bus_jetstream_driver = {
    .name = "jetstream",
    .create = jsbus_create,
    .destroy = jsbus_destroy,
    .shutdown = jsbus_shutdown,
    .connected = jsbus_connected,
    .wait_connected = jsbus_wait_connected,
    .ensure_stream = jsbus_ensure_stream,
    .publish_async = jsbus_publish_async,
    .publish = jsbus_publish,
    .consumer_create = jsbus_consumer_create,
    .consumer_destroy = jsbus_consumer_destroy,
    .consumer_delete = jsbus_consumer_delete,
    .consumer_fetch = jsbus_consumer_fetch,
    .msg_ack = jsbus_msg_ack,
    .backlog = jsbus_backlog,
    .max_payload = jsbus_max_payload,
    .msg_nak = jsbus_msg_nak,
    .msg_in_progress = jsbus_msg_in_progress,
    .msg_term = jsbus_msg_term,
    .msg_destroy = jsbus_msg_destroy,
    .kv_open = jsbus_kv_open,
    .kv_close = jsbus_kv_close,
    .kv_get = jsbus_kv_get,
    .kv_put = jsbus_kv_put,
    .kv_delete = jsbus_kv_delete,
    .kv_keys = jsbus_kv_keys,
    .kv_purge_deletes = jsbus_kv_purge_deletes,
};
