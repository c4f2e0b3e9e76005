/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's function table and the conversions its functions share (cast.ToInt64/ToFloat64 and
 * strval), plus a small arena string builder. */
#include "core/template/sprig_int.h"

#include "core/go/goparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

const struct ce_fn *ce_sprig_lookup(const char *name, size_t len)
{
    static const struct {
        const struct ce_fn *fns;
        const size_t *n;
    } tables[] = {
        {ce_sprig_case_fns, &ce_sprig_case_nfns},
        {ce_sprig_str_fns, &ce_sprig_str_nfns},
        {ce_sprig_list_fns, &ce_sprig_list_nfns},
        {ce_sprig_math_fns, &ce_sprig_math_nfns},
        {ce_sprig_enc_fns, &ce_sprig_enc_nfns},
        {ce_sprig_regex_fns, &ce_sprig_regex_nfns},
        {ce_sprig_date_fns, &ce_sprig_date_nfns},
        {ce_sprig_floatmath_fns, &ce_sprig_floatmath_nfns},
        {ce_sprig_hash_fns, &ce_sprig_hash_nfns},
        {ce_sprig_words_fns, &ce_sprig_words_nfns},
        {ce_sprig_dict_fns, &ce_sprig_dict_nfns},
        {ce_sprig_seq_fns, &ce_sprig_seq_nfns},
        {ce_sprig_path_fns, &ce_sprig_path_nfns},
        {ce_sprig_duration_fns, &ce_sprig_duration_nfns},
        {ce_sprig_snake_fns, &ce_sprig_snake_nfns},
        {ce_sprig_url_fns, &ce_sprig_url_nfns},
    };
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (size_t i = 0; i < *tables[t].n; i++) {
            const struct ce_fn *f = &tables[t].fns[i];
            if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) {
                return f;
            }
        }
    }
    return NULL;
}

void sb_init(struct sb *b, struct ce_tv_ctx *c, size_t cap)
{
    b->c = c;
    b->len = 0;
    b->cap = cap ? cap : 16;
    ce_tv_check_size(c, b->cap);
    b->p = ce_tv_alloc(c, b->cap + 1);
}

void sb_add(struct sb *b, const char *p, size_t n)
{
    if (b->cap - b->len < n) {
        ce_tv_check_size(b->c, b->len + n);
        size_t cap = b->cap * 2;
        while (cap - b->len < n) {
            cap *= 2;
        }
        if (cap > CE_TV_MAX_STRING) {
            cap = CE_TV_MAX_STRING;
        }
        char *np = ce_tv_alloc(b->c, cap + 1);
        memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = cap;
    }
    if (n) {
        memcpy(b->p + b->len, p, n);
    }
    b->len += n;
}

struct ce_tv sb_value(struct sb *b)
{
    b->p[b->len] = '\0';
    return ce_tv_str(b->p, b->len);
}

/* strconv.ParseInt(s, 0, 64) after cast's trimZeroDecimal; *ok false on failure. */
static int64_t parse_int_base0(const char *p, size_t n, bool *ok)
{
    char buf[80];
    *ok = false;
    if (n == 0 || n >= sizeof buf) {
        return 0;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    /* trimZeroDecimal: "12.000" -> "12" */
    char *dot = strchr(buf, '.');
    if (dot) {
        bool zeros = dot[1] != '\0';
        for (char *q = dot + 1; *q; q++) {
            zeros &= *q == '0';
        }
        if (zeros) {
            *dot = '\0';
        }
    }
    char clean[80];
    size_t k = 0;
    for (const char *q = buf; *q; q++) {
        if (*q != '_') {
            clean[k++] = *q;
        }
    }
    clean[k] = '\0';
    const char *s = clean;
    bool neg = false;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16, s += 2;
    }
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8, s += 2;
    }
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2, s += 2;
    }
    else if (s[0] == '0' && s[1]) {
        base = 8, s += 1;
    }
    if (!*s || *s == '+' || *s == '-' || *s == ' ') {
        return 0;
    }
    errno = 0;
    char *end;
    unsigned long long u = strtoull(s, &end, base);
    if (*end || errno || u > (unsigned long long)INT64_MAX + (neg ? 1u : 0u)) {
        return 0;
    }
    *ok = true;
    return neg ? (int64_t)(0 - u) : (int64_t)u;
}

int64_t ce_sprig_to_int64(const struct ce_tv *v)
{
    bool ok;
    switch (v->kind) {
    case CE_TV_INT:
        return v->u.i;
    case CE_TV_FLOAT:
        if (isnan(v->u.f)) {
            return INT64_MIN;
        }
        if (v->u.f >= 9223372036854775808.0 || v->u.f < -9223372036854775808.0) {
            return INT64_MIN; /* what the conversion gives on amd64 */
        }
        return (int64_t)v->u.f;
    case CE_TV_STRING:
        return parse_int_base0(v->u.s.p, v->u.s.n, &ok);
    case CE_TV_BOOL:
        return v->u.b ? 1 : 0;
    default:
        return 0;
    }
}

double ce_sprig_to_float64(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_INT:
        return (double)v->u.i;
    case CE_TV_FLOAT:
        return v->u.f;
    case CE_TV_STRING: {
        /* cast.ToFloat64: strconv.ParseFloat, 0 on any error */
        double f = 0;
        return ce_go_parse_float(v->u.s.p, v->u.s.n, &f) == CE_GO_OK ? f : 0;
    }
    case CE_TV_BOOL:
        return v->u.b ? 1 : 0;
    default:
        return 0;
    }
}

struct ce_tv sprig_strslice(struct ce_tv_ctx *c, const struct ce_tv *v)
{
    if (v->kind == CE_TV_LIST) {
        if (v->gotype == CE_TV_GO_STRINGS) {
            return *v;
        }
        struct ce_tv out = ce_tv_list_new(c, v->u.list->len, CE_TV_GO_STRINGS);
        for (size_t i = 0; i < v->u.list->len; i++) {
            const struct ce_tv *e = &v->u.list->items[i];
            if (e->kind != CE_TV_NIL && e->kind != CE_TV_INVALID) {
                ce_tv_list_push(c, &out, ce_tv_sprint(c, e));
            }
        }
        return out;
    }
    struct ce_tv out = ce_tv_list_new(c, 1, CE_TV_GO_STRINGS);
    if (v->kind != CE_TV_NIL && v->kind != CE_TV_INVALID) {
        ce_tv_list_push(c, &out, ce_tv_sprint(c, v));
    }
    return out;
}
