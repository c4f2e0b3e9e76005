/* SPDX-License-Identifier: Apache-2.0 */
/* Setting a value at a path inside raw JSON text, as Argo Events applies trigger parameters to
 * their `dest`. The value's old text is replaced in place when the path exists; otherwise the
 * nearest existing object or array is extended, creating the missing objects/arrays (arrays
 * padded with null). Everything outside the touched container keeps its bytes. */
#include "core/json/sjson.h"

#include "core/base/buf.h"
#include "core/json/gjson.h"
#include "core/json/gjson_int.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <string.h>

struct sj_part {
    struct gj_sl part;  /* key without escapes */
    struct gj_sl gpart; /* the same key as a lookup path component */
    bool force;         /* `:` prefix: an object key even if numeric */
};

struct sj_set {
    struct gj_ctx g;
    struct ce_buf out;
    struct gj_sl raw;
    bool stringify;
    char *err;
    size_t errlen;
    bool said; /* a message was written to err */
};

static bool simple_char(char ch)
{
    return ch != '|' && ch != '#' && ch != '@' && ch != '*' && ch != '?';
}

/* Splits the next component off *path. Returns false for a path the simple walk cannot take
 * (it has `|`, `#`, `@`, `*` or `?`). */
static bool next_part(struct sj_set *s, struct gj_sl *path, struct sj_part *r, bool *more)
{
    struct gj_sl p = *path;
    memset(r, 0, sizeof *r);
    *more = false;
    if (p.n > 0 && p.p[0] == ':') {
        r->force = true;
        p = gj_sl_from(p, 1);
    }
    for (size_t i = 0; i < p.n; i++) {
        char ch = p.p[i];
        if (ch == '.') {
            r->part = r->gpart = gj_sl_sub(p, 0, i);
            *path = gj_sl_from(p, i + 1);
            *more = true;
            return true;
        }
        if (!simple_char(ch)) {
            return false;
        }
        if (ch != '\\') {
            continue;
        }
        struct ce_buf ep, gp;
        int rc = CE_OK;
        ce_buf_init(&ep, 0);
        ce_buf_init(&gp, 0);
        rc |= ce_buf_append(&ep, p.p, i);
        rc |= ce_buf_append(&gp, p.p, i + 1);
        i++;
        if (i < p.n) {
            rc |= ce_buf_append(&ep, p.p + i, 1);
            rc |= ce_buf_append(&gp, p.p + i, 1);
            for (i++; i < p.n; i++) {
                ch = p.p[i];
                if (ch == '\\') {
                    rc |= ce_buf_append(&gp, "\\", 1);
                    if (++i < p.n) {
                        rc |= ce_buf_append(&ep, p.p + i, 1);
                        rc |= ce_buf_append(&gp, p.p + i, 1);
                    }
                    continue;
                }
                if (ch == '.') {
                    *path = gj_sl_from(p, i + 1);
                    *more = true;
                    break;
                }
                if (!simple_char(ch)) {
                    ce_buf_fini(&ep);
                    ce_buf_fini(&gp);
                    return false;
                }
                rc |= ce_buf_append(&ep, p.p + i, 1);
                rc |= ce_buf_append(&gp, p.p + i, 1);
            }
        }
        (void)rc; /* uncapped buffers */
        r->part = gj_adopt(&s->g, &ep);
        r->gpart = gj_adopt(&s->g, &gp);
        return true;
    }
    r->part = r->gpart = p;
    return true;
}

/* An array index key: digits only (the empty key counts as 0), not forced to an object key.
 * Returns -1 when not numeric, -2 when past CE_SJ_INDEX_MAX. */
static long index_of(const struct sj_part *r)
{
    long n = 0;
    if (r->force) {
        return -1;
    }
    for (size_t i = 0; i < r->part.n; i++) {
        char ch = r->part.p[i];
        if (ch < '0' || ch > '9') {
            return -1;
        }
        n = n * 10 + (ch - '0');
        if (n > CE_SJ_INDEX_MAX) {
            return -2;
        }
    }
    return n;
}

static bool is_append(const struct sj_part *r)
{
    return !r->force && gj_sl_eqs(r->part, "-1");
}

int ce_sj_quote(struct ce_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < ' ' || ch > 0x7f || ch == '"' || ch == '\\') {
            return ce_buf_json_str(b, s, n);
        }
    }
    int rc = ce_buf_append(b, "\"", 1);
    rc |= ce_buf_append(b, s, n);
    rc |= ce_buf_append(b, "\"", 1);
    return rc ? CE_ETOOBIG : CE_OK;
}

static int put_value(struct sj_set *s)
{
    if (s->stringify) {
        return ce_sj_quote(&s->out, s->raw.p, s->raw.n);
    }
    return ce_buf_append(&s->out, s->raw.p, s->raw.n);
}

static int put_repeat(struct sj_set *s, const char *text, long n)
{
    int rc = CE_OK;
    for (long i = 0; i < n && rc == CE_OK; i++) {
        rc = ce_buf_puts(&s->out, text);
    }
    return rc;
}

/* Writes the new members/elements for parts[0..n): `"key":` (unless in an array), then nested
 * containers, then the value. */
static int build(struct sj_set *s, bool array, const struct sj_part *parts, size_t n)
{
    int rc = CE_OK;
    if (!array) {
        rc |= ce_sj_quote(&s->out, parts[0].part.p, parts[0].part.n);
        rc |= ce_buf_append(&s->out, ":", 1);
    }
    if (rc != CE_OK) {
        return rc;
    }
    if (n == 1) {
        return put_value(s);
    }
    long idx = index_of(&parts[1]);
    if (idx == -2) {
        s->said = true;
        return ce_rc_fail(CE_ETOOBIG, s->err, s->errlen, "set: array index over %d",
                          CE_SJ_INDEX_MAX);
    }
    if (idx >= 0 || is_append(&parts[1])) {
        rc |= ce_buf_append(&s->out, "[", 1);
        rc |= put_repeat(s, "null,", idx > 0 ? idx : 0);
        rc = rc != CE_OK ? rc : build(s, true, parts + 1, n - 1);
        rc = rc != CE_OK ? rc : ce_buf_append(&s->out, "]", 1);
    }
    else {
        rc |= ce_buf_append(&s->out, "{", 1);
        rc = rc != CE_OK ? rc : build(s, false, parts + 1, n - 1);
        rc = rc != CE_OK ? rc : ce_buf_append(&s->out, "}", 1);
    }
    return rc;
}

struct elems {
    struct ce_buf *out;
    size_t k;
    int rc;
};

/* Re-emits the elements of an array value as the setter lists them (joined by commas). */
static void emit_elements(struct sj_set *s, struct gj_sl arr, size_t *count)
{
    size_t i = 0, k = 0;
    struct gj_sl js = arr;
    int rc = CE_OK;
    for (; i < js.n; i++) {
        if (js.p[i] == '[') {
            i++;
            break;
        }
        if ((unsigned char)js.p[i] > ' ') {
            *count = 0;
            return;
        }
    }
    for (; i < js.n; i++) {
        char ch = js.p[i];
        struct gj_sl v;
        if ((unsigned char)ch <= ' ') {
            continue;
        }
        if (ch == ']' || ch == '}') {
            break;
        }
        struct gj_sl rest = gj_sl_from(js, i);
        if ((ch >= '0' && ch <= '9') || ch == '-') {
            v = gj_tonum(rest);
        }
        else if (ch == '{' || ch == '[') {
            v = gj_squash(rest);
        }
        else if (ch == 'n' || ch == 't' || ch == 'f') {
            v = gj_tolit(rest);
        }
        else if (ch == '"') {
            struct gj_sl str;
            v = gj_tostr(&s->g, rest, &str);
        }
        else {
            continue;
        }
        if (k++ > 0) {
            rc |= ce_buf_append(&s->out, ",", 1);
        }
        rc |= ce_buf_append(&s->out, v.p, v.n);
        i += v.n - 1;
    }
    if (rc != CE_OK) {
        s->g.over = true;
    }
    *count = k;
}

static int fail_msg(struct sj_set *s, int rc, const char *msg, struct gj_sl part)
{
    s->said = true;
    return ce_rc_fail(rc, s->err, s->errlen, "set: %s%.*s'", msg,
                      (int)(part.n > 200 ? 200 : part.n), part.p);
}

/* Adds parts[0..n) to the container text js (which lacks parts[0]). */
static int extend(struct sj_set *s, struct gj_sl js, const struct sj_part *parts, size_t n)
{
    long idx = index_of(&parts[0]);
    bool numeric = idx >= 0;
    bool empty = true;
    int rc = CE_OK;
    if (idx == -2) {
        s->said = true;
        return ce_rc_fail(CE_ETOOBIG, s->err, s->errlen, "set: array index over %d",
                          CE_SJ_INDEX_MAX);
    }
    for (size_t i = 0; i < js.n && empty; i++) {
        empty = (unsigned char)js.p[i] <= ' ';
    }
    if (empty) {
        js = gj_sl_make(numeric ? "[]" : "{}", 2);
    }
    struct gj_val jv = gj_parse(&s->g, js);
    if (jv.kind != GK_JSON) {
        js = gj_sl_make(numeric ? "[]" : "{}", 2);
        jv = gj_parse(&s->g, js);
    }
    struct gj_sl jr = jv.raw;
    bool comma = false;
    for (size_t i = 1; i < jr.n; i++) {
        if ((unsigned char)jr.p[i] <= ' ') {
            continue;
        }
        comma = jr.p[i] != '}' && jr.p[i] != ']';
        break;
    }
    if (jr.p[0] == '{') {
        size_t end = jr.n - 1;
        while (end > 0 && jr.p[end] != '}') {
            end--;
        }
        rc |= ce_buf_append(&s->out, jr.p, end);
        if (comma) {
            rc |= ce_buf_append(&s->out, ",", 1);
        }
        if (rc == CE_OK) {
            rc = build(s, false, parts, n);
        }
        return rc != CE_OK ? rc : ce_buf_append(&s->out, "}", 1);
    }
    if (!numeric && !is_append(&parts[0])) {
        return fail_msg(s, CE_EINVAL, "cannot set array element for non-numeric key '",
                        parts[0].part);
    }
    if (!numeric) {
        struct gj_sl t = gj_trim(jr);
        if (t.n > 0 && t.p[t.n - 1] == ']') {
            t.n--;
        }
        rc |= ce_buf_append(&s->out, t.p, t.n);
        if (comma) {
            rc |= ce_buf_append(&s->out, ",", 1);
        }
    }
    else {
        size_t have = 0;
        rc |= ce_buf_append(&s->out, "[", 1);
        emit_elements(s, jr, &have);
        if (have == 0) {
            rc |= put_repeat(s, "null,", idx);
        }
        else {
            rc |= put_repeat(s, ",null", idx - (long)have);
            if (comma) {
                rc |= ce_buf_append(&s->out, ",", 1);
            }
        }
    }
    if (rc == CE_OK) {
        rc = build(s, true, parts, n);
    }
    return rc != CE_OK ? rc : ce_buf_append(&s->out, "]", 1);
}

static int set_parts(struct sj_set *s, struct gj_sl js, const struct sj_part *parts, size_t n)
{
    struct gj_val res = gj_get(&s->g, js, parts[0].gpart);
    if (s->g.over) {
        return CE_ETOOBIG;
    }
    if (res.index > 0 && res.index <= js.n && res.raw.n <= js.n - res.index) {
        int rc = ce_buf_append(&s->out, js.p, res.index);
        if (rc == CE_OK) {
            rc = n > 1 ? set_parts(s, res.raw, parts + 1, n - 1) : put_value(s);
        }
        if (rc != CE_OK) {
            return rc;
        }
        size_t after = res.index + res.raw.n;
        rc |= ce_buf_append(&s->out, js.p + after, js.n - after);
        return rc;
    }
    return extend(s, js, parts, n);
}

/* Paths with `|`, `#`, `@`, `*` or `?`: only a single existing value can be replaced. */
static int set_complex(struct sj_set *s, struct gj_sl js, struct gj_sl path, bool *nochange)
{
    struct gj_val res = gj_get(&s->g, js, path);
    if (s->g.over) {
        return CE_ETOOBIG;
    }
    if (!gj_exists(&res) || res.index == 0 || res.index > js.n || res.raw.n > js.n - res.index) {
        *nochange = true;
        return CE_OK;
    }
    int rc = ce_buf_append(&s->out, js.p, res.index);
    rc |= put_value(s);
    size_t after = res.index + res.raw.n;
    rc |= ce_buf_append(&s->out, js.p + after, js.n - after);
    return rc;
}

static int sj_set(const char *json, size_t len, const char *path, const char *raw, size_t raw_len,
                  bool stringify, char **out, size_t *out_len, char *err, size_t errlen)
{
    if (!out || !out_len) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "set: no output");
    }
    *out = NULL;
    *out_len = 0;
    if (!json || !path || (!raw && raw_len)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "set: no document, path or value");
    }
    if (!raw) {
        raw = "";
    }
    size_t plen = strnlen(path, CE_SJ_PATH_MAX + 1);
    if (plen == 0) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "set: path cannot be empty");
    }
    if (plen > CE_SJ_PATH_MAX) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "set: path longer than %d bytes", CE_SJ_PATH_MAX);
    }
    if (len > CE_SJ_JSON_MAX || raw_len > CE_SJ_JSON_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "set: document or value larger than %u bytes",
                          CE_SJ_JSON_MAX);
    }
    struct sj_set s;
    memset(&s, 0, sizeof s);
    gj_ctx_init(&s.g);
    ce_buf_init(&s.out, CE_SJ_JSON_MAX);
    s.raw = gj_sl_make(raw, raw_len);
    s.stringify = stringify;
    s.err = err;
    s.errlen = errlen;
    struct sj_part *parts = ce_xmalloc(CE_SJ_DEPTH_MAX * sizeof *parts);
    size_t n = 0;
    struct gj_sl rest = gj_sl_make(path, plen), js = gj_sl_make(json, len);
    bool more = true, simple = true, nochange = false;
    int rc = CE_OK;
    while (more && simple) {
        if (n == CE_SJ_DEPTH_MAX) {
            rc = ce_rc_fail(CE_ETOOBIG, err, errlen, "set: path has more than %d parts",
                            CE_SJ_DEPTH_MAX);
            break;
        }
        simple = next_part(&s, &rest, &parts[n], &more);
        n += simple;
    }
    if (rc == CE_OK) {
        rc = simple ? set_parts(&s, js, parts, n)
                    : set_complex(&s, js, gj_sl_make(path, plen), &nochange);
        if ((rc != CE_OK && !s.said) || (rc == CE_OK && s.g.over)) {
            rc = ce_rc_fail(CE_ETOOBIG, err, errlen, "set: output over %u bytes or too deep",
                            CE_SJ_JSON_MAX);
        }
    }
    if (rc == CE_OK && nochange) {
        ce_buf_reset(&s.out);
        rc = ce_buf_append(&s.out, json, len);
    }
    ce_free(parts);
    gj_ctx_fini(&s.g);
    if (rc != CE_OK) {
        ce_buf_fini(&s.out);
        return rc;
    }
    *out = ce_buf_steal(&s.out, out_len);
    return CE_OK;
}

int ce_sj_set_raw(const char *json, size_t len, const char *path, const char *raw, size_t raw_len,
                  char **out, size_t *out_len, char *err, size_t errlen)
{
    return sj_set(json, len, path, raw, raw_len, false, out, out_len, err, errlen);
}

int ce_sj_set_string(const char *json, size_t len, const char *path, const char *s, size_t s_len,
                     char **out, size_t *out_len, char *err, size_t errlen)
{
    return sj_set(json, len, path, s, s_len, true, out, out_len, err, errlen);
}
