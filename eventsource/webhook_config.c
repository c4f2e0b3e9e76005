/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding a WebhookContext: port, endpoint, method, TLS and auth secrets, maxPayloadSize and
 * metadata, with Argo's defaults and the controller's checks. */
#include "eventsource/webhook_config.h"
#include "core/base/mem.h"
#include "manifest/plugin.h"

#include <stdlib.h>
#include <string.h>

const char *const ce_webhook_context_keys[] = {
    "endpoint",         "method",          "port",     "url",
    "serverCertSecret", "serverKeySecret", "metadata", "authSecret",
    "maxPayloadSize",   "filter",          NULL};

static int webhook_kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

void ce_webhook_metadata_decode(struct ce_mdec *c, const struct ce_node *map, struct ce_kv **out,
                                int *n)
{
    const struct ce_node *m = ce_node_get(map, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, m)) {
        *out = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(**out));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *k = m->pairs[i].key;
            const struct ce_node *v = m->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            (*out)[*n].key = ce_xstrdup(k->str);
            (*out)[*n].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            (*n)++;
        }
        qsort(*out, (size_t)*n, sizeof(**out), webhook_kv_cmp);
    }
    ce_mdec_pop(c, old);
}

static void webhook_port(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_config *w)
{
    const struct ce_node *v = ce_node_get(ev, "port");
    int64_t port = 0;
    if (v == NULL || ce_node_is_null(v) || (v->type == CE_NODE_SCALAR && v->len == 0)) {
        ce_mdec_err_missing(c, ev, v ? v : ev, "port", "required field is missing");
    }
    else if (!ce_node_int(v, &port) || port < 1 || port > 65535) {
        ce_mdec_err_key(c, v, "port", "not a port number");
    }
    else {
        w->port = (int)port;
    }
}

static void webhook_paths(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_config *w)
{
    w->endpoint = ce_mdec_str(c, ev, "endpoint", true);
    if (w->endpoint != NULL && w->endpoint[0] != '/') {
        ce_mdec_err_key(c, ce_node_get(ev, "endpoint"), "endpoint", "must start with \"/\"");
    }
    w->method = ce_mdec_str(c, ev, "method", true);
    if (w->method != NULL) {
        for (char *p = w->method; *p; p++) {
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
            }
        }
        if (strcmp(w->method, "GET") != 0 && strcmp(w->method, "POST") != 0) {
            size_t old = ce_mdec_push(c, "method");
            ce_mdec_warn(c, ce_node_get(ev, "method"),
                         "only GET and POST requests are accepted by a webhook; %s requests "
                         "will be answered 400",
                         w->method);
            ce_mdec_pop(c, old);
        }
    }
    w->url = ce_mdec_str(c, ev, "url", false);
}

static void webhook_tls(struct ce_mdec *c, const struct ce_node *ev, struct ce_webhook_config *w)
{
    ce_mdec_secret(c, ev, "serverCertSecret", &w->server_cert_secret);
    ce_mdec_secret(c, ev, "serverKeySecret", &w->server_key_secret);
    ce_mdec_secret(c, ev, "authSecret", &w->auth_secret);
    if (w->server_cert_secret.set != w->server_key_secret.set) {
        const char *have = w->server_cert_secret.set ? "serverCertSecret" : "serverKeySecret";
        const char *miss = w->server_cert_secret.set ? "serverKeySecret" : "serverCertSecret";
        ce_mdec_err_key(c, ce_node_get_pair(ev, have)->key, have,
                        "%s needs %s: TLS needs both the certificate and the key", have, miss);
    }
}

static void webhook_max_payload(struct ce_mdec *c, const struct ce_node *ev,
                                struct ce_webhook_config *w)
{
    int64_t mps = 0;
    if (ce_mdec_int(c, ev, "maxPayloadSize", &mps)) {
        if (mps <= 0) {
            ce_mdec_err_key(c, ce_node_get(ev, "maxPayloadSize"), "maxPayloadSize",
                            "must be a positive number of bytes");
        }
        else {
            w->max_payload_size = mps;
        }
    }
}

void ce_webhook_context_fini(struct ce_webhook_config *w)
{
    ce_free(w->endpoint);
    ce_free(w->method);
    ce_free(w->url);
    ce_mdec_secret_free(&w->server_cert_secret);
    ce_mdec_secret_free(&w->server_key_secret);
    ce_mdec_secret_free(&w->auth_secret);
    for (int i = 0; i < w->n_metadata; i++) {
        ce_free(w->metadata[i].key);
        ce_free(w->metadata[i].value);
    }
    ce_free(w->metadata);
}

void ce_webhook_context_decode(struct ce_mdec *c, const struct ce_node *ev,
                               struct ce_webhook_config *w)
{
    w->max_payload_size = CE_WEBHOOK_DEFAULT_MAX_PAYLOAD;
    if (!ce_mdec_map(c, ev)) {
        if (ev == NULL || ce_node_is_null(ev)) {
            ce_mdec_err(c, ev, "the event has no settings (port, endpoint, method)");
        }
        return;
    }
    webhook_port(c, ev, w);
    webhook_paths(c, ev, w);
    webhook_tls(c, ev, w);
    webhook_max_payload(c, ev, w);
    ce_webhook_metadata_decode(c, ev, &w->metadata, &w->n_metadata);
}
