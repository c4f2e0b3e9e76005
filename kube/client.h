/* SPDX-License-Identifier: Apache-2.0 */
/* A Kubernetes API client: discovery, get, list, create, update, patch, delete and watch over
 * libcurl, objects as jansson values.
 *
 * One client per API server. It may be used by several threads at once. It keeps a small pool
 * of libcurl handles, each with its kept-alive connection: consecutive requests reuse one
 * connection, concurrent ones take a handle each (libcurl cannot share one connection cache
 * between threads); DNS and TLS sessions are shared. The discovery cache has its own lock.
 *
 * Errors: every call fills a ce_kube_error (may be NULL) and returns
 *   CE_OK        success;
 *   CE_ENOENT    404 (the object, or the kind: discovery does not know it);
 *   CE_RETRY     worth retrying: no response (refused, reset, cut off, timed out), 429,
 *                or 5xx;
 *   CE_EREMOTE   any other 4xx: retrying the same request cannot help (409 AlreadyExists or
 *                Conflict, 403 Forbidden, 422 Invalid, 400 ...); e.reason tells them apart;
 *   CE_EINVAL    the request is wrong before it is sent (an object without apiVersion/kind or
 *                name), or the TLS configuration is (the server's certificate is not trusted,
 *                the client certificate is unusable): retrying cannot help.
 * e.message is the server's Status message when it sent one
 * (`workflows.argoproj.io "x" already exists`), else a sentence naming the request. */
#ifndef CE_KUBE_CLIENT_H
#define CE_KUBE_CLIENT_H

#include "core/base/rc.h"
#include "kube/config.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_KUBE_RESPONSE_MAX (64 * 1024 * 1024)   /* one response body (a list) */
#define CE_KUBE_WATCH_LINE_MAX (16 * 1024 * 1024) /* one watch event */
#define CE_KUBE_TIMEOUT_MS 30000                  /* one request (not a watch) */

struct ce_kube_client;

struct ce_kube_error {
    int status;      /* HTTP status; 0 when no response arrived */
    char reason[64]; /* the Status reason (AlreadyExists, NotFound, Conflict, Forbidden,
                      * Invalid, Expired ...), or "" */
    char message[512];
    int64_t retry_after_ms; /* the answer's Retry-After (429, 503), capped; -1 when none */
};

/* What discovery says about a kind. */
struct ce_kube_resource {
    char group[128]; /* "" for the core group */
    char version[64];
    char kind[128];
    char plural[128]; /* the resource name in URLs: "workflows", "eventbus" */
    bool namespaced;
};

/* Which object a call is about. name is unused by list and watch; ns NULL (or "") is the
 * client's default namespace for a namespaced kind and ignored for a cluster-scoped one;
 * CE_KUBE_ALL_NAMESPACES lists and watches every namespace. */
#define CE_KUBE_ALL_NAMESPACES "*"
struct ce_kube_ref {
    const char *api_version; /* "argoproj.io/v1alpha1", "v1" */
    const char *kind;        /* "Workflow" */
    const char *ns;
    const char *name;
};

enum ce_kube_patch_type {
    CE_KUBE_PATCH_MERGE = 0, /* application/merge-patch+json (RFC 7386) */
    CE_KUBE_PATCH_JSON,      /* application/json-patch+json (RFC 6902) */
    CE_KUBE_PATCH_STRATEGIC, /* application/strategic-merge-patch+json (built-in kinds only) */
    CE_KUBE_PATCH_APPLY,     /* application/apply-patch+yaml (server-side apply) */
};

/* Copies what it needs of cfg. CE_EINVAL (with err) for a configuration libcurl refuses. */
int ce_kube_client_create(const struct ce_kube_config *cfg, struct ce_kube_client **out, char *err,
                          size_t errlen) CE_MUST_CHECK;
/* No call may be running. Accepts NULL. */
void ce_kube_client_destroy(struct ce_kube_client *c);
/* The configuration's default namespace. */
const char *ce_kube_client_namespace(const struct ce_kube_client *c);

/* Whether a return code of this client is worth retrying (CE_RETRY). */
bool ce_kube_rc_retryable(int rc);

/* The resource for apiVersion + kind, from the server's discovery documents (cached; a miss
 * fetches the group-version again once, so a CRD installed later is found; plurals are never
 * guessed). CE_ENOENT when the server does not serve it. */
int ce_kube_discover(struct ce_kube_client *c, const char *api_version, const char *kind,
                     struct ce_kube_resource *out, struct ce_kube_error *e) CE_MUST_CHECK;

/* GET one object; *out is the object (json_decref it). */
int ce_kube_get(struct ce_kube_client *c, const struct ce_kube_ref *ref, json_t **out,
                struct ce_kube_error *e) CE_MUST_CHECK;
/* LIST a collection; selectors may be NULL ("app=x,tier!=y", "metadata.name=x"). *out is the
 * List object (items, metadata.resourceVersion). */
int ce_kube_list(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                 const char *label_selector, const char *field_selector, json_t **out,
                 struct ce_kube_error *e) CE_MUST_CHECK;
/* POST obj (apiVersion and kind from it; its metadata.namespace, else ns, else the default;
 * metadata.generateName is resolved by the server). *out (may be NULL) is the created object,
 * with its name. */
int ce_kube_create(struct ce_kube_client *c, const json_t *obj, const char *ns, json_t **out,
                   struct ce_kube_error *e) CE_MUST_CHECK;
/* PUT obj to its metadata.name (a metadata.resourceVersion makes it conditional: 409 Conflict
 * when the object changed since). */
int ce_kube_update(struct ce_kube_client *c, const json_t *obj, const char *ns, json_t **out,
                   struct ce_kube_error *e) CE_MUST_CHECK;
/* PATCH ref with patch (an object, or an array for a JSON patch). field_manager (NULL:
 * "cevents") is sent with every type; CE_KUBE_PATCH_APPLY also sends force=true. */
int ce_kube_patch(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                  enum ce_kube_patch_type type, const json_t *patch, const char *field_manager,
                  json_t **out, struct ce_kube_error *e) CE_MUST_CHECK;
/* The same on a subresource of the object ("status": only the status changes, for kinds with
 * a status subresource; "scale" ...). */
int ce_kube_patch_subresource(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                              const char *subresource, enum ce_kube_patch_type type,
                              const json_t *patch, const char *field_manager, json_t **out,
                              struct ce_kube_error *e) CE_MUST_CHECK;
/* DELETE ref; propagation NULL is "Background" (as kubectl), else "Foreground" or "Orphan".
 * CE_ENOENT when it was not there. */
int ce_kube_delete(struct ce_kube_client *c, const struct ce_kube_ref *ref, const char *propagation,
                   struct ce_kube_error *e) CE_MUST_CHECK;

/* The patch type named by a Content-Type ("application/merge-patch+json") or by the short
 * names k8s triggers use ("merge", "json", "strategic", "apply"). CE_EINVAL otherwise. */
int ce_kube_patch_type_parse(const char *s, enum ce_kube_patch_type *out) CE_MUST_CHECK;
const char *ce_kube_patch_content_type(enum ce_kube_patch_type t);

/* ---- watch ---- */

enum ce_kube_event_type {
    CE_KUBE_ADDED = 0,
    CE_KUBE_MODIFIED,
    CE_KUBE_DELETED,
    CE_KUBE_BOOKMARK,
};

/* Called for each event, in order, on the watching thread; obj is borrowed. Returns true to go
 * on, false to end the watch (ce_kube_watch then returns CE_OK). */
typedef bool ce_kube_watch_fn(void *arg, enum ce_kube_event_type type, const json_t *obj);

struct ce_kube_watch_opts {
    const char *label_selector; /* may be NULL */
    const char *field_selector; /* may be NULL */
    /* Where to start: NULL or "" lists first and reports every existing object as ADDED, then
     * watches from the list's resourceVersion; else only changes after this version. */
    const char *resource_version;
    int64_t timeout_ms;      /* 0: until fn or stop ends it */
    const atomic_bool *stop; /* may be NULL; seen within about a second */
    bool bookmarks;          /* ask for BOOKMARK events */
};

/* Watches a collection. A stream the server ends is resumed from the last resourceVersion
 * seen; a 410 Gone (too old resourceVersion, as an answer or an ERROR event) re-lists and
 * reports every object as ADDED again (as informers do); a retryable failure is retried after
 * a short backoff (capped at 5 s). Returns CE_OK when fn or stop ended it, CE_ETIMEDOUT at the
 * timeout, else a permanent error. last_rv (may be NULL, lastlen bytes) holds the last
 * resourceVersion seen, to resume from later. */
int ce_kube_watch(struct ce_kube_client *c, const struct ce_kube_ref *ref,
                  const struct ce_kube_watch_opts *opts, ce_kube_watch_fn *fn, void *arg,
                  char *last_rv, size_t lastlen, struct ce_kube_error *e) CE_MUST_CHECK;

#endif
