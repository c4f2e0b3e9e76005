/* SPDX-License-Identifier: Apache-2.0 */
/* The @modifiers of the path language (@this, @reverse, @keys, @values, @flatten, @join,
 * @valid, @ugly, @tostr, @fromstr, @group, @dig), `!` static values, and multipaths
 * `[a,b]` / `{a,b.c}` / `{"name":path}` that build a new array or object. */
#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/json/gjson_int.h"
#include "core/json/gjson_mod_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <stdint.h>

#include <string.h>

static const struct {
    const char *name;
    gj_mod_fn fn;
} modifiers[] = {
    {"this", gj_mod_this},     {"reverse", gj_mod_reverse}, {"keys", gj_mod_keys},
    {"values", gj_mod_values}, {"flatten", gj_mod_flatten}, {"join", gj_mod_join},
    {"valid", gj_mod_valid},   {"ugly", gj_mod_ugly},       {"pretty", gj_mod_pretty},
    {"tostr", gj_mod_tostr},   {"fromstr", gj_mod_fromstr}, {"group", gj_mod_group},
    {"dig", gj_mod_dig},
};

static gj_mod_fn find_modifier(struct gj_sl name)
{
    for (size_t i = 0; i < sizeof modifiers / sizeof modifiers[0]; i++) {
        if (gj_sl_eqs(name, modifiers[i].name)) {
            return modifiers[i].fn;
        }
    }
    return NULL;
}

bool gj_is_modifier(struct gj_sl name)
{
    return find_modifier(name) != NULL;
}

int gj_append_json_string(struct ce_buf *b, struct gj_sl s)
{
    return ce_buf_json_str(b, s.p, s.n);
}

/* Splits the argument of `@name:arg` off the rest of the path. */
static void modifier_args(struct gj_ctx *c, struct gj_sl *rest, struct gj_sl *args)
{
    struct gj_sl p = *rest;
    char ch = p.p[0];
    if (ch == '{' || ch == '[' || ch == '"') {
        struct gj_val v = gj_parse(c, p);
        if (gj_exists(&v)) {
            *args = gj_squash(p);
            *rest = gj_sl_from(p, args->n);
            return;
        }
    }
    size_t i = 0;
    for (; i < p.n; i++) {
        ch = p.p[i];
        if (ch == '|') {
            break;
        }
        if (ch == '{' || ch == '[' || ch == '"' || ch == '(') {
            i += gj_squash(gj_sl_from(p, i)).n - 1;
        }
    }
    if (i > p.n) {
        i = p.n;
    }
    *args = gj_sl_sub(p, 0, i);
    *rest = gj_sl_from(p, i);
}

bool gj_exec_modifier(struct gj_ctx *c, struct gj_sl json, struct gj_sl path,
                      struct gj_sl *out_path, struct gj_sl *res)
{
    struct gj_sl name = gj_sl_from(path, 1), rest = {"", 0}, args = {"", 0};
    bool has_args = false;
    for (size_t i = 1; i < path.n; i++) {
        char ch = path.p[i];
        if (ch == ':') {
            rest = gj_sl_from(path, i + 1);
            name = gj_sl_sub(path, 1, i);
            has_args = rest.n > 0;
            break;
        }
        if (ch == '|' || ch == '.') {
            rest = gj_sl_from(path, i);
            name = gj_sl_sub(path, 1, i);
            break;
        }
    }
    *out_path = rest;
    gj_mod_fn fn = find_modifier(name);
    if (!fn) {
        return false;
    }
    if (has_args) {
        modifier_args(c, &rest, &args);
    }
    *out_path = rest;
    *res = fn(c, json, args);
    return true;
}

bool gj_exec_static(struct gj_sl path, struct gj_sl *out_path, struct gj_sl *res)
{
    struct gj_sl name = gj_sl_from(path, 1);
    *out_path = gj_sl_make("", 0);
    *res = gj_sl_make("", 0);
    if (name.n > 0 && strchr("{[\"+-0123456789", name.p[0]) && name.p[0] != '\0') {
        (void)gj_parse_squash(name, 0, res);
        *out_path = gj_sl_from(name, res->n);
        return true;
    }
    for (size_t i = 1; i < path.n; i++) {
        if (path.p[i] == '|' || path.p[i] == '.') {
            *out_path = gj_sl_from(path, i);
            name = gj_sl_sub(path, 1, i);
            break;
        }
    }
    static const char *const words[] = {"true", "false", "null", "nan", "inf"};
    for (size_t w = 0; w < 5; w++) {
        size_t l = strlen(words[w]);
        bool eq = name.n == l;
        for (size_t k = 0; eq && k < l; k++) {
            char ch = name.p[k];
            eq = (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) == words[w][k];
        }
        if (eq) {
            *res = name;
            return true;
        }
    }
    return false;
}

/* Multipaths */

struct subsel {
    struct gj_sl name, path;
};

#define GJ_SUBSEL_MAX (CE_GJ_PATH_MAX / 2 + 1)

/* Parses `[p1,p2]` or `{n1:p1,p2}`; *rest gets what follows the closing bracket. */
static bool parse_subselectors(struct gj_sl path, struct subsel *sels, size_t *nsels,
                               struct gj_sl *rest)
{
    size_t modifier = 0, colon = 0, start = 1, i = 1;
    int depth = 1;
    *nsels = 0;
    for (; i < path.n; i++) {
        char ch = path.p[i];
        bool push = false;
        switch (ch) {
        case '\\':
            i++;
            break;
        case '@':
            if (modifier == 0 && (path.p[i - 1] == '.' || path.p[i - 1] == '|')) {
                modifier = i;
            }
            break;
        case ':':
            if (modifier == 0 && colon == 0 && depth == 1) {
                colon = i;
            }
            break;
        case ',':
            push = depth == 1;
            break;
        case '"':
            for (i++; i < path.n; i++) {
                if (path.p[i] == '\\') {
                    i++;
                }
                else if (path.p[i] == '"') {
                    break;
                }
            }
            break;
        case '[':
        case '(':
        case '{':
            depth++;
            break;
        case ']':
        case ')':
        case '}':
            push = --depth == 0;
            break;
        default:
            break;
        }
        if (!push) {
            continue;
        }
        if (*nsels == GJ_SUBSEL_MAX) {
            return false;
        }
        struct subsel *s = &sels[(*nsels)++];
        if (colon == 0) {
            s->name = gj_sl_make("", 0);
            s->path = gj_sl_sub(path, start, i);
        }
        else {
            s->name = gj_sl_sub(path, start, colon);
            s->path = gj_sl_sub(path, colon + 1, i);
        }
        colon = 0;
        modifier = 0;
        start = i + 1;
        if (depth == 0) {
            *rest = gj_sl_from(path, i + 1);
            return true;
        }
    }
    return false;
}

static struct gj_sl name_of_last(struct gj_sl path)
{
    for (size_t i = path.n; i-- > 0;) {
        if (path.p[i] == '|' || path.p[i] == '.') {
            if (i > 0 && path.p[i - 1] == '\\') {
                continue;
            }
            return gj_sl_from(path, i + 1);
        }
    }
    return path;
}

static bool is_simple_name(struct gj_sl s)
{
    for (size_t i = 0; i < s.n; i++) {
        if ((unsigned char)s.p[i] < ' ' || strchr("[]{}()#|!", s.p[i]) != NULL) {
            return false;
        }
    }
    return true;
}

static int append_member_name(struct ce_buf *b, const struct subsel *s)
{
    if (s->name.n > 0) {
        if (s->name.p[0] == '"' && gj_valid(s->name, CE_GJ_DEPTH_MAX)) {
            return ce_buf_append(b, s->name.p, s->name.n);
        }
        return gj_append_json_string(b, s->name);
    }
    struct gj_sl last = name_of_last(s->path);
    return gj_append_json_string(b, is_simple_name(last) ? last : gj_sl_make("_", 1));
}

bool gj_multipath(struct gj_ctx *c, struct gj_sl json, struct gj_sl *path, struct gj_val *out)
{
    char kind = path->p[0];
    struct gj_sl rest = {"", 0};
    size_t n = 0;
    struct subsel *sels = ce_xmalloc(GJ_SUBSEL_MAX * sizeof *sels);
    if (!parse_subselectors(*path, sels, &n, &rest)) {
        *path = gj_sl_make("", 0);
        ce_free(sels);
        return false;
    }
    *path = rest;
    if (rest.n > 0 && rest.p[0] != '|' && rest.p[0] != '.') {
        ce_free(sels);
        return false;
    }
    struct ce_buf b;
    int rc = CE_OK;
    size_t k = 0;
    ce_buf_init(&b, CE_GJ_JSON_MAX);
    rc |= ce_buf_append(&b, &kind, 1);
    for (size_t i = 0; i < n && rc == CE_OK; i++) {
        struct gj_val res = gj_get(c, json, sels[i].path);
        if (!gj_exists(&res)) {
            continue;
        }
        if (k++ > 0) {
            rc |= ce_buf_append(&b, ",", 1);
        }
        if (kind == '{') {
            rc |= append_member_name(&b, &sels[i]);
            rc |= ce_buf_append(&b, ":", 1);
        }
        struct gj_sl raw = res.raw;
        if (raw.n == 0) {
            raw = gj_val_string(c, &res);
            if (raw.n == 0) {
                raw = gj_sl_make("null", 4);
            }
        }
        rc |= ce_buf_append(&b, raw.p, raw.n);
    }
    ce_free(sels);
    char close = (char)(kind + 2);
    rc |= ce_buf_append(&b, &close, 1);
    if (rc != CE_OK) {
        c->over = true;
    }
    memset(out, 0, sizeof *out);
    out->kind = GK_JSON;
    out->raw = gj_adopt(c, &b);
    if (rest.n > 0) {
        *out = gj_val_get(c, out, gj_sl_from(rest, 1));
    }
    out->index = 0;
    return true;
}
