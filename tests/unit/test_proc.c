/* SPDX-License-Identifier: Apache-2.0 */
/* core/proc: spawning with redirected output, exit statuses, stopping with a signal and the
 * SIGKILL fallback, exec failures reported as 127, and the clean child environment. */
#include "core/service/proc.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "tests/harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* A pipe whose ends do not leak into children (the child gets dups of them). */
static void tp_pipe(int p[2])
{
    assert_int_equal(pipe(p), 0);
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
}

/* Reads fd until EOF (the child and all its descendants closed the pipe). */
static char *tp_read_all(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = ce_xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = ce_xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* Runs sh -c script with stdout and stderr on one pipe; returns the output, *status the wait
 * status. */
static char *tp_run_sh(const char *script, int *status)
{
    int p[2];
    tp_pipe(p);
    char *const argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    pid_t pid;
    assert_int_equal(ce_proc_spawn(argv, p[1], p[1], &pid), CE_OK);
    close(p[1]);
    char *out = tp_read_all(p[0]);
    close(p[0]);
    assert_int_equal(ce_proc_wait(pid, 10000, status), CE_OK);
    return out;
}

static void test_echo_captured(void **state)
{
    (void)state;
    int st = -1;
    char *out = tp_run_sh("echo hi; echo err >&2", &st);
    assert_string_equal(out, "hi\nerr\n");
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    ce_free(out);
}

static void test_exit_status(void **state)
{
    (void)state;
    int st = -1;
    char *out = tp_run_sh("exit 3", &st);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 3);
    ce_free(out);
}

/* stdin is /dev/null, fds other than 0-2 are closed, the signal mask and ignored signals are
 * reset, and the child leads its own process group. */
static void test_clean_child(void **state)
{
    (void)state;
    int leak = open("/dev/null", O_RDONLY); /* not CLOEXEC: must still not reach the child */
    assert_true(leak > 2);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, prev;
    sigaction(SIGUSR2, &ign, &prev);

    char script[256];
    snprintf(script, sizeof(script),
             "read x && echo got-input; [ -e /proc/self/fd/%d ] && echo leaked;"
             " grep -E '^(SigBlk|SigIgn)' /proc/self/status;"
             " true",
             leak);
    int st = -1;
    char *out = tp_run_sh(script, &st);
    sigprocmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGUSR2, &prev, NULL);
    close(leak);

    assert_null(strstr(out, "got-input"));
    assert_null(strstr(out, "leaked"));
    assert_non_null(strstr(out, "SigBlk:\t0000000000000000"));
    /* SIGUSR2 is signal 12, bit 0x800; the shell itself ignores nothing else here. */
    const char *ig = strstr(out, "SigIgn:\t");
    assert_non_null(ig);
    unsigned long long mask = strtoull(ig + 8, NULL, 16);
    assert_int_equal(mask & (1ULL << (SIGUSR2 - 1)), 0);
    assert_int_equal(WEXITSTATUS(st), 0);
    ce_free(out);
}

static void test_own_process_group(void **state)
{
    (void)state;
    char *const argv[] = {"/bin/sleep", "30", NULL};
    pid_t pid;
    assert_int_equal(ce_proc_spawn(argv, -1, -1, &pid), CE_OK);
    assert_int_equal(getpgid(pid), pid);
    assert_int_equal(ce_proc_stop(pid, SIGTERM, 5000, NULL), CE_OK);
}

static void test_stop_sigterm(void **state)
{
    (void)state;
    char *const argv[] = {"/bin/sleep", "30", NULL};
    pid_t pid;
    assert_int_equal(ce_proc_spawn(argv, -1, -1, &pid), CE_OK);
    int st = 0;
    assert_false(ce_proc_reaped(pid, &st));
    assert_int_equal(ce_proc_wait(pid, 50, &st), CE_ETIMEDOUT);
    assert_int_equal(ce_proc_stop(pid, SIGTERM, 5000, &st), CE_OK);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGTERM);
}

/* A process ignoring SIGTERM is killed after the timeout, and so is the helper it started
 * (the pipe reaches EOF, so no grandchild keeps it open). */
static void test_stop_escalates(void **state)
{
    (void)state;
    int p[2];
    tp_pipe(p);
    char *const argv[] = {"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30; echo woke", NULL};
    pid_t pid;
    assert_int_equal(ce_proc_spawn(argv, p[1], -1, &pid), CE_OK);
    close(p[1]);
    char line[16] = {0};
    assert_int_equal(read(p[0], line, 6), 6); /* the trap is installed */
    assert_memory_equal(line, "ready\n", 6);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = 0;
    assert_int_equal(ce_proc_stop(pid, SIGTERM, 300, &st), CE_ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 290 && ms < 5000);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGKILL);
    char *rest = tp_read_all(p[0]);
    assert_string_equal(rest, "");
    ce_free(rest);
    close(p[0]);
}

static void test_exec_failure_127(void **state)
{
    (void)state;
    char *const argv[] = {"/nonexistent/cevents-no-such-binary", NULL};
    pid_t pid;
    int st = -1;
    assert_int_equal(ce_proc_spawn(argv, -1, -1, &pid), CE_OK);
    assert_int_equal(ce_proc_wait(pid, 10000, &st), CE_OK);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 127);

    char *const bare[] = {"cevents-no-such-binary-in-path", NULL};
    assert_int_equal(ce_proc_spawn(bare, -1, -1, &pid), CE_OK);
    assert_int_equal(ce_proc_wait(pid, 10000, &st), CE_OK);
    assert_int_equal(WEXITSTATUS(st), 127);
}

/* A bare name is looked up in PATH. */
static void test_path_search(void **state)
{
    (void)state;
    int p[2];
    tp_pipe(p);
    char *const argv[] = {"echo", "from-path", NULL};
    pid_t pid;
    assert_int_equal(ce_proc_spawn(argv, p[1], -1, &pid), CE_OK);
    close(p[1]);
    char *out = tp_read_all(p[0]);
    close(p[0]);
    int st = -1;
    assert_int_equal(ce_proc_wait(pid, 10000, &st), CE_OK);
    assert_string_equal(out, "from-path\n");
    assert_int_equal(WEXITSTATUS(st), 0);
    ce_free(out);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_captured),    cmocka_unit_test(test_exit_status),
        cmocka_unit_test(test_clean_child),      cmocka_unit_test(test_own_process_group),
        cmocka_unit_test(test_stop_sigterm),     cmocka_unit_test(test_stop_escalates),
        cmocka_unit_test(test_exec_failure_127), cmocka_unit_test(test_path_search),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
