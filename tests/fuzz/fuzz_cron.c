/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for cron schedules, zones and durations. Input: byte 0 picks parser flags and a
 * zone, bytes 1-8 an instant, the rest is the spec. Checks that next, next_once and prev move
 * strictly forward/backward, that durations format and parse back, and feeds the raw bytes to the
 * TZif reader. */
#include "core/time/cron.h"
#include "core/go/duration.h"
#include "core/base/mem.h"
#include "core/time/tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_zones[8] = {"UTC",
                                          "America/New_York",
                                          "Europe/Berlin",
                                          "Asia/Kolkata",
                                          "Australia/Lord_Howe",
                                          "America/Havana",
                                          "",
                                          "Pacific/Apia"};

static void fuzz_schedule(const char *spec, const char *zone, unsigned flags, int64_t t)
{
    struct ce_cron *c = NULL;
    char err[256];
    if (ce_cron_parse_opts(spec, zone, flags, &c, err, sizeof err) != 0) {
        if (c != NULL || memchr(err, '\0', sizeof err) == NULL) {
            abort();
        }
        return;
    }
    int64_t at = t;
    for (int i = 0; i < 3; i++) {
        int64_t n = ce_cron_next(c, at);
        if (n == -1) {
            break;
        }
        if (n <= at) {
            abort();
        }
        at = n;
    }
    at = t;
    for (int i = 0; i < 3; i++) { /* the calendar's once-per-local-time walk */
        int64_t n = ce_cron_next_once(c, at);
        if (n == -1) {
            break;
        }
        if (n <= at) {
            abort();
        }
        at = n;
    }
    int64_t p = ce_cron_prev(c, t);
    if (p != -1 && p >= t) {
        abort();
    }
    ce_cron_destroy(c);
}

static void fuzz_duration(const char *s)
{
    int64_t ns = 0, back = 0;
    char out[CE_DURATION_STR_MAX];
    if (ce_duration_parse(s, &ns, NULL, 0) != 0) {
        return;
    }
    if (ce_duration_format(ns, out, sizeof out) < 0 ||
        ce_duration_parse(out, &back, NULL, 0) != 0 || back != ns) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ce_tz *tz = NULL;
    if (ce_tz_from_tzif("fuzz", data, size, &tz, NULL, 0) == 0) {
        (void)ce_tz_offset_at(tz, 0);
        (void)ce_tz_from_fields(tz, 2024, 3, 10, 2, 30, 0);
        ce_tz_destroy(tz);
    }
    if (size < 9) {
        return 0;
    }
    unsigned flags = data[0] & 7u;
    const char *zone = fuzz_zones[(data[0] >> 3) & 7u];
    uint64_t raw = 0;
    for (int i = 1; i <= 8; i++) {
        raw = raw << 8 | data[i];
    }
    /* 1900 .. 2200, so most inputs exercise the walk rather than the range check */
    int64_t t = INT64_C(-2208988800) + (int64_t)(raw % UINT64_C(9467280000));
    char *spec = ce_xstrndup((const char *)data + 9, size - 9);
    fuzz_schedule(spec, zone, flags, t);
    fuzz_duration(spec);
    ce_free(spec);
    return 0;
}
