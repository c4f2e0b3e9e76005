/* SPDX-License-Identifier: Apache-2.0 */
/* The file EventSource: one thread per event watches its directory with inotify (or lists it
 * every FSW_POLL_MS when polling: network mounts give no notifications). A directory not there
 * yet is waited for; one removed is waited for again and, when it is back, listed: what changed
 * meanwhile is delivered. Each change is published with an id derived from (path, operation,
 * inode, size, mtime) and recorded in the bus's key-value store after the ack (event.c). */
#include "eventsource/source.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "eventsource/emit.h"
#include "eventsource/file/event.h"
#include "manifest/model.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* Argo's polling watcher looks every 100 ms. */
#define FSW_POLL_MS 100
/* How often a missing directory, or the bus for the records, is looked for. */
#define FSW_LOOK_MS 500

#define FSW_MASK                                                                                   \
    (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MODIFY | IN_MOVED_FROM | IN_ATTRIB |                 \
     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct fsw_state {
    struct fsw_shared sh;
    struct fsw_event *evs;
    int n_evs;
};

/* fsnotify's names for inotify's events, which Argo reports. */
static unsigned fsw_op_of(uint32_t mask)
{
    if (mask & (IN_CREATE | IN_MOVED_TO)) {
        return CE_WATCH_CREATE;
    }
    if (mask & IN_DELETE) {
        return CE_WATCH_REMOVE;
    }
    if (mask & IN_MODIFY) {
        return CE_WATCH_WRITE;
    }
    if (mask & IN_MOVED_FROM) {
        return CE_WATCH_RENAME;
    }
    return mask & IN_ATTRIB ? CE_WATCH_CHMOD : 0;
}

static void fsw_stat_of(const struct fsw_event *ev, const char *name, struct ce_watch_stat *st)
{
    char path[PATH_MAX];
    struct stat sb;
    *st = (struct ce_watch_stat){0};
    snprintf(path, sizeof path, "%s/%s", ev->cfg->watch.dir, name);
    if (lstat(path, &sb) == 0) {
        st->ino = (uint64_t)sb.st_ino;
        st->size = (int64_t)sb.st_size;
        st->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
        st->mode = (uint32_t)sb.st_mode;
    }
}

static void fsw_lost_dir(struct fsw_event *ev, const char *why)
{
    if (ev->wd >= 0) {
        (void)inotify_rm_watch(ev->ifd, ev->wd);
    }
    ev->wd = -1;
    ev->watching = false;
    ev->told_missing = false;
    ce_log_kv(CE_LOG_WARN, "the watched directory went away; waiting for it", "eventName", ev->name,
              "directory", ev->cfg->watch.dir, "reason", why, NULL);
}

/* One inotify record. false when the directory went away (or the queue overflowed: list). */
static bool fsw_on_inotify(struct fsw_event *ev, const struct inotify_event *ie, bool *overflow)
{
    if (ie->mask & IN_Q_OVERFLOW) {
        *overflow = true;
        return true;
    }
    if (ie->wd != ev->wd) {
        return true; /* an earlier watch of the directory */
    }
    if (ie->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
        fsw_lost_dir(ev, ie->mask & IN_MOVE_SELF ? "moved" : "removed");
        return false;
    }
    unsigned op = fsw_op_of(ie->mask);
    if (ie->len == 0 || op == 0 || !ce_watch_matches(&ev->match, ie->name)) {
        return true;
    }
    struct ce_watch_stat st;
    fsw_stat_of(ev, ie->name, &st);
    (void)fsw_deliver(ev, ie->name, op, &st);
    return true;
}

/* Waits for inotify's next records and delivers them. */
static void fsw_read_inotify(struct fsw_event *ev)
{
    struct pollfd p[2] = {{.fd = ev->ifd, .events = POLLIN}, {.fd = ev->wake[0], .events = POLLIN}};
    if (poll(p, 2, 1000) <= 0 || !(p[0].revents & POLLIN)) {
        return;
    }
    _Alignas(struct inotify_event) char buf[64 * 1024];
    ssize_t n = read(ev->ifd, buf, sizeof buf);
    bool overflow = false;
    for (ssize_t off = 0; n > 0 && off < n && !fsw_halted(ev);) {
        const struct inotify_event *ie = (const struct inotify_event *)(buf + off);
        off += (ssize_t)sizeof(*ie) + ie->len;
        if (!fsw_on_inotify(ev, ie, &overflow)) {
            return;
        }
    }
    if (overflow && !fsw_halted(ev)) {
        ce_log_kv(CE_LOG_WARN, "too many file notifications at once: listing the directory",
                  "eventName", ev->name, NULL);
        (void)fsw_rescan(ev);
    }
}

/* Reads the records (needs the bus). */
static bool fsw_load(struct fsw_event *ev)
{
    int rc = ce_seen_store_load(&ev->store, &ev->seen, &ev->baseline);
    if (rc != CE_OK) {
        if (ev->load_failures++ == 0) {
            ce_log_kv(CE_LOG_WARN, "waiting for the event bus to read the files seen", "eventName",
                      ev->name, "error", ce_rc_str(rc), NULL);
        }
        ce_seen_set_fini(&ev->seen);
        ce_seen_set_init(&ev->seen);
        return false;
    }
    ev->loaded = true;
    return true;
}

/* inotify misses what other machines change on a network file system: such a directory is
 * listed every FSW_POLL_MS instead (the event's data keeps inotify's form). */
static void fsw_check_remote(struct fsw_event *ev)
{
    struct statfs fs;
    const char *kind = ev->ifd >= 0 && statfs(ev->cfg->watch.dir, &fs) == 0
                           ? ce_fsw_remote_fs((long)fs.f_type)
                           : NULL;
    if (kind != NULL) {
        ce_log_kv(CE_LOG_WARN,
                  "the directory is on a network file system, which gives no notifications: "
                  "polling it",
                  "eventName", ev->name, "directory", ev->cfg->watch.dir, "fileSystem", kind, NULL);
        close(ev->ifd);
        ev->ifd = -1;
    }
}

/* Watches the directory once it is there, then lists it. */
static bool fsw_watch(struct fsw_event *ev)
{
    struct stat sb;
    if (stat(ev->cfg->watch.dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        if (!ev->told_missing) {
            ce_log_kv(CE_LOG_INFO, "waiting for the directory to exist", "eventName", ev->name,
                      "directory", ev->cfg->watch.dir, NULL);
            ev->told_missing = true;
        }
        if (!ev->baseline && ce_seen_store_mark_baseline(&ev->store) == CE_OK) {
            ev->baseline = true; /* not there at the first start: whatever comes is new */
        }
        return false;
    }
    fsw_check_remote(ev);
    if (ev->ifd >= 0) {
        ev->wd = inotify_add_watch(ev->ifd, ev->cfg->watch.dir, FSW_MASK);
        if (ev->wd < 0) {
            ce_log_kv(CE_LOG_WARN, "cannot watch the directory", "eventName", ev->name, "directory",
                      ev->cfg->watch.dir, "error", strerror(errno), NULL);
            return false;
        }
    }
    /* listed after the watch is set, so nothing falls between the two */
    if (!fsw_rescan(ev)) {
        return false;
    }
    ce_log_kv(CE_LOG_INFO,
              ev->ifd >= 0 ? "listening to file notifications..."
                           : "polling the directory for changes...",
              "eventName", ev->name, "directory", ev->cfg->watch.dir, NULL);
    ev->watching = true;
    return true;
}

static void *fsw_main(void *arg)
{
    struct fsw_event *ev = arg;
    while (!atomic_load(&ev->sh->run.stopping)) {
        if (atomic_load(&ev->sh->run.quiescing) || (!ev->loaded && !fsw_load(ev)) ||
            (!ev->watching && !fsw_watch(ev))) {
            fsw_wait(ev, FSW_LOOK_MS);
        }
        else if (ev->ifd < 0) {
            fsw_wait(ev, FSW_POLL_MS);
            if (!fsw_halted(ev) && !fsw_rescan(ev)) {
                fsw_lost_dir(ev, "cannot be listed");
            }
        }
        else {
            fsw_read_inotify(ev);
        }
        if (ev->loaded && !fsw_halted(ev)) {
            ce_seen_store_tidy(&ev->store); /* hourly; the loop turns at least every second */
        }
    }
    return NULL;
}

/* ---- the plugin ---- */

static void fsw_event_fini(struct fsw_event *ev)
{
    if (ev->ifd >= 0) {
        close(ev->ifd);
    }
    for (int i = 0; i < 2; i++) {
        if (ev->wake[i] >= 0) {
            close(ev->wake[i]);
        }
    }
    ce_seen_set_fini(&ev->seen);
    ce_seen_store_fini(&ev->store);
    ce_seen_ack_fini(&ev->ack);
}

static void file_stop(void *state)
{
    struct fsw_state *st = state;
    if (st == NULL) {
        return;
    }
    atomic_store(&st->sh.run.stopping, true);
    for (int i = 0; i < st->n_evs; i++) {
        if (st->evs[i].running) {
            ssize_t w = write(st->evs[i].wake[1], "x", 1);
            (void)w; /* a full pipe already wakes it */
            pthread_join(st->evs[i].thread, NULL);
        }
    }
    for (int i = 0; i < st->n_evs; i++) {
        fsw_event_fini(&st->evs[i]);
    }
    ce_free(st->evs);
    ce_free(st);
}

static int fsw_event_init(struct fsw_state *st, struct fsw_event *ev,
                          const struct ce_source_env *env, const struct ce_source_event *se)
{
    ev->sh = &st->sh;
    ev->cfg = se->spec->config;
    ev->em = se->em;
    ev->name = se->spec->name;
    ev->ifd = ev->wd = ev->wake[0] = ev->wake[1] = -1;
    ev->match = (struct ce_watch_match){
        .dir = ev->cfg->watch.dir, .path = ev->cfg->watch.path, .re = ev->cfg->watch.re};
    ce_seen_set_init(&ev->seen);
    ce_seen_store_init(&ev->store, env->bus, CE_FSW_BUCKET, se->em->source_name,
                       se->em->event_name);
    ce_seen_ack_init(&ev->ack);
    if (pipe(ev->wake) != 0 || fcntl(ev->wake[1], F_SETFL, O_NONBLOCK) != 0 ||
        (!ev->cfg->polling && (ev->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)) {
        ce_log_kv(CE_LOG_ERROR, "cannot set up a file watcher", "eventName", ev->name, "error",
                  strerror(errno), NULL);
        return CE_EIO;
    }
    ce_log_kv(CE_LOG_INFO, "started processing the file event source...", "eventName", ev->name,
              "directory", ev->cfg->watch.dir, "eventType", ev->cfg->event_type, NULL);
    return CE_OK;
}

static int file_start(const struct ce_source_env *env, void **state)
{
    struct fsw_state *st = ce_xcalloc(1, sizeof(*st));
    st->evs = ce_xcalloc((size_t)env->n_events + 1, sizeof(*st->evs));
    for (int i = 0; i < env->n_events; i++) {
        const struct ce_file_config *cfg = env->events[i].spec->config;
        int rc = CE_EINVAL;
        if (cfg == NULL || cfg->watch.dir == NULL || cfg->op == 0) {
            ce_log_kv(CE_LOG_ERROR, "the file event has no valid watch", "eventName",
                      env->events[i].spec->name, NULL);
        }
        else {
            rc = fsw_event_init(st, &st->evs[st->n_evs++], env, &env->events[i]);
        }
        if (rc != CE_OK) {
            file_stop(st);
            return rc;
        }
    }
    for (int i = 0; i < st->n_evs; i++) {
        if (pthread_create(&st->evs[i].thread, NULL, fsw_main, &st->evs[i]) != 0) {
            ce_log_kv(CE_LOG_ERROR, "cannot start a file watcher thread", NULL);
            file_stop(st);
            return CE_EIO;
        }
        st->evs[i].running = true;
    }
    *state = st;
    return CE_OK;
}

static void file_quiesce(void *state)
{
    struct fsw_state *st = state;
    atomic_store(&st->sh.run.quiescing, true);
}

static int file_in_flight(void *state)
{
    struct fsw_state *st = state;
    return atomic_load(&st->sh.run.in_flight);
}

extern const struct ce_source_plugin ce_source_file;
const struct ce_source_plugin ce_source_file = {
    .api_version = CE_SOURCE_API_VERSION,
    .block = &ce_file_decoder,
    .start = file_start,
    .quiesce = file_quiesce,
    .in_flight = file_in_flight,
    .stop = file_stop,
};
