/* SPDX-License-Identifier: Apache-2.0 */
/* The sftp EventSource: one thread per event logs in to its server and lists the directory
 * every pollIntervalDuration. What differs from the records (bus key-value store) is delivered
 * (event.c): new or changed files are CREATE, files gone are REMOVE, as Argo's listing diff
 * says; the first listing ever is only recorded, as Argo takes its first listing as seen. Unlike
 * Argo, the records outlive a restart (files that came meanwhile fire once, old ones never
 * again), and a failed publish is tried again at the next poll. A lost connection is
 * reconnected with a backoff, logged and counted; /readyz says not ready meanwhile. */
#include "eventsource/source.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/metrics.h"
#include "core/service/secrets.h"
#include "eventsource/emit.h"
#include "eventsource/sftp/event.h"
#include "manifest/model.h"

#include <stdio.h>
#include <string.h>

/* Every step of a connection (connect, handshake, one request) gives up after this. */
#define SFTP_TIMEOUT_MS 10000
/* Reconnects wait 1 s, 2 s, 4 s... up to this. */
#define SFTP_BACKOFF_MAX_MS 16000

struct sftp_state {
    struct sftp_shared sh;
    struct sftp_event *evs;
    int n_evs;
    bool lib;
};

/* ---- the connection ---- */

static void sftp_secret(const struct sftp_event *ev, const struct ce_secret_ref *ref, char **out,
                        int *rc)
{
    if (*rc != CE_OK || !ref->set) {
        return;
    }
    *rc = ce_secret_read(ev->secrets_dir, ref->name, ref->key, out, NULL);
    if (*rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot read a secret of the sftp event", "eventName", ev->name,
                  "secret", ref->name, "key", ref->key, "error", ce_rc_str(*rc), NULL);
    }
}

static int sftp_connect(struct sftp_event *ev, char *err, size_t errlen)
{
    const struct ce_sftp_config *cfg = ev->cfg;
    char *address = NULL, *user = NULL, *password = NULL, *key = NULL, *known = NULL;
    int rc = CE_OK;
    sftp_secret(ev, &cfg->address, &address, &rc);
    sftp_secret(ev, &cfg->username, &user, &rc);
    sftp_secret(ev, cfg->ssh_key.set ? &cfg->ssh_key : &cfg->password,
                cfg->ssh_key.set ? &key : &password, &rc);
    sftp_secret(ev, &cfg->known_hosts, &known, &rc);
    if (rc == CE_OK) {
        struct ce_sftp_login login = {.address = address,
                                      .username = user,
                                      .password = password,
                                      .key = key,
                                      .known_hosts = known};
        rc = ce_sftp_connect(&login, SFTP_TIMEOUT_MS, &ev->conn, err, errlen);
    }
    else {
        snprintf(err, errlen, "a secret cannot be read");
    }
    ce_free(address);
    ce_free(user);
    ce_free(password);
    ce_free(key);
    ce_free(known);
    return rc;
}

static int64_t sftp_backoff_ms(int failures)
{
    int64_t ms = (int64_t)1000 << (failures < 5 ? failures : 5);
    return ms < SFTP_BACKOFF_MAX_MS ? ms : SFTP_BACKOFF_MAX_MS;
}

/* Logs in; on failure waits the backoff. */
static bool sftp_ensure_connected(struct sftp_event *ev)
{
    char err[256] = "";
    if (ev->tried) {
        ce_metric_inc(ev->reconnects); /* every attempt after the first */
    }
    ev->tried = true;
    if (sftp_connect(ev, err, sizeof err) == CE_OK) {
        ev->failures = 0;
        atomic_store(&ev->connected, true);
        ce_log_kv(CE_LOG_INFO, "connected to the sftp server", "eventName", ev->name, NULL);
        if (!ev->cfg->known_hosts.set) {
            ce_log_kv(CE_LOG_WARN, "the sftp server's host key was not checked", "eventName",
                      ev->name, "insecureIgnoreHostKey",
                      ev->cfg->insecure_ignore_host_key ? "true" : "false", NULL);
        }
        return true;
    }
    int64_t wait = sftp_backoff_ms(ev->failures++);
    char attempt[16], next[24];
    snprintf(attempt, sizeof attempt, "%d", ev->failures);
    snprintf(next, sizeof next, "%lldms", (long long)wait);
    ce_log_kv(CE_LOG_WARN, "cannot connect to the sftp server; retrying", "eventName", ev->name,
              "error", err, "attempt", attempt, "retryIn", next, NULL);
    sftp_wait(ev, wait);
    return false;
}

static void sftp_drop(struct sftp_event *ev, const char *err)
{
    ce_sftp_close(ev->conn);
    ev->conn = NULL;
    atomic_store(&ev->connected, false);
    ce_log_kv(CE_LOG_WARN, "lost the connection to the sftp server; reconnecting", "eventName",
              ev->name, "error", err, NULL);
}

/* ---- a poll ---- */

/* The first listing: recorded, not fired. */
static bool sftp_take_baseline(struct sftp_event *ev, char **names, const struct ce_watch_stat *sts,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ce_seen_set_get(&ev->seen, names[i]) != NULL) {
            continue;
        }
        if (ce_seen_store_put(&ev->store, names[i], &sts[i]) != CE_OK) {
            return false;
        }
        (void)ce_seen_set_put(&ev->seen, names[i], &sts[i]);
    }
    if (ce_seen_store_mark_baseline(&ev->store) != CE_OK) {
        return false;
    }
    ev->baseline = true;
    char count[24];
    snprintf(count, sizeof count, "%zu", n);
    ce_log_kv(CE_LOG_INFO, "took the directory's first listing: its files are not fired",
              "eventName", ev->name, "files", count, NULL);
    return true;
}

/* The watched names of a listing, moved to the front; returns how many. */
static size_t sftp_keep_watched(const struct sftp_event *ev, char **names,
                                struct ce_watch_stat *sts, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ce_watch_matches(&ev->match, names[i])) {
            continue;
        }
        char *name = names[kept];
        names[kept] = names[i];
        names[i] = name;
        struct ce_watch_stat st = sts[kept];
        sts[kept] = sts[i];
        sts[i] = st;
        kept++;
    }
    return kept;
}

static void sftp_deliver_diff(struct sftp_event *ev, char **names, struct ce_watch_stat *sts,
                              size_t n, bool truncated)
{
    size_t watched = sftp_keep_watched(ev, names, sts, n);
    if (!ev->baseline) {
        (void)sftp_take_baseline(ev, names, sts, watched);
        return;
    }
    struct ce_seen_change *ch = NULL;
    size_t n_ch = 0;
    /* Argo: a file whose size or time changed is new again */
    ce_seen_diff(&ev->seen, names, sts, watched, CE_WATCH_CREATE, false, &ch, &n_ch);
    if (n_ch > 0) {
        char count[24];
        snprintf(count, sizeof count, "%zu", n_ch);
        ce_log_kv(CE_LOG_INFO, "found changes in the sftp directory", "eventName", ev->name,
                  "changes", count, NULL);
    }
    for (size_t i = 0; i < n_ch && !sftp_halted(ev); i++) {
        /* a name past the listing's cap is not gone */
        if (!(truncated && ch[i].op == CE_WATCH_REMOVE)) {
            (void)sftp_deliver(ev, ch[i].name, ch[i].op, &ch[i].st);
        }
    }
    ce_seen_changes_free(ch, n_ch);
}

static void sftp_poll(struct sftp_event *ev)
{
    char **names = NULL;
    struct ce_watch_stat *sts = NULL;
    size_t n = 0;
    char err[256] = "";
    bool truncated = false;
    int rc =
        ce_sftp_list(ev->conn, ev->cfg->watch.dir, &names, &sts, &n, &truncated, err, sizeof err);
    if (rc == CE_ENOENT) {
        if (!ev->told_missing) {
            ce_log_kv(CE_LOG_WARN, "cannot list the sftp directory; waiting for it", "eventName",
                      ev->name, "error", err, NULL);
            ev->told_missing = true;
        }
        return;
    }
    if (rc != CE_OK) {
        sftp_drop(ev, err);
        return;
    }
    ev->told_missing = false;
    if (truncated) {
        ce_log_kv(CE_LOG_WARN, "too many files in the sftp directory: only the first are watched",
                  "eventName", ev->name, NULL);
    }
    sftp_deliver_diff(ev, names, sts, n, truncated);
    ce_sftp_list_free(names, sts, n);
}

static bool sftp_load(struct sftp_event *ev)
{
    int rc = ce_seen_store_load(&ev->store, &ev->seen, &ev->baseline);
    if (rc != CE_OK) {
        if (ev->load_failures++ == 0) {
            ce_log_kv(CE_LOG_WARN, "waiting for the event bus to read the files seen", "eventName",
                      ev->name, "error", ce_rc_str(rc), NULL);
        }
        ce_seen_set_fini(&ev->seen);
        ce_seen_set_init(&ev->seen);
        sftp_wait(ev, 1000);
        return false;
    }
    ev->loaded = true;
    return true;
}

static void *sftp_main(void *arg)
{
    struct sftp_event *ev = arg;
    while (!atomic_load(&ev->sh->run.stopping)) {
        if (atomic_load(&ev->sh->run.quiescing)) {
            sftp_wait(ev, 200);
            continue;
        }
        if ((!ev->loaded && !sftp_load(ev)) || (ev->conn == NULL && !sftp_ensure_connected(ev))) {
            continue;
        }
        sftp_poll(ev);
        ce_seen_store_tidy(&ev->store); /* hourly */
        if (ev->conn != NULL) {
            sftp_wait(ev, ev->cfg->poll_ns / 1000000);
        }
    }
    return NULL;
}

/* ---- the plugin ---- */

static void sftp_event_fini(struct sftp_event *ev)
{
    ce_sftp_close(ev->conn);
    ce_seen_set_fini(&ev->seen);
    ce_seen_store_fini(&ev->store);
    ce_seen_ack_fini(&ev->ack);
}

static void sftp_stop(void *state)
{
    struct sftp_state *st = state;
    if (st == NULL) {
        return;
    }
    pthread_mutex_lock(&st->sh.mu);
    atomic_store(&st->sh.run.stopping, true);
    pthread_cond_broadcast(&st->sh.cv);
    pthread_mutex_unlock(&st->sh.mu);
    for (int i = 0; i < st->n_evs; i++) {
        if (st->evs[i].running) {
            pthread_join(st->evs[i].thread, NULL);
        }
    }
    for (int i = 0; i < st->n_evs; i++) {
        sftp_event_fini(&st->evs[i]);
    }
    if (st->lib) {
        ce_sftp_lib_exit();
    }
    pthread_cond_destroy(&st->sh.cv);
    pthread_mutex_destroy(&st->sh.mu);
    ce_free(st->evs);
    ce_free(st);
}

static void sftp_event_init(struct sftp_state *st, struct sftp_event *ev,
                            const struct ce_source_env *env, const struct ce_source_event *se)
{
    ev->sh = &st->sh;
    ev->cfg = se->spec->config;
    ev->em = se->em;
    ev->name = se->spec->name;
    ev->secrets_dir = env->secrets_dir;
    ev->match = (struct ce_watch_match){
        .dir = ev->cfg->watch.dir, .path = ev->cfg->watch.path, .re = ev->cfg->watch.re};
    ce_seen_set_init(&ev->seen);
    ce_seen_store_init(&ev->store, env->bus, CE_SFTPW_BUCKET, se->em->source_name,
                       se->em->event_name);
    ce_seen_ack_init(&ev->ack);
    char *l1 = ce_metrics_label_append("", "eventsource_name", se->em->source_name);
    char *labels = ce_metrics_label_append(l1, "event_name", se->em->event_name);
    ev->reconnects = ce_metrics_counter("cevents_eventsource_reconnects_total",
                                        "How many times a source tried to connect to its server "
                                        "again, after a failure or a lost connection.",
                                        labels);
    ce_free(l1);
    ce_free(labels);
    char every[32];
    snprintf(every, sizeof every, "%lldms", (long long)(ev->cfg->poll_ns / 1000000));
    ce_log_kv(CE_LOG_INFO, "started processing the sftp event source...", "eventName", ev->name,
              "directory", ev->cfg->watch.dir, "eventType", ev->cfg->event_type, "pollInterval",
              every, NULL);
}

static struct sftp_state *sftp_state_new(int n_events)
{
    struct sftp_state *st = ce_xcalloc(1, sizeof(*st));
    st->evs = ce_xcalloc((size_t)n_events + 1, sizeof(*st->evs));
    pthread_mutex_init(&st->sh.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->sh.cv, &ca);
    pthread_condattr_destroy(&ca);
    return st;
}

static int sftp_start(const struct ce_source_env *env, void **state)
{
    struct sftp_state *st = sftp_state_new(env->n_events);
    st->lib = ce_sftp_lib_init() == CE_OK;
    for (int i = 0; i < env->n_events; i++) {
        const struct ce_sftp_config *cfg = env->events[i].spec->config;
        if (!st->lib || cfg == NULL || cfg->watch.dir == NULL || cfg->op == 0) {
            ce_log_kv(CE_LOG_ERROR, "the sftp event cannot start", "eventName",
                      env->events[i].spec->name, NULL);
            sftp_stop(st);
            return CE_EINVAL;
        }
        sftp_event_init(st, &st->evs[st->n_evs++], env, &env->events[i]);
    }
    for (int i = 0; i < st->n_evs; i++) {
        if (pthread_create(&st->evs[i].thread, NULL, sftp_main, &st->evs[i]) != 0) {
            ce_log_kv(CE_LOG_ERROR, "cannot start an sftp thread", NULL);
            sftp_stop(st);
            return CE_EIO;
        }
        st->evs[i].running = true;
    }
    *state = st;
    return CE_OK;
}

static void sftp_quiesce(void *state)
{
    struct sftp_state *st = state;
    pthread_mutex_lock(&st->sh.mu);
    atomic_store(&st->sh.run.quiescing, true);
    pthread_cond_broadcast(&st->sh.cv);
    pthread_mutex_unlock(&st->sh.mu);
}

static int sftp_in_flight(void *state)
{
    struct sftp_state *st = state;
    return atomic_load(&st->sh.run.in_flight);
}

/* Ready while every event is logged in to its server. */
static bool sftp_ready(void *state)
{
    struct sftp_state *st = state;
    for (int i = 0; i < st->n_evs; i++) {
        if (!atomic_load(&st->evs[i].connected)) {
            return false;
        }
    }
    return true;
}

extern const struct ce_source_plugin ce_source_sftp;
const struct ce_source_plugin ce_source_sftp = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_sftp_decoder,
    .start = sftp_start,
    .quiesce = sftp_quiesce,
    .in_flight = sftp_in_flight,
    .stop = sftp_stop,
    .ready = sftp_ready,
};
