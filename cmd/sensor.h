/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents sensor -f FILE`. */
#ifndef CE_CMD_SENSOR_H
#define CE_CMD_SENSOR_H

/* Entry point of the subcommand; returns the process exit code. */
int ce_sensor_main(int argc, char **argv);

#endif
