/* SPDX-License-Identifier: Apache-2.0 */
/* Return codes: their names, and the one way modules report a failure with a message. */
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>

int ce_rc_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

const char *ce_rc_str(int rc)
{
    switch (rc) {
    case CE_OK:
        return "ok";
    case CE_EINVAL:
        return "invalid argument";
    case CE_ENOENT:
        return "not found";
    case CE_EIO:
        return "i/o error";
    case CE_ETIMEDOUT:
        return "timed out";
    case CE_ETOOBIG:
        return "too big";
    case CE_EPARSE:
        return "parse error";
    case CE_EAUTH:
        return "authentication failed";
    case CE_EREMOTE:
        return "remote error";
    case CE_EUNAVAIL:
        return "unavailable";
    case CE_RETRY:
        return "retry";
    case CE_DROPPED:
        return "dropped";
    case CE_ECANCELED:
        return "stopped before it finished";
    case CE_EMSGSIZE:
        return "message too large for the receiver";
    case CE_EINUSE:
        return "in use by another program";
    case CE_EFULL:
        return "full";
    default:
        return "unknown error";
    }
}

int ce_rc_exit_status(int rc)
{
    return rc == CE_OK ? 0 : rc == CE_EINUSE ? CE_EXIT_IN_USE : 1;
}
