/* SPDX-License-Identifier: Apache-2.0 */
/* The receiving end of the benchmarks' HTTP triggers: a libmicrohttpd server that answers every
 * POST with 200, counts it, and when the body holds `"t":<ns>` (the wall-clock time the event
 * was sent, put there by the sensor's payload parameter) records how long the event took from
 * the sender to here. GET /count answers the count so far. On SIGTERM it prints
 * `count first_ns last_ns p50_us p99_us` and exits. With FILE (bench/latency.sh) it also keeps
 * each request's arrival time (ns) and the first bytes of its body, and writes them to FILE, one
 * `<arrival ns>\t<body>` line per request, for the script to join with the event's other stamps.
 * Usage: ce_sink_httpd PORT [FILE] */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SINK_MAX_SAMPLES (8 * 1024 * 1024)
#define SINK_MAX_BODY 4096
#define SINK_MAX_STAMPS (256 * 1024)
#define SINK_STAMP_BODY 256 /* enough for the payload latency.sh's trigger sends */

struct sink_stamp {
    int64_t at_ns;
    char body[SINK_STAMP_BODY];
};

static struct sink_stamp *sink_stamps; /* NULL unless FILE was given */

static int64_t *sink_lat_us;
static atomic_long sink_samples;
static atomic_long sink_count;
static atomic_llong sink_first_ns;
static atomic_llong sink_last_ns;

struct sink_req {
    char body[SINK_MAX_BODY + 1];
    size_t len;
};

static int64_t sink_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sink_record(const struct sink_req *r)
{
    int64_t now = sink_now_ns();
    long long zero = 0;
    atomic_compare_exchange_strong(&sink_first_ns, &zero, now);
    atomic_store(&sink_last_ns, now);
    long seq = atomic_fetch_add(&sink_count, 1);
    if (sink_stamps != NULL && seq < SINK_MAX_STAMPS) {
        size_t n = r->len < SINK_STAMP_BODY - 1 ? r->len : SINK_STAMP_BODY - 1;
        sink_stamps[seq].at_ns = now;
        memcpy(sink_stamps[seq].body, r->body, n);
        sink_stamps[seq].body[n] = '\0';
    }
    const char *t = strstr(r->body, "\"t\":");
    if (t == NULL) {
        return;
    }
    t += 4;
    t += *t == '"'; /* the parameter may arrive as a string */
    int64_t sent = strtoll(t, NULL, 10);
    long i = atomic_fetch_add(&sink_samples, 1);
    if (sent > 0 && i < SINK_MAX_SAMPLES) {
        sink_lat_us[i] = (now - sent) / 1000;
    }
}

static enum MHD_Result sink_reply(struct MHD_Connection *conn, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result sink_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    if (strcmp(method, "GET") == 0) {
        char n[32];
        snprintf(n, sizeof n, "%ld", atomic_load(&sink_count));
        return sink_reply(conn, n);
    }
    struct sink_req *r = *con_cls;
    if (r == NULL) {
        *con_cls = calloc(1, sizeof(*r));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        size_t room = SINK_MAX_BODY - r->len;
        size_t n = *upload_data_size < room ? *upload_data_size : room;
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    r->body[r->len] = '\0';
    sink_record(r);
    return sink_reply(conn, "ok");
}

static void sink_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int sink_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int sink_write_stamps(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    long n = atomic_load(&sink_count);
    n = n < SINK_MAX_STAMPS ? n : SINK_MAX_STAMPS;
    for (long i = 0; i < n; i++) {
        fprintf(f, "%lld\t%s\n", (long long)sink_stamps[i].at_ns, sink_stamps[i].body);
    }
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s PORT [FILE]\n", argv[0]);
        return 2;
    }
    if (argc == 3 && (sink_stamps = calloc(SINK_MAX_STAMPS, sizeof(*sink_stamps))) == NULL) {
        perror("ce_sink_httpd");
        return 1;
    }
    sink_lat_us = calloc(SINK_MAX_SAMPLES, sizeof(*sink_lat_us));
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)strtol(argv[1], NULL, 10), NULL,
        NULL, sink_access, NULL, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_NOTIFY_COMPLETED,
        sink_done, NULL, MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_END);
    if (!d || !sink_lat_us) {
        perror("ce_sink_httpd");
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
    long n = atomic_load(&sink_samples);
    n = n < SINK_MAX_SAMPLES ? n : SINK_MAX_SAMPLES;
    qsort(sink_lat_us, (size_t)n, sizeof(*sink_lat_us), sink_cmp);
    printf("%ld %lld %lld %lld %lld\n", atomic_load(&sink_count), atomic_load(&sink_first_ns),
           atomic_load(&sink_last_ns), n ? (long long)sink_lat_us[n / 2] : -1LL,
           n ? (long long)sink_lat_us[(n * 99) / 100] : -1LL);
    free(sink_lat_us);
    int rc = argc == 3 ? sink_write_stamps(argv[2]) : 0;
    free(sink_stamps);
    return rc;
}
