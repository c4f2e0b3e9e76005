/* SPDX-License-Identifier: Apache-2.0 */
/* Internal layout of a parsed cron schedule, shared by the parser (cron_parse.c) and the
 * time walk (cron.c). Not for other modules. */
#ifndef CE_CORE_CRON_INT_H
#define CE_CORE_CRON_INT_H

#include "core/time/cron.h"

#include <stdbool.h>
#include <stdint.h>

/* Set when a field was written with '*' or '?' (robfig's starBit); decides AND/OR of days. */
#define CE_CRON_STAR (UINT64_C(1) << 63)

/* Longest spec accepted (an outsider's string: capped before any work). */
#define CE_CRON_MAX_SPEC 4096

enum ce_cron_kind {
    CE_CRON_SPEC,  /* bit sets per field */
    CE_CRON_EVERY, /* "@every": constant delay */
};

struct ce_cron {
    enum ce_cron_kind kind;
    uint64_t sec, min, hour, dom, mon, dow; /* bit i set = value i allowed */
    int64_t every_s;
    bool never; /* a field allows no value (","): robfig searches 5 years in vain */
    struct ce_tz *tz;
    struct ce_tz *utc; /* for walks over wall-clock seconds (ce_cron_next_once) */
};

/* Fills c's kind and fields from spec (at most CE_CRON_MAX_SPEC bytes); c->tz is loaded from
 * a "CRON_TZ="/"TZ=" prefix when present (else left NULL). Returns CE_OK or an error with
 * robfig's message. */
int ce_cron_parse_spec(const char *spec, unsigned flags, struct ce_cron *c, char *err,
                       size_t errlen);

#endif
