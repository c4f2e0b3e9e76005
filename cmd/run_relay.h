/* SPDX-License-Identifier: Apache-2.0 */
/* cevents run passes each child's output on to its own: one line in, one line out, whatever its
 * length (a marker line past a cap), each line named after the child, and notes when a
 * Sensor child says it is subscribed. */
#ifndef CE_CMD_RUN_RELAY_H
#define CE_CMD_RUN_RELAY_H

#include <stdatomic.h>
#include <stdbool.h>

struct ce_run_relay {
    const char *label;       /* the child's name in each line; outlives the thread */
    int fd;                  /* the read end of the child's output; closed by the thread */
    bool json;               /* JSON lines get a "component" key, text lines a prefix */
    atomic_bool *subscribed; /* set when the child logs CE_SENSOR_SUBSCRIBED_MSG */
};

/* Thread body: relays arg->fd to its end. arg is a heap struct ce_run_relay, freed here. */
void *ce_run_relay_main(void *arg);

#endif
