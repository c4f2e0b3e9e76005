/* SPDX-License-Identifier: Apache-2.0 */
/* Cron schedules as Argo Events evaluates them (calendar `schedule`, trigger
 * `conditionsReset.byTime.cron`): the robfig/cron v3 dialect with Argo's parser options, in an
 * IANA time zone, with robfig's next-time walk (and Argo's PrevCronTime) including its choices
 * at DST gaps and overlaps. A parsed schedule is immutable: any thread may query it. */
#ifndef CE_CORE_CRON_H
#define CE_CORE_CRON_H

#include "core/time/tz.h"

#include <stddef.h>
#include <stdint.h>

struct ce_cron;

/* Parser options (robfig's ParseOption subset). 0 is what Argo uses everywhere:
 * "minute hour day-of-month month day-of-week", no descriptors, no seconds. */
enum ce_cron_flag {
    CE_CRON_ARGO = 0,
    CE_CRON_SECONDS = 1 << 0,          /* a leading seconds field is required (6 fields) */
    CE_CRON_SECONDS_OPTIONAL = 1 << 1, /* 5 or 6 fields; 6 means a leading seconds field */
    CE_CRON_DESCRIPTORS = 1 << 2,      /* @yearly @annually @monthly @weekly @daily @midnight
                                          @hourly and "@every <Go duration>" */
};

/* Parses spec with Argo's options. Equivalent to ce_cron_parse_opts(spec, tz, CE_CRON_ARGO,...). */
int ce_cron_parse(const char *spec, const char *tz_name, struct ce_cron **out, char *err,
                  size_t errlen);

/* Parses spec. Fields: numbers, names JAN-DEC / SUN-SAT (any case, month and day-of-week only),
 * '*' and '?' (all), ranges a-b, steps x/n (x = '*', a, or a-b; "a/n" means a-max/n), lists with
 * ','. Day-of-week is 0-6 (7 is refused, as in robfig). When neither day field was written with
 * '*' or '?' (a step > 1 does not count as '*'), a day matches if EITHER field matches;
 * otherwise both must. A "CRON_TZ=<zone> " or "TZ=<zone> " prefix selects the zone and wins over
 * tz_name. The zone is tz_name when given, else Go's time.Local (ce_tz_load_local(): UTC in
 * Argo's image). On success *out is owned by the caller. Returns CE_OK, or CE_EPARSE / CE_ENOENT
 * (unknown zone) / CE_ETOOBIG (spec over 4096 bytes) with robfig's message in err. */
int ce_cron_parse_opts(const char *spec, const char *tz_name, unsigned flags, struct ce_cron **out,
                       char *err, size_t errlen);

/* First fire time strictly after UTC second `after`, or -1 when there is none within five
 * years (robfig's limit) or `after` is outside years 1..9999. "@every d" schedules return
 * after + d (d rounded down to whole seconds, at least 1 s). In a DST gap the missing local
 * times never fire; in an overlap a time that exists twice fires twice (see
 * docs/internals/time.md). */
int64_t ce_cron_next(const struct ce_cron *c, int64_t after);

/* First fire time strictly after UTC second `after` when every local time the schedule names
 * fires exactly once: a time a DST gap skips fires at the first instant after the gap (several
 * such times fire once, together), and a time an overlap repeats fires at its first occurrence
 * only. Outside transitions it equals ce_cron_next. "@every" schedules are ce_cron_next.
 * -1 as for ce_cron_next. The calendar source uses it (a daily 02:30 job runs every day once). */
int64_t ce_cron_next_once(const struct ce_cron *c, int64_t after);

/* Latest fire time strictly before UTC second `before` (Argo's PrevCronTime, used to seed
 * conditionsReset), or -1 if none within five years or the schedule is "@every". */
int64_t ce_cron_prev(const struct ce_cron *c, int64_t before);

/* The zone the schedule is evaluated in (owned by c). */
const struct ce_tz *ce_cron_tz(const struct ce_cron *c);

/* Accepts NULL. */
void ce_cron_destroy(struct ce_cron *c);

#endif
