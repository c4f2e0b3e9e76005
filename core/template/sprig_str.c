/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's string functions: case mapping (Go's Unicode mapping for the Latin, Greek and
 * Cyrillic ranges), trimming, searching, splitting and joining, padding and quoting. Argument
 * order is sprig's (the string comes last so that pipelines work). */
#include "core/template/sprig_int.h"
#include "core/base/utf8.h"

#include <stdio.h>

static SPRIG_FN(fn_trim)
{
    (void)c, (void)n;
    const char *p = S(a[0]);
    size_t s = 0, e = N(a[0]);
    while (s < e) {
        uint32_t r;
        size_t len = sprig_next_rune(p + s, e - s, &r);
        if (!sprig_rune_space(r)) {
            break;
        }
        s += len;
    }
    while (e > s) {
        size_t k = e - 1;
        while (k > s && ((unsigned char)p[k] & 0xc0) == 0x80 && e - k < 4) {
            k--;
        }
        uint32_t r;
        size_t len = ce_utf8_decode(p + k, e - k, &r);
        if (len != e - k) {
            k = e - 1;
            r = 0xfffd;
        }
        if (!sprig_rune_space(r)) {
            break;
        }
        e = k;
    }
    *out = ce_tv_str(p + s, e - s);
    return CE_OK;
}

static bool in_cutset(const struct ce_tv *cut, uint32_t r)
{
    for (size_t i = 0; i < N(*cut);) {
        uint32_t x;
        i += sprig_next_rune(S(*cut) + i, N(*cut) - i, &x);
        if (x == r) {
            return true;
        }
    }
    return false;
}

static SPRIG_FN(fn_trim_all)
{
    (void)c, (void)n;
    const struct ce_tv *cut = &a[0];
    const char *p = S(a[1]);
    size_t s = 0, e = N(a[1]);
    while (s < e) {
        uint32_t r;
        size_t len = sprig_next_rune(p + s, e - s, &r);
        if (!in_cutset(cut, r)) {
            break;
        }
        s += len;
    }
    while (e > s) {
        size_t k = e - 1;
        while (k > s && ((unsigned char)p[k] & 0xc0) == 0x80 && e - k < 4) {
            k--;
        }
        uint32_t r;
        size_t len = ce_utf8_decode(p + k, e - k, &r);
        if (len != e - k) {
            k = e - 1;
            r = 0xfffd;
        }
        if (!in_cutset(cut, r)) {
            break;
        }
        e = k;
    }
    *out = ce_tv_str(p + s, e - s);
    return CE_OK;
}

static bool has_prefix(const struct ce_tv *s, const struct ce_tv *pre)
{
    return N(*s) >= N(*pre) && memcmp(S(*s), S(*pre), N(*pre)) == 0;
}

static bool has_suffix(const struct ce_tv *s, const struct ce_tv *suf)
{
    return N(*s) >= N(*suf) && memcmp(S(*s) + N(*s) - N(*suf), S(*suf), N(*suf)) == 0;
}

static SPRIG_FN(fn_trim_prefix)
{
    (void)c, (void)n;
    *out = has_prefix(&a[1], &a[0]) ? ce_tv_str(S(a[1]) + N(a[0]), N(a[1]) - N(a[0])) : a[1];
    return CE_OK;
}

static SPRIG_FN(fn_trim_suffix)
{
    (void)c, (void)n;
    *out = has_suffix(&a[1], &a[0]) ? ce_tv_str(S(a[1]), N(a[1]) - N(a[0])) : a[1];
    return CE_OK;
}

static SPRIG_FN(fn_nospace)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, N(a[0]) + 1);
    for (size_t i = 0; i < N(a[0]);) {
        uint32_t r;
        size_t len = sprig_next_rune(S(a[0]) + i, N(a[0]) - i, &r);
        if (!sprig_rune_space(r)) {
            sb_add(&b, S(a[0]) + i, len);
        }
        i += len;
    }
    *out = sb_value(&b);
    return CE_OK;
}

static const char *find(const struct ce_tv *s, size_t from, const struct ce_tv *sub)
{
    if (N(*sub) == 0) {
        return S(*s) + from;
    }
    for (size_t i = from; i + N(*sub) <= N(*s); i++) {
        if (memcmp(S(*s) + i, S(*sub), N(*sub)) == 0) {
            return S(*s) + i;
        }
    }
    return NULL;
}

static SPRIG_FN(fn_contains)
{
    (void)c, (void)n;
    *out = ce_tv_bool(find(&a[1], 0, &a[0]) != NULL);
    return CE_OK;
}

static SPRIG_FN(fn_has_prefix)
{
    (void)c, (void)n;
    *out = ce_tv_bool(has_prefix(&a[1], &a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_has_suffix)
{
    (void)c, (void)n;
    *out = ce_tv_bool(has_suffix(&a[1], &a[0]));
    return CE_OK;
}

static int repeat_into(struct ce_tv_ctx *c, struct sb *b, int64_t count, const char *p, size_t len)
{
    if (count < 0) {
        return SPRIG_FAIL(c, "strings: negative Repeat count");
    }
    if (len && (uint64_t)count > CE_TV_MAX_STRING / len) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u);
    }
    for (int64_t i = 0; i < count && len; i++) {
        sb_add(b, p, len);
    }
    return CE_OK;
}

static SPRIG_FN(fn_repeat)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, 16);
    int rc = repeat_into(c, &b, a[0].u.i, S(a[1]), N(a[1]));
    *out = sb_value(&b);
    return rc;
}

static SPRIG_FN(fn_substr)
{
    (void)n;
    int64_t start = a[0].u.i, end = a[1].u.i, len = (int64_t)N(a[2]);
    const char *p = S(a[2]);
    if (start < 0) {
        if (end < 0 || end > len) {
            return SPRIG_FAIL(c,
                              "runtime error: slice bounds out of range [:%lld] with length %lld",
                              (long long)end, (long long)len);
        }
        *out = ce_tv_str(p, (size_t)end);
        return CE_OK;
    }
    if (end < 0 || end > len) {
        if (start > len) {
            return SPRIG_FAIL(c, "runtime error: slice bounds out of range [%lld:%lld]",
                              (long long)start, (long long)len);
        }
        *out = ce_tv_str(p + start, (size_t)(len - start));
        return CE_OK;
    }
    if (start > end) {
        return SPRIG_FAIL(c, "runtime error: slice bounds out of range [%lld:%lld]",
                          (long long)start, (long long)end);
    }
    *out = ce_tv_str(p + start, (size_t)(end - start));
    return CE_OK;
}

static SPRIG_FN(fn_trunc)
{
    (void)c, (void)n;
    int64_t cnt = a[0].u.i, len = (int64_t)N(a[1]);
    if (cnt < 0 && len + cnt > 0) {
        *out = ce_tv_str(S(a[1]) + len + cnt, (size_t)(-cnt));
    }
    else if (cnt >= 0 && len > cnt) {
        *out = ce_tv_str(S(a[1]), (size_t)cnt);
    }
    else {
        *out = a[1];
    }
    return CE_OK;
}

static SPRIG_FN(fn_abbrev)
{
    (void)n;
    int64_t width = a[0].u.i;
    if (width < 4 || (int64_t)N(a[1]) <= width) {
        *out = a[1];
        return CE_OK;
    }
    struct sb b;
    sb_init(&b, c, (size_t)width);
    sb_add(&b, S(a[1]), (size_t)width - 3);
    sb_add(&b, "...", 3);
    *out = sb_value(&b);
    return CE_OK;
}

static void do_fmt_each(struct ce_tv_ctx *c, struct ce_buf *buf, void *arg)
{
    const struct ce_tv *args = ((const struct ce_tv **)arg)[0];
    size_t n = *((const size_t **)arg)[1];
    const char *fmt = ((const char **)arg)[2];
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (args[i].kind == CE_TV_NIL || args[i].kind == CE_TV_INVALID) {
            continue;
        }
        if (!first) {
            ce_tv_out(c, buf, " ", 1);
        }
        first = false;
        struct ce_tv v = args[i];
        if (fmt[1] == 'q') {
            v = ce_tv_sprint(c, &v); /* quote uses strval first */
        }
        ce_tv_sprintf(c, buf, fmt, strlen(fmt), &v, 1);
    }
}

static struct ce_tv fmt_each(struct ce_tv_ctx *c, const struct ce_tv *a, size_t n, const char *fmt)
{
    const void *job[3] = {a, &n, fmt};
    return ce_tv_build_string(c, do_fmt_each, job);
}

static SPRIG_FN(fn_quote)
{
    *out = fmt_each(c, a, n, "%q");
    return CE_OK;
}

static SPRIG_FN(fn_squote)
{
    *out = fmt_each(c, a, n, "'%v'");
    return CE_OK;
}

static SPRIG_FN(fn_cat)
{
    *out = fmt_each(c, a, n, "%v");
    return CE_OK;
}

static int indent_into(struct ce_tv_ctx *c, struct sb *b, int64_t spaces, const struct ce_tv *s)
{
    if (spaces < 0) {
        return SPRIG_FAIL(c, "strings: negative Repeat count");
    }
    if ((uint64_t)spaces > CE_TV_MAX_STRING) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u);
    }
    size_t lines = 1;
    for (size_t i = 0; i < N(*s); i++) {
        lines += S(*s)[i] == '\n';
    }
    if (spaces && lines > CE_TV_MAX_STRING / (size_t)spaces) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u);
    }
    size_t start = 0;
    for (size_t i = 0; i <= N(*s); i++) {
        if (i == N(*s) || S(*s)[i] == '\n') {
            for (int64_t k = 0; k < spaces; k++) {
                sb_add(b, " ", 1);
            }
            sb_add(b, S(*s) + start, i - start + (i < N(*s)));
            start = i + 1;
        }
    }
    return CE_OK;
}

static SPRIG_FN(fn_indent)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, N(a[1]) + 16);
    int rc = indent_into(c, &b, a[0].u.i, &a[1]);
    *out = sb_value(&b);
    return rc;
}

static SPRIG_FN(fn_nindent)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, N(a[1]) + 16);
    sb_add(&b, "\n", 1);
    int rc = indent_into(c, &b, a[0].u.i, &a[1]);
    *out = sb_value(&b);
    return rc;
}

static SPRIG_FN(fn_replace)
{
    (void)n;
    const struct ce_tv *old = &a[0], *rep = &a[1], *src = &a[2];
    struct sb b;
    sb_init(&b, c, N(*src) + 16);
    if (N(*old) == 0) { /* Go inserts rep before every rune and at the end */
        for (size_t i = 0; i < N(*src);) {
            uint32_t r;
            size_t len = sprig_next_rune(S(*src) + i, N(*src) - i, &r);
            sb_add(&b, S(*rep), N(*rep));
            sb_add(&b, S(*src) + i, len);
            i += len;
        }
        sb_add(&b, S(*rep), N(*rep));
        *out = sb_value(&b);
        return CE_OK;
    }
    size_t i = 0;
    for (;;) {
        const char *hit = find(src, i, old);
        if (!hit) {
            break;
        }
        size_t at = (size_t)(hit - S(*src));
        sb_add(&b, S(*src) + i, at - i);
        sb_add(&b, S(*rep), N(*rep));
        i = at + N(*old);
    }
    sb_add(&b, S(*src) + i, N(*src) - i);
    *out = sb_value(&b);
    return CE_OK;
}

/* strings.SplitN(s, sep, n) as a []string list. */
static struct ce_tv split_n(struct ce_tv_ctx *c, const struct ce_tv *sep, const struct ce_tv *s,
                            int64_t limit)
{
    struct ce_tv l = ce_tv_list_new(c, 0, CE_TV_GO_STRINGS);
    if (limit == 0) {
        l.gotype = CE_TV_GO_STRINGS; /* nil slice */
        return l;
    }
    size_t i = 0;
    if (N(*sep) == 0) { /* explode into runes */
        while (i < N(*s)) {
            if (limit > 0 && (int64_t)l.u.list->len == limit - 1) {
                ce_tv_list_push(c, &l, ce_tv_str(S(*s) + i, N(*s) - i));
                return l;
            }
            uint32_t r;
            size_t len = sprig_next_rune(S(*s) + i, N(*s) - i, &r);
            ce_tv_list_push(c, &l, ce_tv_str(S(*s) + i, len));
            i += len;
        }
        return l;
    }
    for (;;) {
        if (limit > 0 && (int64_t)l.u.list->len == limit - 1) {
            break;
        }
        const char *hit = find(s, i, sep);
        if (!hit) {
            break;
        }
        size_t at = (size_t)(hit - S(*s));
        ce_tv_list_push(c, &l, ce_tv_str(S(*s) + i, at - i));
        i = at + N(*sep);
    }
    ce_tv_list_push(c, &l, ce_tv_str(S(*s) + i, N(*s) - i));
    return l;
}

static struct ce_tv list_to_split_map(struct ce_tv_ctx *c, const struct ce_tv *l)
{
    struct ce_tv m = ce_tv_map_new(c, CE_TV_GO_STRINGS);
    for (size_t i = 0; i < l->u.list->len; i++) {
        char key[32];
        int k = snprintf(key, sizeof key, "_%zu", i);
        ce_tv_map_set(c, &m, key, (size_t)k, l->u.list->items[i]);
    }
    return m;
}

static SPRIG_FN(fn_split)
{
    (void)n;
    struct ce_tv l = split_n(c, &a[0], &a[1], -1);
    *out = list_to_split_map(c, &l);
    return CE_OK;
}

static SPRIG_FN(fn_splitn)
{
    (void)n;
    struct ce_tv l = split_n(c, &a[0], &a[2], a[1].u.i);
    *out = list_to_split_map(c, &l);
    return CE_OK;
}

static SPRIG_FN(fn_split_list)
{
    (void)n;
    *out = split_n(c, &a[0], &a[1], -1);
    return CE_OK;
}

static SPRIG_FN(fn_join)
{
    (void)n;
    struct ce_tv l = sprig_strslice(c, &a[1]);
    struct sb b;
    sb_init(&b, c, 64);
    for (size_t i = 0; i < l.u.list->len; i++) {
        if (i) {
            sb_add(&b, S(a[0]), N(a[0]));
        }
        sb_add(&b, S(l.u.list->items[i]), N(l.u.list->items[i]));
    }
    *out = sb_value(&b);
    return CE_OK;
}

static int str_cmp(const void *x, const void *y)
{
    const struct ce_tv *a = x, *b = y;
    size_t n = N(*a) < N(*b) ? N(*a) : N(*b);
    int r = n ? memcmp(S(*a), S(*b), n) : 0;
    return r ? r : (N(*a) < N(*b) ? -1 : N(*a) > N(*b));
}

static SPRIG_FN(fn_sort_alpha)
{
    (void)n;
    if (a[0].kind != CE_TV_LIST) {
        struct ce_tv l = ce_tv_list_new(c, 1, CE_TV_GO_STRINGS);
        ce_tv_list_push(c, &l, ce_tv_sprint(c, &a[0]));
        *out = l;
        return CE_OK;
    }
    struct ce_tv src = sprig_strslice(c, &a[0]);
    struct ce_tv l = ce_tv_list_new(c, src.u.list->len, CE_TV_GO_STRINGS);
    for (size_t i = 0; i < src.u.list->len; i++) {
        ce_tv_list_push(c, &l, src.u.list->items[i]);
    }
    if (l.u.list->len > 1) {
        qsort(l.u.list->items, l.u.list->len, sizeof(struct ce_tv), str_cmp);
    }
    *out = l;
    return CE_OK;
}

static SPRIG_FN(fn_to_strings)
{
    (void)n;
    *out = sprig_strslice(c, &a[0]);
    return CE_OK;
}

static SPRIG_FN(fn_to_string)
{
    (void)n;
    *out = ce_tv_sprint(c, &a[0]);
    return CE_OK;
}

static SPRIG_FN(fn_plural)
{
    (void)c, (void)n;
    *out = a[2].u.i == 1 ? a[0] : a[1];
    return CE_OK;
}

#define STR CE_FT_STRING
#define INT CE_FT_INT
#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_str_fns[] = {
    {"trim", fn_trim, 1, 0, {STR}},
    {"trimAll", fn_trim_all, 2, 0, {STR, STR}},
    {"trimall", fn_trim_all, 2, 0, {STR, STR}},
    {"trimPrefix", fn_trim_prefix, 2, 0, {STR, STR}},
    {"trimSuffix", fn_trim_suffix, 2, 0, {STR, STR}},
    {"nospace", fn_nospace, 1, 0, {STR}},
    {"contains", fn_contains, 2, 0, {STR, STR}},
    {"hasPrefix", fn_has_prefix, 2, 0, {STR, STR}},
    {"hasSuffix", fn_has_suffix, 2, 0, {STR, STR}},
    {"repeat", fn_repeat, 2, 0, {INT, STR}},
    {"substr", fn_substr, 3, 0, {INT, INT, STR}},
    {"trunc", fn_trunc, 2, 0, {INT, STR}},
    {"abbrev", fn_abbrev, 2, 0, {INT, STR}},
    {"quote", fn_quote, 0, 1, {ANY}},
    {"squote", fn_squote, 0, 1, {ANY}},
    {"cat", fn_cat, 0, 1, {ANY}},
    {"indent", fn_indent, 2, 0, {INT, STR}},
    {"nindent", fn_nindent, 2, 0, {INT, STR}},
    {"replace", fn_replace, 3, 0, {STR, STR, STR}},
    {"split", fn_split, 2, 0, {STR, STR}},
    {"splitn", fn_splitn, 3, 0, {STR, INT, STR}},
    {"splitList", fn_split_list, 2, 0, {STR, STR}},
    {"join", fn_join, 2, 0, {STR, ANY}},
    {"sortAlpha", fn_sort_alpha, 1, 0, {ANY}},
    {"toStrings", fn_to_strings, 1, 0, {ANY}},
    {"toString", fn_to_string, 1, 0, {ANY}},
    {"plural", fn_plural, 3, 0, {STR, STR, INT}},
};
const size_t ce_sprig_str_nfns = sizeof ce_sprig_str_fns / sizeof ce_sprig_str_fns[0];
