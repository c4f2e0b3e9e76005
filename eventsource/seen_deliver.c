/* SPDX-License-Identifier: Apache-2.0 */
/* See seen_deliver.h. */
#include "eventsource/seen_deliver.h"
#include "core/base/log.h"
#include "eventsource/emit.h"

bool ce_seen_run_halted(const struct ce_seen_run *r)
{
    return atomic_load(&r->stopping) || atomic_load(&r->quiescing);
}

void ce_seen_ack_init(struct ce_seen_ack *a)
{
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
}

void ce_seen_ack_fini(struct ce_seen_ack *a)
{
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
}

static void seen_on_done(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct ce_seen_ack *a = arg;
    pthread_mutex_lock(&a->mu);
    a->acked = true;
    a->ack_rc = rc;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

int ce_seen_emit_wait(struct ce_seen_ack *a, struct ce_emitter *em, const struct ce_buf *data,
                      const char *id)
{
    pthread_mutex_lock(&a->mu);
    a->acked = false;
    pthread_mutex_unlock(&a->mu);
    int rc = ce_emit_async(em, data->data, data->len, id, seen_on_done, a, NULL);
    if (rc != CE_OK) {
        return rc;
    }
    pthread_mutex_lock(&a->mu);
    while (!a->acked) { /* the bus answers every publish within its timeout */
        pthread_cond_wait(&a->cv, &a->mu);
    }
    rc = a->ack_rc;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

void ce_seen_set_follow(struct ce_seen_set *seen, const char *event_name, const char *name,
                        bool gone, const struct ce_watch_stat *st)
{
    if (gone) {
        ce_seen_set_del(seen, name);
    }
    else if (!ce_seen_set_put(seen, name, st)) {
        ce_log_kv(CE_LOG_WARN, "too many files in the directory: this one is not tracked",
                  "eventName", event_name, "name", name, NULL);
    }
}
