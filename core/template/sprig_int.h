/* SPDX-License-Identifier: Apache-2.0 */
/* Internal declarations shared by the sprig function files. */
#ifndef CE_CORE_SPRIG_INT_H
#define CE_CORE_SPRIG_INT_H

#include "core/base/rc.h"
#include "core/template/sprig.h"

#include <string.h>

#define SPRIG_FAIL(c, ...) ce_rc_fail(CE_EINVAL, (c)->err, (c)->errlen, __VA_ARGS__)
#define SPRIG_FN(name) int name(struct ce_tv_ctx *c, struct ce_tv *a, size_t n, struct ce_tv *out)

/* Arena string of a value known to be a string. */
#define S(v) ((v).u.s.p)
#define N(v) ((v).u.s.n)

/* Each file's table; ce_sprig_lookup searches them in turn. */
extern const struct ce_fn ce_sprig_case_fns[];
extern const size_t ce_sprig_case_nfns;
extern const struct ce_fn ce_sprig_str_fns[];
extern const size_t ce_sprig_str_nfns;
extern const struct ce_fn ce_sprig_list_fns[];
extern const size_t ce_sprig_list_nfns;
extern const struct ce_fn ce_sprig_math_fns[];
extern const size_t ce_sprig_math_nfns;
extern const struct ce_fn ce_sprig_enc_fns[];
extern const size_t ce_sprig_enc_nfns;
extern const struct ce_fn ce_sprig_regex_fns[];
extern const size_t ce_sprig_regex_nfns;
extern const struct ce_fn ce_sprig_date_fns[];
extern const size_t ce_sprig_date_nfns;
extern const struct ce_fn ce_sprig_floatmath_fns[];
extern const size_t ce_sprig_floatmath_nfns;
extern const struct ce_fn ce_sprig_hash_fns[];
extern const size_t ce_sprig_hash_nfns;
extern const struct ce_fn ce_sprig_words_fns[];
extern const size_t ce_sprig_words_nfns;
extern const struct ce_fn ce_sprig_dict_fns[];
extern const size_t ce_sprig_dict_nfns;
extern const struct ce_fn ce_sprig_seq_fns[];
extern const size_t ce_sprig_seq_nfns;
extern const struct ce_fn ce_sprig_path_fns[];
extern const size_t ce_sprig_path_nfns;
extern const struct ce_fn ce_sprig_duration_fns[];
extern const size_t ce_sprig_duration_nfns;
extern const struct ce_fn ce_sprig_snake_fns[];
extern const size_t ce_sprig_snake_nfns;
extern const struct ce_fn ce_sprig_url_fns[];
extern const size_t ce_sprig_url_nfns;

/* A growable arena string builder. */
struct sb {
    struct ce_tv_ctx *c;
    char *p;
    size_t len, cap;
};
void sb_init(struct sb *b, struct ce_tv_ctx *c, size_t cap);
void sb_add(struct sb *b, const char *p, size_t n);
struct ce_tv sb_value(struct sb *b);

/* Rune helpers (sprig_case.c): decoding gives U+FFFD width 1 for invalid bytes. */
size_t sprig_next_rune(const char *p, size_t n, uint32_t *r);
bool sprig_rune_space(uint32_t r); /* unicode.IsSpace */
uint32_t sprig_rune_upper(uint32_t r);
uint32_t sprig_rune_lower(uint32_t r);
void sprig_sb_rune(struct sb *b, uint32_t r);

/* strval of each element of a list-like value ([]string conversion, nil elements dropped). */
struct ce_tv sprig_strslice(struct ce_tv_ctx *c, const struct ce_tv *v);
typedef struct evp_md_st EVP_MD;
/* The hex digest of p[0..len) with md (OpenSSL's), as a template string. */
struct ce_tv sprig_hex_digest(struct ce_tv_ctx *c, const EVP_MD *md, const char *p, size_t len);

/* The evaluation's clock (a fixed one when the context sets now_ns). */
void sprig_clock_now(struct ce_tv_ctx *c, int64_t *sec, int32_t *nsec);

/* Go's time.ParseInLocation(layout, value, time.Local); CE_OK or CE_EPARSE. */
int sprig_parse_time(struct ce_tv_ctx *c, const struct ce_tv *layout, const struct ce_tv *value,
                     struct ce_tv *out);

#endif
