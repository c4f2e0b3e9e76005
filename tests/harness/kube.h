/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes for the tests: the test API server (tests/fixtures/kube_apiserver.py) as a
 * process, a kubeconfig for it, its control endpoints (injected errors, the requests it saw,
 * compaction), and the real kubectl run against it with a fresh --cache-dir, as a user would. */
#ifndef CE_TESTS_HARNESS_KUBE_H
#define CE_TESTS_HARNESS_KUBE_H

#include "tests/harness/harness.h"

#include <jansson.h>
#include <stdbool.h>

struct ce_ctl_built;

/* The object of kind among what a controller build made (borrowed), its apply mode to *mode when
 * mode is not NULL; NULL when there is none. */
json_t *ce_test_ctl_built_object(const struct ce_ctl_built *b, const char *kind, int *mode);

struct ce_test_kube {
    struct ce_test_proc *proc;
    int port;
    bool tls;
    char *dir;        /* temp dir: certificates, kubeconfig, kubectl's cache (heap) */
    char *url;        /* "http(s)://127.0.0.1:<port>" (heap) */
    char *kubeconfig; /* dir/kubeconfig: token auth, namespace "default" (heap) */
    char *token;      /* the bearer token it requires, NULL for none (heap) */
};

/* ce_test_skip unless python3 (and openssl, for TLS) can run the test API server; call it from
 * main, before ce_test_run. */
void ce_test_require_kube_fixture(void);
/* ce_test_skip unless kubectl is installed. */
void ce_test_require_kubectl(void);

/* Starts the test API server (over TLS with a CA and client certificate made in k->dir when
 * tls; requiring the bearer token when token is not NULL), waits for its port (20 s) and
 * writes k->kubeconfig (with token, or "unused" when token is NULL; CA data when tls). Fails
 * the test when it does not start. Returns k->url. With tls, the harness's own HTTP client
 * (ce_test_http) trusts the fixture's CA from now on. */
const char *ce_test_kube_start(struct ce_test_kube *k, bool tls, const char *token);
/* Stops the server process (the API server is down: connections are refused) ... */
void ce_test_kube_down(struct ce_test_kube *k);
/* ... and starts it again on the same port with the same certificates and token, empty (it
 * keeps objects in memory only). Fails the test when it does not come back. */
void ce_test_kube_up(struct ce_test_kube *k);
/* Stops it and frees k's contents; accepts a k that never started. */
void ce_test_kube_stop(struct ce_test_kube *k);

struct ce_natsd;

/* What the Kubernetes trigger tests stand on: a temp dir, a real nats-server, the test API
 * server (plain HTTP, KUBECONFIG exported so the Sensors started later find it as kubectl does)
 * and the webhook EventSource of eventsources/webhook.yaml on a free port. */
struct ce_test_kube_scene {
    char *dir;
    struct ce_natsd *natsd;
    struct ce_test_kube k;
    struct ce_test_proc *es;
    int port;
};

void ce_test_kube_scene_start(struct ce_test_kube_scene *s, const char *tag);
/* Stops everything and removes the dir; s itself stays the caller's. */
void ce_test_kube_scene_stop(struct ce_test_kube_scene *s);
/* A path under k->dir (heap). */
char *ce_test_kube_path(const struct ce_test_kube *k, const char *name);

/* POSTs body (JSON text, may be NULL) to the control endpoint /_fixture/<what>; fails the test
 * unless it answers 200. */
void ce_test_kube_control(struct ce_test_kube *k, const char *what, const char *body);
/* Injects an error answer: the next count (-1 forever) requests whose method is method ("" any)
 * and whose path contains path get status with that reason (NULL: the usual one for the
 * status) and the message the real API server would give (a 403 names the verb, resource,
 * group and namespace: `workflows.argoproj.io is forbidden: User "..." cannot create resource
 * "workflows" in API group "argoproj.io" in the namespace "argo"`). */
void ce_test_kube_inject(struct ce_test_kube *k, const char *method, const char *path, int status,
                         const char *reason, int count);
/* The requests the server saw so far, a JSON array text of {method, path, auth, conn,
 * ctype}; conn is the client's port, one per connection (heap). */
char *ce_test_kube_requests(struct ce_test_kube *k);

/* Runs `kubectl --kubeconfig K --cache-dir D args...` (NULL-terminated) to its end (60 s);
 * returns its exit status, its output (stdout and stderr) in *out when out is not NULL
 * (heap). */
int ce_test_kubectl(struct ce_test_kube *k, char **out, ...) __attribute__((sentinel));
/* Starts the same without waiting (for `get -w`); NULL when it could not start. */
struct ce_test_proc *ce_test_kubectl_start(struct ce_test_kube *k, ...) __attribute__((sentinel));

#endif
