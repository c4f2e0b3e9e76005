/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the path-lookup files (gjson*.c) and the setter (sjson.c). Values are
 * slices of the input text or of text owned by a per-lookup arena, so a lookup allocates only
 * for unescaped strings and built results and frees everything at once. */
#ifndef CE_CORE_GJSON_INT_H
#define CE_CORE_GJSON_INT_H

#include <stdbool.h>
#include <stddef.h>

struct ce_buf;

struct gj_sl {
    const char *p;
    size_t n;
};

/* Value kinds in the order the comparison rules of the path language use. */
enum gj_kind { GK_NULL, GK_FALSE, GK_NUMBER, GK_STRING, GK_TRUE, GK_JSON };

struct gj_val {
    enum gj_kind kind;
    struct gj_sl raw;
    struct gj_sl str;
    double num;
    size_t index; /* offset of raw in the looked-up text; 0 = unknown */
    bool calcd;   /* built number (a count), not taken from the text */
};

/* Per-lookup state: owned allocations, byte and depth budgets. */
struct gj_ctx {
    void **owned;
    size_t nowned, capowned;
    size_t bytes;
    int depth;
    bool over; /* a cap was hit: results are incomplete */
};

void gj_ctx_init(struct gj_ctx *c);
void gj_ctx_fini(struct gj_ctx *c);
/* n+1 bytes owned by the context, or NULL (and c->over) when the byte budget is spent. */
char *gj_alloc(struct gj_ctx *c, size_t n);
/* Moves the buffer's text into the context; an empty slice when over budget. */
struct gj_sl gj_adopt(struct gj_ctx *c, struct ce_buf *b);
bool gj_enter(struct gj_ctx *c);
void gj_leave(struct gj_ctx *c);

static inline struct gj_sl gj_sl_make(const char *p, size_t n)
{
    struct gj_sl s = {p, n};
    return s;
}
static inline struct gj_sl gj_sl_from(struct gj_sl s, size_t off)
{
    return gj_sl_make(s.p + off, s.n - off);
}
static inline struct gj_sl gj_sl_sub(struct gj_sl s, size_t a, size_t b)
{
    return gj_sl_make(s.p + a, b - a);
}
bool gj_sl_eq(struct gj_sl a, struct gj_sl b);
bool gj_sl_eqs(struct gj_sl a, const char *s);
int gj_sl_cmp(struct gj_sl a, struct gj_sl b);
static inline bool gj_exists(const struct gj_val *v)
{
    return v->kind != GK_NULL || v->raw.n != 0;
}

/* Scanners over text (gjson_scan.c). Each returns the index just past what it read and never
 * reads outside the slice. */
size_t gj_parse_string(struct gj_sl js, size_t i, struct gj_sl *val, bool *esc, bool *ok);
size_t gj_parse_number(struct gj_sl js, size_t i, struct gj_sl *val);
size_t gj_parse_literal(struct gj_sl js, size_t i, struct gj_sl *val);
size_t gj_parse_squash(struct gj_sl js, size_t i, struct gj_sl *val);
struct gj_sl gj_squash(struct gj_sl js);
struct gj_sl gj_tonum(struct gj_sl js);
struct gj_sl gj_tolit(struct gj_sl js);
struct gj_sl gj_tostr(struct gj_ctx *c, struct gj_sl js, struct gj_sl *str);
struct gj_sl gj_unescape(struct gj_ctx *c, struct gj_sl s);
struct gj_sl gj_trim(struct gj_sl s);
bool gj_valid(struct gj_sl js, int depth_max);
bool gj_parse_uint(struct gj_sl s, size_t *n);

/* Numbers and coercions (gjson_num.c). */
bool gj_parse_float(struct gj_sl s, double *out);
bool gj_parse_bool_lower(struct gj_sl s, bool *val);
bool gj_match(struct gj_sl str, struct gj_sl pat);

/* Lookup (gjson.c, gjson_arr.c, gjson_mod.c). */
struct gj_val gj_get(struct gj_ctx *c, struct gj_sl json, struct gj_sl path);
struct gj_val gj_val_get(struct gj_ctx *c, const struct gj_val *v, struct gj_sl path);
struct gj_val gj_parse(struct gj_ctx *c, struct gj_sl json);
size_t gj_parse_any(struct gj_ctx *c, struct gj_sl json, size_t i, struct gj_val *res, bool *ok);
/* String() of a value into the context (numbers may need formatting). */
struct gj_sl gj_val_string(struct gj_ctx *c, const struct gj_val *v);
double gj_val_float(const struct gj_val *v);
long long gj_val_int(const struct gj_val *v);
bool gj_val_bool(const struct gj_val *v);
/* Iterates an object or array value: fn gets key (kind GK_NULL for arrays) and value. */
typedef bool (*gj_each_fn)(struct gj_ctx *c, const struct gj_val *key, const struct gj_val *val,
                           void *arg);
void gj_foreach(struct gj_ctx *c, const struct gj_val *v, gj_each_fn fn, void *arg);
static inline bool gj_is_array(const struct gj_val *v)
{
    return v->kind == GK_JSON && v->raw.n > 0 && v->raw.p[0] == '[';
}
static inline bool gj_is_object(const struct gj_val *v)
{
    return v->kind == GK_JSON && v->raw.n > 0 && v->raw.p[0] == '{';
}

/* Modifiers and multipaths (gjson_mod.c). */
bool gj_is_modifier(struct gj_sl name);
bool gj_exec_modifier(struct gj_ctx *c, struct gj_sl json, struct gj_sl path,
                      struct gj_sl *out_path, struct gj_sl *res);
bool gj_exec_static(struct gj_sl path, struct gj_sl *out_path, struct gj_sl *res);
/* Handles a leading `[...]` / `{...}` multipath. False when the lookup must go on as a plain
 * path: *path is then what follows the selectors (empty when they did not close). */
bool gj_multipath(struct gj_ctx *c, struct gj_sl json, struct gj_sl *path, struct gj_val *out);
int gj_append_json_string(struct ce_buf *b, struct gj_sl s);

#endif
