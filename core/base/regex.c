/* SPDX-License-Identifier: Apache-2.0 */
/* Go-style regular expressions on PCRE2: see regex.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/base/regex.h"

#include "core/base/mem.h"
#include "core/base/rc.h"

#include <pcre2.h>
#include <string.h>

struct ce_regex {
    pcre2_code *code;
    pcre2_match_context *mctx; /* read-only after compile: shared by every match */
};

/* Go's wording for the common mistakes, PCRE2's for the rest. */
static const char *regex_error_text(int code, char *buf, size_t len)
{
    switch (code) {
    case PCRE2_ERROR_MISSING_SQUARE_BRACKET:
        return "missing closing ]";
    case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS:
        return "missing closing )";
    case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS:
        return "unexpected )";
    case PCRE2_ERROR_QUANTIFIER_INVALID:
        return "missing argument to repetition operator";
    default:
        pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, len);
        return buf;
    }
}

int ce_regex_compile(const char *pattern, size_t len, struct ce_regex **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    if (len > CE_REGEX_PATTERN_MAX) {
        return ce_rc_fail(CE_ETOOBIG, err, errlen, "regular expression longer than %d bytes",
                          CE_REGEX_PATTERN_MAX);
    }
    int code = 0;
    PCRE2_SIZE off = 0;
    /* Go's regexp: UTF-8 text (invalid bytes match nothing but do not fail the match), and `$`
     * only at the very end. */
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY,
                                   &code, &off, NULL);
    if (re == NULL) {
        char msg[160];
        return ce_rc_fail(CE_EPARSE, err, errlen, "error parsing regexp: %s: `%.*s`",
                          regex_error_text(code, msg, sizeof msg), (int)(len > 200 ? 200 : len),
                          pattern);
    }
    struct ce_regex *r = ce_xcalloc(1, sizeof(*r));
    r->code = re;
    r->mctx = pcre2_match_context_create(NULL);
    if (r->mctx == NULL) {
        ce_regex_destroy(r);
        return ce_rc_fail(CE_EIO, err, errlen, "out of memory compiling a regular expression");
    }
    pcre2_set_match_limit(r->mctx, CE_REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(r->mctx, CE_REGEX_MATCH_LIMIT);
    *out = r;
    return CE_OK;
}

static int regex_run(const struct ce_regex *re, const char *s, size_t len, size_t start,
                     long *groups, int *ngroups, bool *matched)
{
    *matched = false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    if (md == NULL) {
        return CE_EIO;
    }
    int n = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, 0, md, re->mctx);
    int rc = CE_OK;
    if (n > 0) {
        *matched = true;
        if (groups != NULL) {
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            uint32_t count = pcre2_get_ovector_count(md);
            int k = (int)(count < CE_REGEX_GROUPS_MAX ? count : CE_REGEX_GROUPS_MAX);
            for (int i = 0; i < k; i++) {
                bool unset = ov[2 * i] == PCRE2_UNSET;
                groups[2 * i] = unset ? -1 : (long)ov[2 * i];
                groups[2 * i + 1] = unset ? -1 : (long)ov[2 * i + 1];
            }
            *ngroups = k;
        }
    }
    else if (n != PCRE2_ERROR_NOMATCH) {
        rc = CE_ETOOBIG; /* match limit or depth: treated as no match by callers */
    }
    pcre2_match_data_free(md);
    return rc;
}

int ce_regex_search(const struct ce_regex *re, const char *s, size_t len, bool *matched)
{
    return regex_run(re, s, len, 0, NULL, NULL, matched);
}

int ce_regex_find(const struct ce_regex *re, const char *s, size_t len, size_t start, long *groups,
                  int *ngroups, bool *matched)
{
    *ngroups = 0;
    if (start > len) {
        *matched = false;
        return CE_OK;
    }
    return regex_run(re, s, len, start, groups, ngroups, matched);
}

void ce_regex_destroy(struct ce_regex *re)
{
    if (re == NULL) {
        return;
    }
    pcre2_match_context_free(re->mctx);
    pcre2_code_free(re->code);
    ce_free(re);
}
