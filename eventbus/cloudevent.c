/* SPDX-License-Identifier: Apache-2.0 */
/* CloudEvents 1.0 structured JSON as Argo Events' Go SDK writes it (attribute order, Go's string
 * escaping including its HTML-safe escapes, RFC3339Nano times) and a decoder that hands the
 * sensor the "data" bytes exactly as they were on the wire. */
#include "eventbus/cloudevent.h"

#include "core/base/base64.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <jansson.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* ---- encoding ---- */

static const char cloudevent_hex[] = "0123456789abcdef";

/* A JSON string literal the way encoding/json.Marshal ends up writing the SDK's output: the
 * SDK's writer escapes '"', '\\' and control bytes (\n \r \t short, the rest \u00xx), then
 * json.Marshal's compaction escapes <, >, & and U+2028/U+2029. Other bytes pass through. */
static int cloudevent_put_str(struct ce_buf *b, const char *s)
{
    int rc = ce_buf_append(b, "\"", 1);
    size_t n = strlen(s);
    for (size_t i = 0; i < n && rc == CE_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        const char *out = esc;
        size_t olen = 6;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            olen = 2;
        }
        else if (c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            olen = 2;
        }
        else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            memcpy(esc, "\\u00", 4);
            esc[4] = cloudevent_hex[c >> 4];
            esc[5] = cloudevent_hex[c & 0xF];
        }
        else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            out = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            i += 2;
        }
        else {
            esc[0] = (char)c;
            olen = 1;
        }
        rc = ce_buf_append(b, out, olen);
    }
    return rc == CE_OK ? ce_buf_append(b, "\"", 1) : rc;
}

static int cloudevent_put_attr(struct ce_buf *b, const char *key, const char *val)
{
    if (val == NULL) {
        return CE_OK;
    }
    int rc = ce_buf_printf(b, ",\"%s\":", key);
    return rc == CE_OK ? cloudevent_put_str(b, val) : rc;
}

/* The media type of a datacontenttype: before ';', trimmed, lowercased, at most 127 chars. */
static void cloudevent_media_type(const char *ct, char *out, size_t cap)
{
    size_t o = 0;
    if (ct != NULL) {
        const char *end = strchr(ct, ';');
        end = end ? end : ct + strlen(ct);
        while (ct < end && isspace((unsigned char)*ct)) {
            ct++;
        }
        while (end > ct && isspace((unsigned char)end[-1])) {
            end--;
        }
        for (; ct < end && o + 1 < cap; ct++) {
            out[o++] = (char)tolower((unsigned char)*ct);
        }
    }
    out[o] = '\0';
}

/* What the SDK treats as JSON ("" included: no content type means JSON). */
static bool cloudevent_is_json(const char *ct)
{
    char mt[128];
    cloudevent_media_type(ct, mt, sizeof(mt));
    return mt[0] == '\0' || strcmp(mt, "application/json") == 0 || strcmp(mt, "text/json") == 0 ||
           strcmp(mt, "application/cloudevents+json") == 0 ||
           strcmp(mt, "application/cloudevents-batch+json") == 0;
}

static int cloudevent_put_base64(struct ce_buf *b, const unsigned char *p, size_t n)
{
    char chunk[64]; /* 48 input bytes at a time: padding only ever in the last chunk */
    int rc = ce_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n && rc == CE_OK; i += 48) {
        rc = ce_buf_append(b, chunk, ce_base64_encode_to(p + i, n - i < 48 ? n - i : 48, chunk));
    }
    return rc == CE_OK ? ce_buf_append(b, "\"", 1) : rc;
}

static int cloudevent_encode_mode(const struct ce_cloudevent *ev, struct ce_buf *out,
                                  bool always_base64)
{
    if (ev->id == NULL || ev->id[0] == '\0' || ev->source == NULL || ev->source[0] == '\0' ||
        ev->type == NULL || ev->type[0] == '\0' ||
        (ev->specversion != NULL && strcmp(ev->specversion, "1.0") != 0) ||
        (ev->data == NULL && ev->data_len > 0)) {
        return CE_EINVAL;
    }
    bool raw = !always_base64 && cloudevent_is_json(ev->datacontenttype);
    if (raw && ev->data != NULL && ev->data_len == 0) {
        return CE_EINVAL; /* "data": with nothing after it is not JSON */
    }
    /* Built aside so a CE_ETOOBIG leaves out unchanged. */
    struct ce_buf b;
    ce_buf_init(&b, 0);
    int rc = ce_buf_puts(&b, "{\"specversion\":\"1.0\",\"id\":");
    rc = rc ? rc : cloudevent_put_str(&b, ev->id);
    rc = rc ? rc : cloudevent_put_attr(&b, "source", ev->source);
    rc = rc ? rc : cloudevent_put_attr(&b, "type", ev->type);
    rc = rc ? rc : cloudevent_put_attr(&b, "subject", ev->subject);
    rc = rc ? rc : cloudevent_put_attr(&b, "datacontenttype", ev->datacontenttype);
    rc = rc ? rc : cloudevent_put_attr(&b, "time", ev->time);
    if (rc == CE_OK && ev->data != NULL) {
        if (raw) {
            rc = ce_buf_puts(&b, ",\"data\":");
            rc = rc ? rc : ce_buf_append(&b, ev->data, ev->data_len);
        }
        else {
            rc = ce_buf_puts(&b, ",\"data_base64\":");
            rc = rc ? rc : cloudevent_put_base64(&b, (const unsigned char *)ev->data, ev->data_len);
        }
    }
    rc = rc ? rc : ce_buf_append(&b, "}", 1);
    rc = rc ? rc : ce_buf_append(out, b.data, b.len);
    ce_buf_fini(&b);
    return rc;
}

int ce_cloudevent_encode(const struct ce_cloudevent *ev, struct ce_buf *out)
{
    return cloudevent_encode_mode(ev, out, false);
}

int ce_cloudevent_encode_argo(const struct ce_cloudevent *ev, struct ce_buf *out)
{
    return cloudevent_encode_mode(ev, out, true);
}

/* ---- decoding ---- */

#define cloudevent_fail(err, errlen, ...) ce_rc_fail(CE_EPARSE, err, errlen, __VA_ARGS__)

static const char *cloudevent_skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p;
}

/* p at an opening quote of a valid JSON string; returns the byte after the closing quote. */
static const char *cloudevent_skip_str(const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\') {
            p++;
        }
    }
    return p < end ? p + 1 : end;
}

/* p at the start of a valid JSON value; returns the byte after it. */
static const char *cloudevent_skip_value(const char *p, const char *end)
{
    if (*p == '"') {
        return cloudevent_skip_str(p, end);
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                p = cloudevent_skip_str(p, end);
                continue;
            }
            if (*p == '{' || *p == '[') {
                depth++;
            }
            else if (*p == '}' || *p == ']') {
                if (--depth == 0) {
                    return p + 1;
                }
            }
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
           *p != '\n' && *p != '\r') {
        p++;
    }
    return p;
}

/* Whether the JSON string token [s, e) (quotes included) decodes to "data". */
static bool cloudevent_key_is_data(const char *s, const char *e)
{
    if (memchr(s, '\\', (size_t)(e - s)) == NULL) {
        return e - s == 6 && memcmp(s, "\"data\"", 6) == 0;
    }
    json_t *k = json_loadb(s, (size_t)(e - s), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool is = k != NULL && json_is_string(k) && json_string_length(k) == 4 &&
              memcmp(json_string_value(k), "data", 4) == 0;
    json_decref(k);
    return is;
}

/* The raw span of the last top-level "data" member of an already validated JSON object. */
static bool cloudevent_find_data(const char *json, size_t len, const char **vs, size_t *vlen)
{
    const char *p = json, *end = json + len;
    bool found = false;
    p = cloudevent_skip_ws(p, end);
    if (p >= end || *p != '{') {
        return false;
    }
    p++;
    for (;;) {
        p = cloudevent_skip_ws(p, end);
        if (p >= end || *p != '"') {
            return found;
        }
        const char *ks = p;
        p = cloudevent_skip_str(p, end);
        bool is_data = cloudevent_key_is_data(ks, p);
        p = cloudevent_skip_ws(p, end);
        p = cloudevent_skip_ws(p + 1, end); /* the ':' */
        const char *v = p;
        p = cloudevent_skip_value(p, end);
        if (is_data) {
            *vs = v;
            *vlen = (size_t)(p - v);
            found = true;
        }
        p = cloudevent_skip_ws(p, end);
        if (p >= end || *p != ',') {
            return found;
        }
        p++;
    }
}

/* Reads an optional (required when req) string attribute into *dst. */
static int cloudevent_attr(json_t *root, const char *name, bool req, char **dst, char *err,
                           size_t errlen)
{
    json_t *v = json_object_get(root, name);
    if (v == NULL || json_is_null(v)) {
        return req ? cloudevent_fail(err, errlen, "missing required attribute \"%s\"", name)
                   : CE_OK;
    }
    if (!json_is_string(v)) {
        return cloudevent_fail(err, errlen, "attribute \"%s\" must be a string", name);
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) {
        return cloudevent_fail(err, errlen, "attribute \"%s\" contains a NUL character", name);
    }
    if (req && n == 0) {
        return cloudevent_fail(err, errlen, "attribute \"%s\" must not be empty", name);
    }
    *dst = ce_xstrndup(s, n);
    return CE_OK;
}

/* data_base64 as Go's StdEncoding reads it. */
static int cloudevent_unbase64(const char *s, size_t n, char **out, size_t *olen)
{
    unsigned char *buf = ce_xmalloc(ce_base64_decoded_max(n) + 1);
    if (ce_base64_decode(s, n, buf, olen) >= 0) {
        ce_free(buf);
        return CE_EPARSE;
    }
    buf[*olen] = '\0';
    *out = (char *)buf;
    return CE_OK;
}

static int cloudevent_decode_data(json_t *root, const char *json, size_t len,
                                  struct ce_cloudevent *ev, char *err, size_t errlen)
{
    json_t *d = json_object_get(root, "data");
    json_t *b = json_object_get(root, "data_base64");
    if (d != NULL && b != NULL) {
        return cloudevent_fail(err, errlen, "both \"data\" and \"data_base64\" are present");
    }
    if (b != NULL) {
        if (!json_is_string(b)) {
            return cloudevent_fail(err, errlen, "\"data_base64\" must be a string");
        }
        if (cloudevent_unbase64(json_string_value(b), json_string_length(b), &ev->data,
                                &ev->data_len) != CE_OK) {
            return cloudevent_fail(err, errlen, "\"data_base64\" is not valid base64");
        }
        return CE_OK;
    }
    if (d == NULL) {
        return CE_OK;
    }
    if (!cloudevent_is_json(ev->datacontenttype)) {
        /* Non-JSON media types carry their data as a JSON string. */
        if (!json_is_string(d)) {
            return cloudevent_fail(err, errlen, "\"data\" must be a string for content type %s",
                                   ev->datacontenttype);
        }
        ev->data_len = json_string_length(d);
        ev->data = ce_xmalloc(ev->data_len + 1);
        memcpy(ev->data, json_string_value(d), ev->data_len);
        ev->data[ev->data_len] = '\0';
        return CE_OK;
    }
    const char *vs = NULL;
    size_t vlen = 0;
    if (!cloudevent_find_data(json, len, &vs, &vlen) || vlen == 0) {
        return cloudevent_fail(err, errlen, "cannot locate \"data\" in the event");
    }
    ev->data = ce_xstrndup(vs, vlen);
    ev->data_len = vlen;
    return CE_OK;
}

int ce_cloudevent_decode(const char *json, size_t len, struct ce_cloudevent *ev, char *err,
                         size_t errlen)
{
    memset(ev, 0, sizeof(*ev));
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (json == NULL) {
        return cloudevent_fail(err, errlen, "no input");
    }
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &jerr);
    if (root == NULL) {
        return cloudevent_fail(err, errlen, "not JSON: %s (line %d, column %d)", jerr.text,
                               jerr.line, jerr.column);
    }
    int rc = CE_OK;
    if (!json_is_object(root)) {
        rc = cloudevent_fail(err, errlen, "a CloudEvent must be a JSON object");
    }
    rc = rc ? rc : cloudevent_attr(root, "specversion", true, &ev->specversion, err, errlen);
    if (rc == CE_OK && strcmp(ev->specversion, "1.0") != 0) {
        rc = cloudevent_fail(err, errlen, "unsupported specversion \"%s\" (want \"1.0\")",
                             ev->specversion);
    }
    rc = rc ? rc : cloudevent_attr(root, "id", true, &ev->id, err, errlen);
    rc = rc ? rc : cloudevent_attr(root, "source", true, &ev->source, err, errlen);
    rc = rc ? rc : cloudevent_attr(root, "type", true, &ev->type, err, errlen);
    rc = rc ? rc : cloudevent_attr(root, "subject", false, &ev->subject, err, errlen);
    rc = rc ? rc
            : cloudevent_attr(root, "datacontenttype", false, &ev->datacontenttype, err, errlen);
    rc = rc ? rc : cloudevent_attr(root, "time", false, &ev->time, err, errlen);
    rc = rc ? rc : cloudevent_decode_data(root, json, len, ev, err, errlen);
    json_decref(root);
    if (rc != CE_OK) {
        ce_cloudevent_fini(ev);
    }
    return rc;
}

void ce_cloudevent_fini(struct ce_cloudevent *ev)
{
    if (ev == NULL) {
        return;
    }
    ce_free(ev->specversion);
    ce_free(ev->id);
    ce_free(ev->source);
    ce_free(ev->type);
    ce_free(ev->subject);
    ce_free(ev->datacontenttype);
    ce_free(ev->time);
    ce_free(ev->data);
    memset(ev, 0, sizeof(*ev));
}

/* ---- ids and times ---- */

static void cloudevent_random(unsigned char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
        }
        else if (r < 0 && errno != EINTR) {
            break;
        }
    }
    if (got == n) {
        return;
    }
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r <= 0 && !(r < 0 && errno == EINTR)) {
            break;
        }
        got += r > 0 ? (size_t)r : 0;
    }
    if (fd >= 0) {
        close(fd);
    }
    if (got != n) {
        abort(); /* no entropy at all: ids would collide and be deduplicated away */
    }
}

void ce_cloudevent_new_id(char out[33])
{
    unsigned char u[16];
    cloudevent_random(u, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    for (int i = 0; i < 16; i++) {
        out[2 * i] = cloudevent_hex[u[i] >> 4];
        out[2 * i + 1] = cloudevent_hex[u[i] & 0xF];
    }
    out[32] = '\0';
}

void ce_cloudevent_format_time(const struct timespec *ts, char out[40])
{
    time_t sec = ts->tv_sec;
    long nsec = ts->tv_nsec;
    if (nsec < 0 || nsec >= 1000000000L) {
        sec += nsec / 1000000000L;
        nsec %= 1000000000L;
        if (nsec < 0) {
            nsec += 1000000000L;
            sec--;
        }
    }
    struct tm tm;
    if (gmtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        memset(&tm, 0, sizeof(tm)); /* out of RFC 3339's range: clamp to the epoch */
        tm.tm_year = 70;
        tm.tm_mday = 1;
        nsec = 0;
    }
    int n = snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (nsec > 0) {
        char frac[10];
        snprintf(frac, sizeof(frac), "%09ld", nsec);
        int digits = 9;
        while (digits > 0 && frac[digits - 1] == '0') {
            digits--;
        }
        n += snprintf(out + n, (size_t)(40 - n), ".%.*s", digits, frac);
    }
    snprintf(out + n, (size_t)(40 - n), "Z");
}
