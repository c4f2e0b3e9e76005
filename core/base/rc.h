/* SPDX-License-Identifier: Apache-2.0 */
/* One return-code enum for the whole project: 0 is success, the detail goes to the log or to a
 * diagnostics collector. */
#ifndef CE_CORE_RC_H
#define CE_CORE_RC_H

#include <stddef.h>

enum ce_rc {
    CE_OK = 0,
    CE_EINVAL,    /* bad argument or bad input */
    CE_ENOENT,    /* not found */
    CE_EIO,       /* I/O or system call failed */
    CE_ETIMEDOUT, /* a deadline passed */
    CE_ETOOBIG,   /* a size limit was hit */
    CE_EPARSE,    /* input could not be parsed */
    CE_EAUTH,     /* authentication failed */
    CE_EREMOTE,   /* the remote side answered with an error */
    CE_EUNAVAIL,  /* a dependency (the bus, a server) is not reachable */
    CE_RETRY,     /* not a failure class: try again later */
    CE_DROPPED,   /* not a failure class: deliberately not passed on (an EventSource filter) */
    CE_EFULL,     /* a capacity downstream is used up (the bus's backlog): try again later */
    CE_EINUSE,    /* something the process needs (a port) is held by another program */
    CE_EMSGSIZE,  /* a message is larger than its receiver takes: retrying cannot help */
    CE_ECANCELED, /* not a failure: the process is stopping and left the work for its next start */
};

#define CE_MUST_CHECK __attribute__((warn_unused_result))

/* Exit status of a process that could not start because something it needs (a port) is held by
 * another program: `cevents run` stops restarting such a child after a few tries. */
#define CE_EXIT_IN_USE 3

/* The exit status a process ends with after rc: 0, CE_EXIT_IN_USE, or 1. */
int ce_rc_exit_status(int rc);

/* Returns a static, human-readable name for rc. */
const char *ce_rc_str(int rc);
/* Writes the formatted message to err (when err is not NULL and errlen > 0) and returns rc, so
 * a failure reads `return ce_rc_fail(CE_EPARSE, err, errlen, "bad %s", what);`. */
int ce_rc_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
