/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run`: the all-in-one supervisor. */
#ifndef CE_CMD_RUN_H
#define CE_CMD_RUN_H

/* Entry point of the subcommand; returns the process exit code. */
int ce_run_main(int argc, char **argv);

#endif
