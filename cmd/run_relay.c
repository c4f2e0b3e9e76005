/* SPDX-License-Identifier: Apache-2.0 */
/* Passing a child's output on to cevents run's: see run_relay.h. */
#include "cmd/run_relay.h"
#include "core/base/mem.h"
#include "sensor/runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A child's log line is passed on whole up to this size. The children's logger keeps its lines
 * under 1 MiB (core/base/log.c), so only other output can reach it. */
#define RELAY_LINE_CAP (4 * 1024 * 1024)
#define RELAY_LINE_START (64 * 1024)

static pthread_mutex_t relay_out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Writes one child line with its name: a "component" key first in JSON lines, a "name | "
 * prefix in text. One write per line keeps lines whole. */
static void relay_emit_line(const char *label, const char *line, size_t len, bool json)
{
    char *out;
    if (json && len > 1 && line[0] == '{') {
        out = ce_xasprintf("{\"component\":\"%s\",%.*s\n", label, (int)(len - 1), line + 1);
    }
    else {
        out = ce_xasprintf("%s | %.*s\n", label, (int)len, line);
    }
    pthread_mutex_lock(&relay_out_lock);
    ssize_t ignored = write(STDOUT_FILENO, out, strlen(out));
    (void)ignored;
    pthread_mutex_unlock(&relay_out_lock);
    ce_free(out);
}

static bool relay_line_has(const char *line, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(line + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

/* A line longer than the cap is not passed on in pieces (each piece would be invalid JSON and
 * read as a line of its own): a marker line says how long it was. */
static void relay_emit_cut(const char *label, size_t len, bool json)
{
    char *msg = json ? ce_xasprintf("{\"level\":\"error\",\"msg\":\"a log line of %zu bytes was "
                                    "dropped: longer than %d bytes\",\"truncated\":true}",
                                    len, RELAY_LINE_CAP)
                     : ce_xasprintf("[a log line of %zu bytes was dropped: longer than %d bytes] "
                                    "(truncated)",
                                    len, RELAY_LINE_CAP);
    relay_emit_line(label, msg, strlen(msg), json);
    ce_free(msg);
}

/* One line whole, as the child wrote it. */
static void relay_take_line(struct ce_run_relay *a, const char *line, size_t len)
{
    if (relay_line_has(line, len, CE_SENSOR_SUBSCRIBED_MSG)) {
        atomic_store(a->subscribed, true);
    }
    relay_emit_line(a->label, line, len, a->json);
}

void *ce_run_relay_main(void *p)
{
    struct ce_run_relay *a = p;
    size_t cap = RELAY_LINE_START;
    char *buf = ce_xmalloc(cap);
    size_t used = 0;
    size_t dropping = 0; /* > 0: inside a line past the cap, this many bytes so far */
    for (;;) {
        if (used == cap && cap < RELAY_LINE_CAP) {
            cap = cap * 2 > RELAY_LINE_CAP ? RELAY_LINE_CAP : cap * 2;
            buf = ce_xrealloc(buf, cap);
        }
        ssize_t n = read(a->fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        used += (size_t)n;
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', used - (size_t)(start - buf))) != NULL) {
            if (dropping > 0) {
                relay_emit_cut(a->label, dropping + (size_t)(nl - start), a->json);
                dropping = 0;
            }
            else {
                relay_take_line(a, start, (size_t)(nl - start));
            }
            start = nl + 1;
        }
        used -= (size_t)(start - buf);
        memmove(buf, start, used);
        if (used == RELAY_LINE_CAP) {
            dropping += used;
            used = 0;
        }
    }
    if (dropping > 0) {
        relay_emit_cut(a->label, dropping + used, a->json);
    }
    else if (used) {
        relay_take_line(a, buf, used);
    }
    close(a->fd);
    ce_free(buf);
    ce_free(a);
    return NULL;
}
