/* SPDX-License-Identifier: Apache-2.0 */
/* Per partition, the messages handed to the bus in offset order: the bus acknowledges them in
 * any order, and only the acknowledged prefix may be committed. */
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/metrics.h"
#include "eventsource/emit.h"
#include "eventsource/kafka/kafka_int.h"

#include <stdio.h>

static struct ce_metric *kq_lag_metric(const struct kq_event *ke, int32_t partition)
{
    char pbuf[16];
    snprintf(pbuf, sizeof(pbuf), "%d", (int)partition);
    const struct ce_emitter *em = ke->ev->em;
    const char *ns = ke->env->es->namespace_;
    char *l1 = ce_metrics_label_append("", "namespace", ns ? ns : "");
    char *l2 = ce_metrics_label_append(l1, "eventsource_name", em->source_name);
    char *l3 = ce_metrics_label_append(l2, "event_name", em->event_name);
    char *l4 = ce_metrics_label_append(l3, "topic", ke->cfg->topic);
    char *labels = ce_metrics_label_append(l4, "partition", pbuf);
    struct ce_metric *m = ce_metrics_gauge(
        "cevents_eventsource_kafka_lag",
        "Messages of the partition after the last one the bus acknowledged (consumer lag).",
        labels);
    ce_free(l1);
    ce_free(l2);
    ce_free(l3);
    ce_free(l4);
    ce_free(labels);
    return m;
}

struct kq_part *kq_part_get(struct kq_event *ke, int32_t partition, bool create)
{
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        if (p->partition == partition && !p->revoked) {
            return p;
        }
    }
    if (!create) {
        return NULL;
    }
    struct kq_part *p = ce_xcalloc(1, sizeof(*p));
    p->owner = ke;
    p->partition = partition;
    p->done_upto = -1;
    p->saved_upto = -1;
    p->lag = kq_lag_metric(ke, partition);
    p->next = ke->parts;
    ke->parts = p;
    return p;
}

struct kq_msg *kq_msg_add(struct kq_part *p, int64_t offset)
{
    struct kq_msg *m = ce_xcalloc(1, sizeof(*m));
    m->part = p;
    m->offset = offset;
    if (p->tail != NULL) {
        p->tail->next = m;
    }
    else {
        p->head = m;
    }
    p->tail = m;
    p->n_pending++;
    return m;
}

void kq_on_ack(void *arg, int rc, const char *event_id)
{
    (void)event_id;
    struct kq_msg *m = arg;
    /* m and its partition live until m is no longer pending, which only this call changes */
    struct kq_event *ke = m->part->owner;
    pthread_mutex_lock(&ke->mu);
    m->state = rc == CE_OK ? KQ_DONE : KQ_FAILED;
    atomic_fetch_sub(&ke->in_flight, 1);
    pthread_cond_broadcast(&ke->cv);
    pthread_mutex_unlock(&ke->mu);
}

/* Pops p's acknowledged prefix. Returns true when p starts rewinding. */
static bool kq_advance_part(struct kq_part *p)
{
    while (p->head != NULL && p->head->state != KQ_PENDING) {
        struct kq_msg *m = p->head;
        if (m->state == KQ_FAILED && !p->rewinding && !p->revoked) {
            p->rewinding = true;
            p->rewind_to = m->offset;
            p->retry_at_ms = 0;
            return true; /* keep it: later entries are dropped once the list settles */
        }
        if (p->rewinding) {
            if (m->offset < p->rewind_to && m->state == KQ_DONE) {
                p->done_upto = m->offset + 1;
            }
        }
        else {
            p->done_upto = m->offset + 1;
        }
        p->head = m->next;
        if (p->head == NULL) {
            p->tail = NULL;
        }
        p->n_pending--;
        ce_free(m);
    }
    return false;
}

int kq_advance(struct kq_event *ke)
{
    int started = 0;
    for (struct kq_part *p = ke->parts; p != NULL; p = p->next) {
        started += kq_advance_part(p);
        if (p->rewinding) {
            kq_advance_part(p); /* the refused head goes too: it is read again */
        }
    }
    return started;
}

void kq_reap(struct kq_event *ke)
{
    struct kq_part **pp = &ke->parts;
    while (*pp != NULL) {
        struct kq_part *p = *pp;
        if (p->revoked && p->head == NULL) {
            *pp = p->next;
            ce_free(p);
        }
        else {
            pp = &p->next;
        }
    }
}
