/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus decoding and validation: which bus implementation is configured (exactly one), the
 * JetStream settings cevents uses (url, accessSecret, streamConfig), and the controller's
 * per-implementation checks. */
#include "manifest/decode_int.h"

#include <string.h>

#include "core/base/mem.h"

static const char *const eb_kinds[] = {"jetstream", "jetstreamExotic", "nats", "kafka", NULL};
static const char *const eb_spec_known[] = {"nats", "jetstream", "kafka", "jetstreamExotic", NULL};
static const char *const eb_exotic_known[] = {"url", "accessSecret", "streamConfig", "tls", NULL};
static const char *const eb_js_known[] = {"version",
                                          "replicas",
                                          "containerTemplate",
                                          "reloaderContainerTemplate",
                                          "metricsContainerTemplate",
                                          "persistence",
                                          "metadata",
                                          "nodeSelector",
                                          "tolerations",
                                          "securityContext",
                                          "imagePullSecrets",
                                          "priorityClassName",
                                          "priority",
                                          "affinity",
                                          "serviceAccountName",
                                          "settings",
                                          "startArgs",
                                          "streamConfig",
                                          "maxPayload",
                                          NULL};

void ce_manifest_eventbus_free(struct ce_eventbus *eb)
{
    if (eb == NULL) {
        return;
    }
    ce_free(eb->name);
    ce_free(eb->kind);
    ce_free(eb->url);
    ce_mdec_secret_free(&eb->access_secret);
    ce_free(eb);
}

static void eb_stream_config(struct ce_mdec *c, const struct ce_node *bus, struct ce_eventbus *eb)
{
    const struct ce_node *sc = ce_node_get(bus, "streamConfig");
    if (sc == NULL || ce_node_is_null(sc)) {
        return;
    }
    if (sc->type != CE_NODE_SCALAR) {
        /* Argo's field is a string holding YAML; a map here is a common slip. */
        ce_mdec_err_key(c, sc, "streamConfig",
                        "streamConfig is a string of YAML (use \"streamConfig: |\"), got %s",
                        ce_node_type_name(sc));
        return;
    }
    eb->stream_config = sc;
}

static void eb_jetstream(struct ce_mdec *c, const struct ce_node *js, struct ce_eventbus *eb)
{
    ce_free(ce_mdec_str(c, js, "version", true));
    int64_t replicas = 0;
    if (ce_mdec_int(c, js, "replicas", &replicas) && (replicas == 2 || replicas <= 0)) {
        ce_mdec_err_key(c, ce_node_get(js, "replicas"), "replicas",
                        "replicas must be 1 or at least 3 (a JetStream cluster needs a quorum)");
    }
    eb_stream_config(c, js, eb);
    ce_mdec_known(c, js, eb_js_known);
}

static void eb_exotic(struct ce_mdec *c, const struct ce_node *ex, struct ce_eventbus *eb)
{
    eb->url = ce_mdec_str(c, ex, "url", true);
    ce_mdec_secret(c, ex, "accessSecret", &eb->access_secret);
    eb_stream_config(c, ex, eb);
    ce_mdec_known(c, ex, eb_exotic_known);
}

static void eb_nats(struct ce_mdec *c, const struct ce_node *n)
{
    const struct ce_node *native = ce_node_get(n, "native");
    const struct ce_node *exotic = ce_node_get(n, "exotic");
    bool has_native = native != NULL && !ce_node_is_null(native);
    bool has_exotic = exotic != NULL && !ce_node_is_null(exotic);
    if (has_native == has_exotic) {
        ce_mdec_err(c, n, "a NATS bus needs exactly one of native or exotic");
    }
    else if (has_exotic) {
        size_t old = ce_mdec_push(c, "exotic");
        if (ce_mdec_map(c, exotic)) {
            ce_free(ce_mdec_str(c, exotic, "url", true));
            ce_free(ce_mdec_str(c, exotic, "clusterID", true));
        }
        ce_mdec_pop(c, old);
    }
    ce_mdec_warn(c, n,
                 "NATS Streaming is deprecated and not supported by cevents; use jetstream or "
                 "jetstreamExotic");
}

static void eb_kind(struct ce_mdec *c, const struct ce_node_pair *p, struct ce_eventbus *eb)
{
    size_t old = ce_mdec_push(c, eb->kind);
    if (ce_mdec_map(c, p->value)) {
        if (strcmp(eb->kind, "jetstream") == 0) {
            eb_jetstream(c, p->value, eb);
        }
        else if (strcmp(eb->kind, "jetstreamExotic") == 0) {
            eb_exotic(c, p->value, eb);
        }
        else if (strcmp(eb->kind, "nats") == 0) {
            eb_nats(c, p->value);
        }
        else {
            ce_free(ce_mdec_str(c, p->value, "url", true));
            ce_mdec_warn(c, p->value, "a Kafka bus is not supported by cevents");
        }
    }
    ce_mdec_pop(c, old);
}

void ce_manifest_decode_eventbus(struct ce_mdec *c, const struct ce_node *spec,
                                 struct ce_eventbus *eb)
{
    eb->spec = spec;
    size_t old = ce_mdec_push(c, "spec");
    if (!ce_mdec_map(c, spec)) {
        ce_mdec_err(c, spec,
                    "an EventBus needs a spec with one of jetstream, jetstreamExotic, "
                    "nats or kafka");
        ce_mdec_pop(c, old);
        return;
    }
    const struct ce_node_pair *found = NULL;
    for (int i = 0; eb_kinds[i] != NULL; i++) {
        const struct ce_node_pair *p = ce_node_get_pair(spec, eb_kinds[i]);
        if (p == NULL || ce_node_is_null(p->value)) {
            continue;
        }
        if (found != NULL) {
            ce_mdec_err_key(c, p->key, p->key->str,
                            "an EventBus has exactly one of jetstream, jetstreamExotic, nats or "
                            "kafka; \"%s\" is already given at line %d",
                            eb->kind, found->key->line);
            continue;
        }
        found = p;
        eb->kind = ce_xstrdup(eb_kinds[i]);
    }
    if (found == NULL) {
        ce_mdec_err(c, spec, "one of jetstream, jetstreamExotic, nats or kafka is required");
    }
    else {
        eb_kind(c, found, eb);
    }
    ce_mdec_known(c, spec, eb_spec_known);
    ce_mdec_pop(c, old);
}
