/* SPDX-License-Identifier: Apache-2.0 */
/* controller/build_workload: what the controller wants to exist for an EventSource or a Sensor
 * (the manifest ConfigMap, the Deployment, the Service): names, labels, owner references, the
 * pod template merged from spec.template, the mounts of every referenced secret and config map,
 * the lint messages as conditions, the hashes, and the ConfigMap's size limit. Objects are
 * written as the API server returns them (JSON; ' stands for "). */
#include "controller/build.h"
#include "controller/build_int.h"
#include "core/base/rc.h"
#include "manifest/diag.h"
#include "manifest/mdec.h"
#include "manifest/model.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/plugins.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const BUS = "{'jetstream': {'url': 'nats://bus.ns.svc:4222', 'accessSecret': "
                               "{'name': 'bus-auth', 'key': 'token'}, 'streamConfig': "
                               "'maxAge: 1h\\n'}}";

static const char *const WEBHOOK_ES =
    "{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
    "'webhook', 'namespace': 'ns', 'uid': 'u-1', 'resourceVersion': '7', 'labels': {'team': "
    "'a', 'owner-name': 'not-this'}, 'managedFields': [{'manager': 'kubectl'}]}, 'spec': "
    "{'service': {'ports': [{'port': 12000, 'targetPort': 12000}]}, 'webhook': {'example': "
    "{'port': '12000', 'endpoint': '/example', 'method': 'POST'}}}, 'status': {'conditions': "
    "[]}}";

static const char *const LOG_SENSOR =
    "{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': {'name': 'log', "
    "'namespace': 'ns', 'uid': 'u-2'}, 'spec': {'replicas': 2, 'revisionHistoryLimit': 3, "
    "'dependencies': [{'name': 'test-dep', 'eventSourceName': 'webhook', 'eventName': "
    "'example'}], 'triggers': [{'template': {'name': 'log-trigger', 'log': {'intervalSeconds': "
    "1}}}]}}";

/* JSON text with ' for " (heap). */
static json_t *J(const char *text)
{
    char *t = strdup(text);
    for (char *p = t; *p; p++) {
        *p = *p == '\'' ? '"' : *p;
    }
    json_error_t err;
    json_t *j = json_loads(t, JSON_DECODE_ANY, &err);
    if (j == NULL) {
        fail_msg("bad test JSON at %d: %s\n%s", err.position, err.text, t);
    }
    free(t);
    return j;
}

static const struct ce_ctl_env *env(void)
{
    static struct ce_ctl_env e;
    e.image = "cevents:test";
    e.pull_policy = NULL;
    e.plugins = ce_test_plugins();
    return &e;
}

/* Builds obj_text (an EventSource or Sensor) with bus_text (may be NULL). */
static void build(const char *obj_text, const char *bus_text, struct ce_ctl_built *out)
{
    json_t *obj = J(obj_text);
    json_t *bus = bus_text ? J(bus_text) : NULL;
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    int rc = strcmp(kind, "Sensor") == 0 ? ce_ctl_build_sensor(env(), obj, bus, out)
                                         : ce_ctl_build_eventsource(env(), obj, bus, out);
    assert_int_equal(rc, CE_OK);
    json_decref(obj);
    json_decref(bus);
}

/* The value at a dotted path ("spec.template.spec.containers.0.name"). */
static json_t *at(const json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = j;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur;
         k = strtok_r(NULL, ".", &save)) {
        cur = json_is_array(cur) ? json_array_get(cur, strtoul(k, NULL, 10))
                                 : json_object_get(cur, k);
    }
    return (json_t *)cur;
}

static const char *str(const json_t *j, const char *path)
{
    const char *s = json_string_value(at(j, path));
    return s ? s : "(absent)";
}

/* Asserts that j's value at path, as compact JSON with sorted keys, is want (' for "). */
static void assert_json(const json_t *j, const char *path, const char *want)
{
    json_t *w = J(want);
    json_t *have = at(j, path);
    if (!json_equal(have, w)) {
        char *a = have ? json_dumps(have, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
        fail_msg("%s: have %s, want %s", path, a ? a : "(absent)", want);
    }
    json_decref(w);
}

/* The ConfigMap's data[key]. */
static const char *manifest_text(const struct ce_ctl_built *b, const char *key)
{
    const char *t = json_string_value(
        json_object_get(at(ce_test_ctl_built_object(b, "ConfigMap", NULL), "data"), key));
    assert_non_null(t);
    return t;
}

static json_t *container(const struct ce_ctl_built *b)
{
    return at(ce_test_ctl_built_object(b, "Deployment", NULL), "spec.template.spec.containers.0");
}

/* The mount whose path is path, or NULL. */
static json_t *mount(const struct ce_ctl_built *b, const char *path)
{
    size_t i;
    json_t *m;
    json_array_foreach(at(container(b), "volumeMounts"), i, m)
    {
        if (strcmp(str(m, "mountPath"), path) == 0) {
            return m;
        }
    }
    return NULL;
}

/* The pod volume named name, or NULL. */
static json_t *volume(const struct ce_ctl_built *b, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(
        at(ce_test_ctl_built_object(b, "Deployment", NULL), "spec.template.spec.volumes"), i, v)
    {
        if (strcmp(str(v, "name"), name) == 0) {
            return v;
        }
    }
    return NULL;
}

static void test_eventsource_names_labels_owner(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(WEBHOOK_ES, BUS, &b);
    assert_non_null(b.objects);
    assert_int_equal(json_array_size(b.objects), 3);
    assert_string_equal(b.owner_selector,
                        "controller=eventsource-controller,eventsource-name=webhook");
    assert_json(b.conditions, "0", "{'type': 'SourcesProvided', 'status': 'True'}");
    int mode = -1;
    json_t *cm = ce_test_ctl_built_object(&b, "ConfigMap", &mode);
    assert_int_equal(mode, CE_CTL_APPLY_UPDATE);
    assert_string_equal(str(cm, "metadata.name"), "webhook-eventsource-manifest");
    json_t *d = ce_test_ctl_built_object(&b, "Deployment", &mode);
    assert_int_equal(mode, CE_CTL_APPLY_UPDATE);
    assert_string_equal(str(d, "metadata.generateName"), "webhook-eventsource-");
    assert_null(at(d, "metadata.name"));
    json_t *svc = ce_test_ctl_built_object(&b, "Service", &mode);
    assert_int_equal(mode, CE_CTL_APPLY_RECREATE);
    assert_string_equal(str(svc, "metadata.name"), "webhook-eventsource-svc");
    const char *owner_labels = "{'controller': 'eventsource-controller', 'eventsource-name': "
                               "'webhook', 'owner-name': 'webhook'}";
    const char *labels = "{'team': 'a', 'controller': 'eventsource-controller', "
                         "'eventsource-name': 'webhook', 'owner-name': 'webhook'}";
    const char *owner = "[{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'name': "
                        "'webhook', 'uid': 'u-1', 'controller': true, 'blockOwnerDeletion': "
                        "true}]";
    json_t *all[] = {cm, d, svc};
    for (int i = 0; i < 3; i++) {
        assert_string_equal(str(all[i], "metadata.namespace"), "ns");
        assert_json(all[i], "metadata.labels", labels);
        assert_json(all[i], "metadata.ownerReferences", owner);
        assert_int_equal(strlen(str(all[i], "metadata.annotations.resource-spec-hash")), 16);
    }
    assert_json(d, "spec.selector.matchLabels", owner_labels);
    assert_json(d, "spec.template.metadata.labels", owner_labels);
    assert_int_equal(json_integer_value(at(d, "spec.replicas")), 1);
    assert_json(svc, "spec",
                "{'type': 'ClusterIP', 'ports': [{'port': 12000, 'targetPort': "
                "12000}], 'selector': {'controller': 'eventsource-controller', "
                "'eventsource-name': 'webhook', 'owner-name': 'webhook'}}");
    ce_ctl_built_fini(&b);
}

static void test_eventsource_container(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(WEBHOOK_ES, BUS, &b);
    json_t *c = container(&b);
    assert_string_equal(str(c, "name"), "main");
    assert_string_equal(str(c, "image"), "cevents:test");
    assert_null(at(c, "imagePullPolicy"));
    assert_json(c, "args",
                "['eventsource', '-f', '/etc/cevents/manifest/eventsource.yaml', "
                "'--name', 'webhook', '--log-format', 'json']");
    assert_json(c, "ports", "[{'name': 'metrics', 'containerPort': 7777}]");
    assert_json(c, "livenessProbe.httpGet", "{'path': '/healthz', 'port': 7777}");
    assert_json(c, "readinessProbe.httpGet", "{'path': '/readyz', 'port': 7777}");
    assert_json(c, "env",
                "[{'name': 'POD_NAME', 'valueFrom': {'fieldRef': {'fieldPath': "
                "'metadata.name'}}}]");
    assert_json(mount(&b, "/etc/cevents/manifest"), "",
                "{'name': 'manifest', 'mountPath': '/etc/cevents/manifest', 'readOnly': true}");
    assert_json(volume(&b, "manifest"), "configMap", "{'name': 'webhook-eventsource-manifest'}");
    assert_json(mount(&b, "/tmp"), "", "{'name': 'tmp', 'mountPath': '/tmp'}");
    assert_json(volume(&b, "tmp"), "emptyDir", "{}");
    /* the bus's access secret, where the processes read secrets */
    assert_json(mount(&b, "/argo-events/secrets/bus-auth"), "",
                "{'name': 'secret-bus-auth', 'mountPath': '/argo-events/secrets/bus-auth', "
                "'readOnly': true}");
    assert_json(volume(&b, "secret-bus-auth"), "secret", "{'secretName': 'bus-auth'}");
    /* a pod-template annotation follows the manifest */
    const char *h = str(ce_test_ctl_built_object(&b, "Deployment", NULL),
                        "spec.template.metadata.annotations.cevents/manifest-hash");
    assert_int_equal(strlen(h), 16);
    ce_ctl_built_fini(&b);

    struct ce_ctl_env e = *env();
    e.pull_policy = "IfNotPresent";
    json_t *obj = J(WEBHOOK_ES);
    json_t *bus = J(BUS);
    assert_int_equal(ce_ctl_build_eventsource(&e, obj, bus, &b), CE_OK);
    assert_string_equal(str(container(&b), "imagePullPolicy"), "IfNotPresent");
    ce_ctl_built_fini(&b);
    json_decref(obj);
    json_decref(bus);
}

/* The manifest the pod runs: the object without status or server fields, and its EventBus. */
static void test_configmap_holds_object_and_bus(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(WEBHOOK_ES, BUS, &b);
    const char *text = manifest_text(&b, "eventsource.yaml");
    assert_null(strstr(text, "status"));
    assert_null(strstr(text, "managedFields"));
    assert_null(strstr(text, "resourceVersion"));
    struct ce_manifest_set *set = NULL;
    assert_int_equal(ce_manifest_set_create(ce_test_plugins(), &set), CE_OK);
    struct ce_diag diag;
    ce_diag_init(&diag);
    assert_int_equal(ce_manifest_load_buf(set, text, strlen(text), "cm", true, &diag), CE_OK);
    ce_diag_print(&diag, stderr);
    assert_int_equal(ce_diag_errors(&diag), 0);
    assert_int_equal(set->n_eventsources, 1);
    assert_string_equal(set->eventsources[0]->name, "webhook");
    assert_int_equal(set->n_eventbuses, 1);
    assert_string_equal(set->eventbuses[0]->name, "default");
    assert_string_equal(set->eventbuses[0]->kind, "jetstreamExotic");
    assert_string_equal(set->eventbuses[0]->url, "nats://bus.ns.svc:4222");
    assert_string_equal(set->eventbuses[0]->access_secret.name, "bus-auth");
    assert_non_null(set->eventbuses[0]->stream_config);
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
    ce_ctl_built_fini(&b);
}

static void test_eventbus_name_from_spec(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': {'name': 'log'}, "
          "'spec': {'eventBusName': 'fast', 'replicas': '2', 'dependencies': [{'name': 'd', "
          "'eventSourceName': "
          "'w', 'eventName': 'e'}], 'triggers': [{'template': {'name': 't', 'log': {}}}]}}",
          "{'jetstream': {'url': 'nats://x:4222'}}", &b);
    const char *text = manifest_text(&b, "sensor.yaml");
    assert_non_null(strstr(text, "\"name\": \"fast\""));
    assert_null(strstr(text, "accessSecret"));
    assert_null(strstr(text, "\"namespace\"")); /* none given, none invented */
    assert_int_equal(
        json_integer_value(at(ce_test_ctl_built_object(&b, "Deployment", NULL), "spec.replicas")),
        2);
    ce_ctl_built_fini(&b);
}

static void test_sensor_deployment(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(LOG_SENSOR, BUS, &b);
    assert_int_equal(json_array_size(b.objects), 2);
    assert_null(ce_test_ctl_built_object(&b, "Service", NULL));
    assert_string_equal(b.owner_selector, "controller=sensor-controller,sensor-name=log");
    assert_json(b.conditions, "",
                "[{'type': 'DependenciesProvided', 'status': 'True'}, "
                "{'type': 'TriggersProvided', 'status': 'True'}]");
    assert_string_equal(str(ce_test_ctl_built_object(&b, "ConfigMap", NULL), "metadata.name"),
                        "log-sensor-manifest");
    json_t *d = ce_test_ctl_built_object(&b, "Deployment", NULL);
    assert_string_equal(str(d, "metadata.generateName"), "log-sensor-");
    assert_json(d, "metadata.labels",
                "{'controller': 'sensor-controller', 'sensor-name': 'log', "
                "'owner-name': 'log'}");
    assert_json(d, "metadata.ownerReferences.0",
                "{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'name': 'log', 'uid': "
                "'u-2', 'controller': true, 'blockOwnerDeletion': true}");
    assert_int_equal(json_integer_value(at(d, "spec.replicas")), 2);
    assert_int_equal(json_integer_value(at(d, "spec.revisionHistoryLimit")), 3);
    assert_json(container(&b), "args",
                "['sensor', '-f', '/etc/cevents/manifest/sensor.yaml', "
                "'--name', 'log', '--log-format', 'json']");
    ce_ctl_built_fini(&b);
}

static void test_no_service_without_ports(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
          "'w'}, 'spec': {'webhook': {'e': {'port': '12000', 'endpoint': '/e', 'method': "
          "'POST'}}}}",
          BUS, &b);
    assert_int_equal(json_array_size(b.objects), 2);
    assert_null(ce_test_ctl_built_object(&b, "Service", NULL));
    ce_ctl_built_fini(&b);
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
          "'w'}, 'spec': {'service': {'metadata': {'labels': {'a': 'b', 'controller': 'x'}, "
          "'annotations': {'n': 'v'}}, 'clusterIP': '10.0.0.9', 'ports': [{'port': 80}]}, "
          "'webhook': {'e': {'port': '12000', 'endpoint': '/e', 'method': 'POST'}}}}",
          BUS, &b);
    json_t *svc = ce_test_ctl_built_object(&b, "Service", NULL);
    assert_json(svc, "metadata.labels",
                "{'a': 'b', 'controller': 'eventsource-controller', "
                "'eventsource-name': 'w', 'owner-name': 'w'}");
    assert_string_equal(str(svc, "metadata.annotations.n"), "v");
    assert_string_equal(str(svc, "spec.clusterIP"), "10.0.0.9");
    ce_ctl_built_fini(&b);
}

static const char *const TEMPLATE_ES =
    "{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': 'w'}, "
    "'spec': {'replicas': 3, 'template': {'metadata': {'labels': {'tier': 'edge', 'controller': "
    "'mine'}, 'annotations': {'note': 'x'}}, 'serviceAccountName': 'sa', 'container': "
    "{'resources': {'limits': {'memory': '64Mi'}}, 'imagePullPolicy': 'Never', "
    "'securityContext': {'runAsNonRoot': true}, 'env': [{'name': 'LOG_LEVEL', 'value': "
    "'debug'}], 'envFrom': [{'configMapRef': {'name': 'extra'}}], 'volumeMounts': [{'name': "
    "'data', 'mountPath': '/data'}]}, 'volumes': [{'name': 'data', 'emptyDir': {}}], "
    "'securityContext': {'runAsUser': 1000}, 'nodeSelector': {'disk': 'ssd'}, 'tolerations': "
    "[{'key': 'k', 'operator': 'Exists'}], 'imagePullSecrets': [{'name': 'regcred'}], "
    "'priorityClassName': 'high', 'priority': 7, 'affinity': {'nodeAffinity': {}}}, 'webhook': "
    "{'e': {'port': '12000', 'endpoint': '/e', 'method': 'POST'}}}}";

static void test_template_merged_as_argo(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(TEMPLATE_ES, BUS, &b);
    json_t *d = ce_test_ctl_built_object(&b, "Deployment", NULL);
    assert_int_equal(json_integer_value(at(d, "spec.replicas")), 3);
    /* pod labels: the template's, the owner's over them */
    assert_json(d, "spec.template.metadata.labels",
                "{'tier': 'edge', 'controller': 'eventsource-controller', 'eventsource-name': "
                "'w', 'owner-name': 'w'}");
    assert_string_equal(str(d, "spec.template.metadata.annotations.note"), "x");
    json_t *pod = at(d, "spec.template.spec");
    assert_string_equal(str(pod, "serviceAccountName"), "sa");
    assert_json(pod, "securityContext", "{'runAsUser': 1000}");
    assert_json(pod, "nodeSelector", "{'disk': 'ssd'}");
    assert_json(pod, "tolerations", "[{'key': 'k', 'operator': 'Exists'}]");
    assert_json(pod, "imagePullSecrets", "[{'name': 'regcred'}]");
    assert_string_equal(str(pod, "priorityClassName"), "high");
    assert_int_equal(json_integer_value(at(pod, "priority")), 7);
    assert_json(pod, "affinity", "{'nodeAffinity': {}}");
    assert_json(pod, "volumes.0", "{'name': 'data', 'emptyDir': {}}"); /* the template's first */
    assert_non_null(volume(&b, "manifest"));
    json_t *c = container(&b);
    assert_json(c, "resources", "{'limits': {'memory': '64Mi'}}");
    assert_string_equal(str(c, "imagePullPolicy"), "Never");
    assert_json(c, "securityContext", "{'runAsNonRoot': true}");
    assert_string_equal(str(c, "env.0.name"), "LOG_LEVEL"); /* the template's, then ours */
    assert_string_equal(str(c, "env.1.name"), "POD_NAME");
    assert_json(c, "envFrom", "[{'configMapRef': {'name': 'extra'}}]");
    assert_json(c, "volumeMounts.0", "{'name': 'data', 'mountPath': '/data'}");
    assert_non_null(mount(&b, "/etc/cevents/manifest"));
    assert_string_equal(str(c, "name"), "main");
    ce_ctl_built_fini(&b);

    /* the controller's pull policy wins over the template's, as in Argo */
    struct ce_ctl_env e = *env();
    e.pull_policy = "Always";
    json_t *obj = J(TEMPLATE_ES);
    json_t *bus = J(BUS);
    assert_int_equal(ce_ctl_build_eventsource(&e, obj, bus, &b), CE_OK);
    assert_string_equal(str(container(&b), "imagePullPolicy"), "Always");
    ce_ctl_built_fini(&b);
    json_decref(obj);
    json_decref(bus);
}

static void assert_secret_mounted(const struct ce_ctl_built *b, const char *name)
{
    char path[256], vname[128];
    snprintf(path, sizeof path, "/argo-events/secrets/%s", name);
    snprintf(vname, sizeof vname, "secret-%s", name);
    json_t *m = mount(b, path);
    if (m == NULL) {
        fail_msg("secret %s is not mounted", name);
    }
    assert_string_equal(str(m, "name"), vname);
    assert_true(json_is_true(at(m, "readOnly")));
    assert_string_equal(str(volume(b, vname), "secret.secretName"), name);
}

static void assert_config_map_mounted(const struct ce_ctl_built *b, const char *name)
{
    char path[256], vname[128];
    snprintf(path, sizeof path, "/argo-events/config/%s", name);
    snprintf(vname, sizeof vname, "cm-%s", name);
    json_t *m = mount(b, path);
    if (m == NULL) {
        fail_msg("config map %s is not mounted", name);
    }
    assert_string_equal(str(m, "name"), vname);
    assert_string_equal(str(volume(b, vname), "configMap.name"), name);
}

static void assert_valid(const struct ce_ctl_built *b)
{
    size_t i;
    json_t *c;
    json_array_foreach(b->conditions, i, c)
    {
        if (strcmp(str(c, "status"), "True") != 0) {
            fail_msg("%s: %s", str(c, "type"), str(c, "message"));
        }
    }
    assert_non_null(b->objects);
}

/* Each mount once, sorted by name (as Argo sorts its generated ones). */
static void assert_mounts_sorted(const struct ce_ctl_built *b, size_t n)
{
    json_t *mounts = at(container(b), "volumeMounts");
    assert_int_equal(json_array_size(mounts), n);
    for (size_t i = 1; i < n; i++) {
        assert_true(strcmp(str(json_array_get(mounts, i - 1), "name"),
                           str(json_array_get(mounts, i), "name")) < 0);
    }
}

static void test_eventsource_secrets_mounted(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
          "'w'}, 'spec': {'webhook': {'e': {'port': '12000', 'endpoint': '/e', 'method': 'POST', "
          "'authSecret': {'name': 'hook-token', 'key': 'token'}}, 'f': {'port': '12000', "
          "'endpoint': '/f', 'method': 'POST', 'authSecret': {'name': 'hook-token', 'key': "
          "'other'}}}}}",
          BUS, &b);
    assert_valid(&b);
    assert_secret_mounted(&b, "hook-token");
    assert_secret_mounted(&b, "bus-auth");
    assert_mounts_sorted(&b, 4); /* manifest, tmp, the two secrets */
    ce_ctl_built_fini(&b);
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
          "'k'}, 'spec': {'kafka': {'k': {'url': 'kafka:9092', 'topic': 't', 'partition': '0', "
          "'sasl': "
          "{'mechanism': 'PLAIN', 'userSecret': {'name': 'kafka-sasl', 'key': 'user'}, "
          "'passwordSecret': {'name': 'kafka-sasl', 'key': 'password'}}, 'tls': {'caCertSecret': "
          "{'name': 'kafka-ca', 'key': 'ca.crt'}}}}}}",
          BUS, &b);
    assert_valid(&b);
    assert_secret_mounted(&b, "kafka-sasl");
    assert_secret_mounted(&b, "kafka-ca");
    assert_mounts_sorted(&b, 5);
    ce_ctl_built_fini(&b);
}

static void test_sensor_secrets_and_config_maps_mounted(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': {'name': 's'}, "
          "'spec': {'dependencies': [{'name': 'd', 'eventSourceName': 'w', 'eventName': 'e'}], "
          "'triggers': [{'template': {'name': 'h', 'http': {'url': 'http://x/', 'method': "
          "'POST', 'basicAuth': {'username': {'name': 'http-user', 'key': 'u'}, 'password': "
          "{'name': 'http-pass', 'key': 'p'}}, 'secureHeaders': [{'name': 'X-A', 'valueFrom': "
          "{'configMapKeyRef': {'name': 'http-headers', 'key': 'a'}}}]}}}, {'template': {'name': "
          "'k', 'kafka': {'url': 'kafka:9092', 'topic': 'out', 'payload': [{'src': "
          "{'dependencyName': 'd', 'dataKey': 'body'}, 'dest': 'm'}], 'secureHeaders': [{'name': "
          "'X-S', 'valueFrom': {'secretKeyRef': {'name': 'kafka-headers', 'key': 't'}}}, {'name': "
          "'X-C', 'valueFrom': {'configMapKeyRef': {'name': 'kafka-config', 'key': 'r'}}}]}}}]}}",
          BUS, &b);
    assert_valid(&b);
    assert_secret_mounted(&b, "http-user");
    assert_secret_mounted(&b, "http-pass");
    assert_secret_mounted(&b, "kafka-headers");
    assert_config_map_mounted(&b, "http-headers");
    assert_config_map_mounted(&b, "kafka-config");
    assert_null(mount(&b, "/argo-events/secrets/kafka-config"));
    ce_ctl_built_fini(&b);
}

static void test_volume_names_are_dns_labels(void **state)
{
    (void)state;
    char name[64], other[64];
    ce_ctl_volume_name("secret-", "My_Secret.v2", name);
    assert_string_equal(name, "secret-my-secret-v2");
    char longer[200];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ce_ctl_volume_name("secret-", longer, name);
    assert_int_equal(strlen(name), 63);
    longer[150] = 'b';
    ce_ctl_volume_name("secret-", longer, other);
    assert_int_equal(strlen(other), 63);
    assert_string_not_equal(name, other);
}

static void test_invalid_eventsource_condition(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'EventSource', 'metadata': {'name': "
          "'w'}, 'spec': {'webhook': {'example': {'port': 'x12', 'endpoint': '/e', 'method': "
          "'POST'}}}}",
          BUS, &b);
    assert_null(b.objects);
    assert_int_equal(json_array_size(b.conditions), 1);
    json_t *c = json_array_get(b.conditions, 0);
    assert_string_equal(str(c, "type"), "SourcesProvided");
    assert_string_equal(str(c, "status"), "False");
    assert_string_equal(str(c, "reason"), "InvalidEventSource");
    const char *msg = str(c, "message");
    assert_true(strncmp(msg, "spec.webhook.example.port: ", 27) == 0);
    assert_null(strstr(msg, "EventSource:")); /* no file */
    ce_ctl_built_fini(&b);
}

static void test_invalid_sensor_conditions_split(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    /* a dependency without eventName, a trigger fine */
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': {'name': 's'}, "
          "'spec': {'dependencies': [{'name': 'd', 'eventSourceName': 'w'}], 'triggers': "
          "[{'template': {'name': 't', 'log': {}}}]}}",
          BUS, &b);
    assert_null(b.objects);
    assert_string_equal(str(b.conditions, "0.type"), "DependenciesProvided");
    assert_string_equal(str(b.conditions, "0.status"), "False");
    assert_string_equal(str(b.conditions, "0.reason"), "InvalidDependencies");
    assert_true(strncmp(str(b.conditions, "0.message"), "spec.dependencies[0].eventName: ", 32) ==
                0);
    assert_json(b.conditions, "1", "{'type': 'TriggersProvided', 'status': 'True'}");
    ce_ctl_built_fini(&b);
    /* two bad triggers: both in one message */
    build("{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': {'name': 's'}, "
          "'spec': {'dependencies': [{'name': 'd', 'eventSourceName': 'w', 'eventName': 'e'}], "
          "'triggers': [{'template': {'name': 't', 'http': {'method': 'POST'}}}, {'template': "
          "{'name': 'u', 'http': {'url': 'http://x/', 'method': 'FETCH'}}}]}}",
          BUS, &b);
    assert_null(b.objects);
    assert_string_equal(str(b.conditions, "0.status"), "True");
    assert_string_equal(str(b.conditions, "1.status"), "False");
    assert_string_equal(str(b.conditions, "1.reason"), "InvalidTriggers");
    const char *msg = str(b.conditions, "1.message");
    assert_non_null(strstr(msg, "spec.triggers[0].template.http.url: "));
    assert_non_null(strstr(msg, "; spec.triggers[1].template.http.method: "));
    ce_ctl_built_fini(&b);
}

static void test_no_bus_config_only_conditions(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    build(WEBHOOK_ES, NULL, &b);
    assert_null(b.objects);
    assert_int_equal(json_array_size(b.conditions), 1);
    assert_string_equal(str(b.conditions, "0.status"), "True");
    ce_ctl_built_fini(&b);
    /* a bus cevents cannot run on */
    build(WEBHOOK_ES, "{'kafka': {'url': 'kafka:9092'}}", &b);
    assert_null(b.objects);
    assert_string_equal(str(b.conditions, "1.type"), "Deployed");
    assert_string_equal(str(b.conditions, "1.status"), "False");
    assert_string_equal(str(b.conditions, "1.reason"), "BuildDeploymentSpecFailed");
    ce_ctl_built_fini(&b);
}

static void test_hash_stable_and_follows_spec(void **state)
{
    (void)state;
    struct ce_ctl_built a, b, c;
    build(WEBHOOK_ES, BUS, &a);
    build(WEBHOOK_ES, BUS, &b);
    char ha[3][17], hb[3][17], hc[3][17];
    for (int i = 0; i < 3; i++) {
        json_t *oa = json_object_get(json_array_get(a.objects, i), "object");
        json_t *ob = json_object_get(json_array_get(b.objects, i), "object");
        assert_true(json_equal(oa, ob));
        snprintf(ha[i], 17, "%s", str(oa, "metadata.annotations.resource-spec-hash"));
        snprintf(hb[i], 17, "%s", str(ob, "metadata.annotations.resource-spec-hash"));
        assert_string_equal(ha[i], hb[i]);
    }
    /* the endpoint changes: the manifest, so the ConfigMap and the pod template change; the
     * Service does not */
    char *changed = strdup(WEBHOOK_ES);
    char *p = strstr(changed, "/example");
    memcpy(p, "/other..", 8);
    build(changed, BUS, &c);
    for (int i = 0; i < 3; i++) {
        snprintf(hc[i], 17, "%s",
                 str(json_object_get(json_array_get(c.objects, i), "object"),
                     "metadata.annotations.resource-spec-hash"));
    }
    assert_string_not_equal(ha[0], hc[0]);
    assert_string_not_equal(ha[1], hc[1]);
    assert_string_equal(ha[2], hc[2]);
    assert_string_not_equal(str(ce_test_ctl_built_object(&a, "Deployment", NULL),
                                "spec.template.metadata.annotations.cevents/manifest-hash"),
                            str(ce_test_ctl_built_object(&c, "Deployment", NULL),
                                "spec.template.metadata.annotations.cevents/manifest-hash"));
    free(changed);
    ce_ctl_built_fini(&a);
    ce_ctl_built_fini(&b);
    ce_ctl_built_fini(&c);
}

static void test_manifest_over_a_mebibyte_refused(void **state)
{
    (void)state;
    size_t big = 1100 * 1024;
    const char *head = "{'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'Sensor', 'metadata': "
                       "{'name': 'big'}, 'spec': {'dependencies': [{'name': 'd', "
                       "'eventSourceName': 'w', 'eventName': 'e'}], 'triggers': [{'template': "
                       "{'name': 't', 'log': {}}}], 'notes': '";
    size_t hl = strlen(head);
    char *text = malloc(hl + big + 4);
    memcpy(text, head, hl);
    memset(text + hl, 'x', big);
    memcpy(text + hl + big, "'}}", 4);
    struct ce_ctl_built b;
    build(text, BUS, &b);
    assert_null(b.objects);
    assert_int_equal(json_array_size(b.conditions), 3);
    json_t *c = json_array_get(b.conditions, 2);
    assert_string_equal(str(c, "type"), "Deployed");
    assert_string_equal(str(c, "status"), "False");
    assert_string_equal(str(c, "reason"), "BuildDeploymentSpecFailed");
    assert_non_null(strstr(str(c, "message"), "more than a ConfigMap holds"));
    ce_ctl_built_fini(&b);
    free(text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eventsource_names_labels_owner),
        cmocka_unit_test(test_eventsource_container),
        cmocka_unit_test(test_configmap_holds_object_and_bus),
        cmocka_unit_test(test_eventbus_name_from_spec),
        cmocka_unit_test(test_sensor_deployment),
        cmocka_unit_test(test_no_service_without_ports),
        cmocka_unit_test(test_template_merged_as_argo),
        cmocka_unit_test(test_eventsource_secrets_mounted),
        cmocka_unit_test(test_sensor_secrets_and_config_maps_mounted),
        cmocka_unit_test(test_volume_names_are_dns_labels),
        cmocka_unit_test(test_invalid_eventsource_condition),
        cmocka_unit_test(test_invalid_sensor_conditions_split),
        cmocka_unit_test(test_no_bus_config_only_conditions),
        cmocka_unit_test(test_hash_stable_and_follows_spec),
        cmocka_unit_test(test_manifest_over_a_mebibyte_refused),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
