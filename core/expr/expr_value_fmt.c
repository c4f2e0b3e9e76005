/* SPDX-License-Identifier: Apache-2.0 */
/* Go-compatible text forms of expression values: fmt's %v (used by string concatenation, the
 * string() builtin and error messages) and encoding/json's Marshal (toJson). Written from the
 * documented behaviour of Go's strconv, fmt and encoding/json. */
#include "core/expr/expr_value.h"

#include "core/go/gofloat.h"
#include "core/base/mem.h"
#include "core/base/rc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_members(const void *a, const void *b)
{
    const struct ce_value_member *x = *(const struct ce_value_member *const *)a;
    const struct ce_value_member *y = *(const struct ce_value_member *const *)b;
    return strcmp(x->key, y->key);
}

/* Members of an object sorted by key, as Go prints and marshals maps. Caller frees. */
static const struct ce_value_member **sorted_members(const struct ce_value *v)
{
    const struct ce_value_member **s = ce_xmalloc((v->u.o.n + 1) * sizeof *s);
    for (size_t i = 0; i < v->u.o.n; i++) {
        s[i] = &v->u.o.m[i];
    }
    qsort(s, v->u.o.n, sizeof *s, cmp_members);
    return s;
}

static int format_depth(const struct ce_value *v, struct ce_buf *b, int depth)
{
    char num[40];
    if (depth > 2 * 64) {
        return CE_ETOOBIG;
    }
    switch (v->kind) {
    case CE_VALUE_NULL:
        return ce_buf_puts(b, "<nil>");
    case CE_VALUE_BOOL:
        return ce_buf_puts(b, v->u.b ? "true" : "false");
    case CE_VALUE_INT:
        return ce_buf_printf(b, "%" PRId64, v->u.i);
    case CE_VALUE_FLOAT:
        (void)ce_gofloat_v(v->u.f, num, sizeof num);
        return ce_buf_puts(b, num);
    case CE_VALUE_STRING:
        return ce_buf_append(b, v->u.s.p, v->u.s.len);
    case CE_VALUE_ARRAY: {
        int rc = ce_buf_puts(b, "[");
        for (size_t i = 0; rc == CE_OK && i < v->u.a.n; i++) {
            if (i > 0) {
                rc = ce_buf_puts(b, " ");
            }
            if (rc == CE_OK) {
                rc = format_depth(v->u.a.v[i], b, depth + 1);
            }
        }
        return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
    }
    case CE_VALUE_OBJECT: {
        const struct ce_value_member **s = sorted_members(v);
        int rc = ce_buf_puts(b, "map[");
        for (size_t i = 0; rc == CE_OK && i < v->u.o.n; i++) {
            rc = ce_buf_printf(b, "%s%s:", i > 0 ? " " : "", s[i]->key);
            if (rc == CE_OK) {
                rc = format_depth(s[i]->val, b, depth + 1);
            }
        }
        ce_free(s);
        return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
    }
    }
    return CE_EINVAL;
}

int ce_value_format(const struct ce_value *v, struct ce_buf *b)
{
    return format_depth(v, b, 0);
}

static int json_newline(struct ce_buf *b, const char *indent, int level)
{
    if (indent == NULL) {
        return CE_OK;
    }
    int rc = ce_buf_puts(b, "\n");
    for (int i = 0; rc == CE_OK && i < level; i++) {
        rc = ce_buf_puts(b, indent);
    }
    return rc;
}

static int json_text(const struct ce_value *v, const char *indent, int level, struct ce_buf *b)
{
    char num[40];
    int rc = CE_OK;
    if (level > 2 * 64) {
        return CE_ETOOBIG;
    }
    switch (v->kind) {
    case CE_VALUE_NULL:
        return ce_buf_puts(b, "null");
    case CE_VALUE_BOOL:
        return ce_buf_puts(b, v->u.b ? "true" : "false");
    case CE_VALUE_INT:
        return ce_buf_printf(b, "%" PRId64, v->u.i);
    case CE_VALUE_FLOAT:
        if (v->u.f != v->u.f || isinf(v->u.f)) {
            return CE_EINVAL;
        }
        (void)ce_gofloat_json(v->u.f, num, sizeof num);
        return ce_buf_puts(b, num);
    case CE_VALUE_STRING:
        return ce_buf_json_str(b, v->u.s.p, v->u.s.len);
    case CE_VALUE_ARRAY:
        rc = ce_buf_puts(b, "[");
        for (size_t i = 0; rc == CE_OK && i < v->u.a.n; i++) {
            rc = i > 0 ? ce_buf_puts(b, ",") : CE_OK;
            rc = rc == CE_OK ? json_newline(b, indent, level + 1) : rc;
            rc = rc == CE_OK ? json_text(v->u.a.v[i], indent, level + 1, b) : rc;
        }
        if (rc == CE_OK && v->u.a.n > 0) {
            rc = json_newline(b, indent, level);
        }
        return rc == CE_OK ? ce_buf_puts(b, "]") : rc;
    case CE_VALUE_OBJECT: {
        const struct ce_value_member **s = sorted_members(v);
        rc = ce_buf_puts(b, "{");
        for (size_t i = 0; rc == CE_OK && i < v->u.o.n; i++) {
            rc = i > 0 ? ce_buf_puts(b, ",") : CE_OK;
            rc = rc == CE_OK ? json_newline(b, indent, level + 1) : rc;
            rc = rc == CE_OK ? ce_buf_json_str(b, s[i]->key, strlen(s[i]->key)) : rc;
            rc = rc == CE_OK ? ce_buf_puts(b, indent != NULL ? ": " : ":") : rc;
            rc = rc == CE_OK ? json_text(s[i]->val, indent, level + 1, b) : rc;
        }
        ce_free(s);
        if (rc == CE_OK && v->u.o.n > 0) {
            rc = json_newline(b, indent, level);
        }
        return rc == CE_OK ? ce_buf_puts(b, "}") : rc;
    }
    }
    return CE_EINVAL;
}

int ce_value_to_json_text(const struct ce_value *v, const char *indent, struct ce_buf *b)
{
    return json_text(v, indent, 0, b);
}
