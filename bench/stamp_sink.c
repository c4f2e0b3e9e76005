/* SPDX-License-Identifier: Apache-2.0 */
/* The receiving end of bench/latency.sh: a libmicrohttpd server that answers every POST with 200
 * and keeps, for each, the wall-clock time it arrived (ns) and the first bytes of its body (the
 * HTTP trigger's payload: the sender's stamp, the event's id and time). GET /count answers the
 * count so far. On SIGTERM it writes one line per request, `<arrival ns>\t<body>`, to FILE and
 * exits; the script joins them with the other stamps of the same event.
 * Usage: ce_stamp_sink PORT FILE */
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAMP_MAX_SAMPLES (256 * 1024)
#define STAMP_BODY 256 /* enough for the payload the script's trigger sends */

struct stamp {
    int64_t at_ns;
    char body[STAMP_BODY];
};

static struct stamp *stamps;
static atomic_long stamp_count;

struct stamp_req {
    char body[STAMP_BODY];
    size_t len;
};

static int64_t stamp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static enum MHD_Result stamp_reply(struct MHD_Connection *conn, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

static void stamp_keep(const struct stamp_req *r, int64_t at)
{
    long i = atomic_fetch_add(&stamp_count, 1);
    if (i < STAMP_MAX_SAMPLES) {
        stamps[i].at_ns = at;
        memcpy(stamps[i].body, r->body, r->len);
        stamps[i].body[r->len] = '\0';
    }
}

static enum MHD_Result stamp_access(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    if (strcmp(method, "GET") == 0) {
        char n[32];
        snprintf(n, sizeof n, "%ld", atomic_load(&stamp_count));
        return stamp_reply(conn, n);
    }
    struct stamp_req *r = *con_cls;
    if (r == NULL) {
        *con_cls = calloc(1, sizeof(*r));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        size_t room = STAMP_BODY - 1 - r->len;
        size_t n = *upload_data_size < room ? *upload_data_size : room;
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    stamp_keep(r, stamp_now_ns()); /* the whole request is in: the trigger's request arrived */
    return stamp_reply(conn, "ok");
}

static void stamp_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int stamp_write(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    long n = atomic_load(&stamp_count);
    n = n < STAMP_MAX_SAMPLES ? n : STAMP_MAX_SAMPLES;
    for (long i = 0; i < n; i++) {
        fprintf(f, "%lld\t%s\n", (long long)stamps[i].at_ns, stamps[i].body);
    }
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT FILE\n", argv[0]);
        return 2;
    }
    stamps = calloc(STAMP_MAX_SAMPLES, sizeof(*stamps));
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)strtol(argv[1], NULL, 10), NULL,
        NULL, stamp_access, NULL, MHD_OPTION_NOTIFY_COMPLETED, stamp_done, NULL,
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_END);
    if (!d || !stamps) {
        perror("ce_stamp_sink");
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    int rc = stamp_write(argv[2]);
    free(stamps);
    return rc;
}
