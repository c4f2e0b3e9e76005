/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's integer math and conversions (through cast.ToInt64/ToFloat64, so floats truncate and
 * strings parse with Go base prefixes), rounding, until, and type inspection. */
#include "core/template/sprig_int.h"

#include <math.h>
#include <stdio.h>

static bool is_nil(const struct ce_tv *v)
{
    return v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID;
}

static SPRIG_FN(fn_add)
{
    (void)c;
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s = (int64_t)((uint64_t)s + (uint64_t)ce_sprig_to_int64(&a[i]));
    }
    *out = ce_tv_int64(s);
    return CE_OK;
}

static SPRIG_FN(fn_add1)
{
    (void)c, (void)n;
    *out = ce_tv_int64((int64_t)((uint64_t)ce_sprig_to_int64(&a[0]) + 1u));
    return CE_OK;
}

static SPRIG_FN(fn_sub)
{
    (void)c, (void)n;
    *out = ce_tv_int64(
        (int64_t)((uint64_t)ce_sprig_to_int64(&a[0]) - (uint64_t)ce_sprig_to_int64(&a[1])));
    return CE_OK;
}

static SPRIG_FN(fn_mul)
{
    (void)c;
    uint64_t v = (uint64_t)ce_sprig_to_int64(&a[0]);
    for (size_t i = 1; i < n; i++) {
        v *= (uint64_t)ce_sprig_to_int64(&a[i]);
    }
    *out = ce_tv_int64((int64_t)v);
    return CE_OK;
}

static int divmod(struct ce_tv_ctx *c, struct ce_tv *a, bool mod, struct ce_tv *out)
{
    int64_t x = ce_sprig_to_int64(&a[0]), y = ce_sprig_to_int64(&a[1]);
    if (y == 0) {
        return SPRIG_FAIL(c, "runtime error: integer divide by zero");
    }
    if (y == -1) {
        *out = ce_tv_int64(mod ? 0 : (int64_t)(0 - (uint64_t)x));
        return CE_OK;
    }
    *out = ce_tv_int64(mod ? x % y : x / y);
    return CE_OK;
}

static SPRIG_FN(fn_div)
{
    (void)n;
    return divmod(c, a, false, out);
}

static SPRIG_FN(fn_mod)
{
    (void)n;
    return divmod(c, a, true, out);
}

static SPRIG_FN(fn_max)
{
    (void)c;
    int64_t m = ce_sprig_to_int64(&a[0]);
    for (size_t i = 1; i < n; i++) {
        int64_t x = ce_sprig_to_int64(&a[i]);
        m = x > m ? x : m;
    }
    *out = ce_tv_int64(m);
    return CE_OK;
}

static SPRIG_FN(fn_min)
{
    (void)c;
    int64_t m = ce_sprig_to_int64(&a[0]);
    for (size_t i = 1; i < n; i++) {
        int64_t x = ce_sprig_to_int64(&a[i]);
        m = x < m ? x : m;
    }
    *out = ce_tv_int64(m);
    return CE_OK;
}

static SPRIG_FN(fn_floor)
{
    (void)c, (void)n;
    *out = ce_tv_float(floor(ce_sprig_to_float64(&a[0])));
    return CE_OK;
}

static SPRIG_FN(fn_ceil)
{
    (void)c, (void)n;
    *out = ce_tv_float(ceil(ce_sprig_to_float64(&a[0])));
    return CE_OK;
}

static SPRIG_FN(fn_round)
{
    (void)c;
    double on = n > 2 ? a[2].u.f : 0.5;
    double val = ce_sprig_to_float64(&a[0]);
    double p = pow(10, (double)a[1].u.i);
    double digit = p * val;
    double ip;
    double frac = modf(digit, &ip);
    double r = frac >= on ? ceil(digit) : floor(digit);
    *out = ce_tv_float(r / p);
    return CE_OK;
}

static SPRIG_FN(fn_int)
{
    (void)c, (void)n;
    *out = ce_tv_int(ce_sprig_to_int64(&a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_int64)
{
    (void)c, (void)n;
    *out = ce_tv_int64(ce_sprig_to_int64(&a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_float64)
{
    (void)c, (void)n;
    *out = ce_tv_float(ce_sprig_to_float64(&a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_atoi)
{
    (void)c, (void)n;
    /* strconv.Atoi: optional sign and decimal digits only; anything else is 0 */
    const char *p = S(a[0]);
    size_t len = N(a[0]), i = 0;
    bool neg = false;
    if (len && (p[0] == '+' || p[0] == '-')) {
        neg = p[0] == '-';
        i = 1;
    }
    uint64_t u = 0;
    bool ok = i < len;
    for (; i < len && ok; i++) {
        if (p[i] < '0' || p[i] > '9' || u > (UINT64_MAX - 9) / 10) {
            ok = false;
            break;
        }
        u = u * 10 + (uint64_t)(p[i] - '0');
    }
    if (!ok || u > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
        *out = ce_tv_int(0);
        return CE_OK;
    }
    *out = ce_tv_int(neg ? (int64_t)(0 - u) : (int64_t)u);
    return CE_OK;
}

static SPRIG_FN(fn_until)
{
    (void)n;
    int64_t cnt = a[0].u.i, step = cnt < 0 ? -1 : 1;
    if (cnt > 1000000 || cnt < -1000000) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u);
    }
    struct ce_tv r = ce_tv_list_new(c, 0, CE_TV_GO_INTS);
    for (int64_t i = 0; step > 0 ? i < cnt : i > cnt; i += step) {
        ce_tv_list_push(c, &r, ce_tv_int(i));
    }
    *out = r;
    return CE_OK;
}

static SPRIG_FN(fn_type_of)
{
    (void)n;
    *out = ce_tv_cstr(is_nil(&a[0]) ? "<nil>" : ce_tv_type_name(&a[0]));
    (void)c;
    return CE_OK;
}

static const char *kind_of(const struct ce_tv *v)
{
    static const char *const kinds[] = {"invalid", "invalid", "bool", "int",   "float64",
                                        "string",  "slice",   "map",  "struct"};
    if (v->kind == CE_TV_INT && v->gotype == CE_TV_GO_INT64) {
        return "int64";
    }
    if (v->kind == CE_TV_INT && v->gotype == CE_TV_GO_UINT8) {
        return "uint8";
    }
    return kinds[v->kind];
}

static SPRIG_FN(fn_kind_of)
{
    (void)c, (void)n;
    *out = ce_tv_cstr(kind_of(&a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_kind_is)
{
    (void)c, (void)n;
    const char *k = kind_of(&a[1]);
    *out = ce_tv_bool(strlen(k) == N(a[0]) && memcmp(k, S(a[0]), N(a[0])) == 0);
    return CE_OK;
}

static SPRIG_FN(fn_type_is)
{
    (void)c, (void)n;
    const char *k = is_nil(&a[1]) ? "<nil>" : ce_tv_type_name(&a[1]);
    *out = ce_tv_bool(strlen(k) == N(a[0]) && memcmp(k, S(a[0]), N(a[0])) == 0);
    return CE_OK;
}

static SPRIG_FN(fn_deep_equal)
{
    (void)c, (void)n;
    *out = ce_tv_bool(ce_tv_deep_equal(&a[0], &a[1], 0));
    return CE_OK;
}

#define STR CE_FT_STRING
#define INT CE_FT_INT
#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_math_fns[] = {
    {"add", fn_add, 0, 1, {ANY}},
    {"add1", fn_add1, 1, 0, {ANY}},
    {"sub", fn_sub, 2, 0, {ANY, ANY}},
    {"mul", fn_mul, 1, 1, {ANY, ANY}},
    {"div", fn_div, 2, 0, {ANY, ANY}},
    {"mod", fn_mod, 2, 0, {ANY, ANY}},
    {"max", fn_max, 1, 1, {ANY, ANY}},
    {"biggest", fn_max, 1, 1, {ANY, ANY}},
    {"min", fn_min, 1, 1, {ANY, ANY}},
    {"floor", fn_floor, 1, 0, {ANY}},
    {"ceil", fn_ceil, 1, 0, {ANY}},
    {"round", fn_round, 2, 1, {ANY, INT, CE_FT_FLOAT}},
    {"int", fn_int, 1, 0, {ANY}},
    {"int64", fn_int64, 1, 0, {ANY}},
    {"float64", fn_float64, 1, 0, {ANY}},
    {"atoi", fn_atoi, 1, 0, {STR}},
    {"until", fn_until, 1, 0, {INT}},
    {"typeOf", fn_type_of, 1, 0, {ANY}},
    {"kindOf", fn_kind_of, 1, 0, {ANY}},
    {"kindIs", fn_kind_is, 2, 0, {STR, ANY}},
    {"typeIs", fn_type_is, 2, 0, {STR, ANY}},
    {"deepEqual", fn_deep_equal, 2, 0, {ANY, ANY}},
};
const size_t ce_sprig_math_nfns = sizeof ce_sprig_math_fns / sizeof ce_sprig_math_fns[0];
