/* SPDX-License-Identifier: Apache-2.0 */
/* Dependency filters: see filter.h. */
#include "sensor/filter.h"
#include "core/base/buf.h"
#include "core/base/clock.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/script/luavm.h"
#include "core/time/tz.h"
#include "eventbus/cloudevent.h"
#include "manifest/model.h"
#include "manifest/tojson.h"
#include "sensor/filter_data.h"
#include "sensor/filter_group.h"
#include "sensor/state.h"
#include "sensor/transform.h"

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
    struct ce_sn_exprs_group *exprs; /* filters.exprs, NULL: none */
    struct ce_sn_data_group *data;   /* filters.data, NULL: none */
    struct ce_lua *script;           /* filters.script, NULL: none */
    struct ce_transform *transform;  /* the dependency's transform, NULL: none */
};

static char *filter_opt_str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v != NULL && v[0] != '\0' ? ce_xstrdup(v) : NULL;
}

static int filter_compile_time(struct ce_sn_filter *f, const json_t *t, char *err, size_t errlen)
{
    const char *start = json_string_value(json_object_get(t, "start"));
    const char *stop = json_string_value(json_object_get(t, "stop"));
    const char *zone = json_string_value(json_object_get(t, "timezone"));
    if (start == NULL || !ce_clock_parse_hms(start, &f->time.start_s)) {
        snprintf(err, errlen, "filters.time.start: not a time of day (HH:MM:SS)");
        return CE_EINVAL;
    }
    if (stop == NULL || !ce_clock_parse_hms(stop, &f->time.stop_s)) {
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

/* The transform lives with the filters: together they are the dependency's check. */
static int filter_compile_transform(struct ce_sn_filter **f, const json_t *tr, char *err,
                                    size_t errlen)
{
    struct ce_transform *t = NULL;
    char why[256];
    if (ce_transform_create(json_string_value(json_object_get(tr, "jq")),
                            json_string_value(json_object_get(tr, "script")), &t, why,
                            sizeof why) != CE_OK) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "transform: %s", why);
    }
    if (t != NULL && *f == NULL) {
        *f = ce_xcalloc(1, sizeof(**f));
    }
    if (*f != NULL) {
        (*f)->transform = t;
    }
    return CE_OK;
}

/* Compiles every group of filters into f, noting every finding in err. */
static int filter_compile_groups(struct ce_sn_filter *f, const json_t *filters, char *err,
                                 size_t errlen)
{
    char one[2048];
    int rc = CE_OK;
    const json_t *ctx = json_object_get(filters, "context");
    if (json_is_object(ctx)) {
        f->has_context = true;
        f->ctx_type = filter_opt_str(ctx, "type");
        f->ctx_subject = filter_opt_str(ctx, "subject");
        f->ctx_source = filter_opt_str(ctx, "source");
        f->ctx_datacontenttype = filter_opt_str(ctx, "datacontenttype");
    }
    const json_t *t = json_object_get(filters, "time");
    if (json_is_object(t) && filter_compile_time(f, t, one, sizeof one) != CE_OK) {
        rc = ce_sn_compile_note(err, errlen, one);
    }
    const json_t *data = json_object_get(filters, "data");
    const char *data_op = json_string_value(json_object_get(filters, "dataLogicalOperator"));
    if (json_array_size(data) > 0 &&
        ce_sn_data_compile(data, data_op, &f->data, one, sizeof one) != CE_OK) {
        rc = ce_sn_compile_note(err, errlen, one);
    }
    const json_t *exprs = json_object_get(filters, "exprs");
    const char *expr_op = json_string_value(json_object_get(filters, "exprLogicalOperator"));
    if (json_array_size(exprs) > 0 &&
        ce_sn_exprs_compile(exprs, expr_op, &f->exprs, one, sizeof one) != CE_OK) {
        rc = ce_sn_compile_note(err, errlen, one);
    }
    const char *script = json_string_value(json_object_get(filters, "script"));
    if (script != NULL && script[0] != '\0') {
        char why[256];
        if (ce_lua_compile(script, "filters.script", &f->script, why, sizeof why) != CE_OK) {
            snprintf(one, sizeof one, "filters.script: %s", why);
            rc = ce_sn_compile_note(err, errlen, one);
        }
    }
    return rc;
}

int ce_sn_filter_compile(const struct ce_dependency *d, struct ce_sn_filter **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    err[0] = '\0';
    json_t *dep = ce_node_to_json(d->node);
    json_t *filters = json_object_get(dep, "filters");
    int rc = CE_OK;
    if (json_is_object(filters) && json_object_size(filters) > 0) {
        struct ce_sn_filter *f = ce_xcalloc(1, sizeof(*f));
        f->op_or = d->filters_logical_operator && strcmp(d->filters_logical_operator, "or") == 0;
        rc = filter_compile_groups(f, filters, err, errlen);
        *out = f;
    }
    const json_t *tr = json_object_get(dep, "transform");
    char one[512];
    if (json_is_object(tr) && filter_compile_transform(out, tr, one, sizeof one) != CE_OK) {
        rc = ce_sn_compile_note(err, errlen, one);
    }
    if (rc != CE_OK) {
        ce_sn_filter_destroy(*out);
        *out = NULL;
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
    ce_sn_exprs_destroy(f->exprs);
    ce_sn_data_destroy(f->data);
    ce_lua_destroy(f->script);
    ce_transform_destroy(f->transform);
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
    int64_t ns = ev->time ? ce_clock_parse_rfc3339_ns(ev->time) : -1;
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
    bool exprs = true, data = true, ctx = !f->has_context || filter_context(f, ev);
    bool time = true, script = true;
    int rc = ce_sn_exprs_eval(f->exprs, ev->data, ev->data_len, &exprs, err, errlen, NULL, NULL);
    if (rc == CE_OK) {
        rc = ce_sn_data_eval(f->data, ev->data, ev->data_len, &data, err, errlen, NULL, NULL);
    }
    if (rc == CE_OK && f->has_time) {
        rc = filter_time(&f->time, ev, &time, err, errlen);
    }
    if (rc == CE_OK && f->script != NULL) {
        /* a script error fails the dependency whatever the operator, as in Argo */
        rc = ce_lua_filter(f->script, ev->data, ev->data_len, &script, err, errlen);
    }
    if (rc != CE_OK) {
        *pass = false;
        return rc;
    }
    if (f->op_or) {
        *pass = (f->exprs && exprs) || (f->data && data) || (f->has_context && ctx) ||
                (f->has_time && time) || (f->script && script);
    }
    else {
        *pass = exprs && data && ctx && time && script;
    }
    return CE_OK;
}

/* A copy of in carrying data instead of its own (which the copy owns). */
static void filter_copy_event(const struct ce_cloudevent *in, char *data, size_t len,
                              struct ce_cloudevent *out)
{
    out->specversion = in->specversion ? ce_xstrdup(in->specversion) : NULL;
    out->id = ce_xstrdup(in->id ? in->id : "");
    out->source = in->source ? ce_xstrdup(in->source) : NULL;
    out->type = in->type ? ce_xstrdup(in->type) : NULL;
    out->subject = in->subject ? ce_xstrdup(in->subject) : NULL;
    out->datacontenttype = in->datacontenttype ? ce_xstrdup(in->datacontenttype) : NULL;
    out->time = in->time ? ce_xstrdup(in->time) : NULL;
    out->data = data;
    out->data_len = len;
}

int ce_sn_filter_apply(const struct ce_sn_filter *f, const struct ce_cloudevent *in,
                       struct ce_cloudevent *out, bool *pass, char *err, size_t errlen)
{
    *pass = false;
    if (f != NULL && f->transform != NULL) {
        char *data = NULL;
        size_t len = 0;
        int rc = ce_transform_apply(f->transform, in->data, in->data_len, &data, &len, err, errlen);
        if (rc != CE_OK) {
            return rc;
        }
        if (data != NULL) {
            filter_copy_event(in, data, len, out);
            in = out;
        }
    }
    return ce_sn_filter_eval(f, in, pass, err, errlen);
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
        int64_t secs = ce_clock_parse_rfc3339_ns(ev->time) / 1000000000;
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

static void filter_explain_script(const struct ce_sn_filter *f, const struct ce_cloudevent *ev,
                                  const char *indent, struct ce_buf *out)
{
    bool pass = false;
    char err[256] = "";
    int rc = ce_lua_filter(f->script, ev->data, ev->data_len, &pass, err, sizeof err);
    int w = ce_buf_printf(
        out, "%sscript: %s%s\n", indent,
        rc != CE_OK ? "error: " : (pass ? "pass (returned true)" : "fail (did not return true)"),
        rc != CE_OK ? err : "");
    (void)w; /* a cut-short explanation is still printed */
}

/* Applies the transform for an explanation: the event the filters then see (ev itself, or
 * *copy), NULL when the transform failed (said in out). */
static const struct ce_cloudevent *filter_explain_transform(const struct ce_sn_filter *f,
                                                            const struct ce_cloudevent *ev,
                                                            struct ce_cloudevent *copy,
                                                            const char *indent, struct ce_buf *out)
{
    char err[256] = "";
    bool ignored = false;
    memset(copy, 0, sizeof(*copy));
    struct ce_sn_filter only = {.transform = f->transform};
    int rc = ce_sn_filter_apply(&only, ev, copy, &ignored, err, sizeof err);
    int w = 0;
    if (rc != CE_OK) {
        w = ce_buf_printf(out, "%stransform: error: %s\n", indent, err);
        (void)w;
        return NULL;
    }
    const struct ce_cloudevent *use = copy->id != NULL ? copy : ev;
    w = ce_buf_printf(out, "%stransform: data is now %.*s\n", indent, (int)use->data_len,
                      use->data ? use->data : "");
    (void)w;
    return use;
}

static int filter_explain_groups(const struct ce_sn_filter *f, const struct ce_cloudevent *ev,
                                 const char *indent, struct ce_buf *out, bool *pass)
{
    int rc = CE_OK;
    if (f == NULL) {
        *pass = true;
        int w = ce_buf_printf(out, "%sno filters: pass\n", indent);
        (void)w; /* a cut-short explanation is still printed */
        return CE_OK;
    }
    if (f->exprs != NULL) {
        bool ignored = false;
        char err[512];
        (void)ce_sn_exprs_eval(f->exprs, ev->data, ev->data_len, &ignored, err, sizeof err, out,
                               indent);
    }
    if (f->data != NULL) {
        bool ignored = false;
        char err[512];
        (void)ce_sn_data_eval(f->data, ev->data, ev->data_len, &ignored, err, sizeof err, out,
                              indent);
    }
    if (f->has_context) {
        filter_explain_context(f, ev, indent, out);
    }
    if (f->has_time) {
        bool t;
        filter_explain_time(&f->time, ev, indent, out, &t, &rc);
    }
    if (f->script != NULL) {
        filter_explain_script(f, ev, indent, out);
    }
    char err[256] = "";
    rc = ce_sn_filter_eval(f, ev, pass, err, sizeof(err));
    int w = ce_buf_printf(out, "%sfiltersLogicalOperator %s: %s\n", indent, f->op_or ? "or" : "and",
                          rc != CE_OK ? "error, not satisfied" : (*pass ? "pass" : "fail"));
    (void)w;
    return rc;
}

int ce_sn_filter_explain(const struct ce_sn_filter *f, const struct ce_cloudevent *in,
                         struct ce_cloudevent *copy, const char *indent, struct ce_buf *out,
                         bool *pass)
{
    memset(copy, 0, sizeof(*copy));
    const struct ce_cloudevent *ev = in;
    if (f != NULL && f->transform != NULL) {
        ev = filter_explain_transform(f, in, copy, indent, out);
        if (ev == NULL) {
            *pass = false;
            return CE_EINVAL;
        }
    }
    return filter_explain_groups(f, ev, indent, out, pass);
}
