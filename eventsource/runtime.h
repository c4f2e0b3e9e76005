/* SPDX-License-Identifier: Apache-2.0 */
/* One EventSource process: every event of one EventSource, as its pod runs them. */
#ifndef CE_EVENTSOURCE_RUNTIME_H
#define CE_EVENTSOURCE_RUNTIME_H

#include "eventbus/bus.h"

struct ce_diag;
struct ce_eventsource;

struct ce_eventsource_options {
    struct ce_bus_config bus; /* its name is set to the EventSource's */
    const char *secrets_dir;
    int metrics_port; /* 0: no operations endpoint */
    int retry_after_s;
    int publish_timeout_ms;
    /* Waits up to timeout_ms for a request to stop: non-zero when the process is to stop. */
    int (*wait_stop)(int timeout_ms);
};

/* Runs es until opt->wait_stop says stop, then answers every accepted event and returns the
 * process exit code. es must have passed ce_eventsource_check_supported. */
int ce_eventsource_run(const struct ce_eventsource *es, const struct ce_eventsource_options *opt);

/* Checks that cevents can run every part of es; prints each reason to stderr as
 * `file:line:col: error: ...`. CE_OK or CE_EINVAL. */
int ce_eventsource_check_supported(const struct ce_eventsource *es);
/* What es embeds (each event's filter.expression), compiled as the process compiles it: an
 * error in diag for each that does not. The start check and `cevents lint` share it. CE_OK or
 * CE_EINVAL. */
int ce_eventsource_check_embedded(const struct ce_eventsource *es, struct ce_diag *diag);

#endif
