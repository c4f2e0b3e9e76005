/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents lint [--strict] PATH...`: loads and validates manifests and reports every problem,
 * including what the processes would refuse at start. Exit status 0 when clean, 1 when any error
 * was found, 2 for bad usage. */
#ifndef CE_CMD_LINT_H
#define CE_CMD_LINT_H

/* argv[0] is "lint". Prints diagnostics to stderr and a summary line to stdout. */
int ce_lint_main(int argc, char **argv);

#endif
