/* SPDX-License-Identifier: Apache-2.0 */
/* Time helpers: see clock.h. */
#include "core/base/clock.h"

#define CLOCK_NS_PER_MS 1000000L
#define CLOCK_NS_PER_S 1000000000L

int64_t ce_clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / CLOCK_NS_PER_MS;
}

int64_t ce_clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / CLOCK_NS_PER_MS;
}

double ce_clock_ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

void ce_clock_deadline(int64_t timeout_ms, struct timespec *out)
{
    clock_gettime(CLOCK_MONOTONIC, out);
    if (timeout_ms < 0) {
        timeout_ms = 0;
    }
    out->tv_sec += (time_t)(timeout_ms / 1000);
    out->tv_nsec += (long)(timeout_ms % 1000) * CLOCK_NS_PER_MS;
    if (out->tv_nsec >= CLOCK_NS_PER_S) {
        out->tv_sec++;
        out->tv_nsec -= CLOCK_NS_PER_S;
    }
}

void ce_clock_sleep_ms(int64_t ms)
{
    if (ms <= 0) {
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * CLOCK_NS_PER_MS};
    nanosleep(&ts, NULL);
}

bool ce_clock_parse_hms(const char *s, int *secs)
{
    int h = 0, i = 0;
    for (; s != NULL && i < 2 && s[i] >= '0' && s[i] <= '9'; i++) {
        h = h * 10 + (s[i] - '0');
    }
    if (i == 0) {
        return false;
    }
    const char *p = s + i;
    if (p[0] != ':' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' || p[3] != ':' ||
        p[4] < '0' || p[4] > '9' || p[5] < '0' || p[5] > '9' || p[6] != '\0') {
        return false;
    }
    int m = (p[1] - '0') * 10 + (p[2] - '0');
    int sec = (p[4] - '0') * 10 + (p[5] - '0');
    if (h > 23 || m > 59 || sec > 59) {
        return false;
    }
    *secs = h * 3600 + m * 60 + sec;
    return true;
}

static int clock_digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9') {
            return -1;
        }
        v = v * 10 + (**p - '0');
    }
    return v;
}

/* Reads n digits then, when sep is not 0, that separator; -1 on anything else. Never moves
 * past the end of the string. */
static int clock_field(const char **p, int n, char sep)
{
    int v = clock_digits(p, n);
    if (v < 0 || (sep != 0 && **p != sep)) {
        return -1;
    }
    if (sep != 0) {
        (*p)++;
    }
    return v;
}

/* The fraction and zone after the seconds: *frac_ns and *offset_s. */
static bool clock_time_tail(const char *p, int64_t *frac_ns, int *offset_s)
{
    int scale = 9;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (scale > 0) {
                *frac_ns = *frac_ns * 10 + (*p - '0');
                scale--;
            }
            p++;
        }
        while (scale-- > 0) {
            *frac_ns *= 10;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        return p[1] == '\0';
    }
    if (*p != '+' && *p != '-') {
        return false;
    }
    int sign = *p++ == '-' ? -1 : 1;
    int oh = clock_field(&p, 2, ':');
    int om = oh < 0 ? -1 : clock_field(&p, 2, 0);
    if (om < 0 || *p != '\0') {
        return false;
    }
    *offset_s = sign * (oh * 3600 + om * 60);
    return true;
}

int64_t ce_clock_parse_rfc3339_ns(const char *s)
{
    const char *p = s;
    int y = clock_field(&p, 4, '-');
    int mo = y < 0 ? -1 : clock_field(&p, 2, '-');
    int d = mo < 0 ? -1 : clock_digits(&p, 2);
    if (d < 0 || (*p != 'T' && *p != 't' && *p != ' ')) {
        return -1;
    }
    p++;
    int h = clock_field(&p, 2, ':');
    int mi = h < 0 ? -1 : clock_field(&p, 2, ':');
    int se = mi < 0 ? -1 : clock_digits(&p, 2);
    if (se < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        return -1;
    }
    int64_t frac = 0;
    int offset_s = 0;
    if (!clock_time_tail(p, &frac, &offset_s)) {
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t secs = (int64_t)timegm(&tm) - offset_s;
    return secs * 1000000000LL + frac;
}
