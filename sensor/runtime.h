/* SPDX-License-Identifier: Apache-2.0 */
/* One Sensor process, as its pod runs it. */
#ifndef CE_SENSOR_RUNTIME_H
#define CE_SENSOR_RUNTIME_H

#include "eventbus/bus.h"

struct ce_sensor;

/* Logged once every durable consumer of the sensor exists on the bus. */
#define CE_SENSOR_SUBSCRIBED_MSG "Sensor subscribed to the event bus"

#define CE_SENSOR_DEFAULT_WORKERS 8

struct ce_sensor_options {
    struct ce_bus_config bus; /* its name is set to the Sensor's */
    const char *secrets_dir;
    const char *config_dir;
    int metrics_port; /* 0: no operations endpoint */
    /* Workers per trigger whose plugin may run concurrently and whose conditions keep no
     * state (1..CE_SN_POOL_MAX_WORKERS; 0: CE_SENSOR_DEFAULT_WORKERS). Other triggers fire one
     * event at a time. */
    int trigger_workers;
    /* Waits up to timeout_ms for a request to stop: non-zero when the process is to stop. */
    int (*wait_stop)(int timeout_ms);
};

/* Runs s until opt->wait_stop says stop and returns the process exit code. s must have passed
 * ce_sensor_check_supported. */
int ce_sensor_run(const struct ce_sensor *s, const struct ce_sensor_options *opt);

/* Checks that cevents can run every part of s; prints each reason to stderr as
 * `file:line:col: error: path: ... not supported yet`. CE_OK or CE_EINVAL. */
int ce_sensor_check_supported(const struct ce_sensor *s);

#endif
