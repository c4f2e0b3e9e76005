/* SPDX-License-Identifier: Apache-2.0 */
/* Go's time.ParseInLocation for sprig's toDate: layout elements (2006 01 02 15 04 05, month and
 * day names, PM, fractional seconds, numeric zones and zone abbreviations), Go's handling of
 * spaces, and the local zone when the value names none. */
#include "core/template/sprig_int.h"
#include "core/time/tz.h"

#include <stdio.h>
#include <strings.h>

static const char *const months[12] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};
static const char *const days[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

struct pv {
    const char *p;
    size_t n;
};

static bool digit_at(const struct pv *v, size_t i)
{
    return i < v->n && v->p[i] >= '0' && v->p[i] <= '9';
}

/* getnum: one or two digits (exactly two when fixed). */
static bool getnum(struct pv *v, bool fixed, int *out)
{
    if (!digit_at(v, 0)) {
        return false;
    }
    if (!digit_at(v, 1)) {
        if (fixed) {
            return false;
        }
        *out = v->p[0] - '0';
        v->p++, v->n--;
        return true;
    }
    *out = (v->p[0] - '0') * 10 + (v->p[1] - '0');
    v->p += 2, v->n -= 2;
    return true;
}

static bool getdigits(struct pv *v, size_t k, int *out)
{
    int x = 0;
    for (size_t i = 0; i < k; i++) {
        if (!digit_at(v, i)) {
            return false;
        }
        x = x * 10 + (v->p[i] - '0');
    }
    *out = x;
    v->p += k, v->n -= k;
    return true;
}

static bool lookup_name(struct pv *v, const char *const *names, size_t count, bool short_names,
                        int *idx)
{
    for (size_t i = 0; i < count; i++) {
        size_t len = short_names ? 3 : strlen(names[i]);
        if (v->n >= len && strncasecmp(v->p, names[i], len) == 0) {
            *idx = (int)i;
            v->p += len, v->n -= len;
            return true;
        }
    }
    return false;
}

static bool skip_prefix(struct pv *v, const char *pre, size_t n)
{
    while (n > 0) {
        if (*pre == ' ') {
            if (v->n > 0 && v->p[0] != ' ') {
                return false;
            }
            while (n > 0 && *pre == ' ') {
                pre++, n--;
            }
            while (v->n > 0 && v->p[0] == ' ') {
                v->p++, v->n--;
            }
            continue;
        }
        if (v->n == 0 || v->p[0] != *pre) {
            return false;
        }
        v->p++, v->n--;
        pre++, n--;
    }
    return true;
}

/* The layout element at the start of l (as in tvalue_fmt's chunker): returns its length and
 * a code: the element text itself identifies it. */
static size_t elem_len(const char *l, size_t n, size_t *prefix)
{
    static const char *const elems[] = {
        "January",   "Monday",  "Jan",     "Mon",    "MST",    "2006",  "Z07:00:00",
        "-07:00:00", "Z070000", "-070000", "Z07:00", "-07:00", "Z0700", "-0700",
        "Z07",       "-07",     "002",     "__2",    "_2",     "01",    "02",
        "03",        "04",      "05",      "06",     "15",     "PM",    "pm",
        "1",         "2",       "3",       "4",      "5"};
    for (size_t i = 0; i < n; i++) {
        if ((l[i] == '.' || l[i] == ',') && i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
            size_t j = i + 1;
            while (j < n && l[j] == l[i + 1]) {
                j++;
            }
            if (!(j < n && l[j] >= '0' && l[j] <= '9')) {
                *prefix = i;
                return j - i;
            }
        }
        for (size_t k = 0; k < sizeof elems / sizeof elems[0]; k++) {
            size_t el = strlen(elems[k]);
            if (n - i >= el && memcmp(l + i, elems[k], el) == 0) {
                if ((k == 2 || k == 3) && i + 3 < n && l[i + 3] >= 'a' && l[i + 3] <= 'z') {
                    continue; /* "Jan"/"Mon" followed by a lower-case letter are literal */
                }
                *prefix = i;
                return el;
            }
        }
    }
    *prefix = n;
    return 0;
}

int sprig_parse_time(struct ce_tv_ctx *c, const struct ce_tv *layout, const struct ce_tv *value,
                     struct ce_tv *out)
{
    const char *l = S(*layout);
    size_t ln = N(*layout);
    struct pv v = {S(*value), N(*value)};
    int year = 1, mon = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0;
    bool pm = false, am = false, have_zone = false, have_abbr = false;
    int32_t zoff = 0;
    char abbr[16] = "";
    while (ln > 0) {
        size_t pre;
        size_t el = elem_len(l, ln, &pre);
        if (!skip_prefix(&v, l, pre)) {
            return CE_EPARSE;
        }
        if (el == 0) {
            break;
        }
        const char *e = l + pre;
        int x, idx;
        bool ok = true;
        if (el >= 2 && (e[0] == '.' || e[0] == ',') && (e[1] == '0' || e[1] == '9')) {
            if (e[1] == '0') {
                ok = v.n >= el && v.p[0] == e[0] &&
                     getdigits(&(struct pv){v.p + 1, el - 1}, el - 1, &x);
                if (ok) {
                    for (size_t k = el - 1; k < 9; k++) {
                        x *= 10;
                    }
                    nsec = x;
                    v.p += el, v.n -= el;
                }
            }
            else if (v.n >= 2 && v.p[0] == e[0] && digit_at(&v, 1)) {
                size_t k = 1;
                int frac = 0, nd = 0;
                while (digit_at(&v, k)) {
                    if (nd < 9) {
                        frac = frac * 10 + (v.p[k] - '0');
                        nd++;
                    }
                    k++;
                }
                for (; nd < 9; nd++) {
                    frac *= 10;
                }
                nsec = frac;
                v.p += k, v.n -= k;
            }
        }
        else if (!strncmp(e, "January", el) && el == 7) {
            ok = lookup_name(&v, months, 12, false, &idx), mon = idx + 1;
        }
        else if (!strncmp(e, "Jan", el) && el == 3) {
            ok = lookup_name(&v, months, 12, true, &idx), mon = idx + 1;
        }
        else if (!strncmp(e, "Monday", el) && el == 6) {
            ok = lookup_name(&v, days, 7, false, &idx);
        }
        else if (!strncmp(e, "Mon", el) && el == 3) {
            ok = lookup_name(&v, days, 7, true, &idx);
        }
        else if (!strncmp(e, "MST", el) && el == 3) {
            size_t k = 0;
            while (k < v.n && k < 5 && v.p[k] >= 'A' && v.p[k] <= 'Z') {
                k++;
            }
            ok = k >= 3;
            if (ok) {
                memcpy(abbr, v.p, k);
                abbr[k] = '\0';
                have_abbr = true;
                v.p += k, v.n -= k;
            }
        }
        else if (el == 4 && !strncmp(e, "2006", 4)) {
            ok = getdigits(&v, 4, &year);
        }
        else if (el == 2 && !strncmp(e, "06", 2)) {
            ok = getdigits(&v, 2, &year);
            year += year >= 69 ? 1900 : 2000;
        }
        else if ((el == 2 && !strncmp(e, "01", 2)) || (el == 1 && e[0] == '1')) {
            ok = getnum(&v, el == 2, &mon) && mon >= 1 && mon <= 12;
        }
        else if ((el == 2 && !strncmp(e, "02", 2)) || (el == 1 && e[0] == '2') ||
                 (el == 2 && !strncmp(e, "_2", 2))) {
            if (e[0] == '_' && v.n > 1 && v.p[0] == ' ') {
                v.p++, v.n--;
            }
            ok = getnum(&v, el == 2 && e[0] == '0', &day);
        }
        else if (el == 2 && !strncmp(e, "15", 2)) {
            ok = getnum(&v, false, &hour) && hour < 24;
        }
        else if ((el == 2 && !strncmp(e, "03", 2)) || (el == 1 && e[0] == '3')) {
            ok = getnum(&v, el == 2, &hour) && hour <= 12;
        }
        else if ((el == 2 && !strncmp(e, "04", 2)) || (el == 1 && e[0] == '4')) {
            ok = getnum(&v, el == 2, &min) && min < 60;
        }
        else if ((el == 2 && !strncmp(e, "05", 2)) || (el == 1 && e[0] == '5')) {
            ok = getnum(&v, el == 2, &sec) && sec < 60;
            /* a fraction the layout does not mention is still accepted */
            size_t np;
            if (ok && v.n >= 2 && v.p[0] == '.' && digit_at(&v, 1) &&
                !(elem_len(l + pre + el, ln - pre - el, &np) && np == 0 &&
                  (l[pre + el] == '.' || l[pre + el] == ','))) {
                size_t k = 1;
                int frac = 0, nd = 0;
                while (digit_at(&v, k)) {
                    if (nd < 9) {
                        frac = frac * 10 + (v.p[k] - '0');
                        nd++;
                    }
                    k++;
                }
                for (; nd < 9; nd++) {
                    frac *= 10;
                }
                nsec = frac;
                v.p += k, v.n -= k;
            }
        }
        else if (el == 2 && (!strncmp(e, "PM", 2) || !strncmp(e, "pm", 2))) {
            ok = v.n >= 2;
            if (ok) {
                pm = strncasecmp(v.p, "PM", 2) == 0;
                am = strncasecmp(v.p, "AM", 2) == 0;
                ok = pm || am;
                v.p += 2, v.n -= 2;
            }
        }
        else if (e[0] == 'Z' || e[0] == '-') {
            if (e[0] == 'Z' && v.n >= 1 && v.p[0] == 'Z') {
                v.p++, v.n--;
                have_zone = true;
                zoff = 0;
            }
            else if (v.n >= 3 && (v.p[0] == '+' || v.p[0] == '-')) {
                int sign = v.p[0] == '-' ? -1 : 1, hh = 0, mm = 0, ss = 0;
                v.p++, v.n--;
                bool colon = memchr(e, ':', el) != NULL;
                size_t digits = 0;
                for (size_t k = 1; k < el; k++) {
                    digits += e[k] >= '0' && e[k] <= '9';
                }
                ok = getdigits(&v, 2, &hh);
                if (ok && digits >= 4) {
                    if (colon) {
                        ok = v.n > 0 && v.p[0] == ':';
                        v.p += ok, v.n -= ok;
                    }
                    ok = ok && getdigits(&v, 2, &mm);
                }
                if (ok && digits >= 6) {
                    if (colon) {
                        ok = v.n > 0 && v.p[0] == ':';
                        v.p += ok, v.n -= ok;
                    }
                    ok = ok && getdigits(&v, 2, &ss);
                }
                have_zone = true;
                zoff = sign * (hh * 3600 + mm * 60 + ss);
            }
            else {
                ok = false;
            }
        }
        else if (el == 3 && (!strncmp(e, "002", 3) || !strncmp(e, "__2", 3))) {
            ok = false; /* day of year: not supported */
        }
        else {
            ok = false;
        }
        if (!ok) {
            return CE_EPARSE;
        }
        l += pre + el;
        ln -= pre + el;
    }
    if (v.n != 0) {
        return CE_EPARSE; /* extra text */
    }
    if (pm && hour < 12) {
        hour += 12;
    }
    else if (am && hour == 12) {
        hour = 0;
    }
    if (day < 1 || day > ce_tz_days_in_month(year, mon)) {
        return CE_EPARSE;
    }
    int64_t local = ce_tz_days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
    if (have_zone) {
        int64_t t = local - zoff;
        struct ce_tz *tz = ce_tz_load_local();
        struct ce_tz_period p;
        ce_tz_lookup(tz, t, &p);
        ce_tz_destroy(tz);
        const char *name = p.offset == zoff ? ce_tv_strdup(c, p.abbr, strlen(p.abbr)) : "";
        if (zoff == 0 && p.offset != 0) {
            name = "UTC";
        }
        *out = ce_tv_time_new(c, t, nsec, zoff, name);
        return CE_OK;
    }
    struct ce_tz *tz = NULL;
    if (have_abbr && strcmp(abbr, "UTC") == 0) {
        (void)ce_tz_load("UTC", &tz, NULL, 0);
    }
    else {
        tz = ce_tz_load_local();
    }
    int64_t t = ce_tz_local_to_utc(tz, local);
    struct ce_tz_period p;
    ce_tz_lookup(tz, t, &p);
    ce_tz_destroy(tz);
    if (have_abbr && strcmp(abbr, p.abbr) != 0) {
        /* an unknown abbreviation: Go makes a zone of that name with offset 0 */
        *out = ce_tv_time_new(c, local, nsec, 0, ce_tv_strdup(c, abbr, strlen(abbr)));
        return CE_OK;
    }
    *out = ce_tv_time_new(c, t, nsec, p.offset, ce_tv_strdup(c, p.abbr, strlen(p.abbr)));
    return CE_OK;
}
