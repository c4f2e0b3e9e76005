/* SPDX-License-Identifier: Apache-2.0 */
/* The operations HTTP endpoint (metrics and probes) on libmicrohttpd's own polling thread. It is
 * kept small on purpose: a handful of connections, short timeouts, no request bodies read, so
 * a misbehaving scraper cannot take resources from event handling. */
#include "core/service/opsserver.h"
#include "core/service/listen.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define OPSSERVER_MAX_CONNECTIONS 64
#define OPSSERVER_TIMEOUT_S 10

struct ce_opsserver {
    struct MHD_Daemon *daemon;
    ce_ready_fn *ready;
    void *arg;
};

static enum MHD_Result opsserver_reply(struct MHD_Connection *c, unsigned int status,
                                       const char *ctype, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void opsserver_free_body(void *p)
{
    ce_free(p);
}

static enum MHD_Result opsserver_metrics(struct MHD_Connection *c)
{
    size_t len = 0;
    char *body = ce_metrics_render(&len);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(len, body, opsserver_free_body);
    if (!r) {
        ce_free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result opsserver_handle(void *cls, struct MHD_Connection *c, const char *url,
                                        const char *method, const char *version,
                                        const char *upload_data, size_t *upload_data_size,
                                        void **req_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    struct ce_opsserver *s = cls;
    const char *text = "text/plain; charset=utf-8";
    bool get =
        strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (get && strcmp(url, "/metrics") == 0) {
        return opsserver_metrics(c);
    }
    if (get && strcmp(url, "/healthz") == 0) {
        return opsserver_reply(c, MHD_HTTP_OK, text, "ok");
    }
    if (get && strcmp(url, "/readyz") == 0) {
        bool ready = !s->ready || s->ready(s->arg);
        return ready ? opsserver_reply(c, MHD_HTTP_OK, text, "ready")
                     : opsserver_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, text, "not ready");
    }
    return opsserver_reply(c, MHD_HTTP_NOT_FOUND, text, "404 page not found");
}

int ce_opsserver_start(int port, ce_ready_fn *ready, void *arg, struct ce_opsserver **out)
{
    *out = NULL;
    if (port <= 0 || port > 65535) {
        return CE_EINVAL;
    }
    struct ce_opsserver *s = ce_xcalloc(1, sizeof *s);
    s->ready = ready;
    s->arg = arg;
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char err[128] = "";
    int fd = -1;
    int rc = ce_listen_tcp(port, 64, &fd, err, sizeof err);
    if (rc == CE_OK) {
        s->daemon = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, opsserver_handle, s,
            MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned int)OPSSERVER_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned int)OPSSERVER_TIMEOUT_S, MHD_OPTION_END);
        if (!s->daemon) {
            snprintf(err, sizeof err, "the HTTP server did not start");
            rc = CE_EIO;
            close(fd);
        }
    }
    if (!s->daemon) {
        ce_log_kv(CE_LOG_ERROR, "Failed to start the metrics server", "port", p, "error", err,
                  NULL);
        ce_free(s);
        return rc;
    }
    *out = s;
    return CE_OK;
}

void ce_opsserver_stop(struct ce_opsserver *s)
{
    if (!s) {
        return;
    }
    MHD_stop_daemon(s->daemon);
    ce_free(s);
}
