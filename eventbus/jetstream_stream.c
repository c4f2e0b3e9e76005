/* SPDX-License-Identifier: Apache-2.0 */
/* The JetStream driver's stream: created on first use with the EventBus streamConfig. Unless
 * streamConfig.replicas says otherwise, the stream gets as many replicas as the cluster has
 * servers, up to 3, so losing the server that leads it costs only a leader election. The size
 * is learnt from the server's own answers (a single server refuses replicas, a small cluster
 * has too few peers), which works whatever the clients were told of the cluster. */
#include "eventbus/jetstream_int.h"
#include "core/base/log.h"
#include "core/base/rc.h"

#include <stdio.h>

/* Argo's default, and enough to survive one lost server with a quorum left. */
#define JSBUS_MAX_AUTO_REPLICAS 3

natsStatus jsbus_stream_info(struct jsbus *b, jsStreamInfo **si, jsErrCode *jerr)
{
    *si = NULL;
    *jerr = 0;
    if (!jsbus_ready(b) || b->js == NULL) {
        return NATS_CONNECTION_CLOSED;
    }
    return js_GetStreamInfo(si, b->js, JSBUS_STREAM, NULL, jerr);
}

static void jsbus_stream_config(const struct jsbus *b, jsStreamConfig *sc, const char **subjects)
{
    jsStreamConfig_Init(sc);
    sc->Name = JSBUS_STREAM;
    sc->Subjects = subjects;
    sc->SubjectsLen = 1;
    sc->Storage = js_FileStorage;
    sc->Retention = (jsRetentionPolicy)b->scfg.retention;
    sc->Discard = (jsDiscardPolicy)b->scfg.discard;
    sc->MaxMsgs = b->scfg.max_msgs;
    sc->MaxBytes = b->scfg.max_bytes;
    sc->MaxAge = b->scfg.max_age_ms * 1000000;
    sc->Duplicates = b->scfg.duplicates_ms * 1000000;
}

/* Whether the server refused a stream for having more replicas than it can place. */
static bool jsbus_too_many_replicas(jsErrCode jerr)
{
    return jerr == JSStreamReplicasNotSupportedErr || jerr == JSInsufficientResourcesErr;
}

/* Adds the stream with the configured replicas, or the most the cluster takes (3 down to 1). */
static natsStatus jsbus_add_stream(struct jsbus *b, jsErrCode *jerr)
{
    const char *subjects[] = {JSBUS_STREAM ".*.*"};
    jsStreamConfig sc;
    jsbus_stream_config(b, &sc, subjects);
    bool automatic = b->scfg.replicas <= 0;
    int replicas = automatic ? JSBUS_MAX_AUTO_REPLICAS : b->scfg.replicas;
    natsStatus s;
    for (;;) {
        sc.Replicas = replicas;
        jsStreamInfo *si = NULL;
        *jerr = 0;
        s = js_AddStream(&si, b->js, &sc, NULL, jerr);
        jsStreamInfo_Destroy(si);
        if (s == NATS_OK || !automatic || replicas == 1 || !jsbus_too_many_replicas(*jerr)) {
            break;
        }
        replicas--;
    }
    if (s == NATS_OK) {
        atomic_store(&b->replicas, replicas);
        char n[16];
        snprintf(n, sizeof(n), "%d", replicas);
        ce_log_kv(CE_LOG_INFO, "Created the event bus stream", "stream", JSBUS_STREAM, "replicas",
                  n, NULL);
    }
    return s;
}

int jsbus_ensure_stream(struct ce_bus *bus)
{
    struct jsbus *b = (struct jsbus *)bus;
    if (!jsbus_ready(b) || b->js == NULL) {
        return CE_EUNAVAIL;
    }
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = jsbus_stream_info(b, &si, &jerr);
    if (s == NATS_OK && si->Config != NULL) {
        atomic_store(&b->replicas, (int)si->Config->Replicas);
    }
    jsStreamInfo_Destroy(si);
    if (s == NATS_OK) {
        return CE_OK; /* an existing stream is used as it is */
    }
    s = jsbus_add_stream(b, &jerr);
    if (s == NATS_OK || jerr == JSStreamNameExistErr) {
        return CE_OK; /* created, or someone else created it just now */
    }
    ce_log_kv(CE_LOG_ERROR, "Failed to create the event bus stream", "stream", JSBUS_STREAM,
              "error", nats_GetLastError(NULL), NULL);
    int rc = jsbus_rc(s, jerr);
    return rc == CE_EUNAVAIL || rc == CE_ETIMEDOUT ? CE_EUNAVAIL : CE_EREMOTE;
}

int jsbus_kv_replicas(struct jsbus *b)
{
    int r = atomic_load(&b->replicas);
    return r > 0 ? r : 1;
}
