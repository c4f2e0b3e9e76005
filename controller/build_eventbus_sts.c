/* SPDX-License-Identifier: Apache-2.0 */
/* A `jetstream:` EventBus's StatefulSet, as Argo's controller builds it: the nats-server
 * container `main` with its configuration and credentials mounted, the configuration reloader
 * and the metrics exporter beside it, the pod settings of the spec, and the store on a volume
 * claim (`persistence:`) or an emptyDir. */
#include "controller/build.h"
#include "controller/build_eventbus_int.h"

#include "core/base/mem.h"

#include <string.h>

#define STS_CONFIG_DIR "/etc/nats-config"
#define STS_CONFIG_FILE STS_CONFIG_DIR "/nats-js.conf"
#define STS_PID_DIR "/var/run/nats"
#define STS_DATA_DIR "/data/jetstream"
#define STS_EMPTY_DATA "js-data"

/* The pod settings a `jetstream:` spec passes through to the pod as they are. */
static const char *const sts_pod_keys[] = {
    "nodeSelector",     "tolerations",        "securityContext",
    "imagePullSecrets", "priorityClassName",  "priority",
    "affinity",         "serviceAccountName", NULL,
};

/* What a container template of the spec may set on its container. */
static const char *const sts_container_keys[] = {"resources", "imagePullPolicy", "securityContext",
                                                 NULL};

static bool sts_persistent(const struct ce_ctl_eb *eb)
{
    return json_is_object(json_object_get(eb->js, "persistence"));
}

static void sts_copy_keys(json_t *dst, const json_t *src, const char *const *keys)
{
    for (int i = 0; json_is_object(src) && keys[i] != NULL; i++) {
        json_t *v = json_object_get(src, keys[i]);
        if (v != NULL && !json_is_null(v)) {
            json_object_set_new(dst, keys[i], json_deep_copy(v));
        }
    }
}

static json_t *sts_http_probe(const char *path, int initial, int period, int failures)
{
    json_t *p =
        json_pack("{s:{s:s, s:i}, s:i, s:i}", "httpGet", "path", path, "port",
                  CE_CTL_JS_MONITOR_PORT, "initialDelaySeconds", initial, "timeoutSeconds", 5);
    if (p != NULL && period > 0) {
        json_object_set_new(p, "periodSeconds", json_integer(period));
    }
    if (p != NULL && failures > 0) {
        json_object_set_new(p, "failureThreshold", json_integer(failures));
    }
    return p;
}

static json_t *sts_env(const struct ce_ctl_eb *eb)
{
    char *svc = ce_ctl_eb_name(eb, "-js-svc");
    char *secret = ce_ctl_eb_name(eb, "-js-server");
    char *advertise = ce_xasprintf("$(POD_NAME).%s.$(POD_NAMESPACE).svc", svc);
    json_t *env = json_pack(
        "[{s:s, s:{s:{s:s}}}, {s:s, s:s}, {s:s, s:{s:{s:s}}}, {s:s, s:s}, "
        "{s:s, s:{s:{s:s, s:s}}}]",
        "name", "POD_NAME", "valueFrom", "fieldRef", "fieldPath", "metadata.name", "name",
        "SERVER_NAME", "value", "$(POD_NAME)", "name", "POD_NAMESPACE", "valueFrom", "fieldRef",
        "fieldPath", "metadata.namespace", "name", "CLUSTER_ADVERTISE", "value", advertise, "name",
        "JS_KEY", "valueFrom", "secretKeyRef", "name", secret, "key", CE_CTL_JS_ENCRYPTION_KEY);
    ce_free(advertise);
    ce_free(secret);
    ce_free(svc);
    return env;
}

static json_t *sts_main(const struct ce_ctl_eb *eb)
{
    char *vol = sts_persistent(eb) ? ce_ctl_eb_name(eb, "-js-vol") : ce_xstrdup(STS_EMPTY_DATA);
    char *ldm = ce_xasprintf("-sl=ldm=%s/nats.pid", STS_PID_DIR);
    json_t *c = json_pack(
        "{s:s, s:s, s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}], s:[s, s, s], s:o, "
        "s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:o, s:o, s:o, s:{s:{s:{s:[s, s]}}}}",
        "name", "main", "image", eb->ver->nats_image, "ports", "name", "client", "containerPort",
        CE_CTL_JS_CLIENT_PORT, "name", "cluster", "containerPort", CE_CTL_JS_CLUSTER_PORT, "name",
        "monitor", "containerPort", CE_CTL_JS_MONITOR_PORT, "command", eb->ver->start_command,
        "--config", STS_CONFIG_FILE, "env", sts_env(eb), "volumeMounts", "name", "config-volume",
        "mountPath", STS_CONFIG_DIR, "name", "pid", "mountPath", STS_PID_DIR, "name", vol,
        "mountPath", STS_DATA_DIR, "startupProbe", sts_http_probe("/healthz", 10, 0, 30),
        "livenessProbe", sts_http_probe("/", 10, 30, 0), "readinessProbe",
        sts_http_probe("/healthz", 10, 5, 0), "lifecycle", "preStop", "exec", "command",
        eb->ver->start_command, ldm);
    ce_free(ldm);
    ce_free(vol);
    const json_t *args = json_object_get(eb->js, "startArgs");
    if (c != NULL && json_is_array(args) && json_array_size(args) > 0) {
        json_object_set_new(c, "args", json_deep_copy(args));
    }
    sts_copy_keys(c, json_object_get(eb->js, "containerTemplate"), sts_container_keys);
    return c;
}

static json_t *sts_reloader(const struct ce_ctl_eb *eb)
{
    json_t *c =
        json_pack("{s:s, s:s, s:[s, s, s, s], s:[{s:s, s:s}, {s:s, s:s}]}", "name", "reloader",
                  "image", eb->ver->reloader_image, "args", "-pid", STS_PID_DIR "/nats.pid",
                  "-config", STS_CONFIG_FILE, "volumeMounts", "name", "config-volume", "mountPath",
                  STS_CONFIG_DIR, "name", "pid", "mountPath", STS_PID_DIR);
    sts_copy_keys(c, json_object_get(eb->js, "reloaderContainerTemplate"), sts_container_keys);
    return c;
}

static json_t *sts_metrics(const struct ce_ctl_eb *eb)
{
    char *monitor = ce_xasprintf("http://localhost:%d", CE_CTL_JS_MONITOR_PORT);
    json_t *c =
        json_pack("{s:s, s:s, s:[{s:s, s:i}], s:[s, s, s, s, s, s, s, s]}", "name", "metrics",
                  "image", eb->ver->metrics_image, "ports", "name", "metrics", "containerPort",
                  CE_CTL_JS_METRICS_PORT, "args", "-connz", "-routez", "-subz", "-varz",
                  "-prefix=nats", "-use_internal_server_id", "-jsz=all", monitor);
    ce_free(monitor);
    sts_copy_keys(c, json_object_get(eb->js, "metricsContainerTemplate"), sts_container_keys);
    return c;
}

/* The server's keys of the Secret and the file names its configuration gives them. */
static json_t *sts_secret_items(void)
{
    static const char *const items[][2] = {
        {CE_CTL_JS_AUTH_KEY, "auth.conf"},
        {CE_CTL_JS_KEY_KEY, "server-key.pem"},
        {CE_CTL_JS_CERT_KEY, "server-cert.pem"},
        {CE_CTL_JS_CA_KEY, "ca-cert.pem"},
        {CE_CTL_JS_CLUSTER_KEY_KEY, "cluster-server-key.pem"},
        {CE_CTL_JS_CLUSTER_CERT_KEY, "cluster-server-cert.pem"},
        {CE_CTL_JS_CLUSTER_CA_KEY, "cluster-ca-cert.pem"},
    };
    json_t *out = json_array();
    for (size_t i = 0; out != NULL && i < sizeof(items) / sizeof(items[0]); i++) {
        json_array_append_new(out,
                              json_pack("{s:s, s:s}", "key", items[i][0], "path", items[i][1]));
    }
    return out;
}

/* The configuration and the server's own keys of the Secret, in one directory: the pod never
 * sees the client credentials' key, nor a client pod the server's. */
static json_t *sts_volumes(const struct ce_ctl_eb *eb)
{
    char *cm = ce_ctl_eb_name(eb, "-js-config");
    char *secret = ce_ctl_eb_name(eb, "-js-server");
    json_t *v =
        json_pack("[{s:s, s:{}}, {s:s, s:{s:[{s:{s:s, s:[{s:s, s:s}]}}, {s:{s:s, s:o}}]}}]", "name",
                  "pid", "emptyDir", "name", "config-volume", "projected", "sources", "configMap",
                  "name", cm, "items", "key", CE_CTL_JS_CONFIG_KEY, "path", "nats-js.conf",
                  "secret", "name", secret, "items", sts_secret_items());
    if (v != NULL && !sts_persistent(eb)) {
        json_array_append_new(v, json_pack("{s:s, s:{}}", "name", STS_EMPTY_DATA, "emptyDir"));
    }
    ce_free(secret);
    ce_free(cm);
    return v;
}

static json_t *sts_pod_spec(const struct ce_ctl_eb *eb)
{
    json_t *pod = json_pack("{s:b, s:i, s:o, s:[o, o, o]}", "shareProcessNamespace", 1,
                            "terminationGracePeriodSeconds", 60, "volumes", sts_volumes(eb),
                            "containers", sts_main(eb), sts_reloader(eb), sts_metrics(eb));
    sts_copy_keys(pod, eb->js, sts_pod_keys);
    return pod;
}

/* The pod's metadata: the spec's labels and annotations under the builder's labels. */
static json_t *sts_pod_meta(const struct ce_ctl_eb *eb)
{
    const json_t *given = json_object_get(eb->js, "metadata");
    json_t *labels = json_object();
    const json_t *given_labels = json_object_get(given, "labels");
    if (labels != NULL && json_is_object(given_labels)) {
        json_object_update(labels, (json_t *)given_labels);
    }
    json_object_update(labels, eb->labels);
    json_t *md = json_pack("{s:o}", "labels", labels);
    const json_t *ann = json_object_get(given, "annotations");
    if (md != NULL && json_is_object(ann) && json_object_size(ann) > 0) {
        json_object_set_new(md, "annotations", json_deep_copy(ann));
    }
    return md;
}

/* `persistence:` → one claim per pod (Argo's defaults: 20Gi, ReadWriteOnce). */
static json_t *sts_claims(const struct ce_ctl_eb *eb)
{
    const json_t *p = json_object_get(eb->js, "persistence");
    const char *mode = json_string_value(json_object_get(p, "accessMode"));
    json_t *size = json_object_get(p, "volumeSize");
    char *name = ce_ctl_eb_name(eb, "-js-vol");
    json_t *spec =
        json_pack("{s:[s], s:s, s:{s:{s:o}}}", "accessModes", mode != NULL ? mode : "ReadWriteOnce",
                  "volumeMode", "Filesystem", "resources", "requests", "storage",
                  size != NULL ? json_deep_copy(size) : json_string("20Gi"));
    const json_t *cls = json_object_get(p, "storageClassName");
    if (spec != NULL && json_is_string(cls)) {
        json_object_set_new(spec, "storageClassName", json_deep_copy(cls));
    }
    json_t *claims = json_pack("[{s:{s:s}, s:o}]", "metadata", "name", name, "spec", spec);
    ce_free(name);
    return claims;
}

json_t *ce_ctl_eb_statefulset(const struct ce_ctl_eb *eb)
{
    json_t *md = ce_ctl_eb_meta(eb, "-js", eb->labels_in);
    char *svc = ce_ctl_eb_name(eb, "-js-svc");
    json_t *sts =
        json_pack("{s:s, s:s, s:o, s:{s:s, s:i, s:s, s:{s:o}, s:{s:o, s:o}}}", "apiVersion",
                  "apps/v1", "kind", "StatefulSet", "metadata", md, "spec", "podManagementPolicy",
                  "Parallel", "replicas", eb->replicas, "serviceName", svc, "selector",
                  "matchLabels", json_deep_copy(eb->labels), "template", "metadata",
                  sts_pod_meta(eb), "spec", sts_pod_spec(eb));
    ce_free(svc);
    if (sts != NULL && sts_persistent(eb)) {
        json_object_set_new(json_object_get(sts, "spec"), "volumeClaimTemplates", sts_claims(eb));
    }
    return sts;
}
