/* SPDX-License-Identifier: Apache-2.0 */
/* Listing a file event's directory and delivering the difference from its records: at start
 * (what came, changed or went while the process was down), when the directory appears, after
 * an inotify queue overflow, and at every poll in polling mode. */
#include "eventsource/file/event.h"
#include "core/base/log.h"
#include "core/base/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct fsw_listing {
    char **names;
    struct ce_watch_stat *sts;
    size_t n, cap;
    bool truncated; /* CE_SEEN_MAX names taken, more were there */
};

static void listing_add(struct fsw_listing *l, const char *name, const struct stat *sb)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->names = ce_xrealloc(l->names, l->cap * sizeof(*l->names));
        l->sts = ce_xrealloc(l->sts, l->cap * sizeof(*l->sts));
    }
    l->names[l->n] = ce_xstrdup(name);
    l->sts[l->n] = (struct ce_watch_stat){
        .ino = (uint64_t)sb->st_ino,
        .size = (int64_t)sb->st_size,
        .mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec,
        .mode = (uint32_t)sb->st_mode,
    };
    l->n++;
}

static void listing_free(struct fsw_listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        ce_free(l->names[i]);
    }
    ce_free(l->names);
    ce_free(l->sts);
}

/* The watched names of the directory, with their state. false when it cannot be read. */
static bool fsw_list(struct fsw_event *ev, struct fsw_listing *l)
{
    DIR *d = opendir(ev->cfg->watch.dir);
    if (d == NULL) {
        return false;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat sb;
        if (l->n == CE_SEEN_MAX) {
            l->truncated = true;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strlen(de->d_name) >= CE_SEEN_NAME_MAX || !ce_watch_matches(&ev->match, de->d_name) ||
            fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            continue; /* not watched, or gone since readdir */
        }
        listing_add(l, de->d_name, &sb);
    }
    closedir(d);
    return true;
}

/* The first listing: what is there already is recorded, not fired. */
static bool fsw_take_baseline(struct fsw_event *ev, const struct fsw_listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct ce_seen_entry *e = ce_seen_set_get(&ev->seen, l->names[i]);
        if (e != NULL || !ce_seen_set_put(&ev->seen, l->names[i], &l->sts[i])) {
            continue;
        }
        while (ce_seen_store_put(&ev->store, l->names[i], &l->sts[i]) != CE_OK) {
            if (fsw_halted(ev)) {
                return false;
            }
            fsw_wait(ev, 1000);
        }
    }
    while (ce_seen_store_mark_baseline(&ev->store) != CE_OK) {
        if (fsw_halted(ev)) {
            return false;
        }
        fsw_wait(ev, 1000);
    }
    ev->baseline = true;
    char n[24];
    snprintf(n, sizeof n, "%zu", l->n);
    ce_log_kv(CE_LOG_INFO, "took the directory's first listing: its files are not fired",
              "eventName", ev->name, "files", n, NULL);
    return true;
}

bool fsw_rescan(struct fsw_event *ev)
{
    struct fsw_listing l = {0};
    if (!fsw_list(ev, &l)) {
        listing_free(&l);
        return false;
    }
    if (!ev->baseline) {
        (void)fsw_take_baseline(ev, &l);
        listing_free(&l);
        return true;
    }
    struct ce_seen_change *ch = NULL;
    size_t n = 0;
    ce_seen_diff(&ev->seen, l.names, l.sts, l.n, CE_WATCH_WRITE, true, &ch, &n);
    if (l.truncated) {
        ce_log_kv(CE_LOG_WARN, "too many files in the directory: only the first are watched",
                  "eventName", ev->name, NULL);
    }
    for (size_t i = 0; i < n && !fsw_halted(ev); i++) {
        /* a name past the cap is not gone */
        if (!(l.truncated && ch[i].op == CE_WATCH_REMOVE)) {
            (void)fsw_deliver(ev, ch[i].name, ch[i].op, &ch[i].st);
        }
    }
    ce_seen_changes_free(ch, n);
    listing_free(&l);
    return true;
}
