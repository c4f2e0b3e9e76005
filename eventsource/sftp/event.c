/* SPDX-License-Identifier: Apache-2.0 */
/* Delivering one change an sftp listing found (see event.h): publish when it is the event's
 * type, wait for the bus's ack, then record the name's state. A change is recorded only once
 * it was published, so a failed publish is found again, and tried again, at the next poll. */
#include "eventsource/sftp/event.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/emit.h"

#include <string.h>
#include <time.h>

bool sftp_halted(const struct sftp_event *ev)
{
    return ce_seen_run_halted(&ev->sh->run);
}

void sftp_wait(struct sftp_event *ev, int64_t ms)
{
    struct timespec dl;
    ce_clock_deadline(ms, &dl);
    pthread_mutex_lock(&ev->sh->mu);
    while (!atomic_load(&ev->sh->run.stopping) &&
           pthread_cond_timedwait(&ev->sh->cv, &ev->sh->mu, &dl) == 0) {
    }
    pthread_mutex_unlock(&ev->sh->mu);
}

static int sftp_publish(struct sftp_event *ev, const char *name, unsigned op,
                        const struct ce_watch_stat *st)
{
    struct ce_buf data, key, path;
    ce_buf_init(&data, 0);
    ce_buf_init(&key, 0);
    ce_buf_init(&path, 0);
    int rc = ce_watch_event_data(name, op, ev->cfg->metadata, ev->cfg->n_metadata, &data);
    if (rc == CE_OK) {
        rc = ce_buf_printf(&path, "%s/%s", ev->cfg->watch.dir, name);
    }
    ce_watch_event_key(path.data != NULL ? path.data : name, op, st, &key);
    char id[33];
    ce_emit_id_from_key(ev->em->source_name, ev->em->event_name, key.data, key.len, id);
    ce_log_kv(CE_LOG_INFO, "sftp event", "eventName", ev->name, "event-type", ce_watch_op_name(op),
              "descriptor-name", name, NULL);
    if (rc == CE_OK) {
        rc = ce_seen_emit_wait(&ev->ack, ev->em, &data, id);
    }
    if (rc == CE_EMSGSIZE || rc == CE_EINVAL) {
        ce_log_kv(CE_LOG_ERROR, "the event bus refused an sftp event; it is skipped", "eventName",
                  ev->name, "descriptor-name", name, "error", ce_rc_str(rc), NULL);
        rc = CE_OK; /* trying again cannot help */
    }
    else if (rc != CE_OK && rc != CE_DROPPED) {
        ce_log_kv(CE_LOG_WARN,
                  "failed to publish an sftp event; it is tried again at the next poll",
                  "eventName", ev->name, "descriptor-name", name, "error", ce_rc_str(rc), NULL);
    }
    ce_buf_fini(&data);
    ce_buf_fini(&key);
    ce_buf_fini(&path);
    return rc == CE_DROPPED ? CE_OK : rc;
}

bool sftp_deliver(struct sftp_event *ev, const char *name, unsigned op,
                  const struct ce_watch_stat *st)
{
    bool gone = op == CE_WATCH_REMOVE;
    atomic_fetch_add(&ev->sh->run.in_flight, 1);
    bool ok = op != ev->cfg->op || sftp_publish(ev, name, op, st) == CE_OK;
    if (ok) {
        int rc =
            gone ? ce_seen_store_del(&ev->store, name) : ce_seen_store_put(&ev->store, name, st);
        if (rc != CE_OK) {
            ce_log_kv(CE_LOG_WARN, "could not record a file's state; the next poll tries again",
                      "eventName", ev->name, "name", name, "error", ce_rc_str(rc), NULL);
            ok = false;
        }
    }
    if (ok) {
        ce_seen_set_follow(&ev->seen, ev->name, name, gone, st);
    }
    atomic_fetch_sub(&ev->sh->run.in_flight, 1);
    return ok;
}
