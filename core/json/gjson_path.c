/* SPDX-License-Identifier: Apache-2.0 */
/* Splitting a lookup path into its next component: object keys (with `\` escapes and
 * wildcards), array components (`#`, `#.rest`, `#(query)` and `#(query)#`), the `|` pipe, and
 * the `.@modifier` / `.[` / `.{` forms that pipe into the rest of the path. */
#include "core/json/gjson_path_int.h"

#include "core/base/buf.h"

#include <string.h>

/* Whether s (non-empty) starts a component that pipes the result: a known @modifier, or a
 * multipath. */
static bool dot_piper(struct gj_sl s)
{
    if (s.p[0] == '@') {
        size_t i = 1;
        while (i < s.n && s.p[i] != '.' && s.p[i] != '|' && s.p[i] != ':') {
            i++;
        }
        return gj_is_modifier(gj_sl_sub(s, 1, i));
    }
    return s.p[0] == '[' || s.p[0] == '{';
}

/* The text after a '.' at i either pipes or continues the path. */
static void after_dot(struct gj_sl path, size_t i, bool check_piper, struct gj_sl *pipe,
                      bool *piped, struct gj_sl *rest, bool *more)
{
    if (check_piper && i + 1 < path.n && dot_piper(gj_sl_from(path, i + 1))) {
        *pipe = gj_sl_from(path, i + 1);
        *piped = true;
    }
    else {
        *rest = gj_sl_from(path, i + 1);
        *more = true;
    }
}

/* The escaped slow path: from the first backslash at i, build the key without escapes. */
static void object_path_escaped(struct gj_ctx *c, struct gj_sl path, size_t i, struct gj_objpath *r)
{
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_buf_append(&b, path.p, i);
    i++;
    if (i < path.n) {
        rc |= ce_buf_append(&b, path.p + i, 1);
        for (i++; i < path.n; i++) {
            char ch = path.p[i];
            if (ch == '\\') {
                i++;
                if (i < path.n) {
                    rc |= ce_buf_append(&b, path.p + i, 1);
                }
                continue;
            }
            if (ch == '.') {
                r->part = gj_adopt(c, &b);
                after_dot(path, i, true, &r->pipe, &r->piped, &r->path, &r->more);
                return;
            }
            if (ch == '|') {
                r->part = gj_adopt(c, &b);
                r->pipe = gj_sl_from(path, i + 1);
                r->piped = true;
                return;
            }
            if (ch == '*' || ch == '?') {
                r->wild = true;
            }
            rc |= ce_buf_append(&b, path.p + i, 1);
        }
    }
    (void)rc; /* the buffer has no cap: appends cannot fail */
    r->part = gj_adopt(c, &b);
}

void gj_object_path(struct gj_ctx *c, struct gj_sl path, struct gj_objpath *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < path.n; i++) {
        char ch = path.p[i];
        if (ch == '|') {
            r->part = gj_sl_sub(path, 0, i);
            r->pipe = gj_sl_from(path, i + 1);
            r->piped = true;
            return;
        }
        if (ch == '.') {
            r->part = gj_sl_sub(path, 0, i);
            after_dot(path, i, true, &r->pipe, &r->piped, &r->path, &r->more);
            return;
        }
        if (ch == '*' || ch == '?') {
            r->wild = true;
            continue;
        }
        if (ch == '\\') {
            object_path_escaped(c, path, i, r);
            return;
        }
    }
    r->part = path;
}

/* Splits `#(path op value)` (or `#[...]`); *end is the index past the closing bracket. */
static bool parse_query(struct gj_sl q, struct gj_sl *qpath, struct gj_sl *op, struct gj_sl *val,
                        size_t *end, bool *vesc)
{
    size_t i = 2, j = 0;
    int depth = 1;
    *vesc = false;
    if (q.n < 2 || q.p[0] != '#' || (q.p[1] != '(' && q.p[1] != '[')) {
        return false;
    }
    for (; i < q.n; i++) {
        char ch = q.p[i];
        if (depth == 1 && j == 0 && strchr("!=<>%", ch) && ch != '\0') {
            j = i;
            continue;
        }
        if (ch == '\\') {
            i++;
        }
        else if (ch == '[' || ch == '(') {
            depth++;
        }
        else if (ch == ']' || ch == ')') {
            if (--depth == 0) {
                break;
            }
        }
        else if (ch == '"') {
            for (i++; i < q.n; i++) {
                if (q.p[i] == '\\') {
                    *vesc = true;
                    i++;
                }
                else if (q.p[i] == '"') {
                    break;
                }
            }
        }
    }
    if (depth > 0) {
        return false;
    }
    *op = gj_sl_make("", 0);
    *val = gj_sl_make("", 0);
    if (j > 0) {
        *qpath = gj_trim(gj_sl_sub(q, 2, j));
        struct gj_sl v = gj_trim(gj_sl_sub(q, j, i));
        size_t opsz = 0;
        if (v.n == 1) {
            opsz = 1;
        }
        else if ((v.p[0] == '!' || v.p[0] == '<' || v.p[0] == '>') && v.p[1] == '=') {
            opsz = 2;
        }
        else if (v.p[0] == '!' && v.p[1] == '%') {
            opsz = 2;
        }
        else if (v.p[0] == '=' && v.p[1] == '=') {
            v = gj_sl_from(v, 1);
            opsz = 1;
        }
        else if (v.p[0] == '<' || v.p[0] == '>' || v.p[0] == '=' || v.p[0] == '%') {
            opsz = 1;
        }
        *op = gj_sl_sub(v, 0, opsz);
        *val = gj_trim(gj_sl_from(v, opsz));
    }
    else {
        *qpath = gj_trim(gj_sl_sub(q, 2, i));
    }
    *end = i + 1;
    return true;
}

void gj_array_path(struct gj_ctx *c, struct gj_sl path, struct gj_arrpath *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < path.n; i++) {
        char ch = path.p[i];
        if (ch == '|') {
            r->part = gj_sl_sub(path, 0, i);
            r->pipe = gj_sl_from(path, i + 1);
            r->piped = true;
            return;
        }
        if (ch == '.') {
            r->part = gj_sl_sub(path, 0, i);
            after_dot(path, i, !r->arrch, &r->pipe, &r->piped, &r->path, &r->more);
            return;
        }
        if (ch != '#') {
            continue;
        }
        r->arrch = true;
        if (i != 0 || path.n < 2) {
            continue;
        }
        if (path.p[1] == '.') {
            r->alogok = true;
            r->alogkey = gj_sl_from(path, 2);
            r->path = gj_sl_sub(path, 0, 1);
        }
        else if (path.p[1] == '[' || path.p[1] == '(') {
            struct gj_sl qp, op, val;
            size_t fi = 0;
            bool vesc = false;
            r->query.on = true;
            if (!parse_query(gj_sl_from(path, i), &qp, &op, &val, &fi, &vesc)) {
                break;
            }
            if (val.n >= 2 && val.p[0] == '"' && val.p[val.n - 1] == '"') {
                val = gj_sl_sub(val, 1, val.n - 1);
                if (vesc) {
                    val = gj_unescape(c, val);
                }
            }
            r->query.path = qp;
            r->query.op = op;
            r->query.value = val;
            i = fi - 1;
            if (i + 1 < path.n && path.p[i + 1] == '#') {
                r->query.all = true;
            }
        }
    }
    r->part = path;
    r->path = gj_sl_make("", 0);
}

/* Skips a bracketed selector that starts at path[i] (a '[' or '('); returns the index of
 * its closing bracket or path.n. */
static size_t skip_selector(struct gj_sl path, size_t i)
{
    char open = path.p[i], close = open == '[' ? ']' : ')';
    int depth = 1;
    for (i++; i < path.n; i++) {
        char ch = path.p[i];
        if (ch == '\\') {
            i++;
        }
        else if (ch == open) {
            depth++;
        }
        else if (ch == close) {
            if (--depth == 0) {
                break;
            }
        }
        else if (ch == '"') {
            for (i++; i < path.n; i++) {
                if (path.p[i] == '\\') {
                    i++;
                }
                else if (path.p[i] == '"') {
                    break;
                }
            }
        }
    }
    return i;
}

bool gj_split_pipe(struct gj_sl path, struct gj_sl *left, struct gj_sl *right)
{
    if (!memchr(path.p, '|', path.n)) {
        return false;
    }
    if (path.p[0] == '{') {
        struct gj_sl sq = gj_squash(gj_sl_from(path, 1));
        if (sq.n < path.n - 1) {
            size_t end = sq.n + 1;
            if (path.p[end] == '|') {
                *left = gj_sl_sub(path, 0, end);
                *right = gj_sl_from(path, end + 1);
                return true;
            }
        }
        return false;
    }
    for (size_t i = 0; i < path.n; i++) {
        char ch = path.p[i];
        if (ch == '\\') {
            i++;
        }
        else if (ch == '.') {
            if (i == path.n - 1) {
                return false;
            }
            if (path.p[i + 1] == '#') {
                i += 2;
                if (i == path.n) {
                    return false;
                }
                if (path.p[i] == '[' || path.p[i] == '(') {
                    i = skip_selector(path, i);
                }
            }
        }
        else if (ch == '|') {
            *left = gj_sl_sub(path, 0, i);
            *right = gj_sl_from(path, i + 1);
            return true;
        }
    }
    return false;
}
