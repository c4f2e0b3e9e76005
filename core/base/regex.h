/* SPDX-License-Identifier: Apache-2.0 */
/* Regular expressions as manifests write them for Go's regexp package (RE2 syntax, UTF-8,
 * unanchored search), run by PCRE2 with a backtracking budget so a hostile pattern or event
 * cannot stall a thread. A compiled expression is immutable and shareable across threads. */
#ifndef CE_CORE_REGEX_H
#define CE_CORE_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#define CE_REGEX_PATTERN_MAX 4096    /* bytes of one pattern */
#define CE_REGEX_MATCH_LIMIT 1000000 /* backtracking steps of one match */
#define CE_REGEX_GROUPS_MAX 32       /* capture groups reported by ce_regex_find */

struct ce_regex;

/* Compiles pattern[0..len). CE_EPARSE with the reason and offset in err, CE_ETOOBIG past
 * CE_REGEX_PATTERN_MAX. */
int ce_regex_compile(const char *pattern, size_t len, struct ce_regex **out, char *err,
                     size_t errlen);

/* Whether re matches anywhere in s[0..len). CE_OK, or CE_ETOOBIG when the match budget ran
 * out (the subject then counts as not matched). */
int ce_regex_search(const struct ce_regex *re, const char *s, size_t len, bool *matched);

/* The first match at or after start: groups[2*i], groups[2*i+1] are the byte offsets of group i
 * (0 = the whole match; -1, -1 for a group that did not take part), for i < *ngroups (at most
 * CE_REGEX_GROUPS_MAX). *matched false when there is none. Same return codes as search. */
int ce_regex_find(const struct ce_regex *re, const char *s, size_t len, size_t start, long *groups,
                  int *ngroups, bool *matched);

void ce_regex_destroy(struct ce_regex *re);

#endif
