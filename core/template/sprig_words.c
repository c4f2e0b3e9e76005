/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's word functions: wrap and wrapWith (goutils' WrapCustom: breaks at the last space
 * that fits, byte-counted), initials (goutils: the first byte of each space-separated word, as
 * a rune) and camelcase (xstrings: connectors '-', '_' and spaces dropped, the letter after one
 * upper-cased, every other letter lower-cased). */
#include "core/template/sprig_int.h"

/* goutils' WrapCustom(str, width, sep, long_words). */
static struct ce_tv wrap_custom(struct ce_tv_ctx *c, const struct ce_tv *s, int64_t width,
                                const char *sep, size_t seplen, bool long_words)
{
    const char *p = S(*s);
    size_t len = N(*s), off = 0;
    if (len == 0) {
        return ce_tv_str("", 0);
    }
    if (seplen == 0) {
        sep = "\n", seplen = 1;
    }
    size_t w = width < 1 ? 1 : (uint64_t)width > len ? len + 1 : (size_t)width;
    struct sb b;
    sb_init(&b, c, len + 16);
    while (len - off > w) {
        if (p[off] == ' ') {
            off++;
            continue;
        }
        size_t space = SIZE_MAX;
        for (size_t i = off; i < off + w + 1; i++) {
            space = p[i] == ' ' ? i : space;
        }
        if (space != SIZE_MAX) {
            sb_add(&b, p + off, space - off);
            sb_add(&b, sep, seplen);
            off = space + 1;
        }
        else if (long_words) {
            sb_add(&b, p + off, w);
            sb_add(&b, sep, seplen);
            off += w;
        }
        else {
            const char *next = memchr(p + off + w, ' ', len - off - w);
            if (!next) {
                sb_add(&b, p + off, len - off);
                off = len;
            }
            else {
                sb_add(&b, p + off, (size_t)(next - p) - off);
                sb_add(&b, sep, seplen);
                off = (size_t)(next - p) + 1;
            }
        }
    }
    sb_add(&b, p + off, len - off);
    return sb_value(&b);
}

static SPRIG_FN(fn_wrap)
{
    (void)n;
    *out = wrap_custom(c, &a[1], a[0].u.i, "", 0, false);
    return CE_OK;
}

static SPRIG_FN(fn_wrap_with)
{
    (void)n;
    *out = wrap_custom(c, &a[2], a[0].u.i, S(a[1]), N(a[1]), true);
    return CE_OK;
}

static SPRIG_FN(fn_initials)
{
    (void)n;
    struct sb b;
    sb_init(&b, c, 16);
    bool gap = true;
    for (size_t i = 0; i < N(a[0]); i++) {
        uint32_t r = (unsigned char)S(a[0])[i]; /* each byte taken as a rune */
        if (sprig_rune_space(r)) {
            gap = true;
        }
        else if (gap) {
            sprig_sb_rune(&b, r);
            gap = false;
        }
    }
    *out = sb_value(&b);
    return CE_OK;
}

static bool is_connector(uint32_t r)
{
    return r == '-' || r == '_' || sprig_rune_space(r);
}

static SPRIG_FN(fn_camelcase)
{
    (void)n;
    const char *p = S(a[0]);
    size_t len = N(a[0]), i = 0;
    struct sb b;
    sb_init(&b, c, len + 4);
    uint32_t r0 = 0, r1;
    bool any = false;
    while (i < len) { /* leading connectors stay */
        i += sprig_next_rune(p + i, len - i, &r0);
        any = true;
        if (!is_connector(r0)) {
            r0 = sprig_rune_upper(r0);
            break;
        }
        sprig_sb_rune(&b, r0);
    }
    if (i == len) {
        if (any) { /* xstrings writes the last rune again when all were connectors */
            sprig_sb_rune(&b, r0);
        }
        *out = sb_value(&b);
        return CE_OK;
    }
    while (i < len) {
        r1 = r0;
        i += sprig_next_rune(p + i, len - i, &r0);
        if (is_connector(r0) && is_connector(r1)) {
            sprig_sb_rune(&b, r1);
            continue;
        }
        if (is_connector(r1)) {
            r0 = sprig_rune_upper(r0);
        }
        else {
            r0 = sprig_rune_lower(r0);
            sprig_sb_rune(&b, r1);
        }
    }
    sprig_sb_rune(&b, r0);
    *out = sb_value(&b);
    return CE_OK;
}

#define STR CE_FT_STRING
#define INT CE_FT_INT

const struct ce_fn ce_sprig_words_fns[] = {
    {"wrap", fn_wrap, 2, 0, {INT, STR}},
    {"wrapWith", fn_wrap_with, 3, 0, {INT, STR, STR}},
    {"initials", fn_initials, 1, 0, {STR}},
    {"camelcase", fn_camelcase, 1, 0, {STR}},
};
const size_t ce_sprig_words_nfns = sizeof ce_sprig_words_fns / sizeof ce_sprig_words_fns[0];
