/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.sftp.<event>: Argo's fields and checks (watchPathConfig as the file source's,
 * eventType CREATE or REMOVE), pollIntervalDuration as a Go duration, the credentials as
 * secrets, and the host key settings cevents adds. */
#include "eventsource/sftp/config.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"
#include "core/go/duration.h"
#include "eventsource/sftp/watch.h"
#include "manifest/plugin.h"

#include <stdlib.h>
#include <string.h>

/* The shortest poll: a listing is a round trip per few hundred names. */
#define SFTP_POLL_MIN_NS INT64_C(100000000)

static const char *const sftp_keys[] = {"eventType",
                                        "watchPathConfig",
                                        "username",
                                        "password",
                                        "sshKeySecret",
                                        "address",
                                        "pollIntervalDuration",
                                        "metadata",
                                        "filter",
                                        "knownHostsSecret",
                                        "insecureIgnoreHostKey",
                                        NULL};
static const char *const watch_keys[] = {"directory", "path", "pathRegexp", NULL};

static int sftp_meta_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ce_kv *)a)->key, ((const struct ce_kv *)b)->key);
}

static void sftp_metadata(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
{
    const struct ce_node *m = ce_node_get(ev, "metadata");
    size_t old = ce_mdec_push(c, "metadata");
    if (ce_mdec_map(c, m)) {
        cfg->metadata = ce_xcalloc((size_t)m->n_pairs + 1, sizeof(*cfg->metadata));
        for (int i = 0; i < m->n_pairs; i++) {
            const struct ce_node *k = m->pairs[i].key, *v = m->pairs[i].value;
            if (k->type != CE_NODE_SCALAR || v->type != CE_NODE_SCALAR) {
                ce_mdec_err_key(c, v, k->type == CE_NODE_SCALAR ? k->str : "?",
                                "metadata must map strings to strings");
                continue;
            }
            cfg->metadata[cfg->n_metadata].key = ce_xstrdup(k->str);
            cfg->metadata[cfg->n_metadata].value = ce_xstrdup(ce_node_is_null(v) ? "" : v->str);
            cfg->n_metadata++;
        }
        qsort(cfg->metadata, (size_t)cfg->n_metadata, sizeof(*cfg->metadata), sftp_meta_cmp);
    }
    ce_mdec_pop(c, old);
}

static void sftp_watch_dir(struct ce_mdec *c, const struct ce_node *w, struct ce_sftp_config *cfg)
{
    if (cfg->directory == NULL || cfg->directory[0] == '\0') {
        ce_mdec_err_missing(c, w, w, "directory", "directory is required");
    }
    else if (cfg->directory[0] != '/') {
        ce_mdec_err_key(c, ce_node_get(w, "directory"), "directory",
                        "directory must be an absolute file path");
    }
    else {
        cfg->dir = ce_sftpw_clean_dir(cfg->directory);
    }
}

static void sftp_watch_path(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
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
    sftp_watch_dir(c, w, cfg);
    char err[256];
    if (!has_path && !has_re) {
        ce_mdec_err(c, w, "either path or pathRegexp must be specified");
    }
    else if (has_path && has_re) {
        ce_mdec_err(c, w, "path and pathRegexp cannot be specified together");
    }
    else if (has_path && cfg->path[0] == '/') {
        ce_mdec_err_key(c, ce_node_get(w, "path"), "path", "path must be a relative file path");
    }
    else if (has_re && ce_regex_compile(cfg->path_regexp, strlen(cfg->path_regexp), &cfg->re, err,
                                        sizeof err) != CE_OK) {
        ce_mdec_err_key(c, ce_node_get(w, "pathRegexp"), "pathRegexp", "%s", err);
    }
    ce_mdec_pop(c, old);
}

static void sftp_event_type(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
{
    cfg->event_type = ce_mdec_str(c, ev, "eventType", false);
    if (cfg->event_type == NULL || cfg->event_type[0] == '\0') {
        ce_mdec_err_missing(c, ev, ev, "eventType", "type must be specified");
        return;
    }
    cfg->op = ce_sftpw_op_parse(cfg->event_type);
    if (strcmp(cfg->event_type, "CREATE") != 0 && strcmp(cfg->event_type, "REMOVE") != 0) {
        /* Argo's listing only finds new and removed files: another type never fires */
        ce_mdec_err_key(c, ce_node_get(ev, "eventType"), "eventType",
                        "%s never fires: it must be CREATE or REMOVE", cfg->event_type);
    }
}

static void sftp_poll(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
{
    char *text = ce_mdec_str(c, ev, "pollIntervalDuration", false);
    const struct ce_node *at = ce_node_get(ev, "pollIntervalDuration");
    char err[256];
    cfg->poll_ns = CE_SFTP_POLL_DEFAULT_NS;
    if (text != NULL && text[0] != '\0') {
        if (ce_duration_parse(text, &cfg->poll_ns, err, sizeof err) != CE_OK) {
            ce_mdec_err_key(c, at, "pollIntervalDuration", "%s", err);
        }
        else if (cfg->poll_ns < SFTP_POLL_MIN_NS) {
            ce_mdec_err_key(c, at, "pollIntervalDuration", "must be at least 100ms");
        }
    }
    ce_free(text);
}

static void sftp_secrets(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
{
    ce_mdec_secret(c, ev, "address", &cfg->address);
    ce_mdec_secret(c, ev, "username", &cfg->username);
    ce_mdec_secret(c, ev, "password", &cfg->password);
    ce_mdec_secret(c, ev, "sshKeySecret", &cfg->ssh_key);
    ce_mdec_secret(c, ev, "knownHostsSecret", &cfg->known_hosts);
    if (!cfg->address.set) {
        ce_mdec_err_missing(c, ev, ev, "address", "address not found (a secret: host:port)");
    }
    if (!cfg->username.set) {
        ce_mdec_err_missing(c, ev, ev, "username", "username not found (a secret)");
    }
    if (!cfg->password.set && !cfg->ssh_key.set) {
        ce_mdec_err(c, ev, "password or sshKeySecret is required to log in");
    }
    cfg->insecure_ignore_host_key = ce_mdec_bool(c, ev, "insecureIgnoreHostKey");
    if (!cfg->known_hosts.set && !cfg->insecure_ignore_host_key) {
        ce_mdec_warn(c, ev,
                     "the server's host key is not checked: give knownHostsSecret (a "
                     "known_hosts text), or insecureIgnoreHostKey: true to accept any key");
    }
}

static void sftp_free(void *config)
{
    struct ce_sftp_config *cfg = config;
    ce_free(cfg->directory);
    ce_free(cfg->dir);
    ce_free(cfg->path);
    ce_free(cfg->path_regexp);
    ce_regex_destroy(cfg->re);
    ce_free(cfg->event_type);
    struct ce_secret_ref *refs[] = {&cfg->address, &cfg->username, &cfg->password, &cfg->ssh_key,
                                    &cfg->known_hosts};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        ce_mdec_secret_free(refs[i]);
    }
    for (int i = 0; i < cfg->n_metadata; i++) {
        ce_free(cfg->metadata[i].key);
        ce_free(cfg->metadata[i].value);
    }
    ce_free(cfg->metadata);
    ce_free(cfg);
}

static void *sftp_decode(struct ce_mdec *c, const struct ce_node *ev)
{
    struct ce_sftp_config *cfg = ce_xcalloc(1, sizeof(*cfg));
    if (!ce_mdec_map(c, ev)) {
        ce_mdec_err(c, ev, "the event has no settings (address, username, watchPathConfig...)");
        return cfg;
    }
    sftp_watch_path(c, ev, cfg);
    sftp_event_type(c, ev, cfg);
    sftp_secrets(c, ev, cfg);
    sftp_poll(c, ev, cfg);
    sftp_metadata(c, ev, cfg);
    return cfg;
}

const struct ce_block_decoder ce_sftp_decoder = {
    .key = "sftp",
    .keys = sftp_keys,
    .decode = sftp_decode,
    .free_config = sftp_free,
};
