/* SPDX-License-Identifier: Apache-2.0 */
/* The seen set's records in the bus's key-value store (bucket CE_SFTPW_BUCKET), one per name,
 * keyed by a hash of (EventSource, event, name), plus one marking that the event took its
 * first listing: before it, the files already there are recorded, not fired (as Argo starts). */
#ifndef CE_EVENTSOURCE_SFTP_STORE_H
#define CE_EVENTSOURCE_SFTP_STORE_H

#include "core/base/rc.h"
#include "eventsource/sftp/seen.h"

#include <stdbool.h>

#define CE_SFTPW_BUCKET "cevents-sftp"

struct ce_bus;
struct ce_bus_kv;

struct ce_sftpw_store {
    struct ce_bus *bus;
    const char *bucket;
    const char *source_name;
    const char *event_name;
    struct ce_bus_kv *kv; /* opened on first use */
    char prefix[34];      /* "<32 hex of the event>." */
};

void ce_sftpw_store_init(struct ce_sftpw_store *s, struct ce_bus *bus, const char *bucket,
                         const char *source_name, const char *event_name);
void ce_sftpw_store_fini(struct ce_sftpw_store *s);
/* Fills seen from the records; *baseline tells whether the first listing was taken. */
int ce_sftpw_store_load(struct ce_sftpw_store *s, struct ce_sftpw_seen *seen,
                        bool *baseline) CE_MUST_CHECK;
int ce_sftpw_store_put(struct ce_sftpw_store *s, const char *name,
                       const struct ce_sftpw_stat *st) CE_MUST_CHECK;
int ce_sftpw_store_del(struct ce_sftpw_store *s, const char *name) CE_MUST_CHECK;
int ce_sftpw_store_mark_baseline(struct ce_sftpw_store *s) CE_MUST_CHECK;

#endif
