/* SPDX-License-Identifier: Apache-2.0 */
/* EventSource / Sensor → the ConfigMap holding the manifest the pod runs, the Deployment
 * running it, and the EventSource's Service: names, labels and owner references as Argo's
 * controller sets them (controller/build.h). */
#include "controller/build_int.h"
#include "controller/status.h"

#include "core/base/mem.h"
#include "manifest/mdec.h"
#include "manifest/model.h"

#include <stdio.h>
#include <string.h>

json_t *ce_ctl_wl_meta(const struct ce_ctl_wl *w, const char *name, bool generate, json_t *labels)
{
    const json_t *md = json_object_get(w->obj, "metadata");
    json_t *owner = json_pack("{s:s, s:s, s:s, s:O*, s:b, s:b}", "apiVersion",
                              "argoproj.io/v1alpha1", "kind", w->kind, "name", w->name, "uid",
                              json_object_get(md, "uid"), "controller", 1, "blockOwnerDeletion", 1);
    json_t *meta =
        json_pack("{s:s*, s:s, s:o, s:[o]}", "namespace", w->ns, generate ? "generateName" : "name",
                  name, "labels", json_deep_copy(labels), "ownerReferences", owner);
    return meta;
}

void ce_ctl_volume_name(const char *prefix, const char *name, char out[64])
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    size_t n = strlen(full);
    for (size_t i = 0; i < n; i++) {
        char ch = full[i];
        ch = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
        full[i] = ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) ? ch : '-';
    }
    if (n <= 63) {
        memcpy(out, full, n + 1);
        return;
    }
    /* 46 characters of the name, '-', 16 hex digits of the hash of the whole */
    json_t *s = json_string(full);
    char h[17];
    ce_ctl_hash(s, h);
    json_decref(s);
    snprintf(out, 64, "%.46s-%s", full, h);
}

/* The object's own labels, then the owner labels over them (Argo's mergeLabels). */
static int wl_labels(struct ce_ctl_wl *w)
{
    char key[64];
    snprintf(key, sizeof key, "%s-name", w->word);
    char controller[64];
    snprintf(controller, sizeof controller, "%s-controller", w->word);
    w->owner_labels =
        json_pack("{s:s, s:s, s:s}", "controller", controller, key, w->name, "owner-name", w->name);
    const json_t *own = json_object_get(json_object_get(w->obj, "metadata"), "labels");
    w->labels = json_is_object(own) ? json_deep_copy(own) : json_object();
    if (w->owner_labels == NULL || w->labels == NULL ||
        json_object_update(w->labels, w->owner_labels) != 0) {
        return CE_EIO;
    }
    return CE_OK;
}

static int wl_add(json_t *objects, json_t *obj, enum ce_ctl_apply_mode mode)
{
    if (obj == NULL || ce_ctl_stamp_hash(obj) != CE_OK) {
        json_decref(obj);
        return CE_EIO;
    }
    json_t *item = json_pack("{s:o, s:i}", "object", obj, "mode", (int)mode);
    return item != NULL && json_array_append_new(objects, item) == 0 ? CE_OK : CE_EIO;
}

/* A manifest the pod cannot be given: a False Deployed condition (the reconciler keeps it
 * instead of its own) and no objects. */
static int wl_refuse(struct ce_ctl_built *out, const char *why)
{
    ce_ctl_condition(out->conditions, "Deployed", "False", "BuildDeploymentSpecFailed", why);
    return CE_OK;
}

static int wl_objects(const struct ce_ctl_wl *w, struct ce_ctl_built *out)
{
    if (ce_manifest_set_refs(w->set, CE_MDEC_REF_SECRET, &(const char *const *){NULL}) < 0 ||
        ce_manifest_set_refs(w->set, CE_MDEC_REF_CONFIG_MAP, &(const char *const *){NULL}) < 0) {
        char why[128];
        snprintf(why, sizeof why, "the spec references more than %d secrets or config maps",
                 CE_MDEC_MAX_REFS);
        return wl_refuse(out, why);
    }
    const json_t *js = json_object_get(w->bus_config, "jetstream");
    if (!json_is_string(json_object_get(js, "url"))) {
        return wl_refuse(out, "the EventBus's status names no JetStream URL (cevents runs on "
                              "jetstream and jetstreamExotic buses)");
    }
    char hash[17];
    char why[256] = "";
    json_t *cm = ce_ctl_wl_configmap(w, hash, why, sizeof why);
    if (cm == NULL) {
        return why[0] ? wl_refuse(out, why) : CE_EIO;
    }
    json_t *objects = json_array();
    int rc = objects != NULL ? wl_add(objects, cm, CE_CTL_APPLY_UPDATE) : CE_EIO;
    if (rc == CE_OK) {
        rc = wl_add(objects, ce_ctl_wl_deployment(w, hash), CE_CTL_APPLY_UPDATE);
    }
    bool none = true;
    json_t *svc =
        rc == CE_OK && strcmp(w->kind, "EventSource") == 0 ? ce_ctl_wl_service(w, &none) : NULL;
    if (rc == CE_OK && !none) {
        rc = wl_add(objects, svc, CE_CTL_APPLY_RECREATE);
    }
    if (rc != CE_OK) {
        json_decref(objects);
        return rc;
    }
    out->objects = objects;
    return CE_OK;
}

static int wl_build(const struct ce_ctl_env *env, const json_t *obj, const json_t *bus_config,
                    const char *kind, const char *word, struct ce_ctl_built *out)
{
    memset(out, 0, sizeof(*out));
    out->conditions = json_array();
    if (out->conditions == NULL) {
        return CE_EIO;
    }
    struct ce_manifest_set *set = NULL;
    int rc = ce_ctl_lint(env, obj, kind, &set, out->conditions);
    const json_t *md = json_object_get(obj, "metadata");
    struct ce_ctl_wl w = {
        .env = env,
        .obj = obj,
        .spec = json_object_get(obj, "spec"),
        .bus_config = bus_config,
        .kind = kind,
        .word = word,
        .name = json_string_value(json_object_get(md, "name")),
        .ns = json_string_value(json_object_get(md, "namespace")),
        .set = set,
    };
    snprintf(out->owner_selector, sizeof out->owner_selector, "controller=%s-controller,%s-name=%s",
             word, word, w.name ? w.name : "");
    if (rc == CE_OK && bus_config != NULL && w.name != NULL) {
        rc = wl_labels(&w);
        rc = rc == CE_OK ? wl_objects(&w, out) : rc;
    }
    json_decref(w.owner_labels);
    json_decref(w.labels);
    ce_manifest_set_destroy(set);
    if (rc == CE_EINVAL) {
        return CE_OK; /* the False condition says why */
    }
    if (rc != CE_OK) {
        ce_ctl_built_fini(out);
    }
    return rc;
}

int ce_ctl_build_eventsource(const struct ce_ctl_env *env, const json_t *es,
                             const json_t *bus_config, struct ce_ctl_built *out)
{
    return wl_build(env, es, bus_config, "EventSource", "eventsource", out);
}

int ce_ctl_build_sensor(const struct ce_ctl_env *env, const json_t *sensor,
                        const json_t *bus_config, struct ce_ctl_built *out)
{
    return wl_build(env, sensor, bus_config, "Sensor", "sensor", out);
}
