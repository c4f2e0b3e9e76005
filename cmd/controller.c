/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents controller`: flags, the Kubernetes connection, the health and metrics endpoints, and
 * the controller until SIGTERM. */
#include "cmd/controller.h"
#include "cmd/cli.h"
#include "controller/controller.h"
#include "core/base/log.h"
#include "core/go/duration.h"
#include "core/service/opsserver.h"
#include "kube/client.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctl_cli {
    struct ce_ctl_opts o;
    const char *kubeconfig, *context;
    int metrics_port, health_port;
    enum ce_log_format log_format;
    enum ce_log_level log_level;
    char identity[256];
};

static void ctl_usage(FILE *out)
{
    fprintf(
        out,
        "usage: cevents controller [flags]\n"
        "\n"
        "Runs EventSources, Sensors and EventBuses applied to a Kubernetes cluster.\n"
        "\n"
        "  --namespaced                 manage only --managed-namespace (else every namespace)\n"
        "  --managed-namespace NS       (or NAMESPACE; default argo-events) also the Lease's\n"
        "  --leader-election BOOL       default true: act only while holding the Lease\n"
        "  --lease-name NAME            default cevents-controller\n"
        "  --lease-duration D           default 15s (Go duration)\n"
        "  --renew-deadline D           default 10s\n"
        "  --retry-period D             default 2s\n"
        "  --resync D                   default 10m: every object is reconciled this often\n"
        "  --image IMAGE                (or CEVENTS_IMAGE; default cevents:latest) for pods\n"
        "  --image-pull-policy P        (or IMAGE_PULL_POLICY) for pods\n"
        "  --kubeconfig PATH, --context NAME   (else KUBECONFIG, in-cluster, ~/.kube/config)\n"
        "  --metrics-port N             default 7777 (0 = off)\n"
        "  --health-port N              default 8081: /healthz and /readyz (0 = off)\n"
        "  --log-format json|text, --log-level debug|info|warn|error (or LOG_LEVEL)\n"
        "  --help\n");
}

static int ctl_duration(const char *flag, const char *v, int64_t *ms)
{
    int64_t ns = 0;
    char err[128];
    if (ce_duration_parse(v, &ns, err, sizeof(err)) != CE_OK || ns < 0) {
        fprintf(stderr, "cevents controller: %s %s: not a duration (%s)\n", flag, v, err);
        return 2;
    }
    *ms = ns / 1000000;
    return -1;
}

static int ctl_bool(const char *flag, const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
        *out = strcmp(v, "true") == 0;
        return -1;
    }
    fprintf(stderr, "cevents controller: %s %s: use true or false\n", flag, v);
    return 2;
}

static int ctl_int(const char *flag, const char *v, int *out)
{
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 0 || n > 65535) {
        fprintf(stderr, "cevents controller: %s %s: not a port\n", flag, v);
        return 2;
    }
    *out = (int)n;
    return -1;
}

static const struct option ctl_options[] = {
    {"namespaced", no_argument, NULL, 'n'},
    {"managed-namespace", required_argument, NULL, 'N'},
    {"leader-election", required_argument, NULL, 'L'},
    {"lease-name", required_argument, NULL, 'l'},
    {"lease-duration", required_argument, NULL, 'd'},
    {"renew-deadline", required_argument, NULL, 'r'},
    {"retry-period", required_argument, NULL, 'p'},
    {"resync", required_argument, NULL, 's'},
    {"image", required_argument, NULL, 'i'},
    {"image-pull-policy", required_argument, NULL, 'P'},
    {"kubeconfig", required_argument, NULL, 'k'},
    {"context", required_argument, NULL, 'c'},
    {"metrics-port", required_argument, NULL, 'm'},
    {"health-port", required_argument, NULL, 'H'},
    {"log-format", required_argument, NULL, 'F'},
    {"log-level", required_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int ctl_log_flag(struct ctl_cli *cc, int opt, const char *v)
{
    int rc = opt == 'F' ? ce_log_parse_format(v, &cc->log_format)
                        : ce_log_parse_level(v, &cc->log_level);
    if (rc != CE_OK) {
        fprintf(stderr, "cevents controller: %s: not a log %s\n", v,
                opt == 'F' ? "format (json|text)" : "level (debug|info|warn|error)");
        return 2;
    }
    return -1;
}

/* One flag: -1 to go on, else the exit code. */
static int ctl_flag(struct ctl_cli *cc, int opt, const char *v)
{
    switch (opt) {
    case 'n':
        cc->o.namespaced = true;
        return -1;
    case 'N':
        cc->o.ns = v;
        return -1;
    case 'L':
        return ctl_bool("--leader-election", v, &cc->o.leader_election);
    case 'l':
        cc->o.lease_name = v;
        return -1;
    case 'd':
        return ctl_duration("--lease-duration", v, &cc->o.lease_ms);
    case 'r':
        return ctl_duration("--renew-deadline", v, &cc->o.renew_deadline_ms);
    case 'p':
        return ctl_duration("--retry-period", v, &cc->o.retry_ms);
    case 's':
        return ctl_duration("--resync", v, &cc->o.resync_ms);
    case 'i':
        cc->o.env.image = v;
        return -1;
    case 'P':
        cc->o.env.pull_policy = v;
        return -1;
    case 'k':
        cc->kubeconfig = v;
        return -1;
    case 'c':
        cc->context = v;
        return -1;
    case 'm':
        return ctl_int("--metrics-port", v, &cc->metrics_port);
    case 'H':
        return ctl_int("--health-port", v, &cc->health_port);
    case 'F':
    case 'V':
        return ctl_log_flag(cc, opt, v);
    case 'h':
        ctl_usage(stdout);
        return 0;
    default:
        ctl_usage(stderr);
        return 2;
    }
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v != NULL && v[0] ? v : dflt;
}

static void ctl_defaults(struct ctl_cli *cc)
{
    memset(cc, 0, sizeof(*cc));
    cc->o.ns = env_or("NAMESPACE", "argo-events");
    cc->o.leader_election = true;
    cc->o.lease_name = "cevents-controller";
    cc->o.lease_ms = 15000;
    cc->o.renew_deadline_ms = 10000;
    cc->o.retry_ms = 2000;
    cc->o.resync_ms = 600000;
    cc->o.env.image = env_or("CEVENTS_IMAGE", "cevents:latest");
    cc->o.env.pull_policy = env_or("IMAGE_PULL_POLICY", NULL);
    cc->o.env.plugins = ce_cli_plugins();
    cc->metrics_port = 7777;
    cc->health_port = 8081;
    cc->log_level = CE_LOG_INFO;
    const char *lvl = getenv("LOG_LEVEL");
    if (lvl != NULL && ce_log_parse_level(lvl, &cc->log_level) != CE_OK) {
        cc->log_level = CE_LOG_INFO;
    }
    char host[200] = "controller";
    gethostname(host, sizeof(host) - 1);
    snprintf(cc->identity, sizeof(cc->identity), "%s_%d", env_or("POD_NAME", host), (int)getpid());
    cc->o.identity = cc->identity;
}

static int ctl_parse(int argc, char **argv, struct ctl_cli *cc)
{
    ctl_defaults(cc);
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", ctl_options, NULL)) != -1) {
        int code = ctl_flag(cc, opt, optarg);
        if (code >= 0) {
            return code;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "cevents controller: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (cc->o.leader_election && cc->o.renew_deadline_ms >= cc->o.lease_ms) {
        fprintf(stderr, "cevents controller: --renew-deadline must be shorter than "
                        "--lease-duration\n");
        return 2;
    }
    return -1;
}

static int ctl_client(const struct ctl_cli *cc, struct ce_kube_client **out)
{
    struct ce_kube_config_opts ko = {.kubeconfig = cc->kubeconfig, .context = cc->context};
    struct ce_kube_config *cfg = NULL;
    char err[512];
    int rc = ce_kube_config_load(&ko, &cfg, err, sizeof(err));
    if (rc == CE_OK) {
        rc = ce_kube_client_create(cfg, out, err, sizeof(err));
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "Cannot reach the Kubernetes API server", "error", err, NULL);
    }
    ce_kube_config_free(cfg);
    return rc;
}

static atomic_bool ctl_ready;
static atomic_bool ctl_stop;

static bool ctl_is_ready(void *arg)
{
    (void)arg;
    return atomic_load(&ctl_ready);
}

static void *ctl_signal_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&ctl_stop)) {
        if (ce_cli_wait_signal(500) != 0) {
            ce_log_kv(CE_LOG_INFO, "Stopping the controller", NULL);
            atomic_store(&ctl_stop, true);
        }
    }
    return NULL;
}

/* The metrics and health endpoints (each serves /metrics, /healthz and /readyz). */
static int ctl_ops(const struct ctl_cli *cc, struct ce_opsserver **m, struct ce_opsserver **h)
{
    int rc = CE_OK;
    if (cc->metrics_port > 0) {
        rc = ce_opsserver_start(cc->metrics_port, ctl_is_ready, NULL, m);
    }
    if (rc == CE_OK && cc->health_port > 0 && cc->health_port != cc->metrics_port) {
        rc = ce_opsserver_start(cc->health_port, ctl_is_ready, NULL, h);
    }
    return rc;
}

static int ctl_serve(struct ctl_cli *cc)
{
    struct ce_kube_client *c = NULL;
    struct ce_opsserver *mo = NULL, *ho = NULL;
    int rc = ctl_client(cc, &c);
    if (rc == CE_OK) {
        rc = ctl_ops(cc, &mo, &ho);
    }
    if (rc == CE_OK) {
        pthread_t sig;
        cc->o.ready = &ctl_ready;
        bool sig_ok = pthread_create(&sig, NULL, ctl_signal_main, NULL) == 0;
        rc = sig_ok ? ce_controller_run(c, &cc->o, &ctl_stop) : CE_EIO;
        atomic_store(&ctl_stop, true);
        if (sig_ok) {
            pthread_join(sig, NULL);
        }
    }
    ce_opsserver_stop(ho);
    ce_opsserver_stop(mo);
    ce_kube_client_destroy(c);
    return rc;
}

int ce_controller_main(int argc, char **argv)
{
    ce_cli_block_signals();
    struct ctl_cli cc;
    int code = ctl_parse(argc, argv, &cc);
    if (code >= 0) {
        return code;
    }
    ce_log_init("cevents.controller", cc.log_format, cc.log_level, 1);
    ce_log_kv(CE_LOG_INFO, "Starting the controller", "managedNamespace", cc.o.ns, "namespaced",
              cc.o.namespaced ? "true" : "false", "image", cc.o.env.image, NULL);
    int rc = ctl_serve(&cc);
    return rc == CE_OK ? 0 : 1;
}
