/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's urlParse (Go's url.Parse into a dict of scheme, host, hostname, path, query, opaque,
 * fragment and userinfo; a URL Go refuses fails the template with Go's message) and urlJoin
 * (a url.URL from such a dict, written out by URL.String with Go's escaping). */
#include "core/template/sprig_int.h"
#include "core/base/hex.h"

enum esc_mode { M_PATH, M_HOST, M_ZONE, M_USER, M_FRAGMENT };

/* net/url's shouldEscape for the modes sprig reaches. */
static bool should_escape(unsigned char ch, enum esc_mode m)
{
    if ((ch | 32) >= 'a' && (ch | 32) <= 'z') {
        return false;
    }
    if (ch >= '0' && ch <= '9') {
        return false;
    }
    if ((m == M_HOST || m == M_ZONE) && ch && strchr("!$&'()*+,;=:[]<>\"", ch)) {
        return false;
    }
    if (ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        return false;
    }
    if (ch && strchr("$&+,/:;=?@", ch)) {
        if (m == M_PATH) {
            return ch == '?';
        }
        if (m == M_USER) {
            return ch == '@' || ch == '/' || ch == '?' || ch == ':';
        }
        if (m == M_FRAGMENT) {
            return false;
        }
    }
    return !(m == M_FRAGMENT && ch && strchr("!()*", ch));
}

static void escape_into(struct sb *b, const char *p, size_t n, enum esc_mode m)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (should_escape(ch, m)) {
            char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            sb_add(b, e, 3);
        }
        else {
            sb_add(b, p + i, 1);
        }
    }
}

struct gofmt_job {
    const char *fmt;
    const struct ce_tv *args;
    size_t nargs;
};

static void gofmt_run(struct ce_tv_ctx *c, struct ce_buf *out, void *arg)
{
    struct gofmt_job *j = arg;
    ce_tv_sprintf(c, out, j->fmt, strlen(j->fmt), j->args, j->nargs);
}

/* fmt.Sprintf(fmt, s) with one string operand (for %q). */
static struct ce_tv gofmt1(struct ce_tv_ctx *c, const char *fmt, const char *s, size_t n)
{
    struct ce_tv arg = ce_tv_str(s, n);
    struct gofmt_job j = {fmt, &arg, 1};
    return ce_tv_build_string(c, gofmt_run, &j);
}

/* net/url's unescape; on failure *err gets Go's error text. */
static bool unescape(struct ce_tv_ctx *c, const char *p, size_t n, enum esc_mode m,
                     struct ce_tv *out, struct ce_tv *err)
{
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '%') {
            if (i + 2 >= n || ce_hex_digit((unsigned char)p[i + 1]) < 0 ||
                ce_hex_digit((unsigned char)p[i + 2]) < 0) {
                *err = gofmt1(c, "invalid URL escape %q", p + i, n - i > 3 ? 3 : n - i);
                return false;
            }
            bool pct25 = memcmp(p + i, "%25", 3) == 0;
            unsigned char v = (unsigned char)(ce_hex_digit((unsigned char)p[i + 1]) << 4 |
                                              ce_hex_digit((unsigned char)p[i + 2]));
            if ((m == M_HOST && ce_hex_digit((unsigned char)p[i + 1]) < 8 && !pct25) ||
                (m == M_ZONE && !pct25 && v != ' ' && should_escape(v, M_HOST))) {
                *err = gofmt1(c, "invalid URL escape %q", p + i, 3);
                return false;
            }
            i += 3;
            continue;
        }
        if ((m == M_HOST || m == M_ZONE) && ch < 0x80 && should_escape(ch, m)) {
            *err = gofmt1(c, "invalid character %q in host name", p + i, 1);
            return false;
        }
        i++;
    }
    struct sb b;
    sb_init(&b, c, n + 1);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '%') {
            ch = (char)(ce_hex_digit((unsigned char)p[i + 1]) << 4 |
                        ce_hex_digit((unsigned char)p[i + 2]));
            i += 2;
        }
        sb_add(&b, &ch, 1);
    }
    *out = sb_value(&b);
    return true;
}

struct url {
    struct ce_tv scheme, opaque, host, path, query, fragment;
    bool has_user, has_password;
    struct ce_tv user, password;
};

static bool valid_port(const char *p, size_t n)
{
    if (n == 0) {
        return true;
    }
    if (p[0] != ':') {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
    }
    return true;
}

static const char *last_of(const char *p, size_t n, char ch)
{
    for (size_t i = n; i-- > 0;) {
        if (p[i] == ch) {
            return p + i;
        }
    }
    return NULL;
}

static bool parse_host(struct ce_tv_ctx *c, const char *p, size_t n, struct ce_tv *host,
                       struct ce_tv *err)
{
    if (n && p[0] == '[') {
        const char *rb = last_of(p, n, ']');
        if (!rb) {
            *err = ce_tv_cstr("missing ']' in host");
            return false;
        }
        size_t i = (size_t)(rb - p);
        if (!valid_port(rb + 1, n - i - 1)) {
            *err = gofmt1(c, "invalid port %q after host", rb + 1, n - i - 1);
            return false;
        }
        const char *zone = NULL;
        for (size_t k = 0; k + 3 <= i && !zone; k++) {
            zone = memcmp(p + k, "%25", 3) == 0 ? p + k : NULL;
        }
        if (zone) {
            struct ce_tv h1, h2, h3;
            size_t z = (size_t)(zone - p);
            if (!unescape(c, p, z, M_HOST, &h1, err) ||
                !unescape(c, zone, i - z, M_ZONE, &h2, err) ||
                !unescape(c, rb, n - i, M_HOST, &h3, err)) {
                return false;
            }
            struct sb b;
            sb_init(&b, c, n);
            sb_add(&b, S(h1), N(h1));
            sb_add(&b, S(h2), N(h2));
            sb_add(&b, S(h3), N(h3));
            *host = sb_value(&b);
            return true;
        }
    }
    else {
        const char *colon = last_of(p, n, ':');
        if (colon && !valid_port(colon, n - (size_t)(colon - p))) {
            *err = gofmt1(c, "invalid port %q after host", colon, n - (size_t)(colon - p));
            return false;
        }
    }
    return unescape(c, p, n, M_HOST, host, err);
}

static bool valid_userinfo(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        bool alnum = ((ch | 32) >= 'a' && (ch | 32) <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch && strchr("-._:~!$&'()*+,;=%@", ch))) {
            return false;
        }
    }
    return true;
}

static bool parse_authority(struct ce_tv_ctx *c, const char *p, size_t n, struct url *u,
                            struct ce_tv *err)
{
    const char *at = last_of(p, n, '@');
    size_t hs = at ? (size_t)(at - p) + 1 : 0;
    if (!parse_host(c, p + hs, n - hs, &u->host, err)) {
        return false;
    }
    if (!at) {
        return true;
    }
    size_t ulen = (size_t)(at - p);
    if (!valid_userinfo(p, ulen)) {
        *err = ce_tv_cstr("net/url: invalid userinfo");
        return false;
    }
    const char *colon = memchr(p, ':', ulen);
    size_t nlen = colon ? (size_t)(colon - p) : ulen;
    u->has_user = true;
    if (!unescape(c, p, nlen, M_USER, &u->user, err)) {
        return false;
    }
    if (colon) {
        u->has_password = true;
        return unescape(c, colon + 1, ulen - nlen - 1, M_USER, &u->password, err);
    }
    return true;
}

/* The scheme and where the rest starts; false with *err for a leading ':'. */
static bool get_scheme(const char *p, size_t n, size_t *scheme_len, struct ce_tv *err)
{
    *scheme_len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch | 32) >= 'a' && (ch | 32) <= 'z') {
            continue;
        }
        if ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.') {
            if (i == 0) {
                return true;
            }
            continue;
        }
        if (ch == ':') {
            if (i == 0) {
                *err = ce_tv_cstr("missing protocol scheme");
                return false;
            }
            *scheme_len = i;
        }
        return true;
    }
    return true;
}

static bool parse_rest(struct ce_tv_ctx *c, const char *p, size_t n, struct url *u,
                       struct ce_tv *err)
{
    const char *q = memchr(p, '?', n);
    if (q) {
        u->query = ce_tv_str(q + 1, n - (size_t)(q - p) - 1);
        n = (size_t)(q - p);
    }
    if (n == 0 || p[0] != '/') {
        if (N(u->scheme)) {
            u->opaque = ce_tv_str(p, n);
            return true;
        }
        const char *slash = memchr(p, '/', n);
        if (memchr(p, ':', slash ? (size_t)(slash - p) : n)) {
            *err = ce_tv_cstr("first path segment in URL cannot contain colon");
            return false;
        }
    }
    bool triple = n >= 3 && memcmp(p, "///", 3) == 0;
    if ((N(u->scheme) || !triple) && n >= 2 && p[0] == '/' && p[1] == '/') {
        const char *slash = memchr(p + 2, '/', n - 2);
        size_t alen = slash ? (size_t)(slash - p) - 2 : n - 2;
        if (!parse_authority(c, p + 2, alen, u, err)) {
            return false;
        }
        p += 2 + alen, n -= 2 + alen;
    }
    return unescape(c, p, n, M_PATH, &u->path, err);
}

static bool parse_url(struct ce_tv_ctx *c, const char *p, size_t n, struct url *u,
                      struct ce_tv *err, size_t *err_len)
{
    memset(u, 0, sizeof *u);
    u->scheme = u->opaque = u->host = u->path = u->query = u->fragment = ce_tv_str("", 0);
    u->user = u->password = u->fragment;
    const char *hash = memchr(p, '#', n);
    size_t ul = hash ? (size_t)(hash - p) : n;
    *err_len = ul;
    for (size_t i = 0; i < ul; i++) {
        if ((unsigned char)p[i] < ' ' || p[i] == 0x7f) {
            *err = ce_tv_cstr("net/url: invalid control character in URL");
            return false;
        }
    }
    if (ul == 1 && p[0] == '*') {
        u->path = ce_tv_cstr("*");
    }
    else {
        size_t sl;
        if (!get_scheme(p, ul, &sl, err)) {
            return false;
        }
        struct sb b;
        sb_init(&b, c, sl + 1);
        for (size_t i = 0; i < sl; i++) {
            char ch = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
            sb_add(&b, &ch, 1);
        }
        u->scheme = sb_value(&b);
        size_t from = sl ? sl + 1 : 0;
        if (!parse_rest(c, p + from, ul - from, u, err)) {
            return false;
        }
    }
    *err_len = n;
    return !hash || unescape(c, hash + 1, n - ul - 1, M_FRAGMENT, &u->fragment, err);
}

static struct ce_tv hostname(const struct ce_tv *host)
{
    const char *p = S(*host);
    size_t n = N(*host);
    const char *colon = last_of(p, n, ':');
    if (colon && valid_port(colon, n - (size_t)(colon - p))) {
        n = (size_t)(colon - p);
    }
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        return ce_tv_str(p + 1, n - 2);
    }
    return ce_tv_str(p, n);
}

static struct ce_tv userinfo(struct ce_tv_ctx *c, const struct url *u)
{
    struct sb b;
    sb_init(&b, c, N(u->user) + N(u->password) + 8);
    if (u->has_user) {
        escape_into(&b, S(u->user), N(u->user), M_USER);
        if (u->has_password) {
            sb_add(&b, ":", 1);
            escape_into(&b, S(u->password), N(u->password), M_USER);
        }
    }
    return sb_value(&b);
}

static SPRIG_FN(fn_url_parse)
{
    (void)n;
    struct url u;
    struct ce_tv err;
    size_t err_len;
    if (!parse_url(c, S(a[0]), N(a[0]), &u, &err, &err_len)) {
        struct ce_tv q = gofmt1(c, "%q", S(a[0]), err_len);
        return SPRIG_FAIL(c, "unable to parse url: parse %.*s: %.*s", (int)N(q), S(q), (int)N(err),
                          S(err));
    }
    struct ce_tv d = ce_tv_map_new(c, CE_TV_GO_DEFAULT);
    ce_tv_map_set(c, &d, "scheme", 6, u.scheme);
    ce_tv_map_set(c, &d, "host", 4, u.host);
    ce_tv_map_set(c, &d, "hostname", 8, hostname(&u.host));
    ce_tv_map_set(c, &d, "path", 4, u.path);
    ce_tv_map_set(c, &d, "query", 5, u.query);
    ce_tv_map_set(c, &d, "opaque", 6, u.opaque);
    ce_tv_map_set(c, &d, "fragment", 8, u.fragment);
    ce_tv_map_set(c, &d, "userinfo", 8, userinfo(c, &u));
    *out = d;
    return CE_OK;
}

/* sprig's get(d, key).(string): "" when absent, Go's panic for another type. */
static int dict_str(struct ce_tv_ctx *c, const struct ce_tv *d, const char *key, struct ce_tv *s)
{
    const struct ce_tv *v = ce_tv_map_get(d, key, strlen(key));
    if (!v) {
        *s = ce_tv_str("", 0);
        return CE_OK;
    }
    if (v->kind != CE_TV_STRING) {
        const char *t =
            v->kind == CE_TV_NIL || v->kind == CE_TV_INVALID ? "nil" : ce_tv_type_name(v);
        return SPRIG_FAIL(c, "interface conversion: interface {} is %s, not string", t);
    }
    *s = *v;
    return CE_OK;
}

static void write_url(struct sb *b, const struct url *u, const struct ce_tv *ui)
{
    sb_add(b, S(u->scheme), N(u->scheme));
    if (N(u->scheme)) {
        sb_add(b, ":", 1);
    }
    if (N(u->opaque)) {
        sb_add(b, S(u->opaque), N(u->opaque));
    }
    else {
        if (N(u->scheme) || N(u->host) || u->has_user) {
            if (N(u->host) || N(u->path) || u->has_user) {
                sb_add(b, "//", 2);
            }
            if (u->has_user) {
                sb_add(b, S(*ui), N(*ui));
                sb_add(b, "@", 1);
            }
            escape_into(b, S(u->host), N(u->host), M_HOST);
        }
        struct sb pb;
        sb_init(&pb, b->c, N(u->path) + 8);
        bool star = N(u->path) == 1 && S(u->path)[0] == '*';
        escape_into(&pb, S(u->path), star ? 0 : N(u->path), M_PATH);
        struct ce_tv path = star ? u->path : sb_value(&pb);
        if (N(path) && S(path)[0] != '/' && N(u->host)) {
            sb_add(b, "/", 1);
        }
        if (b->len == 0) {
            const char *slash = memchr(S(path), '/', N(path));
            if (N(path) && memchr(S(path), ':', slash ? (size_t)(slash - S(path)) : N(path))) {
                sb_add(b, "./", 2);
            }
        }
        sb_add(b, S(path), N(path));
    }
    if (N(u->query)) {
        sb_add(b, "?", 1);
        sb_add(b, S(u->query), N(u->query));
    }
    if (N(u->fragment)) {
        sb_add(b, "#", 1);
        escape_into(b, S(u->fragment), N(u->fragment), M_FRAGMENT);
    }
}

static SPRIG_FN(fn_url_join)
{
    (void)n;
    struct url u = {0};
    struct ce_tv ui;
    static const char *const keys[] = {"scheme", "host",     "path",    "query",
                                       "opaque", "fragment", "userinfo"};
    struct ce_tv *dst[] = {&u.scheme, &u.host, &u.path, &u.query, &u.opaque, &u.fragment, &ui};
    for (size_t i = 0; i < 7; i++) {
        int rc = dict_str(c, &a[0], keys[i], dst[i]);
        if (rc != CE_OK) {
            return rc;
        }
    }
    if (N(ui)) {
        /* sprig reads the userinfo through url.Parse("proto://<userinfo>@host") */
        struct sb t;
        sb_init(&t, c, N(ui) + 16);
        sb_add(&t, "proto://", 8);
        sb_add(&t, S(ui), N(ui));
        sb_add(&t, "@host", 5);
        struct ce_tv tmp = sb_value(&t), err;
        struct url pu;
        size_t err_len;
        if (!parse_url(c, S(tmp), N(tmp), &pu, &err, &err_len)) {
            struct ce_tv q = gofmt1(c, "%q", S(tmp), err_len);
            return SPRIG_FAIL(c, "unable to parse userinfo in dict: parse %.*s: %.*s", (int)N(q),
                              S(q), (int)N(err), S(err));
        }
        u.has_user = pu.has_user, u.has_password = pu.has_password;
        u.user = pu.user, u.password = pu.password;
        ui = userinfo(c, &u);
    }
    struct sb b;
    sb_init(&b, c, 64);
    write_url(&b, &u, &ui);
    *out = sb_value(&b);
    return CE_OK;
}

const struct ce_fn ce_sprig_url_fns[] = {
    {"urlParse", fn_url_parse, 1, 0, {CE_FT_STRING}},
    {"urlJoin", fn_url_join, 1, 0, {CE_FT_MAP}},
};
const size_t ce_sprig_url_nfns = sizeof ce_sprig_url_fns / sizeof ce_sprig_url_fns[0];
