/* SPDX-License-Identifier: Apache-2.0 */
/* Shared flag parsing and process plumbing for the subcommands. */
#include "cmd/cli.h"
#include "manifest/streamconfig.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/service/secrets.h"
#include "manifest/diag.h"
#include "eventsource/source.h"
#include "manifest/model.h"
#include "manifest/node.h"
#include "manifest/plugin.h"
#include "triggers/trigger.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_BUS = 256,
    OPT_SECRETS,
    OPT_CONFIG,
    OPT_DATA_DIR,
    OPT_LOG_FORMAT,
    OPT_LOG_LEVEL,
    OPT_METRICS,
    OPT_PUB_TIMEOUT,
    OPT_RETRY_AFTER,
    OPT_STRICT,
    OPT_EVENT,
    OPT_DEPENDENCY,
    OPT_NAME,
    OPT_HELP,
    OPT_BUS_SECRET,
    OPT_BUS_SECRET_KEY,
    OPT_TRIGGER_WORKERS,
};

static const struct option cli_options[] = {
    {"file", required_argument, NULL, 'f'},
    {"name", required_argument, NULL, OPT_NAME},
    {"bus", required_argument, NULL, OPT_BUS},
    {"secrets-dir", required_argument, NULL, OPT_SECRETS},
    {"config-dir", required_argument, NULL, OPT_CONFIG},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"metrics-port", required_argument, NULL, OPT_METRICS},
    {"publish-timeout", required_argument, NULL, OPT_PUB_TIMEOUT},
    {"retry-after", required_argument, NULL, OPT_RETRY_AFTER},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"event", required_argument, NULL, OPT_EVENT},
    {"dependency", required_argument, NULL, OPT_DEPENDENCY},
    {"help", no_argument, NULL, OPT_HELP},
    {"bus-secret", required_argument, NULL, OPT_BUS_SECRET},
    {"bus-secret-key", required_argument, NULL, OPT_BUS_SECRET_KEY},
    {"trigger-workers", required_argument, NULL, OPT_TRIGGER_WORKERS},
    {NULL, 0, NULL, 0},
};

static int cli_int(const char *flag, const char *s, int min, int max, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || end == s || v < min || v > max) {
        fprintf(stderr, "cevents: %s: %s is not a number between %d and %d\n", flag, s, min, max);
        return CE_EINVAL;
    }
    *out = (int)v;
    return CE_OK;
}

static void cli_defaults(struct ce_cli *cli)
{
    memset(cli, 0, sizeof(*cli));
    cli->bus_url = getenv("CEVENTS_BUS_URL");
    cli->secrets_dir = getenv("CEVENTS_SECRETS_DIR");
    if (!cli->secrets_dir || !cli->secrets_dir[0]) {
        cli->secrets_dir = CE_SECRETS_DIR_DEFAULT;
    }
    cli->bus_secret = getenv("CEVENTS_BUS_SECRET");
    cli->bus_secret_key = getenv("CEVENTS_BUS_SECRET_KEY");
    cli->config_dir = getenv("CEVENTS_CONFIG_DIR");
    if (!cli->config_dir || !cli->config_dir[0]) {
        cli->config_dir = CE_CONFIG_DIR_DEFAULT;
    }
    cli->log_format = CE_LOG_JSON;
    cli->log_level = CE_LOG_INFO;
    cli->metrics_port = 7777;
    cli->publish_timeout_ms = 5000;
    cli->retry_after_s = 1;
    const char *pt = getenv("CEVENTS_PUBLISH_TIMEOUT_MS");
    if (pt && cli_int("CEVENTS_PUBLISH_TIMEOUT_MS", pt, 1, 600000, &cli->publish_timeout_ms)) {
        cli->publish_timeout_ms = 5000;
    }
    const char *tw = getenv("CEVENTS_TRIGGER_WORKERS");
    if (tw && cli_int("CEVENTS_TRIGGER_WORKERS", tw, 1, 64, &cli->trigger_workers)) {
        cli->trigger_workers = 0;
    }
    const char *lf = getenv("CEVENTS_LOG_FORMAT");
    if (lf) {
        (void)ce_log_parse_format(lf, &cli->log_format);
    }
    const char *ll = getenv("LOG_LEVEL");
    if (ll) {
        (void)ce_log_parse_level(ll, &cli->log_level);
    }
}

static int cli_apply(struct ce_cli *cli, int c, const char *arg)
{
    switch (c) {
    case 'f':
        cli->file = arg;
        return CE_OK;
    case OPT_NAME:
        cli->name = arg;
        return CE_OK;
    case OPT_BUS:
        cli->bus_url = arg;
        return CE_OK;
    case OPT_SECRETS:
        cli->secrets_dir = arg;
        return CE_OK;
    case OPT_CONFIG:
        cli->config_dir = arg;
        return CE_OK;
    case OPT_BUS_SECRET:
        cli->bus_secret = arg;
        return CE_OK;
    case OPT_BUS_SECRET_KEY:
        cli->bus_secret_key = arg;
        return CE_OK;
    case OPT_DATA_DIR:
        cli->data_dir = arg;
        return CE_OK;
    case OPT_LOG_FORMAT:
        if (ce_log_parse_format(arg, &cli->log_format) != CE_OK) {
            fprintf(stderr, "cevents: --log-format: expected json or text, got %s\n", arg);
            return CE_EINVAL;
        }
        return CE_OK;
    case OPT_LOG_LEVEL:
        if (ce_log_parse_level(arg, &cli->log_level) != CE_OK) {
            fprintf(stderr, "cevents: --log-level: expected debug, info, warn or error\n");
            return CE_EINVAL;
        }
        cli->log_level_given = true;
        return CE_OK;
    case OPT_METRICS:
        return cli_int("--metrics-port", arg, 0, 65535, &cli->metrics_port);
    case OPT_PUB_TIMEOUT:
        return cli_int("--publish-timeout", arg, 1, 600000, &cli->publish_timeout_ms);
    case OPT_RETRY_AFTER:
        return cli_int("--retry-after", arg, 1, 3600, &cli->retry_after_s);
    case OPT_TRIGGER_WORKERS:
        return cli_int("--trigger-workers", arg, 1, 64, &cli->trigger_workers);
    case OPT_STRICT:
        cli->strict = true;
        return CE_OK;
    case OPT_EVENT:
        cli->event_file = arg;
        return CE_OK;
    case OPT_DEPENDENCY:
        cli->dependency = arg;
        return CE_OK;
    case OPT_HELP:
    case 'h':
        cli->help = true;
        return CE_OK;
    default:
        return CE_EINVAL;
    }
}

int ce_cli_parse(int argc, char **argv, struct ce_cli *cli)
{
    cli_defaults(cli);
    optind = 1;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+f:h", cli_options, NULL)) != -1) {
        if (c == '?' || cli_apply(cli, c, optarg) != CE_OK) {
            return CE_EINVAL;
        }
    }
    cli->paths = argv + optind;
    cli->n_paths = argc - optind;
    return CE_OK;
}

/* Every plugin's block is decoded by its plugin, found in the two registries. */
static const struct ce_manifest_plugins cli_plugins = {
    .source = ce_source_decoder,
    .trigger = ce_trigger_decoder,
};

const struct ce_manifest_plugins *ce_cli_plugins(void)
{
    return &cli_plugins;
}

int ce_cli_load(const struct ce_cli *cli, struct ce_manifest_set **out)
{
    struct ce_manifest_set *set = NULL;
    struct ce_diag diag;
    ce_diag_init(&diag);
    int rc = ce_manifest_set_create(&cli_plugins, &set);
    if (rc == CE_OK && cli->file) {
        rc = ce_manifest_load_path(set, cli->file, cli->strict, &diag);
    }
    for (int i = 0; rc == CE_OK && i < cli->n_paths; i++) {
        rc = ce_manifest_load_path(set, cli->paths[i], cli->strict, &diag);
    }
    ce_diag_print(&diag, stderr);
    if (rc == CE_OK && ce_diag_errors(&diag) > 0) {
        rc = CE_EINVAL;
    }
    ce_diag_fini(&diag);
    if (rc != CE_OK) {
        ce_manifest_set_destroy(set);
        return rc;
    }
    *out = set;
    return CE_OK;
}

/* Where the bus credentials are: the flag, else the first EventBus accessSecret. */
static void cli_bus_auth(const struct ce_cli *cli, const struct ce_manifest_set *set,
                         struct ce_bus_config *cfg)
{
    cfg->secrets_dir = cli->secrets_dir;
    if (cli->bus_secret != NULL && cli->bus_secret[0] != '\0') {
        cfg->auth_secret = cli->bus_secret;
        cfg->auth_key = cli->bus_secret_key != NULL && cli->bus_secret_key[0] != '\0'
                            ? cli->bus_secret_key
                            : "client-auth";
        return;
    }
    for (int i = 0; set != NULL && i < set->n_eventbuses; i++) {
        const struct ce_secret_ref *s = &set->eventbuses[i]->access_secret;
        if (s->set && s->name != NULL && s->key != NULL) {
            cfg->auth_secret = s->name;
            cfg->auth_key = s->key;
            return;
        }
    }
}

void ce_cli_bus_config(const struct ce_cli *cli, const struct ce_manifest_set *set,
                       struct ce_bus_config *cfg)
{
    ce_bus_config_defaults(cfg);
    cfg->url = cli->bus_url && cli->bus_url[0] ? cli->bus_url : NULL;
    for (int i = 0; !cfg->url && set && i < set->n_eventbuses; i++) {
        if (set->eventbuses[i]->url) {
            cfg->url = set->eventbuses[i]->url;
        }
    }
    if (!cfg->url) {
        cfg->url = "nats://127.0.0.1:4222";
    }
    /* the stream settings of the (first) EventBus, as Argo's controller merges them */
    if (set != NULL && set->n_eventbuses > 0) {
        struct ce_diag diag;
        ce_diag_init(&diag);
        (void)ce_stream_config_apply(set->eventbuses[0], &cfg->stream, &diag);
        ce_diag_print(&diag, stderr); /* bad keys keep their defaults; lint reports them too */
        ce_diag_fini(&diag);
    }
    cfg->publish_timeout_ms = cli->publish_timeout_ms;
    cli_bus_auth(cli, set, cfg);
}

void ce_cli_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int ce_cli_wait_signal(int timeout_ms)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    int sig = sigtimedwait(&set, NULL, &ts);
    return sig > 0 ? sig : 0;
}

void ce_cli_usage(FILE *out, const char *line)
{
    fprintf(out,
            "usage: cevents %s\n"
            "\n"
            "common flags: --bus URL (or CEVENTS_BUS_URL), --secrets-dir DIR (or\n"
            "CEVENTS_SECRETS_DIR, default /argo-events/secrets), --config-dir DIR (or\n"
            "CEVENTS_CONFIG_DIR, default /argo-events/config), --log-format json|text,\n"
            "--bus-secret NAME and --bus-secret-key KEY (or CEVENTS_BUS_SECRET[_KEY], default key\n"
            "client-auth: the bus credentials, YAML username/password in the secrets dir),\n"
            "--log-level debug|info|warn|error (or LOG_LEVEL), --metrics-port N (default 7777,\n"
            "0 = off), --publish-timeout MS (default 5000), --retry-after S (default 1),\n"
            "--name NAME (which object of the file), --trigger-workers N (or\n"
            "CEVENTS_TRIGGER_WORKERS, sensor: firings at once per trigger that allows it, default\n"
            "8), --help\n",
            line);
}

int ce_cli_parse_usage(int argc, char **argv, struct ce_cli *cli, const char *line)
{
    if (ce_cli_parse(argc, argv, cli) != CE_OK) {
        ce_cli_usage(stderr, line);
        return 2;
    }
    if (cli->help) {
        ce_cli_usage(stdout, line);
        return 0;
    }
    return -1;
}

int ce_cli_begin(const char *kind, int argc, char **argv, struct ce_cli *cli,
                 struct ce_manifest_set **set)
{
    *set = NULL;
    ce_cli_block_signals();
    char line[128];
    snprintf(line, sizeof(line), "%s -f FILE [--name NAME] [flags]", kind);
    int code = ce_cli_parse_usage(argc, argv, cli, line);
    if (code >= 0) {
        return code;
    }
    if (!cli->file && cli->n_paths == 0) {
        ce_cli_usage(stderr, line);
        return 2;
    }
    return ce_cli_load(cli, set) == CE_OK ? -1 : 1;
}

const void *ce_cli_pick(const char *kind, const void *const *objects, int n,
                        const char *(*name_of)(const void *), const char *name)
{
    const void *found = NULL;
    for (int i = 0; i < n; i++) {
        if (name == NULL || strcmp(name_of(objects[i]), name) == 0) {
            if (found != NULL) {
                fprintf(stderr, "cevents: several %ss found: pick one with --name\n", kind);
                return NULL;
            }
            found = objects[i];
        }
    }
    if (found == NULL) {
        fprintf(stderr, "cevents: no %s%s%s found\n", kind, name ? " named " : "",
                name ? name : "");
    }
    return found;
}

/* Whether es has an event called name (of any type). */
static bool cli_has_event(const struct ce_eventsource *es, const char *name)
{
    for (int i = 0; i < es->n_events; i++) {
        if (strcmp(es->events[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

void ce_cli_check_wiring(const struct ce_manifest_set *set, struct ce_diag *diag)
{
    if (set->n_eventsources == 0) {
        return; /* a Sensor alone: its events come from EventSources loaded elsewhere */
    }
    for (int i = 0; i < set->n_sensors; i++) {
        const struct ce_sensor *sn = set->sensors[i];
        for (int d = 0; d < sn->n_deps; d++) {
            const struct ce_dependency *dep = &sn->deps[d];
            const struct ce_eventsource *es = NULL;
            for (int k = 0; k < set->n_eventsources && es == NULL; k++) {
                es = strcmp(set->eventsources[k]->name, dep->event_source_name) == 0
                         ? set->eventsources[k]
                         : NULL;
            }
            if (es != NULL && cli_has_event(es, dep->event_name)) {
                continue;
            }
            char path[64];
            snprintf(path, sizeof path, "spec.dependencies[%d]", d);
            ce_diag_add(diag, CE_DIAG_WARNING, &dep->pos, path,
                        es ? "the EventSource \"%s\" has no event \"%s\": this dependency "
                             "waits for events none of these manifests produce"
                           : "no EventSource \"%s\" is among these manifests (event \"%s\"): "
                             "this dependency waits for events none of them produce",
                        dep->event_source_name, dep->event_name);
        }
    }
}

/* The value of the variable called name in the object's spec.template.container.env, where Argo
 * Events users set the pod's environment (LOG_LEVEL), or NULL. */
static const char *cli_manifest_env(const struct ce_node *spec, const char *name)
{
    const struct ce_node *env =
        ce_node_get(ce_node_get(ce_node_get(spec, "template"), "container"), "env");
    for (int i = 0; env != NULL && env->type == CE_NODE_SEQ && i < env->n_items; i++) {
        const struct ce_node *n = ce_node_get(env->items[i], "name");
        const struct ce_node *v = ce_node_get(env->items[i], "value");
        if (n != NULL && n->type == CE_NODE_SCALAR && strcmp(n->str, name) == 0 && v != NULL &&
            v->type == CE_NODE_SCALAR) {
            return v->str;
        }
    }
    return NULL;
}

void ce_cli_manifest_log_level(struct ce_cli *cli, const struct ce_node *spec)
{
    const char *level = cli->log_level_given ? NULL : cli_manifest_env(spec, "LOG_LEVEL");
    if (level != NULL && ce_log_parse_level(level, &cli->log_level) != CE_OK) {
        fprintf(stderr,
                "cevents: LOG_LEVEL \"%s\" in the manifest's template: expected debug, "
                "info, warn or error\n",
                level);
    }
}
