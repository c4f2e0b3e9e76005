/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's encoding functions: base64 (Go's StdEncoding, with its error texts returned as the
 * result, as sprig does), sha256sum, JSON (toJson = encoding/json Marshal, toRawJson without
 * HTML escaping, fromJson ignoring errors), uuidv4 and fail. */
#include "core/template/sprig_int.h"

#include "core/base/base64.h"

#include <jansson.h>
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

/* SHA-256 (FIPS 180-4). */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t v[8];
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = ROR(v[4], 6) ^ ROR(v[4], 11) ^ ROR(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + K256[i] + w[i];
        uint32_t s0 = ROR(v[0], 2) ^ ROR(v[0], 13) ^ ROR(v[0], 22);
        uint32_t mj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        uint32_t t2 = s0 + mj;
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) {
        h[i] += v[i];
    }
}

static void sha256(const unsigned char *p, size_t len, unsigned char out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        sha256_block(h, p + i);
    }
    unsigned char tail[128] = {0};
    size_t rest = len - i;
    memcpy(tail, p + i, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) {
        tail[tl - 1 - (size_t)k] = (unsigned char)(bits >> (8 * k));
    }
    sha256_block(h, tail);
    if (tl == 128) {
        sha256_block(h, tail + 64);
    }
    for (int k = 0; k < 8; k++) {
        out[4 * k] = (unsigned char)(h[k] >> 24);
        out[4 * k + 1] = (unsigned char)(h[k] >> 16);
        out[4 * k + 2] = (unsigned char)(h[k] >> 8);
        out[4 * k + 3] = (unsigned char)h[k];
    }
}

static SPRIG_FN(fn_sha256sum)
{
    (void)n;
    unsigned char d[32];
    char hex[65];
    sha256((const unsigned char *)S(a[0]), N(a[0]), d);
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    *out = ce_tv_str_copy(c, hex, 64);
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
