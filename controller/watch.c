/* SPDX-License-Identifier: Apache-2.0 */
/* The controller's watches: the three kinds it reconciles, and what it made for them (found by
 * its labels), so a Deployment deleted or edited by hand is put back. Every event only queues a
 * key: the reconcile reads the object afresh. */
#include "controller/controller_int.h"

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "kube/client.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define OWNED_SELECTOR                                                                             \
    "controller in (eventsource-controller,sensor-controller,eventbus-controller)"

struct ctl_watch_kind {
    const char *api_version, *kind;
    bool owned; /* made by the controller: queue its owner */
};

static const struct ctl_watch_kind watch_kinds[] = {
    {CE_CTL_API_VERSION, "EventBus", false},
    {CE_CTL_API_VERSION, "EventSource", false},
    {CE_CTL_API_VERSION, "Sensor", false},
    {"apps/v1", "Deployment", true},
    {"apps/v1", "StatefulSet", true},
    {"v1", "Service", true},
    {"v1", "ConfigMap", true},
};
#define WATCH_N (sizeof(watch_kinds) / sizeof(watch_kinds[0]))

struct ctl_watch {
    struct ce_ctl *ctl;
    const struct ctl_watch_kind *k;
    const atomic_bool *stop;
    pthread_t thread;
    bool started;
};

struct ce_ctl_watches {
    struct ctl_watch w[WATCH_N];
};

void ce_ctl_queue_object(struct ce_ctl *ctl, const char *kind, const char *ns, const char *name,
                         int64_t delay_ms)
{
    char key[CE_CTL_KEY_MAX];
    if (ns != NULL && name != NULL &&
        (size_t)snprintf(key, sizeof(key), "%s/%s/%s", kind, ns, name) < sizeof(key)) {
        ce_ctl_queue_add(ctl->q, key, delay_ms);
    }
}

const char *ce_ctl_bus_name(const json_t *obj)
{
    const char *b =
        json_string_value(json_object_get(json_object_get(obj, "spec"), "eventBusName"));
    return b != NULL && b[0] ? b : "default";
}

int ce_ctl_each_object(struct ce_ctl *ctl, const char *kind, const char *ns, const char *bus,
                       ce_ctl_object_fn *fn, void *arg)
{
    struct ce_kube_ref ref = {CE_CTL_API_VERSION, kind, ns, NULL};
    json_t *list = NULL;
    struct ce_kube_error e = {0};
    int rc = ce_kube_list(ctl->c, &ref, NULL, NULL, &list, &e);
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "Cannot list objects", "kind", kind, "error", e.message, NULL);
    }
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(list, "items"), i, item)
    {
        if (bus == NULL || strcmp(ce_ctl_bus_name(item), bus) == 0) {
            fn(arg, kind, item);
        }
    }
    json_decref(list);
    return rc;
}

static void watch_queue_listed(void *arg, const char *kind, const json_t *obj)
{
    const json_t *md = json_object_get(obj, "metadata");
    ce_ctl_queue_object(arg, kind, json_string_value(json_object_get(md, "namespace")),
                        json_string_value(json_object_get(md, "name")), 0);
}

void ce_ctl_queue_kind(struct ce_ctl *ctl, const char *kind, const char *ns, const char *bus)
{
    int rc = ce_ctl_each_object(ctl, kind, ns, bus, watch_queue_listed, ctl);
    (void)rc; /* logged; the resync tries again */
}

/* The owner of an object the controller made, from its labels. */
static void watch_queue_owner(struct ce_ctl *ctl, const json_t *md)
{
    static const char *const owners[][3] = {
        {"eventsource-controller", "EventSource", "eventsource-name"},
        {"sensor-controller", "Sensor", "sensor-name"},
        {"eventbus-controller", "EventBus", "eventbus-name"},
    };
    const json_t *labels = json_object_get(md, "labels");
    const char *by = json_string_value(json_object_get(labels, "controller"));
    for (size_t i = 0; by != NULL && i < 3; i++) {
        if (strcmp(by, owners[i][0]) == 0) {
            ce_ctl_queue_object(ctl, owners[i][1],
                                json_string_value(json_object_get(md, "namespace")),
                                json_string_value(json_object_get(labels, owners[i][2])), 0);
        }
    }
}

static bool watch_event(void *arg, enum ce_kube_event_type type, const json_t *obj)
{
    struct ctl_watch *w = arg;
    const json_t *md = json_object_get(obj, "metadata");
    if (type == CE_KUBE_BOOKMARK) {
        return true;
    }
    if (w->k->owned) {
        watch_queue_owner(w->ctl, md);
    }
    else {
        ce_ctl_queue_object(w->ctl, w->k->kind, json_string_value(json_object_get(md, "namespace")),
                            json_string_value(json_object_get(md, "name")), 0);
    }
    return true;
}

static void *watch_main(void *arg)
{
    struct ctl_watch *w = arg;
    struct ce_kube_ref ref = {w->k->api_version, w->k->kind, w->ctl->scope, NULL};
    struct ce_kube_watch_opts opts = {
        .label_selector = w->k->owned ? OWNED_SELECTOR : NULL,
        .stop = w->stop,
        .bookmarks = true,
    };
    char rv[64] = "";
    while (!atomic_load(w->stop)) {
        struct ce_kube_error e = {0};
        opts.resource_version = rv;
        int rc = ce_kube_watch(w->ctl->c, &ref, &opts, watch_event, w, rv, sizeof(rv), &e);
        if (rc != CE_OK && !atomic_load(w->stop)) {
            /* Not served yet (CRDs still being installed) or forbidden: say so, try again. */
            ce_log_kv(CE_LOG_WARN, "Cannot watch; trying again in 5 s", "kind", w->k->kind, "error",
                      e.message, NULL);
            for (int i = 0; i < 50 && !atomic_load(w->stop); i++) {
                ce_clock_sleep_ms(100);
            }
            rv[0] = '\0';
        }
    }
    return NULL;
}

struct ce_ctl_watches *ce_ctl_watches_start(struct ce_ctl *ctl, const atomic_bool *stop)
{
    struct ce_ctl_watches *ws = ce_xcalloc(1, sizeof(*ws));
    for (size_t i = 0; i < WATCH_N; i++) {
        struct ctl_watch *w = &ws->w[i];
        w->ctl = ctl;
        w->k = &watch_kinds[i];
        w->stop = stop;
        w->started = pthread_create(&w->thread, NULL, watch_main, w) == 0;
        if (!w->started) {
            ce_log_kv(CE_LOG_ERROR, "Cannot start a watch thread", "kind", w->k->kind, NULL);
        }
    }
    return ws;
}

void ce_ctl_watches_join(struct ce_ctl_watches *ws)
{
    if (ws == NULL) {
        return;
    }
    for (size_t i = 0; i < WATCH_N; i++) {
        if (ws->w[i].started) {
            pthread_join(ws->w[i].thread, NULL);
        }
    }
    ce_free(ws);
}
