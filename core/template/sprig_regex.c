/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's regular expression functions over PCRE2, following Go's regexp API: leftmost-first
 * matches, FindAll/ReplaceAll/Split stepping over empty matches as Go does, and $1/${name}
 * expansion in replacements. Constructs RE2 refuses (lookaround, backreferences) are refused
 * here too; `$` matches only at the end of the text, as in Go. */
#include "core/template/sprig_int.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>

#define RX_MATCH_LIMIT 1000000u

struct rx {
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mc;
};

static void rx_free(struct rx *r)
{
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mc);
    pcre2_code_free(r->code);
}

static bool re2_refuses(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == '\\') {
            if (p[i + 1] >= '1' && p[i + 1] <= '9') {
                return true;
            }
            i++;
            continue;
        }
        if (p[i] == '(' && p[i + 1] == '?' && i + 2 < n &&
            (p[i + 2] == '=' || p[i + 2] == '!' ||
             (p[i + 2] == '<' && i + 3 < n && (p[i + 3] == '=' || p[i + 3] == '!')))) {
            return true;
        }
    }
    return false;
}

/* Compiles pattern; on failure writes Go-like text to c->err and returns CE_EINVAL. */
static int rx_compile(struct ce_tv_ctx *c, const struct ce_tv *pat, struct rx *r)
{
    memset(r, 0, sizeof *r);
    int ec = 0;
    PCRE2_SIZE eo = 0;
    if (!re2_refuses(S(*pat), N(*pat))) {
        r->code = pcre2_compile((PCRE2_SPTR)S(*pat), N(*pat),
                                PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &ec,
                                &eo, NULL);
    }
    if (!r->code) {
        char msg[160] = "invalid or unsupported Perl syntax";
        if (ec) {
            pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof msg);
        }
        return SPRIG_FAIL(c, "regexp: Compile(`%.*s`): error parsing regexp: %s",
                          (int)(N(*pat) > 100 ? 100 : N(*pat)), S(*pat), msg);
    }
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    r->mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(r->mc, RX_MATCH_LIMIT);
    return CE_OK;
}

/* One match at or after pos: ovector pairs in *ov, count in *nov; false when none. */
static bool rx_exec(struct rx *r, const struct ce_tv *s, size_t pos, PCRE2_SIZE **ov, uint32_t *nov)
{
    int rc = pcre2_match(r->code, (PCRE2_SPTR)S(*s), N(*s), pos, 0, r->md, r->mc);
    if (rc <= 0) {
        return false;
    }
    *ov = pcre2_get_ovector_pointer(r->md);
    *nov = pcre2_get_ovector_count(r->md);
    return true;
}

static size_t rune_width(const struct ce_tv *s, size_t pos)
{
    if (pos >= N(*s)) {
        return 1;
    }
    unsigned char ch = (unsigned char)S(*s)[pos];
    size_t w = ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
    for (size_t i = 1; i < w; i++) {
        if (pos + i >= N(*s) || ((unsigned char)S(*s)[pos + i] & 0xc0) != 0x80) {
            return 1;
        }
    }
    return w;
}

/* Go's allMatches: calls fn for each accepted match, at most n (n < 0: all). */
static void rx_all(struct rx *r, const struct ce_tv *s, int64_t n,
                   void (*fn)(void *, PCRE2_SIZE *, uint32_t), void *arg)
{
    size_t pos = 0;
    long long prev_end = -1;
    for (int64_t i = 0; (n < 0 || i < n) && pos <= N(*s);) {
        PCRE2_SIZE *ov;
        uint32_t nov;
        if (!rx_exec(r, s, pos, &ov, &nov)) {
            break;
        }
        bool accept = true;
        if (ov[1] == pos) {
            if ((long long)ov[0] == prev_end) {
                accept = false;
            }
            pos += rune_width(s, pos);
        }
        else {
            pos = ov[1];
        }
        prev_end = (long long)ov[1];
        if (accept) {
            fn(arg, ov, nov);
            i++;
        }
    }
}

static SPRIG_FN(fn_regex_match)
{
    (void)n;
    struct rx r;
    if (rx_compile(c, &a[0], &r) != CE_OK) {
        *out = ce_tv_bool(false); /* regexMatch ignores the compile error */
        return CE_OK;
    }
    PCRE2_SIZE *ov;
    uint32_t nov;
    *out = ce_tv_bool(rx_exec(&r, &a[1], 0, &ov, &nov));
    rx_free(&r);
    return CE_OK;
}

static SPRIG_FN(fn_must_regex_match)
{
    (void)n;
    struct rx r;
    int rc = rx_compile(c, &a[0], &r);
    if (rc != CE_OK) {
        return rc;
    }
    PCRE2_SIZE *ov;
    uint32_t nov;
    *out = ce_tv_bool(rx_exec(&r, &a[1], 0, &ov, &nov));
    rx_free(&r);
    return CE_OK;
}

static SPRIG_FN(fn_regex_find)
{
    (void)n;
    struct rx r;
    int rc = rx_compile(c, &a[0], &r);
    if (rc != CE_OK) {
        return rc;
    }
    PCRE2_SIZE *ov;
    uint32_t nov;
    size_t from = 0, len = 0;
    if (rx_exec(&r, &a[1], 0, &ov, &nov)) {
        from = ov[0];
        len = ov[1] - ov[0];
    }
    rx_free(&r);
    *out = ce_tv_str(S(a[1]) + from, len);
    return CE_OK;
}

struct spans {
    size_t *v; /* start, end pairs */
    size_t n, cap;
    bool over;
};

static void collect(void *arg, PCRE2_SIZE *ov, uint32_t nov)
{
    (void)nov;
    struct spans *s = arg;
    if (s->n == s->cap) {
        s->over = true;
        return;
    }
    s->v[2 * s->n] = ov[0];
    s->v[2 * s->n + 1] = ov[1];
    s->n++;
}

/* All match spans; the list lives in the arena (allocated before matching, so no longjmp can
 * happen while PCRE2 objects are held). */
static int all_spans(struct ce_tv_ctx *c, const struct ce_tv *pat, const struct ce_tv *s, int64_t n,
                     struct spans *sp)
{
    struct rx r;
    int rc = rx_compile(c, pat, &r);
    if (rc != CE_OK) {
        return rc;
    }
    sp->cap = N(*s) + 1;
    sp->n = 0;
    sp->over = false;
    rx_free(&r);
    sp->v = ce_tv_alloc(c, 2 * sp->cap * sizeof *sp->v);
    rc = rx_compile(c, pat, &r);
    if (rc != CE_OK) {
        return rc;
    }
    rx_all(&r, s, n, collect, sp);
    rx_free(&r);
    return CE_OK;
}

static SPRIG_FN(fn_regex_find_all)
{
    (void)n;
    struct spans sp;
    int rc = all_spans(c, &a[0], &a[1], a[2].u.i, &sp);
    if (rc != CE_OK) {
        return rc;
    }
    struct ce_tv l = ce_tv_list_new(c, sp.n, CE_TV_GO_STRINGS);
    for (size_t i = 0; i < sp.n; i++) {
        ce_tv_list_push(c, &l, ce_tv_str(S(a[1]) + sp.v[2 * i], sp.v[2 * i + 1] - sp.v[2 * i]));
    }
    *out = l;
    return CE_OK;
}

static SPRIG_FN(fn_regex_split)
{
    (void)n;
    int64_t lim = a[2].u.i;
    struct ce_tv l = ce_tv_list_new(c, 0, CE_TV_GO_STRINGS);
    if (lim == 0) {
        *out = l;
        return CE_OK;
    }
    if (N(a[0]) > 0 && N(a[1]) == 0) {
        ce_tv_list_push(c, &l, ce_tv_str("", 0));
        *out = l;
        return CE_OK;
    }
    struct spans sp;
    int rc = all_spans(c, &a[0], &a[1], lim, &sp);
    if (rc != CE_OK) {
        return rc;
    }
    size_t beg = 0, end = 0;
    for (size_t i = 0; i < sp.n; i++) {
        if (lim > 0 && (int64_t)l.u.list->len == lim - 1) {
            break;
        }
        end = sp.v[2 * i];
        if (sp.v[2 * i + 1] != 0) {
            ce_tv_list_push(c, &l, ce_tv_str(S(a[1]) + beg, end - beg));
        }
        beg = sp.v[2 * i + 1];
    }
    if (end != N(a[1])) {
        ce_tv_list_push(c, &l, ce_tv_str(S(a[1]) + beg, N(a[1]) - beg));
    }
    *out = l;
    return CE_OK;
}

/* Go's Regexp.Expand of template for one match. */
static void expand(struct sb *b, const struct ce_tv *tmpl, const struct ce_tv *src,
                   const PCRE2_SIZE *ov, uint32_t nov, const pcre2_code *code)
{
    const char *t = S(*tmpl);
    size_t n = N(*tmpl);
    for (size_t i = 0; i < n;) {
        if (t[i] != '$') {
            sb_add(b, t + i, 1);
            i++;
            continue;
        }
        if (i + 1 < n && t[i + 1] == '$') {
            sb_add(b, "$", 1);
            i += 2;
            continue;
        }
        size_t ns, ne, next;
        if (i + 1 < n && t[i + 1] == '{') {
            ns = i + 2;
            ne = ns;
            while (ne < n && t[ne] != '}') {
                ne++;
            }
            next = ne + 1;
            if (ne >= n || ne == ns) {
                sb_add(b, "$", 1); /* malformed: the '$' is literal */
                i++;
                continue;
            }
        }
        else {
            ns = i + 1;
            ne = ns;
            while (ne < n && (t[ne] == '_' || (t[ne] >= '0' && t[ne] <= '9') ||
                              (t[ne] >= 'a' && t[ne] <= 'z') || (t[ne] >= 'A' && t[ne] <= 'Z'))) {
                ne++;
            }
            next = ne;
            if (ne == ns) {
                sb_add(b, "$", 1);
                i++;
                continue;
            }
        }
        bool digits = true;
        long num = 0;
        for (size_t k = ns; k < ne; k++) {
            if (t[k] < '0' || t[k] > '9' || num > 100000) {
                digits = false;
                break;
            }
            num = num * 10 + (t[k] - '0');
        }
        int group = -1;
        if (digits) {
            group = (int)num;
        }
        else {
            char name[64];
            if (ne - ns < sizeof name) {
                memcpy(name, t + ns, ne - ns);
                name[ne - ns] = '\0';
                int g = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
                group = g > 0 ? g : -1;
            }
        }
        if (group >= 0 && (uint32_t)group < nov && ov[2 * group] != PCRE2_UNSET) {
            sb_add(b, S(*src) + ov[2 * group], ov[2 * group + 1] - ov[2 * group]);
        }
        i = next;
    }
}

static int replace_all(struct ce_tv_ctx *c, struct ce_tv *a, bool literal, struct ce_tv *out)
{
    const struct ce_tv *src = &a[1], *rep = &a[2];
    struct rx r;
    int rc = rx_compile(c, &a[0], &r);
    if (rc != CE_OK) {
        return rc;
    }
    uint32_t ncap = 0;
    pcre2_pattern_info(r.code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    rx_free(&r);
    /* every match's groups are collected first, into arena memory sized before PCRE2 objects
     * are held, so that an arena failure never strands them */
    size_t stride = 2 * ((size_t)ncap + 1) + 1; /* groups, then the accept flag */
    size_t maxm = N(*src) + 1;
    if (maxm > c->max_memory / (stride * sizeof(size_t))) {
        ce_tv_check_size(c, CE_TV_MAX_STRING + 1u);
    }
    size_t *m = ce_tv_alloc(c, maxm * stride * sizeof *m);
    size_t nm = 0;
    if ((rc = rx_compile(c, &a[0], &r)) != CE_OK) {
        return rc;
    }
    size_t search = 0, last_end = 0;
    while (search <= N(*src) && nm < maxm) {
        PCRE2_SIZE *ov;
        uint32_t nov;
        if (!rx_exec(&r, src, search, &ov, &nov)) {
            break;
        }
        size_t *e = m + nm * stride;
        for (size_t g = 0; g <= ncap; g++) {
            bool set = g < nov && ov[2 * g] != PCRE2_UNSET;
            e[2 * g] = set ? ov[2 * g] : SIZE_MAX;
            e[2 * g + 1] = set ? ov[2 * g + 1] : SIZE_MAX;
        }
        e[stride - 1] = ov[1] > last_end || ov[0] == 0;
        nm++;
        last_end = ov[1];
        size_t w = rune_width(src, search);
        if (search + w > ov[1]) {
            search += w;
        }
        else if (search + 1 > ov[1]) {
            search++;
        }
        else {
            search = ov[1];
        }
    }
    /* names of groups are looked up while the code is still held, into a small table */
    struct sb b;
    sb_init(&b, c, N(*src) + 16);
    last_end = 0;
    PCRE2_SIZE ovc[2 * 64];
    jmp_buf here, *saved = c->fail;
    if (setjmp(here) != 0) {
        rx_free(&r);
        c->fail = saved;
        longjmp(*saved, 1);
    }
    c->fail = &here;
    for (size_t k = 0; k < nm; k++) {
        size_t *e = m + k * stride;
        sb_add(&b, S(*src) + last_end, e[0] - last_end);
        if (e[stride - 1]) {
            if (literal) {
                sb_add(&b, S(*rep), N(*rep));
            }
            else {
                uint32_t nov = ncap + 1 > 64 ? 64 : ncap + 1;
                for (uint32_t g = 0; g < nov; g++) {
                    ovc[2 * g] = e[2 * g] == SIZE_MAX ? PCRE2_UNSET : e[2 * g];
                    ovc[2 * g + 1] = e[2 * g + 1] == SIZE_MAX ? PCRE2_UNSET : e[2 * g + 1];
                }
                expand(&b, rep, src, ovc, nov, r.code);
            }
        }
        last_end = e[1];
    }
    sb_add(&b, S(*src) + last_end, N(*src) - last_end);
    c->fail = saved;
    rx_free(&r);
    *out = sb_value(&b);
    return CE_OK;
}

static SPRIG_FN(fn_regex_replace_all)
{
    (void)n;
    return replace_all(c, a, false, out);
}

static SPRIG_FN(fn_regex_replace_all_literal)
{
    (void)n;
    return replace_all(c, a, true, out);
}

static SPRIG_FN(fn_regex_quote_meta)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, N(a[0]) * 2 + 1);
    for (size_t i = 0; i < N(a[0]); i++) {
        if (strchr("\\.+*?()|[]{}^$", S(a[0])[i]) && S(a[0])[i]) {
            sb_add(&b, "\\", 1);
        }
        sb_add(&b, S(a[0]) + i, 1);
    }
    *out = sb_value(&b);
    return CE_OK;
}

#define STR CE_FT_STRING
#define INT CE_FT_INT

const struct ce_fn ce_sprig_regex_fns[] = {
    {"regexMatch", fn_regex_match, 2, 0, {STR, STR}},
    {"mustRegexMatch", fn_must_regex_match, 2, 0, {STR, STR}},
    {"regexFind", fn_regex_find, 2, 0, {STR, STR}},
    {"mustRegexFind", fn_regex_find, 2, 0, {STR, STR}},
    {"regexFindAll", fn_regex_find_all, 3, 0, {STR, STR, INT}},
    {"mustRegexFindAll", fn_regex_find_all, 3, 0, {STR, STR, INT}},
    {"regexReplaceAll", fn_regex_replace_all, 3, 0, {STR, STR, STR}},
    {"mustRegexReplaceAll", fn_regex_replace_all, 3, 0, {STR, STR, STR}},
    {"regexReplaceAllLiteral", fn_regex_replace_all_literal, 3, 0, {STR, STR, STR}},
    {"mustRegexReplaceAllLiteral", fn_regex_replace_all_literal, 3, 0, {STR, STR, STR}},
    {"regexSplit", fn_regex_split, 3, 0, {STR, STR, INT}},
    {"mustRegexSplit", fn_regex_split, 3, 0, {STR, STR, INT}},
    {"regexQuoteMeta", fn_regex_quote_meta, 1, 0, {STR}},
};
const size_t ce_sprig_regex_nfns = sizeof ce_sprig_regex_fns / sizeof ce_sprig_regex_fns[0];
