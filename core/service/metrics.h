/* SPDX-License-Identifier: Apache-2.0 */
/* A process-wide Prometheus registry: counters, gauges and histograms with fixed label sets,
 * registered at start (so every series is exported at zero from the beginning) and updated
 * lock-free from any thread. Rendered in the Prometheus text exposition format. */
#ifndef CE_CORE_METRICS_H
#define CE_CORE_METRICS_H

#include <stddef.h>

struct ce_metric;

/* Registers (or returns the existing) series name{labels}. labels is the inside of the braces,
 * already escaped, e.g. "eventsource_name=\"webhook\",event_name=\"example\"", or "" for none.
 * help is shared by all series of one name. Thread-safe. Never returns NULL. */
struct ce_metric *ce_metrics_counter(const char *name, const char *help, const char *labels);
struct ce_metric *ce_metrics_gauge(const char *name, const char *help, const char *labels);
/* buckets: ascending upper bounds (+Inf is implicit), copied. */
struct ce_metric *ce_metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *buckets, int nbuckets);

void ce_metric_inc(struct ce_metric *m);
void ce_metric_add(struct ce_metric *m, double v);
void ce_metric_set(struct ce_metric *m, double v);
void ce_metric_observe(struct ce_metric *m, double v);
double ce_metric_value(const struct ce_metric *m); /* counters and gauges; for tests */

/* Appends label k="v" (v escaped per the exposition format) to a label string; returns a
 * fresh heap string "prev,k=\"v\"" (or "k=\"v\"" when prev is empty). */
char *ce_metrics_label_append(const char *prev, const char *k, const char *v);

/* The whole registry in text format; heap string, free with ce_free. */
char *ce_metrics_render(size_t *len);
/* Drops every series (tests only). */
void ce_metrics_reset(void);

#endif
