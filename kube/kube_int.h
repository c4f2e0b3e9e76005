/* SPDX-License-Identifier: Apache-2.0 */
/* What the files of kube/ share: the YAML reader for kubeconfigs, the client's layout and its
 * one request. */
#ifndef CE_KUBE_KUBE_INT_H
#define CE_KUBE_KUBE_INT_H

#include "core/base/buf.h"
#include "kube/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/types.h>
#include <time.h>

/* The first YAML document of text as JSON: mappings are objects, sequences arrays, plain
 * scalars true/false booleans, every other scalar a string. NULL with err on a parse error. */
json_t *ce_kube_yaml_load(const char *text, size_t len, char *err, size_t errlen);

#define KUBE_DISC_MAX 512 /* resources cached */
#define KUBE_POOL_MAX 8   /* idle handles (each with its kept-alive connection) kept */

struct kube_disc {
    struct ce_kube_resource r;
};

struct ce_kube_client {
    char *server;
    char *ns;
    char *proxy;   /* NULL: libcurl reads the proxy environment variables */
    char *noproxy; /* loopback addresses and NO_PROXY: never through a proxy */
    bool insecure;
    struct ce_kube_pem ca, cert, key;
    CURLSH *share; /* DNS and TLS sessions (libcurl cannot share connections across threads) */
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t lock; /* token, discovery cache, idle handles */
    CURL *idle[KUBE_POOL_MAX];
    int n_idle;
    char *token;
    char *token_file;
    struct timespec token_mtime;
    off_t token_size;
    struct kube_disc *disc;
    int n_disc;
};

struct kube_req {
    const char *method;
    const char *path;  /* from the server root, query included */
    const char *ctype; /* Content-Type of body, NULL for none */
    const char *body;
    size_t len;
    int64_t timeout_ms;
};

struct kube_resp {
    long status;
    struct ce_buf body;
    char retry_after[64]; /* the Retry-After header's value, "" when none */
};

/* Sends one request and reads the whole response (capped). CE_OK when a response arrived
 * (any status), CE_RETRY with e filled when none did. resp->body is initialized in any case
 * (ce_buf_fini it). */
int kube_send(struct ce_kube_client *c, const struct kube_req *q, struct kube_resp *resp,
              struct ce_kube_error *e) CE_MUST_CHECK;
/* The rc for a transfer that got no response: CE_EINVAL for a TLS or URL configuration
 * problem (an untrusted server certificate, an unusable client certificate), else CE_RETRY. */
int kube_curl_rc(CURLcode cc);
/* kube_outcome for resp, with e->retry_after_ms from its Retry-After. */
int kube_resp_outcome(const struct kube_resp *resp, const char *what, struct ce_kube_error *e);
/* A handle for one transfer to the server, from the idle pool (with its kept-alive connection)
 * or new, with TLS and auth set; hdrs gets the Authorization and Accept headers (the caller
 * adds more and frees it). Give it back with kube_release. */
CURL *kube_handle(struct ce_kube_client *c, const char *path, int64_t timeout_ms,
                  struct curl_slist **hdrs, char *errbuf);
/* Puts h back in the idle pool (or closes it when the pool is full). */
void kube_release(struct ce_kube_client *c, CURL *h);
/* The outcome of a response: CE_OK for 2xx; else e filled from the Status body and the rc of
 * client.h for the status. what names the request for messages without a Status. */
int kube_outcome(long status, const char *body, size_t len, const char *what,
                 struct ce_kube_error *e);
/* Fills e and returns rc. */
int kube_fail(struct ce_kube_error *e, int rc, int status, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The collection path of ref's resource ("/apis/g/v/namespaces/ns/plural"), resolved through
 * discovery, with "/name" when with_name, then "/sub" when sub is not NULL. Heap. */
int kube_path(struct ce_kube_client *c, const struct ce_kube_ref *ref, bool with_name,
              const char *sub, char **out, struct ce_kube_resource *res,
              struct ce_kube_error *e) CE_MUST_CHECK;

#endif
