/* SPDX-License-Identifier: Apache-2.0 */
/* A `jetstream:` EventBus's configuration objects: the versions it may run, the nats-server
 * configuration (ConfigMap), the generated credentials (Secret), the headless Service, and the
 * merged stream settings of its status. Names, ports and defaults are Argo's controller's. */
#include "controller/build.h"
#include "controller/build_eventbus_int.h"

#include "core/base/base64.h"
#include "core/base/mem.h"
#include "manifest/diag.h"
#include "manifest/node.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

/* Argo's default controller configuration, version by version. */
static const struct ce_ctl_js_version js_versions[] = {
    {"latest", "nats:2.10.29", "natsio/prometheus-nats-exporter:0.14.0",
     "natsio/nats-server-config-reloader:0.14.0", "/nats-server"},
    {"2.8.1", "nats:2.8.1", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "/nats-server"},
    {"2.8.1-alpine", "nats:2.8.1-alpine", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "nats-server"},
    {"2.8.2", "nats:2.8.2", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "/nats-server"},
    {"2.8.2-alpine", "nats:2.8.2-alpine", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "nats-server"},
    {"2.9.1", "nats:2.9.1", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "/nats-server"},
    {"2.9.12", "nats:2.9.12", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "/nats-server"},
    {"2.9.16", "nats:2.9.16", "natsio/prometheus-nats-exporter:0.9.1",
     "natsio/nats-server-config-reloader:0.7.0", "/nats-server"},
    {"2.10.29", "nats:2.10.29", "natsio/prometheus-nats-exporter:0.14.0",
     "natsio/nats-server-config-reloader:0.14.0", "/nats-server"},
};

/* The jetstream block's contents when the spec gives no `settings`. */
static const char js_default_settings[] = "max_memory_store: -1\n  max_file_store: 1TB";

/* Argo's default stream settings, keys as its controller writes them (lower case, sorted). */
static const char *const js_stream_defaults[][2] = {
    {"discard", "0"},     {"duplicates", "300s"}, {"maxage", "168h"}, {"maxbytes", "-1"},
    {"maxmsgs", "50000"}, {"replicas", "3"},      {"retention", "0"},
};

/* The generated credentials: letters and digits only, so they need no quoting anywhere. */
#define JS_USER_LEN 8
#define JS_PASS_LEN 16
#define JS_SYS_PASS_LEN 24
#define JS_ENCRYPTION_LEN 12

const struct ce_ctl_js_version *ce_ctl_js_version_find(const char *version)
{
    for (size_t i = 0; version != NULL && i < sizeof(js_versions) / sizeof(js_versions[0]); i++) {
        if (strcmp(js_versions[i].version, version) == 0) {
            return &js_versions[i];
        }
    }
    return NULL;
}

const char *ce_ctl_js_versions_known(void)
{
    return "latest, 2.8.1, 2.8.1-alpine, 2.8.2, 2.8.2-alpine, 2.9.1, 2.9.12, 2.9.16, 2.10.29";
}

char *ce_ctl_eb_name(const struct ce_ctl_eb *eb, const char *suffix)
{
    return ce_xasprintf("eventbus-%s%s", eb->name, suffix);
}

json_t *ce_ctl_eb_meta(const struct ce_ctl_eb *eb, const char *suffix, const json_t *extra_labels)
{
    json_t *labels = json_object();
    if (json_is_object(extra_labels)) {
        json_object_update(labels, (json_t *)extra_labels);
    }
    json_object_update(labels, eb->labels);
    char *name = ce_ctl_eb_name(eb, suffix);
    json_t *md = json_pack("{s:s, s:s, s:o, s:[{s:s, s:s, s:s, s:s, s:b, s:b}]}", "namespace",
                           eb->ns, "name", name, "labels", labels, "ownerReferences", "apiVersion",
                           "argoproj.io/v1alpha1", "kind", "EventBus", "name", eb->name, "uid",
                           eb->uid, "controller", 1, "blockOwnerDeletion", 1);
    ce_free(name);
    return md;
}

/* The `cluster {}` block of a bus of 3 or more servers: a route to every pod. */
static char *js_cluster_conf(const struct ce_ctl_eb *eb)
{
    char *sts = ce_ctl_eb_name(eb, "-js");
    char *svc = ce_ctl_eb_name(eb, "-js-svc");
    char *routes = ce_xstrdup("");
    for (int i = 0; i < eb->replicas; i++) {
        char *next = ce_xasprintf("%s%snats://%s-%d.%s.%s.svc:%d", routes, i ? "," : "", sts, i,
                                  svc, eb->ns, CE_CTL_JS_CLUSTER_PORT);
        ce_free(routes);
        routes = next;
    }
    char *conf = ce_xasprintf(
        "cluster {\n  port: %d\n  name: %s\n  routes: [%s]\n"
        "  cluster_advertise: $CLUSTER_ADVERTISE\n  connect_retries: 120\n\n"
        "  tls {\n  cert_file: \"%s/cluster-server-cert.pem\"\n"
        "  key_file:  \"%s/cluster-server-key.pem\"\n  ca_file:   \"%s/cluster-ca-cert.pem\"\n"
        "  }\n}\n",
        CE_CTL_JS_CLUSTER_PORT, eb->name, routes, CE_CTL_JS_CONFIG_DIR, CE_CTL_JS_CONFIG_DIR,
        CE_CTL_JS_CONFIG_DIR);
    ce_free(routes);
    ce_free(svc);
    ce_free(sts);
    return conf;
}

char *ce_ctl_eb_nats_conf(const struct ce_ctl_eb *eb)
{
    const char *settings = json_string_value(json_object_get(eb->js, "settings"));
    const char *max_payload = json_string_value(json_object_get(eb->js, "maxPayload"));
    char *cluster = eb->replicas > 2 ? js_cluster_conf(eb) : ce_xstrdup("");
    char *conf = ce_xasprintf("max_payload: %s\nport: %d\npid_file: \"/var/run/nats/nats.pid\"\n"
                              "http: %d\nserver_name: $POD_NAME\n"
                              "jetstream {\n  key: \"$JS_KEY\"\n"
                              "  store_dir: \"/data/jetstream/store\"\n  %s\n}\n"
                              "%slame_duck_duration: 30s\ninclude ./auth.conf\n",
                              max_payload != NULL ? max_payload : "1MB", CE_CTL_JS_CLIENT_PORT,
                              CE_CTL_JS_MONITOR_PORT,
                              settings != NULL ? settings : js_default_settings, cluster);
    ce_free(cluster);
    return conf;
}

char *ce_ctl_eb_stream_config(const json_t *bus, int servers)
{
    const char *given = json_string_value(json_object_get(bus, "streamConfig"));
    struct ce_node_doc *docs = NULL;
    int n_docs = 0;
    struct ce_diag diag;
    ce_diag_init(&diag);
    const struct ce_node *map = NULL;
    if (given != NULL &&
        ce_node_parse(given, strlen(given), "streamConfig", &diag, &docs, &n_docs) == CE_OK &&
        n_docs > 0 && docs[0].root->type == CE_NODE_MAP) {
        map = docs[0].root;
    }
    char *out = ce_xstrdup("");
    for (size_t i = 0; i < sizeof(js_stream_defaults) / sizeof(js_stream_defaults[0]); i++) {
        const struct ce_node *v = map != NULL ? ce_node_get(map, js_stream_defaults[i][0]) : NULL;
        const char *value = v != NULL && v->type == CE_NODE_SCALAR && !ce_node_is_null(v)
                                ? v->str
                                : js_stream_defaults[i][1];
        if (v == NULL && servers > 0 && servers < 3 &&
            strcmp(js_stream_defaults[i][0], "replicas") == 0) {
            value = "1"; /* a single server cannot keep 3 copies: the stream would be refused */
        }
        char *next = ce_xasprintf("%s%s: %s\n", out, js_stream_defaults[i][0], value);
        ce_free(out);
        out = next;
    }
    ce_node_docs_free(docs, n_docs);
    ce_diag_fini(&diag);
    return out;
}

json_t *ce_ctl_eb_service(const struct ce_ctl_eb *eb)
{
    json_t *md = ce_ctl_eb_meta(eb, "-js-svc", NULL);
    return json_pack("{s:s, s:s, s:o, s:{s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}, {s:s, s:i}], "
                     "s:s, s:s, s:b, s:o}}",
                     "apiVersion", "v1", "kind", "Service", "metadata", md, "spec", "ports", "name",
                     "tcp-client", "port", CE_CTL_JS_CLIENT_PORT, "name", "cluster", "port",
                     CE_CTL_JS_CLUSTER_PORT, "name", "metrics", "port", CE_CTL_JS_METRICS_PORT,
                     "name", "monitor", "port", CE_CTL_JS_MONITOR_PORT, "type", "ClusterIP",
                     "clusterIP", "None", "publishNotReadyAddresses", 1, "selector",
                     json_deep_copy(eb->labels));
}

json_t *ce_ctl_eb_configmap(const struct ce_ctl_eb *eb)
{
    json_t *md = ce_ctl_eb_meta(eb, "-js-config", NULL);
    char *conf = ce_ctl_eb_nats_conf(eb);
    json_t *cm = json_pack("{s:s, s:s, s:o, s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
                           "metadata", md, "data", CE_CTL_JS_CONFIG_KEY, conf);
    ce_free(conf);
    return cm;
}

/* n random letters and digits from getrandom(2); false when the system gives none. */
static bool js_random(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t got = 0;
    while (got < n) {
        unsigned char raw[64];
        ssize_t r = getrandom(raw, sizeof(raw), 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        for (ssize_t i = 0; i < r && got < n; i++) {
            if (raw[i] < 248) { /* 248 = 4 * 62: no letter comes up more often than another */
                out[got++] = alphabet[raw[i] % 62];
            }
        }
    }
    out[n] = '\0';
    return true;
}

static int js_set_b64(json_t *data, const char *key, const char *value)
{
    char *b64 = ce_base64_encode(value, strlen(value));
    int rc = json_object_set_new(data, key, json_string(b64)) == 0 ? CE_OK : CE_EIO;
    ce_free(b64);
    return rc;
}

/* The server's accounts as Argo's controller writes them: the bus user in a JetStream-enabled
 * account, a system account of its own; and the certificate clients connect to. */
static char *js_auth_conf(const char *user, const char *pass, const char *sys_pass)
{
    return ce_xasprintf("system_account: sys\n\naccounts: {\n  \"js\": {\n"
                        "    \"jetstream\": true,\n    \"users\": [\n"
                        "      {\"user\": \"%s\", \"pass\": \"%s\"}\n    ]\n  },\n"
                        "  \"sys\": {\n    \"users\": [\n"
                        "      {\"user\": \"sys\", \"pass\": \"%s\"}\n    ]\n  }\n}\n\n"
                        "tls {\n  cert_file: \"%s/server-cert.pem\"\n"
                        "  key_file:  \"%s/server-key.pem\"\n  ca_file:   \"%s/ca-cert.pem\"\n}\n",
                        user, pass, sys_pass, CE_CTL_JS_CONFIG_DIR, CE_CTL_JS_CONFIG_DIR,
                        CE_CTL_JS_CONFIG_DIR);
}

/* The clients' certificate names the Service; the routes' one every pod behind it. */
static int js_certs(const struct ce_ctl_eb *eb, struct ce_ctl_eb_pem *server,
                    struct ce_ctl_eb_pem *cluster)
{
    char *svc = ce_ctl_eb_name(eb, "-js-svc");
    char *host = ce_xasprintf("%s.%s.svc", svc, eb->ns);
    char *sans = ce_xasprintf("DNS:%s,DNS:%s.cluster.local", host, host);
    char *pods = ce_xasprintf("DNS:*.%s,DNS:*.%s.cluster.local", host, host);
    int rc = ce_ctl_eb_tls_pair(host, sans, false, server);
    if (rc == CE_OK) {
        rc = ce_ctl_eb_tls_pair(host, pods, true, cluster);
        if (rc != CE_OK) {
            ce_ctl_eb_pem_fini(server);
        }
    }
    ce_free(pods);
    ce_free(sans);
    ce_free(host);
    ce_free(svc);
    return rc;
}

/* Every key of the Secret: key/value pairs, NULL-terminated. */
static json_t *js_secret_data(const char *const *pairs)
{
    json_t *data = json_object();
    for (int i = 0; data != NULL && pairs[i] != NULL; i += 2) {
        if (js_set_b64(data, pairs[i], pairs[i + 1]) != CE_OK) {
            json_decref(data);
            return NULL;
        }
    }
    return data;
}

static void js_wipe(char *s)
{
    memset(s, 0, strlen(s));
    ce_free(s);
}

/* The Secret's data: credentials and certificates, all made here, all at once. */
static json_t *js_secret_fill(const struct ce_ctl_eb *eb, const char *user, const char *pass,
                              const char *sys_pass, const char *key)
{
    struct ce_ctl_eb_pem server, cluster;
    if (js_certs(eb, &server, &cluster) != CE_OK) {
        return NULL;
    }
    char *auth = js_auth_conf(user, pass, sys_pass);
    char *client = ce_xasprintf("username: %s\npassword: %s", user, pass);
    const char *const pairs[] = {CE_CTL_JS_AUTH_KEY,
                                 auth,
                                 CE_CTL_JS_ENCRYPTION_KEY,
                                 key,
                                 CE_CTL_JS_CLIENT_AUTH_KEY,
                                 client,
                                 CE_CTL_JS_KEY_KEY,
                                 server.key,
                                 CE_CTL_JS_CERT_KEY,
                                 server.cert,
                                 CE_CTL_JS_CA_KEY,
                                 server.ca,
                                 CE_CTL_JS_CLUSTER_KEY_KEY,
                                 cluster.key,
                                 CE_CTL_JS_CLUSTER_CERT_KEY,
                                 cluster.cert,
                                 CE_CTL_JS_CLUSTER_CA_KEY,
                                 cluster.ca,
                                 NULL};
    json_t *data = js_secret_data(pairs);
    js_wipe(client);
    js_wipe(auth);
    ce_ctl_eb_pem_fini(&cluster);
    ce_ctl_eb_pem_fini(&server);
    return data;
}

json_t *ce_ctl_eb_secret(const struct ce_ctl_eb *eb)
{
    char user[JS_USER_LEN + 1], pass[JS_PASS_LEN + 1], sys_pass[JS_SYS_PASS_LEN + 1];
    char key[JS_ENCRYPTION_LEN + 1];
    if (!js_random(user, JS_USER_LEN) || !js_random(pass, JS_PASS_LEN) ||
        !js_random(sys_pass, JS_SYS_PASS_LEN) || !js_random(key, JS_ENCRYPTION_LEN)) {
        return NULL;
    }
    json_t *data = js_secret_fill(eb, user, pass, sys_pass, key);
    if (data == NULL) {
        return NULL;
    }
    json_t *md = ce_ctl_eb_meta(eb, "-js-server", NULL);
    return json_pack("{s:s, s:s, s:o, s:s, s:o}", "apiVersion", "v1", "kind", "Secret", "metadata",
                     md, "type", "Opaque", "data", data);
}
