/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes for `cevents run` and the tests: fork + exec with a clean descriptor table,
 * default signal handling and an own process group, and stop/wait by polling waitpid so that a
 * caller never blocks past its deadline. */
#include "core/service/proc.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Highest fd closed one by one when close_range(2) is unavailable. */
#define PROC_MAX_FALLBACK_FD 65536

/* Resolved in the parent, because the child may only call async-signal-safe functions. */
char *ce_proc_find(const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path) {
        path = "/usr/local/bin:/usr/bin:/bin";
    }
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char *cand = n ? ce_xasprintf("%.*s/%s", (int)n, path, name) : ce_xasprintf("./%s", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            return cand;
        }
        ce_free(cand);
        path += n;
        if (*path == ':') {
            path++;
        }
    }
    return NULL;
}

static void proc_close_from(int lowfd)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0) {
        return;
    }
#endif
    struct rlimit rl;
    long max = PROC_MAX_FALLBACK_FD;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)max) {
        max = (long)rl.rlim_cur;
    }
    for (long fd = lowfd; fd < max; fd++) {
        close((int)fd);
    }
}

/* Runs in the child between fork and exec: only async-signal-safe calls. Never returns. */
static void proc_child(const char *path, char *const argv[], int out_fd, int err_fd)
{
    /* Move the targets above 2 first, so that dup2 onto 0..2 cannot clobber one of them. */
    int o = out_fd >= 0 ? fcntl(out_fd, F_DUPFD, 3) : -1;
    int e = err_fd >= 0 ? fcntl(err_fd, F_DUPFD, 3) : -1;
    int devnull = open("/dev/null", O_RDWR);
    if ((out_fd >= 0 && o < 0) || (err_fd >= 0 && e < 0) || devnull < 0) {
        _exit(127);
    }
    if (dup2(devnull, 0) < 0 || (o >= 0 && dup2(o, 1) < 0) || (e >= 0 && dup2(e, 2) < 0)) {
        _exit(127);
    }
    proc_close_from(3);

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &dfl, NULL); /* fails harmlessly for reserved numbers */
        }
    }
    setpgid(0, 0);
    if (path) {
        execv(path, argv);
    }
    _exit(127);
}

int ce_proc_spawn(char *const argv[], int out_fd, int err_fd, pid_t *pid)
{
    if (!argv || !argv[0] || !pid) {
        return CE_EINVAL;
    }
    char *found = NULL;
    const char *path = argv[0];
    if (!strchr(argv[0], '/')) {
        found = ce_proc_find(argv[0]);
        path = found; /* NULL: the child exits 127, as a shell would */
    }
    pid_t child = fork();
    if (child == 0) {
        proc_child(path, argv, out_fd, err_fd);
    }
    ce_free(found);
    if (child < 0) {
        return CE_EIO;
    }
    /* Also set the group from the parent, so that a stop right after spawn reaches the group
     * even before the child ran; EACCES after its exec is expected and harmless. */
    setpgid(child, child);
    *pid = child;
    return CE_OK;
}

bool ce_proc_reaped(pid_t pid, int *status)
{
    int st = 0;
    pid_t r;
    do {
        r = waitpid(pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid) {
        if (status) {
            *status = st;
        }
        return true;
    }
    if (r < 0 && errno == ECHILD) {
        /* Already reaped elsewhere (or never ours): nothing left to wait for. */
        if (status) {
            *status = 0;
        }
        return true;
    }
    return false;
}

static void proc_nap(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int ce_proc_wait(pid_t pid, int timeout_ms, int *status)
{
    int64_t deadline = ce_clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int nap = 1;
    for (;;) {
        if (ce_proc_reaped(pid, status)) {
            return CE_OK;
        }
        int64_t left = deadline - ce_clock_mono_ms();
        if (left <= 0) {
            return CE_ETIMEDOUT;
        }
        proc_nap(nap < left ? nap : (int)left);
        if (nap < 20) {
            nap *= 2; /* quick exits are seen fast, long waits do not spin */
        }
    }
}

int ce_proc_stop(pid_t pid, int sig, int timeout_ms, int *status)
{
    if (pid <= 0) {
        return CE_EINVAL;
    }
    kill(pid, sig);
    if (ce_proc_wait(pid, timeout_ms, status) == CE_OK) {
        return CE_OK;
    }
    /* The leader is not reaped yet, so its group id cannot have been reused: killing the group
     * also takes down helpers it started (a shell's children) that would keep pipes open. */
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (status) {
        *status = st;
    }
    return CE_ETIMEDOUT;
}
