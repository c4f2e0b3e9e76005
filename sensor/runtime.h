/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents sensor -f FILE`: runs one Sensor, as its pod does. */
#ifndef CE_SENSOR_RUNTIME_H
#define CE_SENSOR_RUNTIME_H

struct ce_sensor;

/* Logged once every durable consumer of the sensor exists on the bus. */
#define CE_SENSOR_SUBSCRIBED_MSG "Sensor subscribed to the event bus"

/* Entry point of the subcommand; returns the process exit code. */
int ce_sensor_main(int argc, char **argv);

/* Checks that cevents can run every part of s; prints each reason to stderr as
 * `file:line:col: error: path: ... not supported yet`. CE_OK or CE_EINVAL. */
int ce_sensor_check_supported(const struct ce_sensor *s);

#endif
