/* SPDX-License-Identifier: Apache-2.0 */
/* One reconcile of an EventSource, Sensor or EventBus: the finalizer, the EventBus it needs,
 * the build, its application and the status (Argo's reconcilers' order and condition names). */
#include "controller/apply.h"
#include "controller/controller_int.h"
#include "controller/status.h"

#include "core/base/log.h"
#include "core/base/mem.h"
#include "kube/client.h"

#include <stdio.h>
#include <string.h>

typedef int ctl_build_fn(const struct ce_ctl_env *env, const json_t *obj, const json_t *bus,
                         struct ce_ctl_built *out);

struct ctl_kind {
    const char *kind;
    const char *finalizer; /* also the `controller` label of what is made for it */
    const char *name_label;
    ctl_build_fn *build; /* NULL for the EventBus, built with its own signature */
};

static int build_es(const struct ce_ctl_env *env, const json_t *obj, const json_t *bus,
                    struct ce_ctl_built *out)
{
    return ce_ctl_build_eventsource(env, obj, bus, out);
}

static int build_sensor(const struct ce_ctl_env *env, const json_t *obj, const json_t *bus,
                        struct ce_ctl_built *out)
{
    return ce_ctl_build_sensor(env, obj, bus, out);
}

static const struct ctl_kind ctl_kinds[] = {
    {"EventSource", "eventsource-controller", "eventsource-name", build_es},
    {"Sensor", "sensor-controller", "sensor-name", build_sensor},
    {"EventBus", "eventbus-controller", "eventbus-name", NULL},
};

static const char *md_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static bool has_finalizer(const json_t *obj, const char *fin)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "finalizers"), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), fin) == 0) {
            return true;
        }
    }
    return false;
}

/* Adds or removes fin from obj's finalizers (a merge patch carrying the resourceVersion, so a
 * concurrent change makes it fail instead of being overwritten). */
static int set_finalizer(struct ce_ctl *ctl, const json_t *obj, const char *fin, bool on)
{
    json_t *list = json_array();
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "finalizers"), i, f)
    {
        if (!json_is_string(f) || strcmp(json_string_value(f), fin) != 0) {
            json_array_append(list, (json_t *)f);
        }
    }
    if (on) {
        json_array_append_new(list, json_string(fin));
    }
    json_t *patch = json_pack("{s:{s:o, s:s}}", "metadata", "finalizers", list, "resourceVersion",
                              md_str(obj, "resourceVersion"));
    struct ce_kube_ref ref = {CE_CTL_API_VERSION, json_string_value(json_object_get(obj, "kind")),
                              md_str(obj, "namespace"), md_str(obj, "name")};
    struct ce_kube_error e = {0};
    int rc = ce_kube_patch(ctl->c, &ref, CE_KUBE_PATCH_MERGE, patch, NULL, NULL, &e);
    json_decref(patch);
    if (rc != CE_OK && rc != CE_ENOENT) {
        ce_log_kv(CE_LOG_WARN, "Cannot update the finalizers", "kind", ref.kind, "name", ref.name,
                  "error", e.message, NULL);
    }
    return rc == CE_ENOENT ? CE_OK : rc;
}

static void owner_selector(const struct ctl_kind *k, const char *name, char *out, size_t len)
{
    snprintf(out, len, "controller=%s,%s=%s", k->finalizer, k->name_label, name);
}

/* Whether an EventBus is ready: it has conditions, all True, and a config. */
static bool bus_ready(const json_t *bus)
{
    const json_t *st = json_object_get(bus, "status");
    const json_t *conds = json_object_get(st, "conditions");
    size_t i;
    const json_t *c;
    json_array_foreach(conds, i, c)
    {
        const char *s = json_string_value(json_object_get(c, "status"));
        if (s == NULL || strcmp(s, "True") != 0) {
            return false;
        }
    }
    return json_array_size(conds) > 0 && json_is_object(json_object_get(st, "config"));
}

/* The EventBus obj uses: *config its status.config when ready, else NULL with the Deployed
 * condition's reason and message. */
static int workload_bus(struct ce_ctl *ctl, const json_t *obj, json_t **config, const char **why,
                        const char **msg)
{
    struct ce_kube_ref ref = {CE_CTL_API_VERSION, "EventBus", md_str(obj, "namespace"),
                              ce_ctl_bus_name(obj)};
    json_t *bus = NULL;
    struct ce_kube_error e = {0};
    int rc = ce_kube_get(ctl->c, &ref, &bus, &e);
    *config = NULL;
    if (rc == CE_ENOENT) {
        *why = "EventBusNotFound";
        *msg = "EventBus not found.";
        return CE_OK;
    }
    if (rc != CE_OK) {
        *why = "GetEventBusFailed";
        *msg = "Failed to get EventBus.";
        return rc;
    }
    if (!bus_ready(bus)) {
        *why = "EventBusNotReady";
        *msg = "EventBus not ready.";
    }
    else {
        *config = json_incref(json_object_get(json_object_get(bus, "status"), "config"));
    }
    json_decref(bus);
    return CE_OK;
}

static bool has_condition(const json_t *conds, const char *type)
{
    size_t i;
    const json_t *c;
    json_array_foreach(conds, i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        if (t != NULL && strcmp(t, type) == 0) {
            return true;
        }
    }
    return false;
}

/* The spec's conditions from built plus Deployed (unless the build already says why it cannot
 * deploy: a manifest too large for a ConfigMap ...). */
static json_t *with_deployed(const struct ce_ctl_built *b, const char *status, const char *reason,
                             const char *msg)
{
    json_t *conds = b->conditions != NULL ? json_deep_copy(b->conditions) : json_array();
    if (!has_condition(conds, "Deployed")) {
        ce_ctl_condition(conds, "Deployed", status, reason, msg);
    }
    return conds;
}

static int workload_deploy(struct ce_ctl *ctl, const json_t *obj, const struct ce_ctl_built *b)
{
    struct ce_ctl_apply_error e = {0};
    int rc = ce_ctl_apply(ctl->c, md_str(obj, "namespace"), b->objects, b->owner_selector, &e);
    json_t *conds = rc == CE_OK ? with_deployed(b, "True", "", "")
                                : with_deployed(b, "False", e.reason, e.message);
    int src = ce_ctl_status_write(ctl->c, obj, conds, NULL);
    json_decref(conds);
    return rc != CE_OK ? rc : src;
}

static int reconcile_workload(struct ce_ctl *ctl, const struct ctl_kind *k, const json_t *obj)
{
    json_t *bus = NULL;
    const char *why = NULL, *msg = NULL;
    int rc = workload_bus(ctl, obj, &bus, &why, &msg);
    struct ce_ctl_built b = {0};
    int brc = k->build(&ctl->o->env, obj, bus, &b);
    if (brc != CE_OK) {
        json_decref(bus);
        return brc;
    }
    if (bus != NULL && b.objects != NULL) {
        rc = workload_deploy(ctl, obj, &b);
    }
    else {
        /* Invalid spec: what runs keeps running and Deployed stays Unknown, as in Argo. */
        json_t *conds = bus == NULL ? with_deployed(&b, "False", why, msg)
                                    : with_deployed(&b, "Unknown", "", "");
        int src = ce_ctl_status_write(ctl->c, obj, conds, NULL);
        json_decref(conds);
        rc = rc != CE_OK ? rc : src;
    }
    ce_ctl_built_fini(&b);
    json_decref(bus);
    return rc;
}

static int reconcile_bus(struct ce_ctl *ctl, const json_t *obj)
{
    struct ce_ctl_built b = {0};
    int rc = ce_ctl_build_eventbus(&ctl->o->env, obj, &b);
    if (rc != CE_OK) {
        return rc;
    }
    json_t *conds = NULL;
    if (b.objects != NULL) {
        struct ce_ctl_apply_error e = {0};
        rc = ce_ctl_apply(ctl->c, md_str(obj, "namespace"), b.objects, b.owner_selector, &e);
        conds = json_deep_copy(b.conditions);
        if (rc != CE_OK) {
            json_array_clear(conds);
            ce_ctl_condition(conds, "Configured", "True", "", "");
            ce_ctl_condition(conds, "Deployed", "False", e.reason, e.message);
        }
    }
    int src = ce_ctl_status_write(ctl->c, obj, conds != NULL ? conds : b.conditions,
                                  rc == CE_OK && b.bus_config != NULL ? b.bus_config : NULL);
    json_decref(conds);
    ce_ctl_built_fini(&b);
    ce_ctl_queue_bus_users(ctl, md_str(obj, "namespace"), md_str(obj, "name"));
    return rc != CE_OK ? rc : src;
}

struct bus_users {
    int n;
    char *first; /* "Kind name" of the first user */
    size_t len;
};

static void bus_users_count(void *arg, const char *kind, const json_t *obj)
{
    struct bus_users *u = arg;
    if (u->n++ == 0) {
        snprintf(u->first, u->len, "%s %s", kind, md_str(obj, "name"));
    }
}

/* How many EventSources and Sensors of ns use the bus (the EventBus may not go before them);
 * -1 when they cannot be listed. */
static int bus_users(struct ce_ctl *ctl, const char *ns, const char *bus, char *first, size_t len)
{
    struct bus_users u = {0, first, len};
    for (int i = 0; i < 2; i++) {
        if (ce_ctl_each_object(ctl, ctl_kinds[i].kind, ns, bus, bus_users_count, &u) != CE_OK) {
            return -1;
        }
    }
    return u.n;
}

void ce_ctl_queue_bus_users(struct ce_ctl *ctl, const char *ns, const char *bus)
{
    ce_ctl_queue_kind(ctl, "EventSource", ns, bus);
    ce_ctl_queue_kind(ctl, "Sensor", ns, bus);
}

/* The object is being deleted: remove what was made for it, then the finalizer. */
static int reconcile_delete(struct ce_ctl *ctl, const struct ctl_kind *k, const json_t *obj)
{
    const char *ns = md_str(obj, "namespace"), *name = md_str(obj, "name");
    if (!has_finalizer(obj, k->finalizer)) {
        return CE_OK;
    }
    char users[300] = "";
    if (k->build == NULL && bus_users(ctl, ns, name, users, sizeof(users)) != 0) {
        ce_log_kv(CE_LOG_INFO, "The EventBus is kept while EventSources or Sensors use it",
                  "eventBus", name, "usedBy", users, NULL);
        return CE_RETRY;
    }
    char sel[512];
    owner_selector(k, name, sel, sizeof(sel));
    struct ce_ctl_apply_error e = {0};
    int rc = ce_ctl_apply_delete_all(ctl->c, ns, sel, &e);
    if (rc == CE_OK) {
        rc = set_finalizer(ctl, obj, k->finalizer, false);
    }
    if (rc == CE_OK) {
        ce_log_kv(CE_LOG_INFO, "Deleted what was made for the object", "kind", k->kind, "name",
                  name, NULL);
        if (k->build != NULL) {
            /* An EventBus being deleted waits for its last user: look at it again now. */
            ce_ctl_queue_object(ctl, "EventBus", ns, ce_ctl_bus_name(obj), 0);
        }
    }
    return rc;
}

static const struct ctl_kind *kind_named(const char *kind, size_t len)
{
    for (size_t i = 0; i < sizeof(ctl_kinds) / sizeof(ctl_kinds[0]); i++) {
        if (strlen(ctl_kinds[i].kind) == len && strncmp(ctl_kinds[i].kind, kind, len) == 0) {
            return &ctl_kinds[i];
        }
    }
    return NULL;
}

static int reconcile_object(struct ce_ctl *ctl, const struct ctl_kind *k, const json_t *obj)
{
    if (md_str(obj, "deletionTimestamp") != NULL) {
        return reconcile_delete(ctl, k, obj);
    }
    if (!has_finalizer(obj, k->finalizer)) {
        /* The patch's own watch event brings the object back with the finalizer. */
        return set_finalizer(ctl, obj, k->finalizer, true);
    }
    return k->build != NULL ? reconcile_workload(ctl, k, obj) : reconcile_bus(ctl, obj);
}

int ce_ctl_reconcile(struct ce_ctl *ctl, const char *key)
{
    const char *s1 = strchr(key, '/');
    const char *s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
    const struct ctl_kind *k = s2 != NULL ? kind_named(key, (size_t)(s1 - key)) : NULL;
    if (k == NULL) {
        return CE_OK;
    }
    char ns[256];
    snprintf(ns, sizeof(ns), "%.*s", (int)(s2 - s1 - 1), s1 + 1);
    struct ce_kube_ref ref = {CE_CTL_API_VERSION, k->kind, ns, s2 + 1};
    json_t *obj = NULL;
    struct ce_kube_error e = {0};
    int rc = ce_kube_get(ctl->c, &ref, &obj, &e);
    if (rc == CE_ENOENT) {
        return CE_OK;
    }
    if (rc == CE_OK) {
        /* A GET may leave these out on some servers; the status write needs them. */
        json_object_set_new(obj, "apiVersion", json_string(CE_CTL_API_VERSION));
        json_object_set_new(obj, "kind", json_string(k->kind));
        rc = reconcile_object(ctl, k, obj);
    }
    else {
        ce_log_kv(CE_LOG_WARN, "Cannot read the object", "key", key, "error", e.message, NULL);
    }
    json_decref(obj);
    return rc;
}
