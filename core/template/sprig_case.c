/* SPDX-License-Identifier: Apache-2.0 */
/* Rune helpers and sprig's case functions (upper, lower, title, untitle). Case mapping follows
 * Go's unicode tables for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; invalid UTF-8
 * becomes U+FFFD as Go's strings.Map makes it. */
#include "core/template/sprig_int.h"
#include "core/base/utf8.h"

uint32_t sprig_rune_upper(uint32_t r)
{
    if (r < 0x80) {
        return r >= 'a' && r <= 'z' ? r - 32 : r;
    }
    if (r == 0xb5) {
        return 0x39c;
    }
    if (r >= 0xe0 && r <= 0xfe && r != 0xf7) {
        return r - 32;
    }
    if (r == 0xff) {
        return 0x178;
    }
    if (r >= 0x100 && r <= 0x17f && r != 0x131 && r != 0x138 && r != 0x149 && r != 0x17f) {
        bool odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);
        if (odd_upper) {
            return (r & 1) ? r : r - 1;
        }
        return (r & 1) ? r - 1 : r;
    }
    if (r >= 0x3b1 && r <= 0x3c9 && r != 0x3c2) {
        return r - 32;
    }
    if (r == 0x3c2) {
        return 0x3a3;
    }
    if (r >= 0x430 && r <= 0x44f) {
        return r - 32;
    }
    if (r >= 0x450 && r <= 0x45f) {
        return r - 80;
    }
    return r;
}

uint32_t sprig_rune_lower(uint32_t r)
{
    if (r < 0x80) {
        return r >= 'A' && r <= 'Z' ? r + 32 : r;
    }
    if (r >= 0xc0 && r <= 0xde && r != 0xd7) {
        return r + 32;
    }
    if (r == 0x178) {
        return 0xff;
    }
    if (r >= 0x100 && r <= 0x17f && r != 0x130 && r != 0x138 && r != 0x149 && r != 0x17f) {
        bool odd_upper = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17e);
        if (odd_upper) {
            return (r & 1) ? r + 1 : r;
        }
        return (r & 1) ? r : r + 1;
    }
    if (r >= 0x391 && r <= 0x3a9 && r != 0x3a2) {
        return r + 32;
    }
    if (r >= 0x410 && r <= 0x42f) {
        return r + 32;
    }
    if (r >= 0x400 && r <= 0x40f) {
        return r + 80;
    }
    return r;
}

bool sprig_rune_space(uint32_t r)
{
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xa0 || r == 0x1680 ||
           (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f ||
           r == 0x205f || r == 0x3000;
}

void sprig_sb_rune(struct sb *b, uint32_t r)
{
    char o[4];
    sb_add(b, o, ce_utf8_encode(r, o));
}

size_t sprig_next_rune(const char *p, size_t n, uint32_t *r)
{
    return n == 0 ? (*r = 0xfffd, 1) : ce_utf8_next(p, n, r);
}

/* strings.Map; mode 0 upper, 1 lower, 2 title (strings.Title's word starts), 3 untitle. */
static struct ce_tv map_runes(struct ce_tv_ctx *c, const struct ce_tv *s, int mode)
{
    struct sb b;
    sb_init(&b, c, N(*s) + 4);
    uint32_t prev = ' ';
    bool first = true;
    for (size_t i = 0; i < N(*s);) {
        uint32_t r;
        i += sprig_next_rune(S(*s) + i, N(*s) - i, &r);
        uint32_t o = r;
        if (mode == 0) {
            o = sprig_rune_upper(r);
        }
        else if (mode == 1) {
            o = sprig_rune_lower(r);
        }
        else if (mode == 2) {
            bool sep;
            if (prev < 0x80) {
                sep = !((prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z') ||
                        (prev >= 'A' && prev <= 'Z') || prev == '_');
            }
            else {
                sep = sprig_rune_space(prev);
            }
            if (sep) {
                o = sprig_rune_upper(r);
            }
            prev = r;
        }
        else if (mode == 3 && first) {
            o = sprig_rune_lower(r);
        }
        first = false;
        sprig_sb_rune(&b, o);
    }
    return sb_value(&b);
}

static SPRIG_FN(fn_upper)
{
    (void)n;
    *out = map_runes(c, &a[0], 0);
    return CE_OK;
}

static SPRIG_FN(fn_lower)
{
    (void)n;
    *out = map_runes(c, &a[0], 1);
    return CE_OK;
}

static SPRIG_FN(fn_title)
{
    (void)n;
    *out = map_runes(c, &a[0], 2);
    return CE_OK;
}

static SPRIG_FN(fn_untitle)
{
    (void)n;
    *out = map_runes(c, &a[0], 3);
    return CE_OK;
}

const struct ce_fn ce_sprig_case_fns[] = {
    {"upper", fn_upper, 1, 0, {CE_FT_STRING}},
    {"lower", fn_lower, 1, 0, {CE_FT_STRING}},
    {"title", fn_title, 1, 0, {CE_FT_STRING}},
    {"untitle", fn_untitle, 1, 0, {CE_FT_STRING}},
};
const size_t ce_sprig_case_nfns = sizeof ce_sprig_case_fns / sizeof ce_sprig_case_fns[0];
