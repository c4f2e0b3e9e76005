/* SPDX-License-Identifier: Apache-2.0 */
/* The process-wide logger. JSON lines have the shape Argo Events' zap production logger prints
 * (level, ts, logger, msg, then fields) so existing log pipelines keep working; text lines are
 * for people at a terminal. Each line is built in memory, capped at 1 MiB (values are cut with
 * a marker, the line is never dropped) and written with one write(2). */
#include "core/base/log.h"
#include "core/base/buf.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX (1024u * 1024u)
#define LOG_MAX_BASE 32
#define LOG_MAX_KV 64
#define LOG_TRUNC_MARK "\xe2\x80\xa6(truncated)"
/* Worst-case growth of one input byte when escaped (\u00XX, \ufffd). */
#define LOG_ESC_FACTOR 6
#define LOG_SUPPRESS_AFTER 10
#define LOG_SUPPRESS_SLOTS 64
#define LOG_NS_PER_SEC 1000000000LL

struct log_state {
    char *name;
    enum ce_log_format fmt;
    enum ce_log_level min;
    int fd;
    struct ce_log_field base[LOG_MAX_BASE]; /* key and value owned */
    int nbase;
};

/* One (level, msg) seen at WARN/ERROR: how often in the current one-second window. */
struct log_repeat {
    uint64_t hash;
    int level;
    int64_t window_start; /* monotonic ns; 0 = free slot */
    int count;
    int suppressed;
    char msg[128]; /* prefix, for the summary when the slot is evicted */
};

static struct log_state log_g = {NULL, CE_LOG_JSON, CE_LOG_INFO, 1, {{NULL, NULL, false}}, 0};
static pthread_mutex_t log_write_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t log_repeat_mu = PTHREAD_MUTEX_INITIALIZER;
static struct log_repeat log_repeats[LOG_SUPPRESS_SLOTS];

static const char *const log_level_lower[] = {"debug", "info", "warn", "error"};
static const char *const log_level_upper[] = {"DEBUG", "INFO", "WARN", "ERROR"};

/* One string of a line (logger name, msg, a key or a value) with its output limit. */
struct log_item {
    const char *s;
    size_t n;
    bool raw;
    size_t limit; /* SIZE_MAX = unbounded */
};

enum log_kind { LOG_K_JSON, LOG_K_TEXT_MSG, LOG_K_TEXT_VAL };

void ce_log_init(const char *logger_name, enum ce_log_format fmt, enum ce_log_level min, int fd)
{
    CE_FREE(log_g.name);
    log_g.name = ce_xstrdup(logger_name ? logger_name : "cevents");
    log_g.fmt = fmt == CE_LOG_TEXT ? CE_LOG_TEXT : CE_LOG_JSON;
    log_g.min = min < CE_LOG_DEBUG ? CE_LOG_DEBUG : min > CE_LOG_ERROR ? CE_LOG_ERROR : min;
    log_g.fd = fd;
    for (int i = 0; i < log_g.nbase; i++) {
        ce_free((char *)log_g.base[i].key);
        ce_free((char *)log_g.base[i].value);
    }
    log_g.nbase = 0;
    pthread_mutex_lock(&log_repeat_mu);
    memset(log_repeats, 0, sizeof log_repeats);
    pthread_mutex_unlock(&log_repeat_mu);
}

void ce_log_add_base_field(const char *key, const char *value)
{
    if (!key || log_g.nbase >= LOG_MAX_BASE) {
        return;
    }
    log_g.base[log_g.nbase].key = ce_xstrdup(key);
    log_g.base[log_g.nbase].value = ce_xstrdup(value ? value : "");
    log_g.base[log_g.nbase].raw = false;
    log_g.nbase++;
}

int ce_log_parse_level(const char *s, enum ce_log_level *out)
{
    for (int i = 0; s && i < 4; i++) {
        if (strcmp(s, log_level_lower[i]) == 0) {
            *out = (enum ce_log_level)i;
            return CE_OK;
        }
    }
    return CE_EINVAL;
}

int ce_log_parse_format(const char *s, enum ce_log_format *out)
{
    if (s && strcmp(s, "json") == 0) {
        *out = CE_LOG_JSON;
        return CE_OK;
    }
    if (s && strcmp(s, "text") == 0) {
        *out = CE_LOG_TEXT;
        return CE_OK;
    }
    return CE_EINVAL;
}

bool ce_log_enabled(enum ce_log_level lvl)
{
    return lvl >= log_g.min;
}

/* ---- escaping ---- */

static bool log_text_needs_quote(const char *s, size_t n)
{
    if (n == 0) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) {
            return true;
        }
    }
    return false;
}

/* Text escaping keeps a record on one line and valid UTF-8: control bytes and bytes that are
 * not UTF-8 become \n, \t, \xNN; inside quotes the quote and the backslash are escaped too. */
static int log_text_escape(struct ce_buf *b, const char *s, size_t n, bool quoted)
{
    static const char hex[] = "0123456789abcdef";
    int rc = CE_OK;
    for (size_t i = 0; rc == CE_OK && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[4] = {'\\', 0, 0, 0};
        size_t elen = 2;
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        }
        else if (c < 0x20 || c == 0x7f) {
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
            elen = 4;
        }
        else if (quoted && (c == '"' || c == '\\')) {
            esc[1] = (char)c;
        }
        else if (c < 0x80) {
            rc = ce_buf_append(b, s + i, 1);
            continue;
        }
        else {
            uint32_t cp = 0;
            size_t len = ce_utf8_decode(s + i, n - i, &cp);
            if (len > 0) {
                rc = ce_buf_append(b, s + i, len);
                i += len - 1;
                continue;
            }
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 0xf];
            elen = 4;
        }
        rc = ce_buf_append(b, esc, elen);
    }
    return rc;
}

/* Appends s escaped without the surrounding quotes. */
static int log_escape_inner(struct ce_buf *b, enum log_kind kind, const char *s, size_t n,
                            bool quoted)
{
    if (kind != LOG_K_JSON) {
        return log_text_escape(b, s, n, quoted);
    }
    size_t before = b->len;
    int rc = ce_buf_json_str(b, s, n);
    if (rc == CE_OK) {
        size_t added = b->len - before;
        memmove(b->data + before, b->data + before + 1, added - 2);
        b->len = before + added - 2;
        b->data[b->len] = '\0';
    }
    return rc;
}

/* Appends a prefix of s whose escaped form fits in room bytes, cutting only at UTF-8
 * boundaries. Returns how many input bytes were written. */
static size_t log_escape_prefix(struct ce_buf *b, enum log_kind kind, const char *s, size_t n,
                                size_t room, bool quoted, int *rc)
{
    size_t pos = 0;
    while (pos < n && *rc == CE_OK) {
        size_t chunk = room / LOG_ESC_FACTOR;
        size_t end = pos + (chunk < n - pos ? chunk : n - pos);
        while (end < n && end > pos && ((unsigned char)s[end] & 0xc0) == 0x80) {
            end--;
        }
        if (end == pos) {
            break;
        }
        size_t before = b->len;
        *rc = log_escape_inner(b, kind, s + pos, end - pos, quoted);
        room -= b->len - before;
        pos = end;
    }
    return pos;
}

/* Appends one item: a JSON string (or raw JSON), a text msg or a text value, cut to
 * it->limit output bytes with the truncation marker. */
static int log_put(struct ce_buf *b, enum log_kind kind, const struct log_item *it)
{
    if (kind == LOG_K_JSON && it->raw && it->n <= it->limit) {
        return ce_buf_append(b, it->s, it->n);
    }
    bool quoted =
        kind == LOG_K_JSON || (kind == LOG_K_TEXT_VAL && log_text_needs_quote(it->s, it->n));
    int rc = quoted ? ce_buf_append(b, "\"", 1) : CE_OK;
    size_t mark = sizeof LOG_TRUNC_MARK - 1;
    if (rc == CE_OK &&
        (it->limit == SIZE_MAX || it->n <= (it->limit - mark - 2) / LOG_ESC_FACTOR)) {
        rc = log_escape_inner(b, kind, it->s, it->n, quoted);
    }
    else if (rc == CE_OK) {
        size_t room = it->limit > mark + 2 ? it->limit - mark - 2 : 0;
        size_t done = log_escape_prefix(b, kind, it->s, it->n, room, quoted, &rc);
        if (rc == CE_OK && done < it->n) {
            rc = ce_buf_append(b, LOG_TRUNC_MARK, mark);
        }
    }
    if (rc == CE_OK && quoted) {
        rc = ce_buf_append(b, "\"", 1);
    }
    return rc;
}

/* ---- line building ---- */

struct log_line {
    enum ce_log_level lvl;
    struct log_item *items; /* logger, msg, then key/value pairs (base fields first) */
    int nitems;
};

static int log_timestamp(struct ce_buf *b, enum ce_log_format fmt)
{
    struct timespec ts;
    struct tm tm;
    char date[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    if (fmt == CE_LOG_TEXT) {
        return ce_buf_printf(b, "%s.%03ldZ", date, ts.tv_nsec / 1000000);
    }
    /* Go's RFC3339Nano: fraction without trailing zeros, none at all when zero. */
    char frac[16] = "";
    if (ts.tv_nsec) {
        snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
        size_t fl = strlen(frac);
        while (frac[fl - 1] == '0') {
            frac[--fl] = '\0';
        }
    }
    return ce_buf_printf(b, "\"%s%sZ\"", date, frac);
}

/* Appends one field; on failure the buffer is restored so the line stays well-formed. */
static int log_put_field(struct ce_buf *b, enum ce_log_format fmt, const struct log_item *k,
                         const struct log_item *v, bool first)
{
    size_t before = b->len;
    int rc;
    if (fmt == CE_LOG_JSON) {
        rc = ce_buf_append(b, ",", 1);
        rc = rc ? rc : log_put(b, LOG_K_JSON, k);
        rc = rc ? rc : ce_buf_append(b, ":", 1);
        rc = rc ? rc : log_put(b, LOG_K_JSON, v);
    }
    else {
        rc = ce_buf_puts(b, first ? "  " : " ");
        rc = rc ? rc : log_put(b, LOG_K_TEXT_VAL, k);
        rc = rc ? rc : ce_buf_append(b, "=", 1);
        rc = rc ? rc : log_put(b, LOG_K_TEXT_VAL, v);
    }
    if (rc != CE_OK) {
        b->len = before;
        b->data[before] = '\0';
    }
    return rc;
}

static int log_build(struct ce_buf *b, enum ce_log_format fmt, const struct log_line *l)
{
    int rc;
    if (fmt == CE_LOG_JSON) {
        rc = ce_buf_printf(b, "{\"level\":\"%s\",\"ts\":", log_level_lower[l->lvl]);
        rc = rc ? rc : log_timestamp(b, fmt);
        rc = rc ? rc : ce_buf_puts(b, ",\"logger\":");
        rc = rc ? rc : log_put(b, LOG_K_JSON, &l->items[0]);
        rc = rc ? rc : ce_buf_puts(b, ",\"msg\":");
        rc = rc ? rc : log_put(b, LOG_K_JSON, &l->items[1]);
    }
    else {
        rc = log_timestamp(b, fmt);
        rc = rc ? rc : ce_buf_printf(b, " %-5s ", log_level_upper[l->lvl]);
        rc = rc ? rc : log_put(b, LOG_K_TEXT_MSG, &l->items[1]);
    }
    for (int i = 2; rc == CE_OK && i + 1 < l->nitems; i += 2) {
        rc = log_put_field(b, fmt, &l->items[i], &l->items[i + 1], i == 2);
    }
    return rc;
}

/* Splits the line budget between the items: small items keep their full worst-case size, the
 * big ones share what is left equally (water filling). */
static void log_set_limits(struct log_item *items, int k)
{
    size_t mark = sizeof LOG_TRUNC_MARK - 1;
    size_t overhead = 256 + (size_t)k * (8 + mark);
    size_t budget = LOG_LINE_MAX > overhead ? LOG_LINE_MAX - overhead : 0;
    int open = k;
    for (int i = 0; i < k; i++) {
        items[i].limit = 0;
    }
    for (bool changed = true; changed && open > 0;) {
        changed = false;
        size_t share = budget / (size_t)open;
        for (int i = 0; i < k; i++) {
            if (items[i].limit != 0 || items[i].n >= LOG_LINE_MAX) {
                continue;
            }
            size_t worst = items[i].raw ? items[i].n : items[i].n * LOG_ESC_FACTOR + 2;
            if (worst <= share) {
                items[i].limit = SIZE_MAX;
                budget -= worst;
                open--;
                changed = true;
            }
        }
    }
    size_t share = open > 0 ? budget / (size_t)open : 0;
    for (int i = 0; i < k; i++) {
        if (items[i].limit == 0) {
            items[i].limit = share > mark + 16 ? share : mark + 16;
        }
    }
}

/* write(2) until done; the mutex keeps lines whole even across partial writes. */
static void log_write_all(int fd, const char *p, size_t n)
{
    pthread_mutex_lock(&log_write_mu);
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        p += w;
        n -= (size_t)w;
    }
    pthread_mutex_unlock(&log_write_mu);
}

static void log_emit(enum ce_log_level lvl, const char *msg, const struct ce_log_field *fields,
                     int n)
{
    const char *name = log_g.name ? log_g.name : "cevents";
    int k = 2 + 2 * (log_g.nbase + n);
    struct log_item stack_items[2 + 2 * (LOG_MAX_BASE + 16)];
    struct log_item *items = k <= (int)(sizeof stack_items / sizeof stack_items[0])
                                 ? stack_items
                                 : ce_xcalloc((size_t)k, sizeof *items);
    items[0] = (struct log_item){name, strlen(name), false, SIZE_MAX};
    items[1] = (struct log_item){msg, strlen(msg), false, SIZE_MAX};
    int j = 2;
    for (int i = 0; i < log_g.nbase + n; i++) {
        const struct ce_log_field *f = i < log_g.nbase ? &log_g.base[i] : &fields[i - log_g.nbase];
        const char *key = f->key ? f->key : "";
        const char *val = f->value ? f->value : (f->raw ? "null" : "");
        items[j++] = (struct log_item){key, strlen(key), false, SIZE_MAX};
        items[j++] = (struct log_item){val, strlen(val), f->raw, SIZE_MAX};
    }
    struct log_line line = {lvl, items, k};
    enum ce_log_format fmt = log_g.fmt;
    struct ce_buf b;
    ce_buf_init(&b, LOG_LINE_MAX - 2);
    if (log_build(&b, fmt, &line) != CE_OK) {
        ce_buf_reset(&b);
        log_set_limits(items, k);
        (void)log_build(&b, fmt, &line); /* fields that still do not fit are left out */
    }
    b.max = LOG_LINE_MAX;
    if (ce_buf_puts(&b, fmt == CE_LOG_JSON ? "}\n" : "\n") == CE_OK) {
        log_write_all(log_g.fd, b.data, b.len);
    }
    ce_buf_fini(&b);
    if (items != stack_items) {
        ce_free(items);
    }
}

/* ---- suppression of repeated WARN/ERROR lines ---- */

static uint64_t log_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static int64_t log_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * LOG_NS_PER_SEC + ts.tv_nsec;
}

/* Finds the slot of (lvl, hash), or claims a free or the oldest one. An evicted slot's pending
 * count is handed back through evicted/evicted_msg. */
static struct log_repeat *log_repeat_slot(int lvl, uint64_t h, int *evicted, char *evicted_msg,
                                          size_t evicted_cap)
{
    struct log_repeat *victim = &log_repeats[0];
    for (int i = 0; i < LOG_SUPPRESS_SLOTS; i++) {
        struct log_repeat *r = &log_repeats[i];
        if (r->window_start && r->hash == h && r->level == lvl) {
            return r;
        }
        if (victim->window_start && (!r->window_start || r->window_start < victim->window_start)) {
            victim = r;
        }
    }
    if (victim->window_start && victim->suppressed > 0) {
        *evicted = victim->suppressed;
        snprintf(evicted_msg, evicted_cap, "%s", victim->msg);
    }
    memset(victim, 0, sizeof *victim);
    return victim;
}

/* Decides whether this WARN/ERROR line is shown. *summary receives the number of copies
 * suppressed in an earlier window that must be reported first (summary_msg names them). */
static bool log_repeat_allow(enum ce_log_level lvl, const char *msg, int *summary,
                             char *summary_msg, size_t cap)
{
    uint64_t h = log_hash(msg);
    int64_t now = log_mono_ns();
    bool allow = true;
    pthread_mutex_lock(&log_repeat_mu);
    struct log_repeat *r = log_repeat_slot((int)lvl, h, summary, summary_msg, cap);
    if (!r->window_start || now - r->window_start >= LOG_NS_PER_SEC) {
        if (r->suppressed > 0) {
            *summary = r->suppressed;
            snprintf(summary_msg, cap, "%s", msg);
        }
        r->hash = h;
        r->level = (int)lvl;
        r->window_start = now;
        r->count = 1;
        r->suppressed = 0;
        snprintf(r->msg, sizeof r->msg, "%s", msg);
    }
    else if (++r->count > LOG_SUPPRESS_AFTER) {
        r->suppressed++;
        allow = false;
    }
    pthread_mutex_unlock(&log_repeat_mu);
    return allow;
}

void ce_log_fields(enum ce_log_level lvl, const char *msg, const struct ce_log_field *fields, int n)
{
    if (lvl < CE_LOG_DEBUG || lvl > CE_LOG_ERROR) {
        lvl = CE_LOG_ERROR;
    }
    if (!ce_log_enabled(lvl)) {
        return;
    }
    msg = msg ? msg : "";
    n = fields && n > 0 ? n : 0;
    if (lvl >= CE_LOG_WARN) {
        int summary = 0;
        char summary_msg[4096];
        summary_msg[0] = '\0';
        bool allow = log_repeat_allow(lvl, msg, &summary, summary_msg, sizeof summary_msg);
        if (summary > 0) {
            char text[64];
            snprintf(text, sizeof text, "suppressed %d repeated log lines", summary);
            struct ce_log_field f = {"suppressedMsg", summary_msg, false};
            log_emit(lvl, text, &f, 1);
        }
        if (!allow) {
            return;
        }
    }
    log_emit(lvl, msg, fields, n);
}

void ce_log_kv(enum ce_log_level lvl, const char *msg, ...)
{
    if (!ce_log_enabled(lvl)) {
        return;
    }
    struct ce_log_field f[LOG_MAX_KV];
    int n = 0;
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k) {
            break;
        }
        const char *v = va_arg(ap, const char *);
        if (!v) {
            break; /* an odd list: the NULL was the terminator */
        }
        if (n < LOG_MAX_KV) {
            f[n++] = (struct ce_log_field){k, v, false};
        }
    }
    va_end(ap);
    ce_log_fields(lvl, msg, f, n);
}

void ce_logf(enum ce_log_level lvl, const char *fmt, ...)
{
    if (!ce_log_enabled(lvl)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        ce_log_fields(lvl, fmt, NULL, 0);
        return;
    }
    /* Longer messages are cut here and marked by the line builder. */
    size_t size = (size_t)n + 1 < LOG_LINE_MAX + 1 ? (size_t)n + 1 : LOG_LINE_MAX + 1;
    char *msg = ce_xmalloc(size);
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    ce_log_fields(lvl, msg, NULL, 0);
    ce_free(msg);
}
