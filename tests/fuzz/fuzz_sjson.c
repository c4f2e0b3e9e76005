/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target for setting values. Input: path, newline, value, newline, JSON text. Sets the
 * value as a string and as raw text. Invariants: a set never fails except with an error code
 * and message; on valid JSON with a plain path (keys of letters and digits) the string set
 * succeeds unless the path crosses an array with a key, the output is valid JSON, and looking
 * the path up in it gives the value back (round trip) when the path only crosses containers. */
#include "core/json/gjson.h"
#include "core/base/mem.h"
#include "core/base/rc.h"
#include "core/json/sjson.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys of [a-z0-9], non-empty, numbers of at most 4 digits, no leading '.' or "..". */
static bool plain_path(const char *p)
{
    size_t run = 0, digits = 0;
    if (*p == '\0') {
        return false;
    }
    for (; *p; p++) {
        if (*p == '.') {
            if (run == 0) {
                return false;
            }
            run = digits = 0;
            continue;
        }
        if (*p >= '0' && *p <= '9') {
            if (++digits > 4) {
                return false;
            }
        }
        else if (*p < 'a' || *p > 'z') {
            return false;
        }
        run++;
    }
    return run > 0;
}

/* Whether every proper prefix of path that exists in json is an object or array. Descending
 * into a scalar makes the lenient lookup scan its text for brackets, so a string that happens
 * to contain `[` or `{` can be taken for a container, as upstream does; no round trip then. */
static bool containers_on_way(const char *json, size_t len, const char *path)
{
    char *prefix = ce_xstrdup(path);
    bool ok = true;
    for (char *dot = strchr(prefix, '.'); dot && ok; dot = strchr(dot + 1, '.')) {
        struct ce_gj_result r;
        *dot = '\0';
        ok = ce_gj_get(json, len, prefix, &r, NULL, 0) == CE_OK &&
             (r.type == CE_GJ_NONE || r.type == CE_GJ_JSON);
        ce_gj_result_fini(&r);
        *dot = '.';
    }
    ce_free(prefix);
    return ok;
}

static void round_trip(const char *json, size_t len, const char *path, const char *val, size_t vlen)
{
    char *out = NULL;
    size_t out_len = 0;
    char err[256] = "";
    int rc = ce_sj_set_string(json, len, path, val, vlen, &out, &out_len, err, sizeof err);
    if (rc != CE_OK) {
        /* only an object key on an array may fail here */
        if (rc != CE_EINVAL || strstr(err, "non-numeric") == NULL || out != NULL) {
            abort();
        }
        return;
    }
    if (!ce_gj_valid(out, out_len)) {
        abort();
    }
    struct ce_gj_result r;
    if (ce_gj_get(out, out_len, path, &r, NULL, 0) != CE_OK || r.type != CE_GJ_STRING ||
        r.str_len != vlen || memcmp(r.str, val, vlen) != 0) {
        abort();
    }
    ce_gj_result_fini(&r);
    ce_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl1 = memchr(data, '\n', size);
    if (!nl1) {
        return 0;
    }
    const uint8_t *nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - data));
    if (!nl2) {
        return 0;
    }
    char *path = ce_xstrndup((const char *)data, (size_t)(nl1 - data));
    size_t vlen = (size_t)(nl2 - nl1 - 1);
    char *val = ce_xmalloc(vlen ? vlen : 1);
    memcpy(val, nl1 + 1, vlen);
    size_t len = size - (size_t)(nl2 + 1 - data);
    char *json = ce_xmalloc(len ? len : 1);
    memcpy(json, nl2 + 1, len);

    for (int raw = 0; raw < 2; raw++) {
        char *out = NULL;
        size_t out_len = 0;
        char err[256] = "";
        int rc =
            raw ? ce_sj_set_raw(json, len, path, val, vlen, &out, &out_len, err, sizeof err)
                : ce_sj_set_string(json, len, path, val, vlen, &out, &out_len, err, sizeof err);
        if (rc == CE_OK) {
            if (out == NULL || out[out_len] != '\0') {
                abort();
            }
        }
        else if (out != NULL || err[0] == '\0') {
            abort();
        }
        ce_free(out);
    }
    /* valid UTF-8 keeps the string unchanged through escaping and unescaping */
    bool utf8_ok = true;
    for (size_t i = 0; i < vlen && utf8_ok; i++) {
        utf8_ok = (unsigned char)val[i] < 0x80;
    }
    if (plain_path(path) && utf8_ok && ce_gj_valid(json, len) &&
        containers_on_way(json, len, path)) {
        round_trip(json, len, path, val, vlen);
    }
    ce_free(json);
    ce_free(val);
    ce_free(path);
    return 0;
}
