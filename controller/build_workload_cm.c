/* SPDX-License-Identifier: Apache-2.0 */
/* The ConfigMap a pod's manifest comes from: the object as the process reads it and the
 * EventBus (jetstreamExotic) its bus config describes, one multi-document file. A mounted file
 * has no size limit of an environment variable, so a large Sensor runs (up to the ConfigMap's
 * 1 MiB). */
#include "controller/build_int.h"

#include "core/base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ce_ctl_wl_configmap_name(const struct ce_ctl_wl *w, char *out, size_t n)
{
    snprintf(out, n, "%s-%s-manifest", w->name, w->word);
}

void ce_ctl_wl_manifest_key(const struct ce_ctl_wl *w, char *out, size_t n)
{
    snprintf(out, n, "%s.yaml", w->word);
}

/* The object without its status or server fields. */
static json_t *cm_object(const struct ce_ctl_wl *w)
{
    const json_t *md = json_object_get(w->obj, "metadata");
    const json_t *labels = json_object_get(md, "labels");
    return json_pack("{s:s, s:s, s:{s:s, s:s*, s:O*}, s:O}", "apiVersion", "argoproj.io/v1alpha1",
                     "kind", w->kind, "metadata", "name", w->name, "namespace", w->ns, "labels",
                     json_object_size(labels) > 0 ? labels : NULL, "spec", w->spec);
}

/* The EventBus the object names (spec.eventBusName, "default"), as jetstreamExotic. Its
 * streamConfig is a string of YAML, as the manifest has it; an object is written as JSON, which
 * is YAML too. */
static json_t *cm_eventbus(const struct ce_ctl_wl *w)
{
    const json_t *js = json_object_get(w->bus_config, "jetstream");
    const char *bus = json_string_value(json_object_get(w->spec, "eventBusName"));
    const json_t *sc = json_object_get(js, "streamConfig");
    json_t *stream = NULL;
    if (json_is_string(sc)) {
        stream = json_incref((json_t *)sc);
    }
    else if (json_is_object(sc)) {
        char *text = json_dumps(sc, JSON_COMPACT | JSON_SORT_KEYS);
        stream = text ? json_string(text) : NULL;
        free(text);
    }
    const json_t *secret = json_object_get(js, "accessSecret");
    return json_pack("{s:s, s:s, s:{s:s, s:s*}, s:{s:{s:O?, s:O*, s:o*}}}", "apiVersion",
                     "argoproj.io/v1alpha1", "kind", "EventBus", "metadata", "name",
                     bus && bus[0] ? bus : "default", "namespace", w->ns, "spec", "jetstreamExotic",
                     "url", json_object_get(js, "url"), "accessSecret",
                     json_is_object(secret) ? secret : NULL, "streamConfig", stream);
}

/* "<object>\n---\n<eventbus>\n", each document as indented JSON with sorted keys, so the same
 * input gives the same bytes (and hash). */
static char *cm_text(const struct ce_ctl_wl *w)
{
    json_t *obj = cm_object(w);
    json_t *bus = cm_eventbus(w);
    char *a = obj ? json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    char *b = bus ? json_dumps(bus, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(obj);
    json_decref(bus);
    char *text = a && b ? ce_xasprintf("%s\n---\n%s\n", a, b) : NULL;
    free(a);
    free(b);
    return text;
}

json_t *ce_ctl_wl_configmap(const struct ce_ctl_wl *w, char data_hash[17], char *why, size_t whylen)
{
    char *text = cm_text(w);
    if (text == NULL) {
        return NULL;
    }
    size_t len = strlen(text);
    if (len > CE_CTL_CONFIGMAP_MAX) {
        snprintf(why, whylen,
                 "the manifest is %zu bytes, more than a ConfigMap holds (%d bytes): make the "
                 "spec smaller or split it",
                 len, CE_CTL_CONFIGMAP_MAX);
        ce_free(text);
        return NULL;
    }
    char name[320], key[64];
    ce_ctl_wl_configmap_name(w, name, sizeof name);
    ce_ctl_wl_manifest_key(w, key, sizeof key);
    json_t *data = json_pack("{s:s}", key, text);
    ce_free(text);
    if (data == NULL) {
        return NULL;
    }
    ce_ctl_hash(data, data_hash);
    return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind", "ConfigMap", "metadata",
                     ce_ctl_wl_meta(w, name, false, w->labels), "data", data);
}
