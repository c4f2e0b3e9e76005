/* SPDX-License-Identifier: Apache-2.0 */
/* Dynamically typed values for the template engine and its sprig functions, modelled on the Go
 * values Argo Events templates see: JSON decoded into interface{} (float64, string, bool, nil,
 * []interface{}, map[string]interface{}) plus what functions return (int, int64, []string,
 * map[string]string, time.Time). Every value of one evaluation lives in an arena that is freed
 * in one go, so values may share and even form cycles (sprig's `set` mutates maps in place, as Go
 * maps are references). Running past the arena's cap, or nesting values too deeply, leaves the
 * evaluation through a longjmp with a message, so no allocation site needs an error path. */
#ifndef CE_CORE_TVALUE_H
#define CE_CORE_TVALUE_H

#include "core/base/buf.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CE_TV_MAX_MEMORY (64u * 1024u * 1024u) /* arena bytes per evaluation */
#define CE_TV_MAX_STRING (16u * 1024u * 1024u) /* one string result */
#define CE_TV_MAX_DEPTH 200                    /* nesting when converting or printing */

enum ce_tv_kind {
    CE_TV_INVALID, /* Go's invalid reflect.Value: a missing key; prints "<no value>" */
    CE_TV_NIL,     /* a nil interface{} (JSON null); prints "<nil>" */
    CE_TV_BOOL,
    CE_TV_INT,
    CE_TV_FLOAT,
    CE_TV_STRING,
    CE_TV_LIST,
    CE_TV_MAP,
    CE_TV_TIME,
};

/* The Go type behind a kind where one kind stands for several (for type checks and messages). */
enum ce_tv_gotype {
    CE_TV_GO_DEFAULT = 0, /* int, []interface {}, map[string]interface {} */
    CE_TV_GO_INT64,       /* int64 */
    CE_TV_GO_UINT8,       /* uint8 (a byte from `index` on a string) */
    CE_TV_GO_STRINGS,     /* []string, map[string]string */
    CE_TV_GO_INTS,        /* []int */
};

struct ce_tv_list;
struct ce_tv_map;

struct ce_tv_time {
    int64_t sec;      /* Unix seconds */
    int32_t nsec;     /* 0..999999999 */
    int32_t offset;   /* zone offset, seconds east of UTC */
    const char *zone; /* abbreviation ("UTC", "CET"); arena or static */
};

struct ce_tv {
    uint8_t kind;   /* enum ce_tv_kind */
    uint8_t gotype; /* enum ce_tv_gotype */
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *p; /* not NUL-terminated in general; may hold NULs */
            size_t n;
        } s;
        struct ce_tv_list *list;
        struct ce_tv_map *map;
        struct ce_tv_time *t;
    } u;
};

struct ce_tv_list {
    size_t len;
    size_t cap;
    struct ce_tv *items;
};

struct ce_tv_entry {
    const char *key; /* NUL-terminated; Go map keys here are strings */
    size_t keylen;
    struct ce_tv val;
};

/* Kept sorted by key (bytewise, as Go sorts strings), which is the order of printing, ranging
 * and JSON encoding. */
struct ce_tv_map {
    size_t len;
    size_t cap;
    struct ce_tv_entry *e;
};

struct ce_tv_chunk;

/* One evaluation: arena, clock and the place for a function's error message. */
struct ce_tv_ctx {
    struct ce_tv_chunk *chunks;
    size_t used;
    size_t max_memory;
    int64_t now_ns; /* fixed clock for now/date; 0 = real time */
    jmp_buf *fail;  /* where ce_tv_oom/ce_tv_abort jump; must be set before use */
    int fail_rc;
    char *err;
    size_t errlen;
};

/* Sets up ctx (no allocation yet); max_memory 0 means CE_TV_MAX_MEMORY. */
void ce_tv_ctx_init(struct ce_tv_ctx *c, size_t max_memory, int64_t now_ns, char *err,
                    size_t errlen);
/* Frees every value allocated through ctx. */
void ce_tv_ctx_fini(struct ce_tv_ctx *c);
/* Leaves the evaluation: writes the message to c->err and longjmps to c->fail with rc. */
_Noreturn void ce_tv_abort(struct ce_tv_ctx *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Arena allocation (zeroed); aborts the evaluation with CE_ETOOBIG past the cap. */
void *ce_tv_alloc(struct ce_tv_ctx *c, size_t n);
char *ce_tv_strdup(struct ce_tv_ctx *c, const char *p, size_t n); /* adds a NUL */
/* Checks that a result of n bytes is allowed before building it. */
void ce_tv_check_size(struct ce_tv_ctx *c, size_t n);

/* Constructors. */
struct ce_tv ce_tv_invalid(void);
struct ce_tv ce_tv_nil(void);
struct ce_tv ce_tv_bool(bool b);
struct ce_tv ce_tv_int(int64_t i); /* Go int */
struct ce_tv ce_tv_int64(int64_t i);
struct ce_tv ce_tv_float(double f);
/* Wraps p (not copied: p must outlive the evaluation, e.g. arena or template text). */
struct ce_tv ce_tv_str(const char *p, size_t n);
struct ce_tv ce_tv_str_copy(struct ce_tv_ctx *c, const char *p, size_t n);
struct ce_tv ce_tv_cstr(const char *s); /* static or long-lived */
struct ce_tv ce_tv_list_new(struct ce_tv_ctx *c, size_t cap, uint8_t gotype);
struct ce_tv ce_tv_map_new(struct ce_tv_ctx *c, uint8_t gotype);
struct ce_tv ce_tv_time_new(struct ce_tv_ctx *c, int64_t sec, int32_t nsec, int32_t offset,
                            const char *zone);

void ce_tv_list_push(struct ce_tv_ctx *c, struct ce_tv *list, struct ce_tv v);
/* Sets key (copied) in map, replacing an existing entry. */
void ce_tv_map_set(struct ce_tv_ctx *c, struct ce_tv *map, const char *key, size_t keylen,
                   struct ce_tv v);
/* The value for key, or NULL. */
struct ce_tv *ce_tv_map_get(const struct ce_tv *map, const char *key, size_t keylen);
bool ce_tv_map_del(struct ce_tv *map, const char *key, size_t keylen);

/* Length as Go's len() sees it (bytes of a string, items, entries); -1 for other kinds. */
int64_t ce_tv_len(const struct ce_tv *v);
/* Go's template truth (text/template isTrue): zero values are false; maps/lists/strings by
 * length; time values are true. */
bool ce_tv_truth(const struct ce_tv *v);
/* sprig's empty(): the same rules, a nil or invalid value is empty. */
bool ce_tv_empty(const struct ce_tv *v);
/* reflect.DeepEqual for these types. */
bool ce_tv_deep_equal(const struct ce_tv *a, const struct ce_tv *b, int depth);

/* Go type name for messages and %T: "float64", "[]interface {}", "map[string]string", ... */
const char *ce_tv_type_name(const struct ce_tv *v);

/* JSON (as decoded into interface{}: numbers become float64) to a value in ctx. */
struct ce_tv ce_tv_from_json(struct ce_tv_ctx *c, const json_t *j);

/* Go's fmt %v (fmt.Sprint for one operand) appended to out. Fails (longjmp) past max depth or
 * when out reaches its cap. */
void ce_tv_print(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *v);
/* fmt.Sprint of a value as a fresh arena string (sprig's strval/toString). */
struct ce_tv ce_tv_sprint(struct ce_tv_ctx *c, const struct ce_tv *v);
/* Go's encoding/json Marshal (indent: MarshalIndent with "  "). Returns CE_OK, or CE_EINVAL
 * for NaN/Inf (Go's UnsupportedValueError) with out then undefined. */
int ce_tv_to_json(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *v, bool indent);

/* Go's Time.Format(layout) with the value's offset and zone name, appended to out. */
void ce_tv_time_format(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv_time *t,
                       const char *layout, size_t layoutlen);

/* Runs fn over a scratch buffer (capped at CE_TV_MAX_STRING) and returns its text as an arena
 * string. The buffer is released also when fn leaves through the failure jump. */
struct ce_tv ce_tv_build_string(struct ce_tv_ctx *c,
                                void (*fn)(struct ce_tv_ctx *, struct ce_buf *, void *), void *arg);

/* Appends to out, aborting the evaluation when out is full. */
void ce_tv_out(struct ce_tv_ctx *c, struct ce_buf *out, const void *p, size_t n);

/* Go's fmt.Sprintf / Sprint / Sprintln over template values, appended to out. */
void ce_tv_sprintf(struct ce_tv_ctx *c, struct ce_buf *out, const char *fmt, size_t fmtlen,
                   const struct ce_tv *args, size_t nargs);
void ce_tv_sprint_args(struct ce_tv_ctx *c, struct ce_buf *out, const struct ce_tv *args,
                       size_t nargs, bool ln);

#endif
