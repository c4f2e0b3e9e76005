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
