/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's path functions: Go's path package (base, dir, ext, clean, isAbs), and the os*
 * variants, which use filepath: on Linux the same rules with '/' as the separator. */
#include "core/template/sprig_int.h"

/* path.Clean: the shortest equivalent path, "." for an empty one. */
static struct ce_tv clean(struct ce_tv_ctx *c, const char *p, size_t n)
{
    if (n == 0) {
        return ce_tv_cstr(".");
    }
    char *o = ce_tv_alloc(c, n + 2);
    bool rooted = p[0] == '/';
    size_t w = 0, r = 0, dotdot = 0;
    if (rooted) {
        o[w++] = '/';
        r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        }
        else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        }
        else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) { /* back up over the last element */
                w--;
                while (w > dotdot && o[w] != '/') {
                    w--;
                }
            }
            else if (!rooted) { /* a leading .. stays */
                if (w > 0) {
                    o[w++] = '/';
                }
                o[w++] = '.';
                o[w++] = '.';
                dotdot = w;
            }
        }
        else {
            if ((rooted && w != 1) || (!rooted && w != 0)) {
                o[w++] = '/';
            }
            while (r < n && p[r] != '/') {
                o[w++] = p[r++];
            }
        }
    }
    return w == 0 ? ce_tv_cstr(".") : ce_tv_str(o, w);
}

static SPRIG_FN(fn_clean)
{
    (void)n;
    *out = clean(c, S(a[0]), N(a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_base)
{
    (void)c, (void)n;
    const char *p = S(a[0]);
    size_t len = N(a[0]);
    if (len == 0) {
        *out = ce_tv_cstr(".");
        return CE_OK;
    }
    while (len > 0 && p[len - 1] == '/') {
        len--;
    }
    size_t from = len;
    while (from > 0 && p[from - 1] != '/') {
        from--;
    }
    *out = from == len ? ce_tv_cstr("/") : ce_tv_str(p + from, len - from);
    return CE_OK;
}

static SPRIG_FN(fn_dir)
{
    (void)n;
    size_t i = N(a[0]);
    while (i > 0 && S(a[0])[i - 1] != '/') {
        i--;
    }
    *out = clean(c, S(a[0]), i);
    return CE_OK;
}

static SPRIG_FN(fn_ext)
{
    (void)c, (void)n;
    for (size_t i = N(a[0]); i-- > 0 && S(a[0])[i] != '/';) {
        if (S(a[0])[i] == '.') {
            *out = ce_tv_str(S(a[0]) + i, N(a[0]) - i);
            return CE_OK;
        }
    }
    *out = ce_tv_str("", 0);
    return CE_OK;
}

static SPRIG_FN(fn_is_abs)
{
    (void)c, (void)n;
    *out = ce_tv_bool(N(a[0]) > 0 && S(a[0])[0] == '/');
    return CE_OK;
}

#define STR CE_FT_STRING

const struct ce_fn ce_sprig_path_fns[] = {
    {"base", fn_base, 1, 0, {STR}},     {"dir", fn_dir, 1, 0, {STR}},
    {"ext", fn_ext, 1, 0, {STR}},       {"clean", fn_clean, 1, 0, {STR}},
    {"isAbs", fn_is_abs, 1, 0, {STR}},  {"osBase", fn_base, 1, 0, {STR}},
    {"osDir", fn_dir, 1, 0, {STR}},     {"osExt", fn_ext, 1, 0, {STR}},
    {"osClean", fn_clean, 1, 0, {STR}}, {"osIsAbs", fn_is_abs, 1, 0, {STR}},
};
const size_t ce_sprig_path_nfns = sizeof ce_sprig_path_fns / sizeof ce_sprig_path_fns[0];
