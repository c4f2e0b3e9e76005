/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents run PATH...`: the all-in-one mode. Loads every manifest, starts (or connects to) the
 * bus, runs each EventSource and Sensor as a supervised child process of this same binary,
 * prefixes their log lines with their name, restarts crashed children with backoff, and shuts
 * down sources first so every accepted event is answered before the rest stops. With --watch
 * (run_watch*.c) it also starts, restarts and stops single children as their manifests change. */
#include "cmd/run.h"
#include "cmd/run_int.h"
#include "core/base/clock.h"
#include "cmd/cli.h"
#include "cmd/run_relay.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/service/listen.h"
#include "core/service/natsd.h"
#include "core/service/proc.h"
#include "core/base/rc.h"
#include "eventsource/runtime.h"
#include "eventsource/source.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "sensor/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_SUBSCRIBE_WAIT_MS 15000
#define RUN_IN_USE_TRIES 3 /* starts of a child whose port stays taken before giving up */

/* The child's metrics port: its planned one (--metrics-port, then one up per child), or a free
 * one when another program holds that. */
static void run_pick_metrics_port(struct run_child *ch)
{
    if (ch->metrics_port > 0 && !ce_listen_port_free(ch->metrics_port)) {
        int planned = ch->metrics_port;
        ch->metrics_port = ce_listen_free_port();
        char was[16], now[16];
        snprintf(was, sizeof(was), "%d", planned);
        snprintf(now, sizeof(now), "%d", ch->metrics_port);
        ce_log_kv(CE_LOG_WARN, "metrics port in use; the child gets another", "component",
                  ch->label, "port", was, "metricsPort", now, NULL);
    }
}

static int run_spawn(struct run_state *st, struct run_child *ch)
{
    const struct ce_cli *cli = st->cli;
    run_pick_metrics_port(ch);
    char port[16];
    snprintf(port, sizeof(port), "%d", ch->metrics_port);
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", cli->publish_timeout_ms);
    char retry[16];
    snprintf(retry, sizeof(retry), "%d", cli->retry_after_s);
    const char *fmt = cli->log_format == CE_LOG_TEXT ? "text" : "json";
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    char *const argv[] = {
        st->self,
        (char *)ch->kind,
        "-f",
        (char *)ch->file,
        "--name",
        (char *)ch->name,
        "--bus",
        (char *)st->bus_url,
        "--metrics-port",
        port,
        "--log-format",
        (char *)fmt,
        "--secrets-dir",
        (char *)cli->secrets_dir,
        "--config-dir",
        (char *)cli->config_dir,
        "--publish-timeout",
        timeout,
        "--retry-after",
        retry,
        "--bus-secret",
        (char *)st->bus_secret,
        "--bus-secret-key",
        (char *)st->bus_secret_key,
        /* last: a child given no level takes its manifest's LOG_LEVEL, as its pod would */
        cli->log_level_given ? "--log-level" : NULL,
        (char *)levels[cli->log_level],
        NULL,
    };
    int fds[2];
    if (pipe(fds) != 0) {
        return CE_EIO;
    }
    int rc = ce_proc_spawn(argv, fds[1], fds[1], &ch->pid);
    close(fds[1]);
    if (rc != CE_OK) {
        close(fds[0]);
        return rc;
    }
    struct ce_run_relay *a = ce_xmalloc(sizeof(*a));
    *a = (struct ce_run_relay){ch->label, fds[0], cli->log_format == CE_LOG_JSON, &ch->subscribed};
    if (ch->reader_started) {
        pthread_join(ch->reader, NULL);
    }
    ch->reader_started = pthread_create(&ch->reader, NULL, ce_run_relay_main, a) == 0;
    ch->started_ms = ce_clock_mono_ms();
    ch->restart_at_ms = 0;
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)ch->pid);
    ce_log_kv(CE_LOG_INFO, "child process started", "component", ch->label, "pid", pid,
              "metricsPort", ch->metrics_port > 0 ? port : "off", NULL);
    return CE_OK;
}

/* The wait before the next start of a process that stopped: 1 s doubling to 30 s, from 1 s
 * again when it had run for a minute. */
static int run_backoff(int prev_ms, int64_t started_ms, int64_t now)
{
    if (now - started_ms > 60000 || prev_ms == 0) {
        return 1000;
    }
    return prev_ms * 2 > 30000 ? 30000 : prev_ms * 2;
}

static void run_log_stopped(const char *what, const char *label, int status, int backoff_ms)
{
    char code[32], wait[16];
    snprintf(code, sizeof(code), "%s %d", WIFSIGNALED(status) ? "signal" : "exit",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    snprintf(wait, sizeof(wait), "%dms", backoff_ms);
    ce_log_kv(CE_LOG_WARN, what, "component", label, "status", code, "backoff", wait, NULL);
}

/* A reaped pid that was the embedded nats-server: start it again later, same port and data. */
static bool run_bus_exited(struct run_state *st, pid_t pid, int status)
{
    struct run_bus_proc *b = &st->bus;
    if (b->natsd == NULL || ce_natsd_pid(b->natsd) != (int)pid) {
        return false;
    }
    ce_natsd_exited(b->natsd);
    int64_t now = ce_clock_mono_ms();
    b->backoff_ms = run_backoff(b->backoff_ms, b->started_ms, now);
    b->restart_at_ms = now + b->backoff_ms;
    run_log_stopped("the embedded nats-server stopped; restarting", "nats-server", status,
                    b->backoff_ms);
    return true;
}

static void run_bus_restart(struct run_state *st)
{
    struct run_bus_proc *b = &st->bus;
    if (b->natsd == NULL || b->restart_at_ms == 0 || ce_clock_mono_ms() < b->restart_at_ms) {
        return;
    }
    if (ce_natsd_restart(b->natsd) == CE_OK) {
        b->started_ms = ce_clock_mono_ms();
        b->restart_at_ms = 0;
        ce_log_kv(CE_LOG_INFO, "embedded event bus restarted", "url", ce_natsd_url(b->natsd), NULL);
        return;
    }
    b->backoff_ms = run_backoff(b->backoff_ms, b->started_ms, ce_clock_mono_ms());
    b->restart_at_ms = ce_clock_mono_ms() + b->backoff_ms;
    ce_log_kv(CE_LOG_ERROR, "the embedded nats-server did not start again; retrying", "url",
              ce_natsd_url(b->natsd), NULL);
}

/* A child that exits on its own is restarted with backoff (run_backoff), and so is the
 * embedded nats-server. */
static void run_reap(struct run_state *st)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (run_bus_exited(st, pid, status)) {
            continue;
        }
        for (int i = 0; i < st->n_children; i++) {
            struct run_child *ch = st->children[i];
            if (ch->pid != pid) {
                continue;
            }
            ch->pid = 0;
            int64_t now = ce_clock_mono_ms();
            bool in_use = WIFEXITED(status) && WEXITSTATUS(status) == CE_EXIT_IN_USE;
            ch->in_use_exits = in_use ? ch->in_use_exits + 1 : 0;
            if (ch->in_use_exits >= RUN_IN_USE_TRIES) {
                /* the port stays taken: restarting forever would only repeat the same error */
                ch->restart_at_ms = 0;
                ce_log_kv(CE_LOG_ERROR,
                          "child process not restarted: a port it needs stays in use by another "
                          "program (see its error above); free it and start cevents run again",
                          "component", ch->label, NULL);
                continue;
            }
            ch->backoff_ms = run_backoff(ch->backoff_ms, ch->started_ms, now);
            ch->restart_at_ms = now + ch->backoff_ms;
            run_log_stopped("child process stopped; restarting", ch->label, status, ch->backoff_ms);
        }
    }
    run_bus_restart(st);
    for (int i = 0; i < st->n_children; i++) {
        struct run_child *ch = st->children[i];
        if (ch->pid == 0 && ch->restart_at_ms && ce_clock_mono_ms() >= ch->restart_at_ms &&
            run_spawn(st, ch) != CE_OK) {
            ch->restart_at_ms = ce_clock_mono_ms() + ch->backoff_ms;
        }
    }
}

/* The grace time of a stopping child: a source answers every accepted event first. */
static int run_stop_ms(const struct run_state *st, const struct run_child *ch)
{
    return strcmp(ch->kind, "eventsource") == 0 ? st->cli->publish_timeout_ms + 5000 : 15000;
}

void ce_run_child_stop(struct run_state *st, struct run_child *ch)
{
    ch->restart_at_ms = 0;
    if (ch->pid > 0) {
        int status;
        (void)ce_proc_stop(ch->pid, SIGTERM, run_stop_ms(st, ch), &status);
        ch->pid = 0;
    }
    if (ch->reader_started) {
        pthread_join(ch->reader, NULL);
        ch->reader_started = false;
    }
}

static void run_stop_kind(struct run_state *st, const char *kind)
{
    for (int i = 0; i < st->n_children; i++) {
        if (strcmp(st->children[i]->kind, kind) == 0) {
            ce_run_child_stop(st, st->children[i]);
        }
    }
}

struct run_child *ce_run_child_add(struct run_state *st, const char *kind, const char *name,
                                   const char *file)
{
    if (st->n_children >= RUN_MAX_CHILDREN) {
        return NULL;
    }
    struct run_child *ch = ce_xcalloc(1, sizeof(*ch));
    ch->kind = strcmp(kind, "sensor") == 0 ? "sensor" : "eventsource";
    ch->name = ce_xstrdup(name);
    ch->file = ce_xstrdup(file);
    snprintf(ch->label, sizeof(ch->label), "%s/%s", ch->kind, name);
    int base = st->cli->metrics_port;
    ch->metrics_port = base > 0 ? base + st->n_added : 0;
    st->n_added++;
    st->children[st->n_children++] = ch;
    return ch;
}

static void run_child_free(struct run_child *ch)
{
    ce_free(ch->name);
    ce_free(ch->file);
    ce_free(ch->text);
    ce_free(ch);
}

void ce_run_child_remove(struct run_state *st, struct run_child *ch)
{
    ce_run_child_stop(st, ch);
    for (int i = 0; i < st->n_children; i++) {
        if (st->children[i] == ch) {
            memmove(&st->children[i], &st->children[i + 1],
                    (size_t)(st->n_children - i - 1) * sizeof(st->children[0]));
            st->n_children--;
            break;
        }
    }
    run_child_free(ch);
}

struct run_child *ce_run_child_find(const struct run_state *st, const char *kind, const char *name)
{
    for (int i = 0; i < st->n_children; i++) {
        struct run_child *ch = st->children[i];
        if (strcmp(ch->kind, kind) == 0 && strcmp(ch->name, name) == 0) {
            return ch;
        }
    }
    return NULL;
}

void ce_run_child_start(struct run_state *st, struct run_child *ch)
{
    ch->in_use_exits = 0;
    atomic_store(&ch->subscribed, false);
    if (run_spawn(st, ch) != CE_OK) {
        ch->backoff_ms = 1000;
        ch->restart_at_ms = ce_clock_mono_ms() + 1000;
    }
}

/* With --watch an empty directory is fine: its manifests may come later. */
static int run_check(const struct ce_manifest_set *set, bool watching)
{
    int rc = CE_OK;
    if (set->n_eventsources + set->n_sensors == 0 && !watching) {
        fprintf(stderr, "cevents: no EventSource or Sensor found in the given paths\n");
        return CE_EINVAL;
    }
    if (set->n_eventsources + set->n_sensors > RUN_MAX_CHILDREN) {
        fprintf(stderr, "cevents: at most %d EventSources and Sensors per run\n", RUN_MAX_CHILDREN);
        return CE_EINVAL;
    }
    for (int i = 0; i < set->n_eventsources; i++) {
        rc |= ce_eventsource_check_supported(set->eventsources[i]);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        rc |= ce_sensor_check_supported(set->sensors[i]);
    }
    struct ce_diag diag;
    ce_diag_init(&diag);
    ce_cli_check_wiring(set, &diag);
    for (int i = 0; i < set->n_eventsources; i++) {
        const struct ce_es_event *ev = NULL;
        int64_t n = ce_source_max_event_bytes(set->eventsources[i], &ev);
        if (n + 1024 > CE_NATSD_MAX_PAYLOAD_CAP) {
            char path[160];
            snprintf(path, sizeof path, "spec.%s.%s", ev->type, ev->name);
            ce_diag_add(&diag, CE_DIAG_ERROR, &ev->pos, path,
                        "its events can reach %lld bytes, more than any event bus takes (%d "
                        "bytes): lower its maxPayloadSize",
                        (long long)n, CE_NATSD_MAX_PAYLOAD_CAP);
            rc = CE_EINVAL;
        }
    }
    ce_diag_print(&diag, stderr);
    ce_diag_fini(&diag);
    return rc ? CE_EINVAL : CE_OK;
}

/* The embedded server's max_payload: room for the largest event the manifests allow (0: the
 * server's default 1 MiB is enough). run_check made sure it is within the server's cap. */
static int64_t run_max_payload(const struct ce_manifest_set *set)
{
    int64_t max = 0;
    for (int i = 0; i < set->n_eventsources; i++) {
        const struct ce_es_event *which = NULL;
        int64_t n = ce_source_max_event_bytes(set->eventsources[i], &which);
        max = n > max ? n : max;
    }
    return max > 1024 * 1024 ? max + 1024 : 0; /* + the subject and headers */
}

/* Starts the embedded bus unless one was given; *natsd stays NULL then. */
static int run_bus(const struct ce_cli *cli, const struct ce_manifest_set *set,
                   struct ce_natsd **natsd, char **url)
{
    struct ce_bus_config cfg;
    bool given = (cli->bus_url && cli->bus_url[0]);
    for (int i = 0; !given && i < set->n_eventbuses; i++) {
        given = set->eventbuses[i]->url != NULL;
    }
    if (given) {
        ce_cli_bus_config(cli, set, &cfg);
        *url = ce_xstrdup(cfg.url);
        return CE_OK;
    }
    const char *dir = cli->data_dir ? cli->data_dir : ".cevents-data";
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        ce_log_kv(CE_LOG_ERROR, "cannot create the data directory", "dir", dir, NULL);
        return CE_EIO;
    }
    /* The server's own log goes to a file: the terminal shows the events, not its banner. */
    char *log_path = ce_xasprintf("%s/nats-server.log", dir);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = ce_natsd_start_sized(dir, 0, log_fd >= 0 ? log_fd : STDERR_FILENO,
                                  run_max_payload(set), natsd);
    if (log_fd >= 0) {
        close(log_fd);
    }
    if (rc != CE_OK) {
        ce_log_kv(CE_LOG_ERROR, "failed to start the embedded nats-server", "dir", dir, "log",
                  log_path, NULL);
        ce_free(log_path);
        return rc;
    }
    *url = ce_xstrdup(ce_natsd_url(*natsd));
    ce_log_kv(CE_LOG_INFO, "embedded event bus started", "url", *url, "dataDir", dir, "serverLog",
              log_path, NULL);
    ce_free(log_path);
    return CE_OK;
}

/* The children load only their own files; with an EventBus streamConfig among the manifests,
 * the stream is created here first, with those settings, and the children find it. */
static void run_prepare_stream(const struct ce_cli *cli, const struct ce_manifest_set *set,
                               const char *url)
{
    bool configured = false;
    for (int i = 0; i < set->n_eventbuses; i++) {
        configured = configured || set->eventbuses[i]->stream_config != NULL;
    }
    if (!configured) {
        return;
    }
    struct ce_bus_config cfg;
    ce_cli_bus_config(cli, set, &cfg);
    cfg.url = url;
    struct ce_bus *bus = NULL;
    if (ce_bus_create(&cfg, NULL, NULL, &bus) != CE_OK ||
        ce_bus_wait_connected(bus, 5000) != CE_OK || ce_bus_ensure_stream(bus) != CE_OK) {
        ce_log_kv(CE_LOG_WARN,
                  "could not create the stream with the EventBus streamConfig; the "
                  "first process to connect creates it with the defaults",
                  "url", url, NULL);
    }
    ce_bus_destroy(bus);
}

static void run_spawn_kind(struct run_state *st, const char *kind)
{
    for (int i = 0; i < st->n_children; i++) {
        if (strcmp(st->children[i]->kind, kind) == 0) {
            ce_run_child_start(st, st->children[i]);
        }
    }
}

static bool run_sensors_subscribed(struct run_state *st)
{
    for (int i = 0; i < st->n_children; i++) {
        if (strcmp(st->children[i]->kind, "sensor") == 0 &&
            !atomic_load(&st->children[i]->subscribed)) {
            return false;
        }
    }
    return true;
}

/* Sensors start first and the sources wait (bounded) until every sensor's durable consumers
 * exist: Argo's consumers deliver only new messages, so an event published before its first
 * subscription would never reach the sensor. Returns false when a stop signal came. */
static bool run_start_in_order(struct run_state *st)
{
    run_spawn_kind(st, "sensor");
    int64_t deadline = ce_clock_mono_ms() + RUN_SUBSCRIBE_WAIT_MS;
    while (!run_sensors_subscribed(st)) {
        if (ce_clock_mono_ms() >= deadline) {
            ce_log_kv(CE_LOG_WARN, "starting the event sources before every sensor subscribed",
                      NULL);
            break;
        }
        if (ce_cli_wait_signal(50) != 0) {
            return false;
        }
        run_reap(st);
    }
    run_spawn_kind(st, "eventsource");
    return true;
}

static void run_supervise(struct run_state *st)
{
    bool running = run_start_in_order(st);
    while (running && ce_cli_wait_signal(st->watch ? 50 : 100) == 0) {
        run_reap(st);
        if (st->watch) {
            ce_run_watch_poll(st);
        }
    }
    ce_log_kv(CE_LOG_INFO, "stopping: event sources first, then sensors", NULL);
    run_stop_kind(st, "eventsource");
    run_stop_kind(st, "sensor");
}

/* Takes `--watch DIR` (or --watch=DIR) out of argv (before a "--") for the common parser;
 * returns the new argc, -1 when DIR is missing. */
static int run_take_watch(int argc, char **argv, const char **dir)
{
    int out = 1;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        options = options && strcmp(a, "--") != 0;
        if (options && strcmp(a, "--watch") == 0) {
            if (i + 1 >= argc) {
                return -1;
            }
            *dir = argv[++i];
        }
        else if (options && strncmp(a, "--watch=", 8) == 0) {
            *dir = a + 8;
        }
        else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

static const char *const run_usage =
    "run [--bus URL] [--data-dir DIR] [--watch DIR] [flags] PATH...";

/* The usage of `cevents run`: the common flags, then its own. */
static void run_print_usage(FILE *out)
{
    ce_cli_usage(out, run_usage);
    fprintf(out,
            "\n"
            "run flags: --data-dir DIR (the embedded nats-server's store, default\n"
            ".cevents-data), --watch DIR (load DIR as a PATH too, then reload what changes in\n"
            "it: a new, changed or removed EventSource or Sensor manifest starts, restarts or\n"
            "stops only that process; a file that fails lint is reported and not applied)\n");
}

/* Parses the flags of `cevents run`; cli->paths then includes the watched directory (a heap
 * array in *paths). -1 to go on, or the exit code. */
static int run_parse(int argc, char **argv, struct ce_cli *cli, const char **watch, char ***paths)
{
    *watch = NULL;
    *paths = NULL;
    argc = run_take_watch(argc, argv, watch);
    struct stat dir;
    if (argc < 0 || (*watch != NULL && (stat(*watch, &dir) != 0 || !S_ISDIR(dir.st_mode)))) {
        fprintf(stderr, "cevents: --watch needs a directory%s%s\n", *watch ? ": " : "",
                *watch ? *watch : "");
        run_print_usage(stderr);
        return 2;
    }
    if (ce_cli_parse(argc, argv, cli) != CE_OK) {
        run_print_usage(stderr);
        return 2;
    }
    if (cli->help) {
        run_print_usage(stdout);
        return 0;
    }
    if (cli->n_paths == 0 && *watch == NULL) {
        run_print_usage(stderr);
        return 2;
    }
    if (*watch != NULL) {
        *paths = ce_xcalloc((size_t)cli->n_paths + 1, sizeof(**paths));
        memcpy(*paths, cli->paths, (size_t)cli->n_paths * sizeof(**paths));
        (*paths)[cli->n_paths++] = (char *)*watch;
        cli->paths = *paths;
    }
    return -1;
}

/* The bus is up: the children of set, the watch, and supervision until a stop signal. */
static int run_children(struct run_state *st, const struct ce_manifest_set *set, const char *watch)
{
    for (int i = 0; i < set->n_eventsources; i++) {
        const struct ce_eventsource *es = set->eventsources[i];
        (void)ce_run_child_add(st, "eventsource", es->name, es->pos.file);
    }
    for (int i = 0; i < set->n_sensors; i++) {
        const struct ce_sensor *s = set->sensors[i];
        (void)ce_run_child_add(st, "sensor", s->name, s->pos.file);
    }
    if (watch != NULL && ce_run_watch_start(st, watch) != CE_OK) {
        return 1;
    }
    run_supervise(st);
    if (st->watch != NULL) {
        ce_run_watch_stop(st);
    }
    return 0;
}

/* The children load only their own files: the EventBus's credentials go to them as flags. */
static void run_bus_secret(struct run_state *st, const struct ce_manifest_set *set)
{
    struct ce_bus_config cfg;
    ce_cli_bus_config(st->cli, set, &cfg);
    st->bus_secret = cfg.auth_secret != NULL ? cfg.auth_secret : "";
    st->bus_secret_key = cfg.auth_key != NULL ? cfg.auth_key : "";
}

int ce_run_main(int argc, char **argv)
{
    struct ce_cli cli;
    struct ce_manifest_set *set = NULL;
    struct ce_natsd *natsd = NULL;
    char *url = NULL;
    const char *watch = NULL;
    char **paths = NULL;
    ce_cli_block_signals();
    int code = run_parse(argc, argv, &cli, &watch, &paths);
    if (code >= 0) {
        return code;
    }
    ce_log_init("cevents.run", cli.log_format, cli.log_level, STDOUT_FILENO);
    if (ce_cli_load(&cli, &set) != CE_OK || run_check(set, watch != NULL) != CE_OK) {
        ce_manifest_set_destroy(set);
        ce_free(paths);
        return 1;
    }
    code = 1;
    struct run_state *st = ce_xcalloc(1, sizeof(*st));
    st->cli = &cli;
    ssize_t n = readlink("/proc/self/exe", st->self, sizeof(st->self) - 1);
    /* the link names the binary as started; "/proc/self/exe" still works if it cannot be read */
    snprintf(st->self + (n > 0 ? n : 0), sizeof(st->self) - (size_t)(n > 0 ? n : 0), "%s",
             n > 0 ? "" : "/proc/self/exe");
    if (run_bus(&cli, set, &natsd, &url) == CE_OK) {
        st->bus_url = url;
        st->bus.natsd = natsd;
        st->bus.started_ms = ce_clock_mono_ms();
        int64_t sized = run_max_payload(set);
        st->bus_max_payload = natsd == NULL     ? CE_NATSD_MAX_PAYLOAD_CAP
                              : sized > 1 << 20 ? sized
                                                : 1 << 20;
        run_bus_secret(st, set);
        run_prepare_stream(&cli, set, url);
        code = run_children(st, set, watch);
    }
    while (st->n_children > 0) {
        ce_run_child_remove(st, st->children[st->n_children - 1]);
    }
    ce_natsd_destroy(natsd);
    ce_free(url);
    ce_free(st);
    ce_free(paths);
    ce_manifest_set_destroy(set);
    return code;
}
