/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluating JSONPath filter and script expressions. Operands are converted the way the
 * reference engine does it: through their Go %v text, parsed back as a float, an int or a bool;
 * strings selected from the document are compared in single quotes, so '42' never equals 42. */
#include "core/json/jsonpath_int.h"

#include "core/go/goparse.h"
#include "core/go/gofloat.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/regex.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SPRINT_MAX (1024 * 1024) /* bytes of one operand's %v text */

void jp_sv_clear(struct jp_sv *v)
{
    ce_free(v->s);
    if (v->j != NULL) {
        json_decref(v->j);
    }
    memset(v, 0, sizeof *v);
}

static void sv_str(struct jp_sv *v, const char *p, size_t n)
{
    memset(v, 0, sizeof *v);
    v->k = SV_STR;
    v->s = ce_xstrndup(p, n);
    v->n = n;
}

/* A document value (borrowed) as a script value; strings as they are. */
static void sv_from_json(struct jp_sv *v, const json_t *j)
{
    memset(v, 0, sizeof *v);
    if (j == NULL || json_is_null(j)) {
        v->k = SV_NIL;
    }
    else if (json_is_boolean(j)) {
        v->k = SV_BOOL;
        v->b = json_is_true(j);
    }
    else if (json_is_real(j)) {
        v->k = SV_F64;
        v->f = json_real_value(j);
    }
    else if (json_is_integer(j)) {
        v->k = SV_I64;
        v->i = json_integer_value(j);
    }
    else if (json_is_string(j)) {
        sv_str(v, json_string_value(j), json_string_length(j));
    }
    else {
        v->k = SV_JSON;
        v->j = json_incref((json_t *)j);
    }
}

const char *jp_sv_kind(const struct jp_sv *v)
{
    static const char *const names[] = {"nil", "bool", "float64", "int64", "string", ""};
    if (v->k == SV_JSON) {
        return json_is_array(v->j) ? "slice" : "map";
    }
    return names[v->k];
}

bool jp_sv_integer(const struct jp_sv *v, int64_t *out)
{
    if (v->k == SV_I64) {
        *out = v->i;
        return true;
    }
    if (v->k == SV_F64 && trunc(v->f) == v->f && !isinf(v->f)) {
        /* Go's int64(float) conversion; out-of-range values saturate like amd64 does */
        *out = (v->f >= 9223372036854775808.0 || v->f < -9223372036854775808.0) ? INT64_MIN
                                                                                : (int64_t)v->f;
        return true;
    }
    return false;
}

int jp_go_sprint(const json_t *j, int depth, struct ce_buf *b)
{
    char num[64];
    if (depth > CE_JSONPATH_DOC_DEPTH_MAX) {
        return CE_ETOOBIG;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), k = 0;
        const char **keys = ce_xcalloc(n + 1, sizeof *keys);
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)j, key, val)
        {
            keys[k++] = key;
        }
        qsort(keys, k, sizeof *keys, jp_cmp_keys);
        int rc = ce_buf_puts(b, "map[");
        for (size_t i = 0; i < k && rc == CE_OK; i++) {
            rc = ce_buf_printf(b, "%s%s:", i ? " " : "", keys[i]);
            if (rc == CE_OK) {
                rc = jp_go_sprint(json_object_get(j, keys[i]), depth + 1, b);
            }
        }
        ce_free(keys);
        return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
    }
    case JSON_ARRAY: {
        int rc = ce_buf_puts(b, "[");
        for (size_t i = 0; i < json_array_size(j) && rc == CE_OK; i++) {
            if (i > 0) {
                rc = ce_buf_puts(b, " ");
            }
            if (rc == CE_OK) {
                rc = jp_go_sprint(json_array_get(j, i), depth + 1, b);
            }
        }
        return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
    }
    case JSON_STRING:
        return ce_buf_append(b, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return ce_buf_printf(b, "%" PRId64, (int64_t)json_integer_value(j));
    case JSON_REAL:
        (void)ce_gofloat_v(json_real_value(j), num, sizeof num);
        return ce_buf_puts(b, num);
    case JSON_TRUE:
        return ce_buf_puts(b, "true");
    case JSON_FALSE:
        return ce_buf_puts(b, "false");
    default:
        return ce_buf_puts(b, "<nil>");
    }
}

/* Go's fmt %v of a script value. */
static int sprint(struct jp_ec *c, const struct jp_sv *v, struct ce_buf *b)
{
    char num[64];
    int rc;
    switch (v->k) {
    case SV_NIL:
        rc = ce_buf_puts(b, "<nil>");
        break;
    case SV_BOOL:
        rc = ce_buf_puts(b, v->b ? "true" : "false");
        break;
    case SV_F64:
        (void)ce_gofloat_v(v->f, num, sizeof num);
        rc = ce_buf_puts(b, num);
        break;
    case SV_I64:
        rc = ce_buf_printf(b, "%" PRId64, v->i);
        break;
    case SV_STR:
        rc = ce_buf_append(b, v->s, v->n);
        break;
    default:
        rc = jp_go_sprint(v->j, 0, b);
        break;
    }
    if (rc != CE_OK) {
        return jp_fail(c, CE_ETOOBIG, 0, "value too large or too deep to compare");
    }
    return CE_OK;
}

struct params {
    json_t *root, *cur;
};

static int eval_op(struct jp_ec *c, const struct jp_op *op, const struct params *pr,
                   struct jp_sv *out);

/* The operand's value (operators evaluated, literals as they are). */
static int operand(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                   struct jp_sv *v)
{
    memset(v, 0, sizeof *v);
    switch (a->k) {
    case SA_OP:
        return eval_op(c, a->op, pr, v);
    case SA_STR:
        sv_str(v, a->s, strlen(a->s));
        return CE_OK;
    case SA_JSON:
        v->k = SV_JSON;
        v->j = json_incref(a->j);
        return CE_OK;
    default:
        v->k = SV_NIL;
        return CE_OK;
    }
}

/* Replaces a string naming a parameter ($, @, nil, null) by its value; true when it did. */
static bool lookup_param(struct jp_sv *v, const struct params *pr)
{
    if (v->k != SV_STR) {
        return false;
    }
    const json_t *j;
    if (strcmp(v->s, "$") == 0) {
        j = pr->root;
    }
    else if (strcmp(v->s, "@") == 0) {
        j = pr->cur;
    }
    else if (strcmp(v->s, "nil") == 0 || strcmp(v->s, "null") == 0) {
        j = NULL;
    }
    else {
        return false;
    }
    jp_sv_clear(v);
    sv_from_json(v, j);
    return true;
}

/* Resolves the operand and returns its %v text in b. */
static int operand_text(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                        struct jp_sv *v, struct ce_buf *b)
{
    int rc = operand(c, a, pr, v);
    if (rc != CE_OK) {
        return rc;
    }
    lookup_param(v, pr);
    return sprint(c, v, b);
}

static int get_number(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                      double *out)
{
    if (a->k == SA_NIL) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. is nil");
    }
    struct jp_sv v;
    struct ce_buf b;
    ce_buf_init(&b, SPRINT_MAX);
    int rc = operand_text(c, a, pr, &v, &b);
    if (rc == CE_OK && ce_go_parse_float(b.data ? b.data : "", b.len, out) != CE_GO_OK) {
        rc = jp_fail(c, CE_EINVAL, 0, "invalid argument. expected number");
    }
    jp_sv_clear(&v);
    ce_buf_fini(&b);
    return rc;
}

static int get_integer(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                       int64_t *out)
{
    if (a->k == SA_NIL) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. is nil");
    }
    struct jp_sv v;
    struct ce_buf b;
    ce_buf_init(&b, SPRINT_MAX);
    int rc = operand_text(c, a, pr, &v, &b);
    if (rc == CE_OK && !jp_parse_int10(b.data ? b.data : "", b.len, out)) {
        rc = jp_fail(c, CE_EINVAL, 0, "invalid argument. expected integer");
    }
    jp_sv_clear(&v);
    ce_buf_fini(&b);
    return rc;
}

static int get_bool(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr, bool *out)
{
    *out = false;
    if (a->k == SA_NIL) {
        return CE_OK;
    }
    struct jp_sv v;
    int rc = operand(c, a, pr, &v);
    if (rc == CE_OK) {
        lookup_param(&v, pr);
    }
    if (rc == CE_OK && v.k != SV_NIL) {
        struct ce_buf b;
        ce_buf_init(&b, SPRINT_MAX);
        rc = sprint(c, &v, &b);
        if (rc == CE_OK && !ce_go_parse_bool(b.data ? b.data : "", b.len, out)) {
            rc = jp_fail(c, CE_EINVAL, 0, "invalid argument. expected boolean");
        }
        ce_buf_fini(&b);
    }
    jp_sv_clear(&v);
    return rc;
}

static bool quoted(const char *s, size_t n, char q)
{
    return n > 1 && s[0] == q && s[n - 1] == q;
}

/* The string form the engine compares: text in single quotes stays, double quotes become
 * single quotes; a string parameter is always put in single quotes. */
static int get_string(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                      struct ce_buf *b)
{
    if (a->k == SA_NIL) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. is nil");
    }
    struct jp_sv v;
    int rc = operand(c, a, pr, &v);
    if (rc != CE_OK) {
        jp_sv_clear(&v);
        return rc;
    }
    bool was_str = v.k == SV_STR;
    bool param = lookup_param(&v, pr);
    int brc = CE_OK;
    if (was_str && (!param || v.k == SV_STR)) {
        const char *s = v.s;
        size_t n = v.n;
        if (quoted(s, n, '\'')) {
            brc = ce_buf_append(b, s, n);
        }
        else {
            if (quoted(s, n, '"')) {
                s++, n -= 2;
            }
            else if (!param) {
                brc = ce_buf_append(b, s, n);
                goto done;
            }
            brc = ce_buf_puts(b, "'");
            if (brc == CE_OK) {
                brc = ce_buf_append(b, s, n);
            }
            if (brc == CE_OK) {
                brc = ce_buf_puts(b, "'");
            }
        }
    }
    else {
        rc = sprint(c, &v, b);
    }
done:
    jp_sv_clear(&v);
    if (rc == CE_OK && brc != CE_OK) {
        rc = jp_fail(c, CE_ETOOBIG, 0, "value too large to compare");
    }
    return rc;
}

/* A selector inside an expression: its value, with strings put in single quotes. */
static int eval_selector(struct jp_ec *c, const struct jp_op *op, const struct params *pr,
                         struct jp_sv *out)
{
    json_t *res = NULL;
    int rc = jp_apply(c, op->sel.t, op->sel.n, pr->root, pr->cur, &res);
    if (rc != CE_OK) {
        return rc;
    }
    if (res != NULL && json_is_string(res)) {
        const char *s = json_string_value(res);
        size_t n = json_string_length(res);
        if (quoted(s, n, '\'')) {
            sv_str(out, s, n);
        }
        else {
            char *q = ce_xmalloc(n + 3);
            q[0] = '\'';
            memcpy(q + 1, s, n);
            q[n + 1] = '\'';
            q[n + 2] = '\0';
            memset(out, 0, sizeof *out);
            out->k = SV_STR;
            out->s = q;
            out->n = n + 2;
        }
    }
    else {
        sv_from_json(out, res);
    }
    if (res != NULL) {
        json_decref(res);
    }
    return CE_OK;
}

static int eval_regex(struct jp_ec *c, const struct jp_op *op, const struct params *pr, bool *out)
{
    struct ce_buf s, p;
    ce_buf_init(&s, SPRINT_MAX);
    ce_buf_init(&p, SPRINT_MAX);
    int rc = get_string(c, &op->a, pr, &s);
    if (rc == CE_OK) {
        rc = get_string(c, &op->b, pr, &p);
    }
    if (rc == CE_OK) {
        const char *sp = s.data ? s.data : "", *pp = p.data ? p.data : "";
        size_t sn = s.len, pn = p.len;
        if (quoted(sp, sn, '\'')) {
            sp++, sn -= 2;
        }
        if (quoted(pp, pn, '\'')) {
            pp++, pn -= 2;
        }
        struct ce_regex *re = NULL;
        if (ce_regex_compile(pp, pn, &re, NULL, 0) != CE_OK) {
            rc = jp_fail(c, CE_EINVAL, 0, "invalid argument. expected a valid regexp");
        }
        else {
            (void)ce_regex_search(re, sp, sn, out); /* a budget overrun counts as no match */
            ce_regex_destroy(re);
        }
    }
    ce_buf_fini(&s);
    ce_buf_fini(&p);
    return rc;
}

/* The collection of `in`: array items or object values. */
static int get_elements(struct jp_ec *c, const struct jp_sarg *a, const struct params *pr,
                        struct jp_sv *v)
{
    if (a->k == SA_NIL) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. is nil");
    }
    int rc = operand(c, a, pr, v);
    if (rc != CE_OK) {
        return rc;
    }
    if (v->k == SV_STR && !lookup_param(v, pr)) {
        bool arr = v->n > 1 && v->s[0] == '[' && v->s[v->n - 1] == ']';
        bool obj = v->n > 1 && v->s[0] == '{' && v->s[v->n - 1] == '}';
        if (arr || obj) {
            json_t *j = json_loadb(v->s, v->n, JSON_DECODE_INT_AS_REAL, NULL);
            if (j == NULL || json_is_array(j) != arr || json_is_object(j) != obj) {
                if (j != NULL) {
                    json_decref(j);
                }
                return jp_fail(c, CE_EINVAL, 0, "invalid argument");
            }
            jp_sv_clear(v);
            v->k = SV_JSON;
            v->j = j;
        }
    }
    if (v->k == SV_NIL) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. is nil");
    }
    if (v->k != SV_JSON) {
        return jp_fail(c, CE_EINVAL, 0, "invalid argument. expected array, map, or slice");
    }
    return CE_OK;
}

/* Go's interface equality of a collection element and the item looked for. */
static bool element_equals(const json_t *e, const struct jp_sv *item)
{
    switch (item->k) {
    case SV_F64:
        return json_is_real(e) && json_real_value(e) == item->f;
    case SV_STR:
        return json_is_string(e) && json_string_length(e) == item->n &&
               memcmp(json_string_value(e), item->s, item->n) == 0;
    case SV_BOOL:
        return json_is_boolean(e) && json_is_true(e) == item->b;
    default:
        return false;
    }
}

static int eval_in(struct jp_ec *c, const struct jp_op *op, const struct params *pr, bool *out)
{
    struct jp_sv item = {0};
    struct ce_buf b;
    ce_buf_init(&b, SPRINT_MAX);
    double f;
    bool bv;
    if (get_number(c, &op->a, pr, &f) == CE_OK) {
        item.k = SV_F64;
        item.f = f;
    }
    else if (!c->fatal && get_string(c, &op->a, pr, &b) == CE_OK) {
        sv_str(&item, b.data ? b.data : "", b.len);
    }
    else if (!c->fatal && get_bool(c, &op->a, pr, &bv) == CE_OK) {
        item.k = SV_BOOL;
        item.b = bv;
    }
    else {
        item.k = SV_JSON; /* the operand itself: equal to no element */
    }
    ce_buf_fini(&b);
    if (c->fatal) {
        jp_sv_clear(&item);
        return CE_ETOOBIG;
    }
    struct jp_sv coll = {0};
    int rc = get_elements(c, &op->b, pr, &coll);
    *out = false;
    if (rc == CE_OK && json_is_array(coll.j)) {
        for (size_t i = 0; i < json_array_size(coll.j) && !*out; i++) {
            *out = element_equals(json_array_get(coll.j, i), &item);
        }
    }
    else if (rc == CE_OK) {
        const char *k;
        json_t *e;
        json_object_foreach(coll.j, k, e)
        {
            *out = *out || element_equals(e, &item);
        }
    }
    jp_sv_clear(&coll);
    jp_sv_clear(&item);
    return rc;
}

static int eval_arith(struct jp_ec *c, const struct jp_op *op, const struct params *pr,
                      struct jp_sv *out)
{
    if (op->k == OP_MOD) {
        int64_t x, y;
        int rc = get_integer(c, &op->a, pr, &x);
        if (rc == CE_OK) {
            rc = get_integer(c, &op->b, pr, &y);
        }
        if (rc != CE_OK) {
            return rc;
        }
        if (y == 0) {
            jp_fail(c, CE_EINVAL, 0, "runtime error: integer divide by zero");
            c->fatal = true; /* a panic: no filter swallows it */
            c->fatal_rc = CE_EINVAL;
            return CE_EINVAL;
        }
        out->k = SV_I64;
        out->i = (x == INT64_MIN && y == -1) ? 0 : x % y;
        return CE_OK;
    }
    double x, y;
    int rc = get_number(c, &op->a, pr, &x);
    if (rc == CE_OK) {
        rc = get_number(c, &op->b, pr, &y);
    }
    if (rc != CE_OK) {
        return rc;
    }
    out->k = SV_F64;
    switch (op->k) {
    case OP_PLUS:
        out->f = x + y;
        break;
    case OP_MINUS:
        out->f = x - y;
        break;
    case OP_MUL:
        out->f = x * y;
        break;
    case OP_DIV:
        out->f = x / y;
        break;
    default:
        out->f = pow(x, y);
        break;
    }
    return CE_OK;
}

static int eval_compare(struct jp_ec *c, const struct jp_op *op, const struct params *pr, bool *out)
{
    double x, y;
    if (op->k == OP_EQ || op->k == OP_NE) {
        if (get_number(c, &op->a, pr, &x) == CE_OK && get_number(c, &op->b, pr, &y) == CE_OK) {
            *out = (x == y) == (op->k == OP_EQ);
            return CE_OK;
        }
        if (c->fatal) {
            return CE_ETOOBIG;
        }
        struct ce_buf l, r;
        ce_buf_init(&l, SPRINT_MAX);
        ce_buf_init(&r, SPRINT_MAX);
        int rc = get_string(c, &op->a, pr, &l);
        if (rc == CE_OK) {
            rc = get_string(c, &op->b, pr, &r);
        }
        if (rc == CE_OK) {
            bool eq = l.len == r.len && (l.len == 0 || memcmp(l.data, r.data, l.len) == 0);
            *out = eq == (op->k == OP_EQ);
        }
        ce_buf_fini(&l);
        ce_buf_fini(&r);
        return rc;
    }
    int rc = get_number(c, &op->a, pr, &x);
    if (rc == CE_OK) {
        rc = get_number(c, &op->b, pr, &y);
    }
    if (rc != CE_OK) {
        return rc;
    }
    *out = op->k == OP_LT ? x < y : op->k == OP_LE ? x <= y : op->k == OP_GT ? x > y : x >= y;
    return CE_OK;
}

static int eval_op(struct jp_ec *c, const struct jp_op *op, const struct params *pr,
                   struct jp_sv *out)
{
    memset(out, 0, sizeof *out);
    int rc = jp_step(c);
    if (rc != CE_OK) {
        return rc;
    }
    if (c->depth >= CE_JSONPATH_DEPTH_MAX * 8) {
        return jp_fail(c, CE_ETOOBIG, 0, "expression nested too deeply");
    }
    c->depth++;
    bool b = false, b2 = false;
    out->k = SV_BOOL;
    switch (op->k) {
    case OP_SELECTOR:
        rc = eval_selector(c, op, pr, out);
        break;
    case OP_OR:
    case OP_AND:
        rc = get_bool(c, &op->a, pr, &b);
        if (rc == CE_OK) {
            rc = get_bool(c, &op->b, pr, &b2);
        }
        out->b = op->k == OP_OR ? (b || b2) : (b && b2);
        break;
    case OP_NOT:
        rc = get_bool(c, &op->a, pr, &b);
        out->b = !b;
        break;
    case OP_REGEX:
        rc = eval_regex(c, op, pr, &out->b);
        break;
    case OP_IN:
    case OP_NOTIN:
        rc = eval_in(c, op, pr, &b);
        out->b = op->k == OP_IN ? b : !b;
        break;
    case OP_PLUS:
    case OP_MINUS:
    case OP_MUL:
    case OP_DIV:
    case OP_POW:
    case OP_MOD:
        rc = eval_arith(c, op, pr, out);
        break;
    default:
        rc = eval_compare(c, op, pr, &out->b);
        break;
    }
    c->depth--;
    if (rc != CE_OK) {
        jp_sv_clear(out);
    }
    return rc;
}

int jp_script_eval(struct jp_ec *c, const struct jp_script *s, json_t *root, json_t *cur,
                   struct jp_sv *out)
{
    memset(out, 0, sizeof *out);
    if (s->src[0] == '\0') {
        return jp_fail(c, CE_EINVAL, JE_EXPR, "invalid expression. is empty");
    }
    struct params pr = {root, cur};
    if (s->root != NULL) {
        return eval_op(c, s->root, &pr, out);
    }
    sv_str(out, s->src, strlen(s->src));
    if (lookup_param(out, &pr)) {
        return CE_OK;
    }
    struct jp_sarg lit = {SA_STR, NULL, s->src, NULL};
    double f;
    bool b;
    if (get_number(c, &lit, &pr, &f) == CE_OK) {
        jp_sv_clear(out);
        out->k = SV_F64;
        out->f = f;
    }
    else if (get_bool(c, &lit, &pr, &b) == CE_OK) {
        jp_sv_clear(out);
        out->k = SV_BOOL;
        out->b = b;
    }
    return c->fatal ? CE_ETOOBIG : CE_OK;
}
