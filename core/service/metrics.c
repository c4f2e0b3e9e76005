/* SPDX-License-Identifier: Apache-2.0 */
/* The Prometheus registry. Registration takes a mutex and goes through a hash table, so code
 * may look a series up on every event; updates are lock-free (doubles kept as uint64 bit
 * patterns and updated by compare-and-swap). The number of series is capped so that label
 * values chosen by senders cannot grow memory without bound. */
#include "core/service/metrics.h"
#include "core/base/buf.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_MAX_SERIES 10000
#define METRICS_MAX_BUCKETS 64
#define METRICS_HASH_SIZE 4096

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM, METRICS_DUMMY };

struct metrics_family {
    char *name;
    char *help;
    enum metrics_type type;
    struct ce_metric *first, *last;
    struct metrics_family *next;
};

struct ce_metric {
    enum metrics_type type;
    struct metrics_family *family;
    char *labels;
    uint64_t hash;
    struct ce_metric *next;  /* in the family, registration order */
    struct ce_metric *hnext; /* hash chain */
    _Atomic uint64_t bits;   /* value (counter, gauge) or sum (histogram), as a double */
    int nbuckets;
    double *bounds;
    _Atomic uint64_t *counts; /* per bucket, not cumulative; [nbuckets] is +Inf */
};

static pthread_mutex_t metrics_mu = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_family *metrics_families, *metrics_families_last;
static struct ce_metric *metrics_hash[METRICS_HASH_SIZE];
static int metrics_nseries;
/* Handed out when a series cannot be registered; updates to it go nowhere. */
static struct ce_metric metrics_dummy = {.type = METRICS_DUMMY};
static atomic_bool metrics_cap_logged, metrics_bad_logged;

static const char *const metrics_type_names[] = {"counter", "gauge", "histogram"};

static uint64_t metrics_d2u(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double metrics_u2d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void metrics_atomic_add(_Atomic uint64_t *p, double v)
{
    uint64_t old = atomic_load_explicit(p, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(p, &old, metrics_d2u(metrics_u2d(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed)) {
    }
}

static uint64_t metrics_hash_key(const char *name, const char *labels)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = name; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    h = (h ^ '{') * 1099511628211ULL;
    for (const char *s = labels; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static bool metrics_valid_name(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9')) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':')) {
            return false;
        }
    }
    return true;
}

static bool metrics_valid_buckets(const double *b, int n)
{
    if (n < 0 || n > METRICS_MAX_BUCKETS || (n > 0 && !b)) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (isnan(b[i]) || (i > 0 && b[i] <= b[i - 1])) {
            return false;
        }
    }
    return true;
}

static struct ce_metric *metrics_refuse(atomic_bool *once, const char *why, const char *name)
{
    if (!atomic_exchange(once, true)) {
        ce_log_kv(CE_LOG_ERROR, why, "metric", name ? name : "", NULL);
    }
    return &metrics_dummy;
}

static struct metrics_family *metrics_family_new(const char *name, const char *help,
                                                 enum metrics_type type)
{
    struct metrics_family *f = ce_xcalloc(1, sizeof *f);
    f->name = ce_xstrdup(name);
    f->help = ce_xstrdup(help ? help : "");
    f->type = type;
    if (metrics_families_last) {
        metrics_families_last->next = f;
    }
    else {
        metrics_families = f;
    }
    metrics_families_last = f;
    return f;
}

static struct ce_metric *metrics_series_new(struct metrics_family *f, const char *labels,
                                            uint64_t h, const double *buckets, int nbuckets)
{
    struct ce_metric *m = ce_xcalloc(1, sizeof *m);
    m->type = f->type;
    m->family = f;
    m->labels = ce_xstrdup(labels);
    m->hash = h;
    atomic_init(&m->bits, metrics_d2u(0.0));
    if (f->type == METRICS_HISTOGRAM) {
        /* +Inf in the list is the implicit last bucket. */
        while (nbuckets > 0 && isinf(buckets[nbuckets - 1]) && buckets[nbuckets - 1] > 0) {
            nbuckets--;
        }
        m->nbuckets = nbuckets;
        m->bounds = ce_xcalloc((size_t)nbuckets + 1, sizeof *m->bounds);
        if (nbuckets > 0) {
            memcpy(m->bounds, buckets, (size_t)nbuckets * sizeof *m->bounds);
        }
        m->counts = ce_xcalloc((size_t)nbuckets + 1, sizeof *m->counts);
        for (int i = 0; i <= nbuckets; i++) {
            atomic_init(&m->counts[i], 0);
        }
    }
    if (f->last) {
        f->last->next = m;
    }
    else {
        f->first = m;
    }
    f->last = m;
    m->hnext = metrics_hash[h % METRICS_HASH_SIZE];
    metrics_hash[h % METRICS_HASH_SIZE] = m;
    metrics_nseries++;
    return m;
}

static struct ce_metric *metrics_register(enum metrics_type type, const char *name,
                                          const char *help, const char *labels,
                                          const double *buckets, int nbuckets)
{
    labels = labels ? labels : "";
    if (!metrics_valid_name(name) ||
        (type == METRICS_HISTOGRAM && !metrics_valid_buckets(buckets, nbuckets))) {
        return metrics_refuse(&metrics_bad_logged, "Invalid metric registration", name);
    }
    uint64_t h = metrics_hash_key(name, labels);
    pthread_mutex_lock(&metrics_mu);
    for (struct ce_metric *m = metrics_hash[h % METRICS_HASH_SIZE]; m; m = m->hnext) {
        if (m->hash == h && strcmp(m->labels, labels) == 0 && strcmp(m->family->name, name) == 0) {
            pthread_mutex_unlock(&metrics_mu);
            return m->type == type
                       ? m
                       : metrics_refuse(&metrics_bad_logged, "Metric type conflict", name);
        }
    }
    struct metrics_family *f = NULL;
    for (f = metrics_families; f && strcmp(f->name, name) != 0; f = f->next) {
    }
    const char *why = NULL;
    atomic_bool *once = &metrics_bad_logged;
    if (f && f->type != type) {
        why = "Metric type conflict";
    }
    else if (metrics_nseries >= METRICS_MAX_SERIES) {
        why = "Too many metric series, new ones are not exported";
        once = &metrics_cap_logged;
    }
    struct ce_metric *m = NULL;
    if (!why) {
        m = metrics_series_new(f ? f : metrics_family_new(name, help, type), labels, h, buckets,
                               nbuckets);
    }
    pthread_mutex_unlock(&metrics_mu);
    return why ? metrics_refuse(once, why, name) : m;
}

struct ce_metric *ce_metrics_counter(const char *name, const char *help, const char *labels)
{
    return metrics_register(METRICS_COUNTER, name, help, labels, NULL, 0);
}

struct ce_metric *ce_metrics_gauge(const char *name, const char *help, const char *labels)
{
    return metrics_register(METRICS_GAUGE, name, help, labels, NULL, 0);
}

struct ce_metric *ce_metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *buckets, int nbuckets)
{
    return metrics_register(METRICS_HISTOGRAM, name, help, labels, buckets, nbuckets);
}

void ce_metric_inc(struct ce_metric *m)
{
    ce_metric_add(m, 1.0);
}

void ce_metric_add(struct ce_metric *m, double v)
{
    /* Counters only go up (Prometheus clients refuse negative adds). */
    if (m && (m->type == METRICS_GAUGE || (m->type == METRICS_COUNTER && v >= 0))) {
        metrics_atomic_add(&m->bits, v);
    }
}

void ce_metric_set(struct ce_metric *m, double v)
{
    if (m && m->type == METRICS_GAUGE) {
        atomic_store_explicit(&m->bits, metrics_d2u(v), memory_order_relaxed);
    }
}

void ce_metric_observe(struct ce_metric *m, double v)
{
    if (!m || m->type != METRICS_HISTOGRAM) {
        return;
    }
    int i = 0;
    while (i < m->nbuckets && !(v <= m->bounds[i])) {
        i++;
    }
    atomic_fetch_add_explicit(&m->counts[i], 1, memory_order_relaxed);
    metrics_atomic_add(&m->bits, v);
}

double ce_metric_value(const struct ce_metric *m)
{
    if (!m || m->type == METRICS_DUMMY || m->type == METRICS_HISTOGRAM) {
        return 0.0;
    }
    return metrics_u2d(atomic_load_explicit(&((struct ce_metric *)m)->bits, memory_order_relaxed));
}

char *ce_metrics_label_append(const char *prev, const char *k, const char *v)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = CE_OK;
    if (prev && *prev) {
        rc = ce_buf_puts(&b, prev);
        rc = rc ? rc : ce_buf_append(&b, ",", 1);
    }
    rc = rc ? rc : ce_buf_puts(&b, k ? k : "");
    rc = rc ? rc : ce_buf_append(&b, "=\"", 2);
    for (const char *p = v ? v : ""; rc == CE_OK && *p; p++) {
        if (*p == '\\' || *p == '"') {
            char esc[2] = {'\\', *p};
            rc = ce_buf_append(&b, esc, 2);
        }
        else if (*p == '\n') {
            rc = ce_buf_append(&b, "\\n", 2);
        }
        else {
            rc = ce_buf_append(&b, p, 1);
        }
    }
    if (rc == CE_OK && ce_buf_append(&b, "\"", 1) != CE_OK) {
        rc = CE_ETOOBIG; /* unreachable: the buffer has no cap */
    }
    return ce_buf_steal(&b, NULL);
}

/* ---- rendering ---- */

/* Numbers as Prometheus clients print them: NaN, +Inf, -Inf, integers without a fraction,
 * everything else in the shortest form that reads back to the same double. */
static void metrics_fmt(char out[32], double v)
{
    if (isnan(v)) {
        snprintf(out, 32, "NaN");
    }
    else if (isinf(v)) {
        snprintf(out, 32, v > 0 ? "+Inf" : "-Inf");
    }
    else if (v == 0) {
        snprintf(out, 32, "0");
    }
    else if (v == trunc(v) && fabs(v) < 1e15) {
        snprintf(out, 32, "%.0f", v);
    }
    else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(out, 32, "%.*g", prec, v);
            if (strtod(out, NULL) == v) {
                break;
            }
        }
    }
}

static int metrics_render_help(struct ce_buf *b, const struct metrics_family *f)
{
    int rc = ce_buf_printf(b, "# HELP %s ", f->name);
    for (const char *p = f->help; rc == CE_OK && *p; p++) {
        rc = *p == '\\'   ? ce_buf_puts(b, "\\\\")
             : *p == '\n' ? ce_buf_puts(b, "\\n")
                          : ce_buf_append(b, p, 1);
    }
    return rc ? rc : ce_buf_printf(b, "\n# TYPE %s %s\n", f->name, metrics_type_names[f->type]);
}

static int metrics_render_histogram(struct ce_buf *b, const struct metrics_family *f,
                                    struct ce_metric *m)
{
    const char *sep = *m->labels ? "," : "";
    char num[32], le[32];
    uint64_t cum = 0;
    int rc = CE_OK;
    for (int i = 0; rc == CE_OK && i <= m->nbuckets; i++) {
        cum += atomic_load_explicit(&m->counts[i], memory_order_relaxed);
        metrics_fmt(le, i < m->nbuckets ? m->bounds[i] : INFINITY);
        rc = ce_buf_printf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", f->name, m->labels, sep, le,
                           (unsigned long long)cum);
    }
    metrics_fmt(num, metrics_u2d(atomic_load_explicit(&m->bits, memory_order_relaxed)));
    if (*m->labels) {
        rc = rc ? rc : ce_buf_printf(b, "%s_sum{%s} %s\n", f->name, m->labels, num);
        rc = rc ? rc
                : ce_buf_printf(b, "%s_count{%s} %llu\n", f->name, m->labels,
                                (unsigned long long)cum);
    }
    else {
        rc = rc ? rc : ce_buf_printf(b, "%s_sum %s\n", f->name, num);
        rc = rc ? rc : ce_buf_printf(b, "%s_count %llu\n", f->name, (unsigned long long)cum);
    }
    return rc;
}

char *ce_metrics_render(size_t *len)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = CE_OK;
    pthread_mutex_lock(&metrics_mu);
    for (struct metrics_family *f = metrics_families; rc == CE_OK && f; f = f->next) {
        rc = metrics_render_help(&b, f);
        for (struct ce_metric *m = f->first; rc == CE_OK && m; m = m->next) {
            if (m->type == METRICS_HISTOGRAM) {
                rc = metrics_render_histogram(&b, f, m);
                continue;
            }
            char num[32];
            metrics_fmt(num, metrics_u2d(atomic_load_explicit(&m->bits, memory_order_relaxed)));
            rc = *m->labels ? ce_buf_printf(&b, "%s{%s} %s\n", f->name, m->labels, num)
                            : ce_buf_printf(&b, "%s %s\n", f->name, num);
        }
    }
    pthread_mutex_unlock(&metrics_mu);
    return ce_buf_steal(&b, len);
}

void ce_metrics_reset(void)
{
    pthread_mutex_lock(&metrics_mu);
    struct metrics_family *f = metrics_families;
    while (f) {
        struct metrics_family *fnext = f->next;
        struct ce_metric *m = f->first;
        while (m) {
            struct ce_metric *mnext = m->next;
            ce_free(m->labels);
            ce_free(m->bounds);
            ce_free((void *)m->counts);
            ce_free(m);
            m = mnext;
        }
        ce_free(f->name);
        ce_free(f->help);
        ce_free(f);
        f = fnext;
    }
    metrics_families = metrics_families_last = NULL;
    memset(metrics_hash, 0, sizeof metrics_hash);
    metrics_nseries = 0;
    atomic_store(&metrics_cap_logged, false);
    atomic_store(&metrics_bad_logged, false);
    pthread_mutex_unlock(&metrics_mu);
}
