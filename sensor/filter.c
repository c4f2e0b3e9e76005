/* SPDX-License-Identifier: Apache-2.0 */
/* Dependency filters: see filter.h. */
#include "sensor/filter.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/rc.h"
#include "core/tz.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "manifest/tojson.h"
#include "sensor/state.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct filter_time {
    int start_s, stop_s; /* seconds into the day */
    struct ce_tz *tz;    /* the filter's zone, UTC by default; NULL without zone files */
};

struct ce_sn_filter {
    bool op_or;
    bool has_context;
    char *ctx_type, *ctx_subject, *ctx_source, *ctx_datacontenttype; /* NULL: not checked */
    bool has_time;
    struct filter_time time;
};

static char *filter_opt_str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v != NULL && v[0] != '\0' ? ce_xstrdup(v) : NULL;
}

/* "HH:MM:SS" (Go's 15:04:05: the hour may have one digit) → seconds into the day. */
static int filter_clock(const char *s, int *out)
{
    int h = 0, m, sec, i = 0;
    for (; i < 2 && s[i] >= '0' && s[i] <= '9'; i++) {
        h = h * 10 + (s[i] - '0');
    }
    const char *p = s + i;
    if (i == 0 || p[0] != ':' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
        p[3] != ':' || p[4] < '0' || p[4] > '9' || p[5] < '0' || p[5] > '9' || p[6] != '\0') {
        return CE_EINVAL;
    }
    m = (p[1] - '0') * 10 + (p[2] - '0');
    sec = (p[4] - '0') * 10 + (p[5] - '0');
    if (h > 23 || m > 59 || sec > 59) {
        return CE_EINVAL;
    }
    *out = h * 3600 + m * 60 + sec;
    return CE_OK;
}

static int filter_compile_time(struct ce_sn_filter *f, const json_t *t, char *err, size_t errlen)
{
    const char *start = json_string_value(json_object_get(t, "start"));
    const char *stop = json_string_value(json_object_get(t, "stop"));
    const char *zone = json_string_value(json_object_get(t, "timezone"));
    if (start == NULL || filter_clock(start, &f->time.start_s) != CE_OK) {
        snprintf(err, errlen, "filters.time.start: not a time of day (HH:MM:SS)");
        return CE_EINVAL;
    }
    if (stop == NULL || filter_clock(stop, &f->time.stop_s) != CE_OK) {
        snprintf(err, errlen, "filters.time.stop: not a time of day (HH:MM:SS)");
        return CE_EINVAL;
    }
    if (f->time.start_s == f->time.stop_s) {
        snprintf(err, errlen, "filters.time: start and stop must differ");
        return CE_EINVAL;
    }
    if (zone != NULL && zone[0] != '\0') {
        char why[160];
        if (ce_tz_load(zone, &f->time.tz, why, sizeof(why)) != CE_OK) {
            snprintf(err, errlen, "filters.time.timezone: %s", why);
            return CE_EINVAL;
        }
    }
    else if (ce_tz_load("UTC", &f->time.tz, NULL, 0) != CE_OK) {
        f->time.tz = NULL; /* no zone files: plain UTC arithmetic */
    }
    f->has_time = true;
    return CE_OK;
}

/* Groups evaluated elsewhere in later versions are refused here, not skipped. */
static int filter_refuse_unbuilt(const json_t *filters, char *err, size_t errlen)
{
    static const char *const unbuilt[] = {"data", "exprs", "script"};
    for (size_t i = 0; i < sizeof(unbuilt) / sizeof(unbuilt[0]); i++) {
        const json_t *g = json_object_get(filters, unbuilt[i]);
        if (g != NULL && !json_is_null(g) && !(json_is_string(g) && json_string_length(g) == 0) &&
            !(json_is_array(g) && json_array_size(g) == 0)) {
            snprintf(err, errlen, "filters.%s: %s filters are not supported yet", unbuilt[i],
                     unbuilt[i]);
            return CE_EINVAL;
        }
    }
    return CE_OK;
}

int ce_sn_filter_compile(const struct ce_dependency *d, struct ce_sn_filter **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    json_t *dep = ce_node_to_json(d->node);
    json_t *filters = json_object_get(dep, "filters");
    int rc = CE_OK;
    if (json_is_object(filters) && json_object_size(filters) > 0) {
        rc = filter_refuse_unbuilt(filters, err, errlen);
        struct ce_sn_filter *f = ce_xcalloc(1, sizeof(*f));
        f->op_or = d->filters_logical_operator && strcmp(d->filters_logical_operator, "or") == 0;
        const json_t *ctx = json_object_get(filters, "context");
        if (rc == CE_OK && json_is_object(ctx)) {
            f->has_context = true;
            f->ctx_type = filter_opt_str(ctx, "type");
            f->ctx_subject = filter_opt_str(ctx, "subject");
            f->ctx_source = filter_opt_str(ctx, "source");
            f->ctx_datacontenttype = filter_opt_str(ctx, "datacontenttype");
        }
        const json_t *t = json_object_get(filters, "time");
        if (rc == CE_OK && json_is_object(t)) {
            rc = filter_compile_time(f, t, err, errlen);
        }
        if (rc == CE_OK) {
            *out = f;
        }
        else {
            ce_sn_filter_destroy(f);
        }
    }
    json_decref(dep);
    return rc;
}

void ce_sn_filter_destroy(struct ce_sn_filter *f)
{
    if (f == NULL) {
        return;
    }
    ce_free(f->ctx_type);
    ce_free(f->ctx_subject);
    ce_free(f->ctx_source);
    ce_free(f->ctx_datacontenttype);
    ce_tz_destroy(f->time.tz);
    ce_free(f);
}

static bool filter_eq(const char *want, const char *got)
{
    return want == NULL || (got != NULL && strcmp(want, got) == 0);
}

static bool filter_context(const struct ce_sn_filter *f, const struct ce_cloudevent *ev)
{
    return filter_eq(f->ctx_type, ev->type) && filter_eq(f->ctx_subject, ev->subject) &&
           filter_eq(f->ctx_source, ev->source) &&
           filter_eq(f->ctx_datacontenttype, ev->datacontenttype);
}

/* start/stop are taken on the event's own date in the filter's zone (UTC by default); start is
 * inclusive, stop exclusive, and stop before start wraps midnight. */
static int filter_time(const struct filter_time *t, const struct ce_cloudevent *ev, bool *pass,
                       char *err, size_t errlen)
{
    int64_t ns = ev->time ? ce_sn_parse_time(ev->time) : -1;
    if (ns < 0) {
        snprintf(err, errlen, "time filter error (event time \"%s\" is not a time)",
                 ev->time ? ev->time : "");
        return CE_EINVAL;
    }
    int64_t secs = ns / 1000000000;
    int64_t start, stop;
    if (t->tz != NULL) {
        struct ce_tz_tm tm;
        ce_tz_to_tm(t->tz, secs, &tm);
        start = ce_tz_from_fields(t->tz, tm.year, tm.mon, tm.mday, t->start_s / 3600,
                                  t->start_s / 60 % 60, t->start_s % 60);
        stop = ce_tz_from_fields(t->tz, tm.year, tm.mon, tm.mday, t->stop_s / 3600,
                                 t->stop_s / 60 % 60, t->stop_s % 60);
    }
    else {
        int64_t day = secs - ((secs % 86400) + 86400) % 86400;
        start = day + t->start_s;
        stop = day + t->stop_s;
    }
    int64_t start_ns = start * 1000000000, stop_ns = stop * 1000000000;
    *pass = start_ns < stop_ns ? ns >= start_ns && ns < stop_ns : ns >= start_ns || ns < stop_ns;
    return CE_OK;
}

int ce_sn_filter_eval(const struct ce_sn_filter *f, const struct ce_cloudevent *ev, bool *pass,
                      char *err, size_t errlen)
{
    *pass = true;
    if (f == NULL) {
        return CE_OK;
    }
    bool ctx = !f->has_context || filter_context(f, ev);
    bool time = true;
    int rc = f->has_time ? filter_time(&f->time, ev, &time, err, errlen) : CE_OK;
    if (rc != CE_OK) {
        *pass = false;
        return rc;
    }
    if (f->op_or) {
        *pass = (f->has_context && ctx) || (f->has_time && time);
    }
    else {
        *pass = ctx && time;
    }
    return CE_OK;
}

static void filter_explain_context(const struct ce_sn_filter *f, const struct ce_cloudevent *ev,
                                   const char *indent, struct ce_buf *out)
{
    const char *names[] = {"type", "subject", "source", "datacontenttype"};
    const char *want[] = {f->ctx_type, f->ctx_subject, f->ctx_source, f->ctx_datacontenttype};
    const char *got[] = {ev->type, ev->subject, ev->source, ev->datacontenttype};
    bool pass = filter_context(f, ev);
    int rc = ce_buf_printf(out, "%scontext: %s", indent, pass ? "pass" : "fail");
    for (int i = 0; i < 4; i++) {
        if (want[i] != NULL) {
            bool same = filter_eq(want[i], got[i]);
            rc |= ce_buf_printf(out, "; %s \"%s\" %s \"%s\"", names[i], got[i] ? got[i] : "",
                                same ? "=" : "!=", want[i]);
        }
    }
    rc |= ce_buf_puts(out, "\n");
    (void)rc; /* an explanation cut short by the buffer cap is still worth printing */
}

static void filter_explain_time(const struct filter_time *t, const struct ce_cloudevent *ev,
                                const char *indent, struct ce_buf *out, bool *pass, int *rc)
{
    char err[256] = "";
    *rc = filter_time(t, ev, pass, err, sizeof(err));
    int w = ce_buf_printf(out, "%stime: ", indent);
    if (*rc != CE_OK) {
        w |= ce_buf_printf(out, "error: %s\n", err);
    }
    else {
        int64_t secs = ce_sn_parse_time(ev->time) / 1000000000;
        int local = (int)(((secs % 86400) + 86400) % 86400);
        if (t->tz != NULL) {
            struct ce_tz_tm tm;
            ce_tz_to_tm(t->tz, secs, &tm);
            local = tm.hour * 3600 + tm.min * 60 + tm.sec;
        }
        w |= ce_buf_printf(out,
                           "%s; event time %s is %02d:%02d:%02d there, window [%02d:%02d:%02d, "
                           "%02d:%02d:%02d) %s%s\n",
                           *pass ? "pass" : "fail", ev->time, local / 3600, local / 60 % 60,
                           local % 60, t->start_s / 3600, t->start_s / 60 % 60, t->start_s % 60,
                           t->stop_s / 3600, t->stop_s / 60 % 60, t->stop_s % 60,
                           t->tz ? ce_tz_name(t->tz) : "UTC",
                           t->stop_s < t->start_s ? " (wraps midnight)" : "");
    }
    (void)w;
}

int ce_sn_filter_explain(const struct ce_sn_filter *f, const struct ce_cloudevent *ev,
                         const char *indent, struct ce_buf *out, bool *pass)
{
    int rc = CE_OK;
    if (f == NULL) {
        *pass = true;
        int w = ce_buf_printf(out, "%sno filters: pass\n", indent);
        (void)w; /* a cut-short explanation is still printed */
        return CE_OK;
    }
    if (f->has_context) {
        filter_explain_context(f, ev, indent, out);
    }
    if (f->has_time) {
        bool t;
        filter_explain_time(&f->time, ev, indent, out, &t, &rc);
    }
    char err[256] = "";
    rc = ce_sn_filter_eval(f, ev, pass, err, sizeof(err));
    int w = ce_buf_printf(out, "%sfiltersLogicalOperator %s: %s\n", indent, f->op_or ? "or" : "and",
                          rc != CE_OK ? "error, not satisfied" : (*pass ? "pass" : "fail"));
    (void)w;
    return rc;
}
