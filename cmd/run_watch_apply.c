/* SPDX-License-Identifier: Apache-2.0 */
/* A rescan's new versions, applied: a new version naming an object another file holds is
 * refused; the rest become the running version, and only the children whose object appeared,
 * changed or went away are started, restarted or stopped (sensors before sources, so a new
 * source's first events find the new sensor's consumers). The event bus is never restarted:
 * a changed EventBus is reported. Each child runs from a snapshot of the bytes that passed the
 * checks, so a crash restart never picks up a newer file that failed them. */
#include "cmd/run_watch.h"
#include "core/base/log.h"
#include "core/base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *watch_kind_title(const char *kind)
{
    return strcmp(kind, "eventsource") == 0 ? "EventSource"
           : strcmp(kind, "sensor") == 0    ? "Sensor"
                                            : "EventBus";
}

struct watch_file *ce_run_watch_owner(struct run_watch *w, const char *kind, const char *name)
{
    for (int i = 0; i < w->n_files; i++) {
        if (ce_run_watch_objs_find(&w->files[i].objs, kind, name) != NULL) {
            return &w->files[i];
        }
    }
    return NULL;
}

static void watch_buses(const struct run_watch *w, struct watch_objs *out)
{
    ce_run_watch_objs_free(out);
    for (int i = 0; i < w->n_files; i++) {
        const struct watch_objs *o = &w->files[i].objs;
        for (int j = 0; j < o->n; j++) {
            if (strcmp(o->v[j].kind, "eventbus") == 0) {
                struct watch_objs one = {&o->v[j], 1};
                ce_run_watch_objs_append(out, &one);
            }
        }
    }
}

/* Who else holds o after this reload: another watched file, or a PATH that is not watched. */
static const char *watch_taken_by(const struct run_state *st, const struct watch_file *self,
                                  const struct watch_obj *o)
{
    const struct run_watch *w = st->watch;
    for (int i = 0; i < w->n_files; i++) {
        const struct watch_file *f = &w->files[i];
        const struct watch_objs *after = f->has_next ? &f->next : f->listed ? &f->objs : NULL;
        if (f != self && after != NULL && ce_run_watch_objs_find(after, o->kind, o->name)) {
            return f->path;
        }
    }
    const struct run_child *ch =
        strcmp(o->kind, "eventbus") == 0 ? NULL : ce_run_child_find(st, o->kind, o->name);
    return ch != NULL && !ch->watched ? ch->file : NULL;
}

static void watch_drop_next(struct watch_file *f)
{
    ce_run_watch_objs_free(&f->next);
    ce_free(f->next_bytes);
    f->next_bytes = NULL;
    f->has_next = false;
}

static void watch_refuse_duplicates(struct run_state *st)
{
    struct run_watch *w = st->watch;
    for (int i = 0; i < w->n_files; i++) {
        struct watch_file *f = &w->files[i];
        for (int j = 0; f->has_next && j < f->next.n; j++) {
            const struct watch_obj *o = &f->next.v[j];
            const char *other = watch_taken_by(st, f, o);
            if (other == NULL) {
                continue;
            }
            fflush(stdout);
            fprintf(stderr, "%s:%d:%d: error: %s %s is also defined in %s\n", f->path, o->line,
                    o->col, watch_kind_title(o->kind), o->name, other);
            ce_log_kv(CE_LOG_WARN,
                      "Not applied: an object of the file is defined in another "
                      "file; the running version keeps running",
                      "file", f->path, NULL);
            watch_drop_next(f);
            ce_free(f->seen); /* read again at the next change, when the other file may be fixed */
            f->seen = NULL;
        }
    }
}

static void watch_file_free(struct watch_file *f)
{
    watch_drop_next(f);
    ce_run_watch_objs_free(&f->objs);
    ce_free(f->path);
    ce_free(f->seen);
    ce_free(f->good);
}

void ce_run_watch_forget(struct run_watch *w)
{
    for (int i = 0; i < w->n_files; i++) {
        watch_file_free(&w->files[i]);
    }
    w->n_files = 0;
}

/* The new versions become the running ones; files gone are forgotten. */
static void watch_commit(struct run_watch *w)
{
    int out = 0;
    for (int i = 0; i < w->n_files; i++) {
        struct watch_file *f = &w->files[i];
        if (!f->listed) {
            watch_file_free(f);
            continue;
        }
        if (f->has_next) {
            ce_run_watch_objs_free(&f->objs);
            f->objs = f->next;
            f->next = (struct watch_objs){NULL, 0};
            ce_free(f->good);
            f->good = f->next_bytes;
            f->good_len = f->next_len;
            f->next_bytes = NULL;
            f->has_next = false;
        }
        w->files[out++] = *f;
    }
    w->n_files = out;
}

static int watch_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return CE_EIO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return CE_OK;
}

int ce_run_watch_snapshot(struct run_state *st, struct run_child *ch, const struct watch_file *f)
{
    char name[160];
    snprintf(name, sizeof(name), "%s-%s", ch->kind, ch->name);
    for (char *c = name; *c; c++) {
        bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_';
        *c = plain ? *c : '_';
    }
    /* hidden, as its temporary: a --data-dir inside the watched directory is not read as one */
    char *path = ce_xasprintf("%s/.%s.yaml", st->watch->snap_dir, name);
    char *tmp = ce_xasprintf("%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = fd < 0 ? CE_EIO : watch_write_all(fd, f->good, f->good_len);
    if (fd >= 0 && close(fd) != 0) {
        rc = CE_EIO;
    }
    if (rc == CE_OK && rename(tmp, path) != 0) {
        rc = CE_EIO;
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "cannot write the snapshot a child starts from", "component",
                  ch->label, "path", path, "error", strerror(errno), NULL);
        (void)unlink(tmp);
        ce_free(path);
    }
    else {
        ce_free(ch->file);
        ch->file = path;
    }
    ce_free(tmp);
    return rc;
}

static void watch_log(const char *action, const struct run_child *ch, const char *file)
{
    char msg[320];
    snprintf(msg, sizeof(msg), "%s %s %s", action, ch->kind, ch->name);
    ce_log_kv(CE_LOG_INFO, msg, "component", ch->label, "file", file, NULL);
}

/* Watched children whose object no file holds any more. */
static void watch_stop_gone(struct run_state *st)
{
    for (int i = st->n_children - 1; i >= 0; i--) {
        struct run_child *ch = st->children[i];
        if (!ch->watched || ce_run_watch_owner(st->watch, ch->kind, ch->name) != NULL) {
            continue;
        }
        char label[160], msg[320];
        snprintf(msg, sizeof(msg), "Stopping %s %s", ch->kind, ch->name);
        ce_log_kv(CE_LOG_INFO, msg, "component", ch->label, NULL);
        snprintf(label, sizeof(label), "%s", ch->label);
        snprintf(msg, sizeof(msg), "Stopped %s %s", ch->kind, ch->name);
        (void)unlink(ch->file); /* its snapshot */
        ce_run_child_remove(st, ch);
        ce_log_kv(CE_LOG_INFO, msg, "component", label, NULL);
    }
}

static void watch_start_new(struct run_state *st, const struct watch_file *f,
                            const struct watch_obj *o)
{
    struct run_child *ch = ce_run_child_add(st, o->kind, o->name, f->path);
    if (ch == NULL) {
        ce_log_kv(CE_LOG_ERROR, "Not started: too many EventSources and Sensors in one run", "file",
                  f->path, "name", o->name, NULL);
        return;
    }
    ch->watched = true;
    ch->text = ce_xstrdup(o->text);
    if (ce_run_watch_snapshot(st, ch, f) != CE_OK) {
        ce_run_child_remove(st, ch);
        return;
    }
    ce_run_child_start(st, ch);
    watch_log("Started", ch, f->path);
}

/* A changed object: the old process stops (a source answers what it accepted), the new one
 * starts from the new snapshot. The sensor's durable consumers keep what came meanwhile. */
static void watch_restart(struct run_state *st, struct run_child *ch, const struct watch_file *f,
                          const struct watch_obj *o)
{
    watch_log("Reloading", ch, f->path);
    ce_run_child_stop(st, ch);
    ce_free(ch->text);
    ch->text = ce_xstrdup(o->text);
    ch->backoff_ms = 0;
    if (ce_run_watch_snapshot(st, ch, f) != CE_OK) {
        ch->restart_at_ms = 1; /* the old snapshot, started again by the supervisor */
        return;
    }
    ce_run_child_start(st, ch);
    watch_log("Reloaded", ch, f->path);
}

static void watch_start_kind(struct run_state *st, const char *kind)
{
    struct run_watch *w = st->watch;
    for (int i = 0; i < w->n_files; i++) {
        const struct watch_file *f = &w->files[i];
        for (int j = 0; j < f->objs.n; j++) {
            const struct watch_obj *o = &f->objs.v[j];
            if (strcmp(o->kind, kind) != 0) {
                continue;
            }
            struct run_child *ch = ce_run_child_find(st, kind, o->name);
            if (ch == NULL) {
                watch_start_new(st, f, o);
            }
            else if (ch->watched && strcmp(ch->text, o->text) != 0) {
                watch_restart(st, ch, f, o);
            }
        }
    }
}

static void watch_report_bus(const struct run_watch *w, const char *name, const char *text)
{
    const struct watch_obj *started = ce_run_watch_objs_find(&w->buses_started, "eventbus", name);
    bool same = started != NULL ? text != NULL && strcmp(started->text, text) == 0 : text == NULL;
    if (same) {
        ce_log_kv(CE_LOG_INFO, "EventBus is back to the version cevents run started with",
                  "eventBusName", name, NULL);
        return;
    }
    ce_log_kv(CE_LOG_WARN,
              "EventBus changed: cevents run keeps the event bus it started with; restart "
              "cevents run to apply the change",
              "eventBusName", name, NULL);
}

static void watch_report_buses(struct run_watch *w)
{
    struct watch_objs now = {NULL, 0};
    watch_buses(w, &now);
    for (int i = 0; i < now.n; i++) {
        const struct watch_obj *last =
            ce_run_watch_objs_find(&w->buses_last, "eventbus", now.v[i].name);
        if (last == NULL || strcmp(last->text, now.v[i].text) != 0) {
            watch_report_bus(w, now.v[i].name, now.v[i].text);
        }
    }
    for (int i = 0; i < w->buses_last.n; i++) {
        if (ce_run_watch_objs_find(&now, "eventbus", w->buses_last.v[i].name) == NULL) {
            watch_report_bus(w, w->buses_last.v[i].name, NULL);
        }
    }
    ce_run_watch_objs_free(&w->buses_last);
    w->buses_last = now;
}

void ce_run_watch_apply(struct run_state *st)
{
    watch_refuse_duplicates(st);
    watch_commit(st->watch);
    watch_stop_gone(st);
    watch_start_kind(st, "sensor");
    watch_start_kind(st, "eventsource");
    watch_report_buses(st->watch);
}
