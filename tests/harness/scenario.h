/* SPDX-License-Identifier: Apache-2.0 */
/* Building blocks the end-to-end tests share: manifests written from templates with free
 * ports, a real nats-server, cevents processes with their logs captured, the demo request. */
#ifndef CE_TESTS_HARNESS_SCENARIO_H
#define CE_TESTS_HARNESS_SCENARIO_H

#include "tests/harness/harness.h"

#include <stdbool.h>

/* The body of the README's curl. */
#define CE_SCN_DEMO_BODY "{\"message\":\"this is my first webhook\"}"

struct ce_cloudevent;
struct ce_natsd;

/* A real `nats-server -js` on a free port with its store under dir (core/service/natsd.h).
 * Fails the test when it does not start; skips it when nats-server is not installed (main
 * should have called ce_test_require_natsd, so that fixtures never get that far). */
struct ce_natsd *ce_scn_natsd_start(const char *dir);

/* The pid of n's nats-server process (found by its port in /proc), to freeze or kill it. */
pid_t ce_scn_natsd_pid(const struct ce_natsd *n);

/* Writes the manifest tests/data/<rel> to dir/name with ${PORT} set to port (ce_test_data);
 * returns the path (heap). */
char *ce_scn_write_manifest(const char *dir, const char *name, const char *rel, int port);

/* `cevents <kind> -f file --bus url --metrics-port mport --log-format json` plus extra
 * (NULL-terminated, may be NULL). Waits for ready_line (e.g. "Eventing server started.") up to
 * 20 s and fails the test when it does not come. */
struct ce_test_proc *ce_scn_start(const char *kind, const char *file, const char *bus_url,
                                  int mport, const char *const extra[], const char *ready_line);

struct ce_recorder;

/* What the HTTP trigger tests stand on: a temp dir, a real nats-server, the webhook EventSource
 * of eventsources/webhook.yaml on a free port (port), a recording server for the trigger to
 * call, and a free metrics port for the Sensor (mport). */
struct ce_scn_trigger_scene {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_proc *es;
    struct ce_recorder *rec;
    int port;
    int mport;
};

/* Starts it all (tag names the temp dir); 0, or -1 when the recording server did not start. */
int ce_scn_trigger_scene_start(struct ce_scn_trigger_scene *s, const char *tag);
/* Stops everything and removes the dir; s itself stays the caller's. */
void ce_scn_trigger_scene_stop(struct ce_scn_trigger_scene *s);

/* What the webhook EventSource tests stand on: a temp dir, a real nats-server and the
 * EventSource of eventsources/webhook-features.yaml on a free port (port), its authSecret token
 * "s3cret" mounted (with the newline editors add), its metrics on mport. */
struct ce_scn_webhook_scene {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_proc *es;
    int port;
    int mport;
};

void ce_scn_webhook_scene_start(struct ce_scn_webhook_scene *s, const char *tag);
/* Stops the EventSource (SIGTERM, then 10 s) and the server, removes the dir. */
void ce_scn_webhook_scene_stop(struct ce_scn_webhook_scene *s);

/* POSTs body as application/json to http://127.0.0.1:port<path>. Returns the status; the
 * event id header goes to id (33 bytes) when present, else id is "". extra_header may be
 * NULL ("Name: value"). */
long ce_scn_post(int port, const char *path, const char *body, const char *extra_header,
                 char id[33]);

/* Number of captured lines that carry the log trigger's line for event id (its eventContext
 * names the id). */
int ce_scn_logged_count(struct ce_test_proc *p, const char *id);

/* Reads the bus directly: the last message stored on subject in stream "default" (its data and
 * Nats-Msg-Id as heap strings), and the number of messages in the stream. 0 on success. */
int ce_scn_js_last(const char *url, const char *subject, char **data, char **msg_id);
long long ce_scn_js_count(const char *url);
/* The last event stored on subject, its CloudEvent decoded (the test fails otherwise): its data
 * as text (heap); its Nats-Msg-Id to msg_id and the stored bytes to raw when they are not NULL
 * (heap). */
char *ce_scn_js_last_data(const char *url, const char *subject, char **msg_id, char **raw);
/* Whether JetStream answers through url (on a cluster: once it elected its meta leader). */
bool ce_scn_js_up(const char *url);
/* A stream's replica count (-1 when it cannot be read) and the name of the server leading it
 * (to leader, n bytes; "" on a single server). */
int ce_scn_js_stream_replicas(const char *url, const char *stream, char *leader, size_t n);

/* One stored message of stream "default", as ce_scn_js_each hands it over. */
struct ce_scn_stored {
    const char *subject;
    const char *msg_id; /* its Nats-Msg-Id header, NULL without */
    const struct ce_cloudevent *ev;
    const char *data; /* ev's data as a string */
};
typedef void ce_scn_stored_fn(void *ctx, const struct ce_scn_stored *m);
/* Reads every message of stream "default" through url, in order, each a CloudEvent of type
 * (asserted), and hands it to fn with ctx. */
void ce_scn_js_each(const char *url, const char *type, ce_scn_stored_fn *fn, void *ctx);

/* `cevents <args>` to its end (30 s at most): its output (heap) and exit status. */
char *ce_scn_cevents(const char *const args[], int *status);
/* ce_scn_cevents that must exit 0. */
char *ce_scn_cevents_ok(const char *const args[]);
/* `cevents lint [--strict] file`, as ce_scn_cevents. */
char *ce_scn_lint(const char *file, bool strict, int *status);
/* The data of a MinIO notification: object k.txt in bucket b1. */
#define CE_SCN_S3_EVENT                                                                            \
    "{\"notification\":[{\"s3\":{\"bucket\":{\"name\":\"b1\"},\"object\":{\"key\":\"k.txt\"}}}]}"

/* The start of a Sensor manifest (named bad: a dependency d on webhook/example, a trigger t),
 * up to the trigger template's own block, for tests that write one inline. */
#define CE_SCN_SENSOR_HEAD                                                                         \
    "apiVersion: argoproj.io/v1alpha1\n"                                                           \
    "kind: Sensor\n"                                                                               \
    "metadata: {name: bad}\n"                                                                      \
    "spec:\n"                                                                                      \
    "  dependencies:\n"                                                                            \
    "  - {name: d, eventSourceName: webhook, eventName: example}\n"                                \
    "  triggers:\n"                                                                                \
    "  - template:\n"                                                                              \
    "      name: t\n"

/* `cevents lint file` fails, naming each of the n strings of want. */
void ce_scn_lint_refuses(const char *file, const char *const want[], size_t n);
/* `cevents lint --strict file` passes: no error, no unknown field. */
void ce_scn_lint_clean(const char *file);
/* Fails the test unless out (NULL: nothing) holds want; each of the n strings of want. */
void ce_scn_has(const char *out, const char *want);
void ce_scn_has_all(const char *out, const char *const want[], size_t n);

/* The stored events of a file or sftp EventSource, read from stream "default": each one's
 * event name (its subject's last token), and the name and op of its data. The data is checked
 * to be Argo's: the metadata is {"suite":type} for the event named "created" (as the tests'
 * manifests set it), null for the others. */
#define CE_SCN_FILE_EVENTS_MAX 4096
struct ce_scn_file_events {
    char *event[CE_SCN_FILE_EVENTS_MAX];
    char *name[CE_SCN_FILE_EVENTS_MAX];
    int op[CE_SCN_FILE_EVENTS_MAX];
    int n;
    const char *type; /* the CloudEvents' type: "file" or "sftp" */
};
struct ce_scn_file_events *ce_scn_file_events_read(const char *url, const char *type);
/* How many of the events are of event with op, and name (NULL: any). */
int ce_scn_file_events_count(const struct ce_scn_file_events *t, const char *event, int op,
                             const char *name);
void ce_scn_file_events_free(struct ce_scn_file_events *t);

#endif
