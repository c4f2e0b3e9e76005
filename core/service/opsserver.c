/* SPDX-License-Identifier: Apache-2.0 */
/* The operations HTTP endpoint (metrics and probes) on one loop of cevents' HTTP server. It is
 * kept small on purpose: a handful of connections, short timeouts, no request bodies read, so
 * a misbehaving scraper cannot take resources from event handling. */
#include "core/service/opsserver.h"
#include "core/service/listen.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/httpd/server.h"
#include "core/service/metrics.h"
#include "core/base/rc.h"

#include <stdio.h>
#include <string.h>

#define OPSSERVER_MAX_CONNECTIONS 64
#define OPSSERVER_TIMEOUT_S 10

struct ce_opsserver {
    struct ce_httpd *httpd;
    ce_ready_fn *ready;
    void *arg;
};

static void opsserver_reply(struct ce_httpd_req *r, unsigned int status, const char *ctype,
                            const char *body, size_t len)
{
    const struct ce_httpd_field_out type = {"Content-Type", ctype};
    ce_httpd_answer(r, status, &type, 1, body, len);
}

static void opsserver_text(struct ce_httpd_req *r, unsigned int status, const char *body)
{
    opsserver_reply(r, status, "text/plain; charset=utf-8", body, strlen(body));
}

static void opsserver_on_head(void *cls, struct ce_httpd_req *r)
{
    struct ce_opsserver *s = cls;
    const char *method = ce_httpd_req_head(r)->method;
    const char *path = ce_httpd_req_path(r);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (get && strcmp(path, "/metrics") == 0) {
        size_t len = 0;
        char *body = ce_metrics_render(&len);
        opsserver_reply(r, 200, "text/plain; version=0.0.4", body, len);
        ce_free(body);
        return;
    }
    if (get && strcmp(path, "/healthz") == 0) {
        opsserver_text(r, 200, "ok");
        return;
    }
    if (get && strcmp(path, "/readyz") == 0) {
        bool ready = !s->ready || s->ready(s->arg);
        opsserver_text(r, ready ? 200 : 503, ready ? "ready" : "not ready");
        return;
    }
    opsserver_text(r, 404, "404 page not found");
}

static const struct ce_httpd_ops opsserver_ops = {
    .on_head = opsserver_on_head, /* answers every request from its head: no body, no state */
};

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
        struct ce_httpd_config cfg = {.listen_fd = fd,
                                      .threads = 1,
                                      .idle_timeout_s = OPSSERVER_TIMEOUT_S,
                                      .max_connections = OPSSERVER_MAX_CONNECTIONS};
        rc = ce_httpd_start(&cfg, &opsserver_ops, s, &s->httpd, err, sizeof err);
    }
    if (rc != CE_OK) {
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
    ce_httpd_stop(s->httpd);
    ce_free(s);
}
