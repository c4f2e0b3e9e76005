/* SPDX-License-Identifier: Apache-2.0 */
/* The calendar's schedule logic, free of I/O and of the clock: when the ticks of a schedule or an
 * interval fall, which dates are excluded, where a restart resumes, and the per-event state
 * machine that owes ticks, publishes one at a time and backs off when the bus fails. Every time
 * is Unix nanoseconds passed in by the caller, so tests drive DST changes, clock steps and
 * catch-up without sleeping. Immutable schedules; a ticker belongs to one thread. */
#ifndef CE_EVENTSOURCE_CALENDAR_SCHED_H
#define CE_EVENTSOURCE_CALENDAR_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_cron;
struct ce_tz;

#define CE_CAL_NS INT64_C(1000000000)
/* Shortest interval accepted: shorter ones would only flood the bus. */
#define CE_CAL_MIN_INTERVAL_NS CE_CAL_NS
/* Backoff between attempts to publish a tick the bus refused: doubling from the first to the
 * cap. */
#define CE_CAL_RETRY_FIRST_NS (100 * INT64_C(1000000))
#define CE_CAL_RETRY_MAX_NS (10 * CE_CAL_NS)
/* The wait before the next attempt after `attempts` failed ones. */
int64_t ce_cal_backoff(int attempts);
/* Longest Go Time.String() text written ("-292277026596-12-04 15:30:07.999999999 +0000 ABCDEF"
 * would be more, but years stay 1..9999 here). */
#define CE_CAL_TIME_MAX 80

/* When the ticks fall. cron and zone are owned (ce_cal_sched_fini). */
struct ce_cal_sched {
    struct ce_cron *cron; /* NULL: an interval schedule */
    int64_t interval_ns;  /* > 0 when cron is NULL */
    struct ce_tz *zone;   /* `timezone` (else the local zone): eventTime and exclusion dates */
    int64_t *excluded;    /* days since 1970-01-01 (UTC dates of exclusionDates), sorted */
    int n_excluded;
};

void ce_cal_sched_fini(struct ce_cal_sched *s);

/* The first tick strictly after after_ns, or -1 when there is none (an impossible schedule).
 * Cron schedules fire each local time they name once (ce_cron_next_once: DST gaps fire at the
 * gap's end, overlaps at the first occurrence). Intervals fall on multiples of the interval since
 * the Unix epoch, so every replica and every restart computes the same instants. A tick whose
 * date in `zone` is an excluded date is skipped. */
int64_t ce_cal_sched_next(const struct ce_cal_sched *s, int64_t after_ns);

/* Parses Argo's exclusionDates items: those starting with "EXDATE:" hold a comma list of
 * 20060102T150405Z times (UTC); others are ignored. Appends each date (days since the epoch) to
 * (*days, *n) (heap, sorted, duplicates kept once). CE_OK, or CE_EPARSE naming the bad time in err.
 */
int ce_cal_parse_exdate(const char *item, int64_t **days, int *n, char *err, size_t errlen);

/* Where the ticks resume at start: ticks strictly after the returned instant are owed.
 * record_ns: the last tick the bus acknowledged before (-1 none). Without catch-up that is now
 * (missed ticks are not fired, as in Argo); with catch-up it is the record, no earlier than
 * now - max_ns when max_ns > 0, and now when there is no record. Never before the record: a
 * clock stepped back does not bring a tick again. */
int64_t ce_cal_start_point(int64_t now_ns, int64_t record_ns, bool catchup, int64_t max_ns);

/* ns as Go's Time.String() prints it in zone, without the monotonic " m=+…" part:
 * "2006-01-02 15:04:05.999999999 -0700 MST" (fraction trimmed of trailing zeros, none when
 * whole; the zone's abbreviation, or the offset when it has none). Returns the length. */
int ce_cal_format_go_time(const struct ce_tz *zone, int64_t ns, char out[CE_CAL_TIME_MAX]);
/* ns as RFC 3339 in UTC with the fraction trimmed ("2026-07-18T12:00:02.5Z"). Returns the
 * length. */
int ce_cal_format_rfc3339(int64_t ns, char out[CE_CAL_TIME_MAX]);

/* One event's ticks. `last` only grows, so no tick is owed twice whatever the clock does. */
struct ce_cal_ticker {
    int64_t last;     /* the latest tick handled: ticks after it are owed */
    int64_t due;      /* the next tick owed (-1: the schedule has no more) */
    int64_t retry_at; /* after a failed attempt: when the next may start (0: at due) */
    int attempts;     /* failed attempts at due */
    bool busy;        /* a publish of due is in flight */
};

/* Owes the ticks after start_ns. */
void ce_cal_ticker_init(struct ce_cal_ticker *t, const struct ce_cal_sched *s, int64_t start_ns);
/* When the ticker next has work: the due tick or its retry; INT64_MAX while a publish is in
 * flight or nothing is owed. */
int64_t ce_cal_ticker_wake(const struct ce_cal_ticker *t);
/* Whether the due tick is to be published at now_ns; if so it is in *tick and the ticker is
 * busy until ce_cal_ticker_done. A clock set back makes it wait, never repeat. */
bool ce_cal_ticker_take(struct ce_cal_ticker *t, int64_t now_ns, int64_t *tick);
/* The publish of the taken tick ended: handled (acknowledged, or turned down for good) moves to
 * the next tick; otherwise the same tick is tried again after a backoff. */
void ce_cal_ticker_done(struct ce_cal_ticker *t, const struct ce_cal_sched *s, bool handled,
                        int64_t now_ns);

#endif
