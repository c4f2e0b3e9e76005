/* SPDX-License-Identifier: Apache-2.0 */
/* IANA time zones without touching TZ or the C library's global state: TZif files (v1 and the
 * v2+ 64-bit section, with the footer POSIX TZ rule for times past the table) are parsed into an
 * immutable object, so lookups are thread-safe. Conversions follow Go's time package, whose
 * choices (zone gaps and overlaps in time.Date) the cron schedules of Argo depend on. */
#ifndef CE_CORE_TZ_H
#define CE_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ce_tz;

/* The zone period that holds at one instant (Go's Location.lookup). */
struct ce_tz_period {
    int32_t offset; /* seconds east of UTC */
    bool is_dst;
    int64_t start; /* first UTC second of the period; INT64_MIN when unbounded */
    int64_t end;   /* first UTC second after it; INT64_MAX when unbounded */
    char abbr[16];
};

/* Broken-down local time. */
struct ce_tz_tm {
    int64_t year;
    int mon;  /* 1..12 */
    int mday; /* 1..31 */
    int hour;
    int min;
    int sec;
    int wday; /* 0 = Sunday */
    int yday; /* 0..365 */
    int32_t offset;
};

/* Loads a zone by IANA name like Go's time.LoadLocation: "" and "UTC" give UTC, "Local" gives
 * ce_tz_load_local(), names containing ".." or starting with '/' or '\' are refused, and files
 * are looked up under $ZONEINFO (a directory) first, then /usr/share/zoneinfo,
 * /usr/share/lib/zoneinfo, /usr/lib/locale/TZ and /etc/zoneinfo. On success *out is owned by the
 * caller. Returns CE_OK, CE_ENOENT ("unknown time zone X") or CE_EPARSE (bad file), with a
 * message in err (may be NULL). */
int ce_tz_load(const char *name, struct ce_tz **out, char *err, size_t errlen);

/* Go's time.Local as a process without state would compute it: $TZ (a leading ':' dropped; an
 * absolute path is read as a file; "" or "UTC" mean UTC), else /etc/localtime, else UTC. Never
 * fails; the zone is named "Local" (or the TZ value). In Argo's image this is UTC. */
struct ce_tz *ce_tz_load_local(void);

/* Builds a zone from TZif bytes (for tests and fuzzing; ce_tz_load reads the file and calls
 * this). Returns CE_OK or CE_EPARSE. The data is copied. */
int ce_tz_from_tzif(const char *name, const uint8_t *data, size_t len, struct ce_tz **out,
                    char *err, size_t errlen);

/* A fresh copy of tz (one owner per object; the copy shares nothing). */
struct ce_tz *ce_tz_clone(const struct ce_tz *tz);

/* Accepts NULL. */
void ce_tz_destroy(struct ce_tz *tz);

/* The name it was loaded by ("UTC", "Local", "Europe/Berlin"). */
const char *ce_tz_name(const struct ce_tz *tz);

/* The period holding at UTC second t. Thread-safe (tz is never modified after load). */
void ce_tz_lookup(const struct ce_tz *tz, int64_t t, struct ce_tz_period *out);

/* Seconds east of UTC at UTC second t. */
int32_t ce_tz_offset_at(const struct ce_tz *tz, int64_t t);

/* Local wall-clock seconds (civil time counted from 1970-01-01 00:00 as if it were UTC) to a UTC
 * instant, with Go's time.Date rule: look up the offset at the local value read as UTC; if the
 * instant this gives lies outside that offset's period, use the offset at that instant instead.
 * In a gap this lands one side of the transition and in an overlap on one of the two readings,
 * depending on the zone's direction (see docs/internals/time.md). */
int64_t ce_tz_local_to_utc(const struct ce_tz *tz, int64_t local);

/* The first UTC instant whose local reading in tz is local (wall-clock seconds as above): in an
 * overlap the earlier of the two readings, and in a gap, where the zone never reads local, the
 * instant the gap ends (the first instant after it). Unlike Go's time.Date, the answer does not
 * depend on the zone's direction: what schedules that fire each wall-clock time once need. */
int64_t ce_tz_local_first(const struct ce_tz *tz, int64_t local);

/* Go's time.Date: fields are normalised first (month 13 is January next year, day 0 the last
 * day of the previous month, hour 24 the next day ...), then converted as above. */
int64_t ce_tz_from_fields(const struct ce_tz *tz, int64_t year, int64_t mon, int64_t mday,
                          int64_t hour, int64_t min, int64_t sec);

/* Broken-down local time of UTC second t in tz. */
void ce_tz_to_tm(const struct ce_tz *tz, int64_t t, struct ce_tz_tm *tm);

/* Proleptic Gregorian calendar helpers: days since 1970-01-01 and back. */
int64_t ce_tz_days_from_civil(int64_t year, int mon, int mday);
void ce_tz_civil_from_days(int64_t days, int64_t *year, int *mon, int *mday);
bool ce_tz_is_leap(int64_t year);
int ce_tz_days_in_month(int64_t year, int mon);

#endif
