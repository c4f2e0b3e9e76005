/* SPDX-License-Identifier: Apache-2.0 */
/* Go's float64 texts: see gofloat.h. */
#include "core/go/gofloat.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits of |f|: value = 0.d[0]d[1]... x 10^dp. */
struct fdigits {
    char d[32];
    int nd;
    int dp;
};

static void digits_from_e(const char *s, struct fdigits *g)
{
    /* s is "D.DDDDe+XX" or "De+XX" */
    g->nd = 0;
    for (; *s && *s != 'e'; s++) {
        if (*s >= '0' && *s <= '9' && g->nd < (int)sizeof g->d) {
            g->d[g->nd++] = *s;
        }
    }
    int exp = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
    g->dp = exp + 1;
    while (g->nd > 0 && g->d[g->nd - 1] == '0') {
        g->nd--;
    }
    if (g->nd == 0) {
        g->dp = 0;
    }
}

static void digits_shortest(double f, struct fdigits *g)
{
    char tmp[64];
    if (f == 0) {
        g->nd = 0;
        g->dp = 0;
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, f);
        if (strtod(tmp, NULL) == f) {
            break;
        }
    }
    digits_from_e(tmp, g);
}

static void digits_prec(double f, int prec, struct fdigits *g)
{
    char tmp[64];
    if (f == 0) {
        g->nd = 0;
        g->dp = 0;
        return;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
    digits_from_e(tmp, g);
}

struct sbuf {
    char *p;
    size_t n, len;
};

static void sb_putc(struct sbuf *b, char c)
{
    if (b->len + 1 < b->n) {
        b->p[b->len] = c;
    }
    b->len++;
}

static void fmt_e(struct sbuf *b, const struct fdigits *g, int prec, char e)
{
    sb_putc(b, g->nd ? g->d[0] : '0');
    if (prec > 0) {
        sb_putc(b, '.');
        for (int i = 1; i <= prec; i++) {
            sb_putc(b, i < g->nd ? g->d[i] : '0');
        }
    }
    sb_putc(b, e);
    int exp = g->nd ? g->dp - 1 : 0;
    sb_putc(b, exp < 0 ? '-' : '+');
    if (exp < 0) {
        exp = -exp;
    }
    char num[8];
    int k = snprintf(num, sizeof num, "%02d", exp);
    for (int i = 0; i < k; i++) {
        sb_putc(b, num[i]);
    }
}

static void fmt_f(struct sbuf *b, const struct fdigits *g, int prec)
{
    if (g->dp > 0) {
        for (int i = 0; i < g->dp; i++) {
            sb_putc(b, i < g->nd ? g->d[i] : '0');
        }
    }
    else {
        sb_putc(b, '0');
    }
    if (prec > 0) {
        sb_putc(b, '.');
        for (int i = 1; i <= prec; i++) {
            int j = g->dp + i - 1;
            sb_putc(b, j >= 0 && j < g->nd ? g->d[j] : '0');
        }
    }
}

size_t ce_gofloat_format(double f, char fmt, int prec, char *out, size_t n)
{
    struct sbuf b = {out, n, 0};
    if (isnan(f)) {
        snprintf(out, n, "NaN");
        return 3;
    }
    if (isinf(f)) {
        snprintf(out, n, f > 0 ? "+Inf" : "-Inf");
        return 4;
    }
    if (signbit(f)) {
        sb_putc(&b, '-');
        f = -f;
    }
    struct fdigits g;
    bool shortest = prec < 0;
    if (fmt == 'f' && !shortest) {
        char tmp[400];
        snprintf(tmp, sizeof tmp, "%.*f", prec > 300 ? 300 : prec, f);
        for (const char *s = tmp; *s; s++) {
            sb_putc(&b, *s);
        }
    }
    else if ((fmt == 'e' || fmt == 'E') && !shortest) {
        char tmp[400];
        snprintf(tmp, sizeof tmp, fmt == 'e' ? "%.*e" : "%.*E", prec > 300 ? 300 : prec, f);
        for (const char *s = tmp; *s; s++) {
            sb_putc(&b, *s);
        }
    }
    else if (shortest) {
        digits_shortest(f, &g);
        if (fmt == 'e' || fmt == 'E') {
            fmt_e(&b, &g, g.nd - 1, fmt);
        }
        else if (fmt == 'f') {
            fmt_f(&b, &g, g.nd - g.dp > 0 ? g.nd - g.dp : 0);
        }
        else {
            int exp = g.dp - 1;
            if (g.nd && (exp < -4 || exp >= 6)) { /* eprec is 6 when shortest */
                fmt_e(&b, &g, g.nd - 1, fmt == 'G' ? 'E' : 'e');
            }
            else {
                fmt_f(&b, &g, g.nd - g.dp > 0 ? g.nd - g.dp : 0);
            }
        }
    }
    else { /* %g with a precision */
        if (prec == 0) {
            prec = 1;
        }
        if (prec > 17) {
            digits_shortest(f, &g); /* exact digits beyond 17 are not needed in practice */
        }
        else {
            digits_prec(f, prec, &g);
        }
        int eprec = prec;
        if (eprec > g.nd && g.nd >= g.dp) {
            eprec = g.nd;
        }
        int exp = g.dp - 1;
        if (g.nd == 0) {
            exp = 0;
        }
        if (exp < -4 || exp >= eprec) {
            if (prec > g.nd) {
                prec = g.nd;
            }
            fmt_e(&b, &g, prec - 1, fmt == 'G' ? 'E' : 'e');
        }
        else {
            if (prec > g.dp) {
                prec = g.nd;
            }
            fmt_f(&b, &g, prec - g.dp > 0 ? prec - g.dp : 0);
        }
    }
    if (n) {
        b.p[b.len < n ? b.len : n - 1] = '\0';
    }
    return b.len;
}

size_t ce_gofloat_v(double f, char *out, size_t n)
{
    return ce_gofloat_format(f, 'g', -1, out, n);
}

int ce_gofloat_json(double f, char *out, size_t n)
{
    if (isnan(f) || isinf(f)) {
        return -1;
    }
    double a = fabs(f);
    bool e = a != 0 && (a < 1e-6 || a >= 1e21);
    size_t len = ce_gofloat_format(f, e ? 'e' : 'f', -1, out, n);
    /* encoding/json writes e-07 as e-7 */
    if (e && len < n && len >= 4 && out[len - 4] == 'e' && out[len - 3] == '-' &&
        out[len - 2] == '0') {
        out[len - 2] = out[len - 1];
        out[--len] = '\0';
    }
    return (int)len;
}
