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

/* What the layout's elements have read from the value so far. */
struct tparse {
    int year, mon, day, hour, min, sec, nsec;
    bool pm, am, have_zone, have_abbr;
    int32_t zoff;
    char abbr[16];
};

/* A fraction of a second: v starts with its separator and a digit. Go keeps nine digits. */
static int take_fraction(struct pv *v)
{
    size_t k = 1;
    int frac = 0, nd = 0;
    while (digit_at(v, k)) {
        if (nd < 9) {
            frac = frac * 10 + (v->p[k] - '0');
            nd++;
        }
        k++;
    }
    for (; nd < 9; nd++) {
        frac *= 10;
    }
    v->p += k, v->n -= k;
    return frac;
}

/* ".000" wants exactly that many digits; ".999" takes any number of them, or none. */
static bool parse_fraction_elem(struct pv *v, const char *e, size_t el, struct tparse *t)
{
    if (e[1] == '0') {
        int x;
        if (!(v->n >= el && v->p[0] == e[0] &&
              getdigits(&(struct pv){v->p + 1, el - 1}, el - 1, &x))) {
            return false;
        }
        for (size_t k = el - 1; k < 9; k++) {
            x *= 10;
        }
        t->nsec = x;
        v->p += el, v->n -= el;
        return true;
    }
    if (v->n >= 2 && v->p[0] == e[0] && digit_at(v, 1)) {
        t->nsec = take_fraction(v);
    }
    return true;
}

/* "MST": three to five capitals, kept to be matched against the zone later. */
static bool parse_zone_abbr(struct pv *v, struct tparse *t)
{
    size_t k = 0;
    while (k < v->n && k < 5 && v->p[k] >= 'A' && v->p[k] <= 'Z') {
        k++;
    }
    if (k < 3) {
        return false;
    }
    memcpy(t->abbr, v->p, k);
    t->abbr[k] = '\0';
    t->have_abbr = true;
    v->p += k, v->n -= k;
    return true;
}

/* The ':' between an offset's fields, when the layout writes one (-07:00). */
static bool zone_colon(struct pv *v, bool colon)
{
    if (!colon) {
        return true;
    }
    if (v->n == 0 || v->p[0] != ':') {
        return false;
    }
    v->p++, v->n--;
    return true;
}

/* Z07:00, -0700, -07 and the like: a numeric offset, or "Z" where the layout starts with Z. */
static bool parse_zone_offset(struct pv *v, const char *e, size_t el, struct tparse *t)
{
    if (e[0] == 'Z' && v->n >= 1 && v->p[0] == 'Z') {
        v->p++, v->n--;
        t->have_zone = true;
        t->zoff = 0;
        return true;
    }
    if (!(v->n >= 3 && (v->p[0] == '+' || v->p[0] == '-'))) {
        return false;
    }
    int sign = v->p[0] == '-' ? -1 : 1, hh = 0, mm = 0, ss = 0;
    v->p++, v->n--;
    bool colon = memchr(e, ':', el) != NULL;
    size_t digits = 0;
    for (size_t k = 1; k < el; k++) {
        digits += e[k] >= '0' && e[k] <= '9';
    }
    bool ok = getdigits(v, 2, &hh);
    if (ok && digits >= 4) {
        ok = zone_colon(v, colon) && getdigits(v, 2, &mm);
    }
    if (ok && digits >= 6) {
        ok = zone_colon(v, colon) && getdigits(v, 2, &ss);
    }
    t->have_zone = true;
    t->zoff = sign * (hh * 3600 + mm * 60 + ss);
    return ok;
}

/* "05": the seconds, and a fraction after them that the layout does not mention (Go accepts
 * it) unless the layout's next element is that fraction. after is the rest of the layout. */
static bool parse_seconds(struct pv *v, size_t el, const char *after, size_t after_n,
                          struct tparse *t)
{
    bool ok = getnum(v, el == 2, &t->sec) && t->sec < 60;
    size_t np;
    if (ok && v->n >= 2 && v->p[0] == '.' && digit_at(v, 1) &&
        !(elem_len(after, after_n, &np) && np == 0 && (after[0] == '.' || after[0] == ','))) {
        t->nsec = take_fraction(v);
    }
    return ok;
}

static bool parse_ampm(struct pv *v, struct tparse *t)
{
    if (v->n < 2) {
        return false;
    }
    t->pm = strncasecmp(v->p, "PM", 2) == 0;
    t->am = strncasecmp(v->p, "AM", 2) == 0;
    v->p += 2, v->n -= 2;
    return t->pm || t->am;
}

static bool is_elem(const char *e, size_t el, const char *name)
{
    return el == strlen(name) && strncmp(e, name, el) == 0;
}

/* Reads from v what the layout element e (el bytes) stands for; after is the rest of the
 * layout. False when the value does not match. */
static bool parse_elem(struct pv *v, const char *e, size_t el, const char *after, size_t after_n,
                       struct tparse *t)
{
    int idx;
    if (el >= 2 && (e[0] == '.' || e[0] == ',') && (e[1] == '0' || e[1] == '9')) {
        return parse_fraction_elem(v, e, el, t);
    }
    if (is_elem(e, el, "January") || is_elem(e, el, "Jan")) {
        if (!lookup_name(v, months, 12, el == 3, &idx)) {
            return false;
        }
        t->mon = idx + 1;
        return true;
    }
    if (is_elem(e, el, "Monday") || is_elem(e, el, "Mon")) {
        return lookup_name(v, days, 7, el == 3, &idx);
    }
    if (is_elem(e, el, "MST")) {
        return parse_zone_abbr(v, t);
    }
    if (is_elem(e, el, "2006")) {
        return getdigits(v, 4, &t->year);
    }
    if (is_elem(e, el, "06")) {
        bool ok = getdigits(v, 2, &t->year);
        t->year += t->year >= 69 ? 1900 : 2000;
        return ok;
    }
    if (is_elem(e, el, "01") || is_elem(e, el, "1")) {
        return getnum(v, el == 2, &t->mon) && t->mon >= 1 && t->mon <= 12;
    }
    if (is_elem(e, el, "02") || is_elem(e, el, "2") || is_elem(e, el, "_2")) {
        if (e[0] == '_' && v->n > 1 && v->p[0] == ' ') {
            v->p++, v->n--;
        }
        return getnum(v, el == 2 && e[0] == '0', &t->day);
    }
    if (is_elem(e, el, "15")) {
        return getnum(v, false, &t->hour) && t->hour < 24;
    }
    if (is_elem(e, el, "03") || is_elem(e, el, "3")) {
        return getnum(v, el == 2, &t->hour) && t->hour <= 12;
    }
    if (is_elem(e, el, "04") || is_elem(e, el, "4")) {
        return getnum(v, el == 2, &t->min) && t->min < 60;
    }
    if (is_elem(e, el, "05") || is_elem(e, el, "5")) {
        return parse_seconds(v, el, after, after_n, t);
    }
    if (is_elem(e, el, "PM") || is_elem(e, el, "pm")) {
        return parse_ampm(v, t);
    }
    if (e[0] == 'Z' || e[0] == '-') {
        return parse_zone_offset(v, e, el, t);
    }
    return false; /* "002" and "__2", the day of the year, are not supported */
}

/* A value with a numeric zone: that offset, named after the local zone when it has the same
 * offset then (as Go does), "UTC" for Z. */
static int time_with_offset(struct ce_tv_ctx *c, int64_t local, const struct tparse *t,
                            struct ce_tv *out)
{
    int64_t utc = local - t->zoff;
    struct ce_tz *tz = ce_tz_load_local();
    struct ce_tz_period p;
    ce_tz_lookup(tz, utc, &p);
    ce_tz_destroy(tz);
    const char *name = p.offset == t->zoff ? ce_tv_strdup(c, p.abbr, strlen(p.abbr)) : "";
    if (t->zoff == 0 && p.offset != 0) {
        name = "UTC";
    }
    *out = ce_tv_time_new(c, utc, t->nsec, t->zoff, name);
    return CE_OK;
}

/* A value without a numeric zone: local time (UTC when it says "UTC"). */
static int time_in_local_zone(struct ce_tv_ctx *c, int64_t local, const struct tparse *t,
                              struct ce_tv *out)
{
    struct ce_tz *tz = NULL;
    if (t->have_abbr && strcmp(t->abbr, "UTC") == 0) {
        (void)ce_tz_load("UTC", &tz, NULL, 0);
    }
    else {
        tz = ce_tz_load_local();
    }
    int64_t utc = ce_tz_local_to_utc(tz, local);
    struct ce_tz_period p;
    ce_tz_lookup(tz, utc, &p);
    ce_tz_destroy(tz);
    if (t->have_abbr && strcmp(t->abbr, p.abbr) != 0) {
        /* an unknown abbreviation: Go makes a zone of that name with offset 0 */
        *out = ce_tv_time_new(c, local, t->nsec, 0, ce_tv_strdup(c, t->abbr, strlen(t->abbr)));
        return CE_OK;
    }
    *out = ce_tv_time_new(c, utc, t->nsec, p.offset, ce_tv_strdup(c, p.abbr, strlen(p.abbr)));
    return CE_OK;
}

int sprig_parse_time(struct ce_tv_ctx *c, const struct ce_tv *layout, const struct ce_tv *value,
                     struct ce_tv *out)
{
    const char *l = S(*layout);
    size_t ln = N(*layout);
    struct pv v = {S(*value), N(*value)};
    struct tparse t = {.year = 1, .mon = 1, .day = 1};
    while (ln > 0) {
        size_t pre;
        size_t el = elem_len(l, ln, &pre);
        if (!skip_prefix(&v, l, pre)) {
            return CE_EPARSE;
        }
        if (el == 0) {
            break;
        }
        if (!parse_elem(&v, l + pre, el, l + pre + el, ln - pre - el, &t)) {
            return CE_EPARSE;
        }
        l += pre + el;
        ln -= pre + el;
    }
    if (v.n != 0) {
        return CE_EPARSE; /* extra text */
    }
    if (t.pm && t.hour < 12) {
        t.hour += 12;
    }
    else if (t.am && t.hour == 12) {
        t.hour = 0;
    }
    if (t.day < 1 || t.day > ce_tz_days_in_month(t.year, t.mon)) {
        return CE_EPARSE;
    }
    int64_t local =
        ce_tz_days_from_civil(t.year, t.mon, t.day) * 86400 + t.hour * 3600 + t.min * 60 + t.sec;
    if (t.have_zone) {
        return time_with_offset(c, local, &t, out);
    }
    return time_in_local_zone(c, local, &t, out);
}
