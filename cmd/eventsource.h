/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents eventsource -f FILE`. */
#ifndef CE_CMD_EVENTSOURCE_H
#define CE_CMD_EVENTSOURCE_H

/* Entry point of the subcommand; returns the process exit code. */
int ce_eventsource_main(int argc, char **argv);

#endif
