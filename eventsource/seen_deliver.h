/* SPDX-License-Identifier: Apache-2.0 */
/* What the sources that list names and remember them (file, sftp) share when they deliver a
 * change: the flags a stop and a quiesce set and the count of changes under way, a publish that
 * waits for the bus's ack before the change is recorded, and the seen set following a change
 * once it is recorded. */
#ifndef CE_EVENTSOURCE_SEEN_DELIVER_H
#define CE_EVENTSOURCE_SEEN_DELIVER_H

#include "core/base/buf.h"
#include "core/base/rc.h"
#include "eventsource/seen_set.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct ce_emitter;

/* Shared by all the events of one source. */
struct ce_seen_run {
    atomic_bool stopping;
    atomic_bool quiescing;
    atomic_int in_flight; /* changes taken and not yet published and recorded */
};

/* Whether the event's thread should give up what it is doing (a stop or a quiesce). */
bool ce_seen_run_halted(const struct ce_seen_run *r);

/* One event's publish under way. */
struct ce_seen_ack {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool acked;
    int ack_rc;
};

void ce_seen_ack_init(struct ce_seen_ack *a);
void ce_seen_ack_fini(struct ce_seen_ack *a);
/* Publishes data with id through em and waits for the bus's answer, which it returns. */
int ce_seen_emit_wait(struct ce_seen_ack *a, struct ce_emitter *em, const struct ce_buf *data,
                      const char *id) CE_MUST_CHECK;

/* After name's change is recorded: forgets name when it is gone, else keeps st for it (a full
 * set is logged naming event_name, and the name is not tracked). */
void ce_seen_set_follow(struct ce_seen_set *seen, const char *event_name, const char *name,
                        bool gone, const struct ce_watch_stat *st);

#endif
