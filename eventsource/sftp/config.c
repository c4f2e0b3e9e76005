/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding spec.sftp.<event>: Argo's fields and checks (watchPathConfig as the file source's,
 * eventType CREATE or REMOVE), pollIntervalDuration as a Go duration, the credentials as
 * secrets, and the host key settings cevents adds. */
#include "eventsource/sftp/config.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/go/duration.h"
#include "eventsource/webhook_config.h"
#include "manifest/plugin.h"

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

static void sftp_event_type(struct ce_mdec *c, const struct ce_node *ev, struct ce_sftp_config *cfg)
{
    cfg->event_type = ce_mdec_str(c, ev, "eventType", false);
    if (cfg->event_type == NULL || cfg->event_type[0] == '\0') {
        ce_mdec_err_missing(c, ev, ev, "eventType", "type must be specified");
        return;
    }
    cfg->op = ce_watch_op_parse(cfg->event_type);
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
    ce_watch_path_free(&cfg->watch);
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
    ce_watch_path_decode(c, ev, &cfg->watch);
    sftp_event_type(c, ev, cfg);
    sftp_secrets(c, ev, cfg);
    sftp_poll(c, ev, cfg);
    ce_webhook_metadata_decode(c, ev, &cfg->metadata, &cfg->n_metadata);
    return cfg;
}

const struct ce_block_decoder ce_sftp_decoder = {
    .key = "sftp",
    .keys = sftp_keys,
    .decode = sftp_decode,
    .free_config = sftp_free,
};
