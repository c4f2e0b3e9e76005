/* SPDX-License-Identifier: Apache-2.0 */
/* One trigger's dependency matching, condition state and firing: see engine.h. */
#include "sensor/engine.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "sensor/conditions.h"
#include "sensor/state.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>

struct ce_sn_engine {
    struct ce_sn_engine_config cfg;
    struct ce_cond *cond;
    bool stateful;
    int *deps; /* indexes into sensor->deps the conditions name, spec order */
    int n_deps;
    const char **dep_names; /* names of deps[], for the state store */
    /* Which deps[] have an event in the state store: read once, then kept in step with every
     * write (this engine is the only writer of its trigger's keys), so an event that needs no
     * saved event costs no round trip to the store. */
    bool *present;
    bool present_known;
    bool *sat; /* scratch: per sensor dependency, for evaluating the condition */
};

/* All dependency names joined by " && ", Argo's expression for a trigger without conditions. */
static char *engine_all_deps(const struct ce_sensor *s)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = CE_OK;
    for (int i = 0; i < s->n_deps; i++) {
        rc |= ce_buf_puts(&b, i ? " && " : "");
        rc |= ce_buf_puts(&b, s->deps[i].name);
    }
    char *out = ce_xstrdup(rc == CE_OK && b.data ? b.data : "");
    ce_buf_fini(&b);
    return out;
}

/* Compiles the trigger's conditions (Argo's default when it has none) against the Sensor's
 * dependency names. */
static int engine_compile(const struct ce_sensor *s, const struct ce_trigger *t,
                          struct ce_cond **cond, char *err, size_t errlen)
{
    const char **names = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*names));
    for (int i = 0; i < s->n_deps; i++) {
        names[i] = s->deps[i].name;
    }
    char *expr = t->conditions && t->conditions[0] ? ce_xstrdup(t->conditions) : engine_all_deps(s);
    int rc = ce_cond_compile(expr, names, s->n_deps, cond, err, errlen);
    ce_free(expr);
    ce_free(names);
    return rc == CE_OK ? CE_OK : CE_EINVAL;
}

/* The dependencies cond names, in spec order, into idx; returns how many. */
static int engine_used_deps(const struct ce_sensor *s, const struct ce_cond *cond, int *idx)
{
    int *used = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*used));
    int k = ce_cond_deps(cond, used, s->n_deps);
    int n = 0;
    for (int i = 0; i < s->n_deps; i++) {
        for (int j = 0; j < k; j++) {
            if (used[j] == i) {
                idx[n++] = i;
                break;
            }
        }
    }
    ce_free(used);
    return n;
}

int ce_sn_trigger_deps(const struct ce_sensor *s, const struct ce_trigger *t, int *idx, int *n,
                       char *err, size_t errlen)
{
    struct ce_cond *cond = NULL;
    *n = 0;
    int rc = engine_compile(s, t, &cond, err, errlen);
    if (rc == CE_OK) {
        *n = engine_used_deps(s, cond, idx);
    }
    ce_cond_destroy(cond);
    return rc;
}

int ce_sn_engine_create(const struct ce_sn_engine_config *cfg, struct ce_sn_engine **out, char *err,
                        size_t errlen)
{
    const struct ce_sensor *s = cfg->sensor;
    struct ce_cond *cond = NULL;
    if (engine_compile(s, cfg->trigger, &cond, err, errlen) != CE_OK) {
        return CE_EINVAL;
    }
    struct ce_sn_engine *e = ce_xcalloc(1, sizeof(*e));
    e->cfg = *cfg;
    e->cond = cond;
    e->stateful = !ce_cond_is_pure_or(cond);
    e->deps = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*e->deps));
    e->dep_names = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*e->dep_names));
    e->present = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*e->present));
    e->sat = ce_xcalloc((size_t)s->n_deps + 1, sizeof(*e->sat));
    e->n_deps = engine_used_deps(s, cond, e->deps);
    for (int i = 0; i < e->n_deps; i++) {
        e->dep_names[i] = s->deps[e->deps[i]].name;
    }
    if (e->stateful && cfg->state == NULL) {
        snprintf(err, errlen, "conditions with && need the Sensor's state store");
        ce_sn_engine_destroy(e);
        return CE_EINVAL;
    }
    *out = e;
    return CE_OK;
}

void ce_sn_engine_destroy(struct ce_sn_engine *e)
{
    if (e == NULL) {
        return;
    }
    ce_cond_destroy(e->cond);
    ce_free(e->deps);
    ce_free(e->dep_names);
    ce_free(e->present);
    ce_free(e->sat);
    ce_free(e);
}

bool ce_sn_engine_stateful(const struct ce_sn_engine *e)
{
    return e->stateful;
}

bool ce_sn_trigger_stateful(const struct ce_sensor *s, const struct ce_trigger *t)
{
    struct ce_cond *cond = NULL;
    char err[256];
    bool stateful =
        engine_compile(s, t, &cond, err, sizeof(err)) == CE_OK && !ce_cond_is_pure_or(cond);
    ce_cond_destroy(cond);
    return stateful;
}

int ce_sn_engine_deps(const struct ce_sn_engine *e, int *idx, int max)
{
    int n = e->n_deps < max ? e->n_deps : max;
    memcpy(idx, e->deps, sizeof(*idx) * (size_t)n);
    return n;
}

struct engine_fire_ctx {
    struct ce_sn_call call;
    bool fired_once;
    int fired;
    bool canceled; /* a firing was stopped before it finished */
};

/* A firing's outcome is the trigger's business (retries, dlqTrigger, counters), except when it
 * was stopped before it finished: then the message is left for the next start. */
static void engine_fire(struct ce_sn_engine *e, struct engine_fire_ctx *fc,
                        const struct ce_trigger_event *events, int n)
{
    if (!fc->fired_once && fc->call.before_fire != NULL) {
        fc->call.before_fire(fc->call.arg);
    }
    fc->fired_once = true;
    fc->fired++;
    fc->canceled = e->cfg.fire(e->cfg.fire_arg, fc->call.fire_call, events, n) == CE_ECANCELED;
}

/* The event as saved: the message as it came, or the transformed event re-encoded. */
static int engine_save(struct ce_sn_engine *e, int slot, const struct ce_cloudevent *ev,
                       bool transformed, const char *raw, size_t raw_len,
                       const struct ce_sn_msg_pos *pos)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = CE_OK;
    if (transformed) {
        rc = ce_cloudevent_encode_argo(ev, &b);
        raw = b.data;
        raw_len = b.len;
    }
    if (rc == CE_OK) {
        rc = ce_sn_state_save(e->cfg.state, e->cfg.trigger->name, e->dep_names[slot],
                              pos->stream_seq, pos->consumer_seq, pos->timestamp_ns, raw, raw_len);
    }
    ce_buf_fini(&b);
    return rc;
}

/* Reads which dependencies have a saved event, once. */
static int engine_presence(struct ce_sn_engine *e)
{
    if (e->present_known) {
        return CE_OK;
    }
    struct ce_sn_saved *saved = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*saved));
    int rc = ce_sn_state_load(e->cfg.state, e->cfg.trigger->name, e->dep_names, e->n_deps, saved);
    for (int i = 0; rc == CE_OK && i < e->n_deps; i++) {
        e->present[i] = saved[i].event != NULL;
    }
    e->present_known = rc == CE_OK;
    ce_sn_saved_fini(saved, e->n_deps);
    ce_free(saved);
    return rc;
}

/* The events of one message that satisfied some of the trigger's dependencies. */
struct engine_batch {
    const struct ce_cloudevent **ev; /* per slot: the event (maybe transformed), NULL: none */
    const bool *transformed;
    const char *raw;
    size_t raw_len;
    const struct ce_sn_msg_pos *pos;
};

/* Whether the condition holds when the dependencies in a[] or b[], and slot, have an event.
 * Runs for every satisfied dependency of every message: no allocation (the engine's scratch
 * is used under the trigger's lock). */
static bool engine_holds(const struct ce_sn_engine *e, const bool *a, const bool *b, int slot)
{
    for (int i = 0; i < e->n_deps; i++) {
        e->sat[e->deps[i]] = a[i] || b[i] || i == slot;
    }
    return ce_cond_eval(e->cond, e->sat);
}

/* Saves this message's event for each dependency it keeps. */
static int engine_keep(struct ce_sn_engine *e, const struct engine_batch *b, const bool *keep)
{
    for (int i = 0; i < e->n_deps; i++) {
        if (!keep[i]) {
            continue;
        }
        int rc = engine_save(e, i, b->ev[i], b->transformed[i], b->raw, b->raw_len, b->pos);
        if (rc != CE_OK) {
            return rc;
        }
        e->present[i] = true;
        ce_log_kv(CE_LOG_INFO, CE_SN_SAVED_MSG, "triggerName", e->cfg.trigger->name,
                  "dependencyName", e->dep_names[i], "eventID", b->ev[i]->id, NULL);
    }
    return CE_OK;
}

/* Loads the stored events of the dependencies in need[]; decoded[i] holds each, have[i] tells
 * which are there. */
static int engine_load(struct ce_sn_engine *e, const bool *need, struct ce_cloudevent *decoded,
                       bool *have)
{
    const char **names = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*names));
    int *slot = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*slot));
    int k = 0;
    for (int i = 0; i < e->n_deps; i++) {
        if (need[i]) {
            slot[k] = i;
            names[k++] = e->dep_names[i];
        }
    }
    struct ce_sn_saved *saved = ce_xcalloc((size_t)k + 1, sizeof(*saved));
    int rc = k > 0 ? ce_sn_state_load(e->cfg.state, e->cfg.trigger->name, names, k, saved) : CE_OK;
    for (int j = 0; rc == CE_OK && j < k; j++) {
        char err[160];
        int i = slot[j];
        have[i] =
            saved[j].event != NULL && ce_cloudevent_decode(saved[j].event, saved[j].len,
                                                           &decoded[i], err, sizeof(err)) == CE_OK;
        e->present[i] = saved[j].event != NULL;
    }
    ce_sn_saved_fini(saved, k);
    ce_free(saved);
    ce_free(slot);
    ce_free(names);
    return rc;
}

/* Tries to fire for slot: with this message's kept events (kept[]), the stored events of the
 * other dependencies, and slot's event. *fired tells whether the condition still held once the
 * stored events were read (one that cannot be read no longer counts). */
static int engine_try_fire(struct ce_sn_engine *e, struct engine_fire_ctx *fc,
                           const struct engine_batch *b, bool *kept, int slot, bool *fired)
{
    bool *need = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*need));
    bool *have = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*have));
    struct ce_cloudevent *decoded = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*decoded));
    for (int i = 0; i < e->n_deps; i++) {
        need[i] = e->present[i] && !kept[i] && i != slot;
    }
    int rc = engine_load(e, need, decoded, have);
    *fired = rc == CE_OK && engine_holds(e, have, kept, slot);
    if (*fired) {
        struct ce_trigger_event *events = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*events));
        int n = 0;
        for (int i = 0; i < e->n_deps; i++) {
            if (i == slot || kept[i]) {
                events[n++] = (struct ce_trigger_event){e->dep_names[i], b->ev[i]};
            }
            else if (have[i]) {
                events[n++] = (struct ce_trigger_event){e->dep_names[i], &decoded[i]};
            }
        }
        engine_fire(e, fc, events, n);
        ce_free(events);
        if (fc->canceled) {
            rc = CE_ECANCELED; /* nothing is cleared: the message comes again */
        }
        else {
            memset(kept, 0, sizeof(*kept) * (size_t)e->n_deps);
            rc = ce_sn_engine_reset(e);
        }
    }
    for (int i = 0; i < e->n_deps; i++) {
        ce_cloudevent_fini(&decoded[i]);
    }
    ce_free(decoded);
    ce_free(have);
    ce_free(need);
    return rc;
}

/* The stateful step for one message, dependency after dependency as Argo does: a dependency
 * that completes the condition fires with every event saved so far (then all is cleared), any
 * other keeps this event as its latest. What this message keeps is written once at the end,
 * so the store is only touched for events that are saved, read or cleared. */
static int engine_stateful(struct ce_sn_engine *e, struct engine_fire_ctx *fc,
                           const struct engine_batch *b)
{
    int rc = engine_presence(e);
    bool *kept = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*kept));
    for (int slot = 0; rc == CE_OK && slot < e->n_deps; slot++) {
        if (b->ev[slot] == NULL) {
            continue;
        }
        bool fired = false;
        if (engine_holds(e, e->present, kept, slot)) {
            rc = engine_try_fire(e, fc, b, kept, slot, &fired);
        }
        kept[slot] = !fired;
    }
    if (rc == CE_OK) {
        rc = engine_keep(e, b, kept);
    }
    ce_free(kept);
    return rc;
}

/* Checks ev for one dependency; *use is what to go on with (ev, or the transformed copy). */
static bool engine_check(struct ce_sn_engine *e, int dep, const struct ce_cloudevent *ev,
                         struct ce_cloudevent *copy, bool *transformed)
{
    *transformed = false;
    if (e->cfg.check == NULL) {
        return true;
    }
    bool pass = false;
    char err[256] = "";
    memset(copy, 0, sizeof(*copy));
    int rc = e->cfg.check(e->cfg.check_arg, dep, ev, copy, &pass, err, sizeof(err));
    *transformed = copy->id != NULL;
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_WARN, "dependency not satisfied: filter or transform failed",
                  "triggerName", e->cfg.trigger->name, "dependencyName",
                  e->cfg.sensor->deps[dep].name, "eventID", ev->id, "error", err, NULL);
        return false;
    }
    if (!pass) {
        ce_log_kv(CE_LOG_INFO, "not interested in the event: filters did not pass", "triggerName",
                  e->cfg.trigger->name, "dependencyName", e->cfg.sensor->deps[dep].name, "eventID",
                  ev->id, NULL);
    }
    return pass;
}

int ce_sn_engine_process(struct ce_sn_engine *e, const struct ce_cloudevent *ev, const char *raw,
                         size_t raw_len, const struct ce_sn_msg_pos *pos,
                         const struct ce_sn_call *call)
{
    const struct ce_sensor *s = e->cfg.sensor;
    struct engine_fire_ctx fc = {.call = {NULL, NULL, NULL}};
    if (call != NULL) {
        fc.call = *call;
    }
    struct ce_cloudevent *copies = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*copies));
    const struct ce_cloudevent **use = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*use));
    bool *transformed = ce_xcalloc((size_t)e->n_deps + 1, sizeof(*transformed));
    int matched = 0;
    for (int slot = 0; slot < e->n_deps; slot++) {
        const struct ce_dependency *d = &s->deps[e->deps[slot]];
        if (strcmp(d->event_source_name, ev->source) != 0 ||
            strcmp(d->event_name, ev->subject) != 0 ||
            !engine_check(e, e->deps[slot], ev, &copies[slot], &transformed[slot])) {
            continue;
        }
        use[slot] = transformed[slot] ? &copies[slot] : ev;
        matched++;
        if (!e->stateful) {
            struct ce_trigger_event one = {d->name, use[slot]};
            engine_fire(e, &fc, &one, 1);
            if (fc.canceled) {
                break;
            }
        }
    }
    int rc = CE_OK;
    if (e->stateful && matched > 0) {
        struct engine_batch b = {use, transformed, raw, raw_len, pos};
        rc = engine_stateful(e, &fc, &b);
    }
    for (int slot = 0; slot < e->n_deps; slot++) {
        if (transformed[slot]) {
            ce_cloudevent_fini(&copies[slot]);
        }
    }
    ce_free(copies);
    ce_free(use);
    ce_free(transformed);
    if (fc.canceled) {
        return -CE_ECANCELED;
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "could not update the trigger's saved events", "triggerName",
                  e->cfg.trigger->name, "eventID", ev->id, "error", ce_rc_str(rc), NULL);
        return -rc;
    }
    return fc.fired;
}

int ce_sn_engine_reset(struct ce_sn_engine *e)
{
    if (!e->stateful) {
        return CE_OK;
    }
    int rc = CE_OK;
    for (int i = 0; i < e->n_deps; i++) {
        if (!e->present_known || e->present[i]) {
            int r = ce_sn_state_clear(e->cfg.state, e->cfg.trigger->name, &e->dep_names[i], 1);
            rc = r != CE_OK ? r : rc;
            e->present[i] = false;
        }
    }
    /* after a failed delete the store is read again before it is trusted */
    e->present_known = rc == CE_OK;
    return rc;
}

int ce_sn_engine_reset_older(struct ce_sn_engine *e, int64_t before_ns)
{
    if (!e->stateful) {
        return 0;
    }
    e->present_known = false; /* read again at the next event */
    return ce_sn_state_clear_older(e->cfg.state, e->cfg.trigger->name, e->dep_names, e->n_deps,
                                   before_ns);
}
