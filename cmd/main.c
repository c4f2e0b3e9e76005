/* SPDX-License-Identifier: Apache-2.0 */
/* The cevents binary: one program, one subcommand per role (DESIGN.md §2). */
#include "cmd/controller.h"
#include "cmd/explain.h"
#include "cmd/run.h"
#include "eventbus/bus.h"
#include "cmd/eventsource.h"
#include "cmd/lint.h"
#include "cmd/sensor.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static void main_usage(FILE *out)
{
    fprintf(
        out,
        "cevents %s: an event-driven gateway that runs Argo Events manifests\n"
        "\n"
        "usage:\n"
        "  cevents run [--bus URL] [--data-dir DIR] PATH...   run every EventSource and Sensor\n"
        "  cevents eventsource -f FILE [--bus URL]           run one EventSource\n"
        "  cevents sensor -f FILE [--bus URL]                run one Sensor\n"
        "  cevents lint [--strict] PATH...                   check manifests offline\n"
        "  cevents explain -f SENSOR --event EVENT.json [--dependency NAME]\n"
        "                                                    show what a Sensor would do\n"
        "  cevents controller [--namespaced] [flags]         run manifests applied to Kubernetes\n"
        "  cevents version\n"
        "\n"
        "`cevents COMMAND --help` shows a command's flags.\n",
        CE_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("cevents %s\n", CE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        main_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "lint") == 0) {
        return ce_lint_main(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "explain") == 0) {
        return ce_explain_main(argc - 1, argv + 1);
    }
    /* libcurl (and with it OpenSSL) is initialised on first use: core/http/curl_init.h */
    int code;
    if (strcmp(cmd, "run") == 0) {
        code = ce_run_main(argc - 1, argv + 1);
    }
    else if (strcmp(cmd, "eventsource") == 0) {
        code = ce_eventsource_main(argc - 1, argv + 1);
    }
    else if (strcmp(cmd, "sensor") == 0) {
        code = ce_sensor_main(argc - 1, argv + 1);
    }
    else if (strcmp(cmd, "controller") == 0) {
        code = ce_controller_main(argc - 1, argv + 1);
    }
    else {
        fprintf(stderr, "cevents: unknown command \"%s\"\n\n", cmd);
        main_usage(stderr);
        code = 2;
    }
    ce_bus_shutdown();
    curl_global_cleanup(); /* nothing to do when no request was made */
    return code;
}
