/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus → the objects the controller keeps (controller/build_eventbus*.c): Argo's names,
 * labels, ports and defaults for a `jetstream:` bus, nothing but the status for
 * `jetstreamExotic:`, and a False `Configured` with the lint message for what cannot run. */
#include "controller/build.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"
#include "tests/harness/kube.h"
#include "tests/harness/plugins.h"

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *const eb_meta = "\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": "
                                   "\"EventBus\", \"metadata\": {\"name\": \"default\", "
                                   "\"namespace\": \"ns1\", \"uid\": \"u-1\", \"labels\": "
                                   "{\"team\": \"a\"}}";

/* Builds the EventBus whose spec is spec_json (a JSON object's text). */
static json_t *eb_build(const char *spec_json, struct ce_ctl_built *out)
{
    char *text = ce_xasprintf("{%s, \"spec\": %s}", eb_meta, spec_json);
    json_error_t err;
    json_t *obj = json_loads(text, 0, &err);
    assert_non_null(obj);
    ce_free(text);
    struct ce_ctl_env env = {.image = "cevents:test", .plugins = ce_test_plugins()};
    assert_int_equal(ce_ctl_build_eventbus(&env, obj, out), CE_OK);
    return obj;
}

/* The built object of kind, and its apply mode; the test fails without one. */
static json_t *eb_object(const struct ce_ctl_built *b, const char *kind, int *mode)
{
    json_t *o = ce_test_ctl_built_object(b, kind, mode);
    if (o == NULL) {
        fail_msg("no %s built", kind);
    }
    return o;
}

static const char *eb_at(const json_t *obj, const char *path)
{
    json_t *v = json_object_get(obj, path);
    return json_string_value(v);
}

static void eb_assert_condition(const struct ce_ctl_built *b, const char *type, const char *status,
                                const char *reason, const char *msg_part)
{
    size_t i;
    json_t *c;
    json_array_foreach(b->conditions, i, c)
    {
        if (strcmp(eb_at(c, "type"), type) == 0) {
            assert_string_equal(eb_at(c, "status"), status);
            assert_string_equal(eb_at(c, "reason"), reason);
            if (strstr(eb_at(c, "message"), msg_part) == NULL) {
                fail_msg("%s message \"%s\" lacks \"%s\"", type, eb_at(c, "message"), msg_part);
            }
            return;
        }
    }
    fail_msg("no %s condition", type);
}

/* The decoded value of a Secret's data key (heap). */
static char *eb_secret_value(const json_t *secret, const char *key)
{
    const char *b64 = eb_at(json_object_get(secret, "data"), key);
    assert_non_null(b64);
    size_t len = 0;
    unsigned char *out = ce_xmalloc(ce_base64_decoded_max(strlen(b64)) + 1);
    assert_int_equal(ce_base64_decode(b64, strlen(b64), out, &len), -1);
    out[len] = '\0';
    return (char *)out;
}

static void eb_assert_meta(const json_t *obj, const char *name)
{
    const json_t *md = json_object_get(obj, "metadata");
    assert_string_equal(eb_at(md, "name"), name);
    assert_string_equal(eb_at(md, "namespace"), "ns1");
    const json_t *labels = json_object_get(md, "labels");
    assert_string_equal(eb_at(labels, "controller"), "eventbus-controller");
    assert_string_equal(eb_at(labels, "eventbus-name"), "default");
    assert_string_equal(eb_at(labels, "owner-name"), "default");
    const json_t *ref = json_array_get(json_object_get(md, "ownerReferences"), 0);
    assert_string_equal(eb_at(ref, "kind"), "EventBus");
    assert_string_equal(eb_at(ref, "apiVersion"), "argoproj.io/v1alpha1");
    assert_string_equal(eb_at(ref, "uid"), "u-1");
    assert_true(json_is_true(json_object_get(ref, "controller")));
    assert_true(json_is_true(json_object_get(ref, "blockOwnerDeletion")));
    /* the hash is stamped last, over everything else (it is the only annotation) */
    json_t *copy = json_deep_copy(obj);
    json_object_del(json_object_get(copy, "metadata"), "annotations");
    assert_int_equal(ce_ctl_stamp_hash(copy), CE_OK);
    assert_true(json_equal(copy, (json_t *)obj));
    json_decref(copy);
}

static void test_jetstream_objects(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b);
    assert_int_equal(json_array_size(b.objects), 4);
    assert_string_equal(b.owner_selector, "controller=eventbus-controller,eventbus-name=default");
    int mode = -1;
    eb_assert_meta(eb_object(&b, "Secret", &mode), "eventbus-default-js-server");
    assert_int_equal(mode, CE_CTL_APPLY_CREATE_ONLY);
    eb_assert_meta(eb_object(&b, "ConfigMap", &mode), "eventbus-default-js-config");
    assert_int_equal(mode, CE_CTL_APPLY_UPDATE);
    json_t *svc = eb_object(&b, "Service", NULL);
    eb_assert_meta(svc, "eventbus-default-js-svc");
    json_t *spec = json_object_get(svc, "spec");
    assert_string_equal(eb_at(spec, "clusterIP"), "None");
    assert_true(json_is_true(json_object_get(spec, "publishNotReadyAddresses")));
    static const char *const names[] = {"tcp-client", "cluster", "metrics", "monitor"};
    static const int ports[] = {4222, 6222, 7777, 8222};
    for (int i = 0; i < 4; i++) {
        json_t *p = json_array_get(json_object_get(spec, "ports"), (size_t)i);
        assert_string_equal(eb_at(p, "name"), names[i]);
        assert_int_equal(json_integer_value(json_object_get(p, "port")), ports[i]);
    }
    json_t *sts = eb_object(&b, "StatefulSet", NULL);
    eb_assert_meta(sts, "eventbus-default-js");
    /* the EventBus's own labels are on the StatefulSet, as Argo's controller puts them */
    assert_string_equal(eb_at(json_object_get(json_object_get(sts, "metadata"), "labels"), "team"),
                        "a");
    eb_assert_condition(&b, "Configured", "True", "", "");
    eb_assert_condition(&b, "Deployed", "True", "Succeeded", "JetStream is deployed");
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void test_statefulset_defaults(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"2.9.16\"}}", &b);
    json_t *spec = json_object_get(eb_object(&b, "StatefulSet", NULL), "spec");
    assert_int_equal(json_integer_value(json_object_get(spec, "replicas")), 3);
    assert_string_equal(eb_at(spec, "serviceName"), "eventbus-default-js-svc");
    assert_string_equal(eb_at(spec, "podManagementPolicy"), "Parallel");
    assert_null(json_object_get(spec, "volumeClaimTemplates"));
    json_t *pod = json_object_get(json_object_get(spec, "template"), "spec");
    json_t *main = json_array_get(json_object_get(pod, "containers"), 0);
    assert_string_equal(eb_at(main, "name"), "main");
    assert_string_equal(eb_at(main, "image"), "nats:2.9.16");
    assert_string_equal(json_string_value(json_array_get(json_object_get(main, "command"), 2)),
                        "/etc/nats-config/nats-js.conf");
    assert_int_equal(json_array_size(json_object_get(pod, "containers")), 3);
    char *text = json_dumps(pod, JSON_COMPACT);
    /* the server mounts only its own keys of the Secret: never the client credentials */
    assert_non_null(strstr(text, "{\"key\":\"auth\",\"path\":\"auth.conf\"}"));
    assert_null(strstr(text, "client-auth"));
    assert_non_null(strstr(text, "{\"name\":\"js-data\",\"emptyDir\":{}}"));
    assert_non_null(strstr(text, "{\"name\":\"js-data\",\"mountPath\":\"/data/jetstream\"}"));
    assert_non_null(strstr(text, "natsio/prometheus-nats-exporter:0.9.1"));
    free(text);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

/* Every setting a `jetstream:` spec passes to the StatefulSet. */
static const char *const eb_settings_spec =
    "{\"jetstream\": {\"version\": \"latest\", \"replicas\": 5, \"startArgs\": [\"-D\"], "
    "\"persistence\": {\"storageClassName\": \"fast\", \"volumeSize\": \"5Gi\"}, "
    "\"containerTemplate\": {\"resources\": {\"limits\": {\"cpu\": \"1\"}}}, "
    "\"metadata\": {\"labels\": {\"x\": \"y\"}, \"annotations\": {\"a\": \"b\"}}, "
    "\"nodeSelector\": {\"disk\": \"ssd\"}, \"serviceAccountName\": \"nats\", "
    "\"priority\": 7, \"tolerations\": [{\"key\": \"k\", \"operator\": \"Exists\"}]}}";

static void test_statefulset_replicas(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"latest\", \"replicas\": \"4\"}}", &b);
    json_t *spec = json_object_get(eb_object(&b, "StatefulSet", NULL), "spec");
    /* a number written as a string, as Argo's decoder takes it */
    assert_int_equal(json_integer_value(json_object_get(spec, "replicas")), 4);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void test_statefulset_settings(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build(eb_settings_spec, &b);
    json_t *spec = json_object_get(eb_object(&b, "StatefulSet", NULL), "spec");
    assert_int_equal(json_integer_value(json_object_get(spec, "replicas")), 5);
    json_t *claim = json_array_get(json_object_get(spec, "volumeClaimTemplates"), 0);
    char *text = json_dumps(claim, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"metadata\":{\"name\":\"eventbus-default-js-vol\"},\"spec\":{"
                              "\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{"
                              "\"storage\":\"5Gi\"}},\"storageClassName\":\"fast\","
                              "\"volumeMode\":\"Filesystem\"}}");
    free(text);
    json_t *tmpl = json_object_get(spec, "template");
    json_t *md = json_object_get(tmpl, "metadata");
    assert_string_equal(eb_at(json_object_get(md, "labels"), "x"), "y");
    assert_string_equal(eb_at(json_object_get(md, "labels"), "controller"), "eventbus-controller");
    assert_string_equal(eb_at(json_object_get(md, "annotations"), "a"), "b");
    json_t *pod = json_object_get(tmpl, "spec");
    assert_string_equal(eb_at(pod, "serviceAccountName"), "nats");
    assert_int_equal(json_integer_value(json_object_get(pod, "priority")), 7);
    assert_string_equal(eb_at(json_object_get(pod, "nodeSelector"), "disk"), "ssd");
    assert_int_equal(json_array_size(json_object_get(pod, "tolerations")), 1);
    json_t *main = json_array_get(json_object_get(pod, "containers"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(main, "args"), 0)), "-D");
    assert_non_null(json_object_get(main, "resources"));
    text = json_dumps(pod, JSON_COMPACT);
    assert_null(strstr(text, "js-data")); /* the claim holds the store */
    assert_non_null(strstr(text, "{\"name\":\"eventbus-default-js-vol\",\"mountPath\":"));
    free(text);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static const char *eb_conf(const struct ce_ctl_built *b)
{
    return eb_at(json_object_get(eb_object(b, "ConfigMap", NULL), "data"), "nats-js");
}

static void test_nats_config(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b);
    const char *conf = eb_conf(&b);
    assert_non_null(strstr(conf, "port: 4222\n"));
    assert_non_null(strstr(conf, "http: 8222\n"));
    assert_non_null(strstr(conf, "max_payload: 1MB\n"));
    assert_non_null(strstr(conf, "store_dir: \"/data/jetstream/store\""));
    assert_non_null(strstr(conf, "max_memory_store: -1\n  max_file_store: 1TB\n"));
    assert_non_null(strstr(conf, "include ./auth.conf"));
    assert_non_null(strstr(conf, "routes: [nats://eventbus-default-js-0.eventbus-default-js-svc."
                                 "ns1.svc:6222,nats://eventbus-default-js-1.eventbus-default-js-"
                                 "svc.ns1.svc:6222,nats://eventbus-default-js-2.eventbus-default-"
                                 "js-svc.ns1.svc:6222]"));
    ce_ctl_built_fini(&b);
    json_decref(obj);
    obj = eb_build("{\"jetstream\": {\"version\": \"latest\", \"replicas\": 1, \"maxPayload\": "
                   "\"4MB\", \"settings\": \"max_file_store: 10G\"}}",
                   &b);
    conf = eb_conf(&b);
    assert_null(strstr(conf, "cluster {"));
    assert_non_null(strstr(conf, "max_payload: 4MB\n"));
    assert_non_null(strstr(conf, "max_file_store: 10G\n"));
    assert_null(strstr(conf, "max_memory_store")); /* settings replace the default */
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void test_bus_config(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"latest\", \"streamConfig\": "
                           "\"maxAge: 72h\\nReplicas: 1\\n\"}}",
                           &b);
    json_t *js = json_object_get(b.bus_config, "jetstream");
    assert_string_equal(eb_at(js, "url"), "tls://eventbus-default-js-svc.ns1.svc:4222");
    json_t *secret = json_object_get(js, "accessSecret");
    assert_string_equal(eb_at(secret, "name"), "eventbus-default-js-server");
    assert_string_equal(eb_at(secret, "key"), "client-auth");
    assert_string_equal(eb_at(js, "streamConfig"),
                        "discard: 0\nduplicates: 300s\nmaxage: 72h\nmaxbytes: -1\n"
                        "maxmsgs: 50000\nreplicas: 1\nretention: 0\n");
    ce_ctl_built_fini(&b);
    json_decref(obj);
    /* Argo's default of 3 copies, except on a single server, which would refuse the stream */
    obj = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b);
    js = json_object_get(b.bus_config, "jetstream");
    assert_non_null(strstr(eb_at(js, "streamConfig"), "\nreplicas: 3\n"));
    ce_ctl_built_fini(&b);
    json_decref(obj);
    obj = eb_build("{\"jetstream\": {\"version\": \"latest\", \"replicas\": 1}}", &b);
    js = json_object_get(b.bus_config, "jetstream");
    assert_non_null(strstr(eb_at(js, "streamConfig"), "\nreplicas: 1\n"));
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

/* The server's accounts and the clients' YAML hold the same user, in one Secret; every build
 * draws new ones (the reconciler only ever creates the Secret). */
static void test_credentials(void **state)
{
    (void)state;
    struct ce_ctl_built b1, b2;
    json_t *o1 = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b1);
    json_t *o2 = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b2);
    char *client = eb_secret_value(eb_object(&b1, "Secret", NULL), "client-auth");
    char *auth = eb_secret_value(eb_object(&b1, "Secret", NULL), "auth");
    char *other = eb_secret_value(eb_object(&b2, "Secret", NULL), "client-auth");
    char user[64], pass[64];
    assert_int_equal(sscanf(client, "username: %63s\npassword: %63s", user, pass), 2);
    assert_int_equal(strlen(user), 8);
    assert_int_equal(strlen(pass), 16);
    char *want = ce_xasprintf("{\"user\": \"%s\", \"pass\": \"%s\"}", user, pass);
    assert_non_null(strstr(auth, want));
    assert_non_null(strstr(auth, "system_account: sys"));
    assert_string_not_equal(client, other);
    ce_free(want);
    ce_free(other);
    ce_free(auth);
    ce_free(client);
    ce_ctl_built_fini(&b1);
    ce_ctl_built_fini(&b2);
    json_decref(o1);
    json_decref(o2);
}

/* pem's certificate, verified against ca_pem for host (and purpose). */
static bool eb_cert_valid(const char *pem, const char *ca_pem, const char *host, int purpose)
{
    BIO *b1 = BIO_new_mem_buf(pem, -1);
    BIO *b2 = BIO_new_mem_buf(ca_pem, -1);
    X509 *cert = PEM_read_bio_X509(b1, NULL, NULL, NULL);
    X509 *ca = PEM_read_bio_X509(b2, NULL, NULL, NULL);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    assert_non_null(cert);
    assert_non_null(ca);
    assert_int_equal(X509_STORE_add_cert(store, ca), 1);
    assert_int_equal(X509_STORE_CTX_init(ctx, store, cert, NULL), 1);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set1_host(param, host, 0);
    X509_STORE_CTX_set_purpose(ctx, purpose);
    bool ok = X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(ca);
    X509_free(cert);
    BIO_free(b2);
    BIO_free(b1);
    return ok;
}

/* Clients reach the Service's name, routes every pod's, both ends presenting the certificate. */
static void test_certificates(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstream\": {\"version\": \"latest\"}}", &b);
    const json_t *secret = eb_object(&b, "Secret", NULL);
    char *cert = eb_secret_value(secret, "cert");
    char *ca = eb_secret_value(secret, "ca-cert");
    char *key = eb_secret_value(secret, "private-key");
    char *ccert = eb_secret_value(secret, "cluster-cert");
    char *cca = eb_secret_value(secret, "cluster-ca-cert");
    char *ckey = eb_secret_value(secret, "cluster-private-key");
    assert_non_null(strstr(key, "-----BEGIN PRIVATE KEY-----"));
    assert_non_null(strstr(ckey, "-----BEGIN PRIVATE KEY-----"));
    const char *svc = "eventbus-default-js-svc.ns1.svc";
    assert_true(eb_cert_valid(cert, ca, svc, X509_PURPOSE_SSL_SERVER));
    assert_true(eb_cert_valid(cert, ca, "eventbus-default-js-svc.ns1.svc.cluster.local",
                              X509_PURPOSE_SSL_SERVER));
    assert_false(eb_cert_valid(cert, ca, "other.ns1.svc", X509_PURPOSE_SSL_SERVER));
    assert_false(eb_cert_valid(cert, cca, svc, X509_PURPOSE_SSL_SERVER)); /* CAs of their own */
    const char *pod = "eventbus-default-js-2.eventbus-default-js-svc.ns1.svc";
    assert_true(eb_cert_valid(ccert, cca, pod, X509_PURPOSE_SSL_SERVER));
    assert_true(eb_cert_valid(ccert, cca, pod, X509_PURPOSE_SSL_CLIENT));
    /* the configuration names the files the StatefulSet mounts */
    char *auth = eb_secret_value(secret, "auth");
    assert_non_null(strstr(auth, "cert_file: \"/etc/nats-config/server-cert.pem\""));
    char *text = json_dumps(eb_object(&b, "StatefulSet", NULL), JSON_COMPACT);
    assert_non_null(
        strstr(text, "{\"key\":\"cluster-cert\",\"path\":\"cluster-server-cert.pem\"}"));
    free(text);
    ce_free(auth);
    ce_free(ckey);
    ce_free(cca);
    ce_free(ccert);
    ce_free(key);
    ce_free(ca);
    ce_free(cert);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

/* An unchanged spec builds the same objects (same hash: no write, no rollout); only the
 * Secret, which the reconciler never rewrites, is new each time. */
static void test_stable_hashes(void **state)
{
    (void)state;
    struct ce_ctl_built b1, b2;
    json_t *o1 = eb_build(eb_settings_spec, &b1);
    json_t *o2 = eb_build(eb_settings_spec, &b2);
    static const char *const kinds[] = {"ConfigMap", "Service", "StatefulSet"};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        assert_true(json_equal(eb_object(&b1, kinds[i], NULL), eb_object(&b2, kinds[i], NULL)));
    }
    assert_false(json_equal(eb_object(&b1, "Secret", NULL), eb_object(&b2, "Secret", NULL)));
    assert_true(json_equal(b1.bus_config, b2.bus_config));
    ce_ctl_built_fini(&b1);
    ce_ctl_built_fini(&b2);
    json_decref(o1);
    json_decref(o2);
}

/* The object as the API server returns it, with its own fields around the spec. */
static void test_api_server_object(void **state)
{
    (void)state;
    json_t *obj = json_loads(
        "{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"EventBus\", \"metadata\": "
        "{\"name\": \"default\", \"namespace\": \"ns1\", \"uid\": \"u-1\", "
        "\"resourceVersion\": \"42\", \"generation\": 3, \"finalizers\": "
        "[\"eventbus-controller\"], \"creationTimestamp\": \"2026-01-01T00:00:00Z\", "
        "\"managedFields\": [{\"manager\": \"kubectl\", \"fieldsV1\": {\"f:spec\": {}}}], "
        "\"annotations\": {\"kubectl.kubernetes.io/last-applied-configuration\": \"{}\"}}, "
        "\"spec\": {\"jetstream\": {\"version\": \"latest\"}}, \"status\": {\"conditions\": "
        "[{\"type\": \"Deployed\", \"status\": \"True\"}], \"config\": {\"jetstream\": "
        "{\"url\": \"x\"}}}}",
        0, NULL);
    assert_non_null(obj);
    struct ce_ctl_env env = {.image = "cevents:test", .plugins = ce_test_plugins()};
    struct ce_ctl_built b;
    assert_int_equal(ce_ctl_build_eventbus(&env, obj, &b), CE_OK);
    eb_assert_condition(&b, "Configured", "True", "", "");
    assert_int_equal(json_array_size(b.objects), 4);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void test_exotic(void **state)
{
    (void)state;
    struct ce_ctl_built b;
    json_t *obj = eb_build("{\"jetstreamExotic\": {\"url\": \"nats://bus:4222\", \"accessSecret\": "
                           "{\"name\": \"bus-auth\", \"key\": \"auth.yaml\"}, \"streamConfig\": "
                           "\"maxMsgs: 10\"}}",
                           &b);
    assert_non_null(b.objects);
    assert_int_equal(json_array_size(b.objects), 0);
    eb_assert_condition(&b, "Configured", "True", "", "");
    eb_assert_condition(&b, "Deployed", "True", "Skipped",
                        "Skip deployment because of using exotic config.");
    json_t *want = json_loads("{\"jetstream\": {\"url\": \"nats://bus:4222\", \"accessSecret\": "
                              "{\"name\": \"bus-auth\", \"key\": \"auth.yaml\"}, \"streamConfig\": "
                              "\"maxMsgs: 10\"}}",
                              0, NULL);
    assert_true(json_equal(want, b.bus_config));
    json_decref(want);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void eb_assert_invalid(const char *spec, const char *msg_part)
{
    struct ce_ctl_built b;
    json_t *obj = eb_build(spec, &b);
    assert_null(b.objects);
    assert_null(b.bus_config);
    eb_assert_condition(&b, "Configured", "False", "InvalidSpec", msg_part);
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void test_invalid(void **state)
{
    (void)state;
    eb_assert_invalid("{\"jetstream\": {\"version\": \"latest\", \"replicas\": 2}}",
                      "spec.jetstream.replicas: replicas must be 1 or at least 3");
    eb_assert_invalid("{\"jetstream\": {\"replicas\": 3}}", "spec.jetstream.version");
    eb_assert_invalid("{\"jetstream\": {\"version\": \"9.9\"}}",
                      "spec.jetstream.version: unsupported version \"9.9\" (supported: latest");
    eb_assert_invalid("{\"jetstream\": {\"version\": \"latest\", \"streamConfig\": "
                      "\"retention: 7\"}}",
                      "retention must be 0 (limits)");
    eb_assert_invalid("{}", "one of jetstream, jetstreamExotic, nats or kafka is required");
    eb_assert_invalid("{\"jetstream\": {\"version\": \"latest\", \"replicas\": 5000}}",
                      "spec.jetstream.replicas: at most 1000 servers");
    eb_assert_invalid("{\"jetstreamExotic\": {}}", "spec.jetstreamExotic");
}

static void test_unsupported_kinds(void **state)
{
    (void)state;
    eb_assert_invalid("{\"nats\": {\"native\": {}}}",
                      "spec.nats: a NATS Streaming bus is not supported by cevents");
    eb_assert_invalid("{\"kafka\": {\"url\": \"kafka:9092\"}}",
                      "spec.kafka: a Kafka bus is not supported by cevents");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jetstream_objects),
        cmocka_unit_test(test_statefulset_defaults),
        cmocka_unit_test(test_statefulset_replicas),
        cmocka_unit_test(test_statefulset_settings),
        cmocka_unit_test(test_nats_config),
        cmocka_unit_test(test_bus_config),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_stable_hashes),
        cmocka_unit_test(test_api_server_object),
        cmocka_unit_test(test_exotic),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_unsupported_kinds),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
