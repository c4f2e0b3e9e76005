/* SPDX-License-Identifier: Apache-2.0 */
/* Go durations as Argo manifests write them: time.ParseDuration ("1h30m", "1.5s", "-2m"),
 * Duration.String() ("1h30m0s"), and the Int64OrString form of retryStrategy.duration, where a
 * bare number means nanoseconds and a string is a Go duration. Pure functions, thread-safe. */
#ifndef CE_CORE_DURATION_H
#define CE_CORE_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_DURATION_NS_PER_SEC INT64_C(1000000000)

/* Longest Duration.String() output ("-2562047h47m16.854775808s") plus the NUL. */
#define CE_DURATION_STR_MAX 32

/* Parses s exactly as Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?unit)+ with units ns, us,
 * µs (U+00B5), μs (U+03BC), ms, s, m, h; "0" alone needs no unit; overflow past int64 is an
 * error. On success stores nanoseconds in *ns and returns CE_OK. On failure returns CE_EPARSE and
 * writes Go's message (e.g. `time: missing unit in duration "5"`) to err (may be NULL). */
int ce_duration_parse(const char *s, int64_t *ns, char *err, size_t errlen);

/* Argo's Int64OrString as used by Backoff.duration. is_string tells whether the manifest value
 * was a string (YAML/JSON quoted): then it is a Go duration ("1" is an error, "0" is not).
 * Otherwise text is an integer literal ([+-]?[0-9]+, within int64) meaning nanoseconds.
 * Returns CE_OK or CE_EPARSE with a message. */
int ce_duration_parse_int64_or_string(const char *text, bool is_string, int64_t *ns, char *err,
                                      size_t errlen);

/* Formats ns like Go's Duration.String(): "1h30m0s", "1.5s", "300ms", "1µs", "0s". Writes at
 * most n bytes including the NUL. Returns the length written (without NUL), or -1 when n is too
 * small (out is then truncated but still terminated if n > 0). */
int ce_duration_format(int64_t ns, char *out, size_t n);

#endif
