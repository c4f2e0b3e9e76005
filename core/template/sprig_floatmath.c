/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's float math (addf, add1f, subf, mulf, divf, maxf, minf). sprig turns each operand into
 * the shortest decimal that reads back as the same float64, computes exactly in decimal (division
 * rounded half away from zero at 16 places) and reads the result back as a float64, so
 * `addf 1.1 2.2` is 3.3. The decimals here are base-10 digit arrays in the arena. */
#include "core/template/sprig_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define DEC_MAX_DIGITS 4000 /* keeps the quadratic multiply and divide bounded */
#define DIV_PLACES 16

struct dec {
    bool neg;
    int32_t exp;      /* value = coefficient * 10^exp */
    size_t n;         /* digits in d */
    unsigned char *d; /* little-endian decimal digits; no leading zeros (n 0 means zero) */
};

static unsigned char *digits_new(struct ce_tv_ctx *c, size_t n)
{
    if (n > DEC_MAX_DIGITS) {
        ce_tv_abort(c, CE_ETOOBIG, "decimal result over %d digits", DEC_MAX_DIGITS);
    }
    return ce_tv_alloc(c, n + 1);
}

static void dec_trim(struct dec *x)
{
    while (x->n && x->d[x->n - 1] == 0) {
        x->n--;
    }
}

/* decimal.NewFromFloat: the shortest digits that read back as f. */
static int dec_from_float(struct ce_tv_ctx *c, double f, struct dec *x)
{
    if (isnan(f) || isinf(f)) {
        return SPRIG_FAIL(c, "Cannot create a Decimal from %s",
                          isnan(f) ? "NaN" : (f > 0 ? "+Inf" : "-Inf"));
    }
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f) {
            break;
        }
    }
    const char *p = buf;
    x->neg = *p == '-';
    p += x->neg;
    char *e = strchr(p, 'e');
    int32_t exp10 = (int32_t)strtol(e + 1, NULL, 10);
    char mant[24];
    size_t k = 0;
    for (const char *q = p; q < e; q++) {
        if (*q != '.') {
            mant[k++] = *q;
        }
    }
    x->d = digits_new(c, k);
    x->n = k;
    for (size_t i = 0; i < k; i++) {
        x->d[i] = (unsigned char)(mant[k - 1 - i] - '0');
    }
    x->exp = exp10 - (int32_t)(k - 1);
    dec_trim(x);
    x->neg &= x->n > 0;
    return CE_OK;
}

/* The coefficient of x times 10^shift as a fresh digit array of n digits. */
static unsigned char *shifted(struct ce_tv_ctx *c, const struct dec *x, size_t shift, size_t n)
{
    unsigned char *d = digits_new(c, n);
    memcpy(d + shift, x->d, x->n);
    return d;
}

static int cmp_mag(const unsigned char *a, const unsigned char *b, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/* a + b (or a - b with negate_b) exactly. */
static struct dec dec_add(struct ce_tv_ctx *c, const struct dec *a, const struct dec *b,
                          bool negate_b)
{
    int32_t e = a->exp < b->exp ? a->exp : b->exp;
    size_t sa = (size_t)(a->exp - e), sb_ = (size_t)(b->exp - e);
    size_t n = (a->n + sa > b->n + sb_ ? a->n + sa : b->n + sb_) + 1;
    unsigned char *x = shifted(c, a, sa, n), *y = shifted(c, b, sb_, n);
    bool bneg = b->neg != negate_b;
    struct dec r = {.neg = a->neg, .exp = e, .n = n, .d = digits_new(c, n)};
    if (a->neg == bneg) {
        int carry = 0;
        for (size_t i = 0; i < n; i++) {
            int s = x[i] + y[i] + carry;
            r.d[i] = (unsigned char)(s % 10);
            carry = s / 10;
        }
    }
    else {
        if (cmp_mag(x, y, n) < 0) {
            unsigned char *t = x;
            x = y, y = t;
            r.neg = bneg;
        }
        int borrow = 0;
        for (size_t i = 0; i < n; i++) {
            int s = x[i] - y[i] - borrow;
            borrow = s < 0;
            r.d[i] = (unsigned char)(s + (borrow ? 10 : 0));
        }
    }
    dec_trim(&r);
    r.neg &= r.n > 0;
    return r;
}

static struct dec dec_mul(struct ce_tv_ctx *c, const struct dec *a, const struct dec *b)
{
    struct dec r = {.neg = a->neg != b->neg, .exp = a->exp + b->exp, .n = a->n + b->n};
    r.d = digits_new(c, r.n);
    /* a column sums at most DEC_MAX_DIGITS products of 81: no overflow before the carry */
    unsigned *acc = ce_tv_alloc(c, (r.n + 1) * sizeof *acc);
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            acc[i + j] += (unsigned)a->d[i] * b->d[j];
        }
    }
    for (size_t k = 0; k < r.n; k++) {
        acc[k + 1] += acc[k] / 10;
        r.d[k] = (unsigned char)(acc[k] % 10);
    }
    dec_trim(&r);
    r.neg &= r.n > 0;
    return r;
}

/* rem -= div * 1 while rem >= div; returns how many times (0..9). */
static int sub_times(unsigned char *rem, const unsigned char *div, size_t n)
{
    int q = 0;
    while (cmp_mag(rem, div, n) >= 0) {
        int borrow = 0;
        for (size_t i = 0; i < n; i++) {
            int s = rem[i] - div[i] - borrow;
            borrow = s < 0;
            rem[i] = (unsigned char)(s + (borrow ? 10 : 0));
        }
        q++;
    }
    return q;
}

/* decimal's Div: the quotient at 16 places, the last rounded half away from zero. */
static int dec_div(struct ce_tv_ctx *c, const struct dec *a, const struct dec *b, struct dec *r)
{
    if (b->n == 0) {
        return SPRIG_FAIL(c, "decimal division by 0");
    }
    /* q = a.coef * 10^k / b.coef with k = a.exp - b.exp + 16, scaled on whichever side */
    int64_t k = (int64_t)a->exp - b->exp + DIV_PLACES;
    size_t na = a->n + (size_t)(k > 0 ? k : 0), nb = b->n + (size_t)(k < 0 ? -k : 0);
    size_t n = (na > nb ? na : nb) + 2;
    unsigned char *num = shifted(c, a, (size_t)(k > 0 ? k : 0), n);
    unsigned char *den = shifted(c, b, (size_t)(k < 0 ? -k : 0), n);
    unsigned char *rem = digits_new(c, n);
    *r = (struct dec){.neg = a->neg != b->neg, .exp = -DIV_PLACES, .n = n, .d = digits_new(c, n)};
    for (size_t i = n; i-- > 0;) {
        memmove(rem + 1, rem, n - 1); /* rem = rem * 10 + next digit */
        rem[0] = num[i];
        r->d[i] = (unsigned char)sub_times(rem, den, n);
    }
    /* round: 2 * rem >= den goes up */
    unsigned char *twice = digits_new(c, n);
    int carry = 0;
    for (size_t i = 0; i < n; i++) {
        int s = rem[i] * 2 + carry;
        twice[i] = (unsigned char)(s % 10);
        carry = s / 10;
    }
    if (carry || cmp_mag(twice, den, n) >= 0) {
        for (size_t i = 0; i < n && ++r->d[i] == 10; i++) {
            r->d[i] = 0;
        }
    }
    dec_trim(r);
    r->neg &= r->n > 0;
    return CE_OK;
}

/* decimal's Float64: the nearest float64 of the exact value (strtod rounds correctly). */
static double dec_to_float(struct ce_tv_ctx *c, const struct dec *x)
{
    if (x->n == 0) {
        return 0;
    }
    char *s = ce_tv_alloc(c, x->n + 32);
    size_t k = 0;
    if (x->neg) {
        s[k++] = '-';
    }
    for (size_t i = x->n; i-- > 0;) {
        s[k++] = (char)('0' + x->d[i]);
    }
    snprintf(s + k, 24, "e%d", (int)x->exp);
    return strtod(s, NULL);
}

enum dec_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

/* sprig's execDecimalOp: first, then each of rest in turn. */
static int decimal_fold(struct ce_tv_ctx *c, const struct ce_tv *first, const struct ce_tv *rest,
                        size_t nrest, enum dec_op op, struct ce_tv *out)
{
    struct dec acc, x;
    int rc = dec_from_float(c, ce_sprig_to_float64(first), &acc);
    for (size_t i = 0; rc == CE_OK && i < nrest; i++) {
        rc = dec_from_float(c, ce_sprig_to_float64(&rest[i]), &x);
        if (rc != CE_OK) {
            break;
        }
        if (op == OP_ADD || op == OP_SUB) {
            acc = dec_add(c, &acc, &x, op == OP_SUB);
        }
        else if (op == OP_MUL) {
            acc = dec_mul(c, &acc, &x);
        }
        else {
            rc = dec_div(c, &acc, &x, &acc);
        }
    }
    if (rc == CE_OK) {
        *out = ce_tv_float(dec_to_float(c, &acc));
    }
    return rc;
}

static SPRIG_FN(fn_addf)
{
    struct ce_tv zero = ce_tv_float(0);
    return decimal_fold(c, &zero, a, n, OP_ADD, out);
}

static SPRIG_FN(fn_add1f)
{
    (void)n;
    struct ce_tv one = ce_tv_int(1);
    return decimal_fold(c, &a[0], &one, 1, OP_ADD, out);
}

static SPRIG_FN(fn_subf)
{
    return decimal_fold(c, &a[0], a + 1, n - 1, OP_SUB, out);
}

static SPRIG_FN(fn_mulf)
{
    return decimal_fold(c, &a[0], a + 1, n - 1, OP_MUL, out);
}

static SPRIG_FN(fn_divf)
{
    return decimal_fold(c, &a[0], a + 1, n - 1, OP_DIV, out);
}

/* math.Max / math.Min: NaN wins, and +0 beats -0 for max (-0 for min). */
static double go_max(double x, double y)
{
    if (isnan(x) || isnan(y)) {
        return NAN;
    }
    if (x == 0 && y == 0) {
        return signbit(x) ? y : x;
    }
    return x > y ? x : y;
}

static double go_min(double x, double y)
{
    if (isnan(x) || isnan(y)) {
        return NAN;
    }
    if (x == 0 && y == 0) {
        return signbit(x) ? x : y;
    }
    return x < y ? x : y;
}

static SPRIG_FN(fn_maxf)
{
    (void)c;
    double m = ce_sprig_to_float64(&a[0]);
    for (size_t i = 1; i < n; i++) {
        m = go_max(m, ce_sprig_to_float64(&a[i]));
    }
    *out = ce_tv_float(m);
    return CE_OK;
}

static SPRIG_FN(fn_minf)
{
    (void)c;
    double m = ce_sprig_to_float64(&a[0]);
    for (size_t i = 1; i < n; i++) {
        m = go_min(m, ce_sprig_to_float64(&a[i]));
    }
    *out = ce_tv_float(m);
    return CE_OK;
}

#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_floatmath_fns[] = {
    {"addf", fn_addf, 0, 1, {ANY}},      {"add1f", fn_add1f, 1, 0, {ANY}},
    {"subf", fn_subf, 1, 1, {ANY, ANY}}, {"mulf", fn_mulf, 1, 1, {ANY, ANY}},
    {"divf", fn_divf, 1, 1, {ANY, ANY}}, {"maxf", fn_maxf, 1, 1, {ANY, ANY}},
    {"minf", fn_minf, 1, 1, {ANY, ANY}},
};
const size_t ce_sprig_floatmath_nfns =
    sizeof ce_sprig_floatmath_fns / sizeof ce_sprig_floatmath_fns[0];
