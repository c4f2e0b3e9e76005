/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents explain -f SENSOR --event EVENT.json [--dependency NAME]`: shows, without firing
 * anything, which of the Sensor's dependencies the event satisfies and why (each filter's
 * verdict), whether each trigger would fire on it, and what the trigger would do. */
#ifndef CE_CMD_EXPLAIN_H
#define CE_CMD_EXPLAIN_H

/* Entry point of the subcommand; returns the exit code (0 explained, 1 bad input, 2 usage). */
int ce_explain_main(int argc, char **argv);

#endif
