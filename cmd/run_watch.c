/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run --watch DIR`: inotify on DIR and each of its subdirectories. Editors save
 * through temporary files and renames, several writes a save, so events only mark the tree
 * dirty; after a quiet moment the whole tree is listed again (as loading lists it) and each
 * manifest file whose bytes changed is read again. Listing again instead of trusting single
 * events also catches a directory moved in with files, and a lost event (queue overflow). */
#include "cmd/run_watch.h"
#include "core/base/clock.h"
#include "core/base/file.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "manifest/model.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define WATCH_QUIET_MS 300      /* no event for this long: the burst of a save is over */
#define WATCH_MAX_DELAY_MS 3000 /* a reload happens at last even while events keep coming */
#define WATCH_MAX_DEPTH 16      /* as loading a directory */
#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF |       \
     IN_MOVE_SELF | IN_ONLYDIR)

struct watch_list {
    char **paths;
    int n;
};

/* Every manifest file under path (subdirectories too), each directory watched on the way. */
static void watch_list_dir(struct run_watch *w, const char *path, int depth, struct watch_list *out)
{
    if (inotify_add_watch(w->fd, path, WATCH_MASK) < 0) {
        ce_log_kv(CE_LOG_WARN, "cannot watch a directory; its changes are seen only with others",
                  "dir", path, "error", strerror(errno), NULL);
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return;
    }
    struct dirent *de;
    size_t plen = strlen(path);
    bool slash = plen > 0 && path[plen - 1] == '/';
    while ((de = readdir(dir)) != NULL && out->n < WATCH_MAX_FILES) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *full = ce_xasprintf("%s%s%s", path, slash ? "" : "/", de->d_name);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && ce_manifest_is_file_name(de->d_name)) {
            out->paths = ce_xrealloc(out->paths, ((size_t)out->n + 1) * sizeof(*out->paths));
            out->paths[out->n++] = full;
            continue;
        }
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < WATCH_MAX_DEPTH) {
            watch_list_dir(w, full, depth + 1, out);
        }
        ce_free(full);
    }
    closedir(dir);
}

static int watch_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct watch_file *watch_file_get(struct run_watch *w, const char *path)
{
    for (int i = 0; i < w->n_files; i++) {
        if (strcmp(w->files[i].path, path) == 0) {
            return &w->files[i];
        }
    }
    w->files = ce_xrealloc(w->files, ((size_t)w->n_files + 1) * sizeof(*w->files));
    struct watch_file *f = &w->files[w->n_files++];
    memset(f, 0, sizeof(*f));
    f->path = ce_xstrdup(path);
    return f;
}

/* Reads f again; a version whose bytes changed is checked, and becomes f's next version when
 * it passes. A file that cannot be read now (being replaced) keeps its running version. */
static void watch_read(struct run_state *st, struct watch_file *f)
{
    char *buf = NULL;
    size_t len = 0;
    int err = 0;
    int rc = ce_file_read(f->path, CE_MANIFEST_MAX_FILE_BYTES, &buf, &len, &err);
    if (rc != CE_OK) {
        if (rc != CE_ENOENT) {
            ce_log_kv(CE_LOG_WARN, "Not applied: cannot read the file", "file", f->path, "error",
                      rc == CE_ETOOBIG ? "larger than 16 MiB" : strerror(err), NULL);
        }
        return;
    }
    if (f->seen != NULL && len == f->seen_len && memcmp(buf, f->seen, len) == 0) {
        ce_free(buf);
        return;
    }
    ce_free(f->seen);
    f->seen = buf;
    f->seen_len = len;
    struct watch_objs objs;
    if (ce_run_watch_decode(st, f->path, buf, len, &objs) != CE_OK) {
        ce_log_kv(CE_LOG_WARN,
                  "Not applied: the file has errors (printed above); the running version keeps "
                  "running",
                  "file", f->path, NULL);
        return;
    }
    f->has_next = true;
    f->next = objs;
    f->next_bytes = ce_xmalloc(len + 1);
    memcpy(f->next_bytes, buf, len + 1);
    f->next_len = len;
}

/* Lists the tree again and reads every file; false when the directory is gone. */
static bool watch_scan(struct run_state *st)
{
    struct run_watch *w = st->watch;
    struct stat sb;
    if (stat(w->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        ce_log_kv(CE_LOG_WARN,
                  "the watched directory is gone; everything keeps running as it is (restart "
                  "cevents run to watch it again)",
                  "dir", w->dir, NULL);
        return false;
    }
    struct watch_list list = {NULL, 0};
    watch_list_dir(w, w->dir, 0, &list);
    qsort(list.paths, (size_t)list.n, sizeof(*list.paths), watch_cmp);
    for (int i = 0; i < w->n_files; i++) {
        w->files[i].listed = false;
    }
    for (int i = 0; i < list.n; i++) {
        struct watch_file *f = watch_file_get(w, list.paths[i]);
        f->listed = true;
        watch_read(st, f);
        ce_free(list.paths[i]);
    }
    ce_free(list.paths);
    return true;
}

static int watch_mkdirs(const char *data, const char *snap)
{
    if ((mkdir(data, 0700) != 0 && errno != EEXIST) ||
        (mkdir(snap, 0700) != 0 && errno != EEXIST)) {
        ce_log_kv(CE_LOG_ERROR, "cannot create the directory of the --watch snapshots", "dir", snap,
                  "error", strerror(errno), NULL);
        return CE_EIO;
    }
    return CE_OK;
}

/* The first reading: the children of the objects read (added, not started) become watched
 * ones, started from snapshots; what the EventBus objects say is what the run started with. */
static void watch_adopt(struct run_state *st)
{
    struct run_watch *w = st->watch;
    for (int i = 0; i < w->n_files; i++) {
        const struct watch_objs *o = &w->files[i].next;
        for (int j = 0; w->files[i].has_next && j < o->n; j++) {
            struct run_child *ch = ce_run_child_find(st, o->v[j].kind, o->v[j].name);
            struct watch_objs one = {&o->v[j], 1};
            if (strcmp(o->v[j].kind, "eventbus") == 0) {
                ce_run_watch_objs_append(&w->buses_started, &one);
                ce_run_watch_objs_append(&w->buses_last, &one);
            }
            else if (ch != NULL) {
                ch->watched = true;
                ch->text = ce_xstrdup(o->v[j].text);
            }
        }
    }
    ce_run_watch_apply(st); /* nothing to start or stop: only makes the files the running ones */
    for (int i = 0; i < st->n_children; i++) {
        struct run_child *ch = st->children[i];
        const struct watch_file *f = ch->watched ? ce_run_watch_owner(w, ch->kind, ch->name) : NULL;
        if (f != NULL && ce_run_watch_snapshot(st, ch, f) != CE_OK) {
            ch->watched = false; /* runs from the user's file, as without --watch */
        }
    }
}

int ce_run_watch_start(struct run_state *st, const char *dir)
{
    struct run_watch *w = ce_xcalloc(1, sizeof(*w));
    w->dir = ce_xstrdup(dir);
    const char *data = st->cli->data_dir ? st->cli->data_dir : ".cevents-data";
    w->snap_dir = ce_xasprintf("%s/watch", data);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    st->watch = w;
    if (w->fd < 0) {
        ce_log_kv(CE_LOG_ERROR, "cannot watch for changes (inotify)", "error", strerror(errno),
                  NULL);
    }
    if (w->fd < 0 || watch_mkdirs(data, w->snap_dir) != CE_OK || !watch_scan(st)) {
        ce_run_watch_stop(st);
        return CE_EIO;
    }
    watch_adopt(st);
    ce_log_kv(CE_LOG_INFO, "watching for manifest changes", "dir", dir, NULL);
    return CE_OK;
}

/* Whether ev can change what is loaded: a manifest file written, moved or removed, any change
 * of a directory, or lost events. A file's IN_CREATE is left to its IN_CLOSE_WRITE. */
static bool watch_relevant(const struct inotify_event *ev)
{
    if (ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF | IN_ISDIR)) {
        return true;
    }
    if (ev->mask & IN_CREATE) {
        return false;
    }
    return ev->len > 0 && ce_manifest_is_file_name(ev->name);
}

static bool watch_drain(struct run_watch *w)
{
    bool relevant = false;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof(buf));
        if (n <= 0) {
            return relevant;
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            relevant = relevant || watch_relevant(ev);
            p += sizeof(*ev) + ev->len;
        }
    }
}

void ce_run_watch_poll(struct run_state *st)
{
    struct run_watch *w = st->watch;
    int64_t now = ce_clock_mono_ms();
    if (watch_drain(w)) {
        w->first_ms = w->pending ? w->first_ms : now;
        w->last_ms = now;
        w->pending = true;
    }
    if (w->pending &&
        (now - w->last_ms >= WATCH_QUIET_MS || now - w->first_ms >= WATCH_MAX_DELAY_MS)) {
        w->pending = false;
        if (watch_scan(st)) {
            ce_run_watch_apply(st);
        }
    }
}

void ce_run_watch_stop(struct run_state *st)
{
    struct run_watch *w = st->watch;
    for (int i = 0; i < st->n_children; i++) {
        if (st->children[i]->watched) {
            (void)unlink(st->children[i]->file); /* its snapshot */
        }
    }
    ce_run_watch_forget(w);
    ce_run_watch_objs_free(&w->buses_started);
    ce_run_watch_objs_free(&w->buses_last);
    if (w->fd >= 0) {
        close(w->fd);
    }
    ce_free(w->files);
    ce_free(w->snap_dir);
    ce_free(w->dir);
    ce_free(w);
    st->watch = NULL;
}
