/* SPDX-License-Identifier: Apache-2.0 */
/* One watched file read as `cevents lint` reads it: a version with any error is printed and
 * not applied, so the running version keeps running. What passes is kept as each object's
 * decoded JSON: a restart follows a change of what the object says, not of the file's bytes
 * (comments, spacing and key order do not restart anything). */
#include "cmd/run_watch.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "eventsource/runtime.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/streamconfig.h"
#include "manifest/tojson.h"
#include "sensor/check.h"
#include "sensor/runtime.h"

#include <stdio.h>
#include <string.h>

void ce_run_watch_objs_free(struct watch_objs *o)
{
    for (int i = 0; i < o->n; i++) {
        ce_free(o->v[i].name);
        ce_free(o->v[i].text);
    }
    ce_free(o->v);
    o->v = NULL;
    o->n = 0;
}

const struct watch_obj *ce_run_watch_objs_find(const struct watch_objs *o, const char *kind,
                                               const char *name)
{
    for (int i = 0; i < o->n; i++) {
        if (strcmp(o->v[i].kind, kind) == 0 && strcmp(o->v[i].name, name) == 0) {
            return &o->v[i];
        }
    }
    return NULL;
}

static void watch_objs_add(struct watch_objs *o, const char *kind, const char *name, char *text,
                           const struct ce_pos *pos)
{
    o->v = ce_xrealloc(o->v, ((size_t)o->n + 1) * sizeof(*o->v));
    o->v[o->n++] = (struct watch_obj){kind, ce_xstrdup(name), text, pos->line, pos->col};
}

void ce_run_watch_objs_append(struct watch_objs *to, const struct watch_objs *from)
{
    for (int i = 0; i < from->n; i++) {
        const struct watch_obj *x = &from->v[i];
        struct ce_pos pos = {NULL, x->line, x->col};
        watch_objs_add(to, x->kind, x->name, ce_xstrdup(x->text), &pos);
    }
}

/* name, namespace and spec: what the process of the object is started from. */
static char *watch_text(const char *name, const char *ns, const struct ce_node *spec)
{
    char *json = ce_node_to_json_text(spec);
    char *text = ce_xasprintf("%s\n%s\n%s", name, ns ? ns : "", json ? json : "null");
    ce_free(json);
    return text;
}

static char *watch_bus_text(const struct ce_eventbus *eb)
{
    char *stream = ce_node_to_json_text(eb->stream_config);
    const struct ce_secret_ref *a = &eb->access_secret;
    char *text = ce_xasprintf("%s\n%s\n%s\n%s\n%s/%s", eb->name, eb->kind ? eb->kind : "",
                              eb->url ? eb->url : "", stream ? stream : "null",
                              a->set ? a->name : "", a->set ? a->key : "");
    ce_free(stream);
    return text;
}

/* lint's checks beyond the decoding, and the size the running bus takes. */
static void watch_check_deep(const struct run_state *st, const struct ce_manifest_set *set,
                             struct ce_diag *diag)
{
    for (int i = 0; i < set->n_eventbuses; i++) {
        struct ce_stream_config cfg;
        memset(&cfg, 0, sizeof cfg);
        (void)ce_stream_config_apply(set->eventbuses[i], &cfg, diag);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        (void)ce_sensor_check_embedded(set->sensors[i], diag);
    }
    for (int i = 0; i < set->n_eventsources; i++) {
        const struct ce_eventsource *es = set->eventsources[i];
        (void)ce_eventsource_check_embedded(es, diag);
        const struct ce_es_event *ev = NULL;
        int64_t n = ce_source_max_event_bytes(es, &ev);
        if (ev != NULL && n + 1024 > st->bus_max_payload) {
            char path[160];
            snprintf(path, sizeof path, "spec.%s.%s", ev->type, ev->name);
            ce_diag_add(diag, CE_DIAG_ERROR, &ev->pos, path,
                        "its events can reach %lld bytes, more than the running event bus takes "
                        "(%lld bytes): lower its maxPayloadSize, or restart cevents run",
                        (long long)n, (long long)st->bus_max_payload);
        }
    }
}

/* What cevents can run (printed by the checks themselves). */
static int watch_check_supported(const struct ce_manifest_set *set)
{
    int rc = CE_OK;
    for (int i = 0; i < set->n_eventsources; i++) {
        rc |= ce_eventsource_check_supported(set->eventsources[i]);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        rc |= ce_sensor_check_supported(set->sensors[i]);
    }
    return rc == CE_OK ? CE_OK : CE_EINVAL;
}

static void watch_collect(const struct ce_manifest_set *set, struct watch_objs *out)
{
    for (int i = 0; i < set->n_eventsources; i++) {
        const struct ce_eventsource *es = set->eventsources[i];
        watch_objs_add(out, "eventsource", es->name, watch_text(es->name, es->namespace_, es->spec),
                       &es->pos);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        const struct ce_sensor *s = set->sensors[i];
        watch_objs_add(out, "sensor", s->name, watch_text(s->name, s->namespace_, s->spec),
                       &s->pos);
    }
    for (int i = 0; i < set->n_eventbuses; i++) {
        const struct ce_eventbus *eb = set->eventbuses[i];
        watch_objs_add(out, "eventbus", eb->name, watch_bus_text(eb), &eb->pos);
    }
}

int ce_run_watch_decode(const struct run_state *st, const char *path, const char *buf, size_t len,
                        struct watch_objs *out)
{
    memset(out, 0, sizeof(*out));
    struct ce_manifest_set *set = NULL;
    if (ce_manifest_set_create(ce_cli_plugins(), &set) != CE_OK) {
        return CE_EINVAL;
    }
    struct ce_diag diag;
    ce_diag_init(&diag);
    int rc = ce_manifest_load_buf(set, buf, len, path, st->cli->strict, &diag);
    if (rc == CE_OK && ce_diag_errors(&diag) == 0) {
        watch_check_deep(st, set, &diag);
    }
    fflush(stdout);
    ce_diag_print(&diag, stderr);
    if (rc == CE_OK && ce_diag_errors(&diag) == 0) {
        rc = watch_check_supported(set);
    }
    else {
        rc = CE_EINVAL;
    }
    if (rc == CE_OK) {
        watch_collect(set, out);
    }
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
    return rc;
}
