/* SPDX-License-Identifier: Apache-2.0 */
/* A recording HTTP server for tests, in-process (libmicrohttpd) on 127.0.0.1 and a free port:
 * it keeps every request it gets (method, target, headers in order, exact body bytes, the
 * client's port to tell connections apart) and answers from a script (e.g. 503, 503, then
 * 200, or a 429 with Retry-After), then with a default answer. An answer can be delayed to
 * force client timeouts, or be no answer at all (the connection is closed). Each connection
 * has its own thread, so a delayed answer does not hold up the others. Thread-safe. */
#ifndef CE_TESTS_HARNESS_RECORDER_H
#define CE_TESTS_HARNESS_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_REC_REPLY_HEADERS 8              /* headers one scripted answer can carry */
#define CE_REC_SCRIPT_MAX 256               /* scripted answers queued at once */
#define CE_REC_BODY_MAX (16u * 1024 * 1024) /* request body bytes kept (the rest is counted) */
#define CE_REC_REQUESTS_MAX 100000          /* requests kept; later ones are only counted */

struct ce_recorder;

/* One answer. Strings are copied when the answer is scripted. */
struct ce_rec_reply {
    int status;                                    /* 0: close the connection, no answer */
    const char *headers[CE_REC_REPLY_HEADERS + 1]; /* "Name: value"; a NULL entry ends them */
    const char *body;                              /* NULL: empty */
    int delay_ms;                                  /* waited before answering */
};

struct ce_rec_header {
    char *name;
    char *value;
};

/* A recorded request (a copy owned by the caller: ce_rec_request_free). */
struct ce_rec_request {
    char *method;
    char *target; /* the request target as sent: path and query */
    char *path;   /* the target without its query */
    struct ce_rec_header *headers;
    int n_headers;
    char *body; /* NUL-terminated; body_len bytes, at most CE_REC_BODY_MAX kept */
    size_t body_len;
    size_t body_total; /* bytes received, kept or not */
    int client_port;   /* equal for requests that came on one kept-alive connection */
    int64_t at_ms;     /* ce_test_now_ms() when the request was complete */
};

/* HTTPS with the given PEM certificate and key (copied) when tls_cert_pem is not NULL. Fails
 * the running test when the server cannot start. */
struct ce_recorder *ce_recorder_start(const char *tls_cert_pem, const char *tls_key_pem);
/* Stops the server (delayed answers are cut short) and frees everything; accepts NULL. */
void ce_recorder_stop(struct ce_recorder *r);

int ce_recorder_port(const struct ce_recorder *r);
/* "http[s]://127.0.0.1:<port><path>", heap. */
char *ce_recorder_url(const struct ce_recorder *r, const char *path);

/* Appends answers to the script: each request takes the next one; when the script is used up
 * the default answer is given. */
void ce_recorder_script(struct ce_recorder *r, const struct ce_rec_reply *replies, int n);
/* Scripts n answers with just these statuses (and no delay), e.g. {503, 503, 200}. */
void ce_recorder_script_statuses(struct ce_recorder *r, const int *statuses, int n);
/* The answer once the script is used up; initially 200 with an empty body. */
void ce_recorder_set_default(struct ce_recorder *r, const struct ce_rec_reply *reply);
/* Forgets the recorded requests and the remaining script (the default answer stays). */
void ce_recorder_reset(struct ce_recorder *r);

/* Requests complete so far (all of them, kept or only counted). */
int ce_recorder_count(struct ce_recorder *r);
/* TCP connections accepted so far. */
int ce_recorder_connections(struct ce_recorder *r);
/* Waits until at least count requests are complete; false at the deadline. */
bool ce_recorder_wait(struct ce_recorder *r, int count, int timeout_ms);
/* A copy of the i-th request (0-based, in order of completion), or NULL. */
struct ce_rec_request *ce_recorder_request(struct ce_recorder *r, int i);
void ce_rec_request_free(struct ce_rec_request *q);

/* The value of the first header called name (case-insensitive), or NULL. */
const char *ce_rec_header(const struct ce_rec_request *q, const char *name);
/* How many headers are called name (case-insensitive). */
int ce_rec_header_count(const struct ce_rec_request *q, const char *name);

#endif
