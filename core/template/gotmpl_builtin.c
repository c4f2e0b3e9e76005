/* SPDX-License-Identifier: Apache-2.0 */
/* The functions Go's text/template predefines (and, or, not, len, index, print, printf,
 * println, eq, ne, lt, le, gt, ge, html, js, urlquery, call) and the time.Time methods
 * templates call on `now`, with Go's comparison rules and error texts. */
#include "core/template/gotmpl_int.h"

#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <stdio.h>
#include <string.h>

#define FAIL(c, ...) ce_rc_fail(CE_EINVAL, (c)->err, (c)->errlen, __VA_ARGS__)

static int fn_not(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)c, (void)n;
    *out = ce_tv_bool(!ce_tv_truth(&a[0]));
    return CE_OK;
}

static int fn_andor(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)c, (void)a, (void)n, (void)out;
    return CE_OK; /* evaluated lazily by the executor */
}

static int fn_len(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    if (a[0].kind == CE_TV_INVALID) {
        return FAIL(c, "len of untyped nil");
    }
    if (a[0].kind == CE_TV_NIL) {
        return FAIL(c, "len of nil pointer");
    }
    int64_t len = ce_tv_len(&a[0]);
    if (len < 0) {
        return FAIL(c, "len of type %s", ce_tv_type_name(&a[0]));
    }
    *out = ce_tv_int(len);
    return CE_OK;
}

static int index_arg(struct ce_tv_ctx *c, const struct ce_tv *ix, size_t len, int64_t *x)
{
    if (ix->kind == CE_TV_INVALID || ix->kind == CE_TV_NIL) {
        return FAIL(c, "cannot index slice/array with nil");
    }
    if (ix->kind != CE_TV_INT) {
        return FAIL(c, "cannot index slice/array with type %s", ce_tv_type_name(ix));
    }
    *x = ix->u.i;
    if (*x < 0 || (uint64_t)*x > len) {
        return FAIL(c, "index out of range: %lld", (long long)*x);
    }
    return CE_OK;
}

static int fn_index(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct ce_tv item = a[0];
    if (item.kind == CE_TV_INVALID || item.kind == CE_TV_NIL) {
        return FAIL(c, "index of untyped nil");
    }
    for (size_t i = 1; i < n; i++) {
        const struct ce_tv *ix = &a[i];
        int64_t x = 0;
        int rc;
        switch (item.kind) {
        case CE_TV_NIL:
            return FAIL(c, "index of nil pointer");
        case CE_TV_LIST:
        case CE_TV_STRING: {
            size_t len = (size_t)ce_tv_len(&item);
            if ((rc = index_arg(c, ix, len, &x)) != CE_OK) {
                return rc;
            }
            if ((size_t)x == len) {
                return FAIL(c, "index out of range: %lld", (long long)x);
            }
            if (item.kind == CE_TV_LIST) {
                item = item.u.list->items[x];
            }
            else {
                item = ce_tv_int((unsigned char)item.u.s.p[x]);
                item.gotype = CE_TV_GO_UINT8;
            }
            break;
        }
        case CE_TV_MAP: {
            const char *k = "";
            size_t kl = 0;
            if (ix->kind == CE_TV_STRING) {
                k = ix->u.s.p, kl = ix->u.s.n;
            }
            else if (ix->kind != CE_TV_INVALID && ix->kind != CE_TV_NIL) {
                return FAIL(c, "value has type %s; should be string", ce_tv_type_name(ix));
            }
            struct ce_tv *v = ce_tv_map_get(&item, k, kl);
            if (v) {
                item = *v;
            }
            else {
                item = item.gotype == CE_TV_GO_STRINGS ? ce_tv_str("", 0) : ce_tv_nil();
            }
            break;
        }
        default:
            return FAIL(c, "can't index item of type %s", ce_tv_type_name(&item));
        }
    }
    *out = item;
    return CE_OK;
}

/* basicKind: 0 invalid/other, 1 bool, 2 int, 3 float, 4 string */
static int basic_kind(const struct ce_tv *v)
{
    switch (v->kind) {
    case CE_TV_BOOL:
        return 1;
    case CE_TV_INT:
        return 2;
    case CE_TV_FLOAT:
        return 3;
    case CE_TV_STRING:
        return 4;
    default:
        return 0;
    }
}

static bool valid(const struct ce_tv *v)
{
    return v->kind != CE_TV_INVALID && v->kind != CE_TV_NIL;
}

static int str_cmp(const struct ce_tv *a, const struct ce_tv *b)
{
    size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
    int r = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
    if (r) {
        return r;
    }
    return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

static int eq_two(struct ce_tv_ctx *c, const struct ce_tv *x, const struct ce_tv *y, bool *truth)
{
    int k1 = basic_kind(x), k2 = basic_kind(y);
    *truth = false;
    if (k1 != k2) {
        if (valid(x) && valid(y)) {
            return FAIL(c, "incompatible types for comparison");
        }
        return CE_OK;
    }
    switch (k1) {
    case 1:
        *truth = x->u.b == y->u.b;
        break;
    case 2:
        *truth = x->u.i == y->u.i;
        break;
    case 3:
        *truth = x->u.f == y->u.f;
        break;
    case 4:
        *truth = str_cmp(x, y) == 0;
        break;
    default:
        if (!valid(x) || !valid(y)) {
            *truth = valid(x) == valid(y);
        }
        else if (x->kind == CE_TV_TIME && y->kind == CE_TV_TIME) {
            *truth = ce_tv_deep_equal(x, y, 0);
        }
        else if (x->kind != y->kind || x->gotype != y->gotype) {
            return FAIL(c, "incompatible types for comparison");
        }
        else {
            return FAIL(c, "non-comparable type: %s", ce_tv_type_name(y));
        }
    }
    return CE_OK;
}

static int fn_eq(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    if (n < 2) {
        return FAIL(c, "missing argument for comparison");
    }
    for (size_t i = 1; i < n; i++) {
        bool t;
        int rc = eq_two(c, &a[0], &a[i], &t);
        if (rc != CE_OK) {
            return rc;
        }
        if (t) {
            *out = ce_tv_bool(true);
            return CE_OK;
        }
    }
    *out = ce_tv_bool(false);
    return CE_OK;
}

static int fn_ne(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    bool t;
    int rc = eq_two(c, &a[0], &a[1], &t);
    *out = ce_tv_bool(!t);
    return rc;
}

static int lt_two(struct ce_tv_ctx *c, const struct ce_tv *x, const struct ce_tv *y, bool *truth)
{
    int k1 = basic_kind(x), k2 = basic_kind(y);
    if (k1 == 0 || k2 == 0) {
        return FAIL(c, "invalid type for comparison");
    }
    if (k1 != k2) {
        return FAIL(c, "incompatible types for comparison");
    }
    switch (k1) {
    case 2:
        *truth = x->u.i < y->u.i;
        break;
    case 3:
        *truth = x->u.f < y->u.f;
        break;
    case 4:
        *truth = str_cmp(x, y) < 0;
        break;
    default:
        return FAIL(c, "invalid type for comparison");
    }
    return CE_OK;
}

/* op: 0 lt, 1 le, 2 gt, 3 ge */
static int compare(struct ce_tv_ctx *c, struct ce_tv *a, int op, struct ce_tv *out)
{
    bool lt = false, eq = false;
    int rc = lt_two(c, &a[0], &a[1], &lt);
    if (rc == CE_OK && (op == 1 || op == 2) && !lt) {
        rc = eq_two(c, &a[0], &a[1], &eq);
    }
    if (rc != CE_OK) {
        return rc;
    }
    bool le = lt || eq;
    bool r = op == 0 ? lt : op == 1 ? le : op == 2 ? !le : !lt;
    *out = ce_tv_bool(r);
    return CE_OK;
}

static int fn_lt(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    return compare(c, a, 0, out);
}

static int fn_le(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    return compare(c, a, 1, out);
}

static int fn_gt(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    return compare(c, a, 2, out);
}

static int fn_ge(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n;
    return compare(c, a, 3, out);
}

struct print_args {
    struct ce_tv *a;
    size_t n;
    int mode; /* 0 print, 1 println, 2 printf */
};

static void do_print(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    struct print_args *p = arg;
    if (p->mode == 2) {
        ce_tv_sprintf(c, b, p->a[0].u.s.p, p->a[0].u.s.n, p->a + 1, p->n - 1);
    }
    else {
        ce_tv_sprint_args(c, b, p->a, p->n, p->mode == 1);
    }
}

static int fn_print(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct print_args p = {a, n, 0};
    *out = ce_tv_build_string(c, do_print, &p);
    return CE_OK;
}

static int fn_println(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct print_args p = {a, n, 1};
    *out = ce_tv_build_string(c, do_print, &p);
    return CE_OK;
}

static int fn_printf(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct print_args p = {a, n, 2};
    *out = ce_tv_build_string(c, do_print, &p);
    return CE_OK;
}

/* evalArgs: one string argument as is, otherwise fmt.Sprint of all. */
static struct ce_tv eval_args(struct ce_tv_ctx *c, struct ce_tv *a, size_t n)
{
    if (n == 1 && a[0].kind == CE_TV_STRING) {
        return a[0];
    }
    struct print_args p = {a, n, 0};
    return ce_tv_build_string(c, do_print, &p);
}

static void do_html(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct ce_tv *s = arg;
    for (size_t i = 0; i < s->u.s.n; i++) {
        char ch = s->u.s.p[i];
        const char *rep = ch == '"'    ? "&#34;"
                          : ch == '\'' ? "&#39;"
                          : ch == '&'  ? "&amp;"
                          : ch == '<'  ? "&lt;"
                          : ch == '>'  ? "&gt;"
                          : ch == 0    ? "\xef\xbf\xbd"
                                       : NULL;
        if (rep) {
            ce_tv_out(c, b, rep, strlen(rep));
        }
        else {
            ce_tv_out(c, b, &ch, 1);
        }
    }
}

static int fn_html(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct ce_tv s = eval_args(c, a, n);
    *out = ce_tv_build_string(c, do_html, &s);
    return CE_OK;
}

static void do_js(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct ce_tv *s = arg;
    char tmp[16];
    for (size_t i = 0; i < s->u.s.n;) {
        unsigned char ch = (unsigned char)s->u.s.p[i];
        const char *rep = NULL;
        switch (ch) {
        case '\\':
            rep = "\\\\";
            break;
        case '\'':
            rep = "\\'";
            break;
        case '"':
            rep = "\\\"";
            break;
        case '<':
            rep = "\\u003C";
            break;
        case '>':
            rep = "\\u003E";
            break;
        case '&':
            rep = "\\u0026";
            break;
        case '=':
            rep = "\\u003D";
            break;
        default:
            break;
        }
        if (rep) {
            ce_tv_out(c, b, rep, strlen(rep));
            i++;
            continue;
        }
        if (ch < 0x80) {
            if (ch < 0x20 || ch == 0x7f) {
                snprintf(tmp, sizeof tmp, "\\u%04X", ch);
                ce_tv_out(c, b, tmp, strlen(tmp));
            }
            else {
                ce_tv_out(c, b, &s->u.s.p[i], 1);
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = ce_utf8_decode(s->u.s.p + i, s->u.s.n - i, &cp);
        if (len == 0) {
            ce_tv_out(c, b, "\\uFFFD", 6); /* invalid UTF-8 decodes as U+FFFD, not printable */
            i++;
            continue;
        }
        ce_tv_out(c, b, s->u.s.p + i, len);
        i += len;
    }
}

static int fn_js(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct ce_tv s = eval_args(c, a, n);
    *out = ce_tv_build_string(c, do_js, &s);
    return CE_OK;
}

static void do_urlquery(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct ce_tv *s = arg;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < s->u.s.n; i++) {
        unsigned char ch = (unsigned char)s->u.s.p[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            ce_tv_out(c, b, &s->u.s.p[i], 1);
        }
        else if (ch == ' ') {
            ce_tv_out(c, b, "+", 1);
        }
        else {
            char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            ce_tv_out(c, b, esc, 3);
        }
    }
}

static int fn_urlquery(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    struct ce_tv s = eval_args(c, a, n);
    *out = ce_tv_build_string(c, do_urlquery, &s);
    return CE_OK;
}

static int fn_call(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)
{
    (void)n, (void)out;
    if (!valid(&a[0])) {
        return FAIL(c, "call of nil");
    }
    return FAIL(c, "non-function of type %s", ce_tv_type_name(&a[0]));
}

#define V CE_FT_VALUE
#define A CE_FT_ANY

static const struct ce_fn builtins[] = {
    {"and", fn_andor, 1, 1, {V, V}},
    {"or", fn_andor, 1, 1, {V, V}},
    {"not", fn_not, 1, 0, {V}},
    {"len", fn_len, 1, 0, {V}},
    {"index", fn_index, 1, 1, {V, V}},
    {"print", fn_print, 0, 1, {A}},
    {"printf", fn_printf, 1, 1, {CE_FT_STRING, A}},
    {"println", fn_println, 0, 1, {A}},
    {"eq", fn_eq, 1, 1, {V, V}},
    {"ne", fn_ne, 2, 0, {V, V}},
    {"lt", fn_lt, 2, 0, {V, V}},
    {"le", fn_le, 2, 0, {V, V}},
    {"gt", fn_gt, 2, 0, {V, V}},
    {"ge", fn_ge, 2, 0, {V, V}},
    {"html", fn_html, 0, 1, {A}},
    {"js", fn_js, 0, 1, {A}},
    {"urlquery", fn_urlquery, 0, 1, {A}},
    {"call", fn_call, 1, 1, {V, V}},
};

const struct ce_fn *tmpl_builtin_lookup(const char *name, size_t len, int *special)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        if (strlen(builtins[i].name) == len && memcmp(builtins[i].name, name, len) == 0) {
            *special = i == 0 ? TB_AND : i == 1 ? TB_OR : TB_OTHER;
            return &builtins[i];
        }
    }
    return NULL;
}
