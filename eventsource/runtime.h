/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents eventsource -f FILE`: runs every event of one EventSource, as its pod does. */
#ifndef CE_EVENTSOURCE_RUNTIME_H
#define CE_EVENTSOURCE_RUNTIME_H

struct ce_diag;
struct ce_eventsource;

/* Entry point of the subcommand; returns the process exit code. */
int ce_eventsource_main(int argc, char **argv);

/* Checks that cevents can run every part of es; prints each reason to stderr as
 * `file:line:col: error: ...`. CE_OK or CE_EINVAL. */
int ce_eventsource_check_supported(const struct ce_eventsource *es);
/* What es embeds (each event's filter.expression), compiled as the process compiles it: an
 * error in diag for each that does not. The start check and `cevents lint` share it. CE_OK or
 * CE_EINVAL. */
int ce_eventsource_check_embedded(const struct ce_eventsource *es, struct ce_diag *diag);

#endif
