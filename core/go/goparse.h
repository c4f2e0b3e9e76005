/* SPDX-License-Identifier: Apache-2.0 */
/* Go's strconv.ParseFloat (decimal and hex floats, `_` between digits, inf/infinity/nan, no
 * surrounding space) and strconv.ParseBool, the one reading of numbers and booleans written as
 * text that filters, paths, templates and expressions share. Pure functions. */
#ifndef CE_CORE_GOPARSE_H
#define CE_CORE_GOPARSE_H

#include <stdbool.h>
#include <stddef.h>

enum ce_go_num {
    CE_GO_OK = 0,
    CE_GO_SYNTAX, /* not a number: *out is 0 */
    CE_GO_RANGE,  /* too large: *out is +-Inf, as Go returns it with ErrRange */
};

/* Reads s[0..len) as strconv.ParseFloat(s, 64). */
int ce_go_parse_float(const char *s, size_t len, double *out);
/* strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False. */
bool ce_go_parse_bool(const char *s, size_t n, bool *out);

#endif
