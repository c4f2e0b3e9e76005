/* SPDX-License-Identifier: Apache-2.0 */
/* Trigger parameters: see params.h. */
#include "triggers/params.h"
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/template/gotmpl.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/json/sjson.h"
#include "eventbus/cloudevent.h"
#include "eventbus/event_doc.h"
#include "triggers/trigger.h"

#include <stdio.h>
#include <string.h>

enum param_op { OP_OVERWRITE, OP_APPEND, OP_PREPEND };

struct param {
    char *dep;
    char *data_key, *data_template, *context_key, *context_template;
    char *value; /* the default; NULL when not given */
    bool use_raw;
    char *dest; /* "" when not given */
    enum param_op op;
    struct ce_tmpl *tmpl; /* dataTemplate or contextTemplate, parsed */
    char *warning;        /* why the template is not used (the key or value serve), or NULL */
};

struct ce_params {
    int n;
    struct param *items;
};

static char *param_str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v != NULL && v[0] != '\0' ? ce_xstrdup(v) : NULL;
}

static int param_compile(struct param *p, const json_t *j, const char *where, int i, char *err,
                         size_t errlen)
{
    const json_t *src = json_object_get(j, "src");
    p->dep = param_str(src, "dependencyName");
    if (!json_is_object(src) || p->dep == NULL) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s[%d].src.dependencyName: required", where, i);
    }
    p->data_key = param_str(src, "dataKey");
    p->data_template = param_str(src, "dataTemplate");
    p->context_key = param_str(src, "contextKey");
    p->context_template = param_str(src, "contextTemplate");
    const json_t *v = json_object_get(src, "value");
    p->value = json_is_string(v) ? ce_xstrdup(json_string_value(v)) : NULL;
    p->use_raw = json_is_true(json_object_get(src, "useRawData"));
    const char *dest = json_string_value(json_object_get(j, "dest"));
    p->dest = ce_xstrdup(dest ? dest : "");
    const char *op = json_string_value(json_object_get(j, "operation"));
    if (op == NULL || op[0] == '\0' || strcmp(op, "overwrite") == 0) {
        p->op = OP_OVERWRITE;
    }
    else if (strcmp(op, "append") == 0 || strcmp(op, "prepend") == 0) {
        p->op = op[0] == 'a' ? OP_APPEND : OP_PREPEND;
    }
    else {
        return ce_rc_fail(CE_EINVAL, err, errlen,
                          "%s[%d].operation: unsupported trigger parameter operation \"%s\"", where,
                          i, op);
    }
    /* Data wins over context when both are given, as in Argo. */
    const char *tmpl = p->data_key || p->data_template ? p->data_template : p->context_template;
    char why[256];
    if (tmpl != NULL && ce_tmpl_parse(tmpl, &p->tmpl, why, sizeof why) != CE_OK) {
        const char *field = p->data_key || p->data_template ? "dataTemplate" : "contextTemplate";
        const char *key = p->data_key || p->data_template ? p->data_key : p->context_key;
        if (key == NULL && p->value == NULL) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "%s[%d].src.%s: %s", where, i, field, why);
        }
        /* Argo logs the failure and falls back to the key, then the value: so do we, and
         * lint says so as a warning */
        p->warning = ce_xasprintf("%s[%d].src.%s: %s; falling back to %s", where, i, field, why,
                                  key != NULL ? "the key" : "the value");
    }
    return CE_OK;
}

static void param_fini(struct param *p)
{
    ce_free(p->dep);
    ce_free(p->data_key);
    ce_free(p->data_template);
    ce_free(p->context_key);
    ce_free(p->context_template);
    ce_free(p->value);
    ce_free(p->dest);
    ce_tmpl_destroy(p->tmpl);
    ce_free(p->warning);
}

int ce_params_compile(const json_t *list, const char *where, struct ce_params **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    size_t n = json_array_size(list);
    if (n > CE_PARAMS_MAX) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "%s: more than %d parameters", where,
                          CE_PARAMS_MAX);
    }
    struct ce_params *ps = ce_xcalloc(1, sizeof(*ps));
    ps->items = ce_xcalloc(n + 1, sizeof(*ps->items));
    int rc = CE_OK;
    for (size_t i = 0; rc == CE_OK && i < n; i++) {
        ps->n++;
        rc = param_compile(&ps->items[i], json_array_get(list, i), where, (int)i, err, errlen);
    }
    if (rc != CE_OK) {
        ce_params_destroy(ps);
        return rc;
    }
    *out = ps;
    return CE_OK;
}

void ce_params_destroy(struct ce_params *ps)
{
    if (ps == NULL) {
        return;
    }
    for (int i = 0; i < ps->n; i++) {
        param_fini(&ps->items[i]);
    }
    ce_free(ps->items);
    ce_free(ps);
}

const char *ce_params_warning(const struct ce_params *ps, int i)
{
    return ps->items[i].warning;
}

int ce_params_count(const struct ce_params *ps)
{
    return ps ? ps->n : 0;
}

const char *ce_param_dest(const struct ce_params *ps, int i)
{
    return ps->items[i].dest;
}

void ce_param_value_fini(struct ce_param_value *v)
{
    CE_FREE(v->text);
    v->len = 0;
    v->raw = false;
}

static void param_set(struct ce_param_value *out, const char *s, size_t len, bool raw)
{
    out->text = ce_xstrndup(s, len);
    out->len = len;
    out->raw = raw;
}

static const struct ce_cloudevent *param_event(const struct ce_trigger_event *ev, int n,
                                               const char *dep)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(ev[i].dependency_name, dep) == 0) {
            return ev[i].event;
        }
    }
    return NULL;
}

/* The template's output, when it is neither empty nor `<no value>`. */
static bool param_by_template(const struct param *p, const char *doc, size_t len,
                              struct ce_param_value *out)
{
    json_t *in = json_loadb(doc, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
    char *text = NULL;
    char why[256];
    bool ok = ce_tmpl_exec_input(p->tmpl, in, NULL, &text, why, sizeof why) == CE_OK &&
              text[0] != '\0' && strcmp(text, "<no value>") != 0;
    json_decref(in);
    if (ok) {
        out->text = text;
        out->len = strlen(text);
        out->raw = false;
    }
    else {
        ce_free(text);
    }
    return ok;
}

/* gjson's value at the key: raw JSON for objects, arrays and null, else its String(). */
static bool param_by_key(const char *key, const char *doc, size_t len, struct ce_param_value *out)
{
    struct ce_gj_result r;
    (void)ce_gj_get(doc, len, key, &r, NULL, 0);
    bool ok = ce_gj_exists(&r);
    if (ok && (r.type == CE_GJ_JSON || r.type == CE_GJ_NULL)) {
        param_set(out, r.raw, r.raw_len, true);
    }
    else if (ok) {
        param_set(out, r.str, r.str_len, r.type != CE_GJ_STRING);
    }
    ce_gj_result_fini(&r);
    return ok;
}

/* Steps 3-6 of the resolution (see argo-events-reference §5.8): the document, then template,
 * then key, then the default. */
static int param_from_event(const struct param *p, const struct ce_cloudevent *e,
                            struct ce_param_value *out, char *err, size_t errlen)
{
    bool data = p->data_key != NULL || p->data_template != NULL;
    const char *doc = NULL;
    char *owned = NULL;
    size_t len = 0;
    char why[256] = "";
    int rc = data ? ce_event_doc_data_json(e, &doc, &len, &owned, why, sizeof why)
                  : ce_event_doc_context_json(e, &owned, &len);
    doc = data ? doc : owned;
    const char *key = data ? p->data_key : p->context_key;
    bool found = rc == CE_OK && ((p->tmpl != NULL && param_by_template(p, doc, len, out)) ||
                                 (key != NULL && param_by_key(key, doc, len, out)));
    ce_free(owned);
    if (found) {
        return CE_OK;
    }
    if (rc == CE_OK) {
        snprintf(why, sizeof why, "neither the key nor the template matched the event");
    }
    if (p->value != NULL) {
        param_set(out, p->value, strlen(p->value), false);
        return CE_OK;
    }
    return ce_rc_fail(CE_EINVAL, err, errlen, "unable to resolve '%s' parameter value. err: %s",
                      p->dep, why);
}

int ce_param_resolve(const struct ce_params *ps, int i, const struct ce_trigger_event *ev, int n,
                     struct ce_param_value *out, char *err, size_t errlen)
{
    const struct param *p = &ps->items[i];
    memset(out, 0, sizeof(*out));
    const struct ce_cloudevent *e = param_event(ev, n, p->dep);
    if (e == NULL) {
        /* the dependency did not take part (an `||` condition): the default, or skipped */
        if (p->value != NULL) {
            param_set(out, p->value, strlen(p->value), false);
        }
        return CE_OK;
    }
    if (!p->data_key && !p->data_template && !p->context_key && !p->context_template) {
        if (p->value != NULL) {
            param_set(out, p->value, strlen(p->value), false);
            return CE_OK;
        }
        out->text = ce_event_doc_json(e, &out->len);
        return CE_OK;
    }
    return param_from_event(p, e, out, err, errlen);
}

/* Sets v at p's dest in doc: raw JSON with useRawData for non-string values, else a string. */
static int param_put(const struct param *p, const struct ce_param_value *v, char **doc, size_t *len,
                     char *err, size_t errlen)
{
    char *next = NULL;
    size_t next_len = 0;
    char why[256];
    int rc = v->raw && p->use_raw ? ce_sj_set_raw(*doc, *len, p->dest, v->text, v->len, &next,
                                                  &next_len, why, sizeof why)
                                  : ce_sj_set_string(*doc, *len, p->dest, v->text, v->len, &next,
                                                     &next_len, why, sizeof why);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "parameter dest \"%s\": %s", p->dest, why);
    }
    ce_free(*doc);
    *doc = next;
    *len = next_len;
    return CE_OK;
}

/* append/prepend: with a current value at dest, the result is the string concatenation. */
static void param_combine(const struct param *p, const char *doc, size_t len,
                          struct ce_param_value *v)
{
    if (p->op == OP_OVERWRITE) {
        return;
    }
    struct ce_gj_result cur;
    (void)ce_gj_get(doc, len, p->dest, &cur, NULL, 0);
    if (ce_gj_exists(&cur)) {
        const char *a = p->op == OP_APPEND ? cur.str : v->text;
        size_t alen = p->op == OP_APPEND ? cur.str_len : v->len;
        const char *b = p->op == OP_APPEND ? v->text : cur.str;
        size_t blen = p->op == OP_APPEND ? v->len : cur.str_len;
        char *joined = ce_xmalloc(alen + blen + 1);
        memcpy(joined, a, alen);
        memcpy(joined + alen, b, blen);
        joined[alen + blen] = '\0';
        ce_free(v->text);
        v->text = joined;
        v->len = alen + blen;
        v->raw = false;
    }
    ce_gj_result_fini(&cur);
}

int ce_params_apply(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                    char **doc, size_t *len, char *err, size_t errlen)
{
    for (int i = 0; ps != NULL && i < ps->n; i++) {
        struct ce_param_value v;
        int rc = ce_param_resolve(ps, i, ev, n, &v, err, errlen);
        if (rc == CE_OK && v.text != NULL) {
            param_combine(&ps->items[i], *doc, *len, &v);
            rc = param_put(&ps->items[i], &v, doc, len, err, errlen);
        }
        ce_param_value_fini(&v);
        if (rc != CE_OK) {
            return rc;
        }
    }
    return CE_OK;
}

int ce_params_payload(const struct ce_params *ps, const struct ce_trigger_event *ev, int n,
                      char **out, size_t *len, char *err, size_t errlen)
{
    *out = ce_xstrdup("");
    *len = 0;
    for (int i = 0; ps != NULL && i < ps->n; i++) {
        struct ce_param_value v;
        int rc = ce_param_resolve(ps, i, ev, n, &v, err, errlen);
        if (rc == CE_OK && v.text != NULL && ps->items[i].dest[0] == '\0') {
            ce_free(*out);
            *out = v.text; /* the whole payload: the rest of the list is not used */
            *len = v.len;
            return CE_OK;
        }
        if (rc == CE_OK && v.text != NULL) {
            rc = param_put(&ps->items[i], &v, out, len, err, errlen);
        }
        ce_param_value_fini(&v);
        if (rc != CE_OK) {
            CE_FREE(*out);
            *len = 0;
            return rc;
        }
    }
    return CE_OK;
}
