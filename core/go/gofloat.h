/* SPDX-License-Identifier: Apache-2.0 */
/* Go's float64 texts, the one implementation every module that must print like Go uses:
 * strconv.FormatFloat (shortest round-trip digits or a precision, formats e, E, f, g, G), fmt's
 * %v (which is %g with the shortest digits: 1e+06, 3.5, 1e-05), and encoding/json's number form
 * (plain between 1e-6 and 1e21, otherwise an exponent without a leading zero: 1e-7, 1e+21).
 * Pure functions, thread-safe. */
#ifndef CE_CORE_GOFLOAT_H
#define CE_CORE_GOFLOAT_H

#include <stddef.h>

/* Longest text any of these writes for a shortest-digit format, NUL included. */
#define CE_GOFLOAT_MAX 40

/* strconv.FormatFloat(f, fmt, prec, 64): prec -1 asks for the shortest digits that read back as
 * f. NaN and infinities give "NaN", "+Inf", "-Inf". Writes at most n bytes (NUL-terminated when
 * n > 0) and returns the full length, as snprintf does. */
size_t ce_gofloat_format(double f, char fmt, int prec, char *out, size_t n);
/* fmt.Sprint(f): ce_gofloat_format(f, 'g', -1). */
size_t ce_gofloat_v(double f, char *out, size_t n);
/* encoding/json's text for f; -1 for NaN and infinities, which Go refuses to marshal. */
int ce_gofloat_json(double f, char *out, size_t n);

#endif
