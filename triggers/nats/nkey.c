/* SPDX-License-Identifier: Apache-2.0 */
/* NKey encoding: base32 (RFC 4648 alphabet, no padding) of a prefix, the key and a CRC-16
 * (XMODEM, little-endian). A user seed's first two bytes say "seed of a user"; the Ed25519
 * public key is derived from the 32 seed bytes with OpenSSL. */
#include "triggers/nats/nkey.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NKEY_PREFIX_SEED (18 << 3) /* 'S' */
#define NKEY_PREFIX_USER (20 << 3) /* 'U' */
#define NKEY_SEED_TEXT_LEN 58      /* base32 of 2 + 32 + 2 bytes */
#define NKEY_RAW_LEN 32

static const char nkey_b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static uint16_t nkey_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

/* Decodes n base32 characters into out (room for n * 5 / 8 bytes); false on a bad character. */
static bool nkey_b32_decode(const char *s, size_t n, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *at = strchr(nkey_b32, s[i]);
        if (s[i] == '\0' || at == NULL) {
            return false;
        }
        acc = (acc << 5) | (uint32_t)(at - nkey_b32);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    return true;
}

static void nkey_b32_encode(const uint8_t *p, size_t n, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[k++] = nkey_b32[(acc >> bits) & 31];
        }
    }
    if (bits > 0) {
        out[k++] = nkey_b32[(acc << (5 - bits)) & 31];
    }
    out[k] = '\0';
}

/* The first line of text that starts with "SU", as a pointer into text. */
static const char *nkey_find_seed(const char *text, size_t len)
{
    for (size_t i = 0; i + NKEY_SEED_TEXT_LEN <= len; i++) {
        bool line_start =
            i == 0 || text[i - 1] == '\n' || text[i - 1] == ' ' || text[i - 1] == '\t';
        if (line_start && text[i] == 'S' && text[i + 1] == 'U') {
            return text + i;
        }
    }
    return NULL;
}

static bool nkey_public_from_raw(const uint8_t seed[NKEY_RAW_LEN], char pub[CE_NKEY_PUBLIC_LEN + 1])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, NKEY_RAW_LEN);
    uint8_t raw[1 + NKEY_RAW_LEN + 2];
    size_t n = NKEY_RAW_LEN;
    bool ok = k != NULL && EVP_PKEY_get_raw_public_key(k, raw + 1, &n) == 1 && n == NKEY_RAW_LEN;
    EVP_PKEY_free(k);
    if (ok) {
        raw[0] = NKEY_PREFIX_USER;
        uint16_t crc = nkey_crc16(raw, 1 + NKEY_RAW_LEN);
        raw[1 + NKEY_RAW_LEN] = (uint8_t)(crc & 0xff);
        raw[2 + NKEY_RAW_LEN] = (uint8_t)(crc >> 8);
        nkey_b32_encode(raw, sizeof raw, pub);
    }
    return ok;
}

int ce_nkey_user_public(const char *text, size_t len, char pub[CE_NKEY_PUBLIC_LEN + 1], char *err,
                        size_t errlen)
{
    const char *s = nkey_find_seed(text, len);
    uint8_t raw[36];
    if (s == NULL || !nkey_b32_decode(s, NKEY_SEED_TEXT_LEN, raw)) {
        return ce_rc_fail(CE_EINVAL, err, errlen, "no NKey user seed (a line starting \"SU\")");
    }
    uint16_t crc = (uint16_t)(raw[34] | (raw[35] << 8));
    int prefix = ((raw[0] & 7) << 5) | ((raw[1] & 0xf8) >> 3);
    bool ok = crc == nkey_crc16(raw, 34) && (raw[0] & 0xf8) == NKEY_PREFIX_SEED &&
              prefix == NKEY_PREFIX_USER && nkey_public_from_raw(raw + 2, pub);
    memset(raw, 0, sizeof raw);
    return ok ? CE_OK : ce_rc_fail(CE_EINVAL, err, errlen, "the NKey user seed is not valid");
}
