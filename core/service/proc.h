/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes: spawn with stdout/stderr redirected, stop with a signal and a deadline
 * (SIGKILL after it), reap without blocking. Used by `cevents run` and by the test harness. */
#ifndef CE_CORE_PROC_H
#define CE_CORE_PROC_H

#include "core/base/rc.h"

#include <stdbool.h>
#include <sys/types.h>

/* Finds the command name in PATH: a heap path, or NULL when nothing executable matches. */
char *ce_proc_find(const char *name);
/* Starts argv[0] (a path, not searched in PATH unless it has no "/") with argv, stdout on
 * out_fd and stderr on err_fd (-1 = inherit), stdin on /dev/null, every other fd closed, the
 * signal mask cleared, in its own process group. CE_OK or CE_EIO (exec failure is reported as
 * the child exiting with status 127). */
int ce_proc_spawn(char *const argv[], int out_fd, int err_fd, pid_t *pid) CE_MUST_CHECK;
/* Sends sig, waits up to timeout_ms for the exit, then SIGKILLs and reaps. *status gets the
 * wait status (may be NULL). CE_OK, or CE_ETIMEDOUT when SIGKILL was needed. */
int ce_proc_stop(pid_t pid, int sig, int timeout_ms, int *status);
/* Non-blocking reap: true (and *status) when pid has exited. */
bool ce_proc_reaped(pid_t pid, int *status);
/* Waits for pid up to timeout_ms. CE_OK or CE_ETIMEDOUT. */
int ce_proc_wait(pid_t pid, int timeout_ms, int *status) CE_MUST_CHECK;

#endif
