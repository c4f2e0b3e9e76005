/* SPDX-License-Identifier: Apache-2.0 */
/* The value model of cevents expressions: a small tagged, reference-counted, immutable value
 * (nil, bool, int, float, string, array, object). int exists because the expr-lang dialect tells
 * integer literals from floats (7 % 2 works, 7.0 % 2 does not); JSON numbers always become floats,
 * as in Go's encoding/json. Formatting helpers reproduce Go's fmt %v / %T and json.Marshal,
 * because users see these texts in results and error messages. */
#ifndef CE_CORE_EXPR_VALUE_H
#define CE_CORE_EXPR_VALUE_H

#include "core/base/rc.h"

#include "core/base/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ce_value_kind {
    CE_VALUE_NULL,
    CE_VALUE_BOOL,
    CE_VALUE_INT,
    CE_VALUE_FLOAT,
    CE_VALUE_STRING,
    CE_VALUE_ARRAY,
    CE_VALUE_OBJECT,
};

struct ce_value;

struct ce_value_member {
    char *key; /* NUL-terminated */
    struct ce_value *val;
};

struct ce_value {
    enum ce_value_kind kind;
    /* 0 = immortal: statics and compiled literals, shared between threads and never touched by
     * ref/unref. Values built during one evaluation are counted and owned by that thread. */
    unsigned refs;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            char *p; /* NUL-terminated; may contain NULs before len */
            size_t len;
        } s;
        struct {
            struct ce_value **v;
            size_t n;
        } a;
        struct {
            struct ce_value_member *m; /* keys unique, in insertion order */
            size_t n;
        } o;
    } u;
};

/* Constructors return a new reference. null and bools are immortal statics. */
struct ce_value *ce_value_null(void);
struct ce_value *ce_value_bool(bool b);
struct ce_value *ce_value_int(int64_t i);
struct ce_value *ce_value_float(double f);
struct ce_value *ce_value_string(const char *p, size_t len);
/* Takes ownership of p (ce_xmalloc'd, NUL at p[len]). */
struct ce_value *ce_value_string_take(char *p, size_t len);
/* An array of n NULL slots: the caller fills every u.a.v[i] with a reference. */
struct ce_value *ce_value_array_new(size_t n);
/* An empty object; add members with ce_value_object_set (which takes a reference to val). */
struct ce_value *ce_value_object_new(void);
void ce_value_object_set(struct ce_value *obj, const char *key, struct ce_value *val);

struct ce_value *ce_value_ref(struct ce_value *v);
void ce_value_unref(struct ce_value *v);
/* Makes v (and everything under it) immortal; for literals stored in a compiled expression.
 * Such a value must later be freed with ce_value_free_immortal. */
void ce_value_make_immortal(struct ce_value *v);
void ce_value_free_immortal(struct ce_value *v);

/* Takes a reference to v and returns one to an equal value that shares nothing immortal
 * (compiled literals are copied), so it outlives the expression it came from. Counted arrays
 * and objects are fixed up in place. */
struct ce_value *ce_value_detach(struct ce_value *v);

/* Member of an object by key, borrowed; NULL when absent or v is not an object. */
struct ce_value *ce_value_object_get(const struct ce_value *v, const char *key);

/* From JSON: integers and reals both become floats. Returns CE_OK, or CE_ETOOBIG when nesting
 * passes max_depth. */
int ce_value_from_json(const json_t *j, int max_depth, struct ce_value **out, char *err,
                       size_t errlen);

bool ce_value_is_number(const struct ce_value *v);
double ce_value_as_double(const struct ce_value *v);

/* Go's %T of the value as decoded from JSON: "<nil>", "bool", "int", "float64", "string",
 * "[]interface {}", "map[string]interface {}". */
const char *ce_value_go_type(const struct ce_value *v);

/* Appends Go's %v of v ("<nil>", "true", "[1 a]", "map[a:1 b:x]" with sorted keys). */
int ce_value_format(const struct ce_value *v, struct ce_buf *b) CE_MUST_CHECK;
/* Appends Go's json.Marshal of v: sorted object keys, <>& escaped as \u003c etc., floats as
 * encoding/json writes them. indent != NULL selects MarshalIndent(v, "", indent). Returns
 * CE_EINVAL for NaN/Inf (Go refuses them), CE_ETOOBIG past the buffer cap. */
int ce_value_to_json_text(const struct ce_value *v, const char *indent,
                          struct ce_buf *b) CE_MUST_CHECK;

/* reflect.DeepEqual over decoded JSON values (int 1 and float 1 differ). */
bool ce_value_deep_equal(const struct ce_value *a, const struct ce_value *b);

#endif
