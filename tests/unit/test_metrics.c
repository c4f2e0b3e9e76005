/* SPDX-License-Identifier: Apache-2.0 */
/* core/metrics: the exact exposition text (series present at zero from registration, label
 * and help escaping, number spelling), re-registration, type conflicts, the series cap, and
 * exact sums from concurrent updates. */
#include "core/service/metrics.h"
#include "core/base/log.h"
#include "core/base/mem.h"
#include "tests/harness/harness.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static int tm_setup(void **state)
{
    (void)state;
    ce_metrics_reset();
    return 0;
}

static void tm_expect(const char *want)
{
    size_t len = 0;
    char *got = ce_metrics_render(&len);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    ce_free(got);
}

static void test_render_zero_and_updates(void **state)
{
    (void)state;
    struct ce_metric *c = ce_metrics_counter("argo_events_events_sent_total",
                                             "How many events have been sent successfully",
                                             "eventsource_name=\"wh\",event_name=\"ex\"");
    struct ce_metric *g = ce_metrics_gauge("cevents_ready", "Ready", "");
    const double b[] = {0.5, 1, 2.5};
    struct ce_metric *h = ce_metrics_histogram("dur_ms", "Duration", "x=\"y\"", b, 3);
    tm_expect("# HELP argo_events_events_sent_total How many events have been sent successfully\n"
              "# TYPE argo_events_events_sent_total counter\n"
              "argo_events_events_sent_total{eventsource_name=\"wh\",event_name=\"ex\"} 0\n"
              "# HELP cevents_ready Ready\n"
              "# TYPE cevents_ready gauge\n"
              "cevents_ready 0\n"
              "# HELP dur_ms Duration\n"
              "# TYPE dur_ms histogram\n"
              "dur_ms_bucket{x=\"y\",le=\"0.5\"} 0\n"
              "dur_ms_bucket{x=\"y\",le=\"1\"} 0\n"
              "dur_ms_bucket{x=\"y\",le=\"2.5\"} 0\n"
              "dur_ms_bucket{x=\"y\",le=\"+Inf\"} 0\n"
              "dur_ms_sum{x=\"y\"} 0\n"
              "dur_ms_count{x=\"y\"} 0\n");

    /* A second series of the first name renders under its family, after the first. */
    struct ce_metric *c2 = ce_metrics_counter("argo_events_events_sent_total", "ignored help",
                                              "eventsource_name=\"b\"");
    const double hb[] = {10};
    struct ce_metric *h2 = ce_metrics_histogram("plain_hist", "H", "", hb, 1);
    ce_metric_inc(c);
    ce_metric_inc(c);
    ce_metric_add(c, 1);
    ce_metric_add(c, -5); /* counters never go down */
    ce_metric_add(c2, 0.5);
    ce_metric_set(g, 0.25);
    ce_metric_observe(h, 0.5);
    ce_metric_observe(h, 0.7);
    ce_metric_observe(h, 3);
    ce_metric_observe(h2, 11);
    assert_true(ce_metric_value(c) == 3.0);
    assert_true(ce_metric_value(g) == 0.25);
    tm_expect("# HELP argo_events_events_sent_total How many events have been sent successfully\n"
              "# TYPE argo_events_events_sent_total counter\n"
              "argo_events_events_sent_total{eventsource_name=\"wh\",event_name=\"ex\"} 3\n"
              "argo_events_events_sent_total{eventsource_name=\"b\"} 0.5\n"
              "# HELP cevents_ready Ready\n"
              "# TYPE cevents_ready gauge\n"
              "cevents_ready 0.25\n"
              "# HELP dur_ms Duration\n"
              "# TYPE dur_ms histogram\n"
              "dur_ms_bucket{x=\"y\",le=\"0.5\"} 1\n"
              "dur_ms_bucket{x=\"y\",le=\"1\"} 2\n"
              "dur_ms_bucket{x=\"y\",le=\"2.5\"} 2\n"
              "dur_ms_bucket{x=\"y\",le=\"+Inf\"} 3\n"
              "dur_ms_sum{x=\"y\"} 4.2\n"
              "dur_ms_count{x=\"y\"} 3\n"
              "# HELP plain_hist H\n"
              "# TYPE plain_hist histogram\n"
              "plain_hist_bucket{le=\"10\"} 0\n"
              "plain_hist_bucket{le=\"+Inf\"} 1\n"
              "plain_hist_sum 11\n"
              "plain_hist_count 1\n");
}

static void test_numbers(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},         {-2, "-2"},
        {1234567, "1234567"}, {1e20, "1e+20"},
        {1.5e-7, "1.5e-07"},  {NAN, "NaN"},
        {INFINITY, "+Inf"},   {-INFINITY, "-Inf"},
        {-0.0, "0"},          {1.0 / 3, "0.3333333333333333"},
    };
    struct ce_metric *g = ce_metrics_gauge("n", "", "");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ce_metric_set(g, cases[i].v);
        char *want = ce_xasprintf("# HELP n \n# TYPE n gauge\nn %s\n", cases[i].want);
        tm_expect(want);
        ce_free(want);
    }
}

static void test_escaping(void **state)
{
    (void)state;
    char *l = ce_metrics_label_append("", "a", "x\"y\\z\nw");
    assert_string_equal(l, "a=\"x\\\"y\\\\z\\nw\"");
    char *l2 = ce_metrics_label_append(l, "b", "");
    assert_string_equal(l2, "a=\"x\\\"y\\\\z\\nw\",b=\"\"");
    char *l3 = ce_metrics_label_append(NULL, "c", "ü");
    assert_string_equal(l3, "c=\"ü\"");
    ce_metrics_counter("esc_total", "line one\nback\\slash", l2);
    tm_expect("# HELP esc_total line one\\nback\\\\slash\n"
              "# TYPE esc_total counter\n"
              "esc_total{a=\"x\\\"y\\\\z\\nw\",b=\"\"} 0\n");
    ce_free(l);
    ce_free(l2);
    ce_free(l3);
}

static void test_reregister_and_conflicts(void **state)
{
    (void)state;
    struct ce_metric *a = ce_metrics_counter("x_total", "X", "k=\"1\"");
    assert_ptr_equal(ce_metrics_counter("x_total", "X", "k=\"1\""), a);
    assert_ptr_not_equal(ce_metrics_counter("x_total", "X", "k=\"2\""), a);
    /* Same name as another type: a dummy that is neither rendered nor updated. */
    struct ce_metric *d = ce_metrics_gauge("x_total", "X", "k=\"3\"");
    assert_non_null(d);
    assert_ptr_not_equal(d, a);
    ce_metric_set(d, 7);
    ce_metric_inc(d);
    ce_metric_observe(d, 1);
    assert_true(ce_metric_value(d) == 0.0);
    assert_ptr_equal(ce_metrics_gauge("x_total", "X", "k=\"1\""), d);
    assert_ptr_equal(ce_metrics_counter("bad name", "X", ""), d);
    assert_ptr_equal(ce_metrics_counter("9lives", "X", ""), d);
    const double unsorted[] = {2, 1};
    assert_ptr_equal(ce_metrics_histogram("h", "H", "", unsorted, 2), d);
    /* Wrong-type updates on real series are ignored. */
    ce_metric_set(a, 9);
    ce_metric_observe(a, 9);
    assert_true(ce_metric_value(a) == 0.0);
    tm_expect("# HELP x_total X\n# TYPE x_total counter\nx_total{k=\"1\"} 0\nx_total{k=\"2\"} 0\n");
}

static void test_series_cap(void **state)
{
    (void)state;
    char *dir = ce_test_tmpdir("metrics");
    char *path = ce_xasprintf("%s/log", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    ce_log_init("cevents", CE_LOG_JSON, CE_LOG_INFO, fd);
    struct ce_metric *first = NULL;
    for (int i = 0; i < 10000; i++) {
        char lbl[32];
        snprintf(lbl, sizeof lbl, "i=\"%d\"", i);
        struct ce_metric *m = ce_metrics_counter("many_total", "M", lbl);
        first = first ? first : m;
        ce_metric_inc(m);
    }
    struct ce_metric *over = ce_metrics_counter("many_total", "M", "i=\"10000\"");
    struct ce_metric *over2 = ce_metrics_counter("other_total", "O", "");
    assert_ptr_equal(over, over2);
    assert_ptr_not_equal(over, first);
    ce_metric_inc(over);
    /* existing series are still found */
    assert_ptr_equal(ce_metrics_counter("many_total", "M", "i=\"0\""), first);
    char *text = ce_metrics_render(NULL);
    assert_non_null(strstr(text, "many_total{i=\"9999\"} 1\n"));
    assert_null(strstr(text, "i=\"10000\""));
    assert_null(strstr(text, "other_total"));
    ce_free(text);
    close(fd);
    ce_log_init("cevents", CE_LOG_JSON, CE_LOG_INFO, 1);
    char *log = ce_test_read_file(path, NULL);
    assert_non_null(log);
    const char *p = strstr(log, "Too many metric series");
    assert_non_null(p);
    assert_null(strstr(p + 1, "Too many metric series"));
    ce_free(log);
    ce_test_rmtree(dir);
    ce_free(path);
    ce_free(dir);
}

#define TM_THREADS 4
#define TM_ITERS 100000

struct tm_work {
    struct ce_metric *c, *g, *h;
};

static void *tm_worker(void *arg)
{
    struct tm_work *w = arg;
    for (int i = 0; i < TM_ITERS; i++) {
        ce_metric_inc(w->c);
        ce_metric_add(w->g, (i % 2) ? 1.0 : -1.0);
        ce_metric_add(w->g, 0.5);
        ce_metric_observe(w->h, (double)(i % 3));
    }
    return NULL;
}

static void test_concurrent_updates(void **state)
{
    (void)state;
    const double b[] = {0, 1};
    struct tm_work w = {ce_metrics_counter("conc_total", "C", ""),
                        ce_metrics_gauge("conc_g", "G", ""),
                        ce_metrics_histogram("conc_h", "H", "", b, 2)};
    pthread_t t[TM_THREADS];
    for (int i = 0; i < TM_THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, tm_worker, &w), 0);
    }
    for (int i = 0; i < TM_THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    assert_true(ce_metric_value(w.c) == (double)TM_THREADS * TM_ITERS);
    assert_true(ce_metric_value(w.g) == 0.5 * TM_THREADS * TM_ITERS);
    char *text = ce_metrics_render(NULL);
    /* per thread: 33334 zeros, 33333 ones, 33333 twos; sum 99999 */
    assert_non_null(strstr(text, "conc_h_bucket{le=\"0\"} 133336\n"
                                 "conc_h_bucket{le=\"1\"} 266668\n"
                                 "conc_h_bucket{le=\"+Inf\"} 400000\n"
                                 "conc_h_sum 399996\n"
                                 "conc_h_count 400000\n"));
    ce_free(text);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_render_zero_and_updates, tm_setup, tm_setup),
        cmocka_unit_test_setup_teardown(test_numbers, tm_setup, tm_setup),
        cmocka_unit_test_setup_teardown(test_escaping, tm_setup, tm_setup),
        cmocka_unit_test_setup_teardown(test_reregister_and_conflicts, tm_setup, tm_setup),
        cmocka_unit_test_setup_teardown(test_series_cap, tm_setup, tm_setup),
        cmocka_unit_test_setup_teardown(test_concurrent_updates, tm_setup, tm_setup),
    };
    return ce_test_run(argc, argv, tests, NULL, NULL);
}
