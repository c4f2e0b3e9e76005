/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents lint`: loads every path given, prints every problem as file:line:col, notes the
 * documents it skipped, and ends with a one-line summary, so that CI can gate on the exit status
 * and people can read the output. */
#include "cmd/lint.h"
#include "cmd/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/base/mem.h"
#include "eventsource/runtime.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/streamconfig.h"
#include "sensor/check.h"

static void lint_usage(FILE *f)
{
    fprintf(f, "usage: cevents lint [--strict] PATH...\n"
               "  Checks EventSource, Sensor and EventBus manifests (files, or directories of\n"
               "  *.yaml, *.yml and *.json files) and reports every problem.\n"
               "  --strict  also report fields cevents and Argo Events do not know\n");
}

static const char *lint_plural(int n)
{
    return n == 1 ? "" : "s";
}

static int lint_count(const struct ce_diag *d, enum ce_diag_severity sev)
{
    int n = 0;
    for (int i = 0; i < d->n; i++) {
        n += d->items[i].severity == sev;
    }
    return n;
}

/* Checks beyond the manifest's own rules: what the processes compile at start (expressions,
 * templates, scripts), and the EventBus stream settings. */
static void lint_deep(const struct ce_manifest_set *set, struct ce_diag *diag)
{
    for (int i = 0; i < set->n_eventbuses; i++) {
        struct ce_stream_config cfg;
        memset(&cfg, 0, sizeof cfg);
        (void)ce_stream_config_apply(set->eventbuses[i], &cfg, diag);
    }
    for (int i = 0; i < set->n_eventsources; i++) {
        (void)ce_eventsource_check_embedded(set->eventsources[i], diag);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        (void)ce_sensor_check_embedded(set->sensors[i], diag);
    }
}

int ce_lint_main(int argc, char **argv)
{
    bool strict = false;
    int first = 1;
    for (; first < argc; first++) {
        const char *a = argv[first];
        if (strcmp(a, "--strict") == 0) {
            strict = true;
        }
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            lint_usage(stdout);
            return 0;
        }
        else if (strcmp(a, "--") == 0) {
            first++;
            break;
        }
        else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "cevents lint: unknown option %s\n", a);
            lint_usage(stderr);
            return 2;
        }
        else {
            break;
        }
    }
    if (first >= argc) {
        lint_usage(stderr);
        return 2;
    }
    struct ce_manifest_set *set = NULL;
    if (ce_manifest_set_create(ce_cli_plugins(), &set) != 0) {
        return 2;
    }
    struct ce_diag diag;
    ce_diag_init(&diag);
    int noted = 0;
    for (int i = first; i < argc; i++) {
        int rc = ce_manifest_load_path(set, argv[i], strict, &diag);
        (void)rc; /* every problem, including this one, is in diag */
        noted = ce_manifest_note_skipped(set, noted, &diag);
    }
    lint_deep(set, &diag);
    ce_cli_check_wiring(set, &diag);
    fflush(stdout);
    ce_diag_print(&diag, stderr);
    int errors = ce_diag_errors(&diag);
    int warnings = lint_count(&diag, CE_DIAG_WARNING);
    int objects = set->n_eventsources + set->n_sensors + set->n_eventbuses;
    int files = ce_manifest_set_files(set);
    printf("%d file%s, %d object%s, %d error%s", files, lint_plural(files), objects,
           lint_plural(objects), errors, lint_plural(errors));
    if (warnings > 0) {
        printf(", %d warning%s", warnings, lint_plural(warnings));
    }
    printf("\n");
    fflush(stdout);
    ce_diag_fini(&diag);
    ce_manifest_set_destroy(set);
    return errors > 0 ? 1 : 0;
}
