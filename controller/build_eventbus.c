/* SPDX-License-Identifier: Apache-2.0 */
/* EventBus → what runs it (controller/build.h): the spec is checked by the manifest decoder
 * that `cevents lint` uses, a `jetstreamExotic:` bus only earns its status, and a `jetstream:`
 * bus gets the objects of controller/build_eventbus_js.c, build_eventbus_sts.c and the
 * certificates of build_eventbus_tls.c. */
#include "controller/build.h"
#include "controller/build_eventbus_int.h"

#include "core/base/buf.h"
#include "core/base/mem.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/streamconfig.h"

#include <stdlib.h>
#include <string.h>

/* The API server takes names of at most 253 bytes; a longer one is not an object we built. */
#define EB_NAME_MAX 253
/* More servers than anyone runs in one JetStream cluster: a bigger number is a typo, and every
 * server adds a route to the configuration. */
#define EB_REPLICAS_MAX 1000
/* The lint text a condition carries is cut here (a condition is not a log). */
#define EB_WHY_MAX 4096

static int eb_condition(json_t *conds, const char *type, bool ok, const char *reason,
                        const char *msg)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "type", type, "status", ok ? "True" : "False",
                          "reason", reason, "message", msg);
    return c != NULL && json_array_append_new(conds, c) == 0 ? CE_OK : CE_EIO;
}

/* The errors of diag as one line: "path: message; path: message" (no file, no position: the
 * object lives in the API server, not in a file). */
static char *eb_diag_text(const struct ce_diag *diag)
{
    struct ce_buf b;
    ce_buf_init(&b, EB_WHY_MAX);
    for (int i = 0; i < diag->n; i++) {
        const struct ce_diag_item *it = &diag->items[i];
        if (it->severity != CE_DIAG_ERROR) {
            continue;
        }
        int rc = ce_buf_printf(&b, "%s%s%s%s", b.len > 0 ? "; " : "", it->path,
                               it->path[0] ? ": " : "", it->msg);
        if (rc != CE_OK) {
            break; /* the first findings are the ones that matter */
        }
    }
    if (b.len == 0 && ce_buf_puts(&b, "the EventBus is not valid") != CE_OK) {
        ce_buf_fini(&b);
        return ce_xstrdup("the EventBus is not valid");
    }
    char *s = ce_buf_steal(&b, NULL);
    ce_buf_fini(&b);
    return s;
}

/* Why the bus cannot be built on top of what the decoder found, or NULL. */
static char *eb_refusal(const struct ce_eventbus *bus)
{
    if (strcmp(bus->kind, "nats") == 0) {
        return ce_xstrdup("spec.nats: a NATS Streaming bus is not supported by cevents; use "
                          "jetstream or jetstreamExotic");
    }
    if (strcmp(bus->kind, "kafka") == 0) {
        return ce_xstrdup("spec.kafka: a Kafka bus is not supported by cevents; use jetstream or "
                          "jetstreamExotic");
    }
    struct ce_stream_config sc = {0};
    struct ce_diag diag;
    ce_diag_init(&diag);
    char *why = NULL;
    if (ce_stream_config_apply(bus, &sc, &diag) != CE_OK) {
        why = eb_diag_text(&diag);
    }
    ce_diag_fini(&diag);
    return why;
}

/* The decoder's verdict on the object (its JSON is YAML): NULL when valid, else the reason. */
static char *eb_lint(const struct ce_ctl_env *env, const json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    struct ce_manifest_set *set = NULL;
    struct ce_diag diag;
    ce_diag_init(&diag);
    char *why = NULL;
    if (text == NULL || ce_manifest_set_create(env->plugins, &set) != CE_OK) {
        why = ce_xstrdup("the EventBus could not be read");
    }
    else if (ce_manifest_load_buf(set, text, strlen(text), "EventBus", false, &diag) != CE_OK ||
             ce_diag_errors(&diag) > 0) {
        why = eb_diag_text(&diag);
    }
    else if (set->n_eventbuses != 1) {
        why = ce_xstrdup("the object is not an EventBus");
    }
    else {
        why = eb_refusal(set->eventbuses[0]);
    }
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
    free(text);
    return why;
}

static const char *eb_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : "";
}

/* Fills the names and labels every object needs; a reason when the object lacks them. */
static const char *eb_init(struct ce_ctl_eb *eb, const json_t *obj)
{
    const json_t *md = json_object_get(obj, "metadata");
    eb->name = eb_str(md, "name");
    eb->ns = eb_str(md, "namespace");
    eb->uid = eb_str(md, "uid");
    eb->labels_in = json_object_get(md, "labels");
    eb->js = json_object_get(json_object_get(obj, "spec"), "jetstream");
    if (eb->name[0] == '\0' || strlen(eb->name) > EB_NAME_MAX || strlen(eb->ns) > EB_NAME_MAX) {
        return "metadata.name: the EventBus needs a name of at most 253 characters";
    }
    eb->labels = json_pack("{s:s, s:s, s:s}", "controller", "eventbus-controller", "eventbus-name",
                           eb->name, "owner-name", eb->name);
    return NULL;
}

/* A `jetstream:` bus's version and replicas; a reason when the version is not one we run. */
static char *eb_jetstream_settings(struct ce_ctl_eb *eb)
{
    const char *version = eb_str(eb->js, "version");
    eb->ver = ce_ctl_js_version_find(version);
    if (eb->ver == NULL) {
        return ce_xasprintf("spec.jetstream.version: unsupported version \"%s\" (supported: %s)",
                            version, ce_ctl_js_versions_known());
    }
    /* the decoder took it as a number or a numeric string, 1 or at least 3 */
    const json_t *r = json_object_get(eb->js, "replicas");
    long long n = json_is_integer(r)  ? json_integer_value(r)
                  : json_is_string(r) ? strtoll(json_string_value(r), NULL, 10)
                                      : 3;
    if (n > EB_REPLICAS_MAX) {
        return ce_xasprintf("spec.jetstream.replicas: at most %d servers", EB_REPLICAS_MAX);
    }
    eb->replicas = n >= 1 ? (int)n : 3;
    return NULL;
}

/* status.config of a bus: {"jetstream": {url, accessSecret, streamConfig}}. */
static json_t *eb_bus_config(const struct ce_ctl_eb *eb)
{
    char *svc = ce_ctl_eb_name(eb, "-js-svc");
    /* tls://: the server wants TLS from every client; its certificate is not checked, as
     * Argo's clients do not check it (status.config names no CA) */
    char *url = ce_xasprintf("tls://%s.%s.svc:%d", svc, eb->ns, CE_CTL_JS_CLIENT_PORT);
    char *secret = ce_ctl_eb_name(eb, "-js-server");
    char *stream = ce_ctl_eb_stream_config(eb->js, eb->replicas);
    json_t *cfg =
        json_pack("{s:{s:s, s:{s:s, s:s}, s:s}}", "jetstream", "url", url, "accessSecret", "name",
                  secret, "key", CE_CTL_JS_CLIENT_AUTH_KEY, "streamConfig", stream);
    ce_free(stream);
    ce_free(secret);
    ce_free(url);
    ce_free(svc);
    return cfg;
}

static int eb_add(json_t *objects, json_t *obj, enum ce_ctl_apply_mode mode)
{
    if (obj == NULL || ce_ctl_stamp_hash(obj) != CE_OK) {
        json_decref(obj);
        return CE_EIO;
    }
    json_t *item = json_pack("{s:o, s:i}", "object", obj, "mode", (int)mode);
    return item != NULL && json_array_append_new(objects, item) == 0 ? CE_OK : CE_EIO;
}

/* The generated credentials come first and are never rewritten: the server and its clients
 * read the one Secret, so they cannot disagree. */
static int eb_jetstream_objects(const struct ce_ctl_eb *eb, json_t *objects)
{
    int rc = eb_add(objects, ce_ctl_eb_secret(eb), CE_CTL_APPLY_CREATE_ONLY);
    if (rc == CE_OK) {
        rc = eb_add(objects, ce_ctl_eb_configmap(eb), CE_CTL_APPLY_UPDATE);
    }
    if (rc == CE_OK) {
        rc = eb_add(objects, ce_ctl_eb_service(eb), CE_CTL_APPLY_UPDATE);
    }
    if (rc == CE_OK) {
        rc = eb_add(objects, ce_ctl_eb_statefulset(eb), CE_CTL_APPLY_UPDATE);
    }
    return rc;
}

static int eb_build_jetstream(struct ce_ctl_eb *eb, struct ce_ctl_built *out)
{
    char *why = eb_jetstream_settings(eb);
    if (why != NULL) {
        int rc = eb_condition(out->conditions, "Configured", false, "InvalidSpec", why);
        ce_free(why);
        return rc;
    }
    out->objects = json_array();
    out->bus_config = eb_bus_config(eb);
    if (out->objects == NULL || out->bus_config == NULL ||
        eb_jetstream_objects(eb, out->objects) != CE_OK) {
        return CE_EIO;
    }
    int rc = eb_condition(out->conditions, "Configured", true, "", "");
    return rc == CE_OK ? eb_condition(out->conditions, "Deployed", true, "Succeeded",
                                      "JetStream is deployed")
                       : rc;
}

/* An existing server: nothing to run; its settings are the clients' config as given. */
static int eb_build_exotic(const json_t *exotic, struct ce_ctl_built *out)
{
    out->objects = json_array();
    out->bus_config = json_pack("{s:O}", "jetstream", exotic);
    if (out->objects == NULL || out->bus_config == NULL) {
        return CE_EIO;
    }
    int rc = eb_condition(out->conditions, "Configured", true, "", "");
    return rc == CE_OK ? eb_condition(out->conditions, "Deployed", true, "Skipped",
                                      "Skip deployment because of using exotic config.")
                       : rc;
}

static int eb_build(const struct ce_ctl_env *env, const json_t *obj, struct ce_ctl_eb *eb,
                    struct ce_ctl_built *out)
{
    const char *bad = eb_init(eb, obj);
    if (bad != NULL) {
        return eb_condition(out->conditions, "Configured", false, "InvalidSpec", bad);
    }
    if (eb->labels == NULL) {
        return CE_EIO;
    }
    snprintf(out->owner_selector, sizeof(out->owner_selector),
             "controller=eventbus-controller,eventbus-name=%s", eb->name);
    char *why = eb_lint(env, obj);
    if (why != NULL) {
        int rc = eb_condition(out->conditions, "Configured", false, "InvalidSpec", why);
        ce_free(why);
        return rc;
    }
    const json_t *exotic = json_object_get(json_object_get(obj, "spec"), "jetstreamExotic");
    if (json_is_object(exotic)) {
        return eb_build_exotic(exotic, out);
    }
    return eb_build_jetstream(eb, out);
}

int ce_ctl_build_eventbus(const struct ce_ctl_env *env, const json_t *obj, struct ce_ctl_built *out)
{
    memset(out, 0, sizeof(*out));
    out->conditions = json_array();
    if (out->conditions == NULL) {
        return CE_EIO;
    }
    struct ce_ctl_eb eb = {0};
    int rc = eb_build(env, obj, &eb, out);
    json_decref(eb.labels);
    if (rc != CE_OK) {
        ce_ctl_built_fini(out);
        return rc;
    }
    if (out->objects == NULL) {
        json_decref(out->bus_config); /* an invalid spec builds nothing */
        out->bus_config = NULL;
    }
    return CE_OK;
}
