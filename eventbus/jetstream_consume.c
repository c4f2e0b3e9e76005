/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver's durable pull consumers, their messages and settlements, and the
 * stream's backlog per consumer (see jetstream_int.h). */
#include "eventbus/jetstream_int.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdio.h>
#include <string.h>

/* ---- consumers ---- */

int jsbus_consumer_create(struct ce_bus *bus, const char *subject, const char *durable,
                          struct ce_bus_consumer **out)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = JSBUS_STREAM;
    /* As Argo's PullSubscribe(subject, durable, AckExplicit(), DeliverNew()); the rest
     * (AckWait 30 s, unlimited deliveries) stays at the server defaults. */
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.DeliverPolicy = js_DeliverNew;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&sub, b->js, subject, durable, NULL, &so, &jerr);
    if (s != NATS_OK) {
        ce_log_kv(CE_LOG_ERROR, "Failed to subscribe", "subject", subject, "durable", durable,
                  "error", nats_GetLastError(NULL), NULL);
        int rc = jsbus_rc(s, jerr);
        return rc == CE_EUNAVAIL || rc == CE_ETIMEDOUT ? CE_EUNAVAIL : CE_EREMOTE;
    }
    struct jsbus_consumer *c = ce_xcalloc(1, sizeof(*c));
    c->base.drv = &ce_bus_jetstream_driver;
    c->bus = b;
    c->sub = sub;
    *out = &c->base;
    return CE_OK;
}

void jsbus_consumer_destroy(struct ce_bus_consumer *cons)
{
    struct jsbus_consumer *c = (struct jsbus_consumer *)cons;
    /* Destroy (not Unsubscribe) keeps the durable on the server. */
    natsSubscription_Destroy(c->sub);
    ce_free(c);
}

int jsbus_consumer_delete(struct ce_bus *bus, const char *durable)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    jsErrCode jerr = 0;
    natsStatus s = js_DeleteConsumer(b->js, JSBUS_STREAM, durable, NULL, &jerr);
    return jsbus_rc(s, jerr);
}

static struct ce_bus_msg *jsbus_wrap(natsMsg *nm)
{
    struct jsbus_msg *m = ce_xcalloc(1, sizeof(*m));
    m->base.drv = &ce_bus_jetstream_driver;
    m->m = nm;
    struct ce_bus_msg *pub = &m->base.pub;
    const char *data = natsMsg_GetData(nm);
    pub->subject = natsMsg_GetSubject(nm);
    pub->data = data != NULL ? data : "";
    pub->len = data != NULL ? (size_t)natsMsg_GetDataLength(nm) : 0;
    const char *id = NULL;
    pub->msg_id = natsMsgHeader_Get(nm, "Nats-Msg-Id", &id) == NATS_OK && id ? id : "";
    jsMsgMetaData *meta = NULL;
    if (natsMsg_GetMetaData(&meta, nm) == NATS_OK) {
        pub->stream_seq = meta->Sequence.Stream;
        pub->consumer_seq = meta->Sequence.Consumer;
        pub->num_delivered = meta->NumDelivered;
        pub->timestamp_ns = meta->Timestamp;
        jsMsgMetaData_Destroy(meta);
    }
    return pub;
}

int jsbus_consumer_fetch(struct ce_bus_consumer *cons, int max, int timeout_ms,
                         struct ce_bus_msg **msgs, int *n)
{
    struct jsbus_consumer *c = (struct jsbus_consumer *)cons;
    if (!jsbus_ready(c->bus)) {
        return CE_EUNAVAIL;
    }
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus s = natsSubscription_Fetch(&list, c->sub, max, timeout_ms, &jerr);
    if (s != NATS_OK || list.Count == 0) {
        natsMsgList_Destroy(&list);
        int rc = jsbus_rc(s == NATS_OK ? NATS_TIMEOUT : s, jerr);
        if (!jsbus_ready(c->bus)) {
            return CE_EUNAVAIL;
        }
        return rc == CE_ETIMEDOUT || rc == CE_EUNAVAIL ? rc : CE_EREMOTE;
    }
    for (int i = 0; i < list.Count && i < max; i++) {
        msgs[(*n)++] = jsbus_wrap(list.Msgs[i]);
        list.Msgs[i] = NULL;
    }
    natsMsgList_Destroy(&list);
    return CE_OK;
}

static int jsbus_settle_rc(natsStatus s, jsErrCode jerr)
{
    int rc = jsbus_rc(s, jerr);
    return rc == CE_ENOENT ? CE_EREMOTE : rc;
}

/* Whether a consumer serves someone: created, delivering or pulling within CE_BUS_ACTIVE_MS. */
static bool jsbus_consumer_active(const jsConsumerInfo *ci, int64_t now_ns)
{
    int64_t horizon = now_ns - (int64_t)CE_BUS_ACTIVE_MS * 1000000;
    return ci->NumWaiting > 0 || ci->Created > horizon || ci->Delivered.Last > horizon;
}

int jsbus_backlog(struct ce_bus *bus, struct ce_bus_backlog *out)
{
    struct jsbus *b = (struct jsbus *)bus;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = jsbus_stream_info(b, &si, &jerr);
    if (s != NATS_OK) {
        return jsbus_rc(s, jerr);
    }
    out->max_msgs = si->Config != NULL && si->Config->MaxMsgs > 0 ? si->Config->MaxMsgs : -1;
    uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    jsConsumerInfoList *list = NULL;
    s = js_Consumers(&list, b->js, JSBUS_STREAM, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        return CE_OK; /* cnats reports a stream without consumers as not found */
    }
    if (s != NATS_OK) {
        return jsbus_rc(s, jerr);
    }
    int64_t now = (int64_t)ce_clock_wall_ms() * 1000000;
    for (int i = 0; i < list->Count; i++) {
        const jsConsumerInfo *ci = list->List[i];
        /* what the consumer still needs: not yet delivered, or delivered and not acked */
        uint64_t behind =
            ci->NumPending + (uint64_t)(ci->NumAckPending > 0 ? ci->NumAckPending : 0);
        if (!jsbus_consumer_active(ci, now) || behind <= out->behind) {
            continue;
        }
        out->behind = behind;
        snprintf(out->consumer, sizeof out->consumer, "%s", ci->Name ? ci->Name : "");
        /* the oldest message it needs, where that is known: after the ack floor, or after
         * the last delivered when everything delivered was acked */
        uint64_t oldest = ci->NumAckPending > 0
                              ? (ci->AckFloor.Stream > 0 ? ci->AckFloor.Stream + 1 : 0)
                              : ci->Delivered.Stream + 1;
        out->evicted = oldest > 0 && first > oldest && last >= first ? first - oldest : 0;
    }
    jsConsumerInfoList_Destroy(list);
    return CE_OK;
}

int jsbus_msg_ack(struct ce_bus_msg *pub, bool wait)
{
    struct jsbus_msg *m = (struct jsbus_msg *)(void *)pub;
    jsErrCode jerr = 0;
    return jsbus_settle_rc(wait ? natsMsg_AckSync(m->m, NULL, &jerr) : natsMsg_Ack(m->m, NULL),
                           jerr);
}

int jsbus_msg_nak(struct ce_bus_msg *pub, int64_t delay_ms)
{
    struct jsbus_msg *m = (struct jsbus_msg *)(void *)pub;
    return jsbus_settle_rc(natsMsg_NakWithDelay(m->m, delay_ms, NULL), 0);
}

int jsbus_msg_in_progress(struct ce_bus_msg *pub)
{
    struct jsbus_msg *m = (struct jsbus_msg *)(void *)pub;
    return jsbus_settle_rc(natsMsg_InProgress(m->m, NULL), 0);
}

int jsbus_msg_term(struct ce_bus_msg *pub)
{
    struct jsbus_msg *m = (struct jsbus_msg *)(void *)pub;
    return jsbus_settle_rc(natsMsg_Term(m->m, NULL), 0);
}

void jsbus_msg_destroy(struct ce_bus_msg *pub)
{
    struct jsbus_msg *m = (struct jsbus_msg *)(void *)pub;
    natsMsg_Destroy(m->m);
    ce_free(m);
}
