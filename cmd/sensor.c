/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents sensor -f FILE`: runs one Sensor, as its pod does. */
#include "cmd/sensor.h"
#include "cmd/cli.h"
#include "core/base/log.h"
#include "core/base/rc.h"
#include "manifest/model.h"
#include "sensor/runtime.h"

#include <stdio.h>

static const char *sensor_name(const void *object)
{
    return ((const struct ce_sensor *)object)->name;
}

int ce_sensor_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    int begun = ce_cli_begin("sensor", argc, argv, &cli, &set);
    if (begun >= 0) {
        return begun;
    }
    const struct ce_sensor *s = ce_cli_pick("Sensor", (const void *const *)set->sensors,
                                            set->n_sensors, sensor_name, cli.name);
    if (s == NULL && set->n_sensors == 0 && set->n_eventsources > 0) {
        fprintf(stderr, "cevents: %s holds an EventSource: use cevents eventsource\n",
                cli.file ? cli.file : "the manifest");
    }
    if (!s || ce_sensor_check_supported(s) != CE_OK) {
        ce_manifest_set_destroy(set);
        return 1;
    }
    ce_cli_manifest_log_level(&cli, s->spec);
    ce_log_init("argo-events.sensor", cli.log_format, cli.log_level, 1);
    ce_log_add_base_field("sensorName", s->name);
    struct ce_sensor_options opt = {
        .secrets_dir = cli.secrets_dir,
        .config_dir = cli.config_dir,
        .metrics_port = cli.metrics_port,
        .trigger_workers = cli.trigger_workers,
        .wait_stop = ce_cli_wait_signal,
    };
    ce_cli_bus_config(&cli, set, &opt.bus);
    int code = ce_sensor_run(s, &opt);
    ce_manifest_set_destroy(set);
    return code;
}
