/* SPDX-License-Identifier: Apache-2.0 */
/* Time zones from TZif files, read into immutable objects so that any thread may convert times
 * without setenv("TZ")/tzset() races. Lookup and local-to-UTC conversion reproduce Go's time
 * package, because Argo's cron schedules are computed with it. */
#include "core/time/tz.h"

#include "core/base/file.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/time/tz_posix_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_MAX_FILE (1024 * 1024) /* real TZif files are a few KiB */
#define TZ_DAY 86400

struct tz_type {
    int32_t offset;
    bool is_dst;
    uint8_t abbr; /* index into abbrs */
};

struct ce_tz {
    char *name;
    int64_t *tx_when; /* sorted transition instants */
    uint8_t *tx_type; /* type in force from tx_when[i] */
    size_t ntx;
    struct tz_type *types;
    size_t ntypes;
    char *abbrs;
    size_t nabbrs;
    size_t first_type; /* type before the first transition (Go's lookupFirstZone) */
    bool has_posix;
    struct ce_tz_posix posix;
};

static const char *const tz_dirs[] = {"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo",
                                      "/usr/lib/locale/TZ", "/etc/zoneinfo"};

bool ce_tz_is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int ce_tz_days_in_month(int64_t year, int mon)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon == 2 && ce_tz_is_leap(year)) {
        return 29;
    }
    return dim[(mon - 1) % 12];
}

/* Era-based conversion (400-year cycles of 146097 days), valid for any proleptic year. */
int64_t ce_tz_days_from_civil(int64_t year, int mon, int mday)
{
    int64_t y = year - (mon <= 2 ? 1 : 0);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = mon > 2 ? mon - 3 : mon + 9;
    int64_t doy = (153 * mp + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ce_tz_civil_from_days(int64_t days, int64_t *year, int *mon, int *mday)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mon = m;
    *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

static int64_t tz_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

#define tz_fail(err, errlen, ...) (void)ce_rc_fail(CE_EPARSE, err, errlen, __VA_ARGS__)

static struct ce_tz *tz_new_utc(const char *name)
{
    struct ce_tz *tz = ce_xcalloc(1, sizeof *tz);
    tz->name = ce_xstrdup(name);
    tz->types = ce_xcalloc(1, sizeof *tz->types);
    tz->ntypes = 1;
    tz->abbrs = ce_xstrdup("UTC");
    tz->nabbrs = 4;
    return tz;
}

void ce_tz_destroy(struct ce_tz *tz)
{
    if (tz == NULL) {
        return;
    }
    ce_free(tz->name);
    ce_free(tz->tx_when);
    ce_free(tz->tx_type);
    ce_free(tz->types);
    ce_free(tz->abbrs);
    ce_free(tz);
}

struct ce_tz *ce_tz_clone(const struct ce_tz *tz)
{
    struct ce_tz *c = ce_xcalloc(1, sizeof *c);
    *c = *tz;
    c->name = ce_xstrdup(tz->name);
    c->tx_when = ce_xmalloc(tz->ntx * sizeof *c->tx_when + 1);
    c->tx_type = ce_xmalloc(tz->ntx + 1);
    if (tz->ntx > 0) {
        memcpy(c->tx_when, tz->tx_when, tz->ntx * sizeof *c->tx_when);
        memcpy(c->tx_type, tz->tx_type, tz->ntx);
    }
    c->types = ce_xmalloc(tz->ntypes * sizeof *c->types);
    memcpy(c->types, tz->types, tz->ntypes * sizeof *c->types);
    c->abbrs = ce_xmalloc(tz->nabbrs + 1);
    memcpy(c->abbrs, tz->abbrs, tz->nabbrs);
    c->abbrs[tz->nabbrs] = '\0';
    return c;
}

const char *ce_tz_name(const struct ce_tz *tz)
{
    return tz->name;
}

/* ---- TZif ---------------------------------------------------------------------------------- */

struct tzif_hdr {
    int version;
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t tz_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t tz_be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)tz_be32(p) << 32 | tz_be32(p + 4));
}

static bool tzif_header(const uint8_t *p, size_t len, struct tzif_hdr *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) {
        return false;
    }
    if (p[4] == 0) {
        h->version = 1;
    }
    else if (p[4] >= '2' && p[4] <= '4') {
        h->version = p[4] - '0';
    }
    else {
        return false;
    }
    h->isutcnt = tz_be32(p + 20);
    h->isstdcnt = tz_be32(p + 24);
    h->leapcnt = tz_be32(p + 28);
    h->timecnt = tz_be32(p + 32);
    h->typecnt = tz_be32(p + 36);
    h->charcnt = tz_be32(p + 40);
    return true;
}

/* Size of the data block after a header, for 4- or 8-byte times (64-bit maths: no overflow). */
static uint64_t tzif_block_size(const struct tzif_hdr *h, uint64_t tsize)
{
    return (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Go's lookupFirstZone: the type in force before the first transition. */
static size_t tz_first_type(const struct ce_tz *tz)
{
    bool used = false;
    for (size_t i = 0; i < tz->ntx && !used; i++) {
        used = tz->tx_type[i] == 0;
    }
    if (!used) {
        return 0;
    }
    if (tz->ntx > 0 && tz->types[tz->tx_type[0]].is_dst) {
        for (size_t zi = tz->tx_type[0]; zi-- > 0;) {
            if (!tz->types[zi].is_dst) {
                return zi;
            }
        }
    }
    for (size_t zi = 0; zi < tz->ntypes; zi++) {
        if (!tz->types[zi].is_dst) {
            return zi;
        }
    }
    return 0;
}

static bool tzif_read_block(struct ce_tz *tz, const uint8_t *p, const struct tzif_hdr *h,
                            size_t tsize)
{
    tz->ntx = h->timecnt;
    /* Go adds one transition at the start of time when there are none ("Etc/GMT+5"), so that
     * the footer rule applies everywhere. */
    size_t cap = tz->ntx > 0 ? tz->ntx : 1;
    tz->tx_when = ce_xmalloc(cap * sizeof *tz->tx_when);
    tz->tx_type = ce_xcalloc(cap, 1);
    for (size_t i = 0; i < tz->ntx; i++) {
        tz->tx_when[i] = tsize == 8 ? tz_be64(p + i * 8) : (int32_t)tz_be32(p + i * 4);
    }
    p += tz->ntx * tsize;
    memcpy(tz->tx_type, p, tz->ntx);
    p += tz->ntx;
    tz->ntypes = h->typecnt;
    tz->types = ce_xcalloc(tz->ntypes, sizeof *tz->types);
    for (size_t i = 0; i < tz->ntypes; i++, p += 6) {
        tz->types[i].offset = (int32_t)tz_be32(p);
        tz->types[i].is_dst = p[4] != 0;
        tz->types[i].abbr = p[5];
        if (p[5] >= h->charcnt) {
            return false;
        }
    }
    tz->nabbrs = h->charcnt;
    tz->abbrs = ce_xmalloc(tz->nabbrs + 1);
    memcpy(tz->abbrs, p, tz->nabbrs);
    tz->abbrs[tz->nabbrs] = '\0';
    for (size_t i = 0; i < tz->ntx; i++) {
        if (tz->tx_type[i] >= tz->ntypes) {
            return false;
        }
    }
    if (tz->ntx == 0) {
        tz->tx_when[0] = INT64_MIN;
        tz->ntx = 1;
    }
    return true;
}

static void tzif_footer(struct ce_tz *tz, const uint8_t *p, size_t len)
{
    if (len > 2 && p[0] == '\n') {
        const uint8_t *nl = memchr(p + 1, '\n', len - 1);
        if (nl != NULL && nl > p + 1) {
            tz->has_posix =
                ce_tz_posix_parse((const char *)p + 1, (size_t)(nl - p - 1), &tz->posix);
        }
    }
}

int ce_tz_from_tzif(const char *name, const uint8_t *data, size_t len, struct ce_tz **out,
                    char *err, size_t errlen)
{
    struct tzif_hdr h;
    size_t tsize = 4;
    *out = NULL;
    if (!tzif_header(data, len, &h)) {
        goto bad;
    }
    if (h.version > 1) {
        uint64_t skip = 44 + tzif_block_size(&h, 4);
        if (skip > len || !tzif_header(data + skip, len - skip, &h)) {
            goto bad;
        }
        data += skip;
        len -= (size_t)skip;
        tsize = 8;
    }
    uint64_t block = tzif_block_size(&h, tsize);
    if (h.typecnt == 0 || h.typecnt > 256 || block > len - 44) {
        goto bad;
    }
    struct ce_tz *tz = ce_xcalloc(1, sizeof *tz);
    tz->name = ce_xstrdup(name != NULL ? name : "");
    if (!tzif_read_block(tz, data + 44, &h, tsize)) {
        ce_tz_destroy(tz);
        goto bad;
    }
    if (h.version > 1) {
        tzif_footer(tz, data + 44 + block, len - 44 - (size_t)block);
    }
    tz->first_type = tz_first_type(tz);
    *out = tz;
    return CE_OK;
bad:
    tz_fail(err, errlen, "malformed time zone information for %s", name != NULL ? name : "");
    return CE_EPARSE;
}

/* ---- lookup -------------------------------------------------------------------------------- */

static void tz_fill_type(const struct ce_tz *tz, size_t ti, int64_t start, int64_t end,
                         struct ce_tz_period *out)
{
    const struct tz_type *t = &tz->types[ti];
    memset(out, 0, sizeof *out);
    out->offset = t->offset;
    out->is_dst = t->is_dst;
    out->start = start;
    out->end = end;
    snprintf(out->abbr, sizeof out->abbr, "%s", tz->abbrs + t->abbr);
}

void ce_tz_lookup(const struct ce_tz *tz, int64_t t, struct ce_tz_period *out)
{
    if (tz->ntx == 0 || t < tz->tx_when[0]) {
        tz_fill_type(tz, tz->first_type, INT64_MIN, tz->ntx > 0 ? tz->tx_when[0] : INT64_MAX, out);
        return;
    }
    size_t lo = 0, hi = tz->ntx;
    int64_t end = INT64_MAX;
    while (hi - lo > 1) {
        size_t m = lo + (hi - lo) / 2;
        if (t < tz->tx_when[m]) {
            end = tz->tx_when[m];
            hi = m;
        }
        else {
            lo = m;
        }
    }
    if (lo == tz->ntx - 1 && tz->has_posix) {
        ce_tz_posix_lookup(&tz->posix, tz->tx_when[lo], t, out);
        return;
    }
    tz_fill_type(tz, tz->tx_type[lo], tz->tx_when[lo], end, out);
}

int32_t ce_tz_offset_at(const struct ce_tz *tz, int64_t t)
{
    struct ce_tz_period p;
    ce_tz_lookup(tz, t, &p);
    return p.offset;
}

int64_t ce_tz_local_to_utc(const struct ce_tz *tz, int64_t local)
{
    struct ce_tz_period p;
    ce_tz_lookup(tz, local, &p);
    if (p.offset == 0) {
        return local;
    }
    int64_t utc = local - p.offset;
    int32_t off = p.offset;
    if (utc < p.start || utc >= p.end) {
        off = ce_tz_offset_at(tz, utc);
    }
    return local - off;
}

int64_t ce_tz_local_first(const struct ce_tz *tz, int64_t local)
{
    /* The reading can only come from the period around local or its two neighbours. */
    struct ce_tz_period p, q;
    ce_tz_lookup(tz, local - ce_tz_offset_at(tz, local), &p);
    int32_t offs[3];
    int n = 0;
    if (p.start != INT64_MIN) {
        ce_tz_lookup(tz, p.start - 1, &q);
        offs[n++] = q.offset;
    }
    offs[n++] = p.offset;
    if (p.end != INT64_MAX) {
        ce_tz_lookup(tz, p.end, &q);
        offs[n++] = q.offset;
    }
    int64_t best = INT64_MAX;
    int32_t min_off = INT32_MAX;
    for (int i = 0; i < n; i++) {
        int64_t t = local - offs[i];
        if (ce_tz_offset_at(tz, t) == offs[i] && t < best) {
            best = t;
        }
        min_off = offs[i] < min_off ? offs[i] : min_off;
    }
    if (best != INT64_MAX) {
        return best;
    }
    /* A gap: read with the offset before it, local falls in the period after it. */
    ce_tz_lookup(tz, local - min_off, &q);
    return q.start;
}

int64_t ce_tz_from_fields(const struct ce_tz *tz, int64_t year, int64_t mon, int64_t mday,
                          int64_t hour, int64_t min, int64_t sec)
{
    int64_t m0 = mon - 1;
    year += tz_floor_div(m0, 12);
    m0 -= tz_floor_div(m0, 12) * 12;
    int64_t days = ce_tz_days_from_civil(year, (int)m0 + 1, 1) + mday - 1;
    int64_t local = days * TZ_DAY + hour * 3600 + min * 60 + sec;
    return ce_tz_local_to_utc(tz, local);
}

void ce_tz_to_tm(const struct ce_tz *tz, int64_t t, struct ce_tz_tm *tm)
{
    int32_t off = ce_tz_offset_at(tz, t);
    int64_t local = t + off;
    int64_t days = tz_floor_div(local, TZ_DAY);
    int64_t secs = local - days * TZ_DAY;
    ce_tz_civil_from_days(days, &tm->year, &tm->mon, &tm->mday);
    tm->hour = (int)(secs / 3600);
    tm->min = (int)(secs / 60 % 60);
    tm->sec = (int)(secs % 60);
    tm->wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    tm->yday = (int)(days - ce_tz_days_from_civil(tm->year, 1, 1));
    tm->offset = off;
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Tries path; ENOENT means "look further". */
static int tz_load_path(const char *name, const char *path, struct ce_tz **out, char *err,
                        size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    int e = 0;
    int rc = ce_file_read(path, TZ_MAX_FILE, &data, &len, &e);
    if (rc == CE_ENOENT) {
        return CE_ENOENT;
    }
    if (rc != CE_OK) {
        if (err != NULL && errlen > 0) {
            snprintf(err, errlen, "time zone %s: %s", name, strerror(e));
        }
        return CE_EIO;
    }
    rc = ce_tz_from_tzif(name, (const uint8_t *)data, len, out, err, errlen);
    ce_free(data);
    return rc;
}

static int tz_load_from_dirs(const char *name, const char *const *dirs, size_t ndirs,
                             struct ce_tz **out, char *err, size_t errlen)
{
    int first = CE_ENOENT;
    for (size_t i = 0; i < ndirs; i++) {
        char path[1024];
        if (dirs[i] == NULL || dirs[i][0] == '\0') {
            continue;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dirs[i], name) >= sizeof path) {
            continue;
        }
        int rc = tz_load_path(name, path, out, first == CE_ENOENT ? err : NULL, errlen);
        if (rc == CE_OK) {
            return CE_OK;
        }
        if (first == CE_ENOENT) {
            first = rc;
        }
    }
    if (first == CE_ENOENT) {
        tz_fail(err, errlen, "unknown time zone %s", name);
    }
    return first;
}

int ce_tz_load(const char *name, struct ce_tz **out, char *err, size_t errlen)
{
    *out = NULL;
    if (name == NULL || name[0] == '\0' || strcmp(name, "UTC") == 0) {
        *out = tz_new_utc("UTC");
        return CE_OK;
    }
    if (strcmp(name, "Local") == 0) {
        *out = ce_tz_load_local();
        return CE_OK;
    }
    if (strstr(name, "..") != NULL || name[0] == '/' || name[0] == '\\' || strlen(name) > 255) {
        tz_fail(err, errlen, "time: invalid location name %s", name);
        return CE_EINVAL;
    }
    const char *dirs[5] = {getenv("ZONEINFO"), tz_dirs[0], tz_dirs[1], tz_dirs[2], tz_dirs[3]};
    return tz_load_from_dirs(name, dirs, 5, out, err, errlen);
}

struct ce_tz *ce_tz_load_local(void)
{
    struct ce_tz *tz = NULL;
    const char *env = getenv("TZ");
    if (env == NULL) {
        if (tz_load_path("Local", "/etc/localtime", &tz, NULL, 0) == CE_OK) {
            return tz;
        }
        return tz_new_utc("UTC");
    }
    if (env[0] == ':') {
        env++;
    }
    if (env[0] == '/') {
        if (tz_load_path(env, env, &tz, NULL, 0) == CE_OK) {
            if (strcmp(env, "/etc/localtime") == 0) {
                CE_FREE(tz->name);
                tz->name = ce_xstrdup("Local");
            }
            return tz;
        }
    }
    else if (env[0] != '\0' && strcmp(env, "UTC") != 0 && strlen(env) <= 255) {
        if (tz_load_from_dirs(env, tz_dirs, 4, &tz, NULL, 0) == CE_OK) {
            return tz;
        }
    }
    return tz_new_utc("UTC");
}
