/* SPDX-License-Identifier: Apache-2.0 */
/* Delivering one change of a file event (see event.h): publish when it is the event's type,
 * wait for the bus's ack, then record the name's new state, so a restart neither fires it
 * again nor misses it. The bus down means waiting and trying again, not dropping. */
#include "eventsource/file/event.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/emit.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The longest wait between two tries of a publish or a record. */
#define FSW_RETRY_MAX_MS 5000

bool fsw_halted(const struct fsw_event *ev)
{
    return ce_seen_run_halted(&ev->sh->run);
}

void fsw_wait(struct fsw_event *ev, int ms)
{
    struct pollfd p = {.fd = ev->wake[0], .events = POLLIN};
    if (!atomic_load(&ev->sh->run.stopping)) {
        (void)poll(&p, 1, ms);
    }
}

static int fsw_backoff_ms(int attempt)
{
    int ms = 100 << (attempt < 6 ? attempt : 6);
    return ms < FSW_RETRY_MAX_MS ? ms : FSW_RETRY_MAX_MS;
}

/* The event's "name": the path inotify reports, or the entry's name when polling (as Argo's
 * polling watcher reports it). */
static void fsw_event_name(const struct fsw_event *ev, const char *name, struct ce_buf *out)
{
    bool root = strcmp(ev->cfg->watch.dir, "/") == 0;
    int rc = ev->cfg->polling
                 ? ce_buf_puts(out, name)
                 : ce_buf_printf(out, "%s%s%s", ev->cfg->watch.dir, root ? "" : "/", name);
    if (rc != CE_OK) {
        return; /* the buffer has no cap */
    }
}

static int fsw_publish(struct fsw_event *ev, const char *name, unsigned op,
                       const struct ce_watch_stat *st)
{
    struct ce_buf full, data, key;
    ce_buf_init(&full, 0);
    ce_buf_init(&data, 0);
    ce_buf_init(&key, 0);
    fsw_event_name(ev, name, &full);
    int rc = ce_watch_event_data(full.data, op, ev->cfg->metadata, ev->cfg->n_metadata, &data);
    ce_watch_event_key(full.data, op, st, &key);
    char id[33];
    ce_emit_id_from_key(ev->em->source_name, ev->em->event_name, key.data, key.len, id);
    ce_log_kv(CE_LOG_INFO, "file event", "eventName", ev->name, "event-type", ce_watch_op_name(op),
              "descriptor-name", full.data, NULL);
    for (int attempt = 0; rc == CE_OK; attempt++) {
        rc = ce_seen_emit_wait(&ev->ack, ev->em, &data, id);
        if (rc == CE_OK || rc == CE_DROPPED || rc == CE_EMSGSIZE || rc == CE_EINVAL) {
            if (rc == CE_EMSGSIZE || rc == CE_EINVAL) {
                ce_log_kv(CE_LOG_ERROR, "the event bus refused a file event; it is skipped",
                          "eventName", ev->name, "descriptor-name", full.data, "error",
                          ce_rc_str(rc), NULL);
            }
            rc = CE_OK;
            break;
        }
        if (attempt == 0) {
            ce_log_kv(CE_LOG_WARN, "failed to publish a file event; it will be tried again",
                      "eventName", ev->name, "descriptor-name", full.data, "error", ce_rc_str(rc),
                      NULL);
        }
        if (fsw_halted(ev)) {
            break;
        }
        fsw_wait(ev, fsw_backoff_ms(attempt));
        rc = CE_OK;
    }
    ce_buf_fini(&full);
    ce_buf_fini(&data);
    ce_buf_fini(&key);
    return rc;
}

/* Writes (or deletes) name's record, trying again while the bus is away. */
static bool fsw_record(struct fsw_event *ev, const char *name, const struct ce_watch_stat *st)
{
    for (int attempt = 0;; attempt++) {
        int rc = st != NULL ? ce_seen_store_put(&ev->store, name, st)
                            : ce_seen_store_del(&ev->store, name);
        if (rc == CE_OK) {
            return true;
        }
        if (attempt == 0) {
            ce_log_kv(CE_LOG_WARN, "could not record a file's state; trying again", "eventName",
                      ev->name, "name", name, "error", ce_rc_str(rc), NULL);
        }
        if (fsw_halted(ev)) {
            return false;
        }
        fsw_wait(ev, fsw_backoff_ms(attempt));
    }
}

static bool fsw_same(const struct ce_watch_stat *a, const struct ce_watch_stat *b)
{
    return a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/* Whether the change is one already delivered (a listing and inotify both reporting it). */
static bool fsw_known(const struct fsw_event *ev, const char *name, unsigned op,
                      const struct ce_watch_stat *st, struct ce_watch_stat *last)
{
    const struct ce_seen_entry *e = ce_seen_set_get(&ev->seen, name);
    *last = e != NULL ? e->st : (struct ce_watch_stat){0};
    if (op == CE_WATCH_REMOVE || op == CE_WATCH_RENAME) {
        return e == NULL;
    }
    /* a WRITE or CHMOD is not (the state seen may already be the one after it): its id tells
     * repeats apart */
    return e != NULL && op == CE_WATCH_CREATE && fsw_same(&e->st, st);
}

bool fsw_deliver(struct fsw_event *ev, const char *name, unsigned op,
                 const struct ce_watch_stat *st)
{
    struct ce_watch_stat last;
    if (fsw_known(ev, name, op, st, &last)) {
        return true;
    }
    bool gone = op == CE_WATCH_REMOVE || op == CE_WATCH_RENAME;
    bool was_seen = ce_seen_set_get(&ev->seen, name) != NULL;
    atomic_fetch_add(&ev->sh->run.in_flight, 1);
    bool ok = op != ev->cfg->op || fsw_publish(ev, name, op, gone ? &last : st) == CE_OK;
    /* names are always recorded; a state only when the event's type depends on it */
    bool keep_state = (ev->cfg->op & (CE_WATCH_WRITE | CE_WATCH_CHMOD)) != 0 || !was_seen;
    if (ok && (gone || keep_state)) {
        ok = fsw_record(ev, name, gone ? NULL : st);
    }
    if (ok) {
        ce_seen_set_follow(&ev->seen, ev->name, name, gone, st);
    }
    atomic_fetch_sub(&ev->sh->run.in_flight, 1);
    return ok;
}
