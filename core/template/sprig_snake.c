/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's snakecase and kebabcase: xstrings' word splitter ("HTTPServer" is "HTTP" and
 * "Server", digits after letters start a word unless lower-case letters follow them) joined with
 * '_' or '-' and lower-cased. Letters are those of ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic; other non-ASCII characters (CJK as in xstrings, but also other scripts) count as
 * neither letters nor punctuation. */
#include "core/template/sprig_int.h"

enum word_type { W_INVALID, W_NUMBER, W_UPPER, W_ALPHA, W_CONN, W_PUNCT, W_OTHER };

static bool rune_upper(uint32_t r)
{
    return sprig_rune_lower(r) != r;
}

static bool rune_alpha(uint32_t r)
{
    if (r < 0x80) {
        return (r | 32) >= 'a' && (r | 32) <= 'z';
    }
    if (r < 0x100) {
        return r == 0xaa || r == 0xb5 || r == 0xba || (r >= 0xc0 && r != 0xd7 && r != 0xf7);
    }
    return r <= 0x17f || (r >= 0x391 && r <= 0x3c9 && r != 0x3a2 && (r <= 0x3a9 || r >= 0x3b1)) ||
           (r >= 0x400 && r <= 0x45f);
}

static bool rune_number(uint32_t r)
{
    return (r >= '0' && r <= '9') || r == 0xb2 || r == 0xb3 || r == 0xb9 ||
           (r >= 0xbc && r <= 0xbe);
}

static bool rune_punct(uint32_t r)
{
    if (r < 0x80) {
        return r > ' ' && r < 0x7f && strchr("!\"#%&'()*,-./:;?@[\\]_{}", (int)r) != NULL;
    }
    return r == 0xa1 || r == 0xa7 || r == 0xab || r == 0xb6 || r == 0xb7 || r == 0xbb || r == 0xbf;
}

static bool rune_conn(uint32_t r)
{
    return r == '-' || r == '_' || sprig_rune_space(r);
}

/* The next rune that is not U+FFFD, with the bytes skipped counted in *size; prev at the end. */
static uint32_t next_valid(const char *p, size_t n, uint32_t prev, size_t *size)
{
    *size = 0;
    while (*size < n) {
        uint32_t r;
        *size += sprig_next_rune(p + *size, n - *size, &r);
        if (r != 0xfffd) {
            return r;
        }
    }
    return prev;
}

/* Length of the run from off whose runes satisfy keep (the first already taken). */
static size_t run(const char *p, size_t n, size_t off, uint32_t r, bool (*keep)(uint32_t),
                  bool stop_upper)
{
    size_t size;
    while (off < n) {
        r = next_valid(p + off, n - off, r, &size);
        if (!keep(r) || (stop_upper && rune_upper(r))) {
            break;
        }
        off += size;
    }
    return off;
}

static bool not_word_start(uint32_t r)
{
    return !(rune_conn(r) || rune_alpha(r) || rune_number(r) || rune_punct(r));
}

/* An upper-case start: "HTTPServer" gives "HTTP", "Server" gives "Server". */
static size_t upper_word(const char *p, size_t n, size_t off, uint32_t r)
{
    if (off == n) {
        return off;
    }
    size_t size, prev_size;
    r = next_valid(p + off, n - off, r, &size);
    if (rune_upper(r)) {
        prev_size = size;
        off += size;
        while (off < n) {
            r = next_valid(p + off, n - off, r, &size);
            if (!rune_upper(r)) {
                break;
            }
            prev_size = size;
            off += size;
        }
        return off < n && rune_alpha(r) ? off - prev_size : off;
    }
    return rune_alpha(r) ? run(p, n, off + size, r, rune_alpha, true) : off;
}

/* xstrings' nextWord: the type and end of the word at off. */
static enum word_type next_word(const char *p, size_t n, size_t off, size_t *end)
{
    size_t size;
    *end = off;
    if (off == n) {
        return W_INVALID;
    }
    uint32_t r = next_valid(p + off, n - off, 0xfffd, &size);
    *end = off + size;
    if (r == 0xfffd) {
        return W_INVALID;
    }
    if (rune_conn(r)) {
        *end = run(p, n, *end, r, rune_conn, false);
        return W_CONN;
    }
    if (rune_punct(r)) {
        *end = run(p, n, *end, r, rune_punct, false);
        return W_PUNCT;
    }
    if (rune_upper(r)) {
        *end = upper_word(p, n, *end, r);
        return W_UPPER;
    }
    if (rune_alpha(r)) {
        *end = run(p, n, *end, r, rune_alpha, true);
        return W_ALPHA;
    }
    if (rune_number(r)) {
        *end = run(p, n, *end, r, rune_number, false);
        return W_NUMBER;
    }
    *end = run(p, n, *end, r, not_word_start, false);
    return W_OTHER;
}

struct splitter {
    const char *p;
    size_t n;
    enum word_type wt;
    size_t from, to; /* the current word */
    struct sb *b;
    char conn;
};

static void advance(struct splitter *s)
{
    s->from = s->to;
    s->wt = next_word(s->p, s->n, s->from, &s->to);
}

/* xstrings' toLower: upper-case and connector words are mapped, others copied as they are. */
static void put_word(struct splitter *s, enum word_type wt, size_t from, size_t to)
{
    if (wt != W_UPPER && wt != W_CONN) {
        sb_add(s->b, s->p + from, to - from);
        return;
    }
    for (size_t i = from; i < to;) {
        uint32_t r;
        i += sprig_next_rune(s->p + i, to - i, &r);
        sprig_sb_rune(s->b, rune_conn(r) ? (uint32_t)s->conn : sprig_rune_lower(r));
    }
}

static void put_conn_unless(struct splitter *s, bool invalid_too)
{
    if (s->wt != W_CONN && s->wt != W_PUNCT && (!invalid_too || s->wt != W_INVALID)) {
        sb_add(s->b, &s->conn, 1);
    }
}

/* The words after a number: letters and digits run on, then a connector. */
static void put_alnum_run(struct splitter *s)
{
    while (s->wt == W_ALPHA || s->wt == W_NUMBER) {
        put_word(s, s->wt, s->from, s->to);
        advance(s);
    }
    put_conn_unless(s, true);
}

/* After a letter word: a number joins it ("Bld4") unless lower-case letters follow ("2xx"). */
static void after_letters(struct splitter *s)
{
    if (s->wt != W_NUMBER) {
        put_conn_unless(s, false);
        return;
    }
    if (s->to == s->n) {
        return;
    }
    size_t nf = s->from, nt = s->to;
    advance(s);
    if (s->wt != W_ALPHA) {
        put_word(s, W_NUMBER, nf, nt);
        put_conn_unless(s, false);
        return;
    }
    sb_add(s->b, &s->conn, 1);
    put_word(s, W_NUMBER, nf, nt);
    put_alnum_run(s);
}

static struct ce_tv to_lower_case(struct ce_tv_ctx *c, const struct ce_tv *v, char conn)
{
    struct sb b;
    sb_init(&b, c, N(*v) + 8);
    struct splitter s = {.p = S(*v), .n = N(*v), .b = &b, .conn = conn};
    advance(&s);
    while (s.to < s.n) {
        if (s.wt != W_CONN) {
            put_word(&s, s.wt, s.from, s.to);
        }
        enum word_type prev = s.wt;
        size_t lf = s.from, lt = s.to;
        advance(&s);
        if (prev == W_NUMBER) {
            put_alnum_run(&s);
        }
        else if (prev == W_CONN) {
            put_word(&s, W_CONN, lf, lt);
        }
        else if (prev != W_PUNCT) {
            after_letters(&s);
        }
    }
    put_word(&s, s.wt, s.from, s.to);
    return sb_value(&b);
}

static SPRIG_FN(fn_snakecase)
{
    (void)n;
    *out = to_lower_case(c, &a[0], '_');
    return CE_OK;
}

static SPRIG_FN(fn_kebabcase)
{
    (void)n;
    *out = to_lower_case(c, &a[0], '-');
    return CE_OK;
}

const struct ce_fn ce_sprig_snake_fns[] = {
    {"snakecase", fn_snakecase, 1, 0, {CE_FT_STRING}},
    {"kebabcase", fn_kebabcase, 1, 0, {CE_FT_STRING}},
};
const size_t ce_sprig_snake_nfns = sizeof ce_sprig_snake_fns / sizeof ce_sprig_snake_fns[0];
