/* SPDX-License-Identifier: Apache-2.0 */
/* The cron expression parser: robfig/cron v3's grammar and error texts, written from its
 * documented behaviour (including quirks users may rely on, such as "*-5" meaning "*", empty
 * list items being skipped, and a '*' step > 1 dropping the "star" mark). */
#include "core/time/cron_int.h"

#include "core/go/duration.h"
#include "core/base/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CRON_MAX_FIELDS 6

struct cron_bounds {
    unsigned min, max;
    const char *const *names; /* index = value, NULL when the field has no names */
    unsigned nnames;
};

static const char *const cron_month_names[] = {"",    "jan", "feb", "mar", "apr", "may", "jun",
                                               "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const cron_dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const struct cron_bounds cron_b_sec = {0, 59, NULL, 0};
static const struct cron_bounds cron_b_min = {0, 59, NULL, 0};
static const struct cron_bounds cron_b_hour = {0, 23, NULL, 0};
static const struct cron_bounds cron_b_dom = {1, 31, NULL, 0};
static const struct cron_bounds cron_b_mon = {1, 12, cron_month_names, 13};
static const struct cron_bounds cron_b_dow = {0, 6, cron_dow_names, 7};

struct cron_str {
    const char *p;
    size_t n;
};

/* Every parse failure is CE_EPARSE with robfig's message. */
#define cron_err(err, errlen, ...) ce_rc_fail(CE_EPARSE, err, errlen, __VA_ARGS__)

/* Byte length of the Unicode white space (Go's unicode.IsSpace) at p, or 0. */
static size_t cron_space_len(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    if (*u == ' ' || (*u >= '\t' && *u <= '\r')) {
        return 1;
    }
    if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0)) {
        return 2;
    }
    if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) {
        return 3; /* U+1680 */
    }
    if (u[0] == 0xe2 && u[1] == 0x80 &&
        ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf)) {
        return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    }
    if ((u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||
        (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)) {
        return 3; /* U+205F, U+3000 */
    }
    return 0;
}

/* Go's strconv.Atoi for a non-negative result: [+-]?[0-9]+ within int64, negatives refused. */
static int cron_atoi(struct cron_str s, uint64_t *out, char *err, size_t errlen)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    bool range = false;
    if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) {
        neg = s.p[i] == '-';
        i++;
    }
    if (i == s.n) {
        return cron_err(err, errlen,
                        "failed to parse int from %.*s: strconv.Atoi: parsing \"%.*s\": "
                        "invalid syntax",
                        (int)s.n, s.p, (int)s.n, s.p);
    }
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return cron_err(err, errlen,
                            "failed to parse int from %.*s: strconv.Atoi: parsing \"%.*s\": "
                            "invalid syntax",
                            (int)s.n, s.p, (int)s.n, s.p);
        }
        /* Like strconv, an overflow is reported at once, before later bad bytes. */
        if (v > (UINT64_C(1) << 63) / 10) {
            range = true;
            break;
        }
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > (neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX)) {
            range = true;
            break;
        }
    }
    if (range) {
        return cron_err(err, errlen,
                        "failed to parse int from %.*s: strconv.Atoi: parsing \"%.*s\": value "
                        "out of range",
                        (int)s.n, s.p, (int)s.n, s.p);
    }
    if (neg && v > 0) {
        return cron_err(err, errlen, "negative number (-%llu) not allowed: %.*s",
                        (unsigned long long)v, (int)s.n, s.p);
    }
    *out = v;
    return CE_OK;
}

static int cron_int_or_name(struct cron_str s, const struct cron_bounds *b, uint64_t *out,
                            char *err, size_t errlen)
{
    for (unsigned i = 0; i < b->nnames; i++) {
        const char *nm = b->names[i];
        if (nm[0] != '\0' && s.n == strlen(nm)) {
            size_t k = 0;
            while (k < s.n && (s.p[k] | 0x20) == nm[k]) {
                k++;
            }
            if (k == s.n) {
                *out = i;
                return CE_OK;
            }
        }
    }
    return cron_atoi(s, out, err, errlen);
}

static size_t cron_count(struct cron_str s, char ch)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        n += s.p[i] == ch;
    }
    return n;
}

/* The start..end part of one range: "*", "?", "a" or "a-b" (star set for the first two). */
static int cron_range_ends(struct cron_str r, const struct cron_bounds *b, uint64_t *start,
                           uint64_t *end, bool *star, struct cron_str whole, char *err,
                           size_t errlen)
{
    const char *dash = memchr(r.p, '-', r.n);
    struct cron_str lo = {r.p, dash != NULL ? (size_t)(dash - r.p) : r.n};
    if (lo.n == 1 && (lo.p[0] == '*' || lo.p[0] == '?')) {
        /* robfig ignores anything after "*-": "*-5" is "*". */
        *start = b->min;
        *end = b->max;
        *star = true;
        return CE_OK;
    }
    int rc = cron_int_or_name(lo, b, start, err, errlen);
    if (rc != CE_OK || dash == NULL) {
        *end = *start;
        return rc;
    }
    struct cron_str rest = {dash + 1, r.n - lo.n - 1};
    if (memchr(rest.p, '-', rest.n) != NULL) {
        return cron_err(err, errlen, "too many hyphens: %.*s", (int)whole.n, whole.p);
    }
    return cron_int_or_name(rest, b, end, err, errlen);
}

/* number | number "-" number [ "/" number ], or '*' / '?' in place of the numbers. */
static int cron_range(struct cron_str e, const struct cron_bounds *b, uint64_t *bits, char *err,
                      size_t errlen)
{
    const char *slash = memchr(e.p, '/', e.n);
    struct cron_str r = {e.p, slash != NULL ? (size_t)(slash - e.p) : e.n};
    uint64_t start = 0, end = 0, step = 1;
    bool star = false;
    bool single = memchr(r.p, '-', r.n) == NULL;
    int rc = cron_range_ends(r, b, &start, &end, &star, e, err, errlen);
    if (rc != CE_OK) {
        return rc;
    }
    if (slash != NULL) {
        struct cron_str st = {slash + 1, e.n - r.n - 1};
        if (cron_count(st, '/') > 0) {
            return cron_err(err, errlen, "too many slashes: %.*s", (int)e.n, e.p);
        }
        if ((rc = cron_atoi(st, &step, err, errlen)) != CE_OK) {
            return rc;
        }
        if (single) {
            end = b->max; /* "N/step" means "N-max/step" */
        }
        star = star && step <= 1;
    }
    if (start < b->min) {
        return cron_err(err, errlen, "beginning of range (%llu) below minimum (%u): %.*s",
                        (unsigned long long)start, b->min, (int)e.n, e.p);
    }
    if (end > b->max) {
        return cron_err(err, errlen, "end of range (%llu) above maximum (%u): %.*s",
                        (unsigned long long)end, b->max, (int)e.n, e.p);
    }
    if (start > end) {
        return cron_err(err, errlen, "beginning of range (%llu) beyond end of range (%llu): %.*s",
                        (unsigned long long)start, (unsigned long long)end, (int)e.n, e.p);
    }
    if (step == 0) {
        return cron_err(err, errlen, "step of range should be a positive number: %.*s", (int)e.n,
                        e.p);
    }
    for (uint64_t i = start; i <= end; i += step) {
        *bits |= UINT64_C(1) << i;
    }
    if (star) {
        *bits |= CE_CRON_STAR;
    }
    return CE_OK;
}

/* A comma-separated list of ranges; empty items are skipped (robfig splits with FieldsFunc). */
static int cron_field(struct cron_str f, const struct cron_bounds *b, uint64_t *bits, char *err,
                      size_t errlen)
{
    size_t i = 0;
    *bits = 0;
    while (i < f.n) {
        size_t j = i;
        while (j < f.n && f.p[j] != ',') {
            j++;
        }
        if (j > i) {
            struct cron_str e = {f.p + i, j - i};
            int rc = cron_range(e, b, bits, err, errlen);
            if (rc != CE_OK) {
                return rc;
            }
        }
        i = j + 1;
    }
    return CE_OK;
}

static bool cron_desc(struct ce_cron *c, const char *d)
{
    const uint64_t all_dom = UINT64_C(0xfffffffe) | CE_CRON_STAR;
    const uint64_t all_mon = UINT64_C(0x1ffe) | CE_CRON_STAR;
    const uint64_t all_dow = UINT64_C(0x7f) | CE_CRON_STAR;
    c->sec = 1;
    c->min = 1;
    c->hour = 1;
    c->dom = all_dom;
    c->mon = all_mon;
    c->dow = all_dow;
    if (strcmp(d, "@yearly") == 0 || strcmp(d, "@annually") == 0) {
        c->dom = 1u << 1;
        c->mon = 1u << 1;
    }
    else if (strcmp(d, "@monthly") == 0) {
        c->dom = 1u << 1;
    }
    else if (strcmp(d, "@weekly") == 0) {
        c->dow = 1;
    }
    else if (strcmp(d, "@hourly") == 0) {
        c->hour = UINT64_C(0xffffff) | CE_CRON_STAR;
    }
    else if (strcmp(d, "@daily") != 0 && strcmp(d, "@midnight") != 0) {
        return false;
    }
    c->kind = CE_CRON_SPEC;
    return true;
}

static int cron_descriptor(const char *d, struct ce_cron *c, char *err, size_t errlen)
{
    if (cron_desc(c, d)) {
        return CE_OK;
    }
    if (strncmp(d, "@every ", 7) == 0) {
        int64_t ns = 0;
        char derr[200];
        if (ce_duration_parse(d + 7, &ns, derr, sizeof derr) != CE_OK) {
            return cron_err(err, errlen, "failed to parse duration %s: %s", d, derr);
        }
        /* robfig's Every(): at least a second, fractions of a second dropped. */
        if (ns < CE_DURATION_NS_PER_SEC) {
            ns = CE_DURATION_NS_PER_SEC;
        }
        c->kind = CE_CRON_EVERY;
        c->every_s = ns / CE_DURATION_NS_PER_SEC;
        return CE_OK;
    }
    return cron_err(err, errlen, "unrecognized descriptor: %s", d);
}

/* Splits on white space; keeps the first CRON_MAX_FIELDS + 1 and counts all. */
static size_t cron_split(const char *s, struct cron_str *f, size_t max)
{
    size_t n = 0;
    while (*s != '\0') {
        size_t sp = cron_space_len(s);
        if (sp > 0) {
            s += sp;
            continue;
        }
        const char *b = s;
        while (*s != '\0' && cron_space_len(s) == 0) {
            s++;
        }
        if (n < max) {
            f[n].p = b;
            f[n].n = (size_t)(s - b);
        }
        n++;
    }
    return n;
}

/* robfig prints the fields as a Go slice: [a b c]. */
static void cron_fields_str(const struct cron_str *f, size_t n, size_t kept, char *out,
                            size_t outlen)
{
    size_t w = (size_t)snprintf(out, outlen, "[");
    for (size_t i = 0; i < n && i < kept && w < outlen; i++) {
        w += (size_t)snprintf(out + w, outlen - w, "%s%.*s", i > 0 ? " " : "", (int)f[i].n, f[i].p);
    }
    if (n > kept && w < outlen) {
        w += (size_t)snprintf(out + w, outlen - w, " ...");
    }
    if (w < outlen) {
        snprintf(out + w, outlen - w, "]");
    }
}

static int cron_fields(const char *s, unsigned flags, struct ce_cron *c, char *err, size_t errlen)
{
    struct cron_str f[CRON_MAX_FIELDS + 1];
    size_t n = cron_split(s, f, CRON_MAX_FIELDS + 1);
    size_t min = 5, max = 5;
    if (flags & CE_CRON_SECONDS) {
        min = max = 6;
    }
    else if (flags & CE_CRON_SECONDS_OPTIONAL) {
        max = 6;
    }
    if (n < min || n > max) {
        char list[256];
        cron_fields_str(f, n, CRON_MAX_FIELDS + 1, list, sizeof list);
        if (min == max) {
            return cron_err(err, errlen, "expected exactly %zu fields, found %zu: %s", min, n,
                            list);
        }
        return cron_err(err, errlen, "expected %zu to %zu fields, found %zu: %s", min, max, n,
                        list);
    }
    static const struct cron_bounds *const bounds[6] = {&cron_b_sec, &cron_b_min, &cron_b_hour,
                                                        &cron_b_dom, &cron_b_mon, &cron_b_dow};
    uint64_t *dst[6] = {&c->sec, &c->min, &c->hour, &c->dom, &c->mon, &c->dow};
    size_t first = 0;
    if (n == 5) {
        c->sec = 1; /* seconds default to 0 */
        first = 1;
    }
    for (size_t i = first; i < 6; i++) {
        int rc = cron_field(f[i - first], bounds[i], dst[i], err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
    }
    c->kind = CE_CRON_SPEC;
    for (size_t i = 0; i < 6; i++) {
        c->never = c->never || (*dst[i] & ~CE_CRON_STAR) == 0;
    }
    return CE_OK;
}

/* Copies s without leading and trailing white space (Go's strings.TrimSpace). */
static void cron_trim(const char *s, char *out, size_t outlen)
{
    size_t sp;
    while ((sp = cron_space_len(s)) > 0) {
        s += sp;
    }
    size_t n = 0, keep = 0;
    while (s[n] != '\0') {
        sp = cron_space_len(s + n);
        n += sp > 0 ? sp : 1;
        if (sp == 0) {
            keep = n;
        }
    }
    if (keep >= outlen) {
        keep = outlen - 1;
    }
    memcpy(out, s, keep);
    out[keep] = '\0';
}

/* "TZ=<zone> rest" / "CRON_TZ=<zone> rest": loads the zone into c->tz, rest goes to out. */
static int cron_tz_prefix(const char *spec, struct ce_cron *c, char *out, size_t outlen, char *err,
                          size_t errlen)
{
    const char *eq = strchr(spec, '=');
    const char *space = strchr(spec, ' ');
    if (space == NULL) {
        /* robfig panics here (slice bounds); cevents reports it. */
        return cron_err(err, errlen, "missing schedule after time zone prefix: %s", spec);
    }
    char name[256];
    size_t n = (size_t)(space - eq - 1);
    if (n >= sizeof name) {
        return cron_err(err, errlen, "provided bad location %.*s: time zone name too long", (int)n,
                        eq + 1);
    }
    memcpy(name, eq + 1, n);
    name[n] = '\0';
    char terr[300];
    int rc = ce_tz_load(name, &c->tz, terr, sizeof terr);
    if (rc != CE_OK) {
        cron_err(err, errlen, "provided bad location %s: %s", name, terr);
        return rc == CE_EIO ? CE_EPARSE : rc;
    }
    cron_trim(space, out, outlen);
    return CE_OK;
}

int ce_cron_parse_spec(const char *spec, unsigned flags, struct ce_cron *c, char *err,
                       size_t errlen)
{
    char rest[CE_CRON_MAX_SPEC + 1];
    if (spec[0] == '\0') {
        return cron_err(err, errlen, "empty spec string");
    }
    if (strncmp(spec, "TZ=", 3) == 0 || strncmp(spec, "CRON_TZ=", 8) == 0) {
        int rc = cron_tz_prefix(spec, c, rest, sizeof rest, err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
        spec = rest;
    }
    if (spec[0] == '@') {
        if (!(flags & CE_CRON_DESCRIPTORS)) {
            return cron_err(err, errlen, "parser does not accept descriptors: %s", spec);
        }
        return cron_descriptor(spec, c, err, errlen);
    }
    return cron_fields(spec, flags, c, err, errlen);
}
