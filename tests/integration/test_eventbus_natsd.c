/* SPDX-License-Identifier: Apache-2.0 */
/* The EventBus the controller builds, run for real: the ConfigMap's nats-server configuration
 * and the Secret's accounts, written to a directory as the pod mounts them (ports moved to free
 * ones, paths into the directory), are what `nats-server -c` accepts, with the generated
 * certificates, and the Secret's client credentials get in over TLS. Then the processes: without
 * the credentials a Sensor says the bus refuses it and stops; with the bus's status.config as a
 * `jetstreamExotic:` EventBus (its accessSecret and merged streamConfig), `cevents run` carries
 * events. */
#include "controller/build.h"
#include "core/base/base64.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/natsd.h"
#include "eventbus/bus.h"
#include "sensor/runtime.h"
#include "tests/harness/harness.h"
#include "tests/harness/plugins.h"
#include "tests/harness/scenario.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#define EB_SECRET "eventbus-default-js-server"

struct eb_server {
    char *dir;
    char *conf;
    int port;
    char *stream_config; /* status.config.jetstream.streamConfig, each line indented 6 */
    char *raw_conf;      /* the ConfigMap's configuration, only its mount paths moved */
    char *confdir;
    struct ce_test_proc *proc;
};

/* Every process a case starts, so that a failing case leaves none running (eb_teardown). */
#define EB_MAX_PROCS 8
static struct ce_test_proc *eb_procs[EB_MAX_PROCS];

static struct ce_test_proc *eb_track(struct ce_test_proc *p)
{
    assert_non_null(p);
    for (int i = 0; i < EB_MAX_PROCS; i++) {
        if (eb_procs[i] == NULL) {
            eb_procs[i] = p;
            return p;
        }
    }
    fail_msg("more than %d processes", EB_MAX_PROCS);
    return NULL;
}

/* Stops p (sanitizer reports fail the case) and forgets it. */
static void eb_release(struct ce_test_proc *p)
{
    for (int i = 0; i < EB_MAX_PROCS; i++) {
        if (eb_procs[i] == p) {
            eb_procs[i] = NULL;
        }
    }
    ce_test_proc_free(p);
}

static int eb_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < EB_MAX_PROCS; i++) {
        if (eb_procs[i] != NULL) {
            ce_test_proc_discard(eb_procs[i]);
            eb_procs[i] = NULL;
        }
    }
    return 0;
}

/* The object of kind among what the build returned. */
static const json_t *eb_object(const struct ce_ctl_built *b, const char *kind)
{
    size_t i;
    json_t *item;
    json_array_foreach(b->objects, i, item)
    {
        json_t *o = json_object_get(item, "object");
        if (strcmp(json_string_value(json_object_get(o, "kind")), kind) == 0) {
            return o;
        }
    }
    fail_msg("no %s built", kind);
    return NULL;
}

static char *eb_secret_key(const struct ce_ctl_built *b, const char *key)
{
    const char *b64 =
        json_string_value(json_object_get(json_object_get(eb_object(b, "Secret"), "data"), key));
    assert_non_null(b64);
    unsigned char *out = ce_xmalloc(ce_base64_decoded_max(strlen(b64)) + 1);
    size_t len = 0;
    assert_int_equal(ce_base64_decode(b64, strlen(b64), out, &len), -1);
    out[len] = '\0';
    return (char *)out;
}

/* text with the first occurrence of from replaced by to (heap; text is freed). */
static char *eb_replace(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);
    assert_non_null(at);
    char *out = ce_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    ce_free(text);
    return out;
}

static char *eb_replace_all(char *text, const char *from, const char *to)
{
    while (strstr(text, from) != NULL) {
        text = eb_replace(text, from, to);
    }
    return text;
}

/* The Secret's server keys under the names the StatefulSet's volume gives them. */
static void eb_write_server_files(const struct ce_ctl_built *b, const char *confdir)
{
    static const char *const files[][2] = {
        {"private-key", "server-key.pem"},
        {"cert", "server-cert.pem"},
        {"ca-cert", "ca-cert.pem"},
        {"cluster-private-key", "cluster-server-key.pem"},
        {"cluster-cert", "cluster-server-cert.pem"},
        {"cluster-ca-cert", "cluster-ca-cert.pem"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *pem = eb_secret_key(b, files[i][0]);
        ce_free(ce_test_write_file(confdir, files[i][1], pem));
        ce_free(pem);
    }
}

/* Builds the EventBus of `replicas` servers and writes what its pod mounts to dir: conf/
 * (nats-js.conf and auth.conf, as the projected volume) and secrets/<secret>/client-auth (as
 * a client pod mounts it). The configuration gets free ports and paths under dir. */
static void eb_render(struct eb_server *s, int replicas)
{
    char *text = ce_xasprintf("{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"EventBus\", "
                              "\"metadata\": {\"name\": \"default\", \"namespace\": \"ns1\", "
                              "\"uid\": \"u\"}, \"spec\": {\"jetstream\": {\"version\": "
                              "\"latest\", \"replicas\": %d}}}",
                              replicas);
    json_t *obj = json_loads(text, 0, NULL);
    ce_free(text);
    struct ce_ctl_env env = {.image = "cevents:test", .plugins = ce_test_plugins()};
    struct ce_ctl_built b;
    assert_int_equal(ce_ctl_build_eventbus(&env, obj, &b), CE_OK);
    s->dir = ce_test_tmpdir("eventbus-natsd");
    char *confdir = ce_xasprintf("%s/conf", s->dir);
    char *secrets = ce_xasprintf("%s/secrets", s->dir);
    char *secret = ce_xasprintf("%s/%s", secrets, EB_SECRET);
    assert_int_equal(mkdir(confdir, 0700), 0);
    assert_int_equal(mkdir(secrets, 0700), 0);
    assert_int_equal(mkdir(secret, 0700), 0);
    s->port = ce_test_free_ports(2);
    char port[32], http[32], pid[512], store[512];
    snprintf(port, sizeof(port), "port: %d\n", s->port);
    snprintf(http, sizeof(http), "http: %d\n", s->port + 1);
    snprintf(pid, sizeof(pid), "pid_file: \"%s/nats.pid\"", s->dir);
    snprintf(store, sizeof(store), "store_dir: \"%s/store\"", s->dir);
    char *conf = ce_xstrdup(json_string_value(
        json_object_get(json_object_get(eb_object(&b, "ConfigMap"), "data"), "nats-js")));
    char *mounted = ce_xasprintf("%s/", confdir);
    conf = eb_replace_all(conf, "/etc/nats-config/", mounted);
    s->raw_conf = ce_xstrdup(conf);
    s->confdir = ce_xstrdup(confdir);
    conf = eb_replace(conf, "port: 4222\n", port);
    conf = eb_replace(conf, "http: 8222\n", http);
    conf = eb_replace(conf, "pid_file: \"/var/run/nats/nats.pid\"", pid);
    conf = eb_replace(conf, "store_dir: \"/data/jetstream/store\"", store);
    s->conf = ce_test_write_file(confdir, "nats-js.conf", conf);
    char *auth = eb_replace_all(eb_secret_key(&b, "auth"), "/etc/nats-config/", mounted);
    ce_free(mounted);
    eb_write_server_files(&b, confdir);
    ce_free(ce_test_write_file(confdir, "auth.conf", auth));
    char *client = eb_secret_key(&b, "client-auth");
    ce_free(ce_test_write_file(secret, "client-auth", client));
    /* the pod's environment, which the configuration refers to */
    char *key = eb_secret_key(&b, "encryption");
    setenv("JS_KEY", key, 1);
    setenv("POD_NAME", "eventbus-default-js-0", 1);
    setenv("CLUSTER_ADVERTISE", "eventbus-default-js-0.eventbus-default-js-svc.ns1.svc", 1);
    ce_free(key);
    ce_free(client);
    ce_free(auth);
    ce_free(conf);
    ce_free(secret);
    ce_free(secrets);
    ce_free(confdir);
    const char *sc = json_string_value(
        json_object_get(json_object_get(b.bus_config, "jetstream"), "streamConfig"));
    assert_non_null(sc);
    s->stream_config = ce_xstrdup("");
    for (const char *line = sc; *line != '\0';) {
        size_t n = strcspn(line, "\n");
        char *next = ce_xasprintf("%s      %.*s\n", s->stream_config, (int)n, line);
        ce_free(s->stream_config);
        s->stream_config = next;
        line += n + (line[n] == '\n');
    }
    ce_ctl_built_fini(&b);
    json_decref(obj);
}

static void eb_start(struct eb_server *s)
{
    char *bin = ce_natsd_find_bin();
    assert_non_null(bin);
    char *const argv[] = {bin, "-c", s->conf, NULL};
    s->proc = eb_track(ce_test_proc_start(argv));
    assert_non_null(s->proc);
    assert_true(ce_test_proc_wait_line(s->proc, "Server is ready", 1, 15000));
    ce_free(bin);
}

static void eb_stop(struct eb_server *s)
{
    eb_release(s->proc);
    ce_test_rmtree(s->dir);
    ce_free(s->dir);
    ce_free(s->conf);
    ce_free(s->stream_config);
    ce_free(s->raw_conf);
    ce_free(s->confdir);
}

/* The server wants TLS, as the URL of the bus's status.config says (tls://). */
static char *eb_url(const struct eb_server *s)
{
    return ce_xasprintf("tls://127.0.0.1:%d", s->port);
}

static void test_server_takes_the_config(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 1);
    eb_start(&s);
    assert_int_equal(ce_test_proc_count(s.proc, "TLS required for client connections"), 1);
    /* the client side of the Secret, read the way the processes read it */
    char *url = eb_url(&s);
    char *secrets = ce_xasprintf("%s/secrets", s.dir);
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    cfg.secrets_dir = secrets;
    cfg.auth_secret = EB_SECRET;
    cfg.auth_key = "client-auth";
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    assert_int_equal(ce_bus_ensure_stream(bus), CE_OK); /* JetStream is on for that account */
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "id-1", "{}", 2), CE_OK);
    ce_bus_destroy(bus);
    ce_free(secrets);
    ce_free(url);
    eb_stop(&s);
}

/* A bus of three: its cluster block (routes to the pods' names) is a valid configuration. */
static void test_cluster_config_parses(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 3);
    char *text = ce_test_read_file(s.conf, NULL);
    assert_non_null(strstr(text, "routes: [nats://eventbus-default-js-0."));
    ce_free(text);
    char *bin = ce_natsd_find_bin();
    char *const argv[] = {bin, "-c", s.conf, "-t", NULL};
    struct ce_test_proc *p = eb_track(ce_test_proc_start(argv));
    int status = -1;
    assert_true(ce_test_proc_wait_exit(p, 15000, &status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *out = ce_test_proc_output(p);
        fail_msg("nats-server -t refused the cluster configuration: %s", out);
    }
    eb_release(p);
    ce_free(bin);
    eb_stop(&s);
}

/* Member i of a local cluster of three: its own ports and store, routes to the others' local
 * ports instead of the pods' names. Writes nats-js-<i>.conf and returns its path. */
static char *eb_member_conf(const struct eb_server *s, int i, const int client[3],
                            const int cluster[3])
{
    char *conf = ce_xstrdup(s->raw_conf);
    char line[512], to[64];
    snprintf(line, sizeof(line), "port: %d\n", client[i]);
    conf = eb_replace(conf, "port: 4222\n", line);
    snprintf(line, sizeof(line), "http: %d\n", client[i] + 1);
    conf = eb_replace(conf, "http: 8222\n", line);
    snprintf(line, sizeof(line), "pid_file: \"%s/nats-%d.pid\"", s->dir, i);
    conf = eb_replace(conf, "pid_file: \"/var/run/nats/nats.pid\"", line);
    snprintf(line, sizeof(line), "store_dir: \"%s/store-%d\"", s->dir, i);
    conf = eb_replace(conf, "store_dir: \"/data/jetstream/store\"", line);
    snprintf(line, sizeof(line), "  port: %d\n", cluster[i]);
    conf = eb_replace(conf, "  port: 6222\n", line);
    for (int j = 0; j < 3; j++) {
        snprintf(line, sizeof(line), "eventbus-default-js-%d.eventbus-default-js-svc.ns1.svc:6222",
                 j);
        snprintf(to, sizeof(to), "127.0.0.1:%d", cluster[j]);
        conf = eb_replace(conf, line, to);
    }
    char name[32];
    snprintf(name, sizeof(name), "nats-js-%d.conf", i);
    char *path = ce_test_write_file(s->confdir, name, conf);
    ce_free(conf);
    return path;
}

static bool eb_stream_of_three(void *arg)
{
    struct ce_bus *bus = arg;
    return ce_bus_ensure_stream(bus) == CE_OK;
}

/* A bus of three forms a JetStream cluster over TLS routes with the generated certificates, and
 * takes the stream of status.config (3 replicas). The routes go to 127.0.0.1 here, a name the
 * routes' certificate does not hold, so only this test tells the servers not to check it. */
static void test_cluster_of_three(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 3);
    assert_non_null(strstr(s.stream_config, "replicas: 3"));
    s.raw_conf = eb_replace(s.raw_conf, "  tls {\n", "  tls {\n  insecure: true\n");
    int client[3], cluster[3];
    struct ce_test_proc *procs[3];
    char *bin = ce_natsd_find_bin();
    for (int i = 0; i < 3; i++) {
        client[i] = ce_test_free_ports(2);
        cluster[i] = ce_test_free_port();
    }
    for (int i = 0; i < 3; i++) {
        char *conf = eb_member_conf(&s, i, client, cluster);
        char pod[64], advertise[64];
        snprintf(pod, sizeof(pod), "eventbus-default-js-%d", i);
        snprintf(advertise, sizeof(advertise), "127.0.0.1:%d", cluster[i]);
        setenv("POD_NAME", pod, 1);
        setenv("CLUSTER_ADVERTISE", advertise, 1);
        char *const argv[] = {bin, "-c", conf, NULL};
        procs[i] = eb_track(ce_test_proc_start(argv));
        assert_non_null(procs[i]);
        ce_free(conf);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(ce_test_proc_wait_line(procs[i], "Server is ready", 1, 20000));
    }
    char *url = ce_xasprintf("tls://127.0.0.1:%d", client[0]);
    char *secrets = ce_xasprintf("%s/secrets", s.dir);
    struct ce_bus_config cfg;
    ce_bus_config_defaults(&cfg);
    cfg.url = url;
    cfg.secrets_dir = secrets;
    cfg.auth_secret = EB_SECRET;
    cfg.auth_key = "client-auth";
    cfg.stream.replicas = 3;
    struct ce_bus *bus = NULL;
    assert_int_equal(ce_bus_create(&cfg, NULL, NULL, &bus), CE_OK);
    assert_int_equal(ce_bus_wait_connected(bus, 10000), CE_OK);
    /* the cluster elects its JetStream leader first */
    assert_true(ce_test_poll(eb_stream_of_three, bus, 30000));
    assert_int_equal(ce_bus_publish(bus, "default.es.ev", "id-3", "{}", 2), CE_OK);
    ce_bus_destroy(bus);
    char *jsz = ce_xasprintf("http://127.0.0.1:%d/jsz?accounts=true&streams=true&config=true",
                             client[0] + 1);
    struct ce_test_http_resp r = {0};
    assert_int_equal(ce_test_http("GET", jsz, NULL, NULL, 0, 5000, &r), CE_OK);
    /* (numbers as reals: the reply holds unsigned 64-bit values a json_int_t cannot) */
    json_t *jsz_doc = json_loads(r.body, JSON_DECODE_INT_AS_REAL, NULL);
    assert_non_null(jsz_doc);
    json_t *stream = json_array_get(
        json_object_get(json_array_get(json_object_get(jsz_doc, "account_details"), 0),
                        "stream_detail"),
        0);
    assert_true(json_number_value(
                    json_object_get(json_object_get(stream, "config"), "num_replicas")) == 3.0);
    /* every member holds a copy: a leader and two replicas */
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(stream, "cluster"), "replicas")), 2);
    json_decref(jsz_doc);
    ce_test_http_resp_fini(&r);
    for (int i = 0; i < 3; i++) {
        eb_release(procs[i]);
    }
    ce_free(jsz);
    ce_free(secrets);
    ce_free(url);
    ce_free(bin);
    eb_stop(&s);
}

static void test_no_credentials_says_so(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 1);
    eb_start(&s);
    char *url = eb_url(&s);
    char *file = ce_test_data_write(s.dir, "sensor.yaml", "sensors/log-unbound.yaml", NULL);
    const char *args[] = {"sensor", "-f", file, "--bus", url, "--metrics-port", "0", NULL};
    struct ce_test_proc *p = eb_track(ce_test_proc_start_cevents(args));
    assert_true(ce_test_proc_wait_line(p, "Authorization Violation", 1, 15000));
    char *line = ce_test_proc_line(p, "Authorization Violation", 0);
    assert_non_null(strstr(line, "requires credentials and none are configured"));
    assert_non_null(strstr(line, "\"level\":\"error\""));
    ce_free(line);
    /* it stops (its supervisor starts it again) instead of waiting without a word */
    assert_true(ce_test_proc_wait_exit(p, 15000, NULL));
    eb_release(p);
    ce_free(file);
    ce_free(url);
    eb_stop(&s);
}

/* `cevents sensor` as a pod runs it: the credentials named by flags; a wrong password, and a
 * plain connection to the TLS server, are each said for what they are. */
static void test_secret_flags(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 1);
    eb_start(&s);
    char *url = eb_url(&s);
    char *file = ce_test_data_write(s.dir, "sensor.yaml", "sensors/log-unbound.yaml", NULL);
    char *secrets = ce_xasprintf("%s/secrets", s.dir);
    char *wrong = ce_xasprintf("%s/wrong", secrets);
    assert_int_equal(mkdir(wrong, 0700), 0);
    ce_free(ce_test_write_file(wrong, "auth.yaml", "username: nobody\npassword: nothing\n"));
    const char *good[] = {
        "sensor",        "-f",    file,           "--bus",   url, "--metrics-port", "0",
        "--secrets-dir", secrets, "--bus-secret", EB_SECRET, NULL};
    struct ce_test_proc *p = eb_track(ce_test_proc_start_cevents(good));
    assert_true(ce_test_proc_wait_line(p, CE_SENSOR_SUBSCRIBED_MSG, 1, 15000));
    eb_release(p);
    const char *bad[] = {"sensor",    "-f",
                         file,        "--bus",
                         url,         "--metrics-port",
                         "0",         "--secrets-dir",
                         secrets,     "--bus-secret",
                         "wrong",     "--bus-secret-key",
                         "auth.yaml", NULL};
    p = eb_track(ce_test_proc_start_cevents(bad));
    assert_true(ce_test_proc_wait_line(p, "Authorization Violation", 1, 15000));
    char *line = ce_test_proc_line(p, "Authorization Violation", 0);
    assert_non_null(strstr(line, "the event bus refused the credentials"));
    ce_free(line);
    assert_true(ce_test_proc_wait_exit(p, 15000, NULL));
    eb_release(p);
    /* the right credentials on a plain connection: the server wants TLS, and that is said */
    char *plain = ce_xasprintf("nats://%s", url + strlen("tls://"));
    const char *no_tls[] = {
        "sensor",        "-f",    file,           "--bus",   plain, "--metrics-port", "0",
        "--secrets-dir", secrets, "--bus-secret", EB_SECRET, NULL};
    p = eb_track(ce_test_proc_start_cevents(no_tls));
    assert_true(ce_test_proc_wait_line(p, "the event bus requires TLS", 1, 15000));
    assert_true(ce_test_proc_wait_exit(p, 15000, NULL));
    assert_int_equal(ce_test_proc_count(p, "Authorization Violation"), 0);
    eb_release(p);
    ce_free(plain);
    ce_free(wrong);
    ce_free(secrets);
    ce_free(file);
    ce_free(url);
    eb_stop(&s);
}

static void test_access_secret_carries_events(void **state)
{
    (void)state;
    struct eb_server s = {0};
    eb_render(&s, 1);
    eb_start(&s);
    char *url = eb_url(&s);
    char *manifests = ce_xasprintf("%s/manifests", s.dir);
    assert_int_equal(mkdir(manifests, 0700), 0);
    int port = ce_test_free_port();
    ce_free(ce_scn_write_manifest(manifests, "es.yaml", "eventsources/webhook-one.yaml", port));
    ce_free(ce_test_data_write(manifests, "sensor.yaml", "sensors/log-es-ev.yaml", NULL));
    ce_free(ce_test_data_write(manifests, "bus.yaml", "eventbus/exotic-auth.yaml", "URL", url,
                               "SECRET", EB_SECRET, "STREAM_CONFIG", s.stream_config, NULL));
    char *secrets = ce_xasprintf("%s/secrets", s.dir);
    char mport[16];
    snprintf(mport, sizeof(mport), "%d", ce_test_free_ports(2));
    const char *args[] = {"run", "--secrets-dir", secrets, "--metrics-port",
                          mport, manifests,       NULL};
    struct ce_test_proc *run = eb_track(ce_test_proc_start_cevents(args));
    assert_true(ce_test_proc_wait_line(run, "Eventing server started.", 1, 30000));
    assert_true(ce_test_proc_wait_line(run, CE_SENSOR_SUBSCRIBED_MSG, 1, 30000));
    char id[33];
    assert_int_equal(ce_scn_post(port, "/e", "{\"a\": 1}", NULL, id), 200);
    assert_true(
        ce_test_proc_wait_line(run, "Successfully processed trigger 'log-trigger'", 1, 20000));
    assert_int_equal(ce_test_proc_count(run, "Authorization Violation"), 0);
    eb_release(run);
    ce_free(secrets);
    ce_free(manifests);
    ce_free(url);
    eb_stop(&s);
}

int main(int argc, char **argv)
{
    ce_test_require_natsd();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_server_takes_the_config, eb_teardown),
        cmocka_unit_test_teardown(test_cluster_config_parses, eb_teardown),
        cmocka_unit_test_teardown(test_cluster_of_three, eb_teardown),
        cmocka_unit_test_teardown(test_no_credentials_says_so, eb_teardown),
        cmocka_unit_test_teardown(test_secret_flags, eb_teardown),
        cmocka_unit_test_teardown(test_access_secret_carries_events, eb_teardown),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
