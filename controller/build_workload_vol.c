/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's volumes: the manifest ConfigMap, /tmp, and every secret and config map the spec
 * references, at the paths the processes read them from. Which ones comes from the decoders
 * (ce_manifest_set_refs), so the list cannot drift from what the processes read. And the
 * EventSource's Service. */
#include "controller/build_int.h"

#include "manifest/mdec.h"
#include "manifest/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vol_add(json_t *volumes, json_t *mounts, json_t *vol, json_t *mount)
{
    if (vol == NULL || mount == NULL || json_array_append_new(volumes, vol) != 0 ||
        json_array_append_new(mounts, mount) != 0) {
        return CE_EIO;
    }
    return CE_OK;
}

/* secret or config map name mounted at <dir>/<name>; a name already there is skipped. */
static int vol_ref(json_t *volumes, json_t *mounts, enum ce_mdec_ref_kind kind, const char *name)
{
    bool secret = kind == CE_MDEC_REF_SECRET;
    char vname[64], path[320];
    ce_ctl_volume_name(secret ? "secret-" : "cm-", name, vname);
    snprintf(path, sizeof path, "%s/%s", secret ? CE_CTL_SECRETS_DIR : CE_CTL_CONFIG_DIR, name);
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "mountPath")), path) == 0) {
            return CE_OK;
        }
    }
    json_t *v = secret ? json_pack("{s:s, s:{s:s}}", "name", vname, "secret", "secretName", name)
                       : json_pack("{s:s, s:{s:s}}", "name", vname, "configMap", "name", name);
    return vol_add(volumes, mounts, v,
                   json_pack("{s:s, s:s, s:b}", "name", vname, "mountPath", path, "readOnly", 1));
}

static int vol_refs(const struct ce_ctl_wl *w, json_t *volumes, json_t *mounts,
                    enum ce_mdec_ref_kind kind)
{
    const char *const *names = NULL;
    int n = ce_manifest_set_refs(w->set, kind, &names);
    int rc = CE_OK;
    for (int i = 0; rc == CE_OK && i < n; i++) {
        rc = vol_ref(volumes, mounts, kind, names[i]);
    }
    return rc;
}

static int vol_by_name(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a;
    const json_t *y = *(const json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "name")),
                  json_string_value(json_object_get(y, "name")));
}

/* Argo orders its generated volumes and mounts by name, so the hash does not depend on the
 * order the references were met in. */
static int vol_sort(json_t *list)
{
    size_t n = json_array_size(list);
    json_t *items[2 * CE_MDEC_MAX_REFS + 8];
    if (n > sizeof items / sizeof items[0]) {
        return CE_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        items[i] = json_incref(json_array_get(list, i));
    }
    qsort(items, n, sizeof items[0], vol_by_name);
    json_array_clear(list);
    int rc = CE_OK;
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(list, items[i]) != 0) {
            rc = CE_EIO;
        }
    }
    return rc;
}

int ce_ctl_wl_volumes(const struct ce_ctl_wl *w, json_t *volumes, json_t *mounts)
{
    char cm[320];
    ce_ctl_wl_configmap_name(w, cm, sizeof cm);
    int rc = vol_add(volumes, mounts,
                     json_pack("{s:s, s:{s:s}}", "name", "manifest", "configMap", "name", cm),
                     json_pack("{s:s, s:s, s:b}", "name", "manifest", "mountPath",
                               CE_CTL_MANIFEST_DIR, "readOnly", 1));
    if (rc == CE_OK) {
        rc = vol_add(volumes, mounts, json_pack("{s:s, s:{}}", "name", "tmp", "emptyDir"),
                     json_pack("{s:s, s:s}", "name", "tmp", "mountPath", "/tmp"));
    }
    rc = rc == CE_OK ? vol_refs(w, volumes, mounts, CE_MDEC_REF_SECRET) : rc;
    rc = rc == CE_OK ? vol_refs(w, volumes, mounts, CE_MDEC_REF_CONFIG_MAP) : rc;
    const json_t *bus_secret =
        json_object_get(json_object_get(w->bus_config, "jetstream"), "accessSecret");
    const char *bus_name = json_string_value(json_object_get(bus_secret, "name"));
    if (rc == CE_OK && bus_name != NULL && bus_name[0] != '\0') {
        rc = vol_ref(volumes, mounts, CE_MDEC_REF_SECRET, bus_name);
    }
    rc = rc == CE_OK ? vol_sort(volumes) : rc;
    return rc == CE_OK ? vol_sort(mounts) : rc;
}

json_t *ce_ctl_wl_service(const struct ce_ctl_wl *w, bool *none)
{
    const json_t *svc = json_object_get(w->spec, "service");
    const json_t *ports = json_object_get(svc, "ports");
    *none = !json_is_array(ports) || json_array_size(ports) == 0;
    if (*none) {
        return NULL;
    }
    const json_t *md = json_object_get(svc, "metadata");
    const json_t *sl = json_object_get(md, "labels");
    const json_t *sa = json_object_get(md, "annotations");
    /* the Service's own labels, then the object's and the owner's over them */
    json_t *labels = json_is_object(sl) ? json_deep_copy(sl) : json_object();
    if (labels == NULL || json_object_update(labels, w->labels) != 0) {
        json_decref(labels);
        return NULL;
    }
    char name[320];
    snprintf(name, sizeof name, "%s-eventsource-svc", w->name);
    json_t *meta = ce_ctl_wl_meta(w, name, false, labels);
    json_decref(labels);
    if (meta != NULL && json_is_object(sa) && json_object_size(sa) > 0) {
        json_object_set_new(meta, "annotations", json_deep_copy(sa));
    }
    const json_t *cip = json_object_get(svc, "clusterIP");
    return json_pack("{s:s, s:s, s:o, s:{s:s, s:o, s:o, s:O*}}", "apiVersion", "v1", "kind",
                     "Service", "metadata", meta, "spec", "type", "ClusterIP", "ports",
                     json_deep_copy(ports), "selector", json_deep_copy(w->owner_labels),
                     "clusterIP", json_is_string(cip) && json_string_length(cip) > 0 ? cip : NULL);
}
