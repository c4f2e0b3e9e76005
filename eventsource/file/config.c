/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.file.<event>: watchPathConfig (Argo's checks: an absolute directory, exactly
 * one of a relative path or a regexp that compiles), eventType, polling and metadata. */
#include "eventsource/file/config.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "eventsource/file/watch.h"
#include "manifest/plugin.h"

#include <stdlib.h>
#include <string.h>

static const char *const file_keys[] = {"eventType", "watchPathConfig", "polling",
                                        "metadata",  "filter",          NULL};
static const char *const watch_keys[] = {"directory", "path", "pathRegexp", NULL};

static int file_meta_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

void ce_fsw_decode_metadata(struct ce_mdec *c, const struct ce_node *ev, struct ce_kv **out, int *n)
{
    const struct ce_node *m = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    *out = NULL;
    *n = 0;
    if (ce_mdec_map(c, m)) {
        *out = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(**out));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *k = m->pairs[i].key, *v = m->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            (*out)[*n].key = ce_xstrdup(k->str);
            (*out)[*n].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            (*n)++;
        }
        qsort(*out, (size_t)*n, sizeof(**out), file_meta_cmp);
    }
    ce_mdec_pop(c, old);
}

static void file_watch_path(struct ce_mdec *c, const struct ce_node *ev, struct ce_file_config *cfg)
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
    cfg->directory = ce_mdec_str(c, w, "directory", false);
    cfg->path = ce_mdec_str(c, w, "path", false);
    cfg->path_regexp = ce_mdec_str(c, w, "pathRegexp", false);
    bool has_path = cfg->path != NULL && cfg->path[0] != '\0';
    bool has_re = cfg->path_regexp != NULL && cfg->path_regexp[0] != '\0';
    if (cfg->directory == NULL || cfg->directory[0] == '\0') {
        ce_mdec_err_missing(c, w, w, "directory", "directory is required");
    }
    else if (cfg->directory[0] != '/') {
        ce_mdec_err_key(c, ce_node_get(w, "directory"), "directory",
                        "directory must be an absolute file path");
    }
    else {
        cfg->dir = ce_fsw_clean_dir(cfg->directory);
    }
    if (!has_path && !has_re) {
        ce_mdec_err(c, w, "either path or pathRegexp must be specified");
    }
    else if (has_path && has_re) {
        ce_mdec_err(c, w, "path and pathRegexp cannot be specified together");
    }
    else if (has_path && cfg->path[0] == '/') {
        ce_mdec_err_key(c, ce_node_get(w, "path"), "path", "path must be a relative file path");
    }
    else if (has_re) {
        char err[256];
        if (ce_regex_compile(cfg->path_regexp, strlen(cfg->path_regexp), &cfg->re, err,
                             sizeof err) != CE_OK) {
            ce_mdec_err_key(c, ce_node_get(w, "pathRegexp"), "pathRegexp", "%s", err);
        }
    }
    ce_mdec_pop(c, old);
}

static void file_event_type(struct ce_mdec *c, const struct ce_node *ev, struct ce_file_config *cfg,
                            unsigned allowed)
{
    cfg->event_type = ce_mdec_str(c, ev, "eventType", false);
    if (cfg->event_type == NULL || cfg->event_type[0] == '\0') {
        ce_mdec_err_missing(c, ev, ev, "eventType", "type must be specified");
        return;
    }
    cfg->op = ce_fsw_op_parse(cfg->event_type);
    if (strcmp(ce_fsw_op_name(cfg->op), cfg->event_type) != 0 || (cfg->op & allowed) == 0) {
        /* Argo compares the name with each notification's: such a value never fires */
        ce_mdec_err_key(c, ce_node_get(ev, "eventType"), "eventType",
                        "%s never fires: it must be one of %s", cfg->event_type,
                        allowed == CE_FSW_CREATE + CE_FSW_REMOVE
                            ? "CREATE, REMOVE"
                            : "CREATE, WRITE, REMOVE, RENAME, CHMOD");
    }
}

static void file_free(void *config)
{
    struct ce_file_config *cfg = config;
    ce_free(cfg->directory);
    ce_free(cfg->dir);
    ce_free(cfg->path);
    ce_free(cfg->path_regexp);
    ce_regex_destroy(cfg->re);
    ce_free(cfg->event_type);
    for (int i = 0; i < cfg->n_metadata; i++) {
        ce_free(cfg->metadata[i].key);
        ce_free(cfg->metadata[i].value);
    }
    ce_free(cfg->metadata);
    ce_free(cfg);
}

static void *file_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_file_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, ev)) {
        ce_mdec_err(c, ev, "the event has no settings (watchPathConfig and eventType)");
        return cfg;
    }
    file_watch_path(c, ev, cfg);
    file_event_type(c, ev, cfg, 31u);
    cfg->polling = ce_mdec_bool(c, ev, "polling");
    ce_fsw_decode_metadata(c, ev, &cfg->metadata, &cfg->n_metadata);
    return cfg;
}

const struct ce_block_decoder ce_file_decoder = {
    .key = "file",
    .keys = file_keys,
    .decode = file_decode,
    .free_config = file_free,
};
