/* SPDX-License-Identifier: Apache-2.0 */
/* The controller's work queue: object keys ("EventSource/ns/name") waiting to be reconciled.
 * A key is queued at most once however often it is added; a key added while it is being
 * reconciled is reconciled again afterwards (the change that came in is not lost); a failed
 * key comes back after a backoff that doubles per failure (250 ms up to 60 s) and resets on
 * success. Safe for any number of threads. */
#ifndef CE_CONTROLLER_QUEUE_H
#define CE_CONTROLLER_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_CTL_KEY_MAX 512      /* "Kind/namespace/name": names are at most 253 bytes */
#define CE_CTL_QUEUE_MAX 100000 /* keys held at once; more are dropped (and logged) */
#define CE_CTL_BACKOFF_MIN_MS 250
#define CE_CTL_BACKOFF_MAX_MS 60000

struct ce_ctl_queue;

struct ce_ctl_queue *ce_ctl_queue_create(void);
void ce_ctl_queue_destroy(struct ce_ctl_queue *q);
/* Queues key to be taken delay_ms from now (0: now); an earlier time already set wins. */
void ce_ctl_queue_add(struct ce_ctl_queue *q, const char *key, int64_t delay_ms);
/* Takes the key due first, waiting up to timeout_ms; false when none came or the queue is shut
 * down. The key is then being processed until ce_ctl_queue_done. */
bool ce_ctl_queue_get(struct ce_ctl_queue *q, char *key, size_t keylen, int64_t timeout_ms);
/* Ends processing of key: ok forgets its failures; !ok queues it again after its backoff. */
void ce_ctl_queue_done(struct ce_ctl_queue *q, const char *key, bool ok);
/* Wakes every ce_ctl_queue_get, which returns false from now on. */
void ce_ctl_queue_shutdown(struct ce_ctl_queue *q);
/* Keys queued or being processed (for the metrics). */
size_t ce_ctl_queue_len(struct ce_ctl_queue *q);

#endif
