/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's duration (seconds as Go's Duration.String()), durationRound (the largest whole unit:
 * "2h", "3mo") and ago (time since, to the second). Like sprig, they read only the Go types they
 * name: duration takes a string or an int64 (a plain number literal is an int, so 0 seconds),
 * durationRound a duration string, an int64 of nanoseconds or a time, ago a time or a Unix int. */
#include "core/template/sprig_int.h"

#include "core/go/duration.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static struct ce_tv duration_text(struct ce_tv_ctx *c, int64_t ns)
{
    char buf[CE_DURATION_STR_MAX];
    int k = ce_duration_format(ns, buf, sizeof buf);
    return ce_tv_str_copy(c, buf, k < 0 ? 0 : (size_t)k);
}

static bool is_int64(const struct ce_tv *v)
{
    return v->kind == CE_TV_INT && v->gotype == CE_TV_GO_INT64;
}

/* strconv.ParseInt(s, 10, 64) as sprig uses it: 0 on bad syntax, the clamped value past range. */
static int64_t parse_int10(const char *p, size_t n)
{
    char buf[64];
    size_t i = (n && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    if (n >= sizeof buf || i == n) {
        return 0;
    }
    for (size_t k = i; k < n; k++) {
        if (p[k] < '0' || p[k] > '9') {
            return 0;
        }
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    errno = 0;
    return strtoll(buf, NULL, 10); /* clamps to INT64_MAX/MIN as ParseInt does */
}

static SPRIG_FN(fn_duration)
{
    (void)n;
    int64_t secs = 0;
    if (a[0].kind == CE_TV_STRING) {
        secs = parse_int10(S(a[0]), N(a[0]));
    }
    else if (is_int64(&a[0])) {
        secs = a[0].u.i;
    }
    /* time.Duration(n) * time.Second wraps as Go's int64 multiply does */
    *out = duration_text(c, (int64_t)((uint64_t)secs * 1000000000u));
    return CE_OK;
}

/* time.Since(t): now - t, saturated to the int64 range as Time.Sub does. */
static int64_t since(struct ce_tv_ctx *c, int64_t sec, int32_t nsec)
{
    int64_t now_sec;
    int32_t now_nsec;
    sprig_clock_now(c, &now_sec, &now_nsec);
    __int128 d = ((__int128)now_sec - sec) * 1000000000 + (now_nsec - nsec);
    return d > INT64_MAX ? INT64_MAX : d < INT64_MIN ? INT64_MIN : (int64_t)d;
}

static SPRIG_FN(fn_duration_round)
{
    (void)n;
    int64_t d = 0;
    if (a[0].kind == CE_TV_STRING) {
        char *s = ce_tv_strdup(c, S(a[0]), N(a[0]));
        if (strlen(s) != N(a[0]) || ce_duration_parse(s, &d, NULL, 0) != CE_OK) {
            d = 0;
        }
    }
    else if (is_int64(&a[0])) {
        d = a[0].u.i;
    }
    else if (a[0].kind == CE_TV_TIME) {
        d = since(c, a[0].u.t->sec, a[0].u.t->nsec);
    }
    uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
    static const struct {
        uint64_t ns;
        const char *unit;
    } units[] = {
        {UINT64_C(3600000000000) * 24 * 365, "y"},
        {UINT64_C(3600000000000) * 24 * 30, "mo"},
        {UINT64_C(3600000000000) * 24, "d"},
        {UINT64_C(3600000000000), "h"},
        {UINT64_C(60000000000), "m"},
        {UINT64_C(1000000000), "s"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (u > units[i].ns) {
            char buf[32];
            int k = snprintf(buf, sizeof buf, "%llu%s", (unsigned long long)(u / units[i].ns),
                             units[i].unit);
            *out = ce_tv_str_copy(c, buf, (size_t)k);
            return CE_OK;
        }
    }
    *out = ce_tv_cstr("0s");
    return CE_OK;
}

/* Duration.Round(time.Second): halves away from zero, saturating. */
static int64_t round_second(int64_t d)
{
    const int64_t m = 1000000000;
    int64_t r = d % m;
    if (d < 0) {
        r = -r;
        if ((uint64_t)r + (uint64_t)r < (uint64_t)m) {
            return d + r;
        }
        return d >= INT64_MIN + (m - r) ? d - (m - r) : INT64_MIN;
    }
    if ((uint64_t)r + (uint64_t)r < (uint64_t)m) {
        return d - r;
    }
    return d <= INT64_MAX - (m - r) ? d + m - r : INT64_MAX;
}

static SPRIG_FN(fn_ago)
{
    (void)n;
    int64_t d;
    if (a[0].kind == CE_TV_TIME) {
        d = since(c, a[0].u.t->sec, a[0].u.t->nsec);
    }
    else if (a[0].kind == CE_TV_INT && a[0].gotype != CE_TV_GO_UINT8) { /* int or int64 */
        d = since(c, a[0].u.i, 0);
    }
    else {
        d = 0; /* time.Now() */
    }
    *out = duration_text(c, round_second(d));
    return CE_OK;
}

#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_duration_fns[] = {
    {"duration", fn_duration, 1, 0, {ANY}},
    {"durationRound", fn_duration_round, 1, 0, {ANY}},
    {"ago", fn_ago, 1, 0, {ANY}},
};
const size_t ce_sprig_duration_nfns =
    sizeof ce_sprig_duration_fns / sizeof ce_sprig_duration_fns[0];
