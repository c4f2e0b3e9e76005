/* SPDX-License-Identifier: Apache-2.0 */
/* One sftp event's settings (Argo's SFTPEventSource), decoded and checked from
 * spec.sftp.<event>, with two cevents fields for the server's host key: knownHostsSecret (an
 * OpenSSH known_hosts text the key must be in) and insecureIgnoreHostKey (accept any key). */
#ifndef CE_EVENTSOURCE_SFTP_CONFIG_H
#define CE_EVENTSOURCE_SFTP_CONFIG_H

#include "eventsource/watch_path.h"
#include "manifest/model.h"

#include <stdbool.h>
#include <stdint.h>

struct ce_block_decoder;

#define CE_SFTP_POLL_DEFAULT_NS INT64_C(10000000000)

struct ce_sftp_config {
    struct ce_watch_path watch;
    char *event_type;
    unsigned op; /* CREATE or REMOVE */
    struct ce_secret_ref address, username, password, ssh_key, known_hosts;
    bool insecure_ignore_host_key;
    int64_t poll_ns;        /* pollIntervalDuration, 10 s when absent */
    struct ce_kv *metadata; /* sorted by key */
    int n_metadata;
};

extern const struct ce_block_decoder ce_sftp_decoder;

#endif
