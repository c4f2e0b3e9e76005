/* SPDX-License-Identifier: Apache-2.0 */
/* Time helpers every module uses: monotonic and wall milliseconds, absolute deadlines for
 * pthread_cond_timedwait on CLOCK_MONOTONIC condition variables, and sleeping. */
#ifndef CE_CORE_CLOCK_H
#define CE_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC (for timeouts and durations). */
int64_t ce_clock_mono_ms(void);
/* Milliseconds since the Unix epoch (for timestamps). */
int64_t ce_clock_wall_ms(void);
/* Milliseconds since start, a CLOCK_MONOTONIC reading, as a fraction (for latency metrics). */
double ce_clock_ms_since(const struct timespec *start);
/* The CLOCK_MONOTONIC time timeout_ms from now, for condition variables created with
 * pthread_condattr_setclock(CLOCK_MONOTONIC). */
void ce_clock_deadline(int64_t timeout_ms, struct timespec *out);
/* Sleeps ms milliseconds (a signal may end it early). */
void ce_clock_sleep_ms(int64_t ms);
/* A time of day as Go's time.Parse("15:04:05") reads it (the hour may have one digit, minutes
 * and seconds two; 0-23, 0-59, 0-59) into seconds since midnight. False when it is not one. */
bool ce_clock_parse_hms(const char *s, int *secs);
/* RFC 3339 (nanoseconds, "Z" or an offset) → Unix epoch ns; -1 when not a time. */
int64_t ce_clock_parse_rfc3339_ns(const char *s);

#endif
