/* SPDX-License-Identifier: Apache-2.0 */
/* Test data under tests/data/ with ${NAME} placeholders filled in (see harness.h): manifests
 * live in files, and what only a run knows (a free port, a temp path) is substituted. */
#include "tests/harness/harness.h"
#include "core/base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define DATA_MAX_VARS 16

struct data_var {
    const char *name;
    const char *value;
    bool used;
};

struct data_buf {
    char *s;
    size_t len, cap;
};

static void data_put(struct data_buf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) {
            b->cap = b->cap ? b->cap * 2 : 1024;
        }
        b->s = ce_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static size_t data_vars(va_list ap, struct data_var *vars)
{
    size_t n = 0;
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (n == DATA_MAX_VARS || value == NULL) {
            fail_msg("ce_test_expand: more than %d variables, or %s without a value", DATA_MAX_VARS,
                     name);
        }
        vars[n++] = (struct data_var){name, value, false};
    }
    return n;
}

static char *data_expand(const char *what, const char *text, struct data_var *vars, size_t nvars)
{
    struct data_buf b = {0};
    data_put(&b, "", 0);
    const char *p = text;
    for (;;) {
        const char *at = strstr(p, "${");
        if (at == NULL) {
            data_put(&b, p, strlen(p));
            break;
        }
        const char *end = strchr(at, '}');
        if (end == NULL) {
            fail_msg("%s: unterminated ${ at offset %zu", what, (size_t)(at - text));
        }
        size_t nlen = (size_t)(end - at - 2);
        struct data_var *v = NULL;
        for (size_t i = 0; i < nvars && v == NULL; i++) {
            if (strlen(vars[i].name) == nlen && memcmp(vars[i].name, at + 2, nlen) == 0) {
                v = &vars[i];
            }
        }
        if (v == NULL) {
            fail_msg("%s: no value given for ${%.*s}", what, (int)nlen, at + 2);
        }
        v->used = true;
        data_put(&b, p, (size_t)(at - p));
        bool own_line = (at == text || at[-1] == '\n') && (end[1] == '\n' || end[1] == '\0');
        size_t vlen = strlen(v->value);
        data_put(&b, v->value, vlen);
        p = end + 1;
        if (own_line) {
            /* The value's lines replace the placeholder's line. */
            if (*p == '\n') {
                p++;
            }
            if (vlen > 0 && v->value[vlen - 1] != '\n') {
                data_put(&b, "\n", 1);
            }
        }
    }
    for (size_t i = 0; i < nvars; i++) {
        if (!vars[i].used) {
            fail_msg("%s: ${%s} is given but not used", what, vars[i].name);
        }
    }
    return b.s;
}

char *ce_test_expand(const char *text, ...)
{
    struct data_var vars[DATA_MAX_VARS];
    va_list ap;
    va_start(ap, text);
    size_t n = data_vars(ap, vars);
    va_end(ap);
    return data_expand("ce_test_expand", text, vars, n);
}

static char *data_read_expand(const char *rel, va_list ap)
{
    struct data_var vars[DATA_MAX_VARS];
    size_t n = data_vars(ap, vars);
    char *path = ce_xasprintf("%s/%s", CE_TEST_DATA_DIR, rel);
    char *text = ce_test_read_file(path, NULL);
    if (text == NULL) {
        fail_msg("cannot read the test data file %s", path);
    }
    char *out = data_expand(path, text, vars, n);
    ce_free(text);
    ce_free(path);
    return out;
}

char *ce_test_data(const char *rel, ...)
{
    va_list ap;
    va_start(ap, rel);
    char *out = data_read_expand(rel, ap);
    va_end(ap);
    return out;
}

char *ce_test_data_write(const char *dir, const char *name, const char *rel, ...)
{
    va_list ap;
    va_start(ap, rel);
    char *text = data_read_expand(rel, ap);
    va_end(ap);
    char *path = ce_test_write_file(dir, name, text);
    ce_free(text);
    return path;
}
