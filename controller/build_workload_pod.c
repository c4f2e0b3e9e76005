/* SPDX-License-Identifier: Apache-2.0 */
/* The Deployment of an EventSource or Sensor: container `main` running `cevents eventsource`
 * (or `sensor`) on the mounted manifest, with spec.template merged in as Argo's controller
 * merges it (pod metadata and settings copied, the container's resources, security context,
 * pull policy, env, envFrom and mounts applied to the generated container). */
#include "controller/build_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pod settings spec.template gives that are copied as they are. */
static const char *const pod_copied[] = {
    "serviceAccountName", "securityContext",   "nodeSelector", "tolerations", "affinity",
    "imagePullSecrets",   "priorityClassName", "priority",     NULL};

static void pod_put(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (v == NULL || json_object_set_new(o, key, v) != 0) {
        *ok = false;
    }
}

/* Appends the items of from (a list, or nothing) to the list o.key, created when needed. */
static void pod_append(json_t *o, const char *key, const json_t *from, bool *ok)
{
    if (!json_is_array(from) || json_array_size(from) == 0) {
        return;
    }
    json_t *list = json_object_get(o, key);
    if (list == NULL) {
        pod_put(o, key, json_array(), ok);
        list = json_object_get(o, key);
    }
    json_t *copy = json_deep_copy(from);
    if (list == NULL || copy == NULL || json_array_extend(list, copy) != 0) {
        *ok = false;
    }
    json_decref(copy);
}

static json_t *pod_probe(const char *path, int initial_delay)
{
    return json_pack("{s:{s:s, s:i}, s:i, s:i}", "httpGet", "path", path, "port",
                     CE_CTL_METRICS_PORT, "initialDelaySeconds", initial_delay, "periodSeconds",
                     10);
}

static json_t *pod_args(const struct ce_ctl_wl *w)
{
    char key[64], file[256];
    ce_ctl_wl_manifest_key(w, key, sizeof key);
    snprintf(file, sizeof file, "%s/%s", CE_CTL_MANIFEST_DIR, key);
    return json_pack("[s, s, s, s, s, s, s]", w->word, "-f", file, "--name", w->name,
                     "--log-format", "json");
}

/* The template container applied as Argo applies it: its resources, its security context and
 * pull policy unless the controller sets one, its env, envFrom and mounts after ours. */
static void pod_apply_container(json_t *c, const json_t *tc, bool *ok)
{
    static const char *const copied[] = {"resources", "securityContext", "imagePullPolicy", NULL};
    for (int i = 0; json_is_object(tc) && copied[i] != NULL; i++) {
        const json_t *v = json_object_get(tc, copied[i]);
        if (v != NULL && !json_is_null(v) && json_object_get(c, copied[i]) == NULL) {
            pod_put(c, copied[i], json_deep_copy(v), ok);
        }
    }
    pod_append(c, "env", json_object_get(tc, "env"), ok);
    pod_append(c, "envFrom", json_object_get(tc, "envFrom"), ok);
    pod_append(c, "volumeMounts", json_object_get(tc, "volumeMounts"), ok);
}

static json_t *pod_container(const struct ce_ctl_wl *w, const json_t *tpl, json_t *mounts, bool *ok)
{
    json_t *c = json_pack("{s:s, s:s, s:o, s:[{s:s, s:i}]}", "name", "main", "image",
                          w->env->image ? w->env->image : "", "args", pod_args(w), "ports", "name",
                          "metrics", "containerPort", CE_CTL_METRICS_PORT);
    if (c == NULL) {
        *ok = false;
        return NULL;
    }
    if (w->env->pull_policy != NULL) {
        pod_put(c, "imagePullPolicy", json_string(w->env->pull_policy), ok);
    }
    pod_apply_container(c, json_object_get(tpl, "container"), ok);
    json_t *env = json_pack("[{s:s, s:{s:{s:s}}}]", "name", "POD_NAME", "valueFrom", "fieldRef",
                            "fieldPath", "metadata.name");
    pod_append(c, "env", env, ok);
    json_decref(env);
    pod_append(c, "volumeMounts", mounts, ok);
    pod_put(c, "livenessProbe", pod_probe("/healthz", 10), ok);
    pod_put(c, "readinessProbe", pod_probe("/readyz", 3), ok);
    return c;
}

/* Pod labels: the template's, then the owner labels over them; annotations: the template's and
 * the manifest's hash. */
static json_t *pod_metadata(const struct ce_ctl_wl *w, const json_t *tpl, const char *data_hash,
                            bool *ok)
{
    const json_t *tm = json_object_get(tpl, "metadata");
    const json_t *tl = json_object_get(tm, "labels");
    const json_t *ta = json_object_get(tm, "annotations");
    json_t *labels = json_is_object(tl) ? json_deep_copy(tl) : json_object();
    json_t *ann = json_is_object(ta) ? json_deep_copy(ta) : json_object();
    if (labels == NULL || ann == NULL || json_object_update(labels, w->owner_labels) != 0) {
        *ok = false;
    }
    if (ann != NULL) {
        pod_put(ann, CE_CTL_MANIFEST_HASH_ANNOTATION, json_string(data_hash), ok);
    }
    return json_pack("{s:o*, s:o*}", "labels", labels, "annotations", ann);
}

static json_t *pod_spec(const struct ce_ctl_wl *w, const json_t *tpl, bool *ok)
{
    json_t *volumes = json_array();
    json_t *mounts = json_array();
    if (volumes == NULL || mounts == NULL || ce_ctl_wl_volumes(w, volumes, mounts) != CE_OK) {
        *ok = false;
    }
    json_t *spec = json_object();
    if (spec == NULL) {
        *ok = false;
        json_decref(volumes);
        json_decref(mounts);
        return NULL;
    }
    pod_put(spec, "containers", json_pack("[o]", pod_container(w, tpl, mounts, ok)), ok);
    json_decref(mounts);
    pod_append(spec, "volumes", json_object_get(tpl, "volumes"), ok);
    pod_append(spec, "volumes", volumes, ok);
    json_decref(volumes);
    for (int i = 0; json_is_object(tpl) && pod_copied[i] != NULL; i++) {
        const json_t *v = json_object_get(tpl, pod_copied[i]);
        if (v != NULL && !json_is_null(v)) {
            pod_put(spec, pod_copied[i], json_deep_copy(v), ok);
        }
    }
    return spec;
}

/* spec.replicas, a number or a numeric string as lint accepts it; less than 1 is 1, as Argo. */
static json_int_t pod_replicas(const json_t *spec)
{
    const json_t *r = json_object_get(spec, "replicas");
    long long v = json_is_integer(r)  ? (long long)json_integer_value(r)
                  : json_is_string(r) ? strtoll(json_string_value(r), NULL, 10)
                                      : 1;
    return (json_int_t)(v < 1 ? 1 : v > 100000 ? 100000 : v);
}

static json_t *pod_deployment_spec(const struct ce_ctl_wl *w, const char *data_hash, bool *ok)
{
    const json_t *tpl = json_object_get(w->spec, "template");
    json_int_t replicas = pod_replicas(w->spec);
    json_t *spec = json_pack("{s:I, s:{s:o}, s:{s:o, s:o}}", "replicas", replicas, "selector",
                             "matchLabels", json_deep_copy(w->owner_labels), "template", "metadata",
                             pod_metadata(w, tpl, data_hash, ok), "spec", pod_spec(w, tpl, ok));
    const json_t *rhl = json_object_get(w->spec, "revisionHistoryLimit");
    if (spec != NULL && strcmp(w->kind, "Sensor") == 0 && json_is_integer(rhl)) {
        pod_put(spec, "revisionHistoryLimit", json_incref((json_t *)rhl), ok);
    }
    return spec;
}

json_t *ce_ctl_wl_deployment(const struct ce_ctl_wl *w, const char *data_hash)
{
    bool ok = true;
    char gen[320];
    snprintf(gen, sizeof gen, "%s-%s-", w->name, w->word);
    json_t *d = json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "apps/v1", "kind", "Deployment",
                          "metadata", ce_ctl_wl_meta(w, gen, true, w->labels), "spec",
                          pod_deployment_spec(w, data_hash, &ok));
    if (!ok) {
        json_decref(d);
        return NULL;
    }
    return d;
}
