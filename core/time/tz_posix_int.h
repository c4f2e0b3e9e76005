/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX TZ rule strings ("EST5EDT,M3.2.0,M11.1.0"), as found in the footer of TZif v2+ files:
 * they give a zone's offsets for instants past the transition table. Used by core/tz.c only.
 * Parsing and lookup follow Go's time package (tzset), including its tolerances. */
#ifndef CE_CORE_TZ_POSIX_H
#define CE_CORE_TZ_POSIX_H

#include "core/time/tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_tz_posix_rule {
    char kind; /* 'J' (1..365, Feb 29 never counted), 'D' (0..365), 'M' (month.week.day) */
    int day;
    int week;
    int mon;
    int32_t time; /* seconds after local midnight, may be negative or past 24h */
};

struct ce_tz_posix {
    char std_abbr[16];
    char dst_abbr[16];
    int32_t std_off; /* seconds east of UTC (the string's sign is the other way round) */
    int32_t dst_off;
    bool has_dst;
    struct ce_tz_posix_rule start;
    struct ce_tz_posix_rule end;
};

/* Parses s[0..len). Returns false if it is not a rule Go would accept. */
bool ce_tz_posix_parse(const char *s, size_t len, struct ce_tz_posix *out);

/* The period holding at UTC second t; last_tx is the time of the table's last transition (the
 * start reported for a zone without DST). */
void ce_tz_posix_lookup(const struct ce_tz_posix *p, int64_t last_tx, int64_t t,
                        struct ce_tz_period *out);

#endif
