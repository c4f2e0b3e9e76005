/* SPDX-License-Identifier: Apache-2.0 */
/* Event data read and written with the number, string and key-order rules of Go's
 * encoding/json, so transformed data is byte for byte what Argo Events produces. */
#include "core/go/gojson.h"

#include "core/go/gofloat.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/base/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ce_gojson_fmt_float(double v, char out[CE_GOJSON_NUM_MAX])
{
    return ce_gofloat_json(v, out, CE_GOJSON_NUM_MAX);
}

int ce_gojson_fmt_key_number(double v, char out[CE_GOJSON_NUM_MAX])
{
    /* an integral key is written as an integer, anything else as fmt's %v */
    if (v == trunc(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0) {
        return snprintf(out, CE_GOJSON_NUM_MAX, "%lld", (long long)v);
    }
    return (int)ce_gofloat_v(v, out, CE_GOJSON_NUM_MAX);
}

/* Go reads each invalid UTF-8 byte as U+FFFD; the JSON parser refuses them, so they are
 * replaced first. Outside strings a replacement is as much a syntax error as the byte was.
 * Returns NULL when data is valid as it is. */
static char *gojson_fix_utf8(const char *data, size_t len, size_t *out_len)
{
    size_t i = 0;
    uint32_t cp = 0;
    while (i < len) {
        if ((unsigned char)data[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = ce_utf8_decode(data + i, len - i, &cp);
        if (n == 0) {
            break;
        }
        i += n;
    }
    if (i == len) {
        return NULL;
    }
    char *out = ce_xmalloc(len * 3 + 1);
    size_t k = 0;
    for (i = 0; i < len;) {
        size_t n = (unsigned char)data[i] < 0x80 ? 1 : ce_utf8_decode(data + i, len - i, &cp);
        if (n == 0) {
            memcpy(out + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
            continue;
        }
        memcpy(out + k, data + i, n);
        k += n;
        i += n;
    }
    out[k] = '\0';
    *out_len = k;
    return out;
}

static int gojson_depth_ok(const json_t *v, int depth)
{
    if (!json_is_object(v) && !json_is_array(v)) {
        return 1;
    }
    if (depth >= CE_GOJSON_MAX_DEPTH) {
        return 0;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (!gojson_depth_ok(json_array_get(v, i), depth + 1)) {
                return 0;
            }
        }
        return 1;
    }
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m)
    {
        if (!gojson_depth_ok(m, depth + 1)) {
            return 0;
        }
    }
    return 1;
}

static const char *gojson_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "a number";
    }
}

int ce_gojson_parse_object(const char *data, size_t len, json_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (len > CE_GOJSON_MAX_INPUT) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "event data is %zu bytes, more than %u", len,
                          CE_GOJSON_MAX_INPUT);
    }
    size_t fixed_len = 0;
    char *fixed = gojson_fix_utf8(data, len, &fixed_len);
    json_error_t je;
    json_t *v = json_loadb(fixed ? fixed : data, fixed ? fixed_len : len,
                           JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
    ce_free(fixed);
    if (v == NULL) {
        return ce_rc_fail(CE_EPARSE, err, errlen, "event data is not valid JSON: %s at byte %d",
                          je.text, je.position);
    }
    if (json_is_null(v)) {
        json_decref(v);
        *out = json_object();
        return CE_OK;
    }
    if (!json_is_object(v)) {
        const char *kind = gojson_kind(v);
        json_decref(v);
        return ce_rc_fail(CE_EPARSE, err, errlen, "event data is %s, not a JSON object", kind);
    }
    if (!gojson_depth_ok(v, 0)) {
        json_decref(v);
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "event data is nested deeper than %d levels",
                          CE_GOJSON_MAX_DEPTH);
    }
    *out = v;
    return CE_OK;
}

struct gojson_member {
    const char *key;
    size_t len;
    const json_t *val;
};

static int gojson_member_cmp(const void *a, const void *b)
{
    const struct gojson_member *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : (x->len > y->len ? 1 : 0);
}

static int gojson_dump_at(const json_t *v, struct ce_buf *b, int depth, char *err, size_t errlen);

static int gojson_dump_object(const json_t *v, struct ce_buf *b, int depth, char *err,
                              size_t errlen)
{
    size_t n = json_object_size(v), i = 0;
    struct gojson_member *m = ce_xcalloc(n ? n : 1, sizeof *m);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)v, key, val)
    {
        m[i].key = key;
        m[i].len = json_object_iter_key_len(json_object_key_to_iter(key));
        m[i++].val = val;
    }
    qsort(m, n, sizeof *m, gojson_member_cmp);
    int rc = ce_buf_append(b, "{", 1);
    for (i = 0; rc == CE_OK && i < n; i++) {
        if (i > 0) {
            rc = ce_buf_append(b, ",", 1);
        }
        if (rc == CE_OK) {
            rc = ce_buf_json_str(b, m[i].key, m[i].len);
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(b, ":", 1);
        }
        if (rc == CE_OK) {
            rc = gojson_dump_at(m[i].val, b, depth + 1, err, errlen);
        }
    }
    ce_free(m);
    if (rc == CE_OK) {
        rc = ce_buf_append(b, "}", 1);
    }
    return rc;
}

static int gojson_dump_at(const json_t *v, struct ce_buf *b, int depth, char *err, size_t errlen)
{
    int rc = CE_OK;
    char num[CE_GOJSON_NUM_MAX];
    if ((json_is_object(v) || json_is_array(v)) && depth >= CE_GOJSON_MAX_DEPTH) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "JSON nested deeper than %d levels",
                          CE_GOJSON_MAX_DEPTH);
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return gojson_dump_object(v, b, depth, err, errlen);
    case JSON_ARRAY:
        rc = ce_buf_append(b, "[", 1);
        for (size_t i = 0; rc == CE_OK && i < json_array_size(v); i++) {
            if (i > 0) {
                rc = ce_buf_append(b, ",", 1);
            }
            if (rc == CE_OK) {
                rc = gojson_dump_at(json_array_get(v, i), b, depth + 1, err, errlen);
            }
        }
        if (rc == CE_OK) {
            rc = ce_buf_append(b, "]", 1);
        }
        break;
    case JSON_STRING:
        rc = ce_buf_json_str(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
    case JSON_REAL: {
        int n = ce_gojson_fmt_float(json_number_value(v), num);
        if (n < 0) {
            return ce_rc_fail(CE_EINVAL, err, errlen, "JSON cannot hold NaN or infinity");
        }
        rc = ce_buf_append(b, num, (size_t)n);
        break;
    }
    case JSON_TRUE:
        rc = ce_buf_append(b, "true", 4);
        break;
    case JSON_FALSE:
        rc = ce_buf_append(b, "false", 5);
        break;
    case JSON_NULL:
        rc = ce_buf_append(b, "null", 4);
        break;
    }
    if (rc == CE_ETOOBIG && err != NULL && errlen > 0 && err[0] == '\0') {
        ce_rc_fail(rc, err, errlen, "JSON output longer than %zu bytes", b->max);
    }
    return rc;
}

int ce_gojson_dump(const json_t *v, struct ce_buf *b, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    return gojson_dump_at(v, b, 0, err, errlen);
}
