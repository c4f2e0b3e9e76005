/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory bus behind "memory://name": a stream with JetStream's semantics (dedup by
 * message id within the duplicates window, durable pull consumers with their own cursor,
 * explicit ack, redelivery after the ack wait, nak with delay, term) and KV buckets, for tests
 * that need no server. Publish callbacks and state changes run on one dispatcher thread per
 * bus handle, never on the publishing thread, so a caller may hold its own lock across
 * ce_bus_publish_async and take it again in the callback. */
#include "eventbus/membus.h"
#include "core/base/clock.h"
#include "eventbus/driver.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct membus_rec {
    uint64_t seq;
    char *subject;
    char *data;
    size_t len;
    char *msg_id;
    int64_t ts_ns;
};

struct membus_dedup {
    char *id;
    int64_t at_ms;
    struct membus_dedup *next;
};

/* A delivered message not yet acked or termed; due_ms is when it is delivered again. */
struct membus_inflight {
    uint64_t seq;
    int64_t due_ms;
    uint64_t delivered;
    struct membus_inflight *next;
};

struct membus_durable {
    char *name;
    char *filter;
    uint64_t next_seq;
    uint64_t consumer_seq;
    struct membus_inflight *inflight;
    struct membus_durable *next;
};

struct membus_kvent {
    char *key;
    char *val;
    size_t len;
    struct membus_kvent *next;
};

struct membus_bucket {
    char *name;
    struct membus_kvent *ents;
    struct membus_bucket *next;
};

struct membus;

/* Everything buses of one name share. Lives until the process ends. */
struct membus_store {
    char *name;
    bool connected;
    int ack_wait_ms;
    struct ce_stream_config scfg;
    struct membus_rec *recs; /* recs[0] has seq first_seq */
    size_t nrecs, caprecs;
    uint64_t first_seq, last_seq;
    struct membus_dedup *dedup;
    struct membus_durable *durables;
    struct membus_bucket *buckets;
    struct membus *handles;
    struct membus_store *next;
};

/* One queued callback: a publish outcome (cb set) or a state change. */
struct membus_event {
    ce_bus_publish_fn *cb;
    void *arg;
    int rc;
    bool up;
    struct membus_event *next;
};

struct membus {
    struct ce_bus base;
    struct membus_store *st;
    ce_bus_state_fn *state_fn;
    void *state_arg;
    int publish_timeout_ms;
    int max_pending;
    int pending;
    struct membus_event *qhead, *qtail;
    pthread_cond_t qcond;
    bool stop;
    pthread_t thr;
    struct membus *next_handle;
};

struct membus_consumer {
    struct ce_bus_consumer base;
    struct membus *bus;
    char *durable;
};

struct membus_msg {
    struct ce_bus_msg_base base;
    struct membus_store *st;
    char *durable;
    char *subject, *data, *msg_id;
};

struct membus_kv {
    struct ce_bus_kv base;
    struct membus *bus;
    char *bucket;
};

/* One lock for all in-memory buses: this driver is for tests, simplicity wins. */
static pthread_mutex_t membus_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t membus_changed;
static pthread_once_t membus_once = PTHREAD_ONCE_INIT;
static struct membus_store *membus_stores;

static void membus_init_cond(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

static void membus_init_once(void)
{
    membus_init_cond(&membus_changed);
}

static void membus_abstime(int64_t at_ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(at_ms / 1000);
    ts->tv_nsec = (long)(at_ms % 1000) * 1000000L;
}

static struct membus *membus_of(struct ce_bus *bus)
{
    return bus != NULL && bus->drv == &ce_bus_memory_driver ? (struct membus *)bus : NULL;
}

/* ---- the dispatcher thread ---- */

static void membus_enqueue(struct membus *b, ce_bus_publish_fn *cb, void *arg, int rc, bool up)
{
    struct membus_event *e = ce_xcalloc(1, sizeof(*e));
    e->cb = cb;
    e->arg = arg;
    e->rc = rc;
    e->up = up;
    if (b->qtail != NULL) {
        b->qtail->next = e;
    }
    else {
        b->qhead = e;
    }
    b->qtail = e;
    pthread_cond_signal(&b->qcond);
}

static void *membus_dispatch(void *arg)
{
    struct membus *b = arg;
    pthread_mutex_lock(&membus_mu);
    for (;;) {
        while (b->qhead == NULL && !b->stop) {
            pthread_cond_wait(&b->qcond, &membus_mu);
        }
        struct membus_event *e = b->qhead;
        if (e == NULL) {
            break; /* stopped and drained */
        }
        b->qhead = e->next;
        if (b->qhead == NULL) {
            b->qtail = NULL;
        }
        pthread_mutex_unlock(&membus_mu);
        if (e->cb != NULL) {
            e->cb(e->arg, e->rc, e->rc == CE_OK ? NULL : "rejected by the in-memory bus");
        }
        else if (b->state_fn != NULL) {
            b->state_fn(b->state_arg, e->up);
        }
        pthread_mutex_lock(&membus_mu);
        if (e->cb != NULL) {
            b->pending--;
        }
        ce_free(e);
    }
    pthread_mutex_unlock(&membus_mu);
    return NULL;
}

/* ---- bus handles ---- */

static struct membus_store *membus_store_get(const char *name, const struct ce_bus_config *cfg)
{
    for (struct membus_store *s = membus_stores; s != NULL; s = s->next) {
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    struct membus_store *s = ce_xcalloc(1, sizeof(*s));
    s->name = ce_xstrdup(name);
    s->connected = true;
    s->ack_wait_ms = 30000;
    s->scfg = cfg->stream;
    s->first_seq = 1;
    s->next = membus_stores;
    membus_stores = s;
    return s;
}

static int membus_create(const struct ce_bus_config *cfg, ce_bus_state_fn *state_fn,
                         void *state_arg, struct ce_bus **out)
{
    pthread_once(&membus_once, membus_init_once);
    const char *name = cfg->url + strlen("memory://");
    struct membus *b = ce_xcalloc(1, sizeof(*b));
    b->base.drv = &ce_bus_memory_driver;
    b->state_fn = state_fn;
    b->state_arg = state_arg;
    b->publish_timeout_ms = cfg->publish_timeout_ms;
    b->max_pending = cfg->max_pending;
    membus_init_cond(&b->qcond);
    pthread_mutex_lock(&membus_mu);
    b->st = membus_store_get(*name ? name : "default", cfg);
    b->next_handle = b->st->handles;
    b->st->handles = b;
    if (b->st->connected) {
        membus_enqueue(b, NULL, NULL, CE_OK, true);
    }
    pthread_mutex_unlock(&membus_mu);
    if (pthread_create(&b->thr, NULL, membus_dispatch, b) != 0) {
        pthread_mutex_lock(&membus_mu);
        b->st->handles = b->next_handle;
        pthread_mutex_unlock(&membus_mu);
        pthread_cond_destroy(&b->qcond);
        ce_free(b->qhead);
        ce_free(b);
        return CE_EIO;
    }
    *out = &b->base;
    return CE_OK;
}

static void membus_destroy(struct ce_bus *bus)
{
    struct membus *b = (struct membus *)bus;
    pthread_mutex_lock(&membus_mu);
    for (struct membus **pp = &b->st->handles; *pp != NULL; pp = &(*pp)->next_handle) {
        if (*pp == b) {
            *pp = b->next_handle;
            break;
        }
    }
    b->stop = true; /* the dispatcher drains the queue first: every callback runs once */
    pthread_cond_signal(&b->qcond);
    pthread_mutex_unlock(&membus_mu);
    pthread_join(b->thr, NULL);
    pthread_cond_destroy(&b->qcond);
    ce_free(b);
}

static bool membus_connected(struct ce_bus *bus)
{
    struct membus *b = (struct membus *)bus;
    pthread_mutex_lock(&membus_mu);
    bool up = b->st->connected;
    pthread_mutex_unlock(&membus_mu);
    return up;
}

static int membus_wait_connected(struct ce_bus *bus, int timeout_ms)
{
    struct membus *b = (struct membus *)bus;
    struct timespec dl;
    membus_abstime(ce_clock_mono_ms() + timeout_ms, &dl);
    pthread_mutex_lock(&membus_mu);
    while (!b->st->connected) {
        if (pthread_cond_timedwait(&membus_changed, &membus_mu, &dl) != 0) {
            break;
        }
    }
    int rc = b->st->connected ? CE_OK : CE_ETIMEDOUT;
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

static int membus_ensure_stream(struct ce_bus *bus)
{
    return membus_connected(bus) ? CE_OK : CE_EUNAVAIL;
}

void ce_membus_set_connected(struct ce_bus *bus, bool up)
{
    struct membus *b = membus_of(bus);
    if (b == NULL) {
        return;
    }
    pthread_mutex_lock(&membus_mu);
    if (b->st->connected != up) {
        b->st->connected = up;
        for (struct membus *h = b->st->handles; h != NULL; h = h->next_handle) {
            membus_enqueue(h, NULL, NULL, CE_OK, up);
        }
        pthread_cond_broadcast(&membus_changed);
    }
    pthread_mutex_unlock(&membus_mu);
}

void ce_membus_set_ack_wait_ms(struct ce_bus *bus, int ms)
{
    struct membus *b = membus_of(bus);
    if (b == NULL || ms <= 0) {
        return;
    }
    pthread_mutex_lock(&membus_mu);
    b->st->ack_wait_ms = ms;
    pthread_mutex_unlock(&membus_mu);
}

/* ---- the stream ---- */

static void membus_rec_free(struct membus_rec *r)
{
    ce_free(r->subject);
    ce_free(r->data);
    ce_free(r->msg_id);
}

static struct membus_rec *membus_rec_at(struct membus_store *s, uint64_t seq)
{
    if (seq < s->first_seq || seq > s->last_seq || s->nrecs == 0) {
        return NULL;
    }
    return &s->recs[seq - s->first_seq];
}

/* True when msg_id was stored within the duplicates window; forgets older ids. */
static bool membus_is_duplicate(struct membus_store *s, const char *msg_id, int64_t now)
{
    bool dup = false;
    for (struct membus_dedup **pp = &s->dedup; *pp != NULL;) {
        struct membus_dedup *d = *pp;
        if (now - d->at_ms > s->scfg.duplicates_ms) {
            *pp = d->next;
            ce_free(d->id);
            ce_free(d);
            continue;
        }
        dup = dup || strcmp(d->id, msg_id) == 0;
        pp = &d->next;
    }
    return dup;
}

static void membus_drop_oldest(struct membus_store *s)
{
    membus_rec_free(&s->recs[0]);
    memmove(&s->recs[0], &s->recs[1], (s->nrecs - 1) * sizeof(s->recs[0]));
    s->nrecs--;
    s->first_seq++;
}

static bool membus_subject_match(const char *filter, const char *subj);

/* Stores one message (the lock held). CE_OK, or CE_EREMOTE when the stream is full and
 * configured to discard new messages, or the subject is not the stream's (default.*.*), as
 * JetStream answers a publish nobody stores. */
static int membus_store_msg(struct membus_store *s, const char *subject, const char *msg_id,
                            const void *data, size_t len)
{
    if (!membus_subject_match("default.*.*", subject)) {
        return CE_EREMOTE;
    }
    int64_t now = ce_clock_mono_ms();
    if (*msg_id != '\0' && membus_is_duplicate(s, msg_id, now)) {
        return CE_OK; /* a duplicate counts as stored */
    }
    if (s->scfg.max_msgs > 0 && (int64_t)s->nrecs >= s->scfg.max_msgs) {
        if (s->scfg.discard == 1) {
            return CE_EREMOTE;
        }
        membus_drop_oldest(s);
    }
    if (s->nrecs == s->caprecs) {
        s->caprecs = s->caprecs ? s->caprecs * 2 : 64;
        s->recs = ce_xrealloc(s->recs, s->caprecs * sizeof(s->recs[0]));
    }
    struct membus_rec *r = &s->recs[s->nrecs++];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r->seq = ++s->last_seq;
    r->subject = ce_xstrdup(subject);
    r->data = ce_xmalloc(len + 1);
    if (len > 0) {
        memcpy(r->data, data, len);
    }
    r->data[len] = '\0';
    r->len = len;
    r->msg_id = ce_xstrdup(msg_id);
    r->ts_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    if (*msg_id != '\0') {
        struct membus_dedup *d = ce_xcalloc(1, sizeof(*d));
        d->id = ce_xstrdup(msg_id);
        d->at_ms = now;
        d->next = s->dedup;
        s->dedup = d;
    }
    pthread_cond_broadcast(&membus_changed);
    return CE_OK;
}

static int membus_publish_async(struct ce_bus *bus, const char *subject, const char *msg_id,
                                const void *data, size_t len, ce_bus_publish_fn *cb, void *arg)
{
    struct membus *b = (struct membus *)bus;
    pthread_mutex_lock(&membus_mu);
    int rc = CE_OK;
    if (!b->st->connected) {
        rc = CE_EUNAVAIL;
    }
    else if (b->pending >= b->max_pending) {
        rc = CE_ETOOBIG;
    }
    else {
        b->pending++;
        membus_enqueue(b, cb, arg, membus_store_msg(b->st, subject, msg_id, data, len), false);
    }
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

static int membus_publish(struct ce_bus *bus, const char *subject, const char *msg_id,
                          const void *data, size_t len)
{
    struct membus *b = (struct membus *)bus;
    return ce_bus_publish_wait(bus, subject, msg_id, data, len, b->publish_timeout_ms);
}

/* ---- consumers ---- */

/* NATS subject matching with '*' (one token) and '>' (the rest). */
static bool membus_subject_match(const char *filter, const char *subj)
{
    while (*filter != '\0') {
        const char *fe = strchr(filter, '.');
        const char *se = strchr(subj, '.');
        size_t fl = fe ? (size_t)(fe - filter) : strlen(filter);
        size_t sl = se ? (size_t)(se - subj) : strlen(subj);
        if (fl == 1 && *filter == '>') {
            return *subj != '\0';
        }
        if (*subj == '\0' ||
            !((fl == 1 && *filter == '*') || (fl == sl && memcmp(filter, subj, fl) == 0))) {
            return false;
        }
        filter += fl + (fe ? 1 : 0);
        subj += sl + (se ? 1 : 0);
        if ((fe == NULL) != (se == NULL)) {
            return false;
        }
    }
    return *subj == '\0';
}

static struct membus_durable *membus_durable_find(struct membus_store *s, const char *name)
{
    for (struct membus_durable *d = s->durables; d != NULL; d = d->next) {
        if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

static void membus_durable_free(struct membus_durable *d)
{
    while (d->inflight != NULL) {
        struct membus_inflight *f = d->inflight;
        d->inflight = f->next;
        ce_free(f);
    }
    ce_free(d->name);
    ce_free(d->filter);
    ce_free(d);
}

static int membus_consumer_create(struct ce_bus *bus, const char *subject, const char *durable,
                                  struct ce_bus_consumer **out)
{
    struct membus *b = (struct membus *)bus;
    int rc = CE_OK;
    pthread_mutex_lock(&membus_mu);
    struct membus_durable *d = membus_durable_find(b->st, durable);
    if (!b->st->connected) {
        rc = CE_EUNAVAIL;
    }
    else if (d != NULL && strcmp(d->filter, subject) != 0) {
        rc = CE_EREMOTE; /* JetStream refuses to rebind a durable to another subject */
    }
    else if (d == NULL) {
        d = ce_xcalloc(1, sizeof(*d));
        d->name = ce_xstrdup(durable);
        d->filter = ce_xstrdup(subject);
        d->next_seq = b->st->last_seq + 1; /* deliver-new */
        d->next = b->st->durables;
        b->st->durables = d;
    }
    pthread_mutex_unlock(&membus_mu);
    if (rc != CE_OK) {
        return rc;
    }
    struct membus_consumer *c = ce_xcalloc(1, sizeof(*c));
    c->base.drv = &ce_bus_memory_driver;
    c->bus = b;
    c->durable = ce_xstrdup(durable);
    *out = &c->base;
    return CE_OK;
}

static void membus_consumer_destroy(struct ce_bus_consumer *cons)
{
    struct membus_consumer *c = (struct membus_consumer *)cons;
    ce_free(c->durable);
    ce_free(c);
}

static int membus_consumer_delete(struct ce_bus *bus, const char *durable)
{
    struct membus *b = (struct membus *)bus;
    int rc = CE_ENOENT;
    pthread_mutex_lock(&membus_mu);
    if (!b->st->connected) {
        rc = CE_EUNAVAIL;
    }
    for (struct membus_durable **pp = &b->st->durables; rc == CE_ENOENT && *pp != NULL;
         pp = &(*pp)->next) {
        if (strcmp((*pp)->name, durable) == 0) {
            struct membus_durable *d = *pp;
            *pp = d->next;
            membus_durable_free(d);
            rc = CE_OK;
            break;
        }
    }
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

static struct ce_bus_msg *membus_msg_new(struct membus_store *s, struct membus_durable *d,
                                         const struct membus_rec *r, uint64_t delivered)
{
    struct membus_msg *m = ce_xcalloc(1, sizeof(*m));
    m->base.drv = &ce_bus_memory_driver;
    m->st = s;
    m->durable = ce_xstrdup(d->name);
    m->subject = ce_xstrdup(r->subject);
    m->data = ce_xmalloc(r->len + 1);
    memcpy(m->data, r->data, r->len + 1);
    m->msg_id = ce_xstrdup(r->msg_id);
    m->base.pub.subject = m->subject;
    m->base.pub.data = m->data;
    m->base.pub.len = r->len;
    m->base.pub.msg_id = m->msg_id;
    m->base.pub.stream_seq = r->seq;
    m->base.pub.consumer_seq = ++d->consumer_seq;
    m->base.pub.num_delivered = delivered;
    m->base.pub.timestamp_ns = r->ts_ns;
    return &m->base.pub;
}

/* Hands out due redeliveries, then new messages, up to max (the lock held). */
static int membus_collect(struct membus_store *s, struct membus_durable *d, int max,
                          struct ce_bus_msg **msgs, int64_t now)
{
    int n = 0;
    for (struct membus_inflight **pp = &d->inflight; *pp != NULL && n < max;) {
        struct membus_inflight *f = *pp;
        struct membus_rec *r = membus_rec_at(s, f->seq);
        if (r == NULL) { /* aged out of the stream */
            *pp = f->next;
            ce_free(f);
            continue;
        }
        if (f->due_ms <= now) {
            f->delivered++;
            f->due_ms = now + s->ack_wait_ms;
            msgs[n++] = membus_msg_new(s, d, r, f->delivered);
        }
        pp = &f->next;
    }
    if (d->next_seq < s->first_seq) {
        d->next_seq = s->first_seq;
    }
    for (; n < max && d->next_seq <= s->last_seq; d->next_seq++) {
        struct membus_rec *r = membus_rec_at(s, d->next_seq);
        if (r == NULL || !membus_subject_match(d->filter, r->subject)) {
            continue;
        }
        struct membus_inflight *f = ce_xcalloc(1, sizeof(*f));
        f->seq = r->seq;
        f->delivered = 1;
        f->due_ms = now + s->ack_wait_ms;
        struct membus_inflight **tail = &d->inflight;
        while (*tail != NULL) {
            tail = &(*tail)->next;
        }
        *tail = f;
        msgs[n++] = membus_msg_new(s, d, r, 1);
    }
    return n;
}

static int membus_consumer_fetch(struct ce_bus_consumer *cons, int max, int timeout_ms,
                                 struct ce_bus_msg **msgs, int *n)
{
    struct membus_consumer *c = (struct membus_consumer *)cons;
    struct membus_store *s = c->bus->st;
    int64_t deadline = ce_clock_mono_ms() + timeout_ms;
    int rc = CE_ETIMEDOUT;
    pthread_mutex_lock(&membus_mu);
    for (;;) {
        struct membus_durable *d = membus_durable_find(s, c->durable);
        if (!s->connected || d == NULL) {
            rc = s->connected ? CE_EREMOTE : CE_EUNAVAIL;
            break;
        }
        int64_t now = ce_clock_mono_ms();
        *n = membus_collect(s, d, max, msgs, now);
        if (*n > 0) {
            rc = CE_OK;
            break;
        }
        if (now >= deadline) {
            break;
        }
        int64_t wake = deadline;
        for (struct membus_inflight *f = d->inflight; f != NULL; f = f->next) {
            wake = f->due_ms < wake ? f->due_ms : wake;
        }
        struct timespec ts;
        membus_abstime(wake, &ts);
        pthread_cond_timedwait(&membus_changed, &membus_mu, &ts);
    }
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

enum membus_ack_kind { MEMBUS_ACK, MEMBUS_NAK, MEMBUS_WIP, MEMBUS_TERM };

static int membus_settle(struct ce_bus_msg *pub, enum membus_ack_kind kind, int64_t delay_ms)
{
    struct membus_msg *m = (struct membus_msg *)(void *)pub;
    int rc = CE_OK;
    pthread_mutex_lock(&membus_mu);
    struct membus_durable *d = membus_durable_find(m->st, m->durable);
    if (!m->st->connected) {
        rc = CE_EUNAVAIL;
    }
    else if (d == NULL) {
        rc = CE_EREMOTE;
    }
    for (struct membus_inflight **pp = d && rc == CE_OK ? &d->inflight : NULL; pp && *pp;
         pp = &(*pp)->next) {
        struct membus_inflight *f = *pp;
        if (f->seq != pub->stream_seq) {
            continue;
        }
        if (kind == MEMBUS_ACK || kind == MEMBUS_TERM) {
            *pp = f->next;
            ce_free(f);
        }
        else {
            f->due_ms = ce_clock_mono_ms() + (kind == MEMBUS_NAK ? delay_ms : m->st->ack_wait_ms);
        }
        pthread_cond_broadcast(&membus_changed);
        break;
    }
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

/* What durable d still needs: messages on its subjects not yet delivered, plus those delivered
 * and not acked; *oldest is the first of them by stream sequence (0: none). The lock held. */
static uint64_t membus_behind(const struct membus_store *s, const struct membus_durable *d,
                              uint64_t *oldest)
{
    uint64_t behind = 0;
    *oldest = 0;
    for (const struct membus_inflight *f = d->inflight; f != NULL; f = f->next) {
        behind++;
        *oldest = *oldest == 0 || f->seq < *oldest ? f->seq : *oldest;
    }
    for (size_t i = 0; i < s->nrecs; i++) {
        const struct membus_rec *r = &s->recs[i];
        if (r->seq >= d->next_seq && membus_subject_match(d->filter, r->subject)) {
            behind++;
            *oldest = *oldest == 0 || r->seq < *oldest ? r->seq : *oldest;
        }
    }
    /* what the limit dropped before it was delivered is lost to it too */
    if (d->next_seq < s->first_seq && (*oldest == 0 || d->next_seq < *oldest)) {
        *oldest = d->next_seq;
    }
    return behind;
}

/* The stream's limit and the durable furthest behind, as the JetStream driver reports them. */
static int membus_backlog(struct ce_bus *bus, struct ce_bus_backlog *out)
{
    struct membus_store *s = membus_of(bus)->st;
    pthread_mutex_lock(&membus_mu);
    out->max_msgs = s->scfg.max_msgs > 0 ? s->scfg.max_msgs : -1;
    for (const struct membus_durable *d = s->durables; d != NULL; d = d->next) {
        uint64_t oldest = 0;
        uint64_t behind = membus_behind(s, d, &oldest);
        if (behind <= out->behind) {
            continue;
        }
        out->behind = behind;
        snprintf(out->consumer, sizeof out->consumer, "%s", d->name);
        out->evicted = oldest > 0 && s->first_seq > oldest ? s->first_seq - oldest : 0;
    }
    pthread_mutex_unlock(&membus_mu);
    return CE_OK;
}

static int membus_msg_ack(struct ce_bus_msg *m, bool wait)
{
    (void)wait; /* in memory every ack is final at once */
    return membus_settle(m, MEMBUS_ACK, 0);
}

static int membus_msg_nak(struct ce_bus_msg *m, int64_t delay_ms)
{
    return membus_settle(m, MEMBUS_NAK, delay_ms);
}

static int membus_msg_in_progress(struct ce_bus_msg *m)
{
    return membus_settle(m, MEMBUS_WIP, 0);
}

static int membus_msg_term(struct ce_bus_msg *m)
{
    return membus_settle(m, MEMBUS_TERM, 0);
}

static void membus_msg_destroy(struct ce_bus_msg *pub)
{
    struct membus_msg *m = (struct membus_msg *)(void *)pub;
    ce_free(m->durable);
    ce_free(m->subject);
    ce_free(m->data);
    ce_free(m->msg_id);
    ce_free(m);
}

/* ---- KV ---- */

static int membus_kv_open(struct ce_bus *bus, const char *bucket, struct ce_bus_kv **out)
{
    struct membus *b = (struct membus *)bus;
    pthread_mutex_lock(&membus_mu);
    bool up = b->st->connected;
    struct membus_bucket *k = b->st->buckets;
    while (up && k != NULL && strcmp(k->name, bucket) != 0) {
        k = k->next;
    }
    if (up && k == NULL) {
        k = ce_xcalloc(1, sizeof(*k));
        k->name = ce_xstrdup(bucket);
        k->next = b->st->buckets;
        b->st->buckets = k;
    }
    pthread_mutex_unlock(&membus_mu);
    if (!up) {
        return CE_EUNAVAIL;
    }
    struct membus_kv *kv = ce_xcalloc(1, sizeof(*kv));
    kv->base.drv = &ce_bus_memory_driver;
    kv->bus = b;
    kv->bucket = ce_xstrdup(bucket);
    *out = &kv->base;
    return CE_OK;
}

static void membus_kv_close(struct ce_bus_kv *kvb)
{
    struct membus_kv *kv = (struct membus_kv *)kvb;
    ce_free(kv->bucket);
    ce_free(kv);
}

/* The bucket of kv with the lock held, or NULL when the bus is down. */
static struct membus_bucket *membus_kv_bucket(struct membus_kv *kv)
{
    if (!kv->bus->st->connected) {
        return NULL;
    }
    for (struct membus_bucket *k = kv->bus->st->buckets; k != NULL; k = k->next) {
        if (strcmp(k->name, kv->bucket) == 0) {
            return k;
        }
    }
    return NULL;
}

static struct membus_kvent **membus_kv_slot(struct membus_bucket *k, const char *key)
{
    struct membus_kvent **pp = &k->ents;
    while (*pp != NULL && strcmp((*pp)->key, key) != 0) {
        pp = &(*pp)->next;
    }
    return pp;
}

static int membus_kv_get(struct ce_bus_kv *kvb, const char *key, char **val, size_t *len)
{
    int rc = CE_ENOENT;
    pthread_mutex_lock(&membus_mu);
    struct membus_bucket *k = membus_kv_bucket((struct membus_kv *)kvb);
    struct membus_kvent *e = k ? *membus_kv_slot(k, key) : NULL;
    if (k == NULL) {
        rc = CE_EUNAVAIL;
    }
    else if (e != NULL) {
        *val = ce_xmalloc(e->len + 1);
        memcpy(*val, e->val, e->len + 1);
        if (len != NULL) {
            *len = e->len;
        }
        rc = CE_OK;
    }
    pthread_mutex_unlock(&membus_mu);
    return rc;
}

static int membus_kv_put(struct ce_bus_kv *kvb, const char *key, const void *val, size_t len)
{
    pthread_mutex_lock(&membus_mu);
    struct membus_bucket *k = membus_kv_bucket((struct membus_kv *)kvb);
    if (k != NULL) {
        struct membus_kvent **pp = membus_kv_slot(k, key);
        if (*pp == NULL) {
            *pp = ce_xcalloc(1, sizeof(**pp));
            (*pp)->key = ce_xstrdup(key);
        }
        ce_free((*pp)->val);
        (*pp)->val = ce_xmalloc(len + 1);
        if (len > 0) {
            memcpy((*pp)->val, val, len);
        }
        (*pp)->val[len] = '\0';
        (*pp)->len = len;
    }
    pthread_mutex_unlock(&membus_mu);
    return k != NULL ? CE_OK : CE_EUNAVAIL;
}

static int membus_kv_delete(struct ce_bus_kv *kvb, const char *key)
{
    pthread_mutex_lock(&membus_mu);
    struct membus_bucket *k = membus_kv_bucket((struct membus_kv *)kvb);
    struct membus_kvent **pp = k ? membus_kv_slot(k, key) : NULL;
    if (pp != NULL && *pp != NULL) {
        struct membus_kvent *e = *pp;
        *pp = e->next;
        ce_free(e->key);
        ce_free(e->val);
        ce_free(e);
    }
    pthread_mutex_unlock(&membus_mu);
    return k != NULL ? CE_OK : CE_EUNAVAIL;
}

static int membus_kv_keys(struct ce_bus_kv *kvb, char ***keys, int *n)
{
    pthread_mutex_lock(&membus_mu);
    struct membus_bucket *k = membus_kv_bucket((struct membus_kv *)kvb);
    int cnt = 0;
    for (struct membus_kvent *e = k ? k->ents : NULL; e != NULL; e = e->next) {
        cnt++;
    }
    if (k != NULL && cnt > 0) {
        *keys = ce_xcalloc((size_t)cnt, sizeof(char *));
        int i = 0;
        for (struct membus_kvent *e = k->ents; e != NULL; e = e->next) {
            (*keys)[i++] = ce_xstrdup(e->key);
        }
        *n = cnt;
    }
    pthread_mutex_unlock(&membus_mu);
    return k != NULL ? CE_OK : CE_EUNAVAIL;
}

/* A delete here removes the entry itself: nothing is left to purge. */
static int membus_kv_purge_deletes(struct ce_bus_kv *kvb, int64_t older_than_ms)
{
    (void)older_than_ms;
    pthread_mutex_lock(&membus_mu);
    bool up = membus_kv_bucket((struct membus_kv *)kvb) != NULL;
    pthread_mutex_unlock(&membus_mu);
    return up ? CE_OK : CE_EUNAVAIL;
}

const struct ce_bus_driver ce_bus_memory_driver = {
    .name = "memory",
    .create = membus_create,
    .destroy = membus_destroy,
    .connected = membus_connected,
    .wait_connected = membus_wait_connected,
    .ensure_stream = membus_ensure_stream,
    .publish_async = membus_publish_async,
    .publish = membus_publish,
    .consumer_create = membus_consumer_create,
    .consumer_destroy = membus_consumer_destroy,
    .consumer_delete = membus_consumer_delete,
    .consumer_fetch = membus_consumer_fetch,
    .msg_ack = membus_msg_ack,
    .backlog = membus_backlog,
    .msg_nak = membus_msg_nak,
    .msg_in_progress = membus_msg_in_progress,
    .msg_term = membus_msg_term,
    .msg_destroy = membus_msg_destroy,
    .kv_open = membus_kv_open,
    .kv_close = membus_kv_close,
    .kv_get = membus_kv_get,
    .kv_put = membus_kv_put,
    .kv_delete = membus_kv_delete,
    .kv_keys = membus_kv_keys,
    .kv_purge_deletes = membus_kv_purge_deletes,
};
