/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents eventsource -f FILE`: runs every event of one EventSource, as its pod does. */
#include "cmd/eventsource.h"
#include "cmd/cli.h"
#include "core/base/log.h"
#include "core/base/rc.h"
#include "eventsource/runtime.h"
#include "manifest/model.h"

#include <stdio.h>

static const char *eventsource_name(const void *object)
{
    return ((const struct ce_eventsource *)object)->name;
}

int ce_eventsource_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    int begun = ce_cli_begin("eventsource", argc, argv, &cli, &set);
    if (begun >= 0) {
        return begun;
    }
    const struct ce_eventsource *es =
        ce_cli_pick("EventSource", (const void *const *)set->eventsources, set->n_eventsources,
                    eventsource_name, cli.name);
    if (es == NULL && set->n_eventsources == 0 && set->n_sensors > 0) {
        fprintf(stderr, "cevents: %s holds a Sensor: use cevents sensor\n",
                cli.file ? cli.file : "the manifest");
    }
    if (!es || ce_eventsource_check_supported(es) != CE_OK) {
        ce_manifest_set_destroy(set);
        return 1;
    }
    ce_cli_manifest_log_level(&cli, es->spec);
    ce_log_init("argo-events.eventsource", cli.log_format, cli.log_level, 1);
    ce_log_add_base_field("eventSourceName", es->name);
    struct ce_eventsource_options opt = {
        .secrets_dir = cli.secrets_dir,
        .metrics_port = cli.metrics_port,
        .retry_after_s = cli.retry_after_s,
        .publish_timeout_ms = cli.publish_timeout_ms,
        .wait_stop = ce_cli_wait_signal,
    };
    ce_cli_bus_config(&cli, set, &opt.bus);
    int code = ce_eventsource_run(es, &opt);
    ce_manifest_set_destroy(set);
    return code;
}
