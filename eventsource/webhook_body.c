/* SPDX-License-Identifier: Apache-2.0 */
/* The webhook event data, byte for byte what Argo Events' Go code produces: query strings and
 * forms decoded like url.ParseQuery, JSON bodies validated and compacted like json.Marshal of a
 * json.RawMessage, and the header map written like encoding/json writes an http.Header. */
#include "eventsource/webhook_body.h"
#include "core/go/httpcanon.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/hex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Go's encoding/json scanner refuses deeper nesting (maxNestingDepth). */
#define BODY_MAX_DEPTH 10000
/* What Argo Events writes instead of an Authorization value (common/webhook/webhook.go). */
#define BODY_MASKED_AUTH "*** Masked Auth Secret ***"

/* Puts the buffer back to len bytes: the functions here append all or nothing. */
static void body_truncate(struct ce_buf *out, size_t len)
{
    if (out->data) {
        out->len = len;
        out->data[len] = '\0';
    }
}

/* ---- query strings: url.ParseQuery ---- */

struct body_pair {
    const char *key;
    size_t key_len;
    const char *val;
    size_t val_len;
    size_t seq; /* arrival order, so equal keys keep their values in order */
};

/* url.QueryUnescape of s[0..n) into dst (room for n bytes): "%XX" decoded, '+' is a space.
 * Returns the decoded length, or -1 for a '%' without two hex digits. */
static long body_unescape(const char *s, size_t n, char *dst)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return -1;
            }
            int hi = ce_hex_digit((unsigned char)s[i + 1]);
            int lo = ce_hex_digit((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            dst[o++] = (char)(hi << 4 | lo);
            i += 2;
        }
        else {
            dst[o++] = c == '+' ? ' ' : (char)c;
        }
    }
    return (long)o;
}

static int body_pair_cmp(const void *a, const void *b)
{
    const struct body_pair *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = n ? memcmp(x->key, y->key, n) : 0;
    if (c != 0) {
        return c;
    }
    if (x->key_len != y->key_len) {
        return x->key_len < y->key_len ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

/* Splits q into decoded pairs (into dec, room for len bytes). Returns the number of pairs and
 * sets *bad when a pair was skipped because Go's ParseQuery reports it as an error. */
static size_t body_split_query(const char *q, size_t len, char *dec, struct body_pair *pairs,
                               bool *bad)
{
    size_t np = 0, used = 0, i = 0;
    while (i < len) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *p = q + i;
        size_t pl = end - i;
        i = amp ? end + 1 : len;
        if (pl == 0) {
            continue;
        }
        if (memchr(p, ';', pl)) { /* Go >= 1.17: "invalid semicolon separator in query" */
            *bad = true;
            continue;
        }
        const char *eq = memchr(p, '=', pl);
        size_t kl = eq ? (size_t)(eq - p) : pl;
        long k = body_unescape(p, kl, dec + used);
        long v = k < 0 ? -1 : body_unescape(p + kl + 1, eq ? pl - kl - 1 : 0, dec + used + k);
        if (k < 0 || v < 0) {
            *bad = true;
            continue;
        }
        pairs[np] = (struct body_pair){dec + used, (size_t)k, dec + used + k, (size_t)v, np};
        used += (size_t)(k + v);
        np++;
    }
    return np;
}

static int body_write_pairs(const struct body_pair *pairs, size_t np, struct ce_buf *out)
{
    int rc = ce_buf_append(out, "{", 1);
    for (size_t i = 0; rc == CE_OK && i < np; i++) {
        bool first = i == 0 || pairs[i - 1].key_len != pairs[i].key_len ||
                     memcmp(pairs[i - 1].key, pairs[i].key, pairs[i].key_len) != 0;
        if (first) {
            if (i > 0) {
                rc = ce_buf_append(out, "],", 2);
            }
            if (rc == CE_OK) {
                rc = ce_buf_json_str(out, pairs[i].key, pairs[i].key_len);
            }
            if (rc == CE_OK) {
                rc = ce_buf_append(out, ":[", 2);
            }
        }
        else {
            rc = ce_buf_append(out, ",", 1);
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, pairs[i].val, pairs[i].val_len);
        }
    }
    if (rc == CE_OK && np > 0) {
        rc = ce_buf_append(out, "]", 1);
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(out, "}", 1);
    }
    return rc;
}

/* On CE_EPARSE the object of the pairs that did decode is still appended: that is what
 * r.URL.Query() gives Argo's GET handler, which ignores the error, while its form handler
 * (r.ParseForm) answers 500 with it. The caller picks. */
int ce_webhook_body_from_query(const char *q, size_t len, struct ce_buf *out)
{
    size_t start = out->len;
    size_t max_pairs = 1;
    for (size_t i = 0; i < len; i++) {
        max_pairs += q[i] == '&';
    }
    struct body_pair *pairs = ce_xcalloc(max_pairs, sizeof(*pairs));
    char *dec = ce_xmalloc(len + 1);
    bool bad = false;
    size_t np = body_split_query(q, len, dec, pairs, &bad);
    qsort(pairs, np, sizeof(*pairs), body_pair_cmp);
    int rc = body_write_pairs(pairs, np, out);
    ce_free(pairs);
    ce_free(dec);
    if (rc != CE_OK) {
        body_truncate(out, start);
        return rc;
    }
    return bad ? CE_EPARSE : CE_OK;
}

/* ---- JSON bodies: json.Marshal of a json.RawMessage ---- */

struct body_jc {
    const unsigned char *s;
    size_t n;
    size_t i;
    size_t run; /* start of the bytes not yet copied to out */
    struct ce_buf *out;
    int rc;          /* first error; CE_OK while all is well */
    uint8_t *is_obj; /* container stack: 1 = object, 0 = array */
    size_t depth;
};

/* Copies the pending run [run, upto) to out. */
static void body_jc_flush(struct body_jc *j, size_t upto)
{
    if (j->rc == CE_OK && upto > j->run) {
        j->rc = ce_buf_append(j->out, j->s + j->run, upto - j->run);
    }
    j->run = upto;
}

static void body_jc_fail(struct body_jc *j)
{
    if (j->rc == CE_OK) {
        j->rc = CE_EPARSE;
    }
}

/* Skips insignificant whitespace, which is dropped from the output. */
static void body_jc_ws(struct body_jc *j)
{
    size_t i = j->i;
    while (i < j->n && (j->s[i] == ' ' || j->s[i] == '\t' || j->s[i] == '\n' || j->s[i] == '\r')) {
        i++;
    }
    if (i != j->i) {
        body_jc_flush(j, j->i);
        j->run = i;
        j->i = i;
    }
}

/* Replaces s[i..i+skip) with the escape esc (6 bytes). */
static void body_jc_escape(struct body_jc *j, const char *esc, size_t skip)
{
    body_jc_flush(j, j->i);
    if (j->rc == CE_OK) {
        j->rc = ce_buf_append(j->out, esc, 6);
    }
    j->i += skip;
    j->run = j->i;
}

static bool body_jc_hex4(const struct body_jc *j, size_t at)
{
    if (at + 4 > j->n) {
        return false;
    }
    for (size_t k = 0; k < 4; k++) {
        if (ce_hex_digit(j->s[at + k]) < 0) {
            return false;
        }
    }
    return true;
}

/* A string at s[i] == '"'. Bytes are kept as they are (Go does not check UTF-8 here) except
 * the HTML-sensitive ones json.Marshal escapes. */
static void body_jc_string(struct body_jc *j)
{
    j->i++;
    while (j->rc == CE_OK) {
        if (j->i >= j->n) {
            body_jc_fail(j);
            return;
        }
        unsigned char c = j->s[j->i];
        if (c == '"') {
            j->i++;
            return;
        }
        if (c < 0x20) {
            body_jc_fail(j);
        }
        else if (c == '\\') {
            unsigned char e = j->i + 1 < j->n ? j->s[j->i + 1] : 0;
            if (e == 'u' && body_jc_hex4(j, j->i + 2)) {
                j->i += 6; /* lone surrogates too: Go's scanner accepts them */
            }
            else if (e && strchr("\"\\/bfnrt", e)) {
                j->i += 2;
            }
            else {
                body_jc_fail(j);
            }
        }
        else if (c == '<' || c == '>' || c == '&') {
            body_jc_escape(j, c == '<' ? "\\u003c" : (c == '>' ? "\\u003e" : "\\u0026"), 1);
        }
        else if (c == 0xE2 && j->i + 2 < j->n && j->s[j->i + 1] == 0x80 &&
                 (j->s[j->i + 2] & ~1u) == 0xA8) {
            body_jc_escape(j, j->s[j->i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 3);
        }
        else {
            j->i++;
        }
    }
}

static size_t body_jc_digits(struct body_jc *j)
{
    size_t from = j->i;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') {
        j->i++;
    }
    return j->i - from;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? ; a digit right after a leading 0 is
 * left for the caller to reject as trailing garbage. */
static void body_jc_number(struct body_jc *j)
{
    if (j->s[j->i] == '-') {
        j->i++;
    }
    if (j->i < j->n && j->s[j->i] == '0') {
        j->i++;
    }
    else if (body_jc_digits(j) == 0) {
        body_jc_fail(j);
        return;
    }
    if (j->i < j->n && j->s[j->i] == '.') {
        j->i++;
        if (body_jc_digits(j) == 0) {
            body_jc_fail(j);
            return;
        }
    }
    if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
        j->i++;
        if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-')) {
            j->i++;
        }
        if (body_jc_digits(j) == 0) {
            body_jc_fail(j);
        }
    }
}

static void body_jc_literal(struct body_jc *j, const char *lit)
{
    size_t l = strlen(lit);
    if (j->n - j->i >= l && memcmp(j->s + j->i, lit, l) == 0) {
        j->i += l;
    }
    else {
        body_jc_fail(j);
    }
}

/* One scalar value, or the opening of a container (pushed). Returns true when a container was
 * opened and is still empty-so-far. */
static bool body_jc_value(struct body_jc *j)
{
    if (j->i >= j->n) {
        body_jc_fail(j);
        return false;
    }
    unsigned char c = j->s[j->i];
    if (c == '{' || c == '[') {
        if (j->depth >= BODY_MAX_DEPTH) {
            body_jc_fail(j);
            return false;
        }
        j->is_obj[j->depth++] = c == '{';
        j->i++;
        return true;
    }
    if (c == '"') {
        body_jc_string(j);
    }
    else if (c == '-' || (c >= '0' && c <= '9')) {
        body_jc_number(j);
    }
    else if (c == 't') {
        body_jc_literal(j, "true");
    }
    else if (c == 'f') {
        body_jc_literal(j, "false");
    }
    else if (c == 'n') {
        body_jc_literal(j, "null");
    }
    else {
        body_jc_fail(j);
    }
    return false;
}

/* An object key and its colon, whitespace around them skipped. */
static void body_jc_key(struct body_jc *j)
{
    body_jc_ws(j);
    if (j->i >= j->n || j->s[j->i] != '"') {
        body_jc_fail(j);
        return;
    }
    body_jc_string(j);
    body_jc_ws(j);
    if (j->rc == CE_OK && (j->i >= j->n || j->s[j->i] != ':')) {
        body_jc_fail(j);
        return;
    }
    j->i++;
    body_jc_ws(j);
}

/* After a value: commas, closing brackets, and at depth 0 the end of the input. Returns true
 * when another value is expected. */
static bool body_jc_after(struct body_jc *j)
{
    while (j->rc == CE_OK) {
        body_jc_ws(j);
        if (j->depth == 0) {
            if (j->i != j->n) {
                body_jc_fail(j); /* trailing garbage or a second value */
            }
            return false;
        }
        unsigned char c = j->i < j->n ? j->s[j->i] : 0;
        bool obj = j->is_obj[j->depth - 1];
        if (c == ',') {
            j->i++;
            if (obj) {
                body_jc_key(j);
            }
            else {
                body_jc_ws(j);
            }
            return true;
        }
        if (c != (obj ? '}' : ']')) {
            body_jc_fail(j);
            return false;
        }
        j->i++;
        j->depth--;
    }
    return false;
}

int ce_webhook_body_json_compact(const char *body, size_t len, struct ce_buf *out)
{
    size_t start = out->len;
    uint8_t stack[BODY_MAX_DEPTH];
    struct body_jc j = {.s = (const unsigned char *)body, .n = len, .out = out, .is_obj = stack};
    body_jc_ws(&j);
    bool more = true;
    while (more && j.rc == CE_OK) {
        if (body_jc_value(&j)) {
            /* Just opened: an immediate close, or the first member. */
            body_jc_ws(&j);
            unsigned char c = j.i < j.n ? j.s[j.i] : 0;
            if (c == (j.is_obj[j.depth - 1] ? '}' : ']')) {
                j.i++;
                j.depth--;
                more = body_jc_after(&j);
            }
            else if (j.is_obj[j.depth - 1]) {
                body_jc_key(&j);
            }
            continue;
        }
        more = body_jc_after(&j);
    }
    body_jc_flush(&j, j.i);
    if (j.rc != CE_OK) {
        body_truncate(out, start);
    }
    return j.rc;
}

/* ---- the event data: json.Marshal of WebhookEventData ---- */

struct body_hdr {
    char *name; /* canonical */
    const char *value;
    size_t value_len;
    size_t seq;
};

static int body_hdr_cmp(const void *a, const void *b)
{
    const struct body_hdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0) {
        return c;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

static bool body_has(const struct body_hdr *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* The header map Go's server hands to the handler: canonical names; Host and Transfer-Encoding
 * taken out (Content-Length too when Transfer-Encoding was there); Cache-Control: no-cache added
 * for "Pragma: no-cache" without a Cache-Control (net/http fixPragmaCacheControl). Sorted by
 * name, values in arrival order. Returns the count; the names are heap strings. */
static size_t body_collect_headers(const struct ce_webhook_header *hdrs, int n_hdrs,
                                   struct body_hdr *h)
{
    size_t n = 0;
    for (int i = 0; i < n_hdrs; i++) {
        char *name = ce_xmalloc(hdrs[i].name_len + 1);
        ce_http_canonical_header(hdrs[i].name, hdrs[i].name_len, name);
        h[n] = (struct body_hdr){name, hdrs[i].value, hdrs[i].value_len, n};
        n++;
    }
    bool chunked = body_has(h, n, "Transfer-Encoding");
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].name, "Host") == 0 || strcmp(h[i].name, "Transfer-Encoding") == 0 ||
            (chunked && strcmp(h[i].name, "Content-Length") == 0)) {
            ce_free(h[i].name);
            continue;
        }
        h[kept++] = h[i];
    }
    n = kept;
    qsort(h, n, sizeof(*h), body_hdr_cmp);
    const struct body_hdr *pragma = NULL;
    for (size_t i = 0; i < n && !pragma; i++) {
        pragma = strcmp(h[i].name, "Pragma") == 0 ? &h[i] : NULL;
    }
    if (pragma && pragma->value_len == 8 && memcmp(pragma->value, "no-cache", 8) == 0 &&
        !body_has(h, n, "Cache-Control")) {
        h[n] = (struct body_hdr){ce_xstrdup("Cache-Control"), "no-cache", 8, n};
        n++;
        qsort(h, n, sizeof(*h), body_hdr_cmp);
    }
    return n;
}

/* Argo replaces a non-empty Authorization (its first value) with one masked value
 * (Header.Set), so repeated Authorization headers collapse into one element. */
static bool body_masked(const struct body_hdr *h, size_t i, bool mask_auth, bool *skip)
{
    *skip = false;
    if (!mask_auth || strcmp(h[i].name, "Authorization") != 0) {
        return false;
    }
    size_t first = i;
    while (first > 0 && strcmp(h[first - 1].name, "Authorization") == 0) {
        first--;
    }
    if (h[first].value_len == 0) {
        return false;
    }
    *skip = first != i;
    return true;
}

static int body_write_headers(const struct body_hdr *h, size_t n, bool mask_auth,
                              struct ce_buf *out)
{
    int rc = ce_buf_append(out, "{\"header\":{", 11);
    bool open = false;
    for (size_t i = 0; rc == CE_OK && i < n; i++) {
        bool skip;
        bool masked = body_masked(h, i, mask_auth, &skip);
        if (skip) {
            continue;
        }
        if (i == 0 || strcmp(h[i - 1].name, h[i].name) != 0) {
            rc = ce_buf_append(out, open ? "]," : "", open ? 2 : 0);
            if (rc == CE_OK) {
                rc = ce_buf_json_str(out, h[i].name, strlen(h[i].name));
            }
            if (rc == CE_OK) {
                rc = ce_buf_append(out, ":[", 2);
            }
            open = true;
        }
        else {
            rc = ce_buf_append(out, ",", 1);
        }
        if (rc == CE_OK && masked) {
            rc = ce_buf_json_str(out, BODY_MASKED_AUTH, strlen(BODY_MASKED_AUTH));
        }
        else if (rc == CE_OK) {
            rc = ce_buf_json_str(out, h[i].value, h[i].value_len);
        }
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(out, open ? "]}" : "}", open ? 2 : 1);
    }
    return rc;
}

static int body_meta_cmp(const void *a, const void *b)
{
    const struct ce_kv_pair *const *x = a, *const *y = b;
    int c = strcmp((*x)->key, (*y)->key);
    /* Equal keys: the later one sorts last and wins, as in a Go map literal. */
    return c != 0 ? c : ((*x < *y) ? -1 : (*x > *y));
}

static int body_write_meta(const struct ce_kv_pair *meta, int n_meta, struct ce_buf *out)
{
    const struct ce_kv_pair **m = ce_xcalloc((size_t)n_meta, sizeof(*m));
    for (int i = 0; i < n_meta; i++) {
        m[i] = &meta[i];
    }
    qsort(m, (size_t)n_meta, sizeof(*m), body_meta_cmp);
    int rc = ce_buf_append(out, ",\"metadata\":{", 13);
    bool first = true;
    for (int i = 0; rc == CE_OK && i < n_meta; i++) {
        if (i + 1 < n_meta && strcmp(m[i]->key, m[i + 1]->key) == 0) {
            continue;
        }
        rc = ce_buf_append(out, ",", first ? 0 : 1);
        first = false;
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, m[i]->key, strlen(m[i]->key));
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(out, ":", 1);
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(out, m[i]->value, strlen(m[i]->value));
        }
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(out, "}", 1);
    }
    ce_free(m);
    return rc;
}

int ce_webhook_data_build(const struct ce_webhook_header *hdrs, int n_hdrs, const char *body_json,
                          size_t body_len, const struct ce_kv_pair *meta, int n_meta,
                          bool mask_auth, struct ce_buf *out)
{
    size_t start = out->len;
    n_hdrs = n_hdrs > 0 ? n_hdrs : 0;
    struct body_hdr *h = ce_xcalloc((size_t)n_hdrs + 1, sizeof(*h));
    size_t n = body_collect_headers(hdrs, n_hdrs, h);
    int rc = body_write_headers(h, n, mask_auth, out);
    for (size_t i = 0; i < n; i++) {
        ce_free(h[i].name);
    }
    ce_free(h);
    if (rc == CE_OK) {
        rc = ce_buf_append(out, ",\"body\":", 8);
    }
    if (rc == CE_OK) {
        /* A nil *json.RawMessage marshals as null. */
        rc = body_json ? ce_buf_append(out, body_json, body_len) : ce_buf_append(out, "null", 4);
    }
    if (rc == CE_OK && n_meta > 0) {
        rc = body_write_meta(meta, n_meta, out);
    }
    if (rc == CE_OK) {
        rc = ce_buf_append(out, "}", 1);
    }
    if (rc != CE_OK) {
        body_truncate(out, start);
    }
    return rc;
}
