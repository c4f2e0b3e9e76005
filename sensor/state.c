/* SPDX-License-Identifier: Apache-2.0 */
/* Sensor condition state on the bus's KV store: see state.h. */
#include "sensor/state.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/bus.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "manifest/tojson.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A saved entry holds one event; the bus caps messages well below this. */
#define STATE_MAX_ENTRY (16 * 1024 * 1024)

struct ce_sn_state {
    struct ce_bus_kv *kv;
};

int ce_sn_state_open(struct ce_bus *bus, const char *sensor_name, struct ce_sn_state **out)
{
    struct ce_bus_kv *kv = NULL;
    int rc = ce_bus_kv_open(bus, sensor_name, &kv);
    if (rc != CE_OK) {
        return rc;
    }
    *out = ce_xcalloc(1, sizeof(**out));
    (*out)->kv = kv;
    return CE_OK;
}

void ce_sn_state_close(struct ce_sn_state *st)
{
    if (st != NULL) {
        ce_bus_kv_close(st->kv);
        ce_free(st);
    }
}

static char *state_key(const char *trigger, const char *suffix)
{
    return ce_xasprintf("%s/%s", trigger, suffix);
}

int ce_sn_state_save(struct ce_sn_state *st, const char *trigger, const char *dep,
                     uint64_t stream_seq, uint64_t consumer_seq, int64_t timestamp_ns,
                     const char *event, size_t len)
{
    struct timespec ts = {(time_t)(timestamp_ns / 1000000000), (long)(timestamp_ns % 1000000000)};
    char when[40];
    ce_cloudevent_format_time(&ts, when);
    struct ce_buf b;
    ce_buf_init(&b, STATE_MAX_ENTRY);
    int rc = ce_buf_printf(&b,
                           "{\"StreamSeq\":%llu,\"ConsumerSeq\":%llu,\"Timestamp\":\"%s\","
                           "\"Event\":",
                           (unsigned long long)stream_seq, (unsigned long long)consumer_seq, when);
    rc |= ce_buf_append(&b, event, len);
    rc |= ce_buf_puts(&b, "}");
    if (rc == CE_OK) {
        char *key = state_key(trigger, dep);
        rc = ce_bus_kv_put(st->kv, key, b.data, b.len);
        ce_free(key);
    }
    ce_buf_fini(&b);
    return rc == CE_OK ? CE_OK : (rc == CE_ETOOBIG ? CE_ETOOBIG : rc);
}

/* Parses one stored entry into out; false when it is not one. */
static bool state_parse_entry(const char *val, size_t len, struct ce_sn_saved *out)
{
    json_error_t jerr;
    json_t *root = json_loadb(val, len, 0, &jerr);
    json_t *ev = json_object_get(root, "Event");
    const char *when = json_string_value(json_object_get(root, "Timestamp"));
    bool ok = json_is_object(ev) && when != NULL;
    if (ok) {
        char *text = json_dumps(ev, JSON_COMPACT);
        out->event = ce_xstrdup(text ? text : "{}");
        free(text);
        out->len = strlen(out->event);
        out->timestamp_ns = ce_clock_parse_rfc3339_ns(when);
    }
    json_decref(root);
    return ok;
}

int ce_sn_state_load(struct ce_sn_state *st, const char *trigger, const char *const *deps, int n,
                     struct ce_sn_saved *out)
{
    memset(out, 0, sizeof(*out) * (size_t)n);
    for (int i = 0; i < n; i++) {
        char *key = state_key(trigger, deps[i]);
        char *val = NULL;
        size_t len = 0;
        int rc = ce_bus_kv_get(st->kv, key, &val, &len);
        if (rc == CE_OK && !state_parse_entry(val, len, &out[i])) {
            ce_log_kv(CE_LOG_WARN, "deleting a saved dependency event that cannot be read",
                      "triggerName", trigger, "dependencyName", deps[i], NULL);
            if (ce_bus_kv_delete(st->kv, key) != CE_OK) {
                ce_log_kv(CE_LOG_WARN, "could not delete it", "key", key, NULL);
            }
        }
        ce_free(val);
        ce_free(key);
        if (rc != CE_OK && rc != CE_ENOENT) {
            ce_sn_saved_fini(out, n);
            return rc;
        }
    }
    return CE_OK;
}

void ce_sn_saved_fini(struct ce_sn_saved *saved, int n)
{
    for (int i = 0; saved != NULL && i < n; i++) {
        ce_free(saved[i].event);
        saved[i].event = NULL;
    }
}

int ce_sn_state_clear(struct ce_sn_state *st, const char *trigger, const char *const *deps, int n)
{
    int rc = CE_OK;
    for (int i = 0; i < n; i++) {
        char *key = state_key(trigger, deps[i]);
        int r = ce_bus_kv_delete(st->kv, key);
        if (r != CE_OK && r != CE_ENOENT) {
            rc = r;
        }
        ce_free(key);
    }
    return rc;
}

int ce_sn_state_clear_older(struct ce_sn_state *st, const char *trigger, const char *const *deps,
                            int n, int64_t before_ns)
{
    struct ce_sn_saved *saved = ce_xcalloc((size_t)n + 1, sizeof(*saved));
    int cleared = 0;
    if (ce_sn_state_load(st, trigger, deps, n, saved) == CE_OK) {
        for (int i = 0; i < n; i++) {
            if (saved[i].event != NULL && saved[i].timestamp_ns < before_ns &&
                ce_sn_state_clear(st, trigger, &deps[i], 1) == CE_OK) {
                cleared++;
            }
        }
    }
    ce_sn_saved_fini(saved, n);
    ce_free(saved);
    return cleared;
}

/* ---- reconciliation with the spec ---- */

/* 63 bits of FNV-1a 64 over the dependency's JSON, so it fits a JSON integer. */
static json_int_t state_dep_hash(const struct ce_dependency *d)
{
    char *text = ce_node_to_json_text(d->node);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = text ? text : d->name; *p; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    }
    ce_free(text);
    return (json_int_t)(h >> 1);
}

static json_t *state_get_json(struct ce_sn_state *st, const char *key)
{
    char *val = NULL;
    size_t len = 0;
    json_t *j = NULL;
    if (ce_bus_kv_get(st->kv, key, &val, &len) == CE_OK) {
        json_error_t jerr;
        j = json_loadb(val, len, JSON_DECODE_ANY, &jerr);
        if (j == NULL) { /* hashes past int64, as Go writes them, read as different */
            j = json_loadb(val, len, JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, &jerr);
        }
    }
    ce_free(val);
    return j;
}

static int state_put_json(struct ce_sn_state *st, const char *key, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc = text ? ce_bus_kv_put(st->kv, key, text, strlen(text)) : CE_EINVAL;
    free(text);
    return rc;
}

static const struct ce_trigger *state_find_trigger(const struct ce_sensor *s, const char *name)
{
    for (int i = 0; i < s->n_triggers; i++) {
        if (strcmp(s->triggers[i].name, name) == 0) {
            return &s->triggers[i];
        }
    }
    return NULL;
}

static const struct ce_dependency *state_find_dep(const struct ce_sensor *s, const char *name)
{
    for (int i = 0; i < s->n_deps; i++) {
        if (strcmp(s->deps[i].name, name) == 0) {
            return &s->deps[i];
        }
    }
    return NULL;
}

/* Deletes every `<trigger>/<x>` key but `<trigger>/Expression` (kept unless drop_expression). */
static void state_purge_trigger(struct ce_sn_state *st, const char *trigger, bool drop_expression)
{
    char **keys = NULL;
    int n = 0;
    if (ce_bus_kv_keys(st->kv, &keys, &n) != CE_OK) {
        return;
    }
    size_t tl = strlen(trigger);
    for (int i = 0; i < n; i++) {
        if (strncmp(keys[i], trigger, tl) == 0 && keys[i][tl] == '/' &&
            (drop_expression || strcmp(keys[i] + tl + 1, "Expression") != 0)) {
            if (ce_bus_kv_delete(st->kv, keys[i]) != CE_OK) {
                ce_log_kv(CE_LOG_WARN, "could not delete saved state", "key", keys[i], NULL);
            }
        }
    }
    ce_bus_kv_keys_free(keys, n);
}

static void state_purge_changed_deps(struct ce_sn_state *st, const struct ce_sensor *s,
                                     json_t *old_deps, ce_sn_purge_fn *purge, void *arg)
{
    const char *name;
    json_t *hash;
    json_object_foreach(old_deps, name, hash)
    {
        const struct ce_dependency *d = state_find_dep(s, name);
        if (d != NULL && json_is_integer(hash) && json_integer_value(hash) == state_dep_hash(d)) {
            continue;
        }
        ce_log_kv(CE_LOG_INFO, "dependency changed: purging its saved state", "dependencyName",
                  name, NULL);
        for (int t = 0; t < s->n_triggers; t++) {
            const char *dep = name;
            if (ce_sn_state_clear(st, s->triggers[t].name, &dep, 1) != CE_OK) {
                ce_log_kv(CE_LOG_WARN, "could not delete saved state", "triggerName",
                          s->triggers[t].name, "dependencyName", name, NULL);
            }
            purge(arg, s->triggers[t].name, name);
        }
    }
}

static void state_purge_changed_triggers(struct ce_sn_state *st, const struct ce_sensor *s,
                                         json_t *old_triggers, json_t *old_deps,
                                         ce_sn_purge_fn *purge, void *arg)
{
    size_t i;
    json_t *v;
    json_array_foreach(old_triggers, i, v)
    {
        const char *name = json_string_value(v);
        if (name == NULL) {
            continue;
        }
        const struct ce_trigger *t = state_find_trigger(s, name);
        char *key = state_key(name, "Expression");
        json_t *old_expr = state_get_json(st, key);
        ce_free(key);
        const char *was = json_string_value(old_expr) ? json_string_value(old_expr) : "";
        const char *now = t != NULL && t->conditions ? t->conditions : "";
        if (t == NULL || strcmp(was, now) != 0) {
            ce_log_kv(CE_LOG_INFO, "trigger removed or its conditions changed: purging its state",
                      "triggerName", name, NULL);
            state_purge_trigger(st, name, t == NULL);
            const char *dep;
            json_t *h;
            json_object_foreach(old_deps, dep, h)
            {
                if (t == NULL) { /* a removed trigger's consumers serve nobody now */
                    purge(arg, name, dep);
                }
            }
        }
        json_decref(old_expr);
    }
}

static int state_write_spec(struct ce_sn_state *st, const struct ce_sensor *s)
{
    json_t *triggers = json_array();
    json_t *deps = json_object();
    int rc = CE_OK;
    for (int i = 0; i < s->n_triggers; i++) {
        const struct ce_trigger *t = &s->triggers[i];
        json_array_append_new(triggers, json_string(t->name));
        char *key = state_key(t->name, "Expression");
        json_t *expr = json_string(t->conditions ? t->conditions : "");
        rc |= state_put_json(st, key, expr);
        json_decref(expr);
        ce_free(key);
    }
    for (int i = 0; i < s->n_deps; i++) {
        json_object_set_new(deps, s->deps[i].name, json_integer(state_dep_hash(&s->deps[i])));
    }
    rc |= state_put_json(st, "Deps", deps);
    rc |= state_put_json(st, "Triggers", triggers);
    json_decref(triggers);
    json_decref(deps);
    return rc == CE_OK ? CE_OK : CE_EIO;
}

int ce_sn_state_reconcile(struct ce_sn_state *st, const struct ce_sensor *s, ce_sn_purge_fn *purge,
                          void *arg)
{
    json_t *old_deps = state_get_json(st, "Deps");
    json_t *old_triggers = state_get_json(st, "Triggers");
    if (!json_is_object(old_deps)) {
        json_decref(old_deps);
        old_deps = json_object();
    }
    state_purge_changed_deps(st, s, old_deps, purge, arg);
    if (json_is_array(old_triggers)) {
        state_purge_changed_triggers(st, s, old_triggers, old_deps, purge, arg);
    }
    json_decref(old_deps);
    json_decref(old_triggers);
    return state_write_spec(st, s);
}
