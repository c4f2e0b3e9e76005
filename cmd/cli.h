/* SPDX-License-Identifier: Apache-2.0 */
/* Flags and environment shared by the subcommands (DESIGN.md §2), and the small pieces every
 * long-running process needs: logger set-up, bus selection, signal waiting. */
#ifndef CE_CMD_CLI_H
#define CE_CMD_CLI_H

#include "core/base/rc.h"

#include "core/base/log.h"
#include "eventbus/bus.h"

#include <stdbool.h>
#include <stdio.h>

struct ce_diag;
struct ce_manifest_plugins;
struct ce_manifest_set;
struct ce_node;

struct ce_cli {
    const char *file;        /* -f / --file */
    const char *name;        /* --name: which object of the file */
    const char *bus_url;     /* --bus / CEVENTS_BUS_URL */
    const char *secrets_dir; /* --secrets-dir / CEVENTS_SECRETS_DIR */
    const char *config_dir;  /* --config-dir / CEVENTS_CONFIG_DIR */
    const char *data_dir;    /* --data-dir (run) */
    enum ce_log_format log_format;
    enum ce_log_level log_level;
    int metrics_port;       /* --metrics-port, 0 turns it off */
    int publish_timeout_ms; /* --publish-timeout (ms) / CEVENTS_PUBLISH_TIMEOUT_MS */
    int retry_after_s;      /* --retry-after (s) */
    int trigger_workers;    /* --trigger-workers / CEVENTS_TRIGGER_WORKERS; 0: the default */
    bool strict;
    bool help;              /* --help / -h */
    bool log_level_given;   /* --log-level was on the command line */
    const char *event_file; /* --event (explain) */
    const char *dependency; /* --dependency (explain) */
    char **paths;           /* positional arguments */
    int n_paths;

    /* the bus credentials' secret: --bus-secret / CEVENTS_BUS_SECRET, and its key:
     * --bus-secret-key / CEVENTS_BUS_SECRET_KEY (default client-auth) */
    const char *bus_secret;
    const char *bus_secret_key;
};

/* Parses argv (argv[0] is the subcommand). Prints usage errors to stderr and returns CE_EINVAL. */
int ce_cli_parse(int argc, char **argv, struct ce_cli *cli) CE_MUST_CHECK;

/* The plugin lookups manifests are decoded with: every registered source and trigger. */
const struct ce_manifest_plugins *ce_cli_plugins(void);

/* Loads cli->file (or the paths) and prints every diagnostic to stderr. CE_OK when no error. */
int ce_cli_load(const struct ce_cli *cli, struct ce_manifest_set **set) CE_MUST_CHECK;

/* The bus URL: --bus, then CEVENTS_BUS_URL, then an EventBus manifest in set with a URL, then
 * nats://127.0.0.1:4222. Fills cfg (defaults plus the timeouts from cli). The credentials:
 * --bus-secret, else the accessSecret of the first EventBus in set that has one. */
void ce_cli_bus_config(const struct ce_cli *cli, const struct ce_manifest_set *set,
                       struct ce_bus_config *cfg);

/* A warning in diag for each Sensor dependency that no EventSource of set produces (when set
 * holds any EventSource at all): a misspelled eventSourceName or eventName waits forever. */
void ce_cli_check_wiring(const struct ce_manifest_set *set, struct ce_diag *diag);

/* The log level a pod of obj would get: LOG_LEVEL in the object's spec.template.container.env
 * (as in Argo's examples), unless --log-level was given. */
void ce_cli_manifest_log_level(struct ce_cli *cli, const struct ce_node *spec);

/* Blocks SIGINT/SIGTERM in this thread and all threads created after it, so that only
 * ce_cli_wait_signal sees them. Call first thing in main. */
void ce_cli_block_signals(void);
/* Prints "usage: cevents <line>" and the common flags. */
void ce_cli_usage(FILE *out, const char *line);
/* Parses the flags: -1 to go on, or the exit code to return (0 after --help printed the usage to
 * stdout, 2 after a usage error printed it to stderr). */
int ce_cli_parse_usage(int argc, char **argv, struct ce_cli *cli, const char *line);
/* The common start of `cevents eventsource` and `cevents sensor`: blocks the stop signals,
 * parses the flags (the usage for kind on --help or an error) and loads the manifests. Returns
 * -1 with *set loaded, or the exit code to return (0 help, 2 usage, 1 bad manifests). */
int ce_cli_begin(const char *kind, int argc, char **argv, struct ce_cli *cli,
                 struct ce_manifest_set **set) CE_MUST_CHECK;
/* Waits up to timeout_ms for SIGINT/SIGTERM; returns the signal or 0. */
int ce_cli_wait_signal(int timeout_ms);
/* The one object of objects (n of them, of a kind such as "Sensor") named name, or the only one
 * when name is NULL; NULL, with the reason on stderr, when there is none or several. */
const void *ce_cli_pick(const char *kind, const void *const *objects, int n,
                        const char *(*name_of)(const void *), const char *name);

#endif
