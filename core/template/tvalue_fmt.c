/* SPDX-License-Identifier: Apache-2.0 */
/* Printing template values the way Go's fmt %v does: time.Time via its Format layouts (floats
 * come from core/gofloat). */
#include "core/template/tvalue.h"

#include "core/base/rc.h"
#include "core/time/tz.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const long_months[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
static const char *const long_days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

enum std {
    STD_NONE,
    STD_LONG_MONTH,
    STD_MONTH,
    STD_NUM_MONTH,
    STD_ZERO_MONTH,
    STD_LONG_WEEKDAY,
    STD_WEEKDAY,
    STD_DAY,
    STD_UNDER_DAY,
    STD_ZERO_DAY,
    STD_UNDER_YDAY,
    STD_ZERO_YDAY,
    STD_HOUR,
    STD_HOUR12,
    STD_ZERO_HOUR12,
    STD_MINUTE,
    STD_ZERO_MINUTE,
    STD_SECOND,
    STD_ZERO_SECOND,
    STD_LONG_YEAR,
    STD_YEAR,
    STD_PM,
    STD_pm,
    STD_TZ,
    STD_ISO_SEC_TZ, /* Z070000 */
    STD_ISO_TZ,     /* Z0700 */
    STD_ISO_COLON_SEC_TZ,
    STD_ISO_COLON_TZ, /* Z07:00 */
    STD_ISO_SHORT_TZ, /* Z07 */
    STD_NUM_SEC_TZ,   /* -070000 */
    STD_NUM_TZ,       /* -0700 */
    STD_NUM_COLON_SEC_TZ,
    STD_NUM_COLON_TZ,
    STD_NUM_SHORT_TZ,
    STD_FRAC0,
    STD_FRAC9,
};

struct chunk {
    size_t prefix; /* literal bytes before the element */
    enum std std;
    size_t len;  /* bytes of the element */
    int ndigits; /* fractional seconds */
    char sep;    /* '.' or ',' */
};

static bool has(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = strlen(w);
    return n - i >= k && memcmp(s + i, w, k) == 0;
}

static bool lower_at(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= 'a' && s[i] <= 'z';
}

/* Go's nextStdChunk: finds the first layout element at or after the start of s. */
static struct chunk next_chunk(const char *s, size_t n)
{
    static const struct {
        const char *w;
        enum std std;
    } tz[] = {
        {"-07:00:00", STD_NUM_COLON_SEC_TZ},
        {"-070000", STD_NUM_SEC_TZ},
        {"-07:00", STD_NUM_COLON_TZ},
        {"-0700", STD_NUM_TZ},
        {"-07", STD_NUM_SHORT_TZ},
        {"Z07:00:00", STD_ISO_COLON_SEC_TZ},
        {"Z070000", STD_ISO_SEC_TZ},
        {"Z07:00", STD_ISO_COLON_TZ},
        {"Z0700", STD_ISO_TZ},
        {"Z07", STD_ISO_SHORT_TZ},
    };
    struct chunk c = {n, STD_NONE, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        c.prefix = i;
        switch (s[i]) {
        case 'J':
            if (has(s, n, i, "January")) {
                c.std = STD_LONG_MONTH, c.len = 7;
                return c;
            }
            if (has(s, n, i, "Jan") && !lower_at(s, n, i + 3)) {
                c.std = STD_MONTH, c.len = 3;
                return c;
            }
            break;
        case 'M':
            if (has(s, n, i, "Monday")) {
                c.std = STD_LONG_WEEKDAY, c.len = 6;
                return c;
            }
            if (has(s, n, i, "Mon") && !lower_at(s, n, i + 3)) {
                c.std = STD_WEEKDAY, c.len = 3;
                return c;
            }
            if (has(s, n, i, "MST")) {
                c.std = STD_TZ, c.len = 3;
                return c;
            }
            break;
        case '0':
            if (i + 1 < n && s[i + 1] >= '1' && s[i + 1] <= '6') {
                static const enum std z[6] = {STD_ZERO_MONTH,  STD_ZERO_DAY,    STD_ZERO_HOUR12,
                                              STD_ZERO_MINUTE, STD_ZERO_SECOND, STD_YEAR};
                c.std = z[s[i + 1] - '1'], c.len = 2;
                return c;
            }
            if (has(s, n, i, "002")) {
                c.std = STD_ZERO_YDAY, c.len = 3;
                return c;
            }
            break;
        case '1':
            if (i + 1 < n && s[i + 1] == '5') {
                c.std = STD_HOUR, c.len = 2;
                return c;
            }
            c.std = STD_NUM_MONTH, c.len = 1;
            return c;
        case '2':
            if (has(s, n, i, "2006")) {
                c.std = STD_LONG_YEAR, c.len = 4;
                return c;
            }
            c.std = STD_DAY, c.len = 1;
            return c;
        case '_':
            if (i + 1 < n && s[i + 1] == '2') {
                if (has(s, n, i + 1, "2006")) {
                    c.prefix = i + 1, c.std = STD_LONG_YEAR, c.len = 4;
                    return c;
                }
                c.std = STD_UNDER_DAY, c.len = 2;
                return c;
            }
            if (has(s, n, i, "__2")) {
                c.std = STD_UNDER_YDAY, c.len = 3;
                return c;
            }
            break;
        case '3':
            c.std = STD_HOUR12, c.len = 1;
            return c;
        case '4':
            c.std = STD_MINUTE, c.len = 1;
            return c;
        case '5':
            c.std = STD_SECOND, c.len = 1;
            return c;
        case 'P':
            if (i + 1 < n && s[i + 1] == 'M') {
                c.std = STD_PM, c.len = 2;
                return c;
            }
            break;
        case 'p':
            if (i + 1 < n && s[i + 1] == 'm') {
                c.std = STD_pm, c.len = 2;
                return c;
            }
            break;
        case '-':
        case 'Z':
            for (size_t k = 0; k < sizeof tz / sizeof tz[0]; k++) {
                if (has(s, n, i, tz[k].w)) {
                    c.std = tz[k].std, c.len = strlen(tz[k].w);
                    return c;
                }
            }
            break;
        case '.':
        case ',':
            if (i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '9')) {
                char ch = s[i + 1];
                size_t j = i + 1;
                while (j < n && s[j] == ch) {
                    j++;
                }
                if (!(j < n && s[j] >= '0' && s[j] <= '9')) {
                    c.std = ch == '0' ? STD_FRAC0 : STD_FRAC9;
                    c.len = j - i;
                    c.ndigits = (int)(j - i - 1);
                    c.sep = s[i];
                    return c;
                }
            }
            break;
        default:
            break;
        }
    }
    c.prefix = n;
    return c;
}

static void put_int(struct ce_tv_ctx *c, struct ce_buf *out, int64_t v, int width, char pad)
{
    char tmp[32];
    int len;
    if (v < 0) {
        ce_tv_out(c, out, "-", 1);
        v = -v;
    }
    len = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    for (int i = len; i < width; i++) {
        ce_tv_out(c, out, &pad, 1);
    }
    ce_tv_out(c, out, tmp, (size_t)len);
}

static void put_str(struct ce_tv_ctx *c, struct ce_buf *out, const char *s, size_t n)
{
    ce_tv_out(c, out, s, n);
}

static void put_tz(struct ce_tv_ctx *c, struct ce_buf *out, enum std std, int32_t offset)
{
    bool iso = std >= STD_ISO_SEC_TZ && std <= STD_ISO_SHORT_TZ;
    if (iso && offset == 0) {
        put_str(c, out, "Z", 1);
        return;
    }
    int32_t zone = offset / 60, abs = offset;
    if (zone < 0) {
        put_str(c, out, "-", 1);
        zone = -zone;
        abs = -abs;
    }
    else {
        put_str(c, out, "+", 1);
    }
    put_int(c, out, zone / 60, 2, '0');
    bool colon = std == STD_ISO_COLON_TZ || std == STD_NUM_COLON_TZ ||
                 std == STD_ISO_COLON_SEC_TZ || std == STD_NUM_COLON_SEC_TZ;
    if (colon) {
        put_str(c, out, ":", 1);
    }
    if (std != STD_NUM_SHORT_TZ && std != STD_ISO_SHORT_TZ) {
        put_int(c, out, zone % 60, 2, '0');
    }
    if (std == STD_ISO_SEC_TZ || std == STD_NUM_SEC_TZ || std == STD_ISO_COLON_SEC_TZ ||
        std == STD_NUM_COLON_SEC_TZ) {
        if (colon) {
            put_str(c, out, ":", 1);
        }
        put_int(c, out, abs % 60, 2, '0');
    }
}

static void put_frac(struct ce_tv_ctx *c, struct ce_buf *out, const struct chunk *ch, int32_t ns)
{
    char digits[10];
    snprintf(digits, sizeof digits, "%09d", (int)ns);
    int nd = ch->ndigits > 9 ? 9 : ch->ndigits;
    if (ch->std == STD_FRAC9) {
        while (nd > 0 && digits[nd - 1] == '0') {
            nd--;
        }
        if (nd == 0) {
            return;
        }
    }
    put_str(c, out, &ch->sep, 1);
    put_str(c, out, digits, (size_t)nd);
}

void ce_tv_time_format(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv_time *t,
                       const char *layout, size_t n)
{
    int64_t local = t->sec + t->offset;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int64_t year;
    int mon, mday;
    ce_tz_civil_from_days(days, &year, &mon, &mday);
    int hour = (int)(secs / 3600), min = (int)(secs / 60 % 60), sec = (int)(secs % 60);
    int wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    int yday = (int)(days - ce_tz_days_from_civil(year, 1, 1)) + 1;
    while (n > 0) {
        struct chunk ch = next_chunk(layout, n);
        put_str(c, out, layout, ch.prefix);
        if (ch.std == STD_NONE) {
            break;
        }
        switch (ch.std) {
        case STD_YEAR:
            put_int(c, out, ((year % 100) + 100) % 100, 2, '0');
            break;
        case STD_LONG_YEAR:
            put_int(c, out, year, 4, '0');
            break;
        case STD_MONTH:
            put_str(c, out, long_months[mon - 1], 3);
            break;
        case STD_LONG_MONTH:
            put_str(c, out, long_months[mon - 1], strlen(long_months[mon - 1]));
            break;
        case STD_NUM_MONTH:
            put_int(c, out, mon, 0, '0');
            break;
        case STD_ZERO_MONTH:
            put_int(c, out, mon, 2, '0');
            break;
        case STD_WEEKDAY:
            put_str(c, out, long_days[wday], 3);
            break;
        case STD_LONG_WEEKDAY:
            put_str(c, out, long_days[wday], strlen(long_days[wday]));
            break;
        case STD_DAY:
            put_int(c, out, mday, 0, '0');
            break;
        case STD_UNDER_DAY:
            put_int(c, out, mday, 2, ' ');
            break;
        case STD_ZERO_DAY:
            put_int(c, out, mday, 2, '0');
            break;
        case STD_UNDER_YDAY:
            put_int(c, out, yday, 3, ' ');
            break;
        case STD_ZERO_YDAY:
            put_int(c, out, yday, 3, '0');
            break;
        case STD_HOUR:
            put_int(c, out, hour, 2, '0');
            break;
        case STD_HOUR12:
        case STD_ZERO_HOUR12: {
            int h = hour % 12;
            put_int(c, out, h == 0 ? 12 : h, ch.std == STD_HOUR12 ? 0 : 2, '0');
            break;
        }
        case STD_MINUTE:
            put_int(c, out, min, 0, '0');
            break;
        case STD_ZERO_MINUTE:
            put_int(c, out, min, 2, '0');
            break;
        case STD_SECOND:
            put_int(c, out, sec, 0, '0');
            break;
        case STD_ZERO_SECOND:
            put_int(c, out, sec, 2, '0');
            break;
        case STD_PM:
            put_str(c, out, hour >= 12 ? "PM" : "AM", 2);
            break;
        case STD_pm:
            put_str(c, out, hour >= 12 ? "pm" : "am", 2);
            break;
        case STD_TZ:
            if (t->zone && *t->zone) {
                put_str(c, out, t->zone, strlen(t->zone));
            }
            else {
                put_tz(c, out, STD_NUM_TZ, t->offset);
            }
            break;
        case STD_FRAC0:
        case STD_FRAC9:
            put_frac(c, out, &ch, t->nsec);
            break;
        default:
            put_tz(c, out, ch.std, t->offset);
            break;
        }
        layout += ch.prefix + ch.len;
        n -= ch.prefix + ch.len;
    }
}
