/* SPDX-License-Identifier: Apache-2.0 */
/* watchPathConfig, operation names, watched names, event data and id keys of the file and
 * sftp sources (see watch_path.h). */
#include "eventsource/watch_path.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "manifest/plugin.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned bit;
} watch_ops[] = {
    {"CREATE", CE_WATCH_CREATE}, {"WRITE", CE_WATCH_WRITE}, {"REMOVE", CE_WATCH_REMOVE},
    {"RENAME", CE_WATCH_RENAME}, {"CHMOD", CE_WATCH_CHMOD},
};

unsigned ce_watch_op_parse(const char *s)
{
    unsigned op = 0;
    while (s != NULL && *s != '\0') {
        size_t n = strcspn(s, "|");
        for (size_t i = 0; i < sizeof watch_ops / sizeof watch_ops[0]; i++) {
            if (strlen(watch_ops[i].name) == n && strncmp(s, watch_ops[i].name, n) == 0) {
                op |= watch_ops[i].bit;
            }
        }
        s += n + (s[n] == '|');
    }
    return op;
}

const char *ce_watch_op_name(unsigned op)
{
    for (size_t i = 0; i < sizeof watch_ops / sizeof watch_ops[0]; i++) {
        if (watch_ops[i].bit == op) {
            return watch_ops[i].name;
        }
    }
    return "";
}

char *ce_watch_clean_dir(const char *directory)
{
    size_t n = strlen(directory);
    while (n > 1 && directory[n - 1] == '/') {
        n--;
    }
    return ce_xstrndup(directory, n);
}

static const char *const watch_keys[] = {"directory", "path", "pathRegexp", NULL};

static void watch_dir(struct ce_mdec *c, const struct ce_node *w, struct ce_watch_path *wp)
{
    if (wp->directory == NULL || wp->directory[0] == '\0') {
        ce_mdec_err_missing(c, w, w, "directory", "directory is required");
    }
    else if (wp->directory[0] != '/') {
        ce_mdec_err_key(c, ce_node_get(w, "directory"), "directory",
                        "directory must be an absolute file path");
    }
    else {
        wp->dir = ce_watch_clean_dir(wp->directory);
    }
}

void ce_watch_path_decode(struct ce_mdec *c, const struct ce_node *ev, struct ce_watch_path *wp)
{
    const struct ce_node *w = ce_node_get(ev, "watchPathConfig");
    if (w == NULL || ce_node_is_null(w)) {
        ce_mdec_err_missing(c, ev, ev, "watchPathConfig", "the directory to watch is required");
        return;
    }
    size_t old = ce_mdec_push(c, "watchPathConfig");
    if (!ce_mdec_map(c, w)) {
        ce_mdec_pop(c, old);
        return;
    }
    ce_mdec_known(c, w, watch_keys);
    wp->directory = ce_mdec_str(c, w, "directory", false);
    wp->path = ce_mdec_str(c, w, "path", false);
    wp->path_regexp = ce_mdec_str(c, w, "pathRegexp", false);
    bool has_path = wp->path != NULL && wp->path[0] != '\0';
    bool has_re = wp->path_regexp != NULL && wp->path_regexp[0] != '\0';
    watch_dir(c, w, wp);
    char err[256];
    if (!has_path && !has_re) {
        ce_mdec_err(c, w, "either path or pathRegexp must be specified");
    }
    else if (has_path && has_re) {
        ce_mdec_err(c, w, "path and pathRegexp cannot be specified together");
    }
    else if (has_path && wp->path[0] == '/') {
        ce_mdec_err_key(c, ce_node_get(w, "path"), "path", "path must be a relative file path");
    }
    else if (has_re && ce_regex_compile(wp->path_regexp, strlen(wp->path_regexp), &wp->re, err,
                                        sizeof err) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(w, "pathRegexp"), "pathRegexp", "%s", err);
    }
    ce_mdec_pop(c, old);
}

void ce_watch_path_free(struct ce_watch_path *wp)
{
    ce_free(wp->directory);
    ce_free(wp->dir);
    ce_free(wp->path);
    ce_free(wp->path_regexp);
    ce_regex_destroy(wp->re);
}

bool ce_watch_matches(const struct ce_watch_match *m, const char *name)
{
    if (m->path != NULL && m->path[0] != '\0') {
        return strcmp(m->path, name) == 0;
    }
    bool matched = false;
    return m->re != NULL && ce_regex_search(m->re, name, strlen(name), &matched) == CE_OK &&
           matched;
}

static int watch_metadata(const struct ce_kv *meta, int n_meta, struct ce_buf *out)
{
    if (n_meta == 0) {
        return ce_buf_puts(out, "null"); /* Go marshals a nil map so */
    }
    int rc = ce_buf_puts(out, "{");
    for (int i = 0; rc == CE_OK && i < n_meta; i++) {
        rc = ce_buf_append(out, ",", i > 0 ? 1 : 0);
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].key, strlen(meta[i].key));
        }
        if (rc == CE_OK) {
            rc = ce_buf_puts(out, ":");
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, meta[i].value, strlen(meta[i].value));
        }
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

int ce_watch_event_data(const char *name, unsigned op, const struct ce_kv *meta, int n_meta,
                        struct ce_buf *out)
{
    int rc = ce_buf_puts(out, "{\"name\":");
    if (rc == CE_OK) {
        rc = ce_buf_json_str(out, name, strlen(name));
    }
    if (rc == CE_OK) {
        rc = ce_buf_printf(out, ",\"op\":%u,\"metadata\":", op);
    }
    if (rc == CE_OK) {
        rc = watch_metadata(meta, n_meta, out);
    }
    return rc == CE_OK ? ce_buf_puts(out, "}") : rc;
}

void ce_watch_event_key(const char *name, unsigned op, const struct ce_watch_stat *st,
                        struct ce_buf *out)
{
    if (ce_buf_printf(out, "%u\n%llu\n%lld\n%lld\n%s", op, (unsigned long long)st->ino,
                      (long long)st->size, (long long)st->mtime_ns, name) != CE_OK) {
        return; /* the buffer has no cap */
    }
}
