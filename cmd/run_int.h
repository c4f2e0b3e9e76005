/* SPDX-License-Identifier: Apache-2.0 */
/* What the supervisor of `cevents run` (run.c) shares with its --watch reloader
 * (run_watch*.c): the supervised children, and the calls that add, start, stop and remove one
 * without touching the others or the embedded nats-server. Internal to cmd/run*.c. */
#ifndef CE_CMD_RUN_INT_H
#define CE_CMD_RUN_INT_H

#include "cmd/cli.h"
#include "core/base/rc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RUN_MAX_CHILDREN 256

struct run_child {
    const char *kind; /* "eventsource" or "sensor" */
    char *name;
    char *file; /* what the child loads: the user's file, or its --watch snapshot */
    char *text; /* --watch: the object as decoded JSON, what a change is judged by; else NULL */
    bool watched;
    char label[160];
    int metrics_port;
    pid_t pid;
    int out_fd; /* read end of the child's stdout+stderr */
    pthread_t reader;
    bool reader_started;
    atomic_bool subscribed; /* a sensor logged CE_SENSOR_SUBSCRIBED_MSG */
    int64_t started_ms;
    int64_t restart_at_ms; /* 0 = running or not scheduled */
    int backoff_ms;
    int in_use_exits; /* exits in a row for a port held by another program */
};

/* The embedded nats-server, supervised like the children. */
struct run_bus_proc {
    struct ce_natsd *natsd; /* NULL with an external bus */
    int64_t started_ms;
    int64_t restart_at_ms; /* 0 = running */
    int backoff_ms;
};

struct run_watch;

struct run_state {
    const struct ce_cli *cli;
    const char *bus_url;
    const char *bus_secret; /* the bus credentials the children read ("" none) */
    const char *bus_secret_key;
    struct run_bus_proc bus;
    int64_t bus_max_payload; /* the largest message the bus takes: a reloaded source must fit */
    char self[4096];         /* this binary's path, so children show in ps by name (not "exe") */
    struct run_child *children[RUN_MAX_CHILDREN]; /* heap: a relay thread points into one */
    int n_children;
    int n_added;             /* children ever added: the next one's metrics port offset */
    struct run_watch *watch; /* NULL without --watch */
};

/* A new child (not started) named kind/name that loads file; NULL when RUN_MAX_CHILDREN run. */
struct run_child *ce_run_child_add(struct run_state *st, const char *kind, const char *name,
                                   const char *file);
/* Starts ch; on failure a start is scheduled with backoff, as for a crash. */
void ce_run_child_start(struct run_state *st, struct run_child *ch);
/* Stops ch (SIGTERM, then SIGKILL after its kind's grace time) and waits for its output. */
void ce_run_child_stop(struct run_state *st, struct run_child *ch);
/* Stops ch, drops it from st and frees it. */
void ce_run_child_remove(struct run_state *st, struct run_child *ch);
/* The child kind/name, or NULL. */
struct run_child *ce_run_child_find(const struct run_state *st, const char *kind, const char *name);

/* --watch DIR (run_watch.c): reads DIR's files as the running version and points the children
 * of DIR's objects (already added) at snapshots of them. Before the children start. */
int ce_run_watch_start(struct run_state *st, const char *dir) CE_MUST_CHECK;
/* Reads the pending file-system events; after a quiet moment, reloads what changed. */
void ce_run_watch_poll(struct run_state *st);
/* Closes the watch and removes the snapshots; after the children stopped. */
void ce_run_watch_stop(struct run_state *st);

#endif
