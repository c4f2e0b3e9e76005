/* SPDX-License-Identifier: Apache-2.0 */
/* The pieces of an EventBus build (controller/build_eventbus*.c), shared between its files. */
#ifndef CE_CONTROLLER_BUILD_EVENTBUS_INT_H
#define CE_CONTROLLER_BUILD_EVENTBUS_INT_H

#include "core/base/rc.h"

#include <jansson.h>
#include <stdbool.h>

/* Ports of the JetStream server, as Argo's controller opens them. */
#define CE_CTL_JS_CLIENT_PORT 4222
#define CE_CTL_JS_CLUSTER_PORT 6222
#define CE_CTL_JS_MONITOR_PORT 8222
#define CE_CTL_JS_METRICS_PORT 7777

/* The keys of the one Secret that holds the generated credentials: the server's accounts (its
 * `include`), the JetStream encryption key, and the client side `username:`/`password:`. */
#define CE_CTL_JS_AUTH_KEY "auth"
#define CE_CTL_JS_ENCRYPTION_KEY "encryption"
#define CE_CTL_JS_CLIENT_AUTH_KEY "client-auth"
#define CE_CTL_JS_CONFIG_KEY "nats-js"
/* The TLS material in the same Secret, Argo's keys: the clients' side and the routes' side. */
#define CE_CTL_JS_KEY_KEY "private-key"
#define CE_CTL_JS_CERT_KEY "cert"
#define CE_CTL_JS_CA_KEY "ca-cert"
#define CE_CTL_JS_CLUSTER_KEY_KEY "cluster-private-key"
#define CE_CTL_JS_CLUSTER_CERT_KEY "cluster-cert"
#define CE_CTL_JS_CLUSTER_CA_KEY "cluster-ca-cert"
/* Where the server's pod finds its configuration, credentials and certificates. */
#define CE_CTL_JS_CONFIG_DIR "/etc/nats-config"

/* One `version:` a `jetstream:` bus may name, with the images that serve it. */
struct ce_ctl_js_version {
    const char *version;
    const char *nats_image;
    const char *metrics_image;
    const char *reloader_image;
    const char *start_command;
};

/* What every object of one EventBus build needs. */
struct ce_ctl_eb {
    const char *name;
    const char *ns;
    const char *uid;
    const json_t *labels_in; /* the EventBus's own metadata.labels, or NULL */
    const json_t *js;        /* spec.jetstream */
    const struct ce_ctl_js_version *ver;
    int replicas;
    json_t *labels; /* controller, eventbus-name, owner-name (owned) */
};

/* The entry of version, or NULL when the bus cannot run it. */
const struct ce_ctl_js_version *ce_ctl_js_version_find(const char *version);
/* "v1, v2, ..." of every known version, for an error message (static). */
const char *ce_ctl_js_versions_known(void);

/* eventbus-<name><suffix> (heap). */
char *ce_ctl_eb_name(const struct ce_ctl_eb *eb, const char *suffix);
/* metadata {namespace, name, labels, ownerReferences} of an object named
 * eventbus-<name><suffix>; extra_labels (or NULL) is merged under the builder's labels. */
json_t *ce_ctl_eb_meta(const struct ce_ctl_eb *eb, const char *suffix, const json_t *extra_labels);

/* The nats-server configuration the ConfigMap holds (heap). */
char *ce_ctl_eb_nats_conf(const struct ce_ctl_eb *eb);
/* The streamConfig of a `jetstream:` block merged over Argo's defaults, as YAML with the keys
 * in lower case and sorted as Argo's controller writes it; a bus of fewer than 3 servers gets
 * replicas 1 unless the spec says otherwise. */
char *ce_ctl_eb_stream_config(const json_t *bus, int servers);

/* A CA of its own and a certificate it signs for cn and sans ("DNS:a,DNS:b"), for servers, and
 * also for clients when client (the routes, which are both), as PEM text. */
struct ce_ctl_eb_pem {
    char *key;
    char *cert;
    char *ca;
};
int ce_ctl_eb_tls_pair(const char *cn, const char *sans, bool client,
                       struct ce_ctl_eb_pem *out) CE_MUST_CHECK;
void ce_ctl_eb_pem_fini(struct ce_ctl_eb_pem *p);

json_t *ce_ctl_eb_service(const struct ce_ctl_eb *eb);
json_t *ce_ctl_eb_configmap(const struct ce_ctl_eb *eb);
/* NULL when the system gives no random bytes or no certificate could be made. */
json_t *ce_ctl_eb_secret(const struct ce_ctl_eb *eb);
json_t *ce_ctl_eb_statefulset(const struct ce_ctl_eb *eb);

#endif
