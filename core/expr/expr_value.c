/* SPDX-License-Identifier: Apache-2.0 */
/* Expression values: construction, reference counting, JSON conversion and deep equality. The
 * Go-compatible text forms are in expr_value_fmt.c. */
#include "core/expr/expr_value.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <string.h>

static struct ce_value value_null = {.kind = CE_VALUE_NULL, .refs = 0};
static struct ce_value value_true = {.kind = CE_VALUE_BOOL, .refs = 0, .u.b = true};
static struct ce_value value_false = {.kind = CE_VALUE_BOOL, .refs = 0, .u.b = false};

static struct ce_value *value_alloc(enum ce_value_kind kind)
{
    struct ce_value *v = ce_xcalloc(1, sizeof *v);
    v->kind = kind;
    v->refs = 1;
    return v;
}

struct ce_value *ce_value_null(void)
{
    return &value_null;
}

struct ce_value *ce_value_bool(bool b)
{
    return b ? &value_true : &value_false;
}

struct ce_value *ce_value_int(int64_t i)
{
    struct ce_value *v = value_alloc(CE_VALUE_INT);
    v->u.i = i;
    return v;
}

struct ce_value *ce_value_float(double f)
{
    struct ce_value *v = value_alloc(CE_VALUE_FLOAT);
    v->u.f = f;
    return v;
}

struct ce_value *ce_value_string(const char *p, size_t len)
{
    char *copy = ce_xmalloc(len + 1);
    if (len > 0) {
        memcpy(copy, p, len);
    }
    copy[len] = '\0';
    return ce_value_string_take(copy, len);
}

struct ce_value *ce_value_string_take(char *p, size_t len)
{
    struct ce_value *v = value_alloc(CE_VALUE_STRING);
    v->u.s.p = p;
    v->u.s.len = len;
    return v;
}

struct ce_value *ce_value_array_new(size_t n)
{
    struct ce_value *v = value_alloc(CE_VALUE_ARRAY);
    v->u.a.v = n > 0 ? ce_xcalloc(n, sizeof *v->u.a.v) : NULL;
    v->u.a.n = n;
    return v;
}

struct ce_value *ce_value_object_new(void)
{
    return value_alloc(CE_VALUE_OBJECT);
}

void ce_value_object_set(struct ce_value *obj, const char *key, struct ce_value *val)
{
    for (size_t i = 0; i < obj->u.o.n; i++) {
        if (strcmp(obj->u.o.m[i].key, key) == 0) {
            ce_value_unref(obj->u.o.m[i].val);
            obj->u.o.m[i].val = ce_value_ref(val);
            return;
        }
    }
    size_t n = obj->u.o.n;
    /* grow in powers of two so building an n-member object stays linear in copies */
    if ((n & (n - 1)) == 0) {
        obj->u.o.m = ce_xrealloc(obj->u.o.m, (n == 0 ? 1 : 2 * n) * sizeof *obj->u.o.m);
    }
    obj->u.o.m[n].key = ce_xstrdup(key);
    obj->u.o.m[n].val = ce_value_ref(val);
    obj->u.o.n = n + 1;
}

struct ce_value *ce_value_ref(struct ce_value *v)
{
    if (v != NULL && v->refs > 0) {
        v->refs++;
    }
    return v;
}

static void value_free(struct ce_value *v)
{
    switch (v->kind) {
    case CE_VALUE_STRING:
        ce_free(v->u.s.p);
        break;
    case CE_VALUE_ARRAY:
        for (size_t i = 0; i < v->u.a.n; i++) {
            ce_value_unref(v->u.a.v[i]);
        }
        ce_free(v->u.a.v);
        break;
    case CE_VALUE_OBJECT:
        for (size_t i = 0; i < v->u.o.n; i++) {
            ce_free(v->u.o.m[i].key);
            ce_value_unref(v->u.o.m[i].val);
        }
        ce_free(v->u.o.m);
        break;
    default:
        break;
    }
    ce_free(v);
}

void ce_value_unref(struct ce_value *v)
{
    if (v == NULL || v->refs == 0) {
        return;
    }
    if (--v->refs == 0) {
        value_free(v);
    }
}

void ce_value_make_immortal(struct ce_value *v)
{
    if (v == NULL || v->refs == 0) {
        return;
    }
    v->refs = 0;
    if (v->kind == CE_VALUE_ARRAY) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            ce_value_make_immortal(v->u.a.v[i]);
        }
    }
    else if (v->kind == CE_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.o.n; i++) {
            ce_value_make_immortal(v->u.o.m[i].val);
        }
    }
}

void ce_value_free_immortal(struct ce_value *v)
{
    if (v == NULL || v == &value_null || v == &value_true || v == &value_false) {
        return;
    }
    if (v->refs != 0) {
        ce_value_unref(v);
        return;
    }
    if (v->kind == CE_VALUE_ARRAY) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            ce_value_free_immortal(v->u.a.v[i]);
        }
        v->u.a.n = 0;
    }
    else if (v->kind == CE_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.o.n; i++) {
            ce_free(v->u.o.m[i].key);
            ce_value_free_immortal(v->u.o.m[i].val);
        }
        v->u.o.n = 0;
    }
    value_free(v);
}

static bool value_static(const struct ce_value *v)
{
    return v == &value_null || v == &value_true || v == &value_false;
}

struct ce_value *ce_value_detach(struct ce_value *v)
{
    if (v == NULL || value_static(v)) {
        return v;
    }
    if (v->refs == 0) { /* a compiled literal: copy it out */
        struct ce_value *c;
        switch (v->kind) {
        case CE_VALUE_INT:
            return ce_value_int(v->u.i);
        case CE_VALUE_FLOAT:
            return ce_value_float(v->u.f);
        case CE_VALUE_STRING:
            return ce_value_string(v->u.s.p, v->u.s.len);
        case CE_VALUE_ARRAY:
            c = ce_value_array_new(v->u.a.n);
            for (size_t i = 0; i < v->u.a.n; i++) {
                c->u.a.v[i] = ce_value_detach(v->u.a.v[i]);
            }
            return c;
        case CE_VALUE_OBJECT:
            c = ce_value_object_new();
            for (size_t i = 0; i < v->u.o.n; i++) {
                struct ce_value *m = ce_value_detach(v->u.o.m[i].val);
                ce_value_object_set(c, v->u.o.m[i].key, m);
                ce_value_unref(m);
            }
            return c;
        default:
            return v;
        }
    }
    if (v->kind == CE_VALUE_ARRAY) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            v->u.a.v[i] = ce_value_detach(v->u.a.v[i]);
        }
    }
    else if (v->kind == CE_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.o.n; i++) {
            v->u.o.m[i].val = ce_value_detach(v->u.o.m[i].val);
        }
    }
    return v;
}

struct ce_value *ce_value_object_get(const struct ce_value *v, const char *key)
{
    if (v == NULL || v->kind != CE_VALUE_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < v->u.o.n; i++) {
        if (strcmp(v->u.o.m[i].key, key) == 0) {
            return v->u.o.m[i].val;
        }
    }
    return NULL;
}

static int value_from_json(const json_t *j, int depth, struct ce_value **out)
{
    if (depth <= 0) {
        return CE_ETOOBIG;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        struct ce_value *o = ce_value_object_new();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *)j, k, m)
        {
            struct ce_value *mv = NULL;
            int rc = value_from_json(m, depth - 1, &mv);
            if (rc != CE_OK) {
                ce_value_unref(o);
                return rc;
            }
            ce_value_object_set(o, k, mv);
            ce_value_unref(mv);
        }
        *out = o;
        return CE_OK;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        struct ce_value *a = ce_value_array_new(n);
        for (size_t i = 0; i < n; i++) {
            int rc = value_from_json(json_array_get(j, i), depth - 1, &a->u.a.v[i]);
            if (rc != CE_OK) {
                for (size_t k = i; k < n; k++) {
                    a->u.a.v[k] = ce_value_null();
                }
                ce_value_unref(a);
                return rc;
            }
        }
        *out = a;
        return CE_OK;
    }
    case JSON_STRING:
        *out = ce_value_string(json_string_value(j), json_string_length(j));
        return CE_OK;
    case JSON_INTEGER:
        *out = ce_value_float((double)json_integer_value(j));
        return CE_OK;
    case JSON_REAL:
        *out = ce_value_float(json_real_value(j));
        return CE_OK;
    case JSON_TRUE:
        *out = ce_value_bool(true);
        return CE_OK;
    case JSON_FALSE:
        *out = ce_value_bool(false);
        return CE_OK;
    case JSON_NULL:
    default:
        *out = ce_value_null();
        return CE_OK;
    }
}

int ce_value_from_json(const json_t *j, int max_depth, struct ce_value **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    if (j == NULL) {
        *out = ce_value_null();
        return CE_OK;
    }
    int rc = value_from_json(j, max_depth, out);
    if (rc != CE_OK) {
        return ce_rc_fail(rc, err, errlen, "JSON value nested deeper than %d levels", max_depth);
    }
    return CE_OK;
}

bool ce_value_is_number(const struct ce_value *v)
{
    return v->kind == CE_VALUE_INT || v->kind == CE_VALUE_FLOAT;
}

double ce_value_as_double(const struct ce_value *v)
{
    return v->kind == CE_VALUE_INT ? (double)v->u.i : v->kind == CE_VALUE_FLOAT ? v->u.f : 0;
}

const char *ce_value_go_type(const struct ce_value *v)
{
    switch (v->kind) {
    case CE_VALUE_BOOL:
        return "bool";
    case CE_VALUE_INT:
        return "int";
    case CE_VALUE_FLOAT:
        return "float64";
    case CE_VALUE_STRING:
        return "string";
    case CE_VALUE_ARRAY:
        return "[]interface {}";
    case CE_VALUE_OBJECT:
        return "map[string]interface {}";
    case CE_VALUE_NULL:
    default:
        return "<nil>";
    }
}

bool ce_value_deep_equal(const struct ce_value *a, const struct ce_value *b)
{
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case CE_VALUE_NULL:
        return true;
    case CE_VALUE_BOOL:
        return a->u.b == b->u.b;
    case CE_VALUE_INT:
        return a->u.i == b->u.i;
    case CE_VALUE_FLOAT:
        return a->u.f == b->u.f;
    case CE_VALUE_STRING:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
    case CE_VALUE_ARRAY:
        if (a->u.a.n != b->u.a.n) {
            return false;
        }
        for (size_t i = 0; i < a->u.a.n; i++) {
            if (!ce_value_deep_equal(a->u.a.v[i], b->u.a.v[i])) {
                return false;
            }
        }
        return true;
    case CE_VALUE_OBJECT:
        if (a->u.o.n != b->u.o.n) {
            return false;
        }
        for (size_t i = 0; i < a->u.o.n; i++) {
            const struct ce_value *o = ce_value_object_get(b, a->u.o.m[i].key);
            if (o == NULL || !ce_value_deep_equal(a->u.o.m[i].val, o)) {
                return false;
            }
        }
        return true;
    }
    return false;
}
