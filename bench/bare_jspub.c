/* SPDX-License-Identifier: Apache-2.0 */
/* The bus's own ceiling for webhook-ingest.sh: a bare cnats client publishing to JetStream
 * asynchronously, each message with its own Nats-Msg-Id, at most WINDOW awaiting their ack (as
 * many as the HTTP connections that wait for theirs), for DURATION seconds. No HTTP, no
 * CloudEvent, no log: what the bus and the client library take on this machine.
 *
 * usage: ce_bare_jspub NATS_URL SUBJECT DURATION_S WINDOW PAYLOAD_BYTES
 * prints: "<acked> acked in <seconds> s: <rate> msgs/s, <failed> failed" */
#include <nats/nats.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_long bare_acked;
static atomic_long bare_failed;

static void bare_on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    (void)js;
    (void)pae;
    (void)closure;
    atomic_fetch_add(pa != NULL ? &bare_acked : &bare_failed, 1);
    natsMsg_Destroy(msg);
}

static double bare_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bare_publish(jsCtx *js, const char *subject, const char *payload, int len, long n)
{
    natsMsg *msg = NULL;
    char id[32];
    snprintf(id, sizeof id, "bare-%ld", n);
    if (natsMsg_Create(&msg, subject, NULL, payload, len) != NATS_OK ||
        natsMsgHeader_Set(msg, "Nats-Msg-Id", id) != NATS_OK) {
        natsMsg_Destroy(msg);
        return 1;
    }
    if (js_PublishMsgAsync(js, &msg, NULL) != NATS_OK) {
        natsMsg_Destroy(msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s NATS_URL SUBJECT DURATION_S WINDOW PAYLOAD_BYTES\n", argv[0]);
        return 2;
    }
    double duration = atof(argv[3]);
    int window = (int)strtol(argv[4], NULL, 10);
    int len = (int)strtol(argv[5], NULL, 10);
    if (duration <= 0 || window < 1 || len < 1 || len > 1024 * 1024) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    char *payload = malloc((size_t)len);
    memset(payload, 'x', (size_t)len);
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.AckHandler = bare_on_ack;
    jo.PublishAsync.MaxPending = window; /* a publish beyond it waits for an ack */
    if (natsConnection_ConnectTo(&nc, argv[1]) != NATS_OK ||
        natsConnection_JetStream(&js, nc, &jo) != NATS_OK) {
        fprintf(stderr, "cannot connect to %s: %s\n", argv[1], nats_GetLastError(NULL));
        return 1;
    }
    double start = bare_now(), end = start + duration;
    long sent = 0;
    int bad = 0;
    while (bad == 0 && bare_now() < end) {
        for (int i = 0; i < 256 && bad == 0; i++) {
            bad = bare_publish(js, argv[2], payload, len, sent++);
        }
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 10000;
    natsStatus s = js_PublishAsyncComplete(js, &po);
    double took = bare_now() - start;
    long acked = atomic_load(&bare_acked);
    printf("%ld acked in %.2f s: %.0f msgs/s, %ld failed\n", acked, took, (double)acked / took,
           atomic_load(&bare_failed) + (s != NATS_OK || bad != 0));
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    free(payload);
    return s == NATS_OK && bad == 0 ? 0 : 1;
}
