/* SPDX-License-Identifier: Apache-2.0 */
/* sprig's sha1sum and adler32sum (decimal, as sprig prints it) and base32 (Go's StdEncoding;
 * b32dec returns Go's error text as its result, as sprig does). */
#include "core/template/sprig_int.h"

#include <openssl/evp.h>
#include <stdio.h>

struct ce_tv sprig_hex_digest(struct ce_tv_ctx *c, const EVP_MD *md, const char *p, size_t len)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    if (EVP_Digest(p, len, d, &dn, md, NULL) != 1) {
        dn = 0; /* not reached with the built-in digests */
    }
    for (unsigned int i = 0; i < dn; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    return ce_tv_str_copy(c, hex, 2 * (size_t)dn);
}

static SPRIG_FN(fn_sha1sum)
{
    (void)n;
    *out = sprig_hex_digest(c, EVP_sha1(), S(a[0]), N(a[0]));
    return CE_OK;
}

static SPRIG_FN(fn_adler32sum)
{
    (void)n;
    uint32_t s1 = 1, s2 = 0;
    const unsigned char *p = (const unsigned char *)S(a[0]);
    for (size_t i = 0; i < N(a[0]); i++) {
        s1 = (s1 + p[i]) % 65521;
        s2 = (s2 + s1) % 65521;
    }
    char buf[16];
    int k = snprintf(buf, sizeof buf, "%u", (unsigned)(s2 << 16 | s1));
    *out = ce_tv_str_copy(c, buf, (size_t)k);
    return CE_OK;
}

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static SPRIG_FN(fn_b32enc)
{
    (void)n;
    size_t len = N(a[0]);
    const unsigned char *p = (const unsigned char *)S(a[0]);
    ce_tv_check_size(c, (len + 4) / 5 * 8);
    struct sb b;
    sb_init(&b, c, (len + 4) / 5 * 8);
    for (size_t i = 0; i < len; i += 5) {
        size_t take = len - i < 5 ? len - i : 5;
        uint64_t v = 0;
        for (size_t k = 0; k < 5; k++) {
            v = v << 8 | (k < take ? p[i + k] : 0);
        }
        static const size_t chars_for[6] = {0, 2, 4, 5, 7, 8};
        char q[8];
        for (size_t k = 0; k < 8; k++) {
            q[k] = k < chars_for[take] ? B32[(v >> (35 - 5 * k)) & 31] : '=';
        }
        sb_add(&b, q, 8);
    }
    *out = sb_value(&b);
    return CE_OK;
}

static int b32_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A';
    }
    if (ch >= '2' && ch <= '7') {
        return ch - '2' + 26;
    }
    return -1;
}

/* One quantum of up to 8 symbols from src at *pos, as Go's decoder reads it. Returns -1, or the
 * offset of the corrupt input; *vals gets the symbols, *nvals how many, *end whether padding
 * ended the input. */
static long b32_quantum(const char *src, size_t len, size_t *pos, uint8_t vals[8], size_t *nvals,
                        bool *end)
{
    size_t j = 0;
    while (j < 8) {
        if (*pos == len) {
            return (long)(len - j); /* missing padding */
        }
        unsigned char in = (unsigned char)src[(*pos)++];
        size_t left = len - *pos;
        if (in == '=' && j >= 2 && left < 8) {
            if (left + j < 7) {
                return (long)len; /* not enough padding */
            }
            for (size_t k = 0; k < 7 - j; k++) {
                if (left > k && src[*pos + k] != '=') {
                    return (long)(*pos + k);
                }
            }
            *nvals = j, *end = true;
            return (j == 1 || j == 3 || j == 6) ? (long)(*pos - 1) : -1;
        }
        int v = b32_value(in);
        if (v < 0) {
            return (long)(*pos - 1);
        }
        vals[j++] = (uint8_t)v;
    }
    *nvals = 8;
    return -1;
}

static SPRIG_FN(fn_b32dec)
{
    (void)n;
    /* Go drops '\r' and '\n' before decoding; offsets count the rest */
    char *src = ce_tv_alloc(c, N(a[0]) + 1);
    size_t len = 0;
    for (size_t i = 0; i < N(a[0]); i++) {
        if (S(a[0])[i] != '\r' && S(a[0])[i] != '\n') {
            src[len++] = S(a[0])[i];
        }
    }
    struct sb b;
    sb_init(&b, c, len / 8 * 5 + 5);
    size_t pos = 0;
    bool end = false;
    while (pos < len && !end) {
        uint8_t v[8] = {0};
        size_t nv = 0;
        long bad = b32_quantum(src, len, &pos, v, &nv, &end);
        if (bad >= 0) {
            char msg[64];
            int k = snprintf(msg, sizeof msg, "illegal base32 data at input byte %ld", bad);
            *out = ce_tv_str_copy(c, msg, (size_t)k);
            return CE_OK;
        }
        uint64_t bits = 0;
        for (size_t k = 0; k < 8; k++) {
            bits = bits << 5 | v[k];
        }
        static const size_t bytes_for[9] = {0, 0, 1, 1, 2, 3, 3, 4, 5};
        for (size_t k = 0; k < bytes_for[nv]; k++) {
            char ch = (char)(bits >> (32 - 8 * k));
            sb_add(&b, &ch, 1);
        }
    }
    *out = sb_value(&b);
    return CE_OK;
}

#define STR CE_FT_STRING

const struct ce_fn ce_sprig_hash_fns[] = {
    {"sha1sum", fn_sha1sum, 1, 0, {STR}},
    {"adler32sum", fn_adler32sum, 1, 0, {STR}},
    {"b32enc", fn_b32enc, 1, 0, {STR}},
    {"b32dec", fn_b32dec, 1, 0, {STR}},
};
const size_t ce_sprig_hash_nfns = sizeof ce_sprig_hash_fns / sizeof ce_sprig_hash_fns[0];
