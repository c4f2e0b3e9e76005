/* SPDX-License-Identifier: Apache-2.0 */
/* The operations endpoint every process serves: GET /metrics (Prometheus text), /healthz
 * (200 while the process runs) and /readyz (200 only while ready_fn says so, else 503). */
#ifndef CE_CORE_OPSSERVER_H
#define CE_CORE_OPSSERVER_H

#include "core/base/rc.h"

#include <stdbool.h>

struct ce_opsserver;

typedef bool ce_ready_fn(void *arg);

/* Listens on 0.0.0.0:port (port > 0). Returns CE_OK, CE_EINUSE when another program holds the
 * port, or CE_EIO when it cannot be had otherwise (logged with the reason). */
int ce_opsserver_start(int port, ce_ready_fn *ready, void *arg,
                       struct ce_opsserver **out) CE_MUST_CHECK;
void ce_opsserver_stop(struct ce_opsserver *s);

#endif
