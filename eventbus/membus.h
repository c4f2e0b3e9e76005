/* SPDX-License-Identifier: Apache-2.0 */
/* Test hooks of the in-memory bus ("memory://name"): buses of one name in one process share a
 * stream, durable consumers and KV buckets, and live until the process ends. These functions
 * apply to buses created with a memory:// URL only (they do nothing on other buses). */
#ifndef CE_EVENTBUS_MEMBUS_H
#define CE_EVENTBUS_MEMBUS_H

#include "eventbus/bus.h"

#include <stdbool.h>

/* Simulates an outage (up = false) or its end for every bus of this name: while down,
 * publishes, fetches, acks and KV calls return CE_EUNAVAIL; each bus's state_fn is called
 * (on its callback thread) for every change. */
void ce_membus_set_connected(struct ce_bus *bus, bool up);
/* How long a delivered, unacknowledged message waits before redelivery (default 30000 ms, the
 * JetStream server default Argo relies on). Applies to every bus of this name. */
void ce_membus_set_ack_wait_ms(struct ce_bus *bus, int ms);

#endif
