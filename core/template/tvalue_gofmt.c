/* SPDX-License-Identifier: Apache-2.0 */
/* Go's fmt.Sprintf/Sprint/Sprintln over template values: verbs v s q d x X o O b c U e E f F
 * g G t T %, flags "+-# 0", width and precision (also from '*'), and fmt's error forms
 * (%!d(string=x), %!s(MISSING), %!(EXTRA int=1), %!(NOVERB)). */
#include "core/template/tvalue.h"
#include "core/go/gofloat.h"

#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <stdio.h>
#include <string.h>

struct fmtstate {
    struct ce_tv_ctx *c;
    struct ce_buf *b;
    bool plus, minus, sharp, space, zero;
    bool wid_present, prec_present;
    int wid, prec;
};

static void w(struct fmtstate *f, const char *p, size_t n)
{
    ce_tv_out(f->c, f->b, p, n);
}

static void ws(struct fmtstate *f, const char *s)
{
    w(f, s, strlen(s));
}

static size_t rune_count(const char *p, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += ce_utf8_next(p + i, n - i, &cp);
        count++;
    }
    return count;
}

static void padding(struct fmtstate *f, int n, bool zero)
{
    char ch = zero ? '0' : ' ';
    for (int i = 0; i < n; i++) {
        w(f, &ch, 1);
    }
}

static void pad_with(struct fmtstate *f, const char *p, size_t n, bool zero)
{
    if (!f->wid_present || f->wid == 0) {
        w(f, p, n);
        return;
    }
    int width = f->wid - (int)rune_count(p, n);
    if (!f->minus) {
        padding(f, width, zero);
        w(f, p, n);
    }
    else {
        w(f, p, n);
        padding(f, width, false);
    }
}

static void pad(struct fmtstate *f, const char *p, size_t n)
{
    pad_with(f, p, n, f->zero);
}

static void fmt_integer(struct fmtstate *f, uint64_t u, bool is_signed, int base, char verb,
                        bool upper)
{
    const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
    bool negative = is_signed && (int64_t)u < 0;
    if (negative) {
        u = -u;
    }
    char buf[200];
    int prec = 0;
    if (f->prec_present) {
        prec = f->prec > 150 ? 150 : f->prec;
        if (prec == 0 && u == 0) {
            padding(f, f->wid_present ? f->wid : 0, false);
            return;
        }
    }
    else if (f->zero && !f->minus && f->wid_present) {
        prec = f->wid > 150 ? 150 : f->wid;
        if (negative || f->plus || f->space) {
            prec--;
        }
    }
    int i = (int)sizeof buf;
    do {
        buf[--i] = digits[u % (uint64_t)base];
        u /= (uint64_t)base;
    } while (u);
    while (i > 8 && prec > (int)sizeof buf - i) {
        buf[--i] = '0';
    }
    if (f->sharp) {
        if (base == 2) {
            buf[--i] = 'b';
            buf[--i] = '0';
        }
        else if (base == 8 && buf[i] != '0') {
            buf[--i] = '0';
        }
        else if (base == 16) {
            buf[--i] = digits[16];
            buf[--i] = '0';
        }
    }
    if (verb == 'O') {
        buf[--i] = 'o';
        buf[--i] = '0';
    }
    if (negative) {
        buf[--i] = '-';
    }
    else if (f->plus) {
        buf[--i] = '+';
    }
    else if (f->space) {
        buf[--i] = ' ';
    }
    pad_with(f, buf + i, sizeof buf - (size_t)i, false);
}

static void fmt_float(struct fmtstate *f, double v, char verb, int prec)
{
    if (f->prec_present) {
        prec = f->prec > 300 ? 300 : f->prec;
    }
    char num[400];
    num[0] = '+';
    ce_gofloat_format(v, verb, prec, num + 1, sizeof num - 1);
    char *p = num;
    if (p[1] == '-' || p[1] == '+') {
        p++;
    }
    if (f->space && p[0] == '+' && !f->plus) {
        p[0] = ' ';
    }
    if (p[1] == 'I' || p[1] == 'N') {
        if (p[1] == 'N' && !f->space && !f->plus) {
            p++;
        }
        pad_with(f, p, strlen(p), false);
        return;
    }
    size_t len = strlen(p);
    if (f->plus || p[0] != '+') {
        if (f->zero && !f->minus && f->wid_present && f->wid > (int)len) {
            w(f, p, 1);
            padding(f, f->wid - (int)len, true);
            w(f, p + 1, len - 1);
            return;
        }
        pad_with(f, p, len, false);
        return;
    }
    pad_with(f, p + 1, len - 1, f->zero && !f->minus);
}

static bool is_print(uint32_t r)
{
    if (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xad) {
        return false;
    }
    if ((r >= 0x200b && r <= 0x200f) || (r >= 0x2028 && r <= 0x202e) ||
        (r >= 0x2060 && r <= 0x2064) || r == 0xfeff || (r >= 0xe000 && r <= 0xf8ff) ||
        (r >= 0xfff9 && r <= 0xfffb) || r >= 0xfffe) {
        return r > 0xffff && r < 0xf0000 && (r & 0xfffe) != 0xfffe;
    }
    return true;
}

/* strconv.Quote / QuoteRune into out. */
static void quote_into(struct fmtstate *f, const char *p, size_t n, char q, bool ascii)
{
    char tmp[16];
    w(f, &q, 1);
    for (size_t i = 0; i < n;) {
        uint32_t r;
        size_t len = ce_utf8_decode(p + i, n - i, &r);
        if (len == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned char)p[i]);
            ws(f, tmp);
            i++;
            continue;
        }
        if (r == (uint32_t)q || r == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)r;
            w(f, tmp, 2);
        }
        else if (r < 0x80 ? is_print(r) : (!ascii && is_print(r))) {
            w(f, p + i, len);
        }
        else {
            const char *e = r == '\a'   ? "\\a"
                            : r == '\b' ? "\\b"
                            : r == '\f' ? "\\f"
                            : r == '\n' ? "\\n"
                            : r == '\r' ? "\\r"
                            : r == '\t' ? "\\t"
                            : r == '\v' ? "\\v"
                                        : NULL;
            if (e) {
                ws(f, e);
            }
            else {
                if (r < ' ' || r == 0x7f) {
                    snprintf(tmp, sizeof tmp, "\\x%02x", r);
                }
                else if (r < 0x10000) {
                    snprintf(tmp, sizeof tmp, "\\u%04x", r);
                }
                else {
                    snprintf(tmp, sizeof tmp, "\\U%08x", r);
                }
                ws(f, tmp);
            }
        }
        i += len;
    }
    w(f, &q, 1);
}

struct quote_job {
    const char *p;
    size_t n;
    char q;
    bool ascii;
    char hexverb; /* 'x'/'X' for hex dumps instead of quoting */
    bool sharp, space;
};

static void do_quote(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    const struct quote_job *j = arg;
    struct fmtstate f = {.c = c, .b = b};
    if (!j->hexverb) {
        quote_into(&f, j->p, j->n, j->q, j->ascii);
        return;
    }
    const char *hex = j->hexverb == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
    for (size_t i = 0; i < j->n; i++) {
        if (j->space && i > 0) {
            w(&f, " ", 1);
        }
        if (j->sharp && (j->space || i == 0)) {
            w(&f, j->hexverb == 'x' ? "0x" : "0X", 2);
        }
        char h[2] = {hex[(unsigned char)j->p[i] >> 4], hex[(unsigned char)j->p[i] & 15]};
        w(&f, h, 2);
    }
}

static struct ce_tv quoted(struct fmtstate *f, const char *p, size_t n, char q)
{
    struct quote_job j = {p, n, q, f->plus, 0, false, false};
    return ce_tv_build_string(f->c, do_quote, &j);
}

static void fmt_string(struct fmtstate *f, const char *p, size_t n, char verb);

static void bad_verb(struct fmtstate *f, char verb, const struct ce_tv *v);

static void print_value(struct fmtstate *f, const struct ce_tv *v, char verb, int depth);

static void fmt_rune(struct fmtstate *f, uint64_t u, char verb)
{
    char tmp[48];
    uint32_t r = u > 0x10ffff || (u >= 0xd800 && u < 0xe000) ? 0xfffd : (uint32_t)u;
    char enc[4];
    size_t len = ce_utf8_encode(r, enc);
    if (verb == 'c') {
        pad_with(f, enc, len, false);
    }
    else if (verb == 'q') {
        struct ce_tv q = quoted(f, enc, len, '\'');
        pad_with(f, q.u.s.p, q.u.s.n, false);
    }
    else { /* U */
        int k = snprintf(tmp, sizeof tmp, "U+%04llX", (unsigned long long)u);
        if (f->sharp && u <= 0x10ffff && is_print(r)) {
            k += snprintf(tmp + k, sizeof tmp - (size_t)k, " '%.*s'", (int)len, enc);
        }
        pad_with(f, tmp, (size_t)k, false);
    }
}

static void fmt_int_value(struct fmtstate *f, const struct ce_tv *v, char verb)
{
    bool is_signed = v->gotype != CE_TV_GO_UINT8;
    uint64_t u = (uint64_t)v->u.i;
    switch (verb) {
    case 'v':
    case 'd':
        fmt_integer(f, u, is_signed, 10, verb, false);
        break;
    case 'b':
        fmt_integer(f, u, is_signed, 2, verb, false);
        break;
    case 'o':
    case 'O':
        fmt_integer(f, u, is_signed, 8, verb, false);
        break;
    case 'x':
    case 'X':
        fmt_integer(f, u, is_signed, 16, verb, verb == 'X');
        break;
    case 'c':
    case 'q':
    case 'U':
        fmt_rune(f, u, verb);
        break;
    default:
        bad_verb(f, verb, v);
    }
}

static void fmt_string(struct fmtstate *f, const char *p, size_t n, char verb)
{
    if (f->prec_present) { /* precision truncates to that many runes */
        size_t i = 0;
        for (int k = 0; k < f->prec && i < n; k++) {
            uint32_t cp;
            size_t len = ce_utf8_decode(p + i, n - i, &cp);
            i += len ? len : 1;
        }
        n = i;
    }
    switch (verb) {
    case 'v':
    case 's':
        pad(f, p, n);
        break;
    case 'q': {
        struct ce_tv q = quoted(f, p, n, '"');
        pad(f, q.u.s.p, q.u.s.n);
        break;
    }
    case 'x':
    case 'X': {
        struct quote_job j = {p, n, 0, false, verb, f->sharp, f->space};
        struct ce_tv s = ce_tv_build_string(f->c, do_quote, &j);
        pad(f, s.u.s.p, s.u.s.n);
        break;
    }
    default: {
        struct ce_tv s = ce_tv_str(p, n);
        bad_verb(f, verb, &s);
    }
    }
}

static void bad_verb(struct fmtstate *f, char verb, const struct ce_tv *v)
{
    ws(f, "%!");
    w(f, &verb, 1);
    ws(f, "(");
    if (v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID) {
        ws(f, "<nil>");
    }
    else {
        ws(f, ce_tv_type_name(v));
        ws(f, "=");
        print_value(f, v, 'v', 0);
    }
    ws(f, ")");
}

static void print_value(struct fmtstate *f, const struct ce_tv *v, char verb, int depth)
{
    if (depth > CE_TV_MAX_DEPTH) {
        ce_tv_abort(f->c, CE_ETOOBIG, "value nested deeper than %d levels", CE_TV_MAX_DEPTH);
    }
    switch (v->kind) {
    case CE_TV_INVALID:
    case CE_TV_NIL:
        if (verb == 'v' || verb == 'T') {
            pad_with(f, "<nil>", 5, false);
        }
        else {
            bad_verb(f, verb, v);
        }
        return;
    case CE_TV_BOOL:
        if (verb == 't' || verb == 'v') {
            pad(f, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
        }
        else {
            bad_verb(f, verb, v);
        }
        return;
    case CE_TV_INT:
        fmt_int_value(f, v, verb);
        return;
    case CE_TV_FLOAT:
        switch (verb) {
        case 'v':
            fmt_float(f, v->u.f, 'g', -1);
            break;
        case 'g':
        case 'G':
            fmt_float(f, v->u.f, verb, -1);
            break;
        case 'e':
        case 'E':
        case 'f':
            fmt_float(f, v->u.f, verb, 6);
            break;
        case 'F':
            fmt_float(f, v->u.f, 'f', 6);
            break;
        default:
            bad_verb(f, verb, v);
        }
        return;
    case CE_TV_STRING:
        fmt_string(f, v->u.s.p, v->u.s.n, verb);
        return;
    case CE_TV_TIME:
        if (strchr("vsxXq", verb)) {
            struct ce_tv s = ce_tv_sprint(f->c, v);
            fmt_string(f, s.u.s.p, s.u.s.n, verb);
        }
        else {
            bad_verb(f, verb, v);
        }
        return;
    case CE_TV_LIST:
        ws(f, "[");
        for (size_t i = 0; i < v->u.list->len; i++) {
            if (i) {
                ws(f, " ");
            }
            print_value(f, &v->u.list->items[i], verb, depth + 1);
        }
        ws(f, "]");
        return;
    case CE_TV_MAP:
        ws(f, "map[");
        for (size_t i = 0; i < v->u.map->len; i++) {
            const struct ce_tv_entry *e = &v->u.map->e[i];
            if (i) {
                ws(f, " ");
            }
            struct ce_tv k = ce_tv_str(e->key, e->keylen);
            print_value(f, &k, verb, depth + 1);
            ws(f, ":");
            print_value(f, &e->val, verb, depth + 1);
        }
        ws(f, "]");
        return;
    default:
        return;
    }
}

static void print_arg(struct fmtstate *f, const struct ce_tv *v, char verb)
{
    if (verb == 'T') {
        const char *t =
            v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID ? "<nil>" : ce_tv_type_name(v);
        pad_with(f, t, strlen(t), false);
        return;
    }
    print_value(f, v, verb, 0);
}

static void clear_flags(struct fmtstate *f)
{
    f->plus = f->minus = f->sharp = f->space = f->zero = false;
    f->wid_present = f->prec_present = false;
    f->wid = f->prec = 0;
}

/* '*' argument: an int; *ok false when it is not. */
static int int_from_arg(const struct ce_tv *args, size_t nargs, size_t *argn, bool *ok)
{
    *ok = false;
    if (*argn >= nargs) {
        return 0;
    }
    const struct ce_tv *a = &args[(*argn)++];
    if (a->kind != CE_TV_INT) {
        return 0;
    }
    if (a->u.i > 1000000 || a->u.i < -1000000) {
        return 0;
    }
    *ok = true;
    return (int)a->u.i;
}

/* The flags after '%' (# 0 + - space); returns the index past them. */
static size_t parse_flags(struct fmtstate *f, const char *fmt, size_t n, size_t i)
{
    for (; i < n; i++) {
        char ch = fmt[i];
        if (ch == '#') {
            f->sharp = true;
        }
        else if (ch == '0') {
            f->zero = !f->minus;
        }
        else if (ch == '+') {
            f->plus = true;
        }
        else if (ch == '-') {
            f->minus = true;
            f->zero = false;
        }
        else if (ch == ' ') {
            f->space = true;
        }
        else {
            break;
        }
    }
    return i;
}

/* A width: digits, or '*' taking an int argument (a negative one means '-'). Returns the
 * index past it. */
static size_t parse_width(struct fmtstate *f, const char *fmt, size_t n, size_t i,
                          const struct ce_tv *args, size_t nargs, size_t *argn)
{
    if (i < n && fmt[i] == '*') {
        bool ok;
        f->wid = int_from_arg(args, nargs, argn, &ok);
        f->wid_present = ok;
        if (!ok) {
            ws(f, "%!(BADWIDTH)");
        }
        if (f->wid < 0) {
            f->wid = -f->wid;
            f->minus = true;
            f->zero = false;
        }
        return i + 1;
    }
    int wv = 0;
    bool any = false;
    while (i < n && fmt[i] >= '0' && fmt[i] <= '9') {
        if (wv < 1000000) {
            wv = wv * 10 + (fmt[i] - '0');
        }
        any = true;
        i++;
    }
    f->wid = wv;
    f->wid_present = any;
    return i;
}

/* A precision: '.' and digits (none means 0), or ".*" taking an int argument (a negative one
 * means none). Returns the index past it. */
static size_t parse_precision(struct fmtstate *f, const char *fmt, size_t n, size_t i,
                              const struct ce_tv *args, size_t nargs, size_t *argn)
{
    if (i >= n || fmt[i] != '.') {
        return i;
    }
    i++;
    if (i < n && fmt[i] == '*') {
        bool ok;
        f->prec = int_from_arg(args, nargs, argn, &ok);
        f->prec_present = ok;
        if (f->prec < 0) {
            f->prec = 0;
            f->prec_present = false;
        }
        if (!ok) {
            ws(f, "%!(BADPREC)");
        }
        return i + 1;
    }
    int pv = 0;
    while (i < n && fmt[i] >= '0' && fmt[i] <= '9') {
        if (pv < 1000000) {
            pv = pv * 10 + (fmt[i] - '0');
        }
        i++;
    }
    f->prec = pv;
    f->prec_present = true;
    return i;
}

/* A verb outside ASCII: Go prints %!<verb>(<type>=<value>), using up the argument. */
static void print_non_ascii_verb(struct fmtstate *f, const char *verb, size_t vlen,
                                 const struct ce_tv *args, size_t nargs, size_t *argn)
{
    ws(f, "%!");
    w(f, verb, vlen);
    ws(f, *argn < nargs ? "(" : "(MISSING)");
    if (*argn < nargs) {
        const struct ce_tv *a = &args[(*argn)++];
        if (a->kind == CE_TV_NIL || a->kind == CE_TV_INVALID) {
            ws(f, "<nil>)");
        }
        else {
            ws(f, ce_tv_type_name(a));
            ws(f, "=");
            print_value(f, a, 'v', 0);
            ws(f, ")");
        }
    }
}

/* The verb at fmt[i] and its argument; returns the index past the verb. */
static size_t print_verb(struct fmtstate *f, const char *fmt, size_t n, size_t i,
                         const struct ce_tv *args, size_t nargs, size_t *argn)
{
    uint32_t verb = (unsigned char)fmt[i];
    size_t vlen = 1;
    if (verb >= 0x80) {
        vlen = ce_utf8_decode(fmt + i, n - i, &verb);
        if (vlen == 0) {
            vlen = 1;
            verb = 0xfffd;
        }
    }
    if (verb == '%') {
        w(f, "%", 1);
    }
    else if (verb >= 0x80) {
        print_non_ascii_verb(f, fmt + i, vlen, args, nargs, argn);
    }
    else if (*argn >= nargs) {
        char m[16];
        snprintf(m, sizeof m, "%%!%c(MISSING)", (char)verb);
        ws(f, m);
    }
    else {
        if (verb == 'v' && f->sharp) {
            f->sharp = false; /* %#v: Go syntax is not reproduced; plain %v */
        }
        print_arg(f, &args[(*argn)++], (char)verb);
    }
    return i + vlen;
}

/* Arguments no verb used: %!(EXTRA type=value, ...). */
static void print_extra_args(struct fmtstate *f, const struct ce_tv *args, size_t argn,
                             size_t nargs)
{
    clear_flags(f);
    ws(f, "%!(EXTRA ");
    for (size_t k = argn; k < nargs; k++) {
        if (k > argn) {
            ws(f, ", ");
        }
        if (args[k].kind == CE_TV_NIL || args[k].kind == CE_TV_INVALID) {
            ws(f, "<nil>");
        }
        else {
            ws(f, ce_tv_type_name(&args[k]));
            ws(f, "=");
            print_arg(f, &args[k], 'v');
        }
    }
    ws(f, ")");
}

void ce_tv_sprintf(struct ce_tv_ctx *c, struct ce_buf *out, const char *fmt, size_t n,
                   const struct ce_tv *args, size_t nargs)
{
    struct fmtstate f = {.c = c, .b = out};
    size_t argn = 0;
    for (size_t i = 0; i < n;) {
        size_t lit = i;
        while (i < n && fmt[i] != '%') {
            i++;
        }
        if (i > lit) {
            w(&f, fmt + lit, i - lit);
        }
        if (i >= n) {
            break;
        }
        clear_flags(&f);
        i = parse_flags(&f, fmt, n, i + 1);
        i = parse_width(&f, fmt, n, i, args, nargs, &argn);
        i = parse_precision(&f, fmt, n, i, args, nargs, &argn);
        if (i >= n) {
            ws(&f, "%!(NOVERB)");
            break;
        }
        i = print_verb(&f, fmt, n, i, args, nargs, &argn);
    }
    if (argn < nargs) {
        print_extra_args(&f, args, argn, nargs);
    }
}

void ce_tv_sprint_args(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *args,
                       size_t nargs, bool ln)
{
    struct fmtstate f = {.c = c, .b = out};
    bool prev_string = false;
    for (size_t i = 0; i < nargs; i++) {
        bool is_string = args[i].kind == CE_TV_STRING;
        if (i > 0 && (ln || (!is_string && !prev_string))) {
            ws(&f, " ");
        }
        print_arg(&f, &args[i], 'v');
        prev_string = is_string;
    }
    if (ln) {
        ws(&f, "\n");
    }
}
