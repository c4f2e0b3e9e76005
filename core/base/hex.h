/* SPDX-License-Identifier: Apache-2.0 */
/* One hexadecimal digit's value, for every decoder that reads them (percent escapes, JSON and
 * Go string escapes, chunk sizes, number literals). */
#ifndef CE_CORE_BASE_HEX_H
#define CE_CORE_BASE_HEX_H

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else. */
int ce_hex_digit(int ch);

#endif
