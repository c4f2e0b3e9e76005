/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's encoding functions: base64 (Go's StdEncoding, with its error texts returned as the
 * result, as sprig does), sha256sum, JSON (toJson = encoding/json Marshal, toRawJson without
 * HTML escaping, fromJson ignoring errors), uuidv4 and fail. */
#include "core/template/sprig_int.h"

#include "core/base/base64.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

static SPRIG_FN(fn_b64enc)
{
    (void)n;
    size_t len = ce_base64_encoded_len(N(a[0]));
    ce_tv_check_size(c, len + 1);
    char *o = ce_tv_alloc(c, len + 1); /* zeroed: NUL-terminated */
    *out = ce_tv_str(o, ce_base64_encode_to(S(a[0]), N(a[0]), o));
    return CE_OK;
}

static SPRIG_FN(fn_b64dec)
{
    (void)n;
    size_t len = N(a[0]);
    ce_tv_check_size(c, ce_base64_decoded_max(len));
    unsigned char *buf = ce_tv_alloc(c, ce_base64_decoded_max(len) + 1);
    size_t got = 0;
    long long err = ce_base64_decode(S(a[0]), len, buf, &got);
    if (err >= 0) {
        char msg[64];
        int k = snprintf(msg, sizeof msg, "illegal base64 data at input byte %lld", err);
        *out = ce_tv_str_copy(c, msg, (size_t)k);
        return CE_OK;
    }
    *out = ce_tv_str((const char *)buf, got); /* arena, zeroed past got */
    return CE_OK;
}

static SPRIG_FN(fn_sha256sum)
{
    (void)n;
    *out = sprig_hex_digest(c, EVP_sha256(), S(a[0]), N(a[0]));
    return CE_OK;
}

struct json_job {
    const struct ce_tv *v;
    int mode; /* 0 Marshal, 1 MarshalIndent, 2 Encoder without HTML escaping */
    int rc;
};

static void json_job(struct ce_tv_ctx *c, struct ce_buf *b, void *arg)
{
    struct json_job *j = arg;
    j->rc = ce_tv_to_json(c, b, j->v, j->mode == 1);
}

static int to_json(struct ce_tv_ctx *c, const struct ce_tv *v, int mode, struct ce_tv *out)
{
    struct json_job job = {v, mode, CE_OK};
    struct ce_tv text = ce_tv_build_string(c, json_job, &job);
    if (job.rc != CE_OK) {
        return job.rc;
    }
    if (mode != 2) {
        *out = text;
        return CE_OK;
    }
    /* SetEscapeHTML(false): undo the \u003c, \u003e and \u0026 escapes (only those) */
    const char *d = S(text);
    size_t len = N(text);
    struct sb s;
    sb_init(&s, c, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (d[i] == '\\' && i + 5 < len && d[i + 1] == 'u' && memcmp(d + i + 2, "00", 2) == 0 &&
            (memcmp(d + i + 4, "3c", 2) == 0 || memcmp(d + i + 4, "3e", 2) == 0 ||
             memcmp(d + i + 4, "26", 2) == 0)) {
            char ch = d[i + 5] == 'c' ? '<' : d[i + 5] == 'e' ? '>' : '&';
            sb_add(&s, &ch, 1);
            i += 5;
            continue;
        }
        if (d[i] == '\\' && i + 1 < len) {
            sb_add(&s, d + i, 2);
            i++;
            continue;
        }
        sb_add(&s, d + i, 1);
    }
    *out = sb_value(&s);
    return CE_OK;
}

static SPRIG_FN(fn_to_json)
{
    (void)n;
    if (to_json(c, &a[0], 0, out) != CE_OK) {
        *out = ce_tv_str("", 0);
    }
    return CE_OK;
}

static SPRIG_FN(fn_to_pretty_json)
{
    (void)n;
    if (to_json(c, &a[0], 1, out) != CE_OK) {
        *out = ce_tv_str("", 0);
    }
    return CE_OK;
}

static SPRIG_FN(fn_to_raw_json)
{
    (void)n;
    if (to_json(c, &a[0], 2, out) != CE_OK) {
        *out = ce_tv_str("", 0);
    }
    return CE_OK;
}

static SPRIG_FN(fn_must_to_json)
{
    (void)n;
    if (to_json(c, &a[0], 0, out) != CE_OK) {
        return SPRIG_FAIL(c, "json: unsupported value");
    }
    return CE_OK;
}

static int from_json(struct ce_tv_ctx *c, const struct ce_tv *s, struct ce_tv *out, bool must)
{
    json_error_t jerr;
    json_t *j =
        json_loadb(S(*s), N(*s), JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        *out = ce_tv_nil();
        return must ? SPRIG_FAIL(c, "%s", jerr.text) : CE_OK;
    }
    /* the conversion may leave through the arena cap: release the jansson value first */
    jmp_buf here, *saved = c->fail;
    if (setjmp(here) != 0) {
        json_decref(j);
        c->fail = saved;
        longjmp(*saved, 1);
    }
    c->fail = &here;
    *out = ce_tv_from_json(c, j);
    c->fail = saved;
    json_decref(j);
    return CE_OK;
}

static SPRIG_FN(fn_from_json)
{
    (void)n;
    return from_json(c, &a[0], out, false);
}

static SPRIG_FN(fn_must_from_json)
{
    (void)n;
    return from_json(c, &a[0], out, true);
}

static SPRIG_FN(fn_uuidv4)
{
    (void)a, (void)n;
    unsigned char u[16];
    if (getentropy(u, sizeof u) != 0) {
        return SPRIG_FAIL(c, "no randomness available");
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    char s[37];
    snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    *out = ce_tv_str_copy(c, s, 36);
    return CE_OK;
}

static SPRIG_FN(fn_fail)
{
    (void)n, (void)out;
    return SPRIG_FAIL(c, "%.*s", (int)(N(a[0]) > 400 ? 400 : N(a[0])), S(a[0]));
}

#define STR CE_FT_STRING
#define ANY CE_FT_ANY

const struct ce_fn ce_sprig_enc_fns[] = {
    {"b64enc", fn_b64enc, 1, 0, {STR}},
    {"b64dec", fn_b64dec, 1, 0, {STR}},
    {"sha256sum", fn_sha256sum, 1, 0, {STR}},
    {"toJson", fn_to_json, 1, 0, {ANY}},
    {"toPrettyJson", fn_to_pretty_json, 1, 0, {ANY}},
    {"toRawJson", fn_to_raw_json, 1, 0, {ANY}},
    {"mustToJson", fn_must_to_json, 1, 0, {ANY}},
    {"fromJson", fn_from_json, 1, 0, {STR}},
    {"mustFromJson", fn_must_from_json, 1, 0, {STR}},
    {"uuidv4", fn_uuidv4, 0, 0, {0}},
    {"fail", fn_fail, 1, 0, {STR}},
};
const size_t ce_sprig_enc_nfns = sizeof ce_sprig_enc_fns / sizeof ce_sprig_enc_fns[0];
