/* SPDX-License-Identifier: Apache-2.0 */
/* One trigger's side of a Sensor, as Argo runs it: an incoming event is matched to the
 * trigger's dependencies (duplicates allowed), each matching dependency is checked (transform
 * and filters), then a stateless trigger (one dependency, or only `||`) fires at once, and a
 * stateful one (`&&`) saves the event as its dependency's latest in the Sensor's KV bucket and
 * fires with every saved event when its condition holds, clearing them after. Pure logic over
 * the bus's KV, so tests run it on the in-memory bus. */
#ifndef CE_SENSOR_ENGINE_H
#define CE_SENSOR_ENGINE_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Logged when a stateful trigger keeps an event until its conditions hold. */
#define CE_SN_SAVED_MSG "Saved the event until the trigger's conditions hold"

struct ce_cloudevent;
struct ce_sensor;
struct ce_sn_state;
struct ce_trigger;
struct ce_trigger_event;
struct ce_sn_engine;

/* Checks the event for dependency dep (an index into sensor->deps): applies its transform into
 * *out (a fresh event the engine releases) and its filters into *pass. An error means the
 * dependency is not satisfied by this event (logged by the engine). */
typedef int ce_sn_check_fn(void *arg, int dep, const struct ce_cloudevent *in,
                           struct ce_cloudevent *out, bool *pass, char *err, size_t errlen);
/* Runs the trigger once for events[0..n) (retries, rate limit and metrics are the caller's)
 * and returns the final outcome. call is the one given to ce_sn_engine_process (NULL when it
 * had none). */
typedef int ce_sn_fire_fn(void *arg, void *call, const struct ce_trigger_event *events, int n);

struct ce_sn_engine_config {
    const struct ce_sensor *sensor;
    const struct ce_trigger *trigger;
    struct ce_sn_state *state; /* needed by stateful triggers only */
    ce_sn_check_fn *check;     /* NULL: every matching dependency passes unchanged */
    void *check_arg;
    ce_sn_fire_fn *fire;
    void *fire_arg;
};

/* Compiles the trigger's conditions (all dependencies joined by `&&` when it has none).
 * CE_EINVAL with a reason in err when they do not parse or name an unknown dependency. */
int ce_sn_engine_create(const struct ce_sn_engine_config *cfg, struct ce_sn_engine **out, char *err,
                        size_t errlen) CE_MUST_CHECK;
void ce_sn_engine_destroy(struct ce_sn_engine *e);
/* Checks the trigger's conditions without an engine: CE_OK and the dependencies they name
 * (indexes into s->deps, spec order; room for s->n_deps) in idx[0..*n), or CE_EINVAL with the
 * reason in err. */
int ce_sn_trigger_deps(const struct ce_sensor *s, const struct ce_trigger *t, int *idx, int *n,
                       char *err, size_t errlen) CE_MUST_CHECK;
bool ce_sn_engine_stateful(const struct ce_sn_engine *e);
/* Whether t's conditions (compiled as by ce_sn_trigger_deps) keep state between events (an
 * `&&`); false also when they do not compile. */
bool ce_sn_trigger_stateful(const struct ce_sensor *s, const struct ce_trigger *t);
/* The dependencies the trigger listens to (those its conditions name), as indexes into
 * sensor->deps, in spec order; returns how many (at most max). */
int ce_sn_engine_deps(const struct ce_sn_engine *e, int *idx, int max);

/* Where a message sits on the bus (saved with a stateful dependency's event). */
struct ce_sn_msg_pos {
    uint64_t stream_seq;
    uint64_t consumer_seq;
    int64_t timestamp_ns;
};

/* What one ce_sn_engine_process call brings besides the event. */
struct ce_sn_call {
    void (*before_fire)(void *arg); /* may be NULL; runs once, just before the first firing */
    void *arg;                      /* for before_fire */
    void *fire_call;                /* handed to the fire function as its call */
};

/* Processes one event for the trigger (call may be NULL). Returns how many times the trigger
 * fired (>= 0), or a negative CE_ error code when saving state failed and the message should
 * come again. A stateful engine's calls must be serialised by the caller; a stateless one
 * (only `||`, or one dependency) keeps nothing between calls and may process on several
 * threads at once. */
int ce_sn_engine_process(struct ce_sn_engine *e, const struct ce_cloudevent *ev, const char *raw,
                         size_t raw_len, const struct ce_sn_msg_pos *pos,
                         const struct ce_sn_call *call);
/* Forgets every saved event of the trigger (conditionsReset, spec changes). */
int ce_sn_engine_reset(struct ce_sn_engine *e) CE_MUST_CHECK;
/* Forgets saved events stored before before_ns; returns how many. */
int ce_sn_engine_reset_older(struct ce_sn_engine *e, int64_t before_ns);

#endif
