/* SPDX-License-Identifier: Apache-2.0 */
/* The test harness: temp dirs, free ports, files, polling, and child processes whose output a
 * reader thread keeps line by line so tests can wait for log lines. The HTTP client is in
 * harness_http.c. */
#include "tests/harness/harness.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/service/listen.h"
#include "core/service/proc.h"
#include "core/base/rc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Captured output beyond this is dropped (and counted), so a runaway child cannot eat memory. */
#define HARNESS_OUTPUT_CAP (64u * 1024 * 1024)
#define HARNESS_READ_CHUNK 65536
#define HARNESS_PORTS_KEPT 256

int64_t ce_test_now_ms(void)
{
    return ce_clock_mono_ms();
}

void ce_test_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

bool ce_test_poll(ce_test_cond_fn *cond, void *arg, int timeout_ms)
{
    int64_t deadline = ce_test_now_ms() + timeout_ms;
    for (;;) {
        if (cond(arg)) {
            return true;
        }
        if (ce_test_now_ms() >= deadline) {
            return false;
        }
        ce_test_sleep_ms(10);
    }
}

/* ---- temp dirs, ports, files ---- */

char *ce_test_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base) {
        base = "/tmp";
    }
    char *path = ce_xasprintf("%s/cevents-%s-XXXXXX", base, tag ? tag : "test");
    if (!mkdtemp(path)) {
        fail_msg("mkdtemp %s: %s", path, strerror(errno));
    }
    return path;
}

/* Empties the directory open as dfd, then closes it. */
static void harness_rm_contents(int dfd)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                harness_rm_contents(sub);
            }
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
        }
        else {
            unlinkat(dirfd(d), e->d_name, 0);
        }
    }
    closedir(d);
}

void ce_test_rmtree(const char *dir)
{
    if (!dir || dir[0] != '/' || dir[1] == '\0') {
        return;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        harness_rm_contents(fd);
        rmdir(dir);
    }
    else {
        unlink(dir);
    }
}

static pthread_mutex_t harness_port_mu = PTHREAD_MUTEX_INITIALIZER;
static int harness_ports[HARNESS_PORTS_KEPT];
static int harness_n_ports;

static bool harness_port_given(int port)
{
    int n = harness_n_ports < HARNESS_PORTS_KEPT ? harness_n_ports : HARNESS_PORTS_KEPT;
    for (int i = 0; i < n; i++) {
        if (harness_ports[i] == port) {
            return true;
        }
    }
    return false;
}

/* Candidates come from below the kernel's ephemeral range (32768 and up on Linux): a port the
 * kernel handed out for bind(0) can be taken again as the local end of some other process's
 * outgoing connection before the test's server binds it, which made parallel runs flaky. */
#define HARNESS_PORT_LO 20000
#define HARNESS_PORT_SPAN 12000

static int harness_next_candidate(void)
{
    static uint32_t x;
    if (x == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        x = (uint32_t)getpid() * 2654435761u ^ (uint32_t)ts.tv_nsec;
        x = x ? x : 1;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return HARNESS_PORT_LO + (int)(x % HARNESS_PORT_SPAN);
}

int ce_test_free_ports(int n)
{
    pthread_mutex_lock(&harness_port_mu);
    int port = 0;
    for (int tries = 0; tries < 1000 && port == 0; tries++) {
        int first = harness_next_candidate();
        int ok = 0;
        while (ok < n && !harness_port_given(first + ok) && ce_listen_port_free(first + ok)) {
            ok++;
        }
        port = ok == n ? first : 0;
    }
    for (int i = 0; port > 0 && i < n; i++) {
        harness_ports[harness_n_ports++ % HARNESS_PORTS_KEPT] = port + i;
    }
    pthread_mutex_unlock(&harness_port_mu);
    if (port <= 0) {
        fail_msg("no %d free consecutive TCP ports on 127.0.0.1", n);
    }
    return port;
}

int ce_test_free_port(void)
{
    return ce_test_free_ports(1);
}

char *ce_test_write_file(const char *dir, const char *name, const char *content)
{
    char *path = ce_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fail_msg("open %s: %s", path, strerror(errno));
    }
    size_t n = strlen(content);
    bool ok = fwrite(content, 1, n, f) == n;
    if (fclose(f) != 0 || !ok) {
        fail_msg("write %s: %s", path, strerror(errno));
    }
    return path;
}

char *ce_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = ce_xmalloc(cap);
    for (;;) {
        if (cap - n < 2) {
            cap *= 2;
            buf = ce_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    bool err = ferror(f) != 0;
    fclose(f);
    if (err) {
        ce_free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) {
        *len = n;
    }
    return buf;
}

/* ---- child processes ---- */

struct ce_test_proc {
    pid_t pid;
    int fd; /* read end of the output pipe, owned by the reader thread until it is joined */
    pthread_t reader;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled on every new line and at EOF */
    char **lines;
    size_t n_lines, cap_lines;
    size_t bytes;        /* stored so far, against HARNESS_OUTPUT_CAP */
    size_t dropped;      /* lines not stored because of the cap */
    bool eof;            /* the pipe was closed by every writer */
    atomic_bool closing; /* ce_test_proc_free asks the reader to stop */
    bool reaped;
    int status;
    bool verbose;
    char tag[48];
};

/* Stores one line; called by the reader thread. */
static void harness_proc_add_line(struct ce_test_proc *p, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r') {
        n--;
    }
    if (p->verbose) {
        fprintf(stderr, "[%s] %.*s\n", p->tag, (int)n, s);
    }
    pthread_mutex_lock(&p->mu);
    if (p->bytes + n + 1 > HARNESS_OUTPUT_CAP) {
        p->dropped++;
    }
    else {
        if (p->n_lines == p->cap_lines) {
            p->cap_lines = p->cap_lines ? p->cap_lines * 2 : 256;
            p->lines = ce_xrealloc(p->lines, p->cap_lines * sizeof(*p->lines));
        }
        p->lines[p->n_lines++] = ce_xstrndup(s, n);
        p->bytes += n + 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

static void *harness_proc_reader(void *arg)
{
    struct ce_test_proc *p = arg;
    size_t cap = HARNESS_READ_CHUNK, len = 0;
    char *pend = ce_xmalloc(cap);
    while (!atomic_load(&p->closing)) {
        /* Poll with a timeout: a grandchild may keep the pipe open after the child died. */
        struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (pr <= 0) {
            continue;
        }
        if (cap - len < HARNESS_READ_CHUNK && len < HARNESS_OUTPUT_CAP) {
            cap *= 2;
            pend = ce_xrealloc(pend, cap);
        }
        ssize_t n = read(p->fd, pend + len, cap - len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        size_t start = 0;
        for (size_t i = len - (size_t)n; i < len; i++) {
            if (pend[i] == '\n') {
                harness_proc_add_line(p, pend + start, i - start);
                start = i + 1;
            }
        }
        memmove(pend, pend + start, len - start);
        len -= start;
        if (len == cap && len >= HARNESS_OUTPUT_CAP) { /* an endless line: cut it */
            harness_proc_add_line(p, pend, len);
            len = 0;
        }
    }
    if (len > 0) {
        harness_proc_add_line(p, pend, len);
    }
    ce_free(pend);
    pthread_mutex_lock(&p->mu);
    p->eof = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void harness_proc_tag(struct ce_test_proc *p, char *const argv[])
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "cevents") == 0 && argv[1]) {
        snprintf(p->tag, sizeof(p->tag), "%s %s", base, argv[1]);
    }
    else {
        snprintf(p->tag, sizeof(p->tag), "%s", base);
    }
    char pid[16];
    snprintf(pid, sizeof(pid), ":%d", (int)p->pid);
    size_t tl = strlen(p->tag);
    snprintf(p->tag + tl, sizeof(p->tag) - tl, "%s", pid);
}

struct ce_test_proc *ce_test_proc_start(char *const argv[])
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        return NULL;
    }
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
    struct ce_test_proc *p = ce_xcalloc(1, sizeof(*p));
    if (ce_proc_spawn(argv, pfd[1], pfd[1], &p->pid) != CE_OK) {
        close(pfd[0]);
        close(pfd[1]);
        ce_free(p);
        return NULL;
    }
    close(pfd[1]);
    p->fd = pfd[0];
    const char *v = getenv("CE_TEST_VERBOSE");
    p->verbose = v && *v && strcmp(v, "0") != 0;
    harness_proc_tag(p, argv);
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&p->reader, NULL, harness_proc_reader, p) != 0) {
        fail_msg("pthread_create for the output reader failed");
    }
    return p;
}

struct ce_test_proc *ce_test_proc_start_cevents(const char *const args[])
{
    size_t n = 0;
    while (args && args[n]) {
        n++;
    }
    char **argv = ce_xcalloc(n + 2, sizeof(*argv));
    argv[0] = (char *)CE_TEST_BINARY;
    for (size_t i = 0; i < n; i++) {
        argv[i + 1] = (char *)args[i];
    }
    struct ce_test_proc *p = ce_test_proc_start(argv);
    ce_free(argv);
    return p;
}

pid_t ce_test_proc_pid(const struct ce_test_proc *p)
{
    return p->pid;
}

/* Counts matches in lines [*from, n_lines) into *count; p->mu held. */
static void harness_proc_scan(struct ce_test_proc *p, const char *substr, size_t *from, int *count)
{
    for (; *from < p->n_lines; (*from)++) {
        if (strstr(p->lines[*from], substr)) {
            (*count)++;
        }
    }
}

bool ce_test_proc_wait_line(struct ce_test_proc *p, const char *substr, int count, int timeout_ms)
{
    struct timespec dl;
    ce_clock_deadline(timeout_ms, &dl);
    size_t from = 0;
    int found = 0;
    bool ok = false;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        harness_proc_scan(p, substr, &from, &found);
        if (found >= count) {
            ok = true;
            break;
        }
        if (p->eof) {
            break;
        }
        if (pthread_cond_timedwait(&p->cv, &p->mu, &dl) == ETIMEDOUT) {
            harness_proc_scan(p, substr, &from, &found);
            ok = found >= count;
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

int ce_test_proc_count(struct ce_test_proc *p, const char *substr)
{
    size_t from = 0;
    int found = 0;
    pthread_mutex_lock(&p->mu);
    harness_proc_scan(p, substr, &from, &found);
    pthread_mutex_unlock(&p->mu);
    return found;
}

char *ce_test_proc_line(struct ce_test_proc *p, const char *substr, int nth)
{
    char *copy = NULL;
    int seen = 0;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n_lines && !copy; i++) {
        if (strstr(p->lines[i], substr) && seen++ == nth) {
            copy = ce_xstrdup(p->lines[i]);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return copy;
}

char *ce_test_proc_output(struct ce_test_proc *p)
{
    pthread_mutex_lock(&p->mu);
    char *out = ce_xmalloc(p->bytes + 1);
    size_t off = 0;
    for (size_t i = 0; i < p->n_lines; i++) {
        size_t n = strlen(p->lines[i]);
        memcpy(out + off, p->lines[i], n);
        off += n;
        if (i + 1 < p->n_lines) {
            out[off++] = '\n';
        }
    }
    out[off] = '\0';
    pthread_mutex_unlock(&p->mu);
    return out;
}

int ce_test_proc_signal(struct ce_test_proc *p, int sig)
{
    if (p->reaped) {
        errno = ESRCH;
        return -1;
    }
    return kill(p->pid, sig);
}

/* Waits (bounded) until the reader has read everything the process wrote: an exited process
 * may still have lines in the pipe. Children that inherited the pipe keep it open; then the
 * wait ends at the deadline. */
static void harness_proc_drain(struct ce_test_proc *p, int timeout_ms)
{
    struct timespec until;
    ce_clock_deadline(timeout_ms, &until);
    pthread_mutex_lock(&p->mu);
    while (!p->eof && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0) {
    }
    pthread_mutex_unlock(&p->mu);
}

bool ce_test_proc_wait_exit(struct ce_test_proc *p, int timeout_ms, int *status)
{
    if (!p->reaped && ce_proc_wait(p->pid, timeout_ms, &p->status) == CE_OK) {
        p->reaped = true;
        harness_proc_drain(p, 5000);
    }
    if (p->reaped && status) {
        *status = p->status;
    }
    return p->reaped;
}

int ce_test_proc_stop(struct ce_test_proc *p, int timeout_ms)
{
    if (!p->reaped) {
        (void)ce_proc_stop(p->pid, SIGTERM, timeout_ms, &p->status);
        p->reaped = true;
    }
    return p->status;
}

int ce_test_proc_kill(struct ce_test_proc *p)
{
    if (!p->reaped) {
        (void)ce_proc_stop(p->pid, SIGKILL, 10000, &p->status);
        p->reaped = true;
    }
    return p->status;
}

/* A sanitizer report in a child's output fails the test that started it: the children are the
 * code under test, and their reports would otherwise go unnoticed in a passing run. */
bool ce_test_proc_sanitizer_report(struct ce_test_proc *p)
{
    static const char *const marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                        "WARNING: ThreadSanitizer", "runtime error:"};
    bool found = false;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->n_lines && !found; i++) {
        for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
            if (strstr(p->lines[i], marks[m]) != NULL) {
                for (size_t j = i; j < p->n_lines && j < i + 60; j++) {
                    fprintf(stderr, "%s\n", p->lines[j]);
                }
                found = true;
                break;
            }
        }
    }
    pthread_mutex_unlock(&p->mu);
    return found;
}

static bool harness_proc_release(struct ce_test_proc *p, bool check)
{
    if (!p) {
        return false;
    }
    (void)ce_test_proc_stop(p, 10000);
    /* Let the reader drain what the process wrote before it exited, then end it. */
    pthread_mutex_lock(&p->mu);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 2;
    while (!p->eof && pthread_cond_timedwait(&p->cv, &p->mu, &dl) != ETIMEDOUT) {
    }
    pthread_mutex_unlock(&p->mu);
    atomic_store(&p->closing, true);
    pthread_join(p->reader, NULL);
    close(p->fd);
    bool report = check && ce_test_proc_sanitizer_report(p);
    for (size_t i = 0; i < p->n_lines; i++) {
        ce_free(p->lines[i]);
    }
    ce_free(p->lines);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    ce_free(p);
    return report;
}

void ce_test_proc_free(struct ce_test_proc *p)
{
    if (harness_proc_release(p, true)) {
        fail_msg("a sanitizer reported an error in a child process (its report is above)");
    }
}

void ce_test_proc_discard(struct ce_test_proc *p)
{
    (void)harness_proc_release(p, false);
}
